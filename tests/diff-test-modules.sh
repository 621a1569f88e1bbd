#!/bin/sh
# diff-test-modules.sh — build the test modules of testsuite-data/ against
# the installed kernel headers and compare our modinfo with kmod's on them
# (kbuild gives each a build id: ours prints it, kmod 30 does not).
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

KMOD=$(kmod_tool modinfo) || missing_input_all "kmod's modinfo is not installed"
OURS=$(tool modinfo)
out="$top_builddir/tests/test-modules"
"$top_srcdir/tests/build-test-modules.sh" "$out" > /dev/null
case $? in
0) ;;
77) missing_input_all "no kernel headers found (install linux-headers-amd64)" ;;
*) echo "Bail out! building the test modules failed"; exit 1 ;;
esac

for ko in "$out"/*.ko; do
	name=$(basename "$ko")
	"$KMOD" "$ko" > "$out/kmod.out" 2>&1
	"$OURS" "$ko" > "$out/ours.full" 2>&1
	without_build_id "$out/ours.full" > "$out/ours.out"
	same "$out/kmod.out" "$out/ours.out" && grep -q '^build-id: ' "$out/ours.full"
	ok $? "modinfo $name"
done
"$OURS" -F parm "$out/hello.ko" > "$out/ours.out"
printf '%s\n' 'greeting:Number printed when loaded (default 0) (int)' \
	'name:Name printed when loaded (default "world") (charp)' > "$out/want.out"
same "$out/want.out" "$out/ours.out"
ok $? "hello's parameters, merged with their types"
[ "$("$OURS" -F depends "$out/mt_consumer.ko")" = mt_provider ]
ok $? "mt_consumer depends on mt_provider"
[ "$("$OURS" -F name "$out/mt_dash-name.ko")" = mt_dash_name ]
ok $? "mt_dash-name.ko is module mt_dash_name"
rm -f "$out/kmod.out" "$out/ours.out" "$out/ours.full" "$out/want.out"
done_testing
