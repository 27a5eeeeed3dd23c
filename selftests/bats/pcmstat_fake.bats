#!/usr/bin/env bats
# tools/pcmstat on this machine, no VM: against fake /sys/kernel/pcm trees
# in a temporary directory (PCM_SYSFS), and a fake machine for the KVM
# detection (PCM_CLOCKSOURCE_FILE, PCM_CPUINFO_FILE, PCM_DMI_DIR).  Every
# expected output is built from the ABI list (build/pcm-fields); the old
# tool's record (PCM_OLD_TOOL_OUTPUT) gives the golden bytes.  What a fake
# cannot do (EOPNOTSUPP from the host) is tested in the real guest,
# selftests/guest/pcmstat.bats.
# stderr and stderr_lines are set by bats' run --separate-stderr:
# shellcheck disable=SC2154

load ../lib/pcm.bash
bats_require_minimum_version 1.5.0

# PCMSTAT: the pcmstat under test (an installed one, say).
PCMSTAT=${PCMSTAT:-$PCM_REPO/tools/pcmstat}
PCM_OLD_TOOL_OUTPUT=${PCM_OLD_TOOL_OUTPUT:-$PCM_REPO/selftests/data/old-tool-output.md}

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/pcm" "$T/machine/dmi"
	export PCM_SYSFS=$T/pcm
	# A KVM guest, unless a test says otherwise.
	echo 'kvm-clock tsc hpet acpi_pm ' >"$T/machine/clocksource"
	printf 'processor\t: 0\nflags\t\t: fpu tsc hypervisor\n' >"$T/machine/cpuinfo"
	echo QEMU >"$T/machine/dmi/sys_vendor"
	export PCM_CLOCKSOURCE_FILE=$T/machine/clocksource
	export PCM_CPUINFO_FILE=$T/machine/cpuinfo
	export PCM_DMI_DIR=$T/machine/dmi
	write_snapshot
}

# The fake snapshot: every counter of the list with its distinct value, or
# with the value $1 for every counter.
write_snapshot() {
	local i=0 group field

	while read -r group field; do
		echo "$group/$field ${1:-$(pcm_distinct_value "$i")}"
		i=$((i + 1))
	done < <(pcm_fields) >"$PCM_SYSFS/snapshot"
}

# The old tool's header of group $1.
header() {
	case "$1" in
	event) printf '        ****** display pcm event ******* \n' ;;
	*) printf '        ****** display pcm %s ******\n' "$1" ;;
	esac
}

# The groups of the list, in ABI order.
groups() {
	pcm_fields | awk '!seen[$1]++ { print $1 }'
}

# What the old tool prints for the groups $@, values from the snapshot.
expected_views() {
	local want group name value

	for want in "$@"; do
		header "$want"
		while read -r name value; do
			group=${name%%/*}
			[ "$group" = "$want" ] || continue
			printf '%23s : %s\n' "${name#*/}" "$value"
		done <"$PCM_SYSFS/snapshot"
		printf '\n'
	done
}

# Byte for byte: files $1 (expected) and $2 (actual); a diff on failure.
assert_same_bytes() {
	if ! cmp -s "$1" "$2"; then
		echo "bytes differ (cat -A; expected -, actual +):"
		diff -u <(cat -A "$1") <(cat -A "$2") || true
		return 1
	fi
}

# Fenced block number $1 (1-based) of the old tool's record.
reference_block() {
	awk -v n="$1" '/^```/ { k++; next } k == 2 * n - 1' "$PCM_OLD_TOOL_OUTPUT"
}

need_reference() {
	# A copy of the record is in the repository: a missing one is a failure.
	[ -r "$PCM_OLD_TOOL_OUTPUT" ]
}

@test "the ABI list has 36 counters in the groups sample, replay, event" {
	run pcm_fields
	assert_equal "${#lines[@]}" 36
	assert_equal "$(groups | tr '\n' ' ')" "sample replay event "
}

@test "-a and no option: the old tool's output, byte for byte, built from the ABI list" {
	mapfile -t all < <(groups)
	expected_views "${all[@]}" >"$T/expected"
	"$PCMSTAT" -a >"$T/actual"
	assert_same_bytes "$T/expected" "$T/actual"
	"$PCMSTAT" >"$T/actual"
	assert_same_bytes "$T/expected" "$T/actual"
	# Sanity of the expectation itself: 3 headers, 36 counters, 3 empty lines.
	assert_equal "$(wc -l <"$T/expected")" 42
}

@test "-s, -r, -e: one view each, header, counters, one empty line" {
	local opt group
	for opt in s r e; do
		case $opt in
		s) group=sample ;;
		r) group=replay ;;
		e) group=event ;;
		esac
		expected_views "$group" >"$T/expected"
		"$PCMSTAT" "-$opt" >"$T/actual"
		assert_same_bytes "$T/expected" "$T/actual"
	done
}

@test "-s -e, -e -s, -se: both views in ABI order; -a with -s shows all" {
	expected_views sample event >"$T/expected"
	for opts in "-s -e" "-e -s" "-se" "-es"; do
		# shellcheck disable=SC2086
		"$PCMSTAT" $opts >"$T/actual"
		assert_same_bytes "$T/expected" "$T/actual"
	done
	mapfile -t all < <(groups)
	expected_views "${all[@]}" >"$T/expected"
	"$PCMSTAT" -s -a >"$T/actual"
	assert_same_bytes "$T/expected" "$T/actual"
}

@test "golden: the headers are the bytes of the old tool's record, trailing space included" {
	need_reference
	reference_block 1 >"$T/expected"
	for opt in s r e; do
		"$PCMSTAT" "-$opt" | head -n 1
	done >"$T/actual"
	assert_same_bytes "$T/expected" "$T/actual"
	# The event header's last byte before the newline is a space.
	run tail -c 2 "$T/actual"
	assert_output ' '
}

@test "golden: pcmstat -a on the values of the record's gpi -a block prints that block" {
	need_reference
	reference_block 2 >"$T/block"
	# Its counters are exactly the ABI list, in order.
	assert_equal "$(awk 'NF == 3 && $2 == ":" { print $1 }' "$T/block")" \
		"$(pcm_fields | awk '{ print $2 }')"
	# Its values, as the module's snapshot would give them.
	awk '/display pcm/ { g = $4; next }
	     NF == 3 && $2 == ":" { print g "/" $1 " " $3 }' "$T/block" >"$PCM_SYSFS/snapshot"
	assert_equal "$(wc -l <"$PCM_SYSFS/snapshot")" 36
	"$PCMSTAT" -a >"$T/actual"
	# The record's block is Markdown: it lost the two things that end in
	# whitespace, which the record states in words: the event header's
	# trailing space (the record's header block has it) and the empty line
	# after the last view ("each followed by one empty line").  Put them
	# back from the record itself, then compare every byte.
	reference_block 1 >"$T/headers"
	awk 'NR == FNR { t = $0; sub(/ +$/, "", t); full[t] = $0; next }
	     ($0 in full) { $0 = full[$0] } { print } END { print "" }' \
		"$T/headers" "$T/block" >"$T/expected"
	assert_equal "$(grep -c 'display pcm' "$T/expected")" 3
	assert_same_bytes "$T/expected" "$T/actual"
	# And without that repair: equal once trailing blanks are dropped.
	sed 's/ *$//' "$T/actual" | sed '$ { /^$/d }' >"$T/stripped"
	assert_same_bytes "$T/block" "$T/stripped"
}

@test "the full u64 range: 0 and 2^64-1 pass through unchanged" {
	write_snapshot 18446744073709551615
	sed -i '1s/ .*/ 0/' "$PCM_SYSFS/snapshot"
	mapfile -t all < <(groups)
	expected_views "${all[@]}" >"$T/expected"
	"$PCMSTAT" >"$T/actual"
	assert_same_bytes "$T/expected" "$T/actual"
	"$PCMSTAT" -j | python3 -c '
import json, sys
d = json.load(sys.stdin)
values = [v for g in d.values() for v in g.values()]
assert values[0] == 0 and values[1:] == [2**64 - 1] * 35, values
'
}

@test "dash, busybox sh, bash and /bin/sh print the same bytes for every option" {
	local shells=(dash "busybox sh" bash) opt sh
	for sh in "${shells[@]}"; do
		command -v "${sh%% *}" >/dev/null || skip "no ${sh%% *}"
	done
	for opt in "" -a -s -r -e -j -p "-r -j" "-e -p" -x; do
		# shellcheck disable=SC2086
		"$PCMSTAT" $opt >"$T/expected" 2>"$T/expected.err" || echo "exit $?" >>"$T/expected"
		for sh in "${shells[@]}"; do
			# shellcheck disable=SC2086
			$sh "$PCMSTAT" $opt >"$T/actual" 2>"$T/actual.err" || echo "exit $?" >>"$T/actual"
			echo "$sh pcmstat $opt"
			assert_same_bytes "$T/expected" "$T/actual"
			assert_same_bytes "$T/expected.err" "$T/actual.err"
		done
	done
}

@test "-j: valid JSON, groups and counters in ABI order, every value an integer" {
	"$PCMSTAT" -j >"$T/json"
	python3 -m json.tool "$T/json" >/dev/null
	python3 - "$T/json" "$PCM_SYSFS/snapshot" <<'EOF'
import json, sys
pairs = lambda p: p  # keep order and duplicates
doc = json.load(open(sys.argv[1]), object_pairs_hook=pairs)
got = [f"{g}/{f} {v}" for g, counters in doc for f, v in counters
       if type(v) is int]
want = open(sys.argv[2]).read().splitlines()
assert got == want, (got, want)
EOF
	# One line, like Python's json.dumps.
	assert_equal "$(wc -l <"$T/json")" 1
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); assert open(sys.argv[1]).read() == json.dumps(d) + "\n"' "$T/json"
}

@test "-j with -r: only the replay group" {
	run --separate-stderr "$PCMSTAT" -j -r
	assert_success
	run python3 -c 'import json, sys; print(" ".join(json.loads(sys.argv[1])))' "$output"
	assert_output replay
}

# The text exposition format, checked line by line: pcm_up 1, pcm_info,
# then a HELP, TYPE counter and one sample per counter family; prints the
# samples as "group/field value" and writes the HELP texts as
# "group/field text" to file $2.
check_prometheus() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
assert text.endswith("\n"), "last line must end with a newline"
lines = text.splitlines()
head = [
    "# HELP pcm_up Whether pcmstat read the PCM counters: 1, or 0 with the reason.",
    "# TYPE pcm_up gauge",
    "pcm_up 1",
]
assert lines[:3] == head, lines[:3]
assert lines[3].startswith("# HELP pcm_info "), lines[3]
assert lines[4] == "# TYPE pcm_info gauge", lines[4]
assert re.fullmatch(r'pcm_info\{hypercall="(104|105|)",counters="[0-9]+"\} 1', lines[5]), lines[5]
rest = lines[6:]
assert len(rest) % 3 == 0, len(rest)
helps = open(sys.argv[2], "w")
seen = set()
for i in range(0, len(rest), 3):
    h, t, v = rest[i:i + 3]
    m = re.fullmatch(r"# HELP pcm_([a-z]+)_([a-z0-9_]+)_total (\S.*)", h)
    assert m, h
    metric = f"pcm_{m[1]}_{m[2]}_total"
    assert metric not in seen, metric
    seen.add(metric)
    assert t == f"# TYPE {metric} counter", t
    sm = re.fullmatch(re.escape(metric) + r" (0|[1-9][0-9]*)", v)
    assert sm, v
    print(f"{m[1]}/{m[2]} {sm[1]}")
    print(f"{m[1]}/{m[2]} {m[3]}", file=helps)
EOF
}

@test "-p: pcm_up, pcm_info, one counter family per counter with the values and the documented HELP" {
	PCM_HELP_FILE=$PCM_REPO/build/pcm-help "$PCMSTAT" -p >"$T/prom"
	check_prometheus "$T/prom" "$T/help" >"$T/samples"
	assert_equal "$(wc -l <"$T/samples")" 36
	assert_same_bytes "$PCM_SYSFS/snapshot" "$T/samples"
	# HELP is the counter's description in the sysfs ABI document.
	"$PCM_REPO/scripts/pcm-help" >"$T/help.expected"
	assert_same_bytes "$T/help.expected" "$T/help"
	# A pcm_guest without the hypercall file: the label is empty.
	run grep -Fx 'pcm_info{hypercall="",counters="36"} 1' "$T/prom"
	assert_success
	# Restricted to one group; pcm_info still counts every counter.
	echo 104 >"$PCM_SYSFS/hypercall"
	PCM_HELP_FILE=$PCM_REPO/build/pcm-help "$PCMSTAT" -p -e >"$T/prom"
	check_prometheus "$T/prom" "$T/help" >"$T/samples"
	assert_equal "$(cat "$T/samples")" "$(grep '^event/' "$PCM_SYSFS/snapshot")"
	run grep -Fx 'pcm_info{hypercall="104",counters="36"} 1' "$T/prom"
	assert_success
	# Without the help file: a HELP line all the same.
	PCM_HELP_FILE=$T/none "$PCMSTAT" -p -r >"$T/prom"
	run grep -Fx '# HELP pcm_replay_success_total PCM counter replay/success of this virtual machine.' "$T/prom"
	assert_success
}

@test "-p: promtool check metrics accepts it, and the failure output too" {
	command -v promtool || fail "no promtool (package prometheus): scripts/install-deps installs it"
	PCM_HELP_FILE=$PCM_REPO/build/pcm-help "$PCMSTAT" -p >"$T/prom"
	run promtool check metrics <"$T/prom"
	assert_success
	assert_output ''
	echo 'replay/success x' >"$PCM_SYSFS/snapshot"
	run --separate-stderr "$PCMSTAT" -p
	assert_equal "$status" 6
	printf '%s\n' "$output" >"$T/prom"
	run grep -Fx 'pcm_up{reason="read_error"} 0' "$T/prom"
	assert_success
	run promtool check metrics <"$T/prom"
	assert_success
	assert_output ''
}

@test "-p on a failed read: pcm_up 0 with the reason and nothing else on stdout, the error on stderr" {
	rm -r "$PCM_SYSFS"
	run --separate-stderr "$PCMSTAT" -p
	assert_equal "$status" 3
	assert_equal "$output" "$(printf '%s\n' \
		'# HELP pcm_up Whether pcmstat read the PCM counters: 1, or 0 with the reason.' \
		'# TYPE pcm_up gauge' 'pcm_up{reason="module_not_loaded"} 0')"
	assert_equal "${#stderr_lines[@]}" 1
	printf 'flags\t\t: fpu tsc\n' >"$PCM_CPUINFO_FILE"
	: >"$PCM_CLOCKSOURCE_FILE"
	run --separate-stderr "$PCMSTAT" -p
	assert_equal "$status" 5
	assert_line 'pcm_up{reason="not_kvm"} 0'
}

@test "-o FILE: written to a temporary file and renamed, so a reader never sees half a file" {
	mkdir "$T/prom.d"
	echo old >"$T/prom.d/pcm.prom"
	# A reader that opened the old file keeps reading the old file.
	exec 5<"$T/prom.d/pcm.prom"
	run --separate-stderr "$PCMSTAT" -p -o "$T/prom.d/pcm.prom"
	assert_success
	assert_output ''
	read -r old <&5
	exec 5<&-
	assert_equal "$old" old
	"$PCMSTAT" -p >"$T/stdout.prom"
	assert_same_bytes "$T/stdout.prom" "$T/prom.d/pcm.prom"
	# Nothing else left in the directory.
	assert_equal "$(ls "$T/prom.d")" pcm.prom
	# Every format can go to a file.
	"$PCMSTAT" -a -o "$T/prom.d/pcm.txt"
	"$PCMSTAT" -a >"$T/stdout.txt"
	assert_same_bytes "$T/stdout.txt" "$T/prom.d/pcm.txt"
}

@test "-o FILE on a failed read: -p replaces FILE with pcm_up 0; -a leaves FILE as it was" {
	mkdir "$T/prom.d"
	"$PCMSTAT" -p -o "$T/prom.d/pcm.prom"
	cp "$T/prom.d/pcm.prom" "$T/good.prom"
	echo 'replay/success x' >"$PCM_SYSFS/snapshot"
	run "$PCMSTAT" -a -o "$T/prom.d/pcm.prom"
	assert_equal "$status" 6
	assert_same_bytes "$T/good.prom" "$T/prom.d/pcm.prom"
	run "$PCMSTAT" -p -o "$T/prom.d/pcm.prom"
	assert_equal "$status" 6
	run grep -c . "$T/prom.d/pcm.prom"
	assert_output 3
	run grep -Fx 'pcm_up{reason="read_error"} 0' "$T/prom.d/pcm.prom"
	assert_success
	assert_equal "$(ls "$T/prom.d")" pcm.prom
}

@test "-o FILE that cannot be written: exit 7, one line, nothing created" {
	run --separate-stderr "$PCMSTAT" -p -o "$T/no-such-dir/pcm.prom"
	assert_equal "$status" 7
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == "pcmstat: cannot create $T/no-such-dir/.pcm.prom."* ]]
	[ ! -e "$T/no-such-dir" ]
}

@test "-h and -v: text on stdout, nothing on stderr, exit 0" {
	run --separate-stderr "$PCMSTAT" -h
	assert_success
	assert_equal "$stderr" ''
	[[ "$output" == *"usage: pcmstat"* ]]
	# The exit codes are in the usage text.
	for code in "2 usage" "3 pcm_guest not loaded" "4 host refuses" "5 not running under KVM" "6 any other" "7 the output (FILE) cannot"; do
		[[ "$(tr '\n' ' ' <<<"$output")" == *"$code"* ]] || { echo "missing: $code"; false; }
	done
	run --separate-stderr "$PCMSTAT" -v
	assert_success
	assert_equal "$stderr" ''
	assert_equal "$output" "pcmstat 1.0"
}

@test "the environment cannot change an option: all=1 with -r is still only replay" {
	all=1 sel=' sample' fmt=j out_file=$T/x run --separate-stderr "$PCMSTAT" -r
	assert_success
	assert_equal "$(grep -c 'display pcm' <<<"$output")" 1
	assert_line --index 0 '        ****** display pcm replay ******'
	[ ! -e "$T/x" ]
}

@test "usage errors: exit 2, one line on stderr, nothing on stdout" {
	for args in -x "-a -q" "-j -p" "-pj" "-a extra" "-p -o"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$PCMSTAT" $args
		echo "pcmstat $args"
		assert_equal "$status" 2
		assert_output ''
		assert_equal "${#stderr_lines[@]}" 1
	done
	run --separate-stderr "$PCMSTAT" -x
	assert_equal "$stderr" "pcmstat: unknown option -x (see pcmstat -h)"
}

@test "no tree on a KVM guest: exit 3, suggests modprobe pcm_guest" {
	rm -r "$PCM_SYSFS"
	run --separate-stderr "$PCMSTAT" -a
	assert_equal "$status" 3
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == *"modprobe pcm_guest"* ]]
	# kvm-clock alone decides, whatever cpuinfo says.
	: >"$PCM_CPUINFO_FILE"
	run --separate-stderr "$PCMSTAT" -j
	assert_equal "$status" 3
}

@test "no tree, machine not a KVM guest: exit 5 (bare metal, or another hypervisor)" {
	rm -r "$PCM_SYSFS"
	echo 'tsc hpet acpi_pm ' >"$PCM_CLOCKSOURCE_FILE"
	# Bare metal: no hypervisor flag.
	printf 'processor\t: 0\nflags\t\t: fpu tsc msr\n' >"$PCM_CPUINFO_FILE"
	run --separate-stderr "$PCMSTAT"
	assert_equal "$status" 5
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == *"not running under KVM"* ]]
	# A hypervisor that DMI names as VMware.
	printf 'processor\t: 0\nflags\t\t: fpu tsc hypervisor msr\n' >"$PCM_CPUINFO_FILE"
	echo 'VMware, Inc.' >"$PCM_DMI_DIR/sys_vendor"
	run --separate-stderr "$PCMSTAT" -p
	assert_equal "$status" 5
}

@test "no tree, KVM detection inconclusive: exit 3, never 5 without evidence" {
	rm -r "$PCM_SYSFS"
	# A hypervisor, no kvm-clock (KVM booted with no-kvmclock), DMI QEMU.
	echo 'tsc hpet acpi_pm ' >"$PCM_CLOCKSOURCE_FILE"
	run --separate-stderr "$PCMSTAT"
	assert_equal "$status" 3
	# No cpuinfo to look at.
	export PCM_CPUINFO_FILE=$T/none
	run --separate-stderr "$PCMSTAT"
	assert_equal "$status" 3
	# Nothing readable at all.
	export PCM_CLOCKSOURCE_FILE=$T/none PCM_CPUINFO_FILE=$T/none PCM_DMI_DIR=$T/none
	run --separate-stderr "$PCMSTAT"
	assert_equal "$status" 3
}

@test "tree without a snapshot file (older pcm_guest): exit 6" {
	rm "$PCM_SYSFS/snapshot"
	run --separate-stderr "$PCMSTAT"
	assert_equal "$status" 6
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == *snapshot* ]]
}

@test "snapshot read error: exit 6 with the error, nothing on stdout" {
	rm "$PCM_SYSFS/snapshot"
	mkdir "$PCM_SYSFS/snapshot"
	run --separate-stderr "$PCMSTAT" -s
	assert_equal "$status" 6
	assert_output ''
	assert_equal "$stderr" "pcmstat: cannot read $PCM_SYSFS/snapshot: Is a directory"
}

# A cat that fails on the snapshot with the message of errno $1's text.
stub_cat() {
	mkdir -p "$T/bin"
	cat >"$T/bin/cat" <<EOF
#!/bin/sh
case "\$*" in
*snapshot*) echo "cat: \$2: $1" >&2; exit 1 ;;
esac
exec /bin/cat "\$@"
EOF
	chmod +x "$T/bin/cat"
}

@test "EOPNOTSUPP text from cat (stub): exit 4, message names kvm.pcm_hypercall" {
	# The real EOPNOTSUPP is tested in the guest; this checks the mapping.
	stub_cat "Operation not supported"
	PATH=$T/bin:$PATH run --separate-stderr "$PCMSTAT" -a
	assert_equal "$status" 4
	assert_output ''
	assert_equal "${#stderr_lines[@]}" 1
	[[ "$stderr" == *kvm.pcm_hypercall* ]]
}

@test "EIO, EFAULT, EPERM text from cat (stub): exit 6 with the error" {
	for err in "Input/output error" "Bad address" "Operation not permitted"; do
		stub_cat "$err"
		PATH=$T/bin:$PATH run --separate-stderr "$PCMSTAT" -a
		assert_equal "$status" 6
		assert_output ''
		assert_equal "$stderr" "pcmstat: cannot read $PCM_SYSFS/snapshot: $err"
	done
}

@test "one invocation reads the snapshot once, and no other file of the tree" {
	mkdir -p "$T/bin" "$PCM_SYSFS/replay"
	echo 1 >"$PCM_SYSFS/replay/success"
	cat >"$T/bin/cat" <<EOF
#!/bin/sh
echo "\$*" >>"$T/cat.log"
exec /bin/cat "\$@"
EOF
	chmod +x "$T/bin/cat"
	for opt in -a -s -j -p; do
		: >"$T/cat.log"
		PATH=$T/bin:$PATH "$PCMSTAT" "$opt" >/dev/null
		run grep -c "$PCM_SYSFS" "$T/cat.log"
		assert_output 1
		run grep -c "$PCM_SYSFS/snapshot" "$T/cat.log"
		assert_output 1
	done
}

@test "a malformed snapshot: exit 6, nothing on stdout" {
	local good
	good=$(cat "$PCM_SYSFS/snapshot")
	bad_snapshots=(
		""
		"$(sed '1s/ .*/ 007/' <<<"$good")"
		"$(sed '1s/ .*/ 12abc/' <<<"$good")"
		"$(sed '1s/ .*/ -1/' <<<"$good")"
		"$(sed '1s/ / 1 /' <<<"$good")"
		"$(sed '1s|/| |' <<<"$good")"
		"$(sed '1s|/|/x/|' <<<"$good")"
		"$(sed '1s/$/ /' <<<"$good")"
		"$(sed '1s/ .*//' <<<"$good")"
		"$good
sample/late 1"
	)
	for s in "${bad_snapshots[@]}"; do
		printf '%s\n' "$s" >"$PCM_SYSFS/snapshot"
		run --separate-stderr "$PCMSTAT" -a
		echo "snapshot starting: $(head -c 60 "$PCM_SYSFS/snapshot")"
		assert_equal "$status" 6
		assert_output ''
		assert_equal "${#stderr_lines[@]}" 1
	done
	# A group asked for but missing.
	grep -v '^replay/' <<<"$good" >"$PCM_SYSFS/snapshot"
	run --separate-stderr "$PCMSTAT" -r
	assert_equal "$status" 6
	run --separate-stderr "$PCMSTAT" -s
	assert_success
}

@test "tools/pcmstat: POSIX sh (shellcheck -s sh) and names no counter" {
	run head -n 1 "$PCMSTAT"
	assert_output '#!/bin/sh'
	if command -v shellcheck >/dev/null; then
		shellcheck -s sh "$PCMSTAT"
	fi
	# The names come from the snapshot only.
	run grep -nwF -f <(pcm_fields | awk '{ print $2 }') "$PCMSTAT"
	assert_failure
	assert_output ''
}
