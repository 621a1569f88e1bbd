#!/bin/sh
# test-kmod-log.sh — KMOD_LOG at tool level: it sets the priority of the
# library's messages until the tool configures its context (modprobe's
# configuration errors, which -q and -v do not touch), and of all of them in
# modinfo, which never configures it; the tool's own threshold (-v, -q)
# is not moved by it.  modprobe is compared with kmod's on the same input.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

OURS=$(tool modprobe)
MODINFO=$(tool modinfo)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/lib/modules/0.0-none"
printf 'bogus line here\noptions\nalias my-thing dummy\n' > "$work/bad.conf"

# run_both KMOD_LOG ARGS... — both modprobes with KMOD_LOG set (or unset
# when empty); stdout, stderr and status must agree.  kmod prints library
# messages as "libkmod: LEVEL[ source:line] FUNC: text", we as the tool's
# "modprobe: LEVEL: text"; its DEBUG and INFO lines (kmod's internals, which
# only KMOD_LOG=debug or info shows) have no counterpart in ours.
run_both() {
	level=$1
	shift
	env ${level:+KMOD_LOG=$level} "$KMOD" "$@" > "$work/kmod.out" 2> "$work/kmod.err"
	echo $? >> "$work/kmod.out"
	env ${level:+KMOD_LOG=$level} "$OURS" "$@" > "$work/ours.out" 2> "$work/ours.err"
	echo $? >> "$work/ours.out"
	sed -i -E "/^libkmod: (DEBUG|INFO)/d; s|$KMOD|modprobe|g; s|$OURS|modprobe|g;
		s/^libkmod: ([A-Z]+)( [^ ]*)? ?[a-z_]+: /modprobe: \\1: /" "$work/kmod.err" "$work/ours.err"
	same "$work/kmod.out" "$work/ours.out" && same "$work/kmod.err" "$work/ours.err"
}

errors_in() {	# errors_in FILE — the number of configuration errors in it
	grep -c "ignoring bad line" "$1"
}

if KMOD=$(kmod_tool modprobe); then
	for level in "" 3 err errors 6 info debug; do
		for v in -c "-q -c" "-v -c"; do
			# shellcheck disable=SC2086
			run_both "$level" -d "$work/root" -S 0.0-none -C "$work/bad.conf" $v &&
				[ "$(errors_in "$work/ours.err")" = 2 ]
			ok $? "KMOD_LOG='$level' modprobe $v: both configuration errors, as kmod"
		done
	done
	for level in 0 2 warning ERR; do
		for v in -c "-v -c"; do
			# shellcheck disable=SC2086
			run_both "$level" -d "$work/root" -S 0.0-none -C "$work/bad.conf" $v &&
				[ "$(errors_in "$work/ours.err")" = 0 ]
			ok $? "KMOD_LOG='$level' modprobe $v: no configuration error, as kmod"
		done
	done
	# After configuration the tool's threshold rules: KMOD_LOG=0 does not
	# hide the FATAL, KMOD_LOG=debug does not show more with -q.
	for level in 0 debug; do
		run_both "$level" -d "$work/root" -S 0.0-none -C "$work/bad.conf" no-such-module &&
			grep -q 'FATAL: Module no-such-module not found' "$work/ours.err"
		ok $? "KMOD_LOG=$level modprobe of a missing module: the FATAL, as kmod"
		run_both "$level" -q -d "$work/root" -S 0.0-none -C "$work/bad.conf" no-such-module &&
			! grep -q 'FATAL' "$work/ours.err"
		ok $? "KMOD_LOG=$level modprobe -q of a missing module: silent, as kmod"
	done
else
	missing_input "modprobe under KMOD_LOG against kmod's" "kmod's modprobe is not installed"
fi

# modinfo: every library message is under KMOD_LOG (kmod 30 has no message
# for a truncated .ko.xz, so ours stands alone here).
if "$MODINFO" -V | grep -q '+XZ'; then
	genmod=$top_builddir/tests/genmod
	"$genmod" -o "$work/m.ko" --name m
	xz -c "$work/m.ko" | head -c 40 > "$work/trunc.ko.xz"
	for level in "" 3 err debug; do
		env ${level:+KMOD_LOG=$level} "$MODINFO" "$work/trunc.ko.xz" > /dev/null 2> "$work/err"
		grep -q "^modinfo: ERROR: $work/trunc.ko.xz: xz: " "$work/err"
		ok $? "KMOD_LOG='$level' modinfo of a truncated .ko.xz: the library's xz error"
	done
	for level in 0 2 warning; do
		env KMOD_LOG=$level "$MODINFO" "$work/trunc.ko.xz" > /dev/null 2> "$work/err"
		! grep -q ': xz: ' "$work/err" && grep -q 'could not get modinfo' "$work/err"
		ok $? "KMOD_LOG=$level modinfo of a truncated .ko.xz: only the tool's own error"
	done
else
	skip "modinfo under KMOD_LOG" "built without XZ"
fi
done_testing
