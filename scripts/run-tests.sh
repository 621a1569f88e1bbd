#!/bin/sh
# run-tests.sh — set up, then build and run every test twice: a -Werror
# build, and an ASan+UBSan build; then run each fuzz target for
# FUZZ_TIME seconds (60 by default, `make fuzz` in the -Werror build tree),
# a finding failing the run.  Ends with the line "N passed, N failed,
# N skipped".  The tests see CI from the environment: with CI=true (as
# .ci/run exports it) a missing input fails instead of skipping.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/setup.sh"
cd "$top"
./autogen.sh > /dev/null 2>&1

status=0
for variant in werror sanitizers; do
	dir="$top/build-$variant"
	mkdir -p "$dir"
	echo "== $variant build"
	(cd "$dir" && "$top/configure" -q --enable-werror \
		$([ "$variant" = sanitizers ] && echo --enable-sanitizers) &&
		make -s -j"$(nproc)" && make -s -j"$(nproc)" check) || status=1
done

echo "== fuzzing, ${FUZZ_TIME:-60} s per target"
fuzz_status=0
(cd "$top/build-werror" && make -s -j"$(nproc)" fuzz FUZZ_TIME="${FUZZ_TIME:-60}") || fuzz_status=1

passed=$(cat "$top"/build-*/tests/*.trs 2>/dev/null | grep -c '^:test-result: \(PASS\|XFAIL\)' || true)
skipped=$(cat "$top"/build-*/tests/*.trs 2>/dev/null | grep -c '^:test-result: SKIP' || true)
failed=$(cat "$top"/build-*/tests/*.trs 2>/dev/null | grep -c '^:test-result: \(FAIL\|XPASS\|ERROR\)' || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1	# the build itself failed
fi
if [ "$fuzz_status" -ne 0 ]; then
	echo "fuzzing failed: see the findings above"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
