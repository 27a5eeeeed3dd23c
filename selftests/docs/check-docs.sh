#!/bin/bash
# The documentation names exactly the counters of the ABI header, in its
# order, and its reStructuredText parses.  Prints TAP.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
rst_hypercall=$top/Documentation/virt/kvm/x86/pcm-hypercall.rst
rst_admin=$top/Documentation/admin-guide/pcm.rst
abi=$top/Documentation/ABI/testing/sysfs-kernel-pcm
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
echo "1..5"

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

[ "$failed" = 0 ]
