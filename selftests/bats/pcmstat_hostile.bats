#!/usr/bin/env bats
# tools/pcmstat under hostile input and real operators' set-ups, on fake
# trees (PCM_SYSFS) like pcmstat_fake.bats: -o FILE in a directory that
# another user controls (node_exporter's textfile directory belongs to
# the prometheus user), a full disk, root's umask, signals, a closed
# stdout; snapshots with duplicated names, values past 2^64 - 1 and NUL
# bytes; help texts and labels that need escaping, under each awk Debian
# offers.  Every test runs pcmstat under dash, bash and busybox sh (which
# runs its own applets: its awk, mktemp, mv, sync and cat).
# stderr and stderr_lines are set by bats' run --separate-stderr, status
# too, also in the helpers below (shellcheck sees each test as a
# subshell):
# shellcheck disable=SC2154,SC2030,SC2031

load ../lib/pcm.bash
bats_require_minimum_version 1.5.0

PCMSTAT=${PCMSTAT:-$PCM_REPO/tools/pcmstat}
SHELLS=(dash bash "busybox sh")

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/pcm" "$T/prom.d"
	export PCM_SYSFS=$T/pcm
	export PCM_HELP_FILE=$PCM_REPO/build/pcm-help
	# A KVM guest, as far as the detection goes.
	echo 'kvm-clock tsc ' >"$T/clocksource"
	export PCM_CLOCKSOURCE_FILE=$T/clocksource
	write_snapshot
	echo 105 >"$PCM_SYSFS/hypercall"
	for sh in "${SHELLS[@]}"; do
		command -v "${sh%% *}" >/dev/null || fail "no ${sh%% *}"
	done
}

teardown() {
	if [ -n "${tmpfs:-}" ]; then
		umount "$tmpfs" || true
	fi
}

# The snapshot with every counter's distinct value.
write_snapshot() {
	local i=0 group field

	while read -r group field; do
		pcm_distinct "$i"
		echo "$group/$field $REPLY"
		i=$((i + 1))
	done < <(pcm_fields) >"$PCM_SYSFS/snapshot"
}

# pcmstat under shell $1, with the arguments $2...; in bats' run.
pcmstat_under() {
	local sh=$1
	shift
	# shellcheck disable=SC2086 # "busybox sh" is two words
	run --separate-stderr $sh "$PCMSTAT" "$@"
}

# The entries of directory $1, hidden ones included, one line.
entries() {
	find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' '
}

# The good -p output, as pcmstat prints it on stdout.
good_prom() {
	"$PCMSTAT" -p >"$T/good.prom"
}

@test "-o: a symlink planted at FILE.<pid> (the old temporary name) is not written through" {
	local sh
	for sh in "${SHELLS[@]}"; do
		echo "# $sh"
		rm -rf "$T/prom.d" && mkdir "$T/prom.d"
		echo 'root only' >"$T/victim"
		chmod 0600 "$T/victim"
		# The wrapper's pid is the pid of the shell it execs: the very
		# name a pcmstat with FILE.$$ would open.
		# shellcheck disable=SC2016,SC2086 # for the inner sh; "busybox sh"
		run --separate-stderr sh -c 'ln -s "$1" "$2.$$" && shift 2 && exec "$@"' \
			sh "$T/victim" "$T/prom.d/pcm.prom" $sh "$PCMSTAT" -p -o "$T/prom.d/pcm.prom"
		assert_success
		assert_equal "$(cat "$T/victim")" 'root only'
		assert_equal "$(stat -c %a "$T/victim")" 600
		good_prom
		cmp "$T/good.prom" "$T/prom.d/pcm.prom"
		# The planted link is left alone, nothing else is left behind.
		assert_equal "$(find "$T/prom.d" -type l | wc -l)" 1
		assert_equal "$(find "$T/prom.d" -type f)" "$T/prom.d/pcm.prom"
	done
}

@test "-o: a symlink at FILE itself is replaced by the file, its target untouched" {
	local sh
	for sh in "${SHELLS[@]}"; do
		echo "# $sh"
		echo 'root only' >"$T/victim"
		rm -f "$T/prom.d/pcm.prom"
		ln -s "$T/victim" "$T/prom.d/pcm.prom"
		pcmstat_under "$sh" -p -o "$T/prom.d/pcm.prom"
		assert_success
		assert_equal "$(cat "$T/victim")" 'root only'
		[ -f "$T/prom.d/pcm.prom" ] && [ ! -L "$T/prom.d/pcm.prom" ]
		assert_equal "$(entries "$T/prom.d")" 'pcm.prom '
	done
}

@test "-o: a temporary name that exists (planted symlink) is refused, not opened: exit 7, FILE untouched" {
	local sh
	# mktemp's name is made predictable by a mktemp earlier in PATH;
	# busybox sh runs its own mktemp applet, so dash and bash only.
	mkdir "$T/bin"
	printf '#!/bin/sh\necho "%s"\n' "$T/prom.d/.pcm.prom.planted" >"$T/bin/mktemp"
	chmod +x "$T/bin/mktemp"
	for sh in dash bash; do
		echo "# $sh"
		echo 'root only' >"$T/victim"
		echo old >"$T/prom.d/pcm.prom"
		ln -sf "$T/victim" "$T/prom.d/.pcm.prom.planted"
		# Not PATH=... run: bats' run calls mktemp itself.
		# shellcheck disable=SC2086 # "busybox sh" is two words
		run --separate-stderr env PATH="$T/bin:$PATH" $sh "$PCMSTAT" -p -o "$T/prom.d/pcm.prom"
		assert_equal "$status" 7
		assert_equal "$stderr" "pcmstat: cannot create $T/prom.d/.pcm.prom.planted"
		assert_equal "$(cat "$T/victim")" 'root only'
		assert_equal "$(cat "$T/prom.d/pcm.prom")" old
		# The planted name is not pcmstat's: it is not removed either.
		[ -L "$T/prom.d/.pcm.prom.planted" ]
		rm "$T/prom.d/.pcm.prom.planted"
	done
}

@test "-o on a full disk (tmpfs of 8 KiB, as root): exit 7, FILE untouched, no temporary file left" {
	local sh
	[ "$(id -u)" = 0 ] || skip "mounting a tmpfs needs root (make check runs as root)"
	tmpfs=$T/full
	mkdir "$tmpfs"
	mount -t tmpfs -o size=8k tmpfs "$tmpfs"
	echo old >"$tmpfs/pcm.prom"
	good_prom
	# One page left: less than the output.
	[ "$(stat -c %s "$T/good.prom")" -gt 4096 ]
	for sh in "${SHELLS[@]}"; do
		echo "# $sh"
		pcmstat_under "$sh" -p -o "$tmpfs/pcm.prom"
		assert_equal "$status" 7
		assert_output ''
		assert_equal "${#stderr_lines[@]}" 1
		[[ "$stderr" == "pcmstat: cannot write $tmpfs/.pcm.prom."*": $tmpfs/pcm.prom left as it was" ]]
		assert_equal "$(cat "$tmpfs/pcm.prom")" old
		assert_equal "$(entries "$tmpfs")" 'pcm.prom '
	done
	# With room, the same command works.
	umount "$tmpfs"
	mount -t tmpfs -o size=64k tmpfs "$tmpfs"
	"$PCMSTAT" -p -o "$tmpfs/pcm.prom"
	cmp "$T/good.prom" "$tmpfs/pcm.prom"
}

@test "-o: the file is 0644 whatever root's umask, so node_exporter (not root) can read it" {
	local sh mask
	for sh in "${SHELLS[@]}"; do
		for mask in 077 027 000; do
			echo "# $sh, umask $mask"
			rm -f "$T/prom.d/pcm.prom"
			# shellcheck disable=SC2086 # "busybox sh" is two words
			(umask "$mask" && exec $sh "$PCMSTAT" -p -o "$T/prom.d/pcm.prom")
			assert_equal "$(stat -c %a "$T/prom.d/pcm.prom")" 644
		done
	done
}

@test "-o onto a directory is a usage error: exit 2, one line, the directory unchanged" {
	local sh dir
	mkdir "$T/prom.d/sub"
	for sh in "${SHELLS[@]}"; do
		for dir in "$T/prom.d" "$T/prom.d/" "$T/prom.d/sub" "$T/new/"; do
			echo "# $sh -o $dir"
			pcmstat_under "$sh" -p -o "$dir"
			assert_equal "$status" 2
			assert_output ''
			assert_equal "$stderr" "pcmstat: -o $dir: a directory, not a file (see pcmstat -h)"
			assert_equal "$(entries "$T/prom.d")" 'sub '
			assert_equal "$(entries "$T/prom.d/sub")" ''
			[ ! -e "$T/new" ]
		done
	done
}

# Start pcmstat -p -o under shell $1 in a session of its own, blocked on a
# snapshot that is a FIFO: once its cat waits there (a writer can open the
# FIFO without blocking only when a reader is there; it then holds it
# open, so cat stays in its read), its temporary file exists.  Its pid in
# $pid, the writer's in $writer.
start_blocked() {
	local i

	rm -f "$PCM_SYSFS/snapshot"
	mkfifo "$PCM_SYSFS/snapshot"
	# A background job starts with INT ignored (and make check's
	# parts with HUP), and a shell cannot trap a signal ignored at its
	# start: env puts every signal back to the default, as for a command
	# started from a terminal or by systemd.
	# shellcheck disable=SC2086 # "busybox sh" is two words
	setsid env --default-signal $1 "$PCMSTAT" -p -o "$T/prom.d/pcm.prom" 2>"$T/stderr" &
	pid=$!
	python3 -c '
import os, sys, time
for _ in range(1000):
    try:
        fd = os.open(sys.argv[1], os.O_WRONLY | os.O_NONBLOCK)
        break
    except OSError:
        time.sleep(0.01)
else:
    sys.exit(1)
print("reader", flush=True)
time.sleep(60)
' "$PCM_SYSFS/snapshot" >"$T/writer.out" &
	writer=$!
	for i in $(seq 200); do
		[ ! -s "$T/writer.out" ] || break
		kill -0 "$writer" || fail "pcmstat never read the snapshot"
		sleep 0.05
	done
	[ -s "$T/writer.out" ] || fail "pcmstat never read the snapshot"
	# The temporary file.
	assert_equal "$(find "$T/prom.d" -mindepth 1 ! -name pcm.prom | wc -l)" 1
}

@test "-o: HUP, INT or TERM removes the temporary file and leaves FILE; exit 128 + the signal" {
	local sh sig want rc
	for sh in "${SHELLS[@]}"; do
		for sig in HUP INT TERM; do
			echo "# $sh, SIG$sig"
			echo old >"$T/prom.d/pcm.prom"
			start_blocked "$sh"
			# To the whole session, as systemd's stop and ^C do.
			kill -s "$sig" -- "-$pid"
			rc=0
			timeout 10 tail --pid="$pid" -f /dev/null ||
				{ kill -KILL -- "-$pid"; fail "pcmstat outlived SIG$sig by 10 s"; }
			wait "$pid" || rc=$?
			kill "$writer"
			want=$((128 + $(kill -l "$sig")))
			assert_equal "$rc" "$want"
			assert_equal "$(entries "$T/prom.d")" 'pcm.prom '
			assert_equal "$(cat "$T/prom.d/pcm.prom")" old
		done
	done
}

@test "stdout closed or full: -o still works; without -o exit 7 and one line" {
	local sh
	good_prom
	for sh in "${SHELLS[@]}"; do
		echo "# $sh"
		rm -f "$T/prom.d/pcm.prom"
		# shellcheck disable=SC2016,SC2086 # for the inner sh; "busybox sh"
		run --separate-stderr $sh -c '"$0" -p -o "$1" >&-' "$PCMSTAT" "$T/prom.d/pcm.prom"
		assert_success
		assert_equal "$stderr" ''
		cmp "$T/good.prom" "$T/prom.d/pcm.prom"
		# shellcheck disable=SC2016,SC2086
		run --separate-stderr $sh -c '"$0" -a >&-' "$PCMSTAT"
		assert_equal "$status" 7
		assert_equal "$stderr" 'pcmstat: cannot write to standard output'
		# shellcheck disable=SC2016,SC2086
		run --separate-stderr $sh -c '"$0" -p >/dev/full' "$PCMSTAT"
		assert_equal "$status" 7
		assert_equal "$stderr" 'pcmstat: cannot write to standard output'
	done
}

# A snapshot that must be refused, under each shell: exit 6, nothing on
# stdout and one line naming $1 on stderr (-a), and only pcm_up 0 in
# FILE (-p -o, the exporter's way); -j too where $2 is set.
assert_refused() {
	local sh opt want=$1

	for sh in "${SHELLS[@]}"; do
		for opt in -a ${2:+-j}; do
			pcmstat_under "$sh" "$opt"
			echo "# $sh $opt: $stderr"
			assert_equal "$status" 6
			assert_output ''
			assert_equal "${#stderr_lines[@]}" 1
			[[ "$stderr" == *"$want"* ]]
		done
		pcmstat_under "$sh" -p -o "$T/prom.d/pcm.prom"
		assert_equal "$status" 6
		assert_equal "$(cat "$T/prom.d/pcm.prom")" "$(printf '%s\n' \
			'# HELP pcm_up Whether pcmstat read the PCM counters: 1, or 0 with the reason.' \
			'# TYPE pcm_up gauge' 'pcm_up{reason="read_error"} 0')"
	done
}

@test "a counter twice in the snapshot: refused (exit 6, pcm_up 0), never two families" {
	local first
	first=$(head -n 1 "$PCM_SYSFS/snapshot")
	echo "$first" >>"$PCM_SYSFS/snapshot"
	assert_refused "${first%% *} more than once" with-json
	promtool check metrics <"$T/prom.d/pcm.prom"
	# Also with another value, and right after the first line.
	write_snapshot
	sed -i '1p; 1s/ .*/ 1/' "$PCM_SYSFS/snapshot"
	assert_refused "${first%% *} more than once"
}

@test "values past 2^64 - 1 refused: 2^64, 20 nines, 40 digits, 200,000 digits; 2^64 - 1 and 19 nines pass" {
	local v
	for v in 18446744073709551616 18446744073709551620 18446744073709552615 \
		18446744083709551615 99999999999999999999 \
		1234567890123456789012345678901234567890; do
		write_snapshot
		sed -i "2s/ .*/ $v/" "$PCM_SYSFS/snapshot"
		assert_refused "the value is not a u64"
	done
	write_snapshot
	# Too long for a command line: awk makes it.
	awk 'NR == 2 { sub(/ .*/, " "); printf "%s", $0; for (i = 0; i < 200000; i++) printf "7"; print ""; next } 1' \
		"$PCM_SYSFS/snapshot" >"$T/long" && mv "$T/long" "$PCM_SYSFS/snapshot"
	[ "$(wc -c <"$PCM_SYSFS/snapshot")" -gt 200000 ]
	assert_refused "the value is not a u64"
	for v in 18446744073709551615 9999999999999999999 10000000000000000000 18446744073709551609; do
		write_snapshot
		sed -i "2s/ .*/ $v/" "$PCM_SYSFS/snapshot"
		for sh in "${SHELLS[@]}"; do
			pcmstat_under "$sh" -j -s
			assert_success
			[[ "$output" == *": $v, "* ]]
		done
	done
}

@test "a NUL byte inside a value: refused, not 12\\0003 read as 123" {
	write_snapshot
	sed -i '3s/ .*/ 12\x003/' "$PCM_SYSFS/snapshot"
	[ "$(sed -n 3p "$PCM_SYSFS/snapshot" | od -An -c | grep -c '\\0')" = 1 ]
	assert_refused "^@"
	# A tab, a CR, a sign: refused too.
	for v in '\t12' '12\r' '+12' '-0'; do
		write_snapshot
		sed -i "3s/ .*/ $v/" "$PCM_SYSFS/snapshot"
		assert_refused "unexpected content"
	done
}

@test "names: an unknown counter (a newer host) is shown with a generic HELP; bad names refused" {
	local sh
	# After the last replay counter: a group's counters are one run.
	awk -v n="$(grep -n '^replay/' "$PCM_SYSFS/snapshot" | tail -n 1 | cut -d: -f1)" \
		'{ print } NR == n { print "replay/rewound 77" }' "$PCM_SYSFS/snapshot" >"$T/s" &&
		mv "$T/s" "$PCM_SYSFS/snapshot"
	for sh in "${SHELLS[@]}"; do
		pcmstat_under "$sh" -p -r
		assert_success
		assert_line '# HELP pcm_replay_rewound_total PCM counter replay/rewound of this virtual machine.'
		assert_line 'pcm_replay_rewound_total 77'
		assert_line 'pcm_info{hypercall="105",counters="37"} 1'
	done
	# A group with "_" would make pcm_a_b_c_total of a/b_c and a_b/c.
	for name in sam_ple/x 1sample/x sample/1x sample/X Sample/x sample/x-y; do
		write_snapshot
		echo "$name 1" >>"$PCM_SYSFS/snapshot"
		assert_refused "line '$name 1'"
	done
}

# awk $1 first in PATH, for dash and bash (busybox sh runs its own).
use_awk() {
	mkdir -p "$T/awk"
	case "$1" in
	busybox) printf '#!/bin/sh\nexec busybox awk "$@"\n' >"$T/awk/awk" ;;
	*) printf '#!/bin/sh\nexec %s "$@"\n' "$1" >"$T/awk/awk" ;;
	esac
	chmod +x "$T/awk/awk"
}

@test "HELP escaping under mawk, gawk and busybox awk: backslash doubled, quote and & kept" {
	local awk sh
	# shellcheck disable=SC1003 # the backslashes are the point
	printf '%s\n' 'replay/success One \ two \\ "three" & \n four.' >"$T/help"
	export PCM_HELP_FILE=$T/help
	want='# HELP pcm_replay_success_total One \\ two \\\\ "three" & \\n four.'
	for awk in mawk gawk busybox; do
		command -v "$awk" >/dev/null || fail "no $awk (scripts/install-deps installs it)"
		use_awk "$awk"
		for sh in "${SHELLS[@]}"; do
			echo "# $awk, $sh"
			# shellcheck disable=SC2086 # "busybox sh" is two words
			run --separate-stderr env PATH="$T/awk:$PATH" $sh "$PCMSTAT" -p -r
			assert_success
			assert_line "$want"
			printf '%s\n' "$output" >"$T/out.prom"
			promtool check metrics <"$T/out.prom"
		done
	done
}

@test "the hypercall label: a decimal number or nothing; 10\"5 and other text refused" {
	local sh v
	for sh in "${SHELLS[@]}"; do
		for v in '10"5' '10\5' 'abc' '0' '0105' '12345678901' ' 105' '105 '; do
			printf '%s\n' "$v" >"$PCM_SYSFS/hypercall"
			echo "# $sh: '$v'"
			pcmstat_under "$sh" -p
			assert_equal "$status" 6
			assert_output "$(printf '%s\n' \
				'# HELP pcm_up Whether pcmstat read the PCM counters: 1, or 0 with the reason.' \
				'# TYPE pcm_up gauge' 'pcm_up{reason="read_error"} 0')"
			assert_equal "$stderr" "pcmstat: $PCM_SYSFS/hypercall: unexpected content: '$v'"
		done
		for v in 104 105 4294967295; do
			echo "$v" >"$PCM_SYSFS/hypercall"
			pcmstat_under "$sh" -p
			assert_success
			assert_line "pcm_info{hypercall=\"$v\",counters=\"36\"} 1"
		done
	done
}

@test "man page: the failure sample renders with its closing quote" {
	command -v man >/dev/null || fail "no man (package man-db)"
	run bash -c "MANWIDTH=120 man -l '$PCM_REPO/tools/pcmstat.1' 2>/dev/null | col -b"
	assert_success
	assert_output --partial 'pcm_up{reason="REASON"} 0'
}
