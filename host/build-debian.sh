#!/bin/bash
# Build the patched kvm.ko, kvm-amd.ko and kvm-intel.ko for Debian's stock
# kernel (linux-image-amd64) from linux-source-6.1 with host/ applied:
#   host/build-debian.sh [build dir]          (default: <repo>/build)
# The modules land in <build dir>/host/.  The kernel tree is extracted once
# and kept; a second run rebuilds only what host/ changed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
build=$(mkdir -p "${1:-$top/build}" && cd "${1:-$top/build}" && pwd)
kver=$("$top/scripts/debian-kver")
headers=/usr/src/linux-headers-$kver
tarball=/usr/src/linux-source-6.1.tar.xz
tree=$build/linux
jobs=${JOBS:-$(nproc)}
# Where host/ may change files; kept pristine so host/ can be re-applied.
pristine_paths="arch/x86/kvm arch/x86/include include/uapi/linux
	include/linux/kvm_host.h virt/kvm tools/testing/selftests/kvm drivers/virt
	tools/testing/selftests/Makefile Documentation/virt/kvm/x86 MAINTAINERS"

for f in "$tarball" "$headers/.config" "$headers/Module.symvers"; do
	if [ ! -e "$f" ]; then
		echo "build-debian.sh: $f is missing (run: make deps)" >&2
		exit 1
	fi
done

if [ ! -e "$tree/.pcm-extracted" ]; then
	echo "  EXTRACT $tarball" >&2
	rm -rf "$tree" "$build/pristine"
	mkdir -p "$tree" "$build/pristine"
	tar -xf "$tarball" -C "$tree" --strip-components=1
	# shellcheck disable=SC2086 # word splitting of the path list is wanted
	(cd "$tree" && cp -a --parents $pristine_paths "$build/pristine/")
	touch "$tree/.pcm-extracted"
fi
# A path added to the list after the tree was extracted is still pristine.
for p in $pristine_paths; do
	[ -e "$build/pristine/$p" ] || (cd "$tree" && cp -a --parents "$p" "$build/pristine/")
done

# Apply host/ to a pristine copy of the paths it may touch, then copy into
# the tree only what differs, so make rebuilds only what changed.
rm -rf "$build/stage"
cp -a "$build/pristine" "$build/stage"
"$here/apply.sh" "$build/stage" >/dev/null
rsync -rlc "$build/stage/" "$tree/"

# Debian's configuration with CONFIG_KVM_PCM on, and without BTF: whether
# CONFIG_DEBUG_INFO_BTF_MODULES holds depends on pahole being installed
# (the 6.12 headers pull it in), and a silent oldconfig that flips it
# leaves a tree that wants vmlinux for every module.  Our modules carry no
# BTF either way (there is no vmlinux to split it from).
cp "$headers/.config" "$build/config.wanted"
"$tree/scripts/config" --file "$build/config.wanted" --enable KVM_PCM --module PCM_GUEST \
	--disable DEBUG_INFO_BTF
if ! cmp -s "$build/config.wanted" "$build/config.applied"; then
	echo "  CONFIG  Debian $kver + CONFIG_KVM_PCM, CONFIG_PCM_GUEST=m" >&2
	cp "$build/config.wanted" "$tree/.config"
	cp "$headers/Module.symvers" "$tree/Module.symvers"
	make -s -C "$tree" olddefconfig
	make -s -C "$tree" -j"$jobs" KERNELRELEASE="$kver" modules_prepare
	cp "$build/config.wanted" "$build/config.applied"
fi
for opt in CONFIG_KVM_PCM=y CONFIG_PCM_GUEST=m; do
	if ! grep -q "^$opt\$" "$tree/.config"; then
		echo "build-debian.sh: $opt did not stick in $tree/.config" >&2
		exit 1
	fi
done

make -s -C "$tree" -j"$jobs" KERNELRELEASE="$kver" M=arch/x86/kvm modules
mkdir -p "$build/host"
for m in kvm kvm-amd kvm-intel; do
	cp "$tree/arch/x86/kvm/$m.ko" "$build/host/$m.ko"
done
echo "  MODULES $build/host/{kvm,kvm-amd,kvm-intel}.ko for $kver" >&2
