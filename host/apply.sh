#!/bin/bash
# Apply the PCM patch set to a Linux 6.1 source tree:
#   host/apply.sh <linux-6.1 tree>
# Copies the new files (pcm.c, pcm.h, the headers, the KVM selftests and
# their library, the guest driver as drivers/virt/pcm/) into the tree,
# then applies the hook patches in host/patches.  Every patch is checked
# first, so a tree it does not fit (or one already patched) is left
# untouched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
ksrc=${1:?usage: $0 <linux-6.1 source tree>}

if [ ! -f "$ksrc/arch/x86/kvm/x86.c" ]; then
	echo "apply.sh: $ksrc is not a Linux source tree" >&2
	exit 1
fi

# Later patches build on earlier ones, so they are tried in order on a
# copy of the files they touch.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
sed -n 's|^+++ b/||p' "$here"/patches/*.patch | sort -u | while read -r f; do
	if [ -f "$ksrc/$f" ]; then
		install -D -m 0644 "$ksrc/$f" "$scratch/$f"
	fi
done
for p in "$here"/patches/*.patch; do
	if ! patch -p1 -d "$scratch" --forward --quiet <"$p" >/dev/null; then
		echo "apply.sh: $(basename "$p") does not apply to $ksrc (already applied, or not 6.1?)" >&2
		exit 1
	fi
done

(cd "$here" && find arch include -type f) | while read -r f; do
	install -D -m 0644 "$here/$f" "$ksrc/$f"
done
# The KVM selftests and their library sit beside upstream's; the patches
# add them to the Makefile.
(cd "$top/selftests/kvm" && find . -name '*.[ch]') | while read -r f; do
	install -D -m 0644 "$top/selftests/kvm/$f" \
		"$ksrc/tools/testing/selftests/kvm/$f"
done
# The guest's kselftest target, tools/testing/selftests/pcm.
install -D -m 0644 "$top/selftests/pcm/Makefile" "$top/selftests/pcm/pcm_sysfs_test.c" \
	-t "$ksrc/tools/testing/selftests/pcm"
# The guest driver, as drivers/virt/pcm/ (CONFIG_PCM_GUEST).
install -D -m 0644 "$top/Kconfig" "$ksrc/drivers/virt/pcm/Kconfig"
install -m 0644 "$top/guest/Makefile" "$top/guest/pcm_guest.c" "$ksrc/drivers/virt/pcm/"

for p in "$here"/patches/*.patch; do
	patch -p1 -d "$ksrc" --forward --quiet <"$p"
done
echo "apply.sh: PCM patch set applied to $ksrc (enable CONFIG_KVM_PCM, CONFIG_PCM_GUEST)"
