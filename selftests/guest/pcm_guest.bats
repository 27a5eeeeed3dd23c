#!/usr/bin/env bats
# Runs inside the test-bed guest, with pcm_guest.ko loaded, on a host with
# the patched KVM.  `host CMD` runs CMD on that host (testbed/bin/host).

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
}


@test "exactly the 36 ABI files exist, in three group directories" {
	run pcm_fields
	assert_equal "${#lines[@]}" 36
	expected=$(pcm_fields | awk '{ print $1 "/" $2 }' | sort)
	actual=$(cd "$PCM_SYSFS" && find . -mindepth 2 -type f | sed 's|^\./||' | sort)
	assert_equal "$actual" "$expected"
	run find "$PCM_SYSFS" -mindepth 1 -maxdepth 1 -type d -printf '%f '
	assert_equal "$(echo "$output" | tr ' ' '\n' | sort | tr '\n' ' ')" " event replay sample "
}

@test "every file is read-only (0444) and owned by root" {
	expected=$(pcm_fields | awk '{ print "444 root " $1 "/" $2 }')
	mapfile -t files < <(pcm_fields | tr ' ' /)
	cd "$PCM_SYSFS"
	run stat -c '%a %U %n' "${files[@]}"
	assert_success
	assert_output "$expected"
}

@test "every file reads the distinct value the host set, as a decimal u64" {
	local expected actual
	expected=$(pcm_set_distinct_values)
	actual=$(pcm_read_sysfs)
	assert_equal "$actual" "$expected"
}

@test "the full u64 range survives: 0 and 2^64-1" {
	local first last
	first=$(pcm_fields | head -n 1 | tr ' ' /)
	last=$(pcm_fields | tail -n 1 | tr ' ' /)
	host pcm-host set "$first" 0 "$last" 18446744073709551615
	run cat "$PCM_SYSFS/$first"
	assert_output 0
	run cat "$PCM_SYSFS/$last"
	assert_output 18446744073709551615
	# What cat printed is the value and one newline, nothing more.
	assert_equal "$(wc -c <"$PCM_SYSFS/$last")" 21
}

@test "each read is exactly one hypercall, counted on the host" {
	local before after group field
	before=$(host pcm-host hypercalls)
	for _ in $(seq 10); do
		read -r _ <"$PCM_SYSFS/replay/success"
	done
	after=$(host pcm-host hypercalls)
	assert_equal "$((after - before))" 10

	before=$after
	while read -r group field; do
		read -r _ <"$PCM_SYSFS/$group/$field"
	done < <(pcm_fields)
	after=$(host pcm-host hypercalls)
	assert_equal "$((after - before))" 36
}

@test "switch off on the host: reads fail with EOPNOTSUPP, logged once, and work again when on" {
	local first off_before on_before
	first=$(pcm_fields | head -n 1 | tr ' ' /)
	host pcm-host set "$first" 4242
	read -r _ <"$PCM_SYSFS/$first"
	host pcm-host switch off
	assert_equal "$(host pcm-host switch)" N
	# After a read that worked, so the module has seen the host on.
	off_before=$(dmesg | grep -c 'host does not serve PCM hypercalls now' || true)
	on_before=$(dmesg | grep -c 'host serves PCM hypercalls again' || true)
	run cat "$PCM_SYSFS/$first"
	assert_failure
	assert_output --partial "Operation not supported"
	# A normal state: logged once, not on every read.
	for _ in 1 2 3 4 5; do
		! read -r _ <"$PCM_SYSFS/$first"
	done
	assert_equal "$(dmesg | grep -c 'host does not serve PCM hypercalls now')" $((off_before + 1))
	run dmesg
	assert_output --partial "kvm.pcm_hypercall=0"

	host pcm-host switch on
	run cat "$PCM_SYSFS/$first"
	assert_success
	assert_output 4242
	read -r _ <"$PCM_SYSFS/$first"
	assert_equal "$(dmesg | grep -c 'host serves PCM hypercalls again')" $((on_before + 1))
}

@test "writes are refused, even for root, and change nothing" {
	local first
	first=$(pcm_fields | head -n 1 | tr ' ' /)
	host pcm-host set "$first" 777
	run bash -c "echo 5 > $PCM_SYSFS/$first"
	assert_failure
	assert_output --partial "Permission denied"
	run cat "$PCM_SYSFS/$first"
	assert_output 777
	assert_equal "$(host pcm-host get "$first")" 777
}

@test "unload removes the tree, reload brings it back" {
	pcm_rmmod pcm_guest
	[ ! -e "$PCM_SYSFS" ]
	pcm_insmod "$PCM_KO"
	[ -d "$PCM_SYSFS/replay" ]
	host pcm-host set replay/success 9
	run cat "$PCM_SYSFS/replay/success"
	assert_output 9
}

# The host's side, through the tools that read KVM statistics: the
# VMM's query-stats (QMP, what libvirt and monitoring agents use) and
# kvm_stat.  KVM's own counting is off for this file, so nothing moves.
@test "the VMM's query-stats: each counter once; the engine's are what the guest reads, KVM's what KVM counted" {
	local expected name value scope cmd='' kvm_lines=()
	expected=$(pcm_set_distinct_values)
	assert_equal "$(cat "$PCM_SYSFS/snapshot")" "$expected"
	run host pcm-qmp --pcm
	assert_success
	assert_equal "${#lines[@]}" "$(pcm_fields | wc -l)"
	for line in "${lines[@]}"; do
		read -r name value scope <<<"$line"
		if [ "$scope" = vm ]; then
			assert_equal "$name $value" "$(grep "^$name " <<<"$expected")"
		else
			assert_equal "$scope" vcpu
			kvm_lines+=("$name $value")
			# shellcheck disable=SC2016 # $PCM_VM is the host's
			cmd+="echo $name \$(cat \"\$PCM_VM/pcm_${name%/*}_${name#*/}\"); "
		fi
	done
	# A set leaves KVM's counts: KVM's own debugfs files agree with QMP.
	run host "$cmd"
	assert_success
	assert_output "$(printf '%s\n' "${kvm_lines[@]}")"
}

# kvm_stat shows what moved while it sampled: the guest keeps reading
# meanwhile, so pcm_hypercalls must have moved.  A read every 10 ms (a
# timed read on a pipe that never delivers, no process): a reader that
# never idles keeps the host's one vCPU, which kvm_stat needs.
@test "kvm_stat -1 on the host lists every PCM counter, and sees the guest's reads" {
	local group field reader nap
	exec {nap}<> <(:)
	(while :; do
		read -r _ <"$PCM_SYSFS/replay/success"
		read -r -t 0.01 -u "$nap" _ || true
	done) &
	reader=$!
	run host python3 "$PCM_REPO/build/linux/tools/kvm/kvm_stat/kvm_stat" -d -1
	kill "$reader"
	assert_success
	while read -r group field; do
		assert_line --regexp "^pcm_${group}_$field +[0-9]+ "
	done < <(pcm_fields)
	assert_line --regexp "^pcm_hypercalls +[1-9][0-9]* "
}

@test "the guest kernel log has no oops, BUG or WARN since pcm_guest loaded" {
	# From the module's first line on: the nested CPU model makes the
	# guest kernel warn about XSAVE at boot, before pcm_guest exists.
	run bash -c "dmesg | sed -n '/pcm_guest:/,\$p'"
	assert_output --partial "pcm_guest:"
	refute_output --regexp 'BUG:|WARNING:|Oops|general protection|Call Trace'
}
