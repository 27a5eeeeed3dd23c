#!/usr/bin/env bats
# pcmstat -p's file from the real guest, through the real tools: promtool
# checks it and Debian's prometheus-node-exporter serves it with its
# textfile collector, scraped over loopback.  The file and the values the
# host set come from the guest suite pcmstat.bats, which make check runs
# in the test bed first with SHARE=build/check/testbed:
#   PCM_PROM_DIR=build/check/testbed/prom bats selftests/bats/pcmstat_exporter.bats

load ../lib/pcm.bash
bats_require_minimum_version 1.5.0

PROM_DIR=${PCM_PROM_DIR:-$PCM_REPO/build/check/testbed/prom}

setup_file() {
	if [ ! -s "$PROM_DIR/pcm.prom" ] || [ ! -s "$PROM_DIR/values" ]; then
		fail "no $PROM_DIR/pcm.prom and values: run the guest suite pcmstat.bats with a SHARE first"
	fi
}

@test "promtool check metrics accepts the file pcmstat -p -o wrote in the guest" {
	run promtool check metrics <"$PROM_DIR/pcm.prom"
	assert_success
	assert_output ''
}

@test "node_exporter's textfile collector serves every counter with the guest's value, over loopback" {
	local metrics
	metrics=$(pcm_scrape_textfile "$PROM_DIR") || fail "node_exporter did not answer"
	grep -Fx 'node_textfile_scrape_error 0' <<<"$metrics"
	grep -Fx 'pcm_up 1' <<<"$metrics"
	grep -E '^pcm_info\{counters="36",hypercall="105"\} 1$' <<<"$metrics"
	assert_equal "$(wc -l <"$PROM_DIR/values")" 36
	# Prometheus keeps float64: node_exporter prints 2^56 + x as
	# 7.205759403799347e+16.  Equal as float64 is as exact as it gets, and
	# the distinct values stay distinct.
	printf '%s\n' "$metrics" >"$BATS_TEST_TMPDIR/metrics"
	python3 - "$PROM_DIR/values" "$BATS_TEST_TMPDIR/metrics" <<'EOF'
import sys
served = {}
for line in open(sys.argv[2]):
    if line.startswith("pcm_") and not line.startswith(("pcm_up", "pcm_info")):
        name, value = line.split()
        served[name] = float(value)
expected = {}
for line in open(sys.argv[1]):
    group_field, value = line.split()
    expected["pcm_" + group_field.replace("/", "_") + "_total"] = float(int(value))
assert served == expected, (served, expected)
assert len(set(expected.values())) == 36
EOF
	# And the HELP line the file gave.
	grep -Fx "# HELP pcm_replay_success_total $(sed -n 's|^replay/success ||p' "$PCM_REPO/build/pcm-help")" <<<"$metrics"
}
