# Shared by the bats suites.  The counter list comes from the ABI header
# through scripts/pcm-fields; nothing here names a counter by hand.
load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

PCM_REPO=${PCM_REPO:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)}
PCM_SYSFS=/sys/kernel/pcm
# This kernel's pcm_guest.ko (make builds one per kernel the test bed
# boots, in build/guest/<release>/).
read -r PCM_KREL </proc/sys/kernel/osrelease
PCM_KO=$PCM_REPO/build/guest/$PCM_KREL/pcm_guest.ko

# In the test-bed guest, `host CMD` is a function (testbed/bin/host,
# sourced): the same call without starting a process.
if [ -n "${PCM_HOST_PORT:-}" ]; then
	# shellcheck source=testbed/bin/host
	source "$PCM_REPO/testbed/bin/host"
	# In this shell, so that every test's subshell shares it (testbed/stage
	# opens it for the whole run: then this keeps that one).
	pcm_host_open
fi

# "group field" lines, in ABI order (make writes build/pcm-fields from the
# header with scripts/pcm-fields), read once: printing them is then a
# builtin (a program costs about 0.15 s in the nested guest, and the
# suites list the fields a hundred times).
mapfile -t PCM_FIELD_LINES <"$PCM_REPO/build/pcm-fields"
pcm_fields() {
	printf '%s\n' "${PCM_FIELD_LINES[@]}"
}

# A value for counter number $1 (0-based) that no other counter has, with
# bits set in the high and the low half, so a swapped, shifted or 32-bit
# truncated field cannot pass: in REPLY (no subshell), or printed.
pcm_distinct() {
	REPLY=$(((($1 + 1) << 56) | (($1 + 1) * 65537)))
}

pcm_distinct_value() {
	pcm_distinct "$1"
	echo "$REPLY"
}

# In the test-bed guest: give every counter its distinct value on the host
# (`host pcm-host set`); print the expected "group/field value" lines, in
# ABI order.
pcm_set_distinct_values() {
	local i=0 args=() group field

	while read -r group field; do
		pcm_distinct "$i"
		args+=("$group/$field" "$REPLY")
		echo "$group/$field $REPLY"
		i=$((i + 1))
	done < <(pcm_fields)
	host pcm-host set "${args[@]}" >&2
}

# Load module file $1 with options $2..., unload module $1, or say whether
# module $1 is loaded.  busybox's insmod and rmmod make the same
# init_module and delete_module calls as kmod's; kmod's insmod also loads
# libcrypto, liblzma and libzstd: 1.1 s a call in the nested guest,
# against 0.1 s for the static busybox.
pcm_insmod() {
	busybox insmod "$@"
}

pcm_rmmod() {
	busybox rmmod "$1"
}

pcm_module_loaded() {
	[ -d "/sys/module/$1/sections" ]
}

# Every counter file of pcm_guest as "group/field value" lines, in ABI
# order, each read on its own with bash's read (no exec); ERROR for a
# file that cannot be read.
pcm_read_sysfs() {
	local group field got

	while read -r group field; do
		read -r got <"$PCM_SYSFS/$group/$field" || got=ERROR
		echo "$group/$field $got"
	done < <(pcm_fields)
}

# The suites that compare what the host set with what the guest reads
# stop KVM's own counting for their run (setup_file/teardown_file): the
# guest's timer MSR writes, interrupts and port I/O would move event
# counters in between.  pcm_abi.bats checks the counting itself.
pcm_stop_kvm_counting() {
	host pcm-host counting off
}

pcm_restart_kvm_counting() {
	host pcm-host counting on
}

# Scrape node_exporter's textfile collector of directory $1 once, started
# on a loopback port of its own: the metrics on stdout.  Fails, with
# node_exporter's log on stderr, when it does not answer within 10 s.
pcm_scrape_textfile() {
	local port exporter metrics='' log=$BATS_TEST_TMPDIR/exporter.log

	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	prometheus-node-exporter --collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$1" \
		--web.listen-address="127.0.0.1:$port" >"$log" 2>&1 &
	exporter=$!
	for _ in $(seq 100); do
		metrics=$(curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null) && break
		sleep 0.1
	done
	kill "$exporter"
	wait "$exporter" 2>/dev/null
	[ -n "$metrics" ] || { cat "$log" >&2; return 1; }
	printf '%s\n' "$metrics"
}
