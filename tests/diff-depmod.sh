#!/bin/sh
# diff-depmod.sh — our depmod against kmod's (the oracle, kmod 30) on the
# same module trees: every text output byte for byte, every .bin through
# libkmod's dump and byte for byte in kmod 30's node order
# (MT_INDEX_LAYOUT=postorder), stdout, stderr and the exit status.
#
# Trees: synthetic ones made with genmod (configuration precedence,
# symbol checks, cycles, broken modules, foreign architectures, ...), then
# the installed Debian tree plain, as .ko.xz and as .ko.zst.  The .ko.gz
# copy is compared with our own plain-tree outputs, since kmod 30 is built
# without zlib.  modules.weakdep only exists in kmod 34.2 and is checked in
# test-depmod.sh.  MT_DIFF_DEPMOD_QUICK=1 skips the compressed real trees.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

KMOD=$(kmod_tool depmod) || missing_input_all "kmod's depmod is not installed"
OURS=$(tool depmod)
GENMOD=$top_builddir/tests/genmod
DUMP=$top_builddir/tests/dump-index
[ -x "$DUMP" ] || missing_input_all "tests/dump-index was not built (no libkmod-dev)"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
V=6.1.0-mt
ROOT=$W/root
D=$ROOT/lib/modules/$V
OUTPUTS="modules.dep modules.dep.bin modules.alias modules.alias.bin modules.softdep
modules.symbols modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin modules.devname"
TEXTS="modules.dep modules.alias modules.softdep modules.symbols modules.devname"
BINS="modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin modules.builtin.alias.bin"

clean_outputs() {	# clean_outputs DIR
	for f in $OUTPUTS modules.weakdep; do
		rm -f "$1/$f"
	done
}

# Run one depmod on the tree; results go to $W/$1 (outputs, out, err, rc).
# kmod 34.2's modules.weakdep section leaves -n's output.  kmod follows
# "Invalid symbol version" with whatever errno libkmod's start-up left
# (ENOENT without a modules.softdep), so that part is not compared.
run_one() {	# run_one kmod|ours|post CMD ARGS...
	r=$W/$1
	shift
	rm -rf "$r"
	mkdir -p "$r"
	clean_outputs "$D"
	"$@" > "$r/out" 2> "$r/err"
	echo $? > "$r/rc"
	sed -i '/^# Weak dependencies extracted from modules themselves\.$/d' "$r/out"
	sed -i 's/\(Invalid symbol version [^:]*\): .*/\1: (errno)/' "$r/err"
	for f in $OUTPUTS modules.weakdep; do
		[ -e "$D/$f" ] && mv "$D/$f" "$r/$f"
	done
	"$DUMP" "$r" > "$r/dump" 2>&1
}

# Compare everything two runs produced.  Returns 1 on any difference.
compare_runs() {	# compare_runs DIR-A DIR-B
	status=0
	for f in rc out err $TEXTS; do
		if [ -e "$1/$f" ] || [ -e "$2/$f" ]; then
			if ! [ -e "$1/$f" ] || ! [ -e "$2/$f" ]; then
				echo "# $f: only in one run"
				status=1
			elif ! same "$1/$f" "$2/$f"; then
				echo "# ($f differs)"
				status=1
			fi
		fi
	done
	if ! same "$1/dump" "$2/dump"; then
		echo "# (index dumps differ)"
		status=1
	fi
	return $status
}

# Byte comparison of the .bin files (ours written in kmod 30's order).
compare_bins() {	# compare_bins DIR-A DIR-B
	status=0
	for f in $BINS; do
		if [ -e "$1/$f" ] || [ -e "$2/$f" ]; then
			if ! cmp -s "$1/$f" "$2/$f"; then
				echo "# $f differs"
				status=1
			fi
		fi
	done
	return $status
}

# check DESCRIPTION ARGS... — kmod's depmod and ours with the same arguments
# on the tree at $ROOT (outputs compared, then ours again in post-order for
# the byte comparison of the indexes).
check() {
	desc=$1
	shift
	run_one kmod "$KMOD" "$@"
	run_one ours "$OURS" "$@"
	compare_runs "$W/kmod" "$W/ours"
	ok $? "$desc"
	run_one post env MT_INDEX_LAYOUT=postorder "$OURS" "$@"
	compare_bins "$W/kmod" "$W/post"
	ok $? "$desc: .bin files byte for byte (post-order)"
}

new_tree() {
	rm -rf "$ROOT" "$W/ext1" "$W/ext2" "$W/conf"
	mkdir -p "$D"
}

gm() {	# gm PATH-UNDER-D GENMOD-ARGS...
	p=$1
	shift
	mkdir -p "$(dirname "$D/$p")"
	"$GENMOD" -o "$D/$p" "$@" || echo "Bail out! genmod failed for $p"
}

# ---- synthetic trees -------------------------------------------------------

new_tree
check "empty module directory" -b "$ROOT" "$V"

# Aliases, devnames, softdeps, broken files, unsupported types, order.
new_tree
gm kernel/a/alpha.ko --name alpha --export sym_a --modinfo 'alias=pci:v1*' \
	--modinfo 'softdep=pre: beta' --modinfo alias=alpha-alt
gm kernel/b/beta.ko --name beta --export sym_b --import sym_a --import unknown_x \
	--modinfo alias=devname:foo --modinfo alias=char-major-10-200
gm kernel/b/gamma-x.ko --name gamma_x --import sym_b:weak --import sym_a \
	--modinfo 'alias=foo[0-9-]*-x' --modinfo 'alias=bad]x' --modinfo 'alias=[open'
gm kernel/c/blk.ko --name blk --modinfo alias=block-major-7-* \
	--modinfo alias=devname:blkdev --modinfo alias=block-major-8-3
gm kernel/c/nomajor.ko --name nomajor --modinfo alias=devname:lonely
gm kernel/c/foo.bar.ko --name foo --export foo_sym
gm kernel/dup/x1.ko --name x1 --export dupsym
gm kernel/dup/x2.ko --name x2 --export dupsym --export dupsym2
gm kernel/c/nomodinfo.ko --name nomodinfo
gm kernel/c/ksym.ko --name ksym --ksymtab-only --export ks1 --export ks2
gm kernel/c/user.ko --name user --import ks2 --import dupsym --import foo_sym
gm kernel/c/abs.ko --name abs --abs-crcs --export abs1:0x1234
printf 'garbage garbage garbage\n' > "$D/kernel/b/broken.ko"
: > "$D/kernel/b/empty.ko"
printf '\177ELF\002' > "$D/kernel/b/five.ko"
head -c 100 "$D/kernel/a/alpha.ko" > "$D/kernel/b/trunc.ko"
mkfifo "$D/kernel/fifo.ko"
ln -s /nonexistent "$D/kernel/dangling.ko"
ln -s ../a/alpha.ko "$D/kernel/c/alias-link.ko"
mkdir -p "$D/kernel/build" "$D/source"
gm kernel/build/skipped.ko --name skipped
gm source/skipped2.ko --name skipped2
printf 'not a module\n' > "$D/kernel/README"
printf 'kernel/b/beta.ko\nkernel/a/alpha.ko\nkernel/nosuch.ko\n\nkernel/c/foo.ba\nkernel/dup/x2.ko\nkernel/dup/x1.ko\n' \
	> "$D/modules.order"
printf 'kernel/a/foo-bar.ko\n\n1bad.ko\nkernel/x/baz.ko\nkernel/x/baz.ko\n/abs/qq.ko\nnoext\nkernel/last.ko' \
	> "$D/modules.builtin"
printf 'foo.alias=x-y[1-]\0foo.alias=bad]b\0foo.alias=same\0bar.alias=same\0noequals\0nodot=x\0baz.aliasx=q\0baz.alias=\0.alias=empty\0bar.alias=late' \
	> "$D/modules.builtin.modinfo"
check "basic tree" -b "$ROOT" "$V"
check "basic tree, -n" -n -b "$ROOT" "$V"
check "basic tree, -v" -v -b "$ROOT" "$V"
check "basic tree, -w" -w -b "$ROOT" "$V"
cd "$W" || exit 1
check "basic tree, relative -b" -b root/ "$V"
cd - > /dev/null || exit 1

# modules.order without a final newline: no reordering at all.
printf 'kernel/b/beta.ko\nkernel/a/alpha.ko' > "$D/modules.order"
check "modules.order missing its last newline" -b "$ROOT" "$V"
rm "$D/modules.order" "$D/modules.builtin" "$D/modules.builtin.modinfo"
check "no modules.order, modules.builtin, modules.builtin.modinfo" -b "$ROOT" "$V"

# Kernel symbols, -e, CRCs, symbol prefix.
new_tree
gm kernel/m1.ko --name m1 --export e1:0x11 --export e2:0x22
gm kernel/m2.ko --name m2 --import e1 --version e1:0x11 --import e2 --version e2:0x23 \
	--import k1 --version k1:0x5 --import k2 --version k2:0x6 --import u1 --import u2:weak \
	--version kv:0x7 --import e3:weak --version e3:0x99 --import k3
gm kernel/m3.ko --name m3 --export k1:0x5
gm kernel/p1.ko --name p1 --export _pfx_a:0x1 --import _pfx_k --import _pfx_a
printf '0x00000005\tk2\tvmlinux\tEXPORT_SYMBOL\n0x7\tkv\tvmlinux\tEXPORT_SYMBOL\n' > "$W/symvers"
printf '0x9\tk1\tvmlinux\tX\n0x8 e3 vmlinux X\n0xzz\tbad\tvmlinux\tX\n0x8\tnotvm\tdrivers/x\tX\n' >> "$W/symvers"
printf '12\tk3\tvmlinux\n0x1ffffffffffffffff big vmlinux X\n0x3\t_pfx_k\tvmlinux\tX\n' >> "$W/symvers"
printf 'ffffffff81000000 T __ksymtab_k2\nffffffff81000000 r __ksymtab_kv\nbadline\n' > "$W/sysmap"
printf 'ffff r __ksymtab_e3\nffff x y z __ksymtab_q\nffff r ___ksymtab_k3\n' >> "$W/sysmap"
check "-e without -E or -F" -e -b "$ROOT" "$V"
check "-e -E Module.symvers" -e -E "$W/symvers" -b "$ROOT" "$V"
check "-e -F System.map" -e -F "$W/sysmap" -b "$ROOT" "$V"
check "-E and -F together" -e -E "$W/symvers" -F "$W/sysmap" -b "$ROOT" "$V"
check "-E without -e" -E "$W/symvers" -b "$ROOT" "$V"
check "-P _ with -E" -e -P _ -E "$W/symvers" -b "$ROOT" "$V"
check "-P _ with -F, -v" -v -e -P _ -F "$W/sysmap" -b "$ROOT" "$V"
check "-E missing file" -E "$W/nosuch" -b "$ROOT" "$V"
check "-P with two characters" -P ab -b "$ROOT" "$V"

# Dependency cycles (disjoint simple cycles, a self-import).
new_tree
gm kernel/cyc_a.ko --name cyc_a --export sa --import sb
gm kernel/cyc_b.ko --name cyc_b --export sb --import sc
gm kernel/cyc_c.ko --name cyc_c --export sc --import sa
gm kernel/cyc_d.ko --name cyc_d --export sd --import sa
gm kernel/cyc_e.ko --name cyc_e --export se --import sf
gm kernel/cyc_f.ko --name cyc_f --export sf --import se --import sx
gm kernel/cyc_g.ko --name cyc_g
gm kernel/cyc_x.ko --name cyc_x --export sx
gm kernel/self.ko --name self --export me --import me
printf 'kernel/cyc_g.ko\nkernel/cyc_f.ko\nkernel/cyc_d.ko\nkernel/cyc_c.ko\nkernel/cyc_b.ko\nkernel/cyc_a.ko\nkernel/cyc_e.ko\nkernel/cyc_x.ko\n' \
	> "$D/modules.order"
check "cycles are reported and nothing is written" -b "$ROOT" "$V"
printf 'kernel/cyc_x.ko\nkernel/self.ko\nkernel/cyc_e.ko\nkernel/cyc_b.ko\nkernel/cyc_a.ko\n' > "$D/modules.order"
check "cycles, another module order" -b "$ROOT" "$V"

# Deep dependency chains: topological order of the dependency lists.
new_tree
prev=
for i in 0 1 2 3 4 5 6 7 8 9; do
	gm "kernel/chain/c$i.ko" --name "c$i" --export "s$i" ${prev:+--import "$prev"}
	prev=s$i
done
gm kernel/fan/top.ko --name top --import s9 --import s3 --import d1 --import d2
gm kernel/fan/d1.ko --name d1 --export d1 --import s5 --import d2
gm kernel/fan/d2.ko --name d2 --export d2 --import s0
check "dependency chains and diamonds" -b "$ROOT" "$V"

# Duplicate module names: search, override, external, exclude, built-in.
new_tree
for p in kernel/x updates/b updates/c updates/a extra; do
	gm "$p/bar.ko" --name bar --modinfo "alias=from-$(echo "$p" | tr / -)"
done
gm kernel/x/baz.ko --name baz
gm kernel/skipme/sk.ko --name sk
gm kernel/x/foo-x.ko --name foo_x
gm updates/foo_x.ko --name foo_x --modinfo alias=updated
mkdir -p "$W/ext1/s1" "$W/ext1/s2" "$W/ext2" "$W/conf"
"$GENMOD" -o "$W/ext1/bar.ko" --name bar --modinfo alias=ext1
"$GENMOD" -o "$W/ext2/bar.ko" --name bar --modinfo alias=ext2
"$GENMOD" -o "$W/ext2/baz.ko" --name baz --modinfo alias=ext2
"$GENMOD" -o "$W/ext1/baz.ko" --name baz --modinfo alias=ext1
"$GENMOD" -o "$W/ext1/s1/qq.ko" --name qq --modinfo alias=s1
"$GENMOD" -o "$W/ext1/s2/qq.ko" --name qq --modinfo alias=s2
check "duplicates without configuration" -b "$ROOT" "$V"
conf() {	# conf TEXT — the only configuration file
	rm -rf "$W/conf"
	mkdir -p "$W/conf"
	printf "$1" > "$W/conf/test.conf"
}
for c in 'search extra updates built-in' 'search updates extra' 'search built-in extra' \
	'override bar * kernel/x' 'override bar * extra\noverride bar * kernel/x' \
	'override bar * kernel/x\noverride bar * extra' 'override bar * updates/c' \
	'override bar 6\\.1 kernel/x' 'override bar ^5 kernel/x' 'override bar [ kernel/x' \
	'override foo-x * kernel/x' 'override foo_x * kernel/x' \
	'exclude skipme updates\nsearch extra' \
	"external * $W/ext1\nexternal * $W/ext2\nsearch extra external updates" \
	"external * $W/ext1\nexternal * $W/ext2\nsearch extra updates" \
	"external * $W/ext1\nexternal * $W/ext2\nsearch updates built-in external" \
	"external * $W/ext2\nexternal * $W/ext1\nsearch external" \
	"external * $W/nosuch\nexternal 5.* $W/ext2\nsearch external" \
	'search updates \\\n extra\n  # indented\nbogus line\noverride bar\nexternal\ninclude x\nmake_map_files\n#c\n\n\t\n'; do
	conf "$c"
	check "configuration: $(printf "$c" | tr '\n\t' '; ')" -C "$W/conf" -b "$ROOT" "$V"
done

# Kernel patterns the C library would need gigabytes (or more stack than
# there is) to compile, and kmod's depmod takes them: each line is ignored
# with an error naming it, and the rest is what kmod makes without those
# lines.
conf 'override bar ((x{1,200}){1,200}){1,200} kernel/x\noverride baz o+++++++++++++++++++++++++++++ extra\nexternal (x{1,99}){1,99} /\noverride baz ((()){1,200}){1,200} extra\n'
run_one ours "$OURS" -C "$W/conf" -b "$ROOT" "$V"
conf ''
run_one kmod "$KMOD" -C "$W/conf" -b "$ROOT" "$V"
grep -q "test.conf:1: ignoring override: the kernel pattern '((x{1,200}){1,200}){1,200}'" "$W/ours/err" &&
	grep -q "test.conf:2: ignoring override: the kernel pattern" "$W/ours/err" &&
	grep -q "test.conf:3: ignoring external: the kernel pattern" "$W/ours/err" &&
	grep -q "test.conf:4: ignoring override: the kernel pattern" "$W/ours/err" &&
	sed -i '/: ignoring \(override\|external\): the kernel pattern /d' "$W/ours/err" &&
	compare_runs "$W/kmod" "$W/ours"
ok $? "kernel patterns too big to compile are refused, their lines ignored"

# Configuration files: ordering by name, duplicates, non-.conf names.
rm -rf "$W/conf"
mkdir -p "$W/conf/d1" "$W/conf/d2/sub.conf" "$W/conf/d2/subdir"
printf 'search extra\nbogus1\n' > "$W/conf/d1/10-a.conf"
printf 'bogus2\n' > "$W/conf/d2/10-a.conf"
printf 'bogus3\nsearch updates\n' > "$W/conf/d2/05-b.conf"
printf 'bogus4\n' > "$W/conf/d2/.hidden.conf"
printf 'bogus5\n' > "$W/conf/d2/x.txt"
printf 'bogus6\n' > "$W/conf/single.txt"
check "configuration files from several -C" -C "$W/conf/d1" -C "$W/conf/d2/" \
	-C "$W/conf/single.txt" -C "$W/nosuch" -b "$ROOT" "$V"

# Explicit module files, versions and other command lines.
check "explicit module files" -b "$ROOT" "$V" "$D/kernel/x/baz.ko" "$D/extra/bar.ko" "$W/ext1/s1/qq.ko"
check "explicit files with -a are ignored" -a -b "$ROOT" "$V" "$D/kernel/x/baz.ko"
check "explicit file given twice" -b "$ROOT" "$V" "$D/kernel/x/baz.ko" "$D/kernel/x/baz.ko"
check "explicit file missing" -b "$ROOT" "$V" "$D/kernel/nosuch.ko"
check "explicit file not absolute" -b "$ROOT" "$V" kernel/x/baz.ko
check "bad version" -b "$ROOT" 6
check "missing module directory" -b "$ROOT" 9.9.9

# -A: nothing to do when modules.dep is the newest, a full run otherwise;
# an unsupported file is named by the stale path kmod shows.
new_tree
gm zz.ko --name zz
gm kernel/a/m.ko --name m
mkfifo "$D/aaa" "$D/kernel/f2"
for tree in kmod ours; do
	clean_outputs "$D"
	touch -d '2 hours ago' "$D/zz.ko" "$D/kernel/a/m.ko"
	if [ $tree = kmod ]; then "$KMOD" -b "$ROOT" "$V" 2> /dev/null; else "$OURS" -b "$ROOT" "$V" 2> /dev/null; fi
	for step in fresh stale; do
		[ $step = stale ] && touch "$D/kernel/a/m.ko"
		touch -d '1 hour ago' "$D/modules.dep"
		[ $step = fresh ] && touch "$D/modules.dep"
		rm -f "$D/modules.alias"
		if [ $tree = kmod ]; then "$KMOD" -A -b "$ROOT" "$V"; else "$OURS" -A -b "$ROOT" "$V"; fi \
			> "$W/A-$tree-$step.out" 2>&1
		echo "rc $? alias $([ -e "$D/modules.alias" ] && echo written)" >> "$W/A-$tree-$step.out"
	done
	rm "$D/modules.dep"
	if [ $tree = kmod ]; then "$KMOD" -A -b "$ROOT" "$V"; else "$OURS" -A -b "$ROOT" "$V"; fi \
		> "$W/A-$tree-missing.out" 2>&1
	if [ $tree = kmod ]; then "$KMOD" -A -n -b "$ROOT" "$V"; else "$OURS" -A -n -b "$ROOT" "$V"; fi \
		> "$W/A-$tree-show.out" 2>&1
done
for step in fresh stale missing show; do
	same "$W/A-kmod-$step.out" "$W/A-ours-$step.out"
	ok $? "-A: $step modules.dep"
done

# Foreign architectures: ELF class, byte order and machine.
for arch in "32 --big-endian --machine 20" "64 --big-endian --machine 21" "32 --machine 40" \
	"64 --big-endian --machine 22"; do
	new_tree
	set -- --class $arch
	gm kernel/a/pa.ko "$@" --name pa --export pa1:0xabc --export pa2 --modinfo alias=of:Nfoo
	gm kernel/b/pb.ko "$@" --name pb --import pa1 --version pa1:0xabc --import .pa2 \
		--import pc1:weak --version module_layout:0x1 --modinfo softdep=post:pa
	gm kernel/c/pc.ko "$@" --name pc --ksymtab-only --export pc1 --modinfo alias=char-major-4-5 \
		--modinfo alias=devname:pc
	printf '0xabc\tpa9\tvmlinux\tX\n0x1\tmodule_layout\tvmlinux\tX\n' > "$W/symvers"
	check "architecture: class $arch" -v -e -E "$W/symvers" -b "$ROOT" "$V"
done

# Corrupted modules, one at a time (each byte of a small module, every 13th,
# set to 00, ff, 7f or 80): the same outputs and messages, except where
# kmod itself crashes (its ELF reader asserts on some).
new_tree
"$GENMOD" -o "$W/seed.ko" --name seed --export s1:0x1 --export s2 --import k1 --import x:weak \
	--version x:0x5 --version pv:0x7 --modinfo alias=pci:v1* --modinfo softdep=pre:a \
	--modinfo alias=devname:d
gm kernel/prov.ko --name prov --export k1
gm kernel/vprov.ko --name vprov --export pv
mkdir -p "$D/kernel/fuzz"
size=$(wc -c < "$W/seed.ko")
tried=0 crashed=0 differ=0 off=0
while [ $off -lt "$size" ]; do
	for byte in 00 ff 7f 80; do
		f=$D/kernel/fuzz/f.ko
		cp "$W/seed.ko" "$f"
		printf "\\$(printf %o 0x$byte)" | dd of="$f" bs=1 seek=$off conv=notrunc 2> /dev/null
		tried=$((tried + 1))
		"$KMOD" -n -b "$ROOT" "$V" > "$W/k.out" 2> "$W/k.err"
		if [ $? -gt 1 ]; then
			crashed=$((crashed + 1))
			continue
		fi
		"$OURS" -n -b "$ROOT" "$V" 2> "$W/o.err" |
			sed '/^# Weak dependencies extracted from modules themselves\.$/d' > "$W/o.out"
		if ! cmp -s "$W/k.out" "$W/o.out" || ! cmp -s "$W/k.err" "$W/o.err"; then
			differ=$((differ + 1))
			[ $differ -le 3 ] && echo "# byte $off set to $byte:" &&
				diff "$W/k.out" "$W/o.out" | head -n 5 | sed 's/^/# /' &&
				diff "$W/k.err" "$W/o.err" | head -n 5 | sed 's/^/# /'
		fi
	done
	off=$((off + 13))
done
[ $differ -eq 0 ]
ok $? "$tried corrupted modules, one at a time: same as kmod ($crashed crash kmod)"

# ---- real trees of other architectures --------------------------------------

nforeign=0
for tree in $(foreign_trees); do
	fv=$(basename "$tree")
	rm -rf "$ROOT"
	D=$ROOT/lib/modules/$fv
	mkdir -p "$D"
	cp -a "$tree/." "$D/"
	n=$(find "$D/kernel" -name '*.ko*' | wc -l)
	check "Debian's $fv tree ($n modules)" -b "$ROOT" "$fv"
	nforeign=$((nforeign + 1))
done
[ "$nforeign" -gt 0 ] ||
	missing_input "real trees of other architectures" "none unpacked (scripts/setup.sh fetches arm64 and s390x)"

# ---- the installed tree ----------------------------------------------------

TREE=$(module_tree)
if [ -z "$TREE" ]; then
	missing_input "installed tree" "no module tree under /lib/modules (install linux-image-amd64)"
	done_testing
	exit $?
fi
RV=$(basename "$TREE")
rm -rf "$ROOT"
D=$ROOT/lib/modules/$RV
mkdir -p "$D"
cp -a "$TREE/kernel" "$TREE/modules.order" "$TREE/modules.builtin" "$TREE/modules.builtin.modinfo" "$D/"
n=$(find "$D/kernel" -name '*.ko' | wc -l)
check "installed tree ($n modules)" -b "$ROOT" "$RV"
cp "$W/ours/modules.dep" "$W/plain.dep"
"$DUMP" "$W/ours" > "$W/plain.dump"
for f in modules.alias modules.softdep modules.symbols modules.devname; do
	cp "$W/ours/$f" "$W/plain.$f"
done
check "installed tree, -n" -n -b "$ROOT" "$RV"

if [ -n "${MT_DIFF_DEPMOD_QUICK:-}" ]; then
	skip "compressed copies of the installed tree" "MT_DIFF_DEPMOD_QUICK is set"
	done_testing
	exit $?
fi
compress_tree() {	# compress_tree SUFFIX COMMAND... — every .ko of the tree
	suffix=$1
	shift
	rm -rf "$D/kernel"
	cp -a "$TREE/kernel" "$D/"
	find "$D/kernel" -name '*.ko' -type f > "$W/list"
	xargs -P "$(nproc)" -n 64 "$@" < "$W/list" &&
		[ "$(find "$D/kernel" -name "*.ko$suffix" | wc -l)" -eq "$n" ]
}
for comp in xz:.xz zstd:.zst; do
	tool_=${comp%%:*} suffix=${comp#*:}
	if ! command -v "$tool_" > /dev/null; then
		missing_input "installed tree as .ko$suffix" "no $tool_ command"
		continue
	fi
	if [ "$tool_" = xz ]; then
		set -- xz -q --check=crc32 --lzma2=preset=1,dict=1MiB
	else
		set -- zstd -q --rm
	fi
	if compress_tree "$suffix" "$@"; then
		check "installed tree as .ko$suffix" -b "$ROOT" "$RV"
	else
		echo "Bail out! compressing the tree with $tool_ failed"
		exit 1
	fi
done

# .ko.gz: kmod 30 has no zlib, so compare with the plain tree's outputs
# with ".gz" added to every module path.
if mt_has_zlib=$("$OURS" -V | grep -c '+ZLIB') && [ "$mt_has_zlib" -gt 0 ]; then
	if compress_tree .gz gzip -n; then
		run_one ours "$OURS" -b "$ROOT" "$RV"
		sed 's/\.ko\(:\| \|$\)/.ko.gz\1/g' "$W/plain.dep" > "$W/want.dep"
		sed 's/\.ko\(:\| \|$\)/.ko.gz\1/g' "$W/plain.dump" > "$W/want.dump"
		status=0
		same "$W/want.dep" "$W/ours/modules.dep" || status=1
		same "$W/want.dump" "$W/ours/dump" || status=1
		for f in modules.alias modules.softdep modules.symbols modules.devname; do
			same "$W/plain.$f" "$W/ours/$f" || status=1
		done
		[ -s "$W/ours/err" ] && status=1
		ok $status "installed tree as .ko.gz: the plain tree's outputs with .gz paths"
	else
		echo "Bail out! compressing the tree with gzip failed"
		exit 1
	fi
else
	skip "installed tree as .ko.gz" "built without zlib"
fi
done_testing
