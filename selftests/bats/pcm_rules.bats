#!/usr/bin/env bats
# What an SRE deploys beside pcmstat, on this machine, no VM: the
# Prometheus rules scripts/pcm-rules generates from the counter list
# (promtool check rules; promtool test rules with the unit tests in
# selftests/prometheus/pcm.rules.test.yml; one recording rule per replay
# and event counter) and the systemd units in systemd/ as make install
# puts them (systemd-analyze verify and security).  Needs only
# build/pcm-fields from make all.
#   bats selftests/bats/pcm_rules.bats

load ../lib/pcm.bash
bats_require_minimum_version 1.5.0

# The unit tests: pcm.rules.test.yml, and pcm.rules.day.test.yml for
# what takes a day (evaluated hourly, so that it takes no time).
RULES_TESTS=("$PCM_REPO"/selftests/prometheus/*.test.yml)
UNITS=(pcmstat-textfile.service pcmstat-textfile.timer)

setup_file() {
	export RULES=$BATS_FILE_TMPDIR/pcm.rules.yml
	"$PCM_REPO/scripts/pcm-rules" "$PCM_REPO/build/pcm-fields" >"$RULES"
	# make install into a staging root, with the system's targets beside
	# it (the units' default dependencies) for systemd-analyze --root.
	export ROOT=$BATS_FILE_TMPDIR/root
	DESTDIR=$ROOT "$PCM_REPO/scripts/install" 2>/dev/null
	cp /lib/systemd/system/*.target "$ROOT/lib/systemd/system/"
}

# The rules file's recording rules as "record expr" lines, in order.
recording_rules() {
	awk '$1 == "-" && $2 == "record:" { record = $3; next }
		record != "" && $1 == "expr:" { sub(/^ *expr: /, ""); print record " " $0 }
		{ record = "" }' "$1"
}

# "record expr" lines expected from the counter list: every replay and
# event counter, in ABI order.
expected_recording_rules() {
	pcm_fields | awk '$1 == "replay" || $1 == "event" {
		m = "pcm_" $1 "_" $2
		print "instance:" m ":rate5m rate(" m "_total[5m])"
	}'
}

# promtool test rules on rules file $1 with the unit tests, all copied
# into one directory (rule_files is relative to the test file).
promtool_test() {
	local dir
	dir=$(mktemp -d "$BATS_TEST_TMPDIR/promtool.XXXXXX")
	cp "$1" "$dir/pcm.rules.yml"
	cp "${RULES_TESTS[@]}" "$dir/"
	promtool test rules "$dir"/*.test.yml
}

# systemd-analyze verify on the units under root $1: fails on any
# message, warnings included (systemd 252's verify exits 0 on an unknown
# key or a value it cannot parse, and says nothing about a timer whose
# unit does not exist: checked here).  MANPATH: Documentation=man:...
# must name an installed page.
verify_units() {
	local out timer unit
	out=$(MANPATH=$1/usr/share/man systemd-analyze verify --root="$1" "${UNITS[@]}" 2>&1) ||
		{ echo "$out"; return 1; }
	[ -z "$out" ] || { echo "$out"; return 1; }
	for timer in "${UNITS[@]}"; do
		[[ $timer == *.timer ]] || continue
		unit=$(sed -n 's/^Unit=//p' "$1/lib/systemd/system/$timer")
		unit=${unit:-${timer%.timer}.service}
		[ -f "$1/lib/systemd/system/$unit" ] ||
			{ echo "$timer: its unit $unit does not exist"; return 1; }
	done
}

# A copy of the staging root, for breaking a unit there.
copy_root() {
	cp -a "$ROOT" "$BATS_TEST_TMPDIR/broken"
	echo "$BATS_TEST_TMPDIR/broken"
}

@test "pcm-rules: the same rules from build/pcm-fields as from the ABI header" {
	run --separate-stderr "$PCM_REPO/scripts/pcm-rules"
	assert_success
	assert_equal "$output" "$(cat "$RULES")"
}

@test "pcm-rules refuses a malformed counter list, and one without replay/failed" {
	printf 'replay failed\nnot a line\n' >"$BATS_TEST_TMPDIR/bad"
	run -1 --separate-stderr "$PCM_REPO/scripts/pcm-rules" "$BATS_TEST_TMPDIR/bad"
	assert_output ''
	pcm_fields | grep -vx 'replay failed' >"$BATS_TEST_TMPDIR/nofailed"
	run -1 --separate-stderr "$PCM_REPO/scripts/pcm-rules" "$BATS_TEST_TMPDIR/nofailed"
	assert_output ''
}

@test "promtool check rules accepts the generated rules" {
	local n
	n=$(expected_recording_rules | wc -l)
	run promtool check rules "$RULES"
	assert_success
	assert_output "Checking $RULES
  SUCCESS: $((n + 3)) rules found"
}

@test "one recording rule per replay and event counter of pcm-fields, none for sample" {
	local expected
	expected=$(expected_recording_rules)
	# The list has replay and event counters, and sample ones left out.
	grep -q '^instance:pcm_replay_' <<<"$expected"
	grep -q '^instance:pcm_event_' <<<"$expected"
	pcm_fields | grep -q '^sample '
	run recording_rules "$RULES"
	assert_success
	assert_output "$expected"
	run grep -c 'record:' "$RULES"
	assert_output "$(wc -l <<<"$expected")"
	run grep -c 'pcm_sample_' "$RULES"
	assert_output 0
}

@test "the unit tests cover every alert of the rules, and only those" {
	local alerts tested
	alerts=$(sed -n 's/^ *- alert: //p' "$RULES" | sort)
	assert_equal "${#RULES_TESTS[@]}" 2
	tested=$(sed -n 's/^ *alertname: //p' "${RULES_TESTS[@]}" | sort -u)
	assert_equal "$tested" "$alerts"
	assert_equal "$(wc -l <<<"$alerts")" 3
}

@test "promtool test rules: every alert fires and stays quiet as it should, recording rules give exact rates" {
	run promtool_test "$RULES"
	assert_success
	refute_output --partial FAILED
	assert_equal "$(grep -c '^  SUCCESS$' <<<"$output")" "${#RULES_TESTS[@]}"
}

@test "promtool test rules fails on rules broken one way or another" {
	local broken=$BATS_TEST_TMPDIR/broken.yml mutation
	for mutation in \
		's/for: 5m/for: 4m/' \
		'/and on (instance, job) up == 1/d' \
		's/> 300/> 600/' \
		's/\[1d\]/[1h]/' \
		's/\[1d\]/[2d]/' \
		's|(\.\*/)?pcm|/var/lib/prometheus/node-exporter/pcm|' \
		's/pcm_replay_failed_total\[5m\]/pcm_replay_failed_total[15m]/' \
		's/for: 15m/for: 10m/' \
		's/rate(pcm_replay_success_total\[5m\])/increase(pcm_replay_success_total[5m])/' \
		's/severity: warning/severity: critical/'; do
		sed "$mutation" "$RULES" >"$broken"
		! cmp -s "$broken" "$RULES" || fail "mutation $mutation changed nothing"
		run promtool_test "$broken"
		[ "$status" != 0 ] || fail "promtool test rules passed with $mutation"
		assert_output --partial 'FAILED'
	done
}

@test "node_exporter's textfile collector labels pcm.prom so that PCMTextfileStale's selector matches it" {
	local metrics dir=$BATS_TEST_TMPDIR/textfile regex label
	mkdir "$dir"
	echo 'pcm_up 1' >"$dir/pcm.prom"
	metrics=$(pcm_scrape_textfile "$dir") || fail "node_exporter did not answer"
	label=$(sed -n 's/^node_textfile_mtime_seconds{file="\(.*\)"} .*/\1/p' <<<"$metrics")
	assert_equal "$label" "$dir/pcm.prom"
	# The rule's regular expression, PromQL string escapes undone.
	regex=$(sed -n 's/.*node_textfile_mtime_seconds{file=~"\([^"]*\)"}.*/\1/p' "$RULES" | sed 's/\\\\/\\/g')
	assert_equal "$regex" '(.*/)?pcm\.prom'
	grep -Exq "$regex" <<<"$label"
	grep -Exq "$regex" <<<pcm.prom
	if grep -Exq "$regex" <<<"$dir/apt.prom"; then
		fail "the selector matches apt.prom"
	fi
}

@test "make install: the rules in /usr/share/pcmstat and the units in /lib/systemd/system, mode 0644" {
	run stat -c '%a %n' "$ROOT/usr/share/pcmstat/pcm.rules.yml" \
		"$ROOT/lib/systemd/system/pcmstat-textfile.service" \
		"$ROOT/lib/systemd/system/pcmstat-textfile.timer"
	assert_output "644 $ROOT/usr/share/pcmstat/pcm.rules.yml
644 $ROOT/lib/systemd/system/pcmstat-textfile.service
644 $ROOT/lib/systemd/system/pcmstat-textfile.timer"
	cmp "$ROOT/usr/share/pcmstat/pcm.rules.yml" "$RULES"
	cmp "$ROOT/lib/systemd/system/pcmstat-textfile.service" "$PCM_REPO/systemd/pcmstat-textfile.service"
	cmp "$ROOT/lib/systemd/system/pcmstat-textfile.timer" "$PCM_REPO/systemd/pcmstat-textfile.timer"
}

@test "the service writes pcm.prom into node_exporter's default textfile directory, every 15 s" {
	local unit=$ROOT/lib/systemd/system/pcmstat-textfile.service dir
	# The default of Debian's prometheus-node-exporter, from itself.
	dir=$(prometheus-node-exporter --help 2>&1 |
		sed -n 's/.*--collector\.textfile\.directory="\([^"]*\)".*/\1/p')
	assert_equal "$dir" /var/lib/prometheus/node-exporter
	run grep -E '^(ExecStart|ReadWritePaths|ConditionPathIsDirectory|Type|SuccessExitStatus)=' "$unit"
	assert_output "ConditionPathIsDirectory=$dir
Type=oneshot
ExecStart=/usr/bin/pcmstat -p -o $dir/pcm.prom
SuccessExitStatus=3 4 5 6
ReadWritePaths=$dir"
	run systemd-analyze calendar --iterations=2 \
		"$(sed -n 's/^OnCalendar=//p' "$ROOT/lib/systemd/system/pcmstat-textfile.timer")"
	assert_success
	assert_line --partial 'Normalized form: *-*-* *:*:00/15'
}

@test "a pcmstat that cannot read the counters still writes pcm_up 0, with a status the service counts as success" {
	local statuses out=$BATS_TEST_TMPDIR/out
	statuses=$(sed -n 's/^SuccessExitStatus=//p' "$ROOT/lib/systemd/system/pcmstat-textfile.service")
	mkdir "$out"
	PCM_SYSFS=$BATS_TEST_TMPDIR/no-such-tree run --separate-stderr \
		"$ROOT/usr/bin/pcmstat" -p -o "$out/pcm.prom"
	[[ " $statuses " == *" $status "* ]] || fail "status $status not in SuccessExitStatus=$statuses"
	grep -Eq '^pcm_up\{reason="[a-z_]+"\} 0$' "$out/pcm.prom"
}

@test "systemd-analyze verify accepts the installed units" {
	run verify_units "$ROOT"
	assert_success
	assert_output ''
}

@test "systemd-analyze verify rejects units broken one way or another" {
	local root sys breakage
	for breakage in \
		'service s|^ExecStart=/usr/bin/pcmstat|ExecStart=/usr/bin/pcmstat-missing|' \
		'service s|^ProtectSystem=strict|ProtectSystem=strcit|' \
		'service s|^NoNewPrivileges=|NoNewPrivilege=|' \
		'service s|^Type=oneshot|Type=oneshots|' \
		'service s|^Documentation=man:pcmstat(1)|Documentation=man:pcmstats(1)|' \
		'timer s|^OnCalendar=.*|OnCalendar=*:*:0/1x5|' \
		'timer s|^\[Timer\]|[Timer]\nUnit=pcmstat-missing.service|'; do
		root=$(copy_root)
		sys=$root/lib/systemd/system
		sed -i "${breakage#* }" "$sys/pcmstat-textfile.${breakage%% *}"
		! cmp -s "$sys/pcmstat-textfile.${breakage%% *}" \
			"$ROOT/lib/systemd/system/pcmstat-textfile.${breakage%% *}" ||
			fail "breakage $breakage changed nothing"
		run verify_units "$root"
		[ "$status" != 0 ] || fail "verify passed with $breakage"
		refute_output ''
		rm -rf "$root"
	done
}

@test "systemd-analyze security: the service's exposure is at most 1.0 (SAFE)" {
	run systemd-analyze security --offline=yes --root="$ROOT" --threshold=10 \
		pcmstat-textfile.service
	assert_success
	assert_line --regexp 'Overall exposure level for pcmstat-textfile.service: 0\.[0-9] SAFE'
}
