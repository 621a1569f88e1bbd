#!/bin/sh
# test-depmod-faults.sh — our depmod writing the installed tree's indexes
# when things go wrong: killed with SIGKILL at random points (200 times by
# default, MT_FAULT_KILLS; the delays from MT_FAULT_SEED, else the time),
# on a full filesystem, in a read-only directory, two or three at once,
# and with the file calls that the writing falls back from made to fail
# (under the shim), and the cache of --incremental killed and failing
# as the indexes.  After each, every index must be whole: equal to a
# completed run's, or to the previous file; a failure must say what failed
# and leave the previous indexes byte-identical; and no temporary file may
# remain once a later run has completed.  (Right after a kill one may: the
# unnamed files get their temporary names just before the renames, and a
# kill between the two leaves them.  How many kills did is reported.)
#
# Each killed run is first stopped (SIGSTOP) to see whether it has a file
# of the output directory open: a kill while writing.  Half of the kills
# come at a random point after the run is seen writing, and at least a
# tenth of all must find it so.
#
# The tree is the installed one's modules (a symlink: nothing is written
# there) with a copy of its modules.order and modules.builtin*.  The full
# and read-only filesystems are small tmpfs mounted in a private mount
# namespace (unshare -m as root, unshare -rm otherwise); without one, the
# shim makes the file calls fail with their errors.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no module tree under /lib/modules (install linux-image-amd64)"
OURS=$(tool depmod)
GENMOD=$top_builddir/tests/genmod
V=$(basename "$TREE")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
W=$(cd "$W" && pwd -P)	# as the kernel shows the files open under it
chmod 755 "$W"
ROOT=$W/root
D=$ROOT/lib/modules/$V
OUTPUTS="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
modules.builtin.alias.bin modules.devname"
N_OUTPUTS=$(echo $OUTPUTS | wc -w)
CACHE_NAME=modules.depmod-cache.bin
KILLS=${MT_FAULT_KILLS:-200}
# Set for the runs of kill_runs: more options of depmod, a command run
# before each run, and a check of the directory after each.
EXTRA_ARGS= KILL_SETUP= KILL_CHECK=

# tree DIR — a module directory of the installed tree's modules
tree() {
	mkdir -p "$1"
	ln -s "$TREE/kernel" "$1/kernel"
	cp "$TREE/modules.order" "$TREE/modules.builtin" "$TREE/modules.builtin.modinfo" "$1/"
}

# temporaries DIR — the names of temporary files left in DIR
temporaries() {
	ls -a "$1" | grep -E '^modules\..+\.[0-9]+\.[0-9]+\.[0-9]+$'
}

# whole DIR REF — every output of DIR equal to the one in REF
whole() {
	for f in $OUTPUTS; do
		if ! cmp -s "$1/$f" "$2/$f"; then
			echo "# $f is not whole: $(wc -c < "$1/$f" 2> /dev/null || echo missing) bytes"
			return 1
		fi
	done
}

# previous DIR — replace every output by a small file of its own
previous() {
	for f in $OUTPUTS; do
		echo "previous $f" > "$1/$f"
	done
}

# unchanged DIR — the files of previous() still there, and nothing else
unchanged() {
	u_status=0
	for f in $OUTPUTS; do
		if [ "$(cat "$1/$f" 2> /dev/null)" != "previous $f" ]; then
			echo "# $f was changed"
			u_status=1
		fi
	done
	extra=$(ls -a "$1" | grep -vxE '\.|\.\.|kernel|modules\.order|modules\.builtin|modules\.builtin\.modinfo' |
		grep -vxF "$(printf '%s\n' $OUTPUTS)")
	if [ -n "$extra" ]; then
		echo "# left in the directory: $(echo $extra)"
		u_status=1
	fi
	return $u_status
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# run_ms PREFIX... — the length in ms of a depmod run after PREFIX (e.g.
# env VAR=...): the median of three
run_ms() {
	for n in 1 2 3; do
		start=$(now_ms)
		"$@" "$OURS" $EXTRA_ARGS -b "$ROOT" "$V" > /dev/null 2>&1
		echo $(($(now_ms) - start))
	done | sort -n | sed -n 2p
}

tree "$D"
"$OURS" -b "$ROOT" "$V" > "$W/ref.out" 2> "$W/ref.err"
rc=$?
duration=$(run_ms env)
mkdir "$W/ref"
for f in $OUTPUTS; do
	cp "$D/$f" "$W/ref/"
done
[ $rc -eq 0 ] && ! [ -s "$W/ref.err" ] && [ -s "$W/ref/modules.dep" ] && [ -z "$(temporaries "$D")" ]
ok $? "a completed run: the reference indexes ($duration ms)"

# ---- killed at random points ----------------------------------------------

# state PID — the state letter of process PID (R, S, T, Z ...), or nothing
state() {
	sed -n 's/^.*) \(.\).*/\1/p' "/proc/$1/stat" 2> /dev/null
}

# stopped PID — wait until PID has stopped (SIGSTOP); 1 if it ended first
stopped() {
	n=0
	while [ $n -lt 1000 ]; do
		case $(state "$1") in
		T | t) return 0 ;;
		'' | Z | X) return 1 ;;
		esac
		n=$((n + 1))
	done
	return 1
}

# writing PID — whether depmod PID has an output file of $D open: one
# being written (unnamed or under its temporary name) or, in the commit, a
# file being replaced.  (Not the directory, open from the start, nor the
# inputs modules.order and modules.builtin*.)
OUTPUT_RE=$(echo $OUTPUTS $CACHE_NAME | sed 's/\./\\./g; s/ /|/g')
writing() {
	ls -l "/proc/$1/fd/" 2> /dev/null | sed -n "s|.* -> $D/||p" |
		grep -Eqx "(#[0-9]+|($OUTPUT_RE)(\.[0-9]+\.[0-9]+\.[0-9]+)?)( \(deleted\))?"
}

# inodes — the inode numbers of the outputs, one a line
inodes() {
	(cd "$D" && stat -c %i $OUTPUTS)
}

# kill_runs N PREFIX... — run depmod (after PREFIX, e.g. env VAR=...) N
# times, alternating one and two threads, each stopped (SIGSTOP) at a
# random point, looked at and killed (SIGKILL).  For the first half of the
# kills the point is a random delay within the length of a run; for the
# second half, a random delay within a sixth of that length after the run is
# first seen writing (so that many kills hit the writing, however loaded
# the machine).  Counts into kills, completed, writes (kills that found a
# file of $D open), renames (kills that left some outputs replaced and
# others not), broken (a run failing, or a kill leaving an index not
# whole) and littered (a kill leaving a temporary).  Tries at most 4N
# runs to get N kills.
kill_runs() {
	want=$1
	shift
	kr_ms=$(run_ms "$@" env)
	kills=0 completed=0 writes=0 renames=0 broken=0 littered=0 i=0
	awk -v n=$((want * 4)) -v seed="$seed" 'BEGIN {
		srand(seed); for (i = 0; i < n; i++) print int(rand() * 10000) }' > "$W/draws"
	while read -r u; do
		[ $kills -ge "$want" ] && break
		i=$((i + 1))
		inodes > "$W/inodes.before"
		[ -z "$KILL_SETUP" ] || eval "$KILL_SETUP"
		"$@" env MT_DEPMOD_THREADS=$((i % 2 + 1)) "$OURS" $EXTRA_ARGS -b "$ROOT" "$V" > /dev/null 2>&1 &
		pid=$!
		if [ $kills -lt $((want / 2)) ]; then
			delay=$((u * kr_ms / 10000))
		else
			delay=$((u * kr_ms / 60000))
			until writing $pid; do
				case $(state $pid) in '' | Z | X) break ;; esac
			done
		fi
		sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
		kill -STOP $pid 2> /dev/null
		stopped $pid && writing $pid && writes=$((writes + 1))
		kill -9 $pid 2> /dev/null
		wait $pid 2> /dev/null
		case $? in
		0) completed=$((completed + 1)) ;;
		137) kills=$((kills + 1)) ;;
		*) echo "# run $i (killed after $delay ms) failed"; broken=$((broken + 1)) ;;
		esac
		replaced=$(inodes | paste "$W/inodes.before" - | awk '$1 != $2' | wc -l)
		[ "$replaced" -gt 0 ] && [ "$replaced" -lt $N_OUTPUTS ] && renames=$((renames + 1))
		whole "$D" "$W/ref" || { echo "# after run $i, killed after $delay ms"; broken=$((broken + 1)); }
		[ -z "$KILL_CHECK" ] || eval "$KILL_CHECK" ||
			{ echo "# after run $i, killed after $delay ms: $KILL_CHECK failed"; broken=$((broken + 1)); }
		[ -n "$(temporaries "$D")" ] && littered=$((littered + 1))
	done < "$W/draws"
	echo "# runs of about $kr_ms ms"
}

seed=${MT_FAULT_SEED:-$(date +%s)}
echo "# kill delays from awk srand($seed)"
start=$(now_ms)
kill_runs "$KILLS"
"$OURS" -b "$ROOT" "$V" > /dev/null 2>&1
rc=$?
left=$(temporaries "$D")
echo "# $kills kills ($writes while writing, $renames in the renames) and $completed completed" \
	"runs in $(($(now_ms) - start)) ms; $littered kills left temporaries, removed by the next run"
[ $kills -ge "$KILLS" ] && [ $broken -eq 0 ] && [ $writes -ge $((KILLS / 10)) ]
ok $? "$kills runs killed with SIGKILL at random points, $writes while writing: every index whole after each"
[ $rc -eq 0 ] && [ -z "$left" ] && whole "$D" "$W/ref"
ok $? "a run after the kills completes and no temporary remains ($littered kills had left one)"

# ---- temporaries left by killed runs --------------------------------------

dead=$(sh -c 'echo $$')
live=$$
for t in "modules.dep.$dead.123.456" "modules.alias.bin.$dead.0.1796000000" "$CACHE_NAME.$dead.7.8"; do
	: > "$D/$t"
done
for t in "modules.dep.$live.1.2" "modules.dep.0$dead.1.2" "modules.other.$dead.1.2" \
	"modules.dep.$dead.1.2.bak" "modules.dep.$dead.1000000.2" "modules.dep.$dead.1.-2"; do
	: > "$D/$t"
done
mkdir "$D/modules.symbols.$dead.1.2"
ln -s "$W/ref/modules.dep" "$D/modules.devname.$dead.1.2"
"$OURS" -v -b "$ROOT" "$V" 2> "$W/stale.err" > /dev/null
rc=$?
cat > "$W/stale.expected" <<EOF
depmod: NOTICE: removed $D/modules.alias.bin.$dead.0.1796000000, left by an interrupted depmod
depmod: NOTICE: removed $D/modules.dep.$dead.123.456, left by an interrupted depmod
depmod: NOTICE: removed $D/$CACHE_NAME.$dead.7.8, left by an interrupted depmod
EOF
LC_ALL=C sort "$W/stale.err" > "$W/stale.err.sorted"
cat > "$W/stale.left" <<EOF
modules.dep.$dead.1.-2
modules.dep.$dead.1.2.bak
modules.dep.$dead.1000000.2
modules.dep.0$dead.1.2
modules.dep.$live.1.2
modules.devname.$dead.1.2
modules.other.$dead.1.2
modules.symbols.$dead.1.2
EOF
ls -a "$D" | grep -E "\.$dead\.|\.0$dead\.|\.$live\." | LC_ALL=C sort > "$W/stale.ls"
LC_ALL=C sort -o "$W/stale.left" "$W/stale.left"
[ $rc -eq 0 ] && same "$W/stale.expected" "$W/stale.err.sorted" && same "$W/stale.left" "$W/stale.ls"
ok $? "a run removes the temporaries of a dead process (the cache's too), and nothing else"
rm -rf "$D"/modules.*."$dead".* "$D"/modules.*.0"$dead".* "$D"/modules.*."$live".*

# ---- two or three at once -------------------------------------------------

# The indexes of a run that leaves out the sound modules: in the rounds
# where one of the runs does, the files must all be that run's or all the
# others', never some of each.
echo "exclude sound" > "$W/no-sound.conf"
"$OURS" -C "$W/no-sound.conf" -b "$ROOT" "$V" > /dev/null 2>&1
mkdir "$W/no-sound"
for f in $OUTPUTS; do
	cp "$D/$f" "$W/no-sound/"
done
"$OURS" -b "$ROOT" "$V" > /dev/null 2>&1
! cmp -s "$D/modules.dep" "$W/no-sound/modules.dep" && whole "$D" "$W/ref"
ok $? "a run without the sound modules writes other indexes"

status=0
for round in 1 2 3 4 5 6 7 8 9 10; do
	pids=
	for n in 1 2 3; do
		[ $n -eq 3 ] && [ $((round % 2)) -eq 0 ] && continue
		config=
		[ $n -eq 2 ] && [ $round -gt 5 ] && config="-C $W/no-sound.conf"
		"$OURS" $config -b "$ROOT" "$V" > /dev/null 2> "$W/conc.$n.err" &
		pids="$pids $!"
	done
	for p in $pids; do
		wait "$p" || { echo "# round $round: a run failed: $(cat "$W"/conc.*.err)"; status=1; }
	done
	if [ $round -le 5 ]; then
		whole "$D" "$W/ref" || status=1
	elif ! whole "$D" "$W/ref" > /dev/null && ! whole "$D" "$W/no-sound" > /dev/null; then
		echo "# round $round: the indexes of neither run (a mixed set?)"
		status=1
	fi
	[ -z "$(temporaries "$D")" ] || { echo "# round $round left" $(temporaries "$D"); status=1; }
done
"$OURS" -b "$ROOT" "$V" > /dev/null 2>&1
ok $status "10 rounds of two or three depmods at once (in five one without the sound modules): each ends with the indexes of a single run"

# A depmod waits while another holds the directory's lock.
if command -v flock > /dev/null; then
	flock "$D" sleep 2 &
	holder=$!
	while flock -n "$D" true; do
		sleep 0.05
	done
	start=$(now_ms)
	"$OURS" -v -b "$ROOT" "$V" > /dev/null 2> "$W/lock.err"
	rc=$?
	waited=$(($(now_ms) - start))
	wait $holder
	[ $rc -eq 0 ] && [ $waited -ge 1000 ] && whole "$D" "$W/ref" &&
		grep -qxF "depmod: NOTICE: waiting for another depmod writing $D" "$W/lock.err"
	ok $? "a depmod waits for the lock another one holds on the directory ($waited ms)"
else
	missing_input "the directory lock" "flock(1) is not installed (util-linux)"
fi

# ---- the cache of --incremental ---------------------------------------------

# Each killed run finds the cache of a run without the sound modules and
# writes the whole one: after the kill, the cache is one of the two.
"$OURS" --incremental -C "$W/no-sound.conf" -b "$ROOT" "$V" > /dev/null 2>&1
cp "$D/$CACHE_NAME" "$W/cache.no-sound"
"$OURS" --incremental -b "$ROOT" "$V" > /dev/null 2>&1
rc=$?
cp "$D/$CACHE_NAME" "$W/cache.ref"
[ $rc -eq 0 ] && whole "$D" "$W/ref" && ! cmp -s "$W/cache.ref" "$W/cache.no-sound"
ok $? "--incremental: the indexes of a full run, and a cache"
EXTRA_ARGS=--incremental
KILL_SETUP='cp "$W/cache.no-sound" "$D/$CACHE_NAME"'
KILL_CHECK='cmp -s "$D/$CACHE_NAME" "$W/cache.ref" || cmp -s "$D/$CACHE_NAME" "$W/cache.no-sound"'
n=$((KILLS / 4))
kill_runs $n
EXTRA_ARGS= KILL_SETUP= KILL_CHECK=
"$OURS" --incremental -b "$ROOT" "$V" > /dev/null 2>&1
rc=$?
echo "# --incremental: $kills kills ($writes while writing, $renames in the renames)," \
	"$completed completed; $littered left temporaries"
[ $kills -ge $n ] && [ $broken -eq 0 ] && [ $writes -ge $((n / 10)) ] && [ $rc -eq 0 ] &&
	[ -z "$(temporaries "$D")" ] && whole "$D" "$W/ref" && cmp -s "$D/$CACHE_NAME" "$W/cache.ref"
ok $? "--incremental, $kills runs killed while the cache changes: indexes and cache whole after each, none left"
rm -f "$D/$CACHE_NAME"

# ---- a failing generator --------------------------------------------------

SMALL=$W/small/lib/modules/$V
mkdir -p "$SMALL/kernel"
"$GENMOD" -o "$SMALL/kernel/a.ko" --name a --modinfo "alias=caf$(printf '\351')"
previous "$SMALL"
"$OURS" -b "$W/small" "$V" > /dev/null 2> "$W/ascii.err"
rc=$?
[ $rc -eq 1 ] && grep -q '^depmod: FATAL: Module index: bad character' "$W/ascii.err" &&
	unchanged "$SMALL"
ok $? "a generator failure (a non-ASCII alias): exit 1, the previous indexes unchanged"

# ---- file calls failing (under the shim) ----------------------------------

shim_run() {	# shim_run MT_SHIM_FS_FAIL ARGS... — our depmod under the shim
	fail=$1
	shift
	LD_PRELOAD=$MT_SHIM MT_SHIM_FS_FAIL=$fail "$OURS" "$@"
}

if [ -f "${MT_SHIM:-}" ]; then
	previous "$D"
	shim_run fsync:EIO -b "$ROOT" "$V" > /dev/null 2> "$W/eio.err"
	rc=$?
	echo "depmod: ERROR: Could not create index 'modules.dep' in $D: Input/output error (no index was changed)" \
		> "$W/eio.expected"
	[ $rc -eq 1 ] && same "$W/eio.expected" "$W/eio.err" && unchanged "$D"
	ok $? "a failing sync (EIO): exit 1, the error, the previous indexes unchanged, no debris"

	# The cache fails with the indexes, and stays as it was.
	previous "$D"
	echo "previous cache" > "$D/$CACHE_NAME"
	shim_run fsync:EIO --incremental -b "$ROOT" "$V" > /dev/null 2> "$W/eio.err"
	rc=$?
	[ $rc -eq 1 ] && same "$W/eio.expected" "$W/eio.err" &&
		[ "$(cat "$D/$CACHE_NAME")" = "previous cache" ] && rm "$D/$CACHE_NAME" && unchanged "$D"
	ok $? "--incremental, a failing sync (EIO): exit 1, the previous indexes and cache unchanged, no debris"

	for fail in tmpfile:EOPNOTSUPP linkat:ENOENT; do
		previous "$D"
		shim_run $fail -b "$ROOT" "$V" > /dev/null 2> "$W/fallback.err"
		rc=$?
		[ $rc -eq 0 ] && ! [ -s "$W/fallback.err" ] && whole "$D" "$W/ref" &&
			[ -z "$(temporaries "$D")" ]
		ok $? "$fail: written under temporary names instead, all whole, none left"
	done

	# Without O_TMPFILE the temporaries are named while they are written:
	# killed runs leave many, and the next run removes them.
	n=$((KILLS / 4))
	kill_runs $n env LD_PRELOAD="$MT_SHIM" MT_SHIM_FS_FAIL=tmpfile:EOPNOTSUPP
	"$OURS" -b "$ROOT" "$V" > /dev/null 2>&1
	rc=$?
	echo "# without O_TMPFILE: $kills kills ($writes while writing, $renames in the renames)," \
		"$completed completed; $littered left temporaries"
	[ $kills -ge $n ] && [ $broken -eq 0 ] && [ $writes -ge $((n / 10)) ] && [ $littered -gt 0 ] &&
		[ $rc -eq 0 ] && [ -z "$(temporaries "$D")" ] && whole "$D" "$W/ref"
	ok $? "without O_TMPFILE, $kills runs killed, $littered leaving temporaries: every index whole, the next run removes them"
else
	missing_input "file calls failing" "the shim is not built"
fi

# ---- full and read-only filesystems ---------------------------------------

# in_mount_ns SCRIPT — sh SCRIPT in a private mount namespace; 99 if there
# is none to be had (or MT_FAULT_NO_NAMESPACE is set, to try the fallback).
in_mount_ns() {
	[ -z "${MT_FAULT_NO_NAMESPACE:-}" ] || return 99
	if [ "$(id -u)" -eq 0 ]; then
		unshare -m sh "$1"
	elif unshare -rm true 2> /dev/null; then
		unshare -rm sh "$1"
	else
		return 99
	fi
}

FS=$W/fs
FD=$FS/lib/modules/$V
RES=$W/res
FREES="0 300 1500 3500 5000"
mkdir -p "$FS" "$RES"
# The outputs and the tree's inputs take about 6 MiB.
cat > "$W/fs.sh" <<EOF
mount -t tmpfs -o size=16m,mode=755 tmpfs "$FS" || exit 99
mkdir -p "$FD"
ln -s "$TREE/kernel" "$FD/kernel"
cp "$TREE/modules.order" "$TREE/modules.builtin" "$TREE/modules.builtin.modinfo" "$FD/"
for f in $(echo $OUTPUTS); do echo "previous \$f" > "$FD/\$f"; done
for free in $FREES; do
	avail=\$(df -k --output=avail "$FS" | tail -n 1)
	head -c \$(((avail - free) * 1024)) /dev/zero > "$FS/filler"
	"$OURS" -b "$FS" "$V" > /dev/null 2> "$RES/full-\$free.err"
	echo \$? > "$RES/full-\$free.rc"
	cp -a "$FD" "$RES/full-\$free"
	rm "$FS/filler"
done
"$OURS" -b "$FS" "$V" > /dev/null 2> "$RES/room.err"
echo \$? > "$RES/room.rc"
cp -a "$FD" "$RES/room"
for f in $(echo $OUTPUTS); do echo "previous \$f" > "$FD/\$f"; done
# (in a user namespace only the mount, not the filesystem, may be made
# read-only)
mount -o remount,ro "$FS" 2> /dev/null || mount -o remount,bind,ro "$FS" || exit 98
"$OURS" -b "$FS" "$V" > /dev/null 2> "$RES/ro.err"
echo \$? > "$RES/ro.rc"
cp -a "$FD" "$RES/ro"
"$OURS" -b "$FS" -o "$FS/new" "$V" > /dev/null 2> "$RES/ro-new.err"
echo \$? > "$RES/ro-new.rc"
EOF
in_mount_ns "$W/fs.sh"
rc=$?
if [ $rc -eq 99 ] && [ -f "${MT_SHIM:-}" ]; then
	# No tmpfs to fill up or remount (not root, no user namespaces): the
	# shim makes the calls fail as there, the sync with ENOSPC (as a
	# filesystem that allocates at writeback does) and the creation of
	# the unnamed files with EROFS.
	echo "# no private mount namespace with a tmpfs: a full and a read-only filesystem simulated"
	for fault in fsync:ENOSPC tmpfile:EROFS; do
		previous "$D"
		shim_run $fault -b "$ROOT" "$V" > /dev/null 2> "$W/sim.err"
		rc=$?
		what="No space left on device"
		[ $fault = tmpfile:EROFS ] && what="Read-only file system"
		echo "depmod: ERROR: Could not create index 'modules.dep' in $D: $what (no index was changed)" \
			> "$W/sim.expected"
		[ $rc -eq 1 ] && same "$W/sim.expected" "$W/sim.err" && unchanged "$D"
		ok $? "$what (simulated: $fault): exit 1, the error, the previous indexes unchanged, no debris"
	done
elif [ $rc -eq 99 ]; then
	missing_input "a full and a read-only filesystem" "no private mount namespace with a tmpfs (unshare -m), no shim"
else
	[ $rc -eq 0 ] || echo "# the filesystem script ended with status $rc"
	for free in $FREES; do
		failed=$(sed -n "s/^depmod: ERROR: Could not create index '\([a-z.]*\)' in .*/\1/p" \
			"$RES/full-$free.err")
		status=0
		if [ "$(cat "$RES/full-$free.rc" 2> /dev/null)" != 1 ] || [ -z "$failed" ]; then
			status=1
		else
			echo "depmod: ERROR: Could not create index '$failed' in $FD: No space left on device (no index was changed)" \
				> "$W/full.expected"
			same "$W/full.expected" "$RES/full-$free.err" || status=1
		fi
		unchanged "$RES/full-$free" || status=1
		ok $status "a full filesystem, $free KiB free: exit 1, the error (${failed:-none}), the previous indexes unchanged, no debris"
	done
	[ "$(cat "$RES/room.rc")" = 0 ] && ! [ -s "$RES/room.err" ] && whole "$RES/room" "$W/ref" &&
		[ -z "$(temporaries "$RES/room")" ]
	ok $? "with room again, a run completes"
	echo "depmod: ERROR: Could not create index 'modules.dep' in $FD: Read-only file system (no index was changed)" \
		> "$W/ro.expected"
	[ "$(cat "$RES/ro.rc")" = 1 ] && same "$W/ro.expected" "$RES/ro.err" && unchanged "$RES/ro"
	ok $? "a read-only filesystem: exit 1, the error, the previous indexes unchanged"
	echo "depmod: FATAL: could not create directory $FS/new/lib/modules/$V: Read-only file system" \
		> "$W/ro-new.expected"
	[ "$(cat "$RES/ro-new.rc")" = 1 ] && same "$W/ro-new.expected" "$RES/ro-new.err"
	ok $? "-o into a new directory on a read-only filesystem: exit 1, the error"
fi

# Without /proc/self/fd the unnamed files are linked by descriptor
# (AT_EMPTY_PATH), which every kernel allows root.  An empty directory is
# mounted over the fd directory of the shell, which then execs depmod: the
# rest of /proc stays, as the sanitizers' runtime needs it.
if [ "$(id -u)" -eq 0 ]; then
	previous "$D"
	mkdir -p "$W/no-fd"
	cat > "$W/noproc.sh" <<EOF
mount --bind "$W/no-fd" /proc/\$\$/fd || exit 99
[ -e /proc/self/fd/0 ] && exit 98
exec "$OURS" -b "$ROOT" "$V" > /dev/null 2> "$W/noproc.err"
EOF
	unshare -m sh "$W/noproc.sh"
	rc=$?
	[ $rc -eq 0 ] && ! [ -s "$W/noproc.err" ] && whole "$D" "$W/ref" && [ -z "$(temporaries "$D")" ]
	ok $? "without /proc/self/fd (status $rc): the files are linked by descriptor, all whole, none left"
else
	skip "without /proc/self/fd" "hiding /proc/self/fd needs root"
fi

# A directory the user may not write (root may write any).
NOBODY=$(id -u nobody 2> /dev/null)
if [ "$(id -u)" -ne 0 ] || { [ -n "$NOBODY" ] && command -v setpriv > /dev/null; }; then
	previous "$D"
	chmod 555 "$D"
	as_user=
	[ "$(id -u)" -eq 0 ] && as_user="setpriv --reuid=$NOBODY --regid=$(id -g nobody) --clear-groups"
	$as_user "$OURS" -b "$ROOT" "$V" > /dev/null 2> "$W/ro-dir.err"
	rc=$?
	chmod 755 "$D"
	echo "depmod: ERROR: Could not create index 'modules.dep' in $D: Permission denied (no index was changed)" \
		> "$W/ro-dir.expected"
	[ $rc -eq 1 ] && same "$W/ro-dir.expected" "$W/ro-dir.err" && unchanged "$D"
	ok $? "a directory the user may not write: exit 1, the error, the previous indexes unchanged"
else
	missing_input "a directory the user may not write" "no user nobody or no setpriv(1) (util-linux)"
fi

done_testing
