#!/bin/bash
# Apply the PCM patch series (host/series) to a Linux 6.1 or 6.12 source
# tree:
#   host/apply.sh <linux tree>
# For each patch in order: install the repository files it adds at their
# kernel paths, then apply its hook for that tree's base (the changes to
# files the kernel already has, host/patches/<base>/).  Every hook is
# tried first on a copy of the files the hooks touch, so a tree they do
# not fit (or one already patched) is left untouched.  make series makes
# commits of the same steps.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
ksrc=${1:?usage: $0 <linux source tree>}
# shellcheck source=host/series.sh
. "$here/series.sh"

if [ ! -f "$ksrc/arch/x86/kvm/x86.c" ]; then
	echo "apply.sh: $ksrc is not a Linux source tree" >&2
	exit 1
fi
base=$(series_base "$ksrc")

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
series_hooks "$base" | while read -r hook; do
	sed -n 's|^+++ b/||p' "$hook"
done | sort -u | while read -r f; do
	if [ -f "$ksrc/$f" ]; then
		install -D -m 0644 "$ksrc/$f" "$scratch/$f"
	fi
done
series_hooks "$base" | while read -r hook; do
	if ! patch -p1 -d "$scratch" --forward --quiet <"$hook" >/dev/null; then
		echo "apply.sh: $(basename "$hook") does not apply to $ksrc (already applied, or not Debian's $base?)" >&2
		exit 1
	fi
done

series_entries | while read -r hook files; do
	for f in $files; do
		install -D -m 0644 "$top/$f" "$ksrc/$(kpath "$f")"
	done
	patch -p1 -d "$ksrc" --forward --quiet <"$here/patches/$base/$hook"
done
echo "apply.sh: PCM patch series applied to $ksrc (Linux $base) (enable CONFIG_KVM_PCM, CONFIG_PCM_GUEST)"
