#!/usr/bin/env bats
# The newer ABI from the real guest, on the patched host: pcm_guest reads
# with hypercall 105 where the host has it and falls back to 104 where it
# does not (a host with kvm.pcm_sized_hypercall=0 answers like an older
# one), and KVM counts what the guest itself does.  pcm_old_vmcall.bats
# is the other direction: a guest of the ioctl era on this host.

load ../lib/pcm.bash

CPUID_LOOP=$PCM_REPO/build/guest/pcm_cpuid_loop

setup() {
	host pcm-host switch on
	host pcm-host sized on
	host pcm-host counting on
}

teardown() {
	host pcm-host sized on
	host pcm-host counting on
	if ! pcm_module_loaded pcm_guest; then
		pcm_insmod "$PCM_KO"
	fi
}

# What pcm_guest said about the host the last time it probed it.
last_probe_line() {
	dmesg | grep -E 'pcm_guest: host has hypercall' | tail -n 1 | sed 's/^\[[^]]*\] //'
}

reload_pcm_guest() {
	pcm_rmmod pcm_guest
	pcm_insmod "$PCM_KO"
}

# Reload pcm_guest; print every line it logged at load, without the time.
reload_lines() {
	local before
	before=$(dmesg | grep -c 'pcm_guest: ' || true)
	reload_pcm_guest
	dmesg | grep 'pcm_guest: ' | tail -n +$((before + 1)) | sed 's/^\[[^]]*\] //'
}

# Every file against the distinct values the host sets, with KVM's own
# counting stopped so that nothing moves in between.
assert_all_values() {
	local expected actual

	pcm_stop_kvm_counting
	expected=$(pcm_set_distinct_values)
	actual=$(pcm_read_sysfs)
	pcm_restart_kvm_counting
	assert_equal "$actual" "$expected"
}

@test "on this host pcm_guest reads with hypercall 105 (its hypercall file says so), all 36 counters" {
	reload_pcm_guest
	run last_probe_line
	assert_output "pcm_guest: host has hypercall 105: 36 counters"
	assert_equal "$(find "$PCM_SYSFS" -mindepth 2 -type f | wc -l)" 36
	read -r hc <"$PCM_SYSFS/hypercall"
	assert_equal "$hc" 105
	assert_all_values
}

@test "a host with only 104 (pcm_sized_hypercall=0): pcm_guest falls back, same 36 values" {
	host pcm-host sized off
	reload_pcm_guest
	run last_probe_line
	assert_output "pcm_guest: host has hypercall 104 only: 36 counters"
	assert_equal "$(find "$PCM_SYSFS" -mindepth 2 -type f | wc -l)" 36
	read -r hc <"$PCM_SYSFS/hypercall"
	assert_equal "$hc" 104
	assert_all_values
}

@test "switched off at load: says so in one line (not a count), files of every counter; switched on: 105 and the values" {
	host pcm-host switch off
	run reload_lines
	assert_output "pcm_guest: host has hypercall 105, switched off (kvm.pcm_hypercall=0): reads fail with EOPNOTSUPP until it is switched on"
	assert_equal "$(find "$PCM_SYSFS" -mindepth 2 -type f | wc -l)" 36
	read -r hc <"$PCM_SYSFS/hypercall"
	assert_equal "$hc" 105
	run cat "$PCM_SYSFS/snapshot"
	assert_failure
	assert_output --partial "Operation not supported"
	host pcm-host switch on
	before=$(dmesg | grep -c 'pcm_guest: ' || true)
	assert_all_values
	run bash -c "dmesg | grep 'pcm_guest: ' | tail -n +$((before + 1)) | sed 's/^\[[^]]*\] //'"
	assert_output "pcm_guest: host serves PCM hypercalls again"
	read -r hc <"$PCM_SYSFS/hypercall"
	assert_equal "$hc" 105
}

@test "neither call served at load: says so; served later (a move to a PCM host): 104 for good, all 36 values" {
	host pcm-host sized off
	host pcm-host switch off
	run reload_lines
	assert_output "pcm_guest: host does not serve PCM hypercalls (no PCM support, or kvm.pcm_hypercall=0): reads fail with EOPNOTSUPP until it does"
	assert_equal "$(find "$PCM_SYSFS" -mindepth 2 -type f | wc -l)" 36
	# The same host with 105 and the switch on, as after a migration.
	host pcm-host sized on
	host pcm-host switch on
	assert_all_values
	read -r hc <"$PCM_SYSFS/hypercall"
	assert_equal "$hc" 104
	run reload_lines
	assert_output "pcm_guest: host has hypercall 105: 36 counters"
}

@test "105 gone under a loaded pcm_guest: reads fall back to 104, logged once, hypercall says 104" {
	local first before
	reload_pcm_guest
	before=$(dmesg | grep -c 'no longer serves hypercall 105' || true)
	read -r hc <"$PCM_SYSFS/hypercall"
	assert_equal "$hc" 105
	host pcm-host sized off
	first=$(pcm_fields | head -n 1 | tr ' ' /)
	host pcm-host set "$first" 4242
	run cat "$PCM_SYSFS/$first"
	assert_success
	assert_output 4242
	run cat "$PCM_SYSFS/$first"
	assert_output 4242
	assert_equal "$(dmesg | grep -c 'no longer serves hypercall 105')" $((before + 1))
	read -r hc <"$PCM_SYSFS/hypercall"
	assert_equal "$hc" 104
}

@test "one read is one hypercall, with 105 and with 104" {
	local before first
	first=$(pcm_fields | head -n 1 | tr ' ' /)
	for mode in on off; do
		host pcm-host sized "$mode"
		reload_pcm_guest
		before=$(host pcm-host hypercalls)
		read -r _ <"$PCM_SYSFS/$first"
		read -r _ <"$PCM_SYSFS/snapshot"
		# The hypercall file only says which: no hypercall.
		read -r _ <"$PCM_SYSFS/hypercall"
		assert_equal "$(host pcm-host hypercalls)" $((before + 2))
	done
}

# pcm_cpuid_loop 0 measures what the C library's start-up executes, so the
# difference is exactly the loop's.  The counter is read with bash's own
# read: an exec'd cat would run CPUIDs of its own.
@test "KVM counts the guest's CPUIDs: 5000 more CPUIDs, exactly 5000 more" {
	local file before middle after
	file=$PCM_SYSFS/event/log_ins_cpuid_rd
	read -r before <"$file"
	"$CPUID_LOOP" 0
	read -r middle <"$file"
	"$CPUID_LOOP" 5000
	read -r after <"$file"
	assert_equal $(((after - middle) - (middle - before))) 5000
}

@test "pcm_count_events=0: the guest's CPUIDs no longer count" {
	local file before after
	file=$PCM_SYSFS/event/log_ins_cpuid_rd
	host pcm-host counting off
	read -r before <"$file"
	"$CPUID_LOOP" 5000
	read -r after <"$file"
	assert_equal "$after" "$before"
}
