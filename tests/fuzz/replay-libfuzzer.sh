#!/bin/sh
# replay-libfuzzer.sh — every seed and regression input of each fuzz target
# (tests/fuzz/corpus/NAME, tests/fuzz/regress/NAME) run once through the
# libFuzzer build of the target, fuzz/fuzz-NAME: clang's ASan, UBSan and
# LeakSanitizer, as `make fuzz` runs them.  They catch findings that the
# GCC sanitizers build of replay-NAME does not (UBSan's zero offset applied
# to a null pointer, for one), so that each fixed finding stays fixed.
# One TAP line per input; a failure shows the sanitizer's report.
# shellcheck source=tests/common.sh
. "${top_srcdir:-$(dirname "$0")/../..}/tests/common.sh"

targets="elf file index config depmod depmod-cache"
for t in $targets; do
	[ -x "$top_builddir/fuzz/fuzz-$t" ] ||
		missing_input_all "fuzz/fuzz-$t is not built (configure found no clang with libFuzzer)"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TMPDIR=$work
export TMPDIR

for t in $targets; do
	n=0
	for input in "$top_srcdir/tests/fuzz/corpus/$t"/* "$top_srcdir/tests/fuzz/regress/$t"/*; do
		[ -f "$input" ] || continue
		n=$((n + 1))
		name=${input#"$top_srcdir/tests/fuzz/"}
		"$top_builddir/fuzz/fuzz-$t" "$input" > "$work/log" 2>&1
		status=$?
		[ "$status" -ne 0 ] && grep -E 'ERROR|SUMMARY|runtime error|^fuzz' "$work/log" |
			head -n 5 | sed 's/^/# /'
		ok "$status" "fuzz-$t: $name"
	done
	[ "$n" -gt 0 ]
	ok $? "fuzz-$t has inputs ($n)"
done
done_testing
