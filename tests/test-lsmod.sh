#!/bin/sh
# test-lsmod.sh — lsmod under the shim on the /proc/modules samples of
# testsuite-data/lsmod/: stdout identical to kmod's lsmod on the same fake
# system, the messages kmod 34.2 prints for broken state, and a missing
# /proc/modules; lsmod --json (and kmod list --json) parsed back with
# Python's json module, validated against data/lsmod.schema.json, equal to
# the table, with the state and taint of the fake /sys/module.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

[ -f "${MT_SHIM:-}" ] || missing_input_all "the shim is not built"
OURS=$(tool lsmod)
KMOD=$(kmod_tool lsmod) || KMOD=
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# make_root SAMPLE ROOT: /proc/modules plus the /sys/module state it implies.
make_root() {
	mkdir -p "$2/proc" "$2/sys/module"
	cp "$1" "$2/proc/modules"
	while read -r mod size refcnt holders state _ taint; do
		[ "$mod" = ghost ] && continue
		d="$2/sys/module/$(echo "$mod" | tr - _)"
		mkdir -p "$d"
		case $state in
		Live) echo live > "$d/initstate" ;;
		Loading) echo coming > "$d/initstate" ;;
		Unloading) echo going > "$d/initstate" ;;
		esac
		echo "$taint" | tr -d '()' > "$d/taint"
		case $mod in
		badrefcnt) echo many > "$d/refcnt" ;;
		norefcnt) ;;
		*) echo "$refcnt" > "$d/refcnt" ;;
		esac
		[ "$mod" = nocoresize ] || echo "$size" > "$d/coresize"
		[ "$mod" = noholders ] && continue
		mkdir -p "$d/holders"
		for h in $(echo "$holders" | tr , ' '); do
			[ "$h" = - ] || : > "$d/holders/$h"
		done
	done < "$2/proc/modules"
}

run() {	# run ROOT TOOL [ARG...] — output in $work/out, $work/err, status in $rc
	run_root=$1 run_tool=$2
	shift 2
	MT_SHIM_ROOT=$run_root LD_PRELOAD=$MT_SHIM "$run_tool" "$@" > "$work/out" 2> "$work/err"
	rc=$?
}

for sample in "$top_srcdir"/testsuite-data/lsmod/*.modules; do
	name=$(basename "$sample" .modules)
	make_root "$sample" "$work/$name"
	run "$work/$name" "$OURS"
	cp "$work/out" "$work/ours.out"
	[ "$rc" = 0 ]
	ok $? "lsmod on $name succeeds"
	if [ -n "$KMOD" ]; then
		run "$work/$name" "$KMOD"
		same "$work/out" "$work/ours.out"
		ok $? "lsmod on $name: same output as kmod"
	else
		missing_input "lsmod on $name: same output as kmod" "kmod's lsmod is not installed"
	fi
done

# --json: the same modules, the same messages on stderr.
if command -v python3 > /dev/null; then
	for sample in "$top_srcdir"/testsuite-data/lsmod/*.modules; do
		name=$(basename "$sample" .modules)
		run "$work/$name" "$OURS"
		mv "$work/out" "$work/table"
		mv "$work/err" "$work/table.err"
		for cmd in lsmod "kmod list"; do
			if [ "$cmd" = lsmod ]; then
				run "$work/$name" "$OURS" --json
			else
				run "$work/$name" "$(tool kmod)" list --json
				sed -i 's/^list: /lsmod: /' "$work/err"
			fi
			[ "$rc" = 0 ] && python3 "$top_srcdir/tests/json-check.py" lsmod \
				"$top_srcdir/data/lsmod.schema.json" "$work/out" "$work/table" "$work/$name" &&
				same "$work/table.err" "$work/err"
			ok $? "$cmd --json on $name: the table's modules, state and taint"
		done
	done
else
	missing_input "lsmod --json" "python3 is not installed"
fi

# The odd sample, line by line, as kmod 34.2 shows it (holders in directory
# order).
xy_holders=$(ls -U "$work/odd/sys/module/x_y/holders" | paste -sd, -)
cat > "$work/want" <<OUT
Module                  Size  Used by
a_very_long_module_name_here     4096  0
ghost                     -2  -2
x_y                    12288  3 $xy_holders
nocoresize             16384  0
badrefcnt              20480  -22
norefcnt               24576  -2
noholders              28672  0
OUT
run "$work/odd" "$OURS"
same "$work/want" "$work/out"
ok $? "odd sample: errors shown as negative numbers"
cat > "$work/want" <<'OUT'
lsmod: ERROR: could not open '/sys/module/ghost/holders': No such file or directory
lsmod: ERROR: could not read integer from '/sys/module/badrefcnt/refcnt': 'Invalid argument'
lsmod: ERROR: could not open '/sys/module/noholders/holders': No such file or directory
OUT
same "$work/want" "$work/err"
ok $? "odd sample: one clear message per broken state"

mkdir -p "$work/empty/proc"
run "$work/empty" "$OURS"
printf '%s\n' "lsmod: ERROR: could not open /proc/modules: No such file or directory" \
	"lsmod: ERROR: could not get list of modules: No such file or directory" > "$work/want"
same "$work/want" "$work/err" && [ "$rc" = 1 ] && [ ! -s "$work/out" ]
ok $? "no /proc/modules (kernel without module support): clear error, exit 1"

run "$work/empty" "$OURS" --json
printf '%s\n' "lsmod: ERROR: could not open /proc/modules: No such file or directory" \
	"lsmod: ERROR: could not get list of modules: No such file or directory" > "$work/want"
same "$work/want" "$work/err" && [ "$rc" = 1 ] && [ ! -s "$work/out" ]
ok $? "--json without /proc/modules: the same error, no document, exit 1"

MT_SHIM_ROOT=$work/odd LD_PRELOAD=$MT_SHIM "$OURS" extra > "$work/out" 2> "$work/err"
rc=$?
echo "lsmod: ERROR: too many arguments provided." > "$work/want"
same "$work/want" "$work/err" && [ "$rc" = 1 ]
ok $? "an operand is refused"
done_testing
