#!/usr/bin/env bats
# tools/pcmstat against the real pcm_guest, inside the test-bed guest on the
# patched host (`host CMD` runs CMD on that host).  The expected outputs are
# built from the ABI list (build/pcm-fields) and the values the host set.
# Only what needs the real module runs here: real values, one hypercall per
# run, switch off, module not loaded, root_only.  The option matrix, shells,
# the u64 range and usage errors run on fake trees outside the test bed
# (selftests/bats/pcmstat_fake.bats), where a fork costs a thousandth.
# stderr and stderr_lines are set by bats' run --separate-stderr:
# shellcheck disable=SC2154

load ../lib/pcm.bash
bats_require_minimum_version 1.5.0

PCMSTAT=$PCM_REPO/tools/pcmstat

setup_file() {
	pcm_stop_kvm_counting
}

teardown_file() {
	pcm_restart_kvm_counting
}

setup() {
	T=$BATS_TEST_TMPDIR
	host pcm-host switch on
}

teardown() {
	host pcm-host switch on
	if ! pcm_module_loaded pcm_guest; then
		pcm_insmod "$PCM_KO"
	fi
}


# The old tool's header of group $1.
header() {
	case "$1" in
	event) printf '        ****** display pcm event ******* \n' ;;
	*) printf '        ****** display pcm %s ******\n' "$1" ;;
	esac
}

# What the old tool prints for the groups $2..., from the "group/field
# value" lines in file $1.
expected_views() {
	local values=$1 want name value
	shift

	for want in "$@"; do
		header "$want"
		while read -r name value; do
			[ "${name%%/*}" = "$want" ] || continue
			printf '%23s : %s\n' "${name#*/}" "$value"
		done <"$values"
		printf '\n'
	done
}

all_groups() {
	pcm_fields | awk '!seen[$1]++ { print $1 }'
}

# Byte for byte: files $1 (expected) and $2 (actual); a diff on failure.
assert_same_bytes() {
	if ! cmp -s "$1" "$2"; then
		echo "bytes differ (cat -A; expected -, actual +):"
		diff -u <(cat -A "$1") <(cat -A "$2") || true
		return 1
	fi
}

@test "pcmstat -a and no option: the host's values, in the old tool's bytes" {
	pcm_set_distinct_values >"$T/values"
	mapfile -t groups < <(all_groups)
	expected_views "$T/values" "${groups[@]}" >"$T/expected"
	"$PCMSTAT" -a >"$T/actual"
	assert_same_bytes "$T/expected" "$T/actual"
	"$PCMSTAT" >"$T/actual"
	assert_same_bytes "$T/expected" "$T/actual"
}

@test "pcmstat -a equals what the per-counter files give" {
	local group field v
	pcm_set_distinct_values >/dev/null
	while read -r group field; do
		read -r v <"$PCM_SYSFS/$group/$field"
		echo "$group/$field $v"
	done < <(pcm_fields) >"$T/files"
	mapfile -t groups < <(all_groups)
	expected_views "$T/files" "${groups[@]}" >"$T/expected"
	"$PCMSTAT" -a >"$T/actual"
	assert_same_bytes "$T/expected" "$T/actual"
}

@test "pcmstat -j: valid JSON with the host's values, in ABI order" {
	pcm_set_distinct_values >"$T/values"
	"$PCMSTAT" -j >"$T/json"
	# One python3 (2.5 s to start in the nested guest): json.load is the
	# validation, with NaN and Infinity refused as JSON does.
	python3 - "$T/json" "$T/values" <<'EOF'
import json, sys
def not_json(name):
    sys.exit(f"not JSON: {name}")
doc = json.load(open(sys.argv[1]), object_pairs_hook=lambda p: p,
                parse_constant=not_json)
got = [f"{g}/{f} {v}" for g, counters in doc for f, v in counters
       if type(v) is int]
want = open(sys.argv[2]).read().splitlines()
assert got == want, (got, want)
EOF
}

# The file is also left in SHARE/prom for the test on the outer machine
# that scrapes it through node_exporter (selftests/bats/pcmstat_exporter.bats).
@test "pcmstat -p -o FILE: the host's values as counter families, pcm_up 1, pcm_info with hypercall 105" {
	local dir=$T/prom
	[ -z "${SHARE:-}" ] || dir=$SHARE/prom
	mkdir -p "$dir"
	pcm_set_distinct_values >"$dir/values"
	PCM_HELP_FILE=$PCM_REPO/build/pcm-help "$PCMSTAT" -p -o "$dir/pcm.prom"
	run grep -Fx 'pcm_up 1' "$dir/pcm.prom"
	assert_success
	run grep -Fx "pcm_info{hypercall=\"105\",counters=\"$(pcm_fields | wc -l)\"} 1" "$dir/pcm.prom"
	assert_success
	sed -n 's/^pcm_\([a-z]*\)_\([a-z0-9_]*\)_total \([0-9]*\)$/\1\/\2 \3/p' "$dir/pcm.prom" >"$T/samples"
	assert_same_bytes "$dir/values" "$T/samples"
	run grep -c '^# TYPE pcm_[a-z]*_[a-z0-9_]*_total counter$' "$dir/pcm.prom"
	assert_output "$(pcm_fields | wc -l)"
	assert_equal "$(ls "$dir")" "$(printf 'pcm.prom\nvalues')"
}

@test "one pcmstat is one hypercall, whatever the output format" {
	local before after opt
	for opt in -a -s -j -p; do
		before=$(host pcm-host hypercalls)
		"$PCMSTAT" "$opt" >/dev/null
		after=$(host pcm-host hypercalls)
		echo "pcmstat $opt"
		assert_equal "$((after - before))" 1
	done
}

@test "host switch off: exit 4, one line naming kvm.pcm_hypercall, on stdout only -p's pcm_up 0" {
	host pcm-host switch off
	for opt in -a -s -j; do
		run --separate-stderr "$PCMSTAT" "$opt"
		assert_equal "$status" 4
		assert_output ''
		assert_equal "${#stderr_lines[@]}" 1
		[[ "$stderr" == *kvm.pcm_hypercall* ]]
	done
	run --separate-stderr "$PCMSTAT" -p
	assert_equal "$status" 4
	assert_equal "${lines[2]}" 'pcm_up{reason="host_refused"} 0'
	assert_equal "${#lines[@]}" 3
	[[ "$stderr" == *kvm.pcm_hypercall* ]]
	run --separate-stderr dash "$PCMSTAT"
	assert_equal "$status" 4
	host pcm-host switch on
	run "$PCMSTAT" -r
	assert_success
}

@test "pcm_guest unloaded: exit 3, suggests modprobe pcm_guest; loaded again: works" {
	pcm_rmmod pcm_guest
	[ ! -e "$PCM_SYSFS" ]
	run --separate-stderr "$PCMSTAT"
	assert_equal "$status" 3
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == *"modprobe pcm_guest"* ]]
	# The same machine made to look like bare metal: exit 5.
	echo 'tsc hpet acpi_pm' >"$T/clocksource"
	printf 'flags\t\t: fpu tsc msr\n' >"$T/cpuinfo"
	PCM_CLOCKSOURCE_FILE=$T/clocksource PCM_CPUINFO_FILE=$T/cpuinfo \
		run --separate-stderr "$PCMSTAT"
	assert_equal "$status" 5
	[[ "$stderr" == *"not running under KVM"* ]]

	pcm_insmod "$PCM_KO"
	host pcm-host set replay/success 9
	run "$PCMSTAT" -r
	assert_success
	assert_line "$(printf '%23s : %s' success 9)"
}

@test "snapshot unreadable for this user (root_only=1): exit 6 with the error" {
	modinfo -F parm "$PCM_KO" | grep -q '^root_only:' ||
		skip "this pcm_guest has no root_only parameter"
	pcm_rmmod pcm_guest
	pcm_insmod "$PCM_KO" root_only=1
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$PCMSTAT"
	assert_equal "$status" 6
	assert_output ''
	assert_equal "$stderr" "pcmstat: cannot read $PCM_SYSFS/snapshot: Permission denied"
	run "$PCMSTAT" -s
	assert_success
	pcm_rmmod pcm_guest
	pcm_insmod "$PCM_KO"
}
