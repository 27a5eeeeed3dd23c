# shellcheck shell=bash
# What scripts/lint and scripts/series-check let through of checkpatch on
# a patch (sourced).  One exception, upstream's own idiom: an X-macro that
# declares struct members ends in a semicolon (KVM_X86_OP in kvm_host.h
# does too); the PCM statistics are declared that way
# (<asm/kvm_pcm_stats.h>).  Only a warning on exactly such a line is let
# through.
xmacro_member='^\+#define KVM_PCM_V(M|CPU)_STAT\(name\)	u64 name;$'

# checkpatch_filter PATCH: checkpatch --terse --show-types output for PATCH
# on stdin; prints every finding that is not let through.
checkpatch_filter() {
	local line

	grep -v ' 0 errors, 0 warnings, 0 checks' |
		while IFS= read -r line; do
			if [[ "$line" =~ :([0-9]+):\ WARNING:TRAILING_SEMICOLON: ]] &&
				sed -n "${BASH_REMATCH[1]}p" "$1" | grep -qE "$xmacro_member"; then
				continue
			fi
			[[ "$line" =~ ^total:\ 0\ errors,\ [0-9]+\ warnings ]] && continue
			echo "$line"
		done
}
