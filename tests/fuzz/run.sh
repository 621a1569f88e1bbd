#!/bin/sh
# run.sh — the fuzzing run of `make fuzz`, from the build directory:
#   run.sh SRCDIR SECONDS TARGET...
# runs fuzz/fuzz-TARGET for SECONDS over its working corpus fuzz/corpus/TARGET
# (kept between runs, seeded from SRCDIR/tests/fuzz/corpus/TARGET and
# regress/TARGET) with the target's dictionary, one target after the other.
# Prints a line per target with its executions; a finding (crash, leak,
# undefined behaviour, timeout, memory blow-up) is kept in
# fuzz/findings/TARGET/ and fails the run; findings of earlier runs stay
# there and are not counted again.
set -u
srcdir=$1 seconds=$2
shift 2
mkdir -p fuzz
marker=fuzz/.run-start
# The targets write their inputs to files: a memory file system is faster.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
	TMPDIR=/dev/shm
	export TMPDIR
fi

# run_target TARGET: the libFuzzer run, its output in fuzz/TARGET.log.
run_target() {
	set -- "$1" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2560 \
		-print_final_stats=1 -artifact_prefix="fuzz/findings/$1/"
	[ -f "$srcdir/tests/fuzz/$1.dict" ] && set -- "$@" -dict="$srcdir/tests/fuzz/$1.dict"
	set -- "$@" "fuzz/corpus/$1"
	for dir in "$srcdir/tests/fuzz/corpus/$1" "$srcdir/tests/fuzz/regress/$1"; do
		[ -d "$dir" ] && set -- "$@" "$dir"
	done
	t=$1
	shift
	fuzz/fuzz-"$t" "$@" > "fuzz/$t.log" 2>&1
}

status=0
for t in "$@"; do
	findings=fuzz/findings/$t log=fuzz/$t.log
	mkdir -p "fuzz/corpus/$t" "$findings"
	touch "$marker"
	run_target "$t"
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	units=$(find "fuzz/corpus/$t" -type f | wc -l)
	found=$(find "$findings" -type f -newer "$marker" | wc -l)
	if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
		status=1
		echo "fuzz-$t: FAILED (exit $rc) after ${runs:-?} executions; findings:"
		find "$findings" -type f -newer "$marker" | sed 's/^/  /'
		grep -m 1 -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | sed 's/^/  /'
		echo "  log: $log"
	else
		echo "fuzz-$t: ${runs:-?} executions in $seconds s, $units inputs in its corpus, no findings"
	fi
done
exit $status
