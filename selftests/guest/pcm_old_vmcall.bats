#!/usr/bin/env bats
# Runs inside the test-bed guest on a host with the patched KVM, like
# pcm_guest.bats.  pcm_old_vmcall.ko (selftests/guest/pcm_old_vmcall) reads
# the counters as guest modules of the ioctl era do: hypercall 104 with a
# hard-coded VMCALL, from its own module text, which the guest kernel maps
# read-only.  On an AMD host VMCALL is the other vendor's instruction: KVM
# has to serve it in place, as rewriting it would page-fault in the guest.

load ../lib/pcm.bash

OLD_KO=$PCM_REPO/build/guest/$PCM_KREL/pcm_old_vmcall.ko
OLD_FILE=/sys/kernel/debug/pcm_old_vmcall
# Written to the kernel log before the module is loaded.
MARK="pcm_old_vmcall.bats: loading pcm_old_vmcall.ko"
OOPS_RE='BUG:|WARNING:|Oops|unable to handle page fault|general protection|invalid opcode|Call Trace'

# The guest kernel log since $MARK.
log_since_load() {
	dmesg | sed -n "/$MARK/,\$p"
}

# A read that oopsed never left debugfs, so rmmod would wait for it forever.
oopsed_since_load() {
	log_since_load | grep -qE "$OOPS_RE"
}

setup_file() {
	pcm_stop_kvm_counting
	host pcm-host switch on
	echo "$MARK" >/dev/kmsg
	pcm_insmod "$OLD_KO"
}

teardown_file() {
	pcm_restart_kvm_counting
	host pcm-host switch on
	if pcm_module_loaded pcm_old_vmcall && ! oopsed_since_load; then
		pcm_rmmod pcm_old_vmcall
	fi
}

setup() {
	host pcm-host switch on
}

teardown() {
	host pcm-host switch on
}

@test "pcm_old_vmcall.ko loads and creates its debugfs file (0400)" {
	pcm_module_loaded pcm_old_vmcall
	run stat -c '%a %U' "$OLD_FILE"
	assert_success
	assert_output "400 root"
}

@test "a read prints the 36 values the host set, in ABI order, as sysfs shows them" {
	local expected sysfs
	expected=$(pcm_set_distinct_values)

	run cat "$OLD_FILE"
	assert_success
	assert_equal "${#lines[@]}" 36
	assert_output "$(awk '{ print $2 }' <<<"$expected")"

	# pcm_guest.ko's files (native instruction) agree, counter by counter.
	sysfs=$(pcm_read_sysfs)
	assert_equal "$sysfs" "$expected"
}

@test "each read is exactly one hypercall, counted on the host" {
	local before after
	before=$(host pcm-host hypercalls)
	cat "$OLD_FILE" >/dev/null
	after=$(host pcm-host hypercalls)
	assert_equal "$((after - before))" 1

	before=$after
	for _ in $(seq 5); do
		cat "$OLD_FILE" >/dev/null
	done
	after=$(host pcm-host hypercalls)
	assert_equal "$((after - before))" 5
}

@test "switch off on the host: the read fails with the -1000 result, and works again when on" {
	local first before after
	first=$(pcm_fields | head -n 1 | tr ' ' /)
	host pcm-host set "$first" 4242
	host pcm-host switch off
	assert_equal "$(host pcm-host switch)" N

	before=$(host pcm-host hypercalls)
	run cat "$OLD_FILE"
	after=$(host pcm-host hypercalls)
	assert_failure
	assert_output --partial "Unknown error 1000"
	refute_output --partial 4242
	# Still served in place, only with -KVM_ENOSYS.
	assert_equal "$((after - before))" 1
	run dmesg
	assert_output --partial "pcm_old_vmcall: hypercall 104 returned -1000"

	host pcm-host switch on
	run cat "$OLD_FILE"
	assert_success
	assert_line --index 0 4242
}

@test "rmmod removes the file, a reload reads again" {
	local last
	last=$(pcm_fields | tail -n 1 | tr ' ' /)
	if oopsed_since_load; then
		fail "a read oopsed: rmmod would hang on its debugfs file"
	fi
	pcm_rmmod pcm_old_vmcall
	[ ! -e "$OLD_FILE" ]
	pcm_insmod "$OLD_KO"
	host pcm-host set "$last" 9
	run cat "$OLD_FILE"
	assert_success
	assert_equal "${#lines[@]}" 36
	assert_line --index 35 9
}

@test "the guest kernel log has no oops, BUG or page fault since pcm_old_vmcall loaded" {
	run log_since_load
	assert_output --partial "$MARK"
	refute_output --regexp "$OOPS_RE"
}
