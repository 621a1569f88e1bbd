#!/bin/sh
# test-exports.sh — libmodtool exports exactly the functions its header
# declares, each listed by name in lib/libmodtool.sym: nothing internal
# leaks out, and nothing declared is missing.
# shellcheck source=tests/common.sh
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

lib=$top_builddir/lib/.libs/libmodtool.so
[ -f "$lib" ] || missing_input_all "lib/.libs/libmodtool.so is not built"
command -v nm >/dev/null || missing_input_all "nm is not installed (binutils)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Declarations: every "mt_NAME(" of the header.
grep -o '\bmt_[a-z0-9_]*(' "$top_srcdir/lib/libmodtool.h" | tr -d '(' | sort -u > "$work/declared"
sed -n 's/^\t\(mt_[a-z0-9_]*\);$/\1/p' "$top_srcdir/lib/libmodtool.sym" | sort > "$work/listed"
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }' | sed 's/@.*//' |
	sort -u > "$work/exported"

[ -s "$work/declared" ]
ok $? "the header declares functions ($(wc -l < "$work/declared"))"
same "$work/declared" "$work/listed"
ok $? "libmodtool.sym lists exactly the declared functions"
sort "$work/listed" | uniq -d > "$work/twice"
[ ! -s "$work/twice" ]
ok $? "libmodtool.sym lists each function once"
same "$work/declared" "$work/exported"
ok $? "the library exports exactly the declared functions, nothing else"
nm -D --defined-only "$lib" | awk '$3 ~ /^mt_/ && $3 !~ /@@LIBMODTOOL_0$/' > "$work/unversioned"
[ ! -s "$work/unversioned" ]
ok $? "every export carries the version LIBMODTOOL_0"
done_testing
