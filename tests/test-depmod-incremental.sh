#!/bin/sh
# test-depmod-incremental.sh — depmod --incremental on a copy of the
# installed tree: a random sequence of changes (seeded: MT_INCR_SEED, else
# the time; MT_INCR_STEPS steps, 24 by default) — modules added, removed,
# rewritten, touched, replaced by a compressed copy, copied to updates/,
# replaced by a file of the same size and mtime, the depmod.d
# configuration changed — and after each step the incremental run's
# outputs, messages and -v lines equal those of a fresh full run (written
# elsewhere with -o).  Then caches that are truncated, garbage, of another
# format, build or byte order, or damaged are ignored and rebuilt; -n
# writes no cache; -e -E and -P give a full run's results from the cache.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no module tree under /lib/modules (install linux-image-amd64)"
OURS=$(tool depmod)
GENMOD=$top_builddir/tests/genmod
[ -x "$GENMOD" ] || missing_input_all "tests/genmod is not built"
V=$(basename "$TREE")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
ROOT=$W/root
D=$ROOT/lib/modules/$V
REF=$W/ref
CONF=$W/depmod.d
CACHE=$D/modules.depmod-cache.bin
OUTPUTS="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
modules.weakdep modules.symbols modules.symbols.bin modules.builtin.bin
modules.builtin.alias.bin modules.devname"
STEPS=${MT_INCR_STEPS:-24}
seed=${MT_INCR_SEED:-$(date +%s)}
echo "# random steps from seed $seed (MT_INCR_SEED=$seed to repeat)"

mkdir -p "$D" "$CONF"
cp -a "$TREE/kernel" "$TREE/modules.order" "$TREE/modules.builtin" \
	"$TREE/modules.builtin.modinfo" "$D/"
: > "$CONF/test.conf"
# The files' status must be clearly older than a run for them to be
# stored (see depmod-cache.c).
sleep 0.2

# ---- randomness ----------------------------------------------------------

state=$seed
rand() {	# rand N — sets r to a number in [0, N)
	state=$(((state * 1103515245 + 12345) % 2147483648))
	r=$(((state / 65536) % $1))
}

# pick — sets picked to a random module file of the tree, relative to D
pick() {
	(cd "$D" && find kernel updates -name '*.ko*' 2> /dev/null) | LC_ALL=C sort > "$W/list"
	rand "$(wc -l < "$W/list")"
	picked=$(sed -n "$((r + 1))p" "$W/list")
}

# ---- the comparison ------------------------------------------------------

# compare WHAT [OPTION...] — an incremental run and a full one (into REF)
# with the test's configuration: equal outputs, stdout and messages, apart
# from the incremental run's own lines.  Sets reused (modules from the
# cache) and total.
compare() {
	what=$1
	shift
	rm -rf "$REF"
	"$OURS" --incremental -vv -C "$CONF" "$@" -b "$ROOT" "$V" > "$W/inc.out" 2> "$W/inc.err.raw"
	inc_rc=$?
	"$OURS" -vv -C "$CONF" "$@" -b "$ROOT" -o "$REF" "$V" > "$W/full.out" 2> "$W/full.err"
	full_rc=$?
	grep -v -e 'modules from the cache$' -e 'NOTICE: ignoring the cache ' "$W/inc.err.raw" \
		> "$W/inc.err"
	reused=$(sed -n 's/^depmod: INFO: \([0-9]*\) of \([0-9]*\) modules from the cache$/\1/p' "$W/inc.err.raw")
	total=$(sed -n 's/^depmod: INFO: \([0-9]*\) of \([0-9]*\) modules from the cache$/\2/p' "$W/inc.err.raw")
	c_status=0
	[ $inc_rc -eq $full_rc ] || { echo "# $what: exit $inc_rc, a full run's $full_rc"; c_status=1; }
	for f in $OUTPUTS; do
		cmp -s "$D/$f" "$REF/lib/modules/$V/$f" || { echo "# $what: $f differs"; c_status=1; }
	done
	same "$W/full.out" "$W/inc.out" || c_status=1
	same "$W/full.err" "$W/inc.err" || c_status=1
	[ -n "$reused" ] || { echo "# $what: no cache line"; c_status=1; }
	! [ -e "$REF/lib/modules/$V/modules.depmod-cache.bin" ] ||
		{ echo "# $what: a run without --incremental wrote a cache"; c_status=1; }
	return $c_status
}

# ---- the steps -----------------------------------------------------------

n_added=0
# genmod_random FILE NAME — a small module with random aliases, an export
# of its own, and imports of symbols the tree exports (so it has
# dependencies) and of the last added module's export.
genmod_random() {
	rand 1000000
	set -- -o "$1" --name "$2" --modinfo license=GPL --modinfo "alias=test:v$r" \
		--export "${2}_fn:0x$r" --import printk
	rand 4
	[ $r -ge 1 ] && set -- "$@" --import usb_register_driver
	[ $r -ge 2 ] && set -- "$@" --import crc32_le
	[ $r -ge 3 ] && [ $n_added -gt 0 ] && set -- "$@" --import "incr_$((n_added - 1))_fn"
	"$GENMOD" "$@"
}

step_add() {
	rand 3
	dir=$D/kernel/drivers/incr$r
	mkdir -p "$dir"
	genmod_random "$dir/incr_$n_added.ko" "incr_$n_added"
	desc="add kernel/drivers/incr$r/incr_$n_added.ko"
	n_added=$((n_added + 1))
}

step_remove() {
	pick
	rm -f "$D/$picked"
	desc="remove $picked"
}

step_modify() {
	pick
	name=$(basename "$picked" | sed 's/\..*//')
	rm -f "$D/$picked"
	genmod_random "$D/${picked%%.ko*}.ko" "$name"
	desc="rewrite $picked as a new module"
}

step_touch() {
	pick
	touch "$D/$picked"
	desc="touch $picked"
}

step_compress() {
	pick
	case $picked in
	*.ko) ;;
	*) desc="(compress: $picked is compressed already)"; return ;;
	esac
	rand 3
	case $r in
	0) xz -q --check=crc32 "$D/$picked"; desc="compress $picked with xz" ;;
	1) zstd -q --rm "$D/$picked"; desc="compress $picked with zstd" ;;
	2) gzip -n "$D/$picked"; desc="compress $picked with gzip" ;;
	esac
}

step_updates() {
	pick
	mkdir -p "$D/updates/$(dirname "$picked")"
	cp "$D/$picked" "$D/updates/$picked"
	desc="copy $picked to updates/"
}

# A module replaced by another of the same size, given the same mtime: a
# new inode (and ctime), nothing else in its key differs.
n_same=0
step_same_size() {
	rand 3
	dir=$D/kernel/drivers/incr$r
	same=same$n_same
	n_same=$((n_same + 1))
	mkdir -p "$dir"
	"$GENMOD" -o "$dir/$same.ko" --name $same --modinfo alias=$same:AAAA --export ${same}_a
	"$GENMOD" -o "$W/same.ko" --name $same --modinfo alias=$same:BBBB --export ${same}_b
	touch -r "$dir/$same.ko" "$W/same.ko"
	size_a=$(stat -c %s "$dir/$same.ko")
	size_b=$(stat -c %s "$W/same.ko")
	# the first version goes into the cache first
	compare "same size: the first version" > /dev/null || true
	sleep 0.2
	compare "same size: the first version again" > /dev/null || true
	mv "$W/same.ko" "$dir/$same.ko"
	desc="replace kernel/drivers/incr$r/$same.ko ($size_a bytes) by one of $size_b bytes and the same mtime"
	[ "$size_a" = "$size_b" ] || desc="$desc (the sizes differ: genmod changed)"
}

step_config() {
	rand 5
	case $r in
	0) echo "search updates built-in" > "$CONF/test.conf"; desc="config: search updates built-in" ;;
	1) echo "search built-in updates" > "$CONF/test.conf"; desc="config: search built-in updates" ;;
	2)
		m=$(cd "$D" && find updates -name '*.ko*' 2> /dev/null | head -n 1)
		if [ -n "$m" ]; then
			name=$(basename "$m" | sed 's/\..*//')
			sub=$(dirname "${m#updates/}")
			echo "override $name * $sub" > "$CONF/test.conf"
			desc="config: override $name * $sub"
		else
			: > "$CONF/test.conf"
			desc="config: none"
		fi
		;;
	3) echo "exclude sound" > "$CONF/test.conf"; desc="config: exclude sound" ;;
	4) : > "$CONF/test.conf"; desc="config: none" ;;
	esac
}

compare "the first run (no cache yet)"
ok $? "the first incremental run equals a full run (reused $reused of $total)"
compare "the first run again"
ok $? "a second run equals a full run (reused $reused of $total)"
[ -n "$reused" ] && [ "$reused" -eq "$total" ] && [ -s "$CACHE" ]
ok $? "a second run takes every module from the cache ($reused of $total)"

status=0
low=0
prev=
ops="add remove modify touch compress updates same_size config"
i=0
while [ $i -lt "$STEPS" ]; do
	i=$((i + 1))
	rand 8
	op=$(echo $ops | cut -d' ' -f$((r + 1)))
	"step_$op"
	if ! compare "step $i ($desc)"; then
		echo "# step $i failed: $desc"
		status=1
	fi
	echo "# step $i: $desc: $reused of $total from the cache"
	# The changes of the last two steps may be too recent to be stored;
	# the cache holds the modules of the last run's configuration only.
	case "$op $prev" in
	*config*) ;;
	*) [ "$reused" -ge $((total - 8)) ] || low=$((low + 1)) ;;
	esac
	prev=$op
done
ok $status "$STEPS random steps: after each the incremental outputs equal a full run's"
[ $low -eq 0 ]
ok $? "each step took all but the recently changed modules from the cache ($low did not)"

# The replacement of the same size and mtime, again on purpose.
saved_op_state=$state
step_same_size
compare "$desc"
st=$?
[ "$size_a" = "$size_b" ] && [ $st -eq 0 ] && grep -q "^alias $same:BBBB $same\$" "$D/modules.alias"
ok $? "a module replaced by one of the same size and mtime (a new inode) is parsed again"
state=$saved_op_state

# ---- damaged caches ------------------------------------------------------

sleep 0.2
compare "before damaging the cache" > /dev/null
cp "$CACHE" "$W/good-cache"
size=$(stat -c %s "$CACHE")

# damaged HOW EXPECTED-REASON — the cache broken by HOW (a command using
# $CACHE), then a run: ignored with the reason, outputs of a full run, the
# cache rewritten and whole again.
damaged() {
	cp "$W/good-cache" "$CACHE"
	sh -c "$1"
	d_status=0
	compare "cache $2" || d_status=1
	grep -qxF "depmod: NOTICE: ignoring the cache $CACHE: $2" "$W/inc.err.raw" ||
		{ echo "# no notice '$2':"; sed 's/^/#   /' "$W/inc.err.raw" | grep -v needs | head -5; d_status=1; }
	[ "$reused" = 0 ] || d_status=1
	cmp -s "$CACHE" "$W/good-cache" || { echo "# the cache was not rebuilt as before"; d_status=1; }
	ok $d_status "a cache $3: ignored ('$2'), outputs of a full run, rebuilt"
}
export CACHE
# The mark 0x01020304 as the other byte order stores it.
if [ "$(printf '\001\002\003\004' | od -An -tx4 | tr -d ' ')" = 01020304 ]; then
	other_order='\004\003\002\001'
else
	other_order='\001\002\003\004'
fi
damaged ': > "$CACHE"' "truncated" "emptied"
damaged "truncate -s $((size / 2)) \"\$CACHE\"" "truncated or extended" "truncated to half"
damaged "truncate -s 40 \"\$CACHE\"" "truncated" "truncated within the header"
damaged "head -c $size /dev/urandom > \"\$CACHE\"" "not a depmod cache" "of random bytes"
damaged "printf '$other_order' | dd of=\"\$CACHE\" bs=1 seek=16 conv=notrunc 2> /dev/null" \
	"of another byte order" "with the byte order mark of the other endianness"
damaged "printf '\\377' | dd of=\"\$CACHE\" bs=1 seek=20 conv=notrunc 2> /dev/null" \
	"of another format version" "of another format version"
damaged "printf 'x' | dd of=\"\$CACHE\" bs=1 seek=24 conv=notrunc 2> /dev/null" \
	"made by another modtool build" "of another modtool build"
damaged "printf 'x' | dd of=\"\$CACHE\" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null" \
	"damaged (checksum mismatch)" "with a byte changed in a record"
damaged "cat \"\$CACHE\" \"\$CACHE\" > \"\$CACHE.2\" && mv \"\$CACHE.2\" \"\$CACHE\"" \
	"truncated or extended" "written twice over"

# A cache that is a directory cannot be read: ignored, and the run fails
# to replace it as it fails for an index in its place.
rm -f "$CACHE"
mkdir "$CACHE"
"$OURS" --incremental -C "$CONF" -b "$ROOT" "$V" > /dev/null 2> "$W/dir.err"
rc=$?
rmdir "$CACHE"
[ $rc -ne 0 ] && grep -q "modules.depmod-cache.bin" "$W/dir.err"
ok $? "a directory in the cache's place: the run fails and says so"
cp "$W/good-cache" "$CACHE"

# ---- options -------------------------------------------------------------

rm -f "$CACHE"
"$OURS" --incremental -n -C "$CONF" -b "$ROOT" "$V" > "$W/show-inc.out" 2> "$W/show-inc.err"
rc=$?
"$OURS" -n -C "$CONF" -b "$ROOT" "$V" > "$W/show-full.out" 2> "$W/show-full.err"
[ $rc -eq 0 ] && ! [ -e "$CACHE" ] && same "$W/show-full.out" "$W/show-inc.out" &&
	same "$W/show-full.err" "$W/show-inc.err"
ok $? "--incremental -n: the text outputs of a full run on stdout, no cache written"

sleep 0.2
compare "the cache made again" > /dev/null
"$OURS" --incremental -n -C "$CONF" -b "$ROOT" "$V" > "$W/show-inc.out" 2> "$W/show-inc.err"
same "$W/show-full.out" "$W/show-inc.out" && same "$W/show-full.err" "$W/show-inc.err"
ok $? "--incremental -n from a cache: the same text outputs"

SYMVERS=/usr/src/linux-headers-$V/Module.symvers
if ! [ -f "$SYMVERS" ]; then
	echo "# no $SYMVERS: an empty Module.symvers"
	SYMVERS=$W/symvers
	: > "$SYMVERS"
fi
compare "-e -E (a cache of the other parse)" -e -E "$SYMVERS"
st=$?
grep -q "NOTICE: ignoring the cache $CACHE: made with other options" "$W/inc.err.raw" &&
	[ $st -eq 0 ]
ok $? "-e -E: a cache of a run without is ignored, the results equal a full run's"
sleep 0.2
compare "-e -E from its cache" -e -E "$SYMVERS"
[ $? -eq 0 ] && [ "$reused" -eq "$total" ]
ok $? "-e -E from its own cache: every module reused, CRC checks equal a full run's"
awk '$3 == "vmlinux" { print "ffffffff81000000 r __ksymtab_" $2 }' "$SYMVERS" > "$W/System.map"
compare "-e -F System.map" -e -F "$W/System.map"
ok $? "-e -F from the cache: the results equal a full run's"
compare "-P _" -P _
sleep 0.2
compare "-P _ from its cache" -P _
[ $? -eq 0 ] && [ "$reused" -eq "$total" ]
ok $? "-P _ from its own cache: the results equal a full run's"

# -A: nothing when no module is newer than modules.dep, a run otherwise.
compare "before -A" > /dev/null
cp "$CACHE" "$W/before-A"
"$OURS" --incremental -A -C "$CONF" -b "$ROOT" "$V" 2> "$W/quick.err"
cmp -s "$CACHE" "$W/before-A" && ! [ -s "$W/quick.err" ]
ok $? "-A with nothing newer: nothing done"
step_add
"$OURS" --incremental -A -C "$CONF" -b "$ROOT" "$V" 2> "$W/quick.err"
rm -rf "$REF"
"$OURS" -C "$CONF" -b "$ROOT" -o "$REF" "$V" 2> /dev/null
st=0
for f in $OUTPUTS; do
	cmp -s "$D/$f" "$REF/lib/modules/$V/$f" || st=1
done
ok $st "-A after a module was added: the incremental run's outputs equal a full run's"

done_testing
