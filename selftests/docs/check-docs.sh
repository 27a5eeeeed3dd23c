#!/bin/bash
# The documentation names exactly the counters of the ABI header, in its
# order, says who moves each one exactly as the code does, and its
# reStructuredText parses.  Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rst_hypercall=$top/Documentation/virt/kvm/x86/pcm-hypercall.rst
rst_admin=$top/Documentation/admin-guide/pcm.rst
abi=$top/Documentation/ABI/testing/sysfs-kernel-pcm
host=$top/host
fields=$("$top/scripts/pcm-fields") || exit 1
n=0 failed=0

result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..9"

# The layout table: "offset index group field", one row per counter.
expected=$(awk '{ printf "%d %d %s %s\n", NR * 8 - 8, NR - 1, $1, $2 }' <<<"$fields")
actual=$(grep -E '^[0-9]+ +[0-9]+ +[a-z]+ +[a-z0-9_]+ *$' "$rst_hypercall" | awk '{ print $1, $2, $3, $4 }')
diff <(echo "$expected") <(echo "$actual") | sed 's/^/# /'
result "${PIPESTATUS[0]}" "pcm-hypercall.rst layout table matches the ABI header"

expected=$(awk '{ print "/sys/kernel/pcm/" $1 "/" $2 }' <<<"$fields" | sort)
actual=$(grep -oE '/sys/kernel/pcm/[a-z]+/[a-z0-9_]+' "$abi" | sort -u)
diff <(echo "$expected") <(echo "$actual") | sed 's/^/# /'
result "${PIPESTATUS[0]}" "sysfs-kernel-pcm documents exactly the ABI's files"

whats=$(grep -cE '^What:[[:space:]]+/sys/kernel/pcm/[a-z]+/[a-z0-9_]+$' "$abi")
[ "$whats" = 36 ]
result $? "sysfs-kernel-pcm has a What: line for each of the 36 files (found $whats)"

# pcmstat -p's HELP lines come from these descriptions (scripts/pcm-help).
expected=$(awk '{ print $1 "/" $2 }' <<<"$fields")
actual=$("$top/scripts/pcm-help" | awk '$2 != "" { print $1 }')
diff <(echo "$expected") <(echo "$actual") | sed 's/^/# /'
result "${PIPESTATUS[0]}" "sysfs-kernel-pcm describes every counter, in ABI order, for pcmstat's HELP lines"

# "Who moves each counter": one row per counter, in ABI order, each given to
# KVM or to the engine; and the KVM rows are exactly the counters the code
# counts, i.e. the KVM_PCM_<group>_<field> names in pcm.h and in the lines
# the patches add (the hooks in x86.c, cpuid.c, ...), so a new count site or
# a forgotten row fails here.
who=$(awk '
	/^Group +Field +Who +What/ { table = 1; next }
	table && /^=/ { if (++borders == 2) exit; next }
	table && /^[a-z]/ { print $1, $2, $3 }
' "$rst_hypercall")
expected=$(awk '{ print $1, $2, "KVM|engine" }' <<<"$fields")
actual=$(awk '{ print $1, $2, ($3 == "KVM" || $3 == "engine") ? "KVM|engine" : $3 }' <<<"$who")
diff <(echo "$expected") <(echo "$actual") | sed 's/^/# table: /'
table_rc=${PIPESTATUS[0]}
documented=$(awk '$3 == "KVM" { print "KVM_PCM_" $1 "_" $2 }' <<<"$who" | sort)
counted=$( (cat "$host/arch/x86/kvm/pcm.h"; grep -h '^+' "$host"/patches/*/*.patch) |
	LC_ALL=C grep -ohE 'KVM_PCM_[a-z]+_[a-z0-9_]+' | grep -vx KVM_PCM_NR_COUNTERS | sort -u)
diff <(echo "$documented") <(echo "$counted") | sed 's/^/# KVM rows vs code: /'
code_rc=${PIPESTATUS[0]}
[ "$table_rc" = 0 ] && [ "$code_rc" = 0 ]
result $? "pcm-hypercall.rst says who moves each counter, KVM exactly where the code counts ($(wc -w <<<"$counted") KVM-counted)"

# "Where each promise is tested": every "program / case" it names is a KVM
# selftest whose source has that case (a result name or the start of its
# format string).  A cell may wrap after the "/".
tests=$(awk '
	/^Where each promise is tested/ { section = 1; next }
	section && /^=/ { if (++borders == 3) exit; next }
	section && borders == 2 {
		cell = substr($0, 45); sub(/^ +/, "", cell); sub(/ +$/, "", cell)
		if (cell == "") next
		if (held != "") { print held " " cell; held = ""; next }
		if (cell ~ /\/$/) { held = cell; next }
		print cell
	}' "$rst_hypercall")
missing=0
while IFS= read -r t; do
	t=${t//\\/}
	prog=${t%% / *} case=${t#* / }
	src=$top/selftests/kvm/x86_64/$prog.c
	if [ ! -f "$src" ] || ! grep -qF "\"$case" "$src"; then
		echo "# no such test: $t"
		missing=1
	fi
done <<<"$tests"
[ -n "$tests" ] && [ "$missing" = 0 ]
result $? "pcm-hypercall.rst names only tests that exist ($(grep -c . <<<"$tests") promises)"

for rst in "$rst_hypercall" "$rst_admin"; do
	python3 - "$rst" <<'PY' 2>&1 | sed 's/^/# /'
import sys
import docutils.core
# Sphinx-only roles are not docutils errors worth failing on; everything
# else at warning level or above is.
from docutils.parsers.rst import roles
for role in ("ref", "doc"):
    roles.register_generic_role(role, __import__("docutils").nodes.literal)
docutils.core.publish_doctree(open(sys.argv[1]).read(),
                              settings_overrides={"halt_level": 2,
                                                  "report_level": 2})
PY
	result "${PIPESTATUS[0]}" "$(basename "$rst") parses as reStructuredText"
done

# The man page: man's own check, every groff warning (-ww) an error.
warnings=$(MANWIDTH=80 man --warnings -l "$top/tools/pcmstat.1" 2>&1 >/dev/null)
[ -z "$warnings" ] || printf '# %s\n' "${warnings//$'\n'/$'\n'# }"
[ -z "$warnings" ] && MANWIDTH=80 man -l "$top/tools/pcmstat.1" 2>/dev/null | grep -q 'EXIT STATUS'
result $? "pcmstat.1 renders with no man --warnings and has its sections"

[ "$failed" = 0 ]
