#!/bin/sh
# test-kmod.sh — the kmod program against Debian's kmod under the shim:
# `kmod static-nodes` on the installed tree's modules.devname in all three
# formats (to stdout, and with -o creating parent directories, as systemd's
# kmod-static-nodes.service runs it), a missing modules.devname (warning,
# exit 0), `kmod list`, help (with our closure command) and bad options;
# then what kmod has no
# behaviour for: bad modules.devname lines, unknown program names, and the
# tools reached through their names.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

[ -f "${MT_SHIM:-}" ] || skip_all "the shim is not built"
OURS=$(tool kmod)
[ -x "$OURS" ] || skip_all "tools/kmod is not built"
KMOD=$(kmod_tool kmod) || skip_all "Debian's kmod is not installed"
TREE=$(module_tree)
[ -n "$TREE" ] && [ -f "$TREE/modules.devname" ] || skip_all "no module tree with modules.devname"
VER=$(basename "$TREE")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root/lib/modules/$VER" "$work/ours" "$work/kmod"
cp "$TREE/modules.devname" "$root/lib/modules/$VER/"
# Both run as "kmod" (argv[0] appears in getopt's messages and the usage).
ln -s "$OURS" "$work/ours/kmod"
ln -s "$KMOD" "$work/kmod/kmod"

# run WHO ARGS... — `kmod ARGS` as WHO (ours or kmod) under the shim in
# $root; stdout in $work/WHO.out, stderr in $work/WHO.err, status in
# $work/WHO.rc
run() {
	who=$1
	shift
	(cd "$work" && PATH="$work/$who:$PATH" MT_SHIM_ROOT=$root MT_SHIM_UNAME_R=$VER \
		LD_PRELOAD=$MT_SHIM kmod "$@" > "$work/$who.out" 2> "$work/$who.err"
	echo $? > "$work/$who.rc")
}

# compare DESCRIPTION ARGS... — stdout, stderr and status identical to kmod's
compare() {
	desc=$1
	shift
	run ours "$@"
	run kmod "$@"
	same "$work/kmod.out" "$work/ours.out" && same "$work/kmod.err" "$work/ours.err" &&
		same "$work/kmod.rc" "$work/ours.rc"
	ok $? "$desc: same output, messages and status as kmod"
}

entries=$(grep -vc '^#' "$TREE/modules.devname")
[ "$entries" -gt 0 ]
ok $? "the tree's modules.devname lists $entries nodes"

compare "static-nodes (human by default)" static-nodes
for f in human tmpfiles devname; do
	compare "static-nodes -f $f" static-nodes -f "$f"
	compare "static-nodes --format=$f" static-nodes --format="$f"
done
run ours static-nodes --format=tmpfiles
[ -s "$work/ours.out" ] && [ ! -s "$work/ours.err" ] && [ "$(cat "$work/ours.rc")" = 0 ]
ok $? "static-nodes --format=tmpfiles: output, no message, exit 0"
if grep -q '^[^#]* [^ ]*/' "$TREE/modules.devname"; then
	grep -q '^d /dev/[^ ]* 0755 - - -$' "$work/ours.out"
	ok $? "static-nodes --format=tmpfiles: a node in a subdirectory gets a d line"
else
	skip "static-nodes --format=tmpfiles: a node in a subdirectory gets a d line" \
		"no such node in the tree"
fi

# -o: parents created, as kmod does; systemd's own command line, into /run.
for who in ours kmod; do
	run "$who" static-nodes --format=devname -o "$work/$who-o/a/b/nodes"
done
same "$work/kmod-o/a/b/nodes" "$work/ours-o/a/b/nodes" && [ ! -s "$work/ours.out" ] &&
	[ "$(stat -c %a "$work/ours-o/a")" = "$(stat -c %a "$work/kmod-o/a")" ] &&
	[ "$(cat "$work/ours.rc")" = 0 ]
ok $? "static-nodes -o FILE: parent directories created, same file as kmod's"
for who in kmod ours; do
	rm -rf "$root/run"
	run "$who" static-nodes --format=tmpfiles --output=/run/tmpfiles.d/static-nodes.conf
	cp "$root/run/tmpfiles.d/static-nodes.conf" "$work/$who.conf" 2> /dev/null
done
[ -s "$work/ours.conf" ] && same "$work/kmod.conf" "$work/ours.conf" &&
	same "$work/kmod.err" "$work/ours.err" && same "$work/kmod.rc" "$work/ours.rc"
ok $? "kmod-static-nodes.service's command: same /run/tmpfiles.d/static-nodes.conf"
: > "$work/file"
run ours static-nodes -o "$work/file/x/nodes"
echo "Error: could not create parent directory for $work/file/x/nodes - Not a directory." > "$work/want"
same "$work/want" "$work/ours.err" && [ "$(cat "$work/ours.rc")" = 1 ]
ok $? "static-nodes -o below a file: kmod's error, exit 1"

# A kernel without modules.devname: a warning, no output file, success.
mv "$root/lib/modules/$VER/modules.devname" "$work/devname"
compare "missing modules.devname" static-nodes
[ "$(cat "$work/ours.rc")" = 0 ] && [ -s "$work/ours.err" ]
ok $? "missing modules.devname: a warning and exit 0"
for who in ours kmod; do
	run "$who" static-nodes -f tmpfiles -o "$work/$who-missing/nodes"
done
[ ! -e "$work/ours-missing/nodes" ] && [ ! -e "$work/kmod-missing/nodes" ] &&
	same "$work/kmod.err" "$work/ours.err" && same "$work/kmod.rc" "$work/ours.rc"
ok $? "missing modules.devname with -o: no file created, as kmod"
mv "$work/devname" "$root/lib/modules/$VER/modules.devname"

# Help and bad usage.  The usage lists kmod's commands and ours, closure,
# after them: kmod's text with that one line added.
compare_usage() {
	desc=$1
	shift
	run ours "$@"
	run kmod "$@"
	for f in out err; do
		sed '/^  static-nodes /a\
  closure      lists the module and firmware files an initramfs needs for modules' \
			"$work/kmod.$f" >"$work/kmod.$f.want"
	done
	same "$work/kmod.out.want" "$work/ours.out" && same "$work/kmod.err.want" "$work/ours.err" &&
		same "$work/kmod.rc" "$work/ours.rc" && grep -q '^  closure ' "$work/ours.out"
	ok $? "$desc: kmod's output with the closure command, its messages and status"
}
compare_usage "kmod help" help
compare_usage "kmod -h" -h
compare_usage "kmod --help" --help
compare_usage "kmod without a command" ""
compare_usage "kmod with no argument at all"
compare_usage "kmod with an unknown command" frobnicate
compare "kmod with a bad option" -x
compare "kmod with a bad long option" --frobnicate
compare "static-nodes -h" static-nodes -h
compare "static-nodes --help" static-nodes --help
compare "static-nodes with an unknown format" static-nodes -f xml
compare "static-nodes with a bad option" static-nodes -x
compare "static-nodes -f without its argument" static-nodes -f
compare "static-nodes ignores operands" static-nodes -f devname extra
run ours -V
{ echo "kmod version 34.2 (modtool $(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h"))"
  "$KMOD" -V | sed -n 2p | sed 's/ -EXPERIMENTAL$//; s/LIBCRYPTO/OPENSSL/; s/[-+]\(ZSTD\|XZ\|ZLIB\|OPENSSL\)/?\1/g'
} > "$work/want"
sed '2s/[-+]\(ZSTD\|XZ\|ZLIB\|OPENSSL\)/?\1/g' "$work/ours.out" > "$work/got"
same "$work/want" "$work/got" && [ "$(cat "$work/ours.rc")" = 0 ]
ok $? "kmod -V: kmod's first line with modtool's version, kmod's feature line"

# kmod list = lsmod, against kmod's on a fake /proc/modules and /sys/module.
mkdir -p "$root/proc" "$root/sys/module/a/holders" "$root/sys/module/b/holders"
printf 'a 16384 1 b, Live 0xffffffffc0000000\nb 8192 0 - Live 0xffffffffc0010000\n' \
	> "$root/proc/modules"
echo 1 > "$root/sys/module/a/refcnt"
echo 0 > "$root/sys/module/b/refcnt"
echo 16384 > "$root/sys/module/a/coresize"
echo 8192 > "$root/sys/module/b/coresize"
: > "$root/sys/module/a/holders/b"
compare "kmod list" list
grep -q '^a  *16384  1 b$' "$work/ours.out"
ok $? "kmod list: the modules with sizes, counts and holders"
(cd "$work" && MT_SHIM_ROOT=$root LD_PRELOAD=$MT_SHIM "$(tool lsmod)" > "$work/lsmod.out" 2>&1)
same "$work/lsmod.out" "$work/ours.out"
ok $? "kmod list: the same as lsmod"

# Bad modules.devname lines: each reported with file and line, the others
# still printed, exit 1.
devname=$root/lib/modules/$VER/modules.devname
cp "$devname" "$work/devname"
cat > "$devname" <<'EOF'
# comment
fuse fuse c10:229
tun net/tun

evil ../etc/passwd c1:1
abs /dev/x c1:1
dot a/./b c1:1
x x z1:2
y y c1-2
z z c1:2junk
w w c4294967296:1
v v c-1:1
u u c1:1 extra
snd_seq snd/seq b116:1
EOF
printf 'u2 u2\tc1:\n' >> "$devname"
run ours static-nodes -f devname
printf '%s\n' "fuse fuse c10:229" "snd_seq snd/seq b116:1" > "$work/want"
same "$work/want" "$work/ours.out"
ok $? "bad modules.devname lines: the good entries are still printed"
f=/lib/modules/$VER/modules.devname
cat > "$work/want" <<EOF
Error: $f:3: invalid devname entry: 2 fields instead of 3 (MODULE DEVNAME TYPEMAJOR:MINOR)
Error: $f:4: invalid devname entry: 0 fields instead of 3 (MODULE DEVNAME TYPEMAJOR:MINOR)
Error: $f:5: invalid devname entry: device name '../etc/passwd' does not stay below /dev
Error: $f:6: invalid devname entry: device name '/dev/x' does not stay below /dev
Error: $f:7: invalid devname entry: device name 'a/./b' does not stay below /dev
Error: $f:8: invalid devname entry: device 'z1:2' is neither c(haracter) nor b(lock)
Error: $f:9: invalid devname entry: device 'c1-2' is not TYPEMAJOR:MINOR with decimal numbers
Error: $f:10: invalid devname entry: device 'c1:2junk' is not TYPEMAJOR:MINOR with decimal numbers
Error: $f:11: invalid devname entry: device 'c4294967296:1' is not TYPEMAJOR:MINOR with decimal numbers
Error: $f:12: invalid devname entry: device 'c-1:1' is not TYPEMAJOR:MINOR with decimal numbers
Error: $f:13: invalid devname entry: more than 3 fields
Error: $f:15: invalid devname entry: device 'c1:' is not TYPEMAJOR:MINOR with decimal numbers
EOF
same "$work/want" "$work/ours.err" && [ "$(cat "$work/ours.rc")" = 1 ]
ok $? "bad modules.devname lines: one message each naming file and line, exit 1"
run kmod static-nodes -f devname
[ "$(cat "$work/kmod.rc")" = 1 ]
ok $? "bad modules.devname lines: kmod fails on them too"
printf 'a b c1:1\0x\n' > "$devname"
run ours static-nodes
echo "Error: $f:1: invalid devname entry: a NUL byte in the line" > "$work/want"
same "$work/want" "$work/ours.err" && [ ! -s "$work/ours.out" ] && [ "$(cat "$work/ours.rc")" = 1 ]
ok $? "a NUL byte in modules.devname: reported, exit 1"
rm -f "$devname"
mkdir "$devname"
run ours static-nodes
echo "Error: could not read $f: Is a directory" > "$work/want"
same "$work/want" "$work/ours.err" && [ "$(cat "$work/ours.rc")" = 1 ]
ok $? "modules.devname that cannot be read: error, exit 1"
rmdir "$devname"
cp "$work/devname" "$devname"

# Written output that cannot be stored is a failure, not a silent success.
if [ -w /dev/full ]; then
	run ours static-nodes -o /dev/full
	grep -q '^Error: could not write /dev/full - No space left on device$' "$work/ours.err" &&
		[ "$(cat "$work/ours.rc")" = 1 ]
	ok $? "static-nodes -o /dev/full: write error reported, exit 1"
else
	skip "static-nodes -o /dev/full: write error reported, exit 1" "no /dev/full"
fi

# The tools through their names; other names refused.
for t in insmod rmmod lsmod modinfo modprobe depmod; do
	ln -s "$OURS" "$work/$t"
	"$work/$t" -h > "$work/out" 2>&1 && head -n 2 "$work/out" | grep -q "^	$t "
	ok $? "the binary called $t is $t"
	"$work/$t" -V > "$work/v" 2>&1 && "$OURS" -V | same - "$work/v"
	ok $? "$t -V: the same version lines as kmod -V"
done
ln -s "$OURS" "$work/frob"
"$work/frob" > "$work/out" 2>&1
rc=$?
echo "frob: unknown program name: the kmod binary runs as kmod, depmod, insmod, lsmod, modinfo, modprobe or rmmod" > "$work/want"
same "$work/want" "$work/out" && [ "$rc" = 1 ]
ok $? "an unknown program name: clear error, exit 1"
done_testing
