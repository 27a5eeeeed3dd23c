#!/usr/bin/env bats
# Runs inside the test-bed guest on a host with Debian's own, unpatched KVM
# (testbed/run --kvm stock): a host with no PCM at all.  pcm_guest loads
# there (the host may be a PCM host with the hypercalls switched off, which
# it cannot tell apart), says once that the host does not serve PCM
# hypercalls, and every read fails with EOPNOTSUPP.
# stderr and stderr_lines are set by bats' run --separate-stderr:
# shellcheck disable=SC2154

load ../lib/pcm.bash
bats_require_minimum_version 1.5.0

PCMSTAT=$PCM_REPO/tools/pcmstat
NOT_SERVED='pcm_guest: host does not serve PCM hypercalls (no PCM support, or kvm.pcm_hypercall=0): reads fail with EOPNOTSUPP until it does'

# pcm_guest's own lines in the kernel log, without the timestamps (and
# without the module loader's taint notes, which name it too).
module_log() {
	dmesg | sed -n '/taint/d; s/^\[[ 0-9.]*\] \(pcm_guest: \)/\1/p'
}

teardown() {
	if ! pcm_module_loaded pcm_guest; then
		pcm_insmod "$PCM_KO"
	fi
}


@test "the host runs Debian's stock KVM: no PCM parameter, no PCM debugfs files" {
	run host 'test -e /sys/module/kvm_amd || test -e /sys/module/kvm_intel'
	assert_success
	# shellcheck disable=SC2016 # $PCM_VM is the host's
	run host 'test ! -e /sys/module/kvm/parameters/pcm_hypercall && test ! -e "$PCM_VM/pcm"'
	assert_success
}

@test "pcm_guest loaded and said once, and only, that the host does not serve PCM" {
	pcm_module_loaded pcm_guest
	run module_log
	assert_output "$NOT_SERVED"
}

@test "every counter file and the snapshot fail with EOPNOTSUPP, printing nothing" {
	local files=() expected=() group field
	while read -r group field; do
		files+=("$PCM_SYSFS/$group/$field")
		expected+=("cat: $PCM_SYSFS/$group/$field: Operation not supported")
	done < <(pcm_fields)
	files+=("$PCM_SYSFS/snapshot")
	expected+=("cat: $PCM_SYSFS/snapshot: Operation not supported")
	run cat "${files[@]}"
	assert_failure 1
	assert_equal "${#lines[@]}" 37
	assert_output "$(printf '%s\n' "${expected[@]}")"
}

@test "reads that keep failing add nothing to the kernel log (a scraper must not fill it)" {
	local i before
	before=$(module_log)
	for i in {1..50}; do
		if read -r _ 2>/dev/null <"$PCM_SYSFS/replay/success"; then
			echo "read $i succeeded"
			return 1
		fi
	done
	run module_log
	assert_output "$before"
}

@test "the hypercall file reads 104, the layout reads try, and it is not an error" {
	run cat "$PCM_SYSFS/hypercall"
	assert_success
	assert_output 104
}

@test "pcmstat: exit 4, one line on stderr that names both causes, nothing on stdout" {
	for opt in -a -s -j -r; do
		run --separate-stderr "$PCMSTAT" "$opt"
		assert_equal "$status" 4
		assert_output ''
		assert_equal "$stderr" "pcmstat: the host refuses PCM hypercalls (EOPNOTSUPP): switched off (kvm.pcm_hypercall=0) or its KVM has no PCM support"
	done
}

@test "pcmstat -p -o FILE: exit 4, FILE holds only pcm_up 0 with reason host_refused" {
	local dir=$BATS_TEST_TMPDIR/prom prom=$BATS_TEST_TMPDIR/prom/pcm.prom
	mkdir "$dir"
	run --separate-stderr "$PCMSTAT" -p -o "$prom"
	assert_equal "$status" 4
	assert_output ''
	run cat "$prom"
	assert_output "$(printf '%s\n' \
		'# HELP pcm_up Whether pcmstat read the PCM counters: 1, or 0 with the reason.' \
		'# TYPE pcm_up gauge' \
		'pcm_up{reason="host_refused"} 0')"
	# No temporary file left beside it.
	run ls -A "$dir"
	assert_output pcm.prom
}

@test "unloaded and loaded again: the files go and come back, the same one line is logged" {
	pcm_rmmod pcm_guest
	[ ! -e "$PCM_SYSFS" ]
	dmesg -C
	pcm_insmod "$PCM_KO"
	run module_log
	assert_output "$NOT_SERVED"
	run cat "$PCM_SYSFS/replay/success"
	assert_failure 1
	assert_output "cat: $PCM_SYSFS/replay/success: Operation not supported"
}
