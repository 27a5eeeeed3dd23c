#!/bin/bash
# Build the patched kvm.ko, kvm-amd.ko and kvm-intel.ko for one of Debian's
# stock kernels from its linux-source package with host/ applied:
#   host/build-debian.sh [build dir] [release]
# release defaults to linux-image-amd64's (scripts/debian-kver, Linux 6.1);
# another, such as Debian 12's 6.12 kernel (scripts/guest-kernels boot),
# is built from linux-source-<its VERSION.PATCHLEVEL> with its headers'
# configuration.  The modules land in <build dir>/host/ (the default
# release) or <build dir>/host-<release>/.  The kernel tree is extracted
# once and kept; a second run rebuilds only what host/ changed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
# shellcheck source=host/series.sh
. "$here/series.sh"
build=$(mkdir -p "${1:-$top/build}" && cd "${1:-$top/build}" && pwd)
default_kver=$("$top/scripts/debian-kver")
kver=${2:-$default_kver}
headers=/usr/src/linux-headers-$kver
tarball=/usr/src/linux-source-$(release_base "$kver").tar.xz
suffix=''
[ "$kver" = "$default_kver" ] || suffix=-$kver
tree=$build/linux$suffix
modules=$build/host$suffix
jobs=${JOBS:-$(nproc)}
# Where host/ may change files; kept pristine so host/ can be re-applied.
pristine_paths="arch/x86/kvm arch/x86/include include/uapi/linux
	include/linux/kvm_host.h virt/kvm tools/testing/selftests/kvm drivers/virt
	tools/testing/selftests/Makefile Documentation/virt/kvm/x86 MAINTAINERS
	Makefile"

for f in "$tarball" "$headers/.config" "$headers/Module.symvers"; do
	if [ ! -e "$f" ]; then
		echo "build-debian.sh: $f is missing (run: make deps)" >&2
		exit 1
	fi
done

if [ ! -e "$tree/.pcm-extracted" ]; then
	echo "  EXTRACT $tarball" >&2
	rm -rf "$tree" "$build/pristine$suffix"
	mkdir -p "$tree" "$build/pristine$suffix"
	tar -xf "$tarball" -C "$tree" --strip-components=1
	# shellcheck disable=SC2086 # word splitting of the path list is wanted
	(cd "$tree" && cp -a --parents $pristine_paths "$build/pristine$suffix/")
	touch "$tree/.pcm-extracted"
fi
# A path added to the list after the tree was extracted is still pristine.
for p in $pristine_paths; do
	[ -e "$build/pristine$suffix/$p" ] || (cd "$tree" && cp -a --parents "$p" "$build/pristine$suffix/")
done

# Apply host/ to a pristine copy of the paths it may touch, then copy into
# the tree only what differs, so make rebuilds only what changed.
rm -rf "$build/stage$suffix"
cp -a "$build/pristine$suffix" "$build/stage$suffix"
"$here/apply.sh" "$build/stage$suffix" >/dev/null
rsync -rlc "$build/stage$suffix/" "$tree/"

# Debian's configuration with CONFIG_KVM_PCM on, BTF included: struct
# module differs with CONFIG_DEBUG_INFO_BTF_MODULES (6.12 has its BTF
# pointers before the exit function's), and the kernel finds a module's
# init and exit where its own struct module has them.  That option needs
# pahole (install-deps), or a silent olddefconfig drops it; kbuild skips
# the modules' BTF itself (there is no vmlinux to split it from).
cp "$headers/.config" "$build/config$suffix.wanted"
"$tree/scripts/config" --file "$build/config$suffix.wanted" --enable KVM_PCM --module PCM_GUEST
if ! cmp -s "$build/config$suffix.wanted" "$build/config$suffix.applied"; then
	echo "  CONFIG  Debian $kver + CONFIG_KVM_PCM, CONFIG_PCM_GUEST=m" >&2
	cp "$build/config$suffix.wanted" "$tree/.config"
	cp "$headers/Module.symvers" "$tree/Module.symvers"
	make -s -C "$tree" olddefconfig
	make -s -C "$tree" -j"$jobs" KERNELRELEASE="$kver" modules_prepare
	cp "$build/config$suffix.wanted" "$build/config$suffix.applied"
fi
for opt in CONFIG_KVM_PCM=y CONFIG_PCM_GUEST=m \
	$(grep '^CONFIG_DEBUG_INFO_BTF_MODULES=' "$headers/.config"); do
	if ! grep -q "^$opt\$" "$tree/.config"; then
		echo "build-debian.sh: $opt did not stick in $tree/.config" >&2
		exit 1
	fi
done

make -s -C "$tree" -j"$jobs" KERNELRELEASE="$kver" M=arch/x86/kvm modules
# Where each module's struct module has its init and exit pointers (the
# relocations of .gnu.linkonce.this_module): what the running kernel reads.
this_module_layout() {
	readelf -rW "$1" | sed -n '/\.rela\.gnu\.linkonce\.this_module/,/^$/p' |
		awk '$3 == "R_X86_64_64" { print $1, $5 }'
}
mkdir -p "$modules"
for m in kvm kvm-amd kvm-intel; do
	stock=$(find "/lib/modules/$kver/kernel/arch/x86/kvm" -name "$m.ko*" | head -n 1)
	if [ -n "$stock" ]; then
		case $stock in
		*.xz) xz -dc "$stock" ;;
		*.zst) zstd -qdc "$stock" ;;
		*) cat "$stock" ;;
		esac >"$build/stock-$m.ko"
		if [ "$(this_module_layout "$build/stock-$m.ko")" != \
			"$(this_module_layout "$tree/arch/x86/kvm/$m.ko")" ]; then
			echo "build-debian.sh: $m.ko's struct module differs from Debian's $kver $m.ko" \
				"(init/exit at other offsets): the configuration does not match" >&2
			exit 1
		fi
		rm -f "$build/stock-$m.ko"
	fi
	cp "$tree/arch/x86/kvm/$m.ko" "$modules/$m.ko"
done
echo "  MODULES $modules/{kvm,kvm-amd,kvm-intel}.ko for $kver" >&2
