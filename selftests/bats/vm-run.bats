#!/usr/bin/env bats
# Drives the whole chain from outside, through the commands people use:
# `make vm-run` and `make demo` boot the patched KVM host and a guest.

load ../lib/pcm.bash
bats_require_minimum_version 1.5.0

setup() {
	cd "$PCM_REPO" || return
}

# One boot (each costs about 20 s) for what make vm-run promises: CMD's
# output on stdout, its status named, HOST_CMD run first on the host,
# SHARE as CMD's directory; and for a kvm.* option on the host's kernel
# command line (PCM_HOST_APPEND) reaching kvm.ko: switched off from boot,
# cat fails with EOPNOTSUPP until the guest has the host switch it on.
# shellcheck disable=SC2016 # $(uname -r) is for the guest's shell
@test "vm-run: CMD's output and status, HOST_CMD first, SHARE is the working directory, kvm.pcm_hypercall=0 from the host's command line" {
	share=$(mktemp -d)
	echo "data from outside" >"$share/in.txt"
	PCM_HOST_APPEND=kvm.pcm_hypercall=0 run --separate-stderr make -s vm-run \
		HOST_CMD='cat /sys/module/kvm/parameters/pcm_hypercall; pcm-host set replay/success 532' \
		SHARE="$share" CMD='echo "hello from $(uname -r)"; cat /sys/kernel/pcm/replay/success;
			host pcm-host switch on; cat /sys/kernel/pcm/replay/success;
			cat in.txt; pwd; echo written >out.txt; exit 7'
	# make can only exit 0 or 2, so vm-run names the status.
	assert_failure
	# HOST_CMD's output goes to stderr when there is a guest; make's own
	# error line follows.
	# shellcheck disable=SC2154 # set by run --separate-stderr
	assert_equal "${stderr_lines[0]}" N
	assert_equal "${stderr_lines[1]}" "vm-run: exit status 7"
	assert_output "hello from $(scripts/debian-kver)
cat: /sys/kernel/pcm/replay/success: Operation not supported
532
data from outside
/mnt/share"
	assert_equal "$(cat "$share/out.txt")" written
	rm -rf "$share"
}

@test "vm-run: a failing HOST_CMD fails the run and the guest does not run" {
	run testbed/run --host-cmd 'echo host-side-problem; exit 4' 'echo guest-ran'
	assert_equal "$status" 4
	assert_output --partial host-side-problem
	refute_output --partial guest-ran
}

@test "make demo shows all 36 counters beside the host's values, and the disabled case" {
	run --separate-stderr make -s demo
	assert_success
	# One row per counter: field, guest value, host value, equal.
	while read -r _ field; do
		assert_line --regexp "^  $field +([0-9]+) +\\1\$"
	done < <(pcm_fields)
	assert_line "cat: /sys/kernel/pcm/replay/success: Operation not supported"
	assert_equal "$(grep -c '^532$' <<<"$output")" 2
}
