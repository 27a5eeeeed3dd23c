#!/usr/bin/env bats
# /sys/kernel/pcm/snapshot and the module's robustness, inside the real
# test-bed guest on the patched host (`host CMD` runs CMD on that host).

load ../lib/pcm.bash

setup_file() {
	pcm_stop_kvm_counting
}

teardown_file() {
	pcm_restart_kvm_counting
}

setup() {
	host pcm-host switch on
}

teardown() {
	host pcm-host switch on
	if ! pcm_module_loaded pcm_guest; then
		pcm_insmod "$PCM_KO"
	fi
}


@test "snapshot: every counter, in ABI order, from exactly one hypercall" {
	local expected before after
	expected=$(pcm_set_distinct_values)
	before=$(host pcm-host hypercalls)
	actual=$(cat "$PCM_SYSFS/snapshot")
	after=$(host pcm-host hypercalls)
	assert_equal "$actual" "$expected"
	assert_equal "$((after - before))" 1
}

@test "snapshot agrees with the per-counter files" {
	pcm_set_distinct_values >/dev/null
	files=$(while read -r group field; do
		read -r v <"$PCM_SYSFS/$group/$field"
		echo "$group/$field $v"
	done < <(pcm_fields))
	assert_equal "$(cat "$PCM_SYSFS/snapshot")" "$files"
}

@test "snapshot: switch off gives EOPNOTSUPP, like the other files" {
	host pcm-host switch off
	run cat "$PCM_SYSFS/snapshot"
	assert_failure
	assert_output --partial "Operation not supported"
}

@test "short reads and reads at an offset return the right bytes" {
	local expected
	expected=$(pcm_set_distinct_values)
	run dd if="$PCM_SYSFS/snapshot" bs=1 count=7 status=none
	assert_output "${expected:0:7}"
	run dd if="$PCM_SYSFS/snapshot" bs=1 skip=100 count=20 status=none
	assert_output "${expected:100:20}"
	# One 5-byte read at offset 2 of a counter file.
	run dd if="$PCM_SYSFS/replay/success" bs=5 count=1 skip=2 iflag=skip_bytes status=none
	value=$(awk '$1 == "replay/success" { print $2 }' <<<"$expected")
	assert_output "${value:2:5}"
}

@test "writes as root are refused on every file, including snapshot, and change nothing" {
	local expected
	expected=$(pcm_set_distinct_values)
	for f in snapshot $(pcm_fields | tr ' ' / | head -n 3); do
		run bash -c "echo 1 >$PCM_SYSFS/$f"
		assert_failure
		assert_output --partial "Permission denied"
	done
	assert_equal "$(cat "$PCM_SYSFS/snapshot")" "$expected"
	assert_equal "$(host pcm-host show | tr -s ' ')" "$expected"
}

@test "root_only=1: every file is 0400 and other users cannot read" {
	pcm_rmmod pcm_guest
	pcm_insmod "$PCM_KO" root_only=1
	run bash -c "cd $PCM_SYSFS && stat -c '%a' snapshot */* | sort -u"
	assert_output 400
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$PCM_SYSFS/replay/success"
	assert_failure
	assert_output --partial "Permission denied"
	run cat "$PCM_SYSFS/replay/success"
	assert_success
	pcm_rmmod pcm_guest
	pcm_insmod "$PCM_KO"
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$PCM_SYSFS/replay/success"
	assert_success
}

# A reader: $1 rounds over every file, failing on any error or on a counter
# that went backwards (the host raises replay/success meanwhile).
reader() {
	local rounds=$1 group field v prev=0

	for _ in $(seq "$rounds"); do
		while read -r group field; do
			read -r v <"$PCM_SYSFS/$group/$field" || return 1
		done < <(pcm_fields)
		read -r v <"$PCM_SYSFS/replay/success" || return 1
		[ "$v" -ge "$prev" ] || { echo "replay/success went from $prev to $v"; return 1; }
		prev=$v
	done
}

# The guest has one vCPU, so the readers interleave by preemption.  A
# read is a VM exit of about 4 ms in the nested emulated guest: 592 reads
# in all keep the four overlapping while the host sets the counter 9
# times (about 70 ms each).
@test "4 concurrent readers x 148 reads: no error, no counter going backwards" {
	local pids=() rc=0
	host pcm-host set replay/success 1
	# 148 reads each: 4 rounds of 37 files.
	for _ in 1 2 3 4; do
		reader 4 &
		pids+=($!)
	done
	for v in 2 3 4 5 6 7 8 9 10; do
		host pcm-host set replay/success "$v"
	done
	for p in "${pids[@]}"; do
		wait "$p" || rc=1
	done
	assert_equal "$rc" 0
}

@test "unloading while readers run neither crashes nor hangs" {
	for _ in 1 2 3 4; do
		(while cat "$PCM_SYSFS/snapshot" >/dev/null 2>&1 || [ -e "$PCM_SYSFS" ]; do :; done) &
	done
	sleep 1
	timeout 30 busybox rmmod pcm_guest
	wait
	[ ! -e "$PCM_SYSFS" ]
	pcm_insmod "$PCM_KO"
	run cat "$PCM_SYSFS/replay/success"
	assert_success
	run bash -c "dmesg | sed -n '/pcm_guest:/,\$p'"
	refute_output --regexp 'BUG:|WARNING:|Oops|general protection|Call Trace'
}
