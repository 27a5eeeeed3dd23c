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

# The hooks, as paths, in order.
series_hooks() {
	series_entries | while read -r hook _; do
		echo "$here/patches/$hook"
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
