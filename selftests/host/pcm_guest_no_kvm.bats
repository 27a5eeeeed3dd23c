#!/usr/bin/env bats
# Runs on the test bed's first-level VM, the KVM host itself.  Under TCG it
# is not a KVM guest, so pcm_guest.ko must refuse to load there.

load ../lib/pcm.bash

@test "pcm_guest refuses to load where there is no KVM: ENODEV and one log line" {
	if dmesg | grep -q "Hypervisor detected: KVM"; then
		skip "this first-level VM runs under KVM"
	fi
	dmesg -C
	run insmod "$PCM_KO"
	assert_failure
	assert_output --partial "No such device"
	[ ! -e "$PCM_SYSFS" ]
	run dmesg --notime
	assert_output "pcm_guest: not running under KVM, refusing to load"
}
