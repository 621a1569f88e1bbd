#!/bin/sh
# test-modprobe-interrupt.sh — modprobe stopped in the middle of loading a
# dependency chain (mt_a needs mt_b needs mt_c) on a fake system under the
# shim: by SIGINT, SIGTERM or SIGKILL while the kernel loads mt_b (a call
# the shim makes slow with MT_SHIM_DELAY), or, as Ctrl-C or a service
# manager would, by a signal to its process group while an install command
# runs.  modprobe keeps nothing on disk: what the interrupted run loaded
# stays loaded, the rest is not, and running the same modprobe again
# finishes the chain, skipping what is loaded, as kmod's modprobe does from
# the same state.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

[ -f "${MT_SHIM:-}" ] || missing_input_all "the shim is not built"
KMOD=$(kmod_tool modprobe) || missing_input_all "kmod's modprobe is not installed"
OURS=$(tool modprobe)
GENMOD="$top_builddir/tests/genmod"
VER=9.9.9-test
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree="$work/tree"
kdir="$tree/lib/modules/$VER/kernel"
mkdir -p "$kdir" "$tree/etc/modprobe.d" "$tree/proc" "$tree/sys/module"
"$GENMOD" -o "$kdir/mt_c.ko" --name mt_c --modinfo name=mt_c --export mt_c_fn
"$GENMOD" -o "$kdir/mt_b.ko" --name mt_b --modinfo name=mt_b --export mt_b_fn --import mt_c_fn
"$GENMOD" -o "$kdir/mt_a.ko" --name mt_a --modinfo name=mt_a --import mt_b_fn
"$GENMOD" -o "$kdir/mt_i.ko" --name mt_i --modinfo name=mt_i --import mt_c_fn
"$(tool depmod)" -b "$tree" "$VER" 2> /dev/null || echo "Bail out! depmod failed"
: > "$tree/proc/modules"
# The install command of mt_i loads it after a pause while $work/slow exists.
cat > "$tree/etc/modprobe.d/test.conf" <<EOF
install mt_i /bin/sh -c 'if [ -e $work/slow ]; then : > $work/started; sleep 10; fi; $OURS --ignore-install mt_i'
EOF

# run ROOT LOG DELAY TOOL ARGS... — a modprobe on the fake system ROOT
# (MT_SHIM_DELAY=DELAY), in the background (its pid in $pid, also its
# process group), with SIGINT and SIGTERM at their defaults (a background
# job of sh ignores SIGINT)
run() {
	r=$1 log=$2 delay=$3 t=$4
	shift 4
	MT_SHIM_ROOT=$r MT_SHIM_UNAME_R=$VER MT_SHIM_LOG=$log MT_SHIM_DELAY=$delay LD_PRELOAD=$MT_SHIM \
		env --default-signal=INT,TERM setsid "$t" "$@" > "$log.out" 2> "$log.err" &
	pid=$!
}

# wait_for FILE [TEXT] — until FILE exists (and holds a line TEXT); 1
# after 20 s
wait_for() {
	n=0
	until [ -e "$1" ] && { [ $# -eq 1 ] || grep -qxF "$2" "$1"; }; do
		n=$((n + 1))
		[ $n -gt 400 ] && return 1
		sleep 0.05
	done
}

# state ROOT — the loaded modules as /proc/modules and /sys/module show them
state() {
	cut -d' ' -f1 "$1/proc/modules" | tr '\n' ' '
	echo "/" $(ls "$1/sys/module")
}

# interrupt WHO TOOL SIG HOW ARGS... — TOOL (as WHO) on a fresh copy of the
# tree in $work/WHO, stopped with SIG: "call" while the shim holds mt_b's
# finit_module, "group" to its process group while the install command
# runs.  Leaves $work/WHO.log (module calls), .out (with the exit status)
# and .err.
interrupt() {
	who=$1 t=$2 sig=$3 how=$4
	shift 4
	rm -rf "$work/$who" "$work/started"
	cp -a "$tree" "$work/$who"
	: > "$work/$who.log"
	if [ "$how" = call ]; then
		run "$work/$who" "$work/$who.log" mt_b@finit_module:20000 "$t" "$@"
		wait_for "$work/$who.log" 'finit_module mt_b params="" flags=0x0' ||
			echo "# $who did not reach mt_b"
		kill -$sig $pid
	else
		: > "$work/slow"
		run "$work/$who" "$work/$who.log" "" "$t" "$@"
		wait_for "$work/started" || echo "# the install command did not start"
		kill -$sig -$pid
	fi
	wait $pid 2> /dev/null
	echo "exit $?" >> "$work/$who.log.out"
	rm -f "$work/slow"
	sed -i "s|$t|modprobe|g" "$work/$who.log.err"
}

# rerun WHO TOOL ARGS... — TOOL again on the root interrupt left
rerun() {
	who=$1 t=$2
	shift 2
	: > "$work/$who.log"
	run "$work/$who" "$work/$who.log" "" "$t" "$@"
	wait $pid
	echo "exit $?" >> "$work/$who.log.out"
	sed -i "s|$t|modprobe|g" "$work/$who.log.err"
}

# like_kmod — ours and kmod's made the same module calls and, unless
# $expected names a file of what ours must print (stderr, then the exit
# status), gave the same output and status
like_kmod() {
	same "$work/kmod.log" "$work/ours.log" || return 1
	if [ -n "$expected" ]; then
		cat "$work/ours.log.err" "$work/ours.log.out" > "$work/ours.all"
		same "$expected" "$work/ours.all"
	else
		same "$work/kmod.log.out" "$work/ours.log.out" &&
			same "$work/kmod.log.err" "$work/ours.log.err"
	fi
}

# chain SIG HOW MODULE WANT WANT-AFTER — interrupted, then run again
chain() {
	sig=$1 how=$2 mod=$3
	for who in ours kmod; do
		t=$OURS
		[ $who = kmod ] && t=$KMOD
		interrupt $who "$t" "$sig" "$how" "$mod"
	done
	got=$(state "$work/ours")
	[ "$got" = "$4" ] || echo "# loaded: $got"
	like_kmod && [ "$got" = "$4" ]
	ok $? "SIG$sig ($how): $(tail -n 1 "$work/ours.log.out"), loaded: $4; ${expected:+calls }as kmod's modprobe"
	expected=
	for who in ours kmod; do
		t=$OURS
		[ $who = kmod ] && t=$KMOD
		rerun $who "$t" "$mod"
	done
	got=$(state "$work/ours")
	[ "$got" = "$5" ] || echo "# loaded after the rerun: $got"
	like_kmod && [ "$got" = "$5" ]
	ok $? "SIG$sig ($how): the same modprobe again loads the rest ($5), as kmod's does"
}

expected=
for sig in INT TERM KILL; do
	chain $sig call mt_a "mt_c / mt_c" "mt_c mt_b mt_a / mt_a mt_b mt_c"
done
printf 'finit_module mt_b params="" flags=0x0\nfinit_module mt_a params="" flags=0x0\n' \
	> "$work/want.log"
same "$work/want.log" "$work/ours.log"
ok $? "the rerun loads mt_b and mt_a and skips mt_c"

# Ctrl-C (SIGINT to the process group) or a stop of the service (SIGTERM
# to it) while the install command of mt_i runs.  modprobe, waiting in
# system(), ignores SIGINT: the command dies of it, which is a failure.
# (kmod 30 takes a command killed by a signal for a success, exit 0, with
# the module not loaded: it looks only at WEXITSTATUS.)
command=$(sed -n "s/^install mt_i //; s|$OURS|modprobe|p" "$tree/etc/modprobe.d/test.conf")
cat > "$work/int.expected" <<EOF
modprobe: ERROR: Error running install command '$command' for module mt_i: retcode -1
modprobe: ERROR: could not insert 'mt_i': Invalid argument
exit 1
EOF
expected=$work/int.expected
chain INT group mt_i "mt_c / mt_c" "mt_c mt_i / mt_c mt_i"
chain TERM group mt_i "mt_c / mt_c" "mt_c mt_i / mt_c mt_i"

done_testing
