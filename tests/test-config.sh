#!/bin/sh
# test-config.sh — the configuration reader (lib/config.c) against kmod's
# `modprobe -c` on crafted and generated configurations: both run under the
# shim on the same fake root (so both read the same /proc/cmdline), with an
# empty module directory (so kmod dumps no index); stdout must be identical
# byte for byte, and the messages identical once kmod's
# "libkmod: ERROR FILE:LINE FUNC: " prefix is removed.
#
# Debian's kmod is version 30, which differs from 34.2 (the target) in a few
# places this test therefore avoids: a backslash just before the end of a
# file (30 stores the EOF as a 0xff byte), `.alias` files (still read by 30),
# `weakdep` (unknown to 30), /usr/lib/modprobe.d (not a default directory
# of 30) and dangling symlinks (silently skipped by 30,
# "Cannot stat directory entry" in 34.2).  test-config.c covers those.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

[ -f "${MT_SHIM:-}" ] || missing_input_all "the shim is not built"
KMOD=$(kmod_tool modprobe) || missing_input_all "kmod's modprobe is not installed"
OURS=$top_builddir/tests/test-config
[ -x "$OURS" ] || missing_input_all "tests/test-config is not built"
: "${MT_CONFIG_FUZZ:=300}"	# generated configurations (and command lines)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd -P)	# the shim wants a canonical root
VER=9.9.9-config
root=$work/root			# fake system: /proc/cmdline
moddir_root=$work/modroot	# modprobe -d: DIR = $moddir_root/lib/modules/$VER
DIR=$moddir_root/lib/modules/$VER
mkdir -p "$root/proc" "$DIR"

# differ CMDLINE_FILE ARGS... — run both sides with /proc/cmdline from
# CMDLINE_FILE and the -C arguments ARGS, from the current directory; 0 when
# they agree, else 1 with the differences as TAP diagnostics.
differ() {
	cp "$1" "$root/proc/cmdline"
	shift
	$as_user env LD_PRELOAD="$MT_SHIM" MT_SHIM_ROOT="$root" MT_SHIM_UNAME_R=$VER \
		"$KMOD" -c -d "$moddir_root" "$@" > "$work/kmod.out" 2> "$work/kmod.err"
	$as_user env LD_PRELOAD="$MT_SHIM" MT_SHIM_ROOT="$root" MT_SHIM_UNAME_R=$VER \
		"$OURS" --dump -d "$DIR" "$@" > "$work/ours.out" 2> "$work/ours.err"
	printf '\n# End of configuration files. Dumping indexes now:\n\n' >> "$work/ours.out"
	sed 's/^libkmod: ERROR [^ ]* [a-z_]*: //' "$work/kmod.err" > "$work/kmod.msg"
	same "$work/kmod.out" "$work/ours.out" && same "$work/kmod.msg" "$work/ours.err"
}

compare() {	# compare DESCRIPTION CMDLINE_FILE ARGS...
	desc=$1
	shift
	differ "$@"
	ok $? "$desc"
}

as_user=		# a command prefix running both sides as another user
empty=$work/empty-cmdline
: > "$empty"

# ---- syntax and directives ----------------------------------------------------
mkdir -p "$work/syntax"
printf '%s\n' \
	'alias a\' 'b c' \
	'al\ias \x\-y m\\n' \
	'# comment \' 'alias hidden h' \
	'bad1 \' '\' 'x' \
	'install i-1 cmd\	arg \' '  more' \
	'remove r-2 \\' 'cmd' \
	'alias crlf m' 'alias last l\\' > "$work/syntax/a.conf"
printf 'alias a\000junk b\nalias q\000 w e\noptions o x\000y\nalias cr m\r\nalias vt\vx m\n' \
	> "$work/syntax/b.conf"
printf '%s\n' \
	'alias' 'alias a' 'alias a ' 'blacklist' 'blacklist  ' \
	'options foo' 'options foo ' 'options foo  ' 'options tab	a=1	b=2 ' \
	'install foo' 'install foo ' 'remove foo' 'softdep foo' 'softdep foo ' \
	'alias a[ b' 'alias a b[' 'blacklist a]' 'options a[ x' 'install a[ x' \
	'remove a] y' 'softdep a[ pre: x' 'blacklist b-1 extra' \
	'alias [a-b]-c-[x d-e' 'ALIAS x y' 'include foo' 'config bar' 'include' \
	'alias	a-[b-c]-d	m-n extra words' '	alias x y' 'options q-[a-b] x' \
	'  # indented' '	' ' ' '' '#' > "$work/syntax/c.conf"
printf '%s\n' \
	'softdep a pre:  x   y  post:  z  ' 'softdep b pre:	x		y' \
	'softdep c post: p pre: q' 'softdep d pre: post:' 'softdep e pre:x post:y' \
	'softdep f 	pre: a' 'softdep g pre: a b post:' 'softdep h post: z' \
	'softdep i pre: a post: b pre: c post: d pre: e' 'softdep j  a pre: b' \
	'softdep k post:  ' 'softdep l pre:x pre: y' 'softdep x   pre: a' \
	'softdep y 	pre: b' 'softdep z	 pre: c' 'softdep cifs gcm' \
	'softdep ext4 pre: mbcache crc16 post: crc16 pre: jbd2' 'softdep foo pre: a b post: c d' \
	'softdep mod-[a-b]-x pre: q-r' > "$work/syntax/d.conf"
printf 'softdep w pre: a\vb\fc\rd\n' >> "$work/syntax/d.conf"
compare "syntax, escapes, bad lines and every directive" "$empty" -C "$work/syntax"

# ---- the kernel command line --------------------------------------------------
i=0
while IFS= read -r cmdline; do
	i=$((i + 1))
	printf "$cmdline" > "$work/cmdline"
	differ "$work/cmdline" -C "$work/none"
	status=$?
	[ "$status" -eq 0 ] || printf '# the command line was: %s\n' "$cmdline"
	ok "$status" "kernel command line, case $i"
done <<'LIST'
modprobe.blacklist=foo,bar-baz snd-hda.model=auto "parport.dyndbg=file a.c +p" noval.param a-b.c-d=e-f bad.a.b=1 .y=2\n
a.b=c "d.e=f g" h."i=j k" "l.m n.o=p" q.r="s t" "u v.w=x" y.z="1 2"x  aa.bb=cc"dd ee"\n
modprobe.blacklist=a,,b-c, modprobe.blacklist= modprobe.blacklist modprobe.foo=1 modprobe.blacklistx=q\n
mod-1.p-2=v-3 x=y.z p.q.r=s .=1 a. .b a[.x=1 a].y=2 M.P=Q [a-b].c=d
a.b=1\nc.d=2\te.f=3\rg.h=4\vi.j=5\fk.l=6
"modprobe.blacklist=a b,c" x.y="unterminated z.w=1
a.b=1\000c.d=2
"a.b=x\ty" ""a.b=1 "a"."b"=c q.w="a"b"c d" e.f="x"
"
a.b="
m.p=v"

   \n\n
LIST
awk 'BEGIN { for (i = 0; i < 4088; i++) printf "%s", (i % 8 == 7 ? " " : "x"); printf "ab.cd=efghij kl.mn=op\n" }' \
	> "$work/cmdline"
compare "kernel command line: only the first 4095 bytes" "$work/cmdline" -C "$work/none"

# ---- the file list -------------------------------------------------------------
cd "$work" || exit 1
mkdir -p d1 d2 d3/sub.conf d3/sub d4 "$DIR"
echo 'alias d1a x' > d1/a.conf
echo 'alias d1b x' > d1/b.conf
echo 'alias d2a x' > d2/a.conf
echo 'alias d2c x' > d2/c.conf
echo 'alias hidden x' > d2/.h.conf
echo 'alias bak x' > d2/zz.conf.bak
echo 'alias dot x' > d2/.conf
echo 'alias conf x' > d2/conf
echo 'alias B x' > d3/B.conf
echo 'alias under x' > d3/_u.conf
echo 'alias sd x' > d3/modules.softdep.conf
ln -s ../d1/a.conf d3/link.conf
ln -s ../d2 d3/dirlink.conf
echo 'alias in-sub x' > d3/sub.conf/x.conf
echo 'alias single x' > single.txt
echo 'alias shadowed-softdep x' > modules.softdep
echo 'alias .hidden x' > .hidden
printf 'softdep real pre: x\nbad line\n' > "$DIR/modules.softdep"
compare "file list: sorting, shadowing, filters, subdirectories, single files" "$empty" \
	-C d1 -C d2 -C d3/ -C "$work/single.txt" -C "$work/modules.softdep" -C nonexistent \
	-C .hidden -C d1/a.conf -C ./d4 -C "$work/d1"
compare "file list: a file given first shadows a directory entry" "$empty" -C d2/a.conf -C d1
for d in etc run usr/local/lib lib; do	# kmod 30 lacks /usr/lib/modprobe.d
	n=$(echo "$d" | tr / _)
	mkdir -p "$root/$d/modprobe.d"
	echo "alias $n-a x" > "$root/$d/modprobe.d/a.conf"
	echo "alias $n-own x" > "$root/$d/modprobe.d/$n.conf"
done
mkdir "$root/etc/modprobe.d/sub.conf"
compare "file list: the default directories" "$empty"
rm -r "$root/etc" "$root/run" "$root/usr" "$root/lib"
rm "$DIR/modules.softdep"
compare "file list: a missing DIR/modules.softdep still shadows" "$empty" -C "$work/modules.softdep"
mkdir "$DIR/modules.softdep"
compare "file list: DIR/modules.softdep is a directory" "$empty" -C d1
rmdir "$DIR/modules.softdep"
compare "file list: no path at all" "$empty" -C ''

# ---- unreadable files and directories (root reads everything: run as nobody,
# with copies of our side and the shim, since the build tree may be private)
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
mkdir -p perm/d perm/u perm/bin
echo 'alias readable x' > perm/d/a.conf
echo 'alias unreadable x' > perm/d/b.conf
echo 'alias in-unreadable-dir x' > perm/u/c.conf
cp "$OURS" perm/bin/test-config
cp "$MT_SHIM" perm/bin/shim.so
chmod -R a+rX "$work"
chmod 000 perm/u perm/d/b.conf
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	if $nobody sh -c 'test -x "$1" && test -r "$2" && test -r "$3/proc"' sh \
		"$work/perm/bin/test-config" "$work/perm/bin/shim.so" "$root"; then
		saved_ours=$OURS saved_shim=$MT_SHIM
		as_user=$nobody OURS=$work/perm/bin/test-config MT_SHIM=$work/perm/bin/shim.so
		compare "unreadable file and directory" "$empty" -C perm/d -C perm/u -C perm/u/c.conf
		as_user= OURS=$saved_ours MT_SHIM=$saved_shim
	else
		ok 1 "unreadable file and directory"
		echo "# nobody cannot run the copies in $work/perm/bin (is $work readable to all?)"
	fi
else
	skip "unreadable file and directory" "needs root (and setpriv) to run as nobody"
fi
chmod 755 perm/u

# ---- hostile input -------------------------------------------------------------
mkdir -p hostile
awk 'BEGIN { printf "options big "; for (i = 0; i < 200000; i++) printf "x=%d ", i; printf "\n" }' \
	> hostile/long.conf
LC_ALL=C awk 'BEGIN { srand(7); for (i = 0; i < 20000; i++) printf "%c", int(rand() * 256); printf "\n" }' \
	> hostile/junk.conf
printf 'alias a b\n\\\n\\\\\\\n\n' > hostile/backslashes.conf
compare "hostile: a 1.4 MB line, binary junk, backslash runs" "$empty" -C hostile

# ---- generated configurations and command lines ---------------------------------
# Lines made of keywords, names with dashes and brackets, softdep modes,
# escapes and odd whitespace; command lines made of the characters the
# parser cares about.
generate() {	# generate SEED CONF CMDLINE
	LC_ALL=C awk -v seed="$1" -v conf="$2" -v cmdline="$3" '
	function pick(list,    n, a) { n = split(list, a, "|"); return a[int(rand() * n) + 1] }
	function sep() { return pick(" | | | |\t|  | \t|\t ") }
	function word() {
		return pick("a|b-c|x_y|m-[0-9]-z|[a-b]|snd-*|a]|b[|pre:|post:|-|*|q?|\\-x|\\#|a\\\nb|#|=|a=1|\"|,")
	}
	BEGIN {
		srand(seed)
		n = int(rand() * 12) + 1
		for (i = 0; i < n; i++) {
			line = pick("alias|blacklist|options|install|remove|softdep|softdep|include|config|bogus|#|| ")
			m = int(rand() * 6)
			for (j = 0; j < m; j++)
				line = line sep() word()
			if (rand() < 0.15)
				line = line sep()
			if (rand() < 0.1)
				line = line "\\"
			printf "%s\n", line > conf
		}
		n = int(rand() * 60)
		s = ""
		for (i = 0; i < n; i++)
			s = s pick("a|b|-|.|.|=|=|\"|\"| | |\t|\n|,|[|]|modprobe.blacklist=|x.y=")
		printf "%s", s > cmdline
	}'
}
mkdir -p gen
seed=1
fails=0
while [ "$seed" -le "$MT_CONFIG_FUZZ" ]; do
	generate "$seed" gen/g.conf gen/cmdline
	if ! differ gen/cmdline -C gen; then
		fails=$((fails + 1))
		echo "# seed $seed: configuration and command line were"
		sed 's/^/#   /' gen/g.conf gen/cmdline
	fi
	seed=$((seed + 1))
done
[ "$fails" -eq 0 ]
ok $? "$MT_CONFIG_FUZZ generated configurations and command lines ($fails differ)"

done_testing
