#!/bin/sh
# test-depmod.sh — our depmod on the small trees of testsuite-data/depmod/,
# for behaviour kmod 30 cannot be the oracle of (kmod 34.2's weakdep, -o,
# -m, modules.order duplicates, non-ASCII strings, pre-order .bin layout,
# .ko.gz) and for hostile input.  Each case directory holds:
#   setup     sh script building the tree ($GENMOD, $ROOT, $D = module dir,
#             $V = version, $W = scratch directory)
#   args      the depmod arguments (@ROOT@, @W@, @V@ are substituted)
#   env       optional VAR=value lines for the environment
#   requires  optional feature depmod -V must show (e.g. ZLIB)
#   outdir    optional output directory relative to $W (default: $D)
#   expected/ rc, stdout, stderr (paths as @ROOT@/@W@; "openat(N," and
#             "fstatat(N," for descriptor numbers) and output files; a .bin
#             is given as "<name>.od", its `od -An -tx1 -v` dump
#   absent    optional list of output files that must not exist
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

OURS=$(tool depmod)
GENMOD=$top_builddir/tests/genmod
CASES=$top_srcdir/testsuite-data/depmod
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
V=6.1.0-mt
export GENMOD V W

normalize() {	# normalize FILE — machine-specific parts of messages
	sed -e "s|$W/root|@ROOT@|g" -e "s|$W|@W@|g" \
		-e 's/openat([0-9]*,/openat(N,/g' -e 's/fstatat([0-9]*,/fstatat(N,/g' "$1"
}

run_case() {	# run_case DIR
	c=$1
	name=$(basename "$c")
	if [ -e "$c/requires" ] && ! "$OURS" -V | grep -q "+$(cat "$c/requires")"; then
		skip "$name" "built without $(cat "$c/requires")"
		return
	fi
	rm -rf "$W/root" "$W/out" "$W/res"
	ROOT=$W/root D=$W/root/lib/modules/$V
	mkdir -p "$D/kernel" "$W/res"
	export ROOT D
	if ! sh "$c/setup" > "$W/res/setup.log" 2>&1; then
		sed 's/^/# /' "$W/res/setup.log"
		ok 1 "$name: setup"
		return
	fi
	args=$(sed -e "s|@ROOT@|$ROOT|g" -e "s|@W@|$W|g" -e "s|@V@|$V|g" "$c/args")
	envs=
	[ -e "$c/env" ] && envs=$(cat "$c/env")
	# shellcheck disable=SC2086
	env $envs "$OURS" $args > "$W/res/stdout" 2> "$W/res/stderr"
	echo $? > "$W/res/rc"
	out=$D
	[ -e "$c/outdir" ] && out=$W/$(cat "$c/outdir")
	status=0
	for f in "$c"/expected/*; do
		base=$(basename "$f")
		case $base in
		rc | stdout | stderr) normalize "$W/res/$base" > "$W/res/$base.n"; got=$W/res/$base.n ;;
		*.od)
			got=$W/res/$base
			if [ -e "$out/${base%.od}" ]; then
				od -An -tx1 -v "$out/${base%.od}" > "$got"
			else
				echo "(missing)" > "$got"
			fi ;;
		*) got=$out/$base ;;
		esac
		if ! [ -e "$got" ]; then
			echo "# $base was not written"
			status=1
		elif ! same "$f" "$got"; then
			echo "# ($base differs)"
			status=1
		fi
	done
	if [ -e "$c/absent" ]; then
		for f in $(cat "$c/absent"); do
			if [ -e "$out/$f" ]; then
				echo "# $f should not exist"
				status=1
			fi
		done
	fi
	# no temporary file may be left behind
	if ls "$out" 2> /dev/null | grep -q '^modules\..*\.[0-9]*\.[0-9]*\.[0-9]*$'; then
		echo "# temporary files left: $(ls "$out" | grep '\.[0-9]*\.[0-9]*\.[0-9]*$')"
		status=1
	fi
	ok $status "$name"
}

for c in "$CASES"/*/; do
	run_case "${c%/}"
done

# ---- properties without fixed expected files -------------------------------

# Hostile modules: every corruption of a small module is still a module and
# nothing crashes (the sanitizer build turns memory errors into failures).
rm -rf "$W/root"
D=$W/root/lib/modules/$V
mkdir -p "$D/kernel/fuzz"
# The seed uses one provider through an import, another through __versions
# alone.
"$GENMOD" -o "$W/seed.ko" --name seed --export s1:0x1 --export s2 --import k1 --import x:weak \
	--version x:0x5 --version pv:0x7 --modinfo alias=pci:v1* --modinfo softdep=pre:a \
	--modinfo alias=devname:d
"$GENMOD" -o "$D/kernel/prov.ko" --name prov --export k1
"$GENMOD" -o "$D/kernel/vprov.ko" --name vprov --export pv
size=$(wc -c < "$W/seed.ko")
n=0
off=0
while [ $off -lt "$size" ]; do
	for byte in 00 ff 7f 80; do
		n=$((n + 1))
		cp "$W/seed.ko" "$D/kernel/fuzz/f$n.ko"
		printf "\\$(printf %o 0x$byte)" | dd of="$D/kernel/fuzz/f$n.ko" bs=1 seek=$off conv=notrunc 2> /dev/null
	done
	off=$((off + 13))
done
for len in 1 17 52 64 100 300; do
	n=$((n + 1))
	head -c $len "$W/seed.ko" > "$D/kernel/fuzz/f$n.ko"
done
# With -n every text file is generated (no index: a corrupted byte >= 0x80
# in an index string would stop the full run early, as it must).
fuzz_ok() {	# fuzz_ok RC ERR — a clean exit, or the expected kind of failure
	if grep -q 'Sanitizer\|runtime error' "$2"; then
		return 1
	fi
	[ "$1" -eq 0 ] || { [ "$1" -eq 1 ] && grep -q "$3" "$2"; }
}
MT_DEPMOD_THREADS=1 "$OURS" -n -b "$W/root" "$V" > "$W/fuzz.out" 2> "$W/fuzz.err"
rc=$?
listed=$(grep -c '^kernel/fuzz/.*vprov' "$W/fuzz.out")
status=0
# a corrupted name can make a module import its own export: a cycle
if ! fuzz_ok $rc "$W/fuzz.err" 'modules in dependency cycles'; then
	status=1
elif [ $rc -eq 0 ] && [ "$(grep -c '^kernel/fuzz/' "$W/fuzz.out")" -ne $n ]; then
	status=1
fi
"$OURS" -b "$W/root" "$V" > /dev/null 2> "$W/fuzz2.err"
fuzz_ok $? "$W/fuzz2.err" 'modules in dependency cycles\|Module index: bad character' || status=1
if [ $status -ne 0 ]; then
	echo "# -n: exit status $rc, $(grep -c '^kernel/fuzz/' "$W/fuzz.out") of $n modules listed"
	grep -av 'failed to load symbols' "$W/fuzz.err" "$W/fuzz2.err" | head -n 5 | sed 's/^/# /'
fi
ok $status "$n corrupted modules: no crash, each one listed"

# Without -E, plain modules are read compactly (only the sections used);
# with -e -E they are read whole.  Both must see the same modules.
: > "$W/symvers"
"$OURS" -n -e -E "$W/symvers" -b "$W/root" "$V" > "$W/whole.out" 2> "$W/whole.err"
grep -av 'needs unknown symbol\|disagrees about version' "$W/whole.err" > "$W/whole.err2"
same "$W/fuzz.out" "$W/whole.out" && same "$W/fuzz.err" "$W/whole.err2"
ok $? "$n corrupted modules: compact and whole reading agree ($listed use vprov)"

# The installed tree's outputs do not depend on the number of threads.
TREE=$(module_tree)
if [ -n "$TREE" ]; then
	rm -rf "$W/root"
	D=$W/root/lib/modules/$V
	mkdir -p "$D"
	ln -s "$TREE/kernel" "$D/kernel"
	cp "$TREE/modules.order" "$TREE/modules.builtin" "$TREE/modules.builtin.modinfo" "$D/"
	status=0
	for threads in 1 3; do
		MT_DEPMOD_THREADS=$threads "$OURS" -b "$W/root" "$V" > /dev/null 2>&1 || status=1
		mkdir -p "$W/t$threads"
		cp "$D"/modules.* "$W/t$threads/"
	done
	for f in "$W"/t1/*; do
		cmp -s "$f" "$W/t3/$(basename "$f")" || { echo "# $(basename "$f") differs"; status=1; }
	done
	ok $status "the installed tree with 1 and 3 threads: identical outputs"
else
	missing_input "the installed tree with 1 and 3 threads" "no module tree under /lib/modules (install linux-image-amd64)"
fi

# umask applies to the outputs (kmod creates them 0644).
rm -rf "$W/root"
D=$W/root/lib/modules/$V
mkdir -p "$D"
"$GENMOD" -o "$D/m.ko" --name m
(umask 077 && "$OURS" -b "$W/root" "$V" > /dev/null 2>&1)
[ "$(stat -c %a "$D/modules.dep")" = 600 ] && [ "$(stat -c %a "$D/modules.alias.bin")" = 600 ]
ok $? "outputs get mode 0644 minus the umask"

done_testing
