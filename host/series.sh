# shellcheck shell=bash
# Reading host/series, for host/apply.sh and scripts/make-series (sourced;
# they set $here to host/).
: "${here:?series.sh: set here to the host/ directory first}"

# One line per patch: its hook's file name, then the repository files it
# adds (the entry's continuation lines joined, comments dropped).
series_entries() {
	sed -e 's/#.*//' "$here/series" | sed -e ':a' -e '/\\$/N; s/\\\n//; ta' |
		tr -s ' \t' ' ' | sed -e 's/^ //' -e 's/ $//' -e '/^$/d'
}

# The base a kernel tree $1 is (its VERSION.PATCHLEVEL: 6.1, 6.12): the
# hooks for it are in host/patches/<base>/, one per entry of host/series,
# each cut from a git branch on that base (the kernels differ around the
# hooks, not in the files the series adds).
series_base() {
	local base

	base=$(sed -n -e 's/^VERSION = \([0-9]*\)$/\1/p' -e 's/^PATCHLEVEL = \([0-9]*\)$/.\1/p' \
		"$1/Makefile" 2>/dev/null | tr -d '\n')
	if [ -z "$base" ] || [ ! -d "$here/patches/$base" ]; then
		echo "series.sh: no hooks for Linux '${base:-?}' ($1): host/patches has $(ls "$here/patches")" >&2
		return 1
	fi
	echo "$base"
}

# The base of Debian kernel release $1 (6.1.0-57-amd64: 6.1,
# 6.12.118+deb12-amd64: 6.12): its linux-source-<base> and hook set.
release_base() {
	local major minor

	IFS=. read -r major minor _ <<<"$1"
	echo "$major.$minor"
}

# The hooks for base $1, as paths, in order.
series_hooks() {
	series_entries | while read -r hook _; do
		echo "$here/patches/$1/$hook"
	done
}

# Where a repository file goes in the kernel tree.
kpath() {
	case $1 in
	host/*)			echo "${1#host/}" ;;
	selftests/kvm/*)	echo "tools/testing/selftests/kvm/${1#selftests/kvm/}" ;;
	selftests/pcm/*)	echo "tools/testing/selftests/pcm/${1#selftests/pcm/}" ;;
	guest/*)		echo "drivers/virt/pcm/${1#guest/}" ;;
	Kconfig)		echo "drivers/virt/pcm/Kconfig" ;;
	Documentation/*)	echo "$1" ;;
	*)	echo "series.sh: no kernel path for $1" >&2
		return 1 ;;
	esac
}
