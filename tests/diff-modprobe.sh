#!/bin/sh
# diff-modprobe.sh — our modprobe against kmod's on kmod's indexes of the
# installed Debian tree: --show-depends of every module, --resolve-alias of
# real modalias strings, -c, and -n (-v) with a configuration directory.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

KMOD=$(kmod_tool modprobe) || missing_input_all "kmod's modprobe is not installed"
TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no module tree under /lib/modules (install linux-image-amd64)"
OURS=$(tool modprobe)
VER=$(basename "$TREE")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# compare DESCRIPTION ARGS... — both tools, stdout, stderr and status; kmod
# gets the words of $kmod_opts first, ours those of $ours_opts (options
# kmod 30 has under another name or not at all: see the -n cases).
kmod_opts= ours_opts=
compare() {
	desc=$1
	shift
	# shellcheck disable=SC2086
	"$KMOD" $kmod_opts "$@" > "$work/kmod.out" 2> "$work/kmod.err"; ks=$?
	# shellcheck disable=SC2086
	"$OURS" $ours_opts "$@" > "$work/ours.out" 2> "$work/ours.err"; os=$?
	# Configuration errors: kmod prints them with libkmod's prefix (Debian's
	# kmod 30 adds its source location), we with the tool's; same text.
	sed -i -E "s|$KMOD|modprobe|g; s|$OURS|modprobe|g;
		s/^libkmod: ERROR( [^ ]*)? ?[a-z_]+: /modprobe: ERROR: /" "$work/kmod.err" "$work/ours.err"
	same "$work/kmod.out" "$work/ours.out" && same "$work/kmod.err" "$work/ours.err" &&
		[ "$ks" = "$os" ]
	ok $? "$desc"
}

sed -n 's|^\([^:]*\):.*|\1|p' "$TREE/modules.dep" | sed 's|.*/||; s|\..*||' > "$work/names"

module_file() {	# module_file BASENAME — the path of BASENAME.ko* in the tree
	sed -n "s|^\\(.*/$1\\.ko[^:]*\\):.*|$TREE/\\1|p" "$TREE/modules.dep" | head -n 1
}
modalias_of() {	# modalias_of NAME — a modalias of module NAME, wildcards made concrete
	awk -v m="$1" '$3 == m && $2 !~ /\[/ { print $2; exit }' "$TREE/modules.alias" |
		sed 's/\*/X/g; s/?/Y/g'
}
n=$(wc -l < "$work/names")
# shellcheck disable=SC2046
compare "--show-depends -a of all $n modules" -S "$VER" -D -a $(cat "$work/names")
failed=0
for name in $(awk 'NR % 20 == 1' "$work/names") btrfs ext4 xfs snd-hda-intel nosuch unix; do
	"$KMOD" -S "$VER" -D "$name" > "$work/kmod.out" 2>&1; ks=$?
	"$OURS" -S "$VER" -D "$name" > "$work/ours.out" 2>&1; os=$?
	sed -i "s|$KMOD|modprobe|g; s|$OURS|modprobe|g" "$work/kmod.out" "$work/ours.out"
	if ! cmp -s "$work/kmod.out" "$work/ours.out" || [ "$ks" != "$os" ]; then
		echo "# -D $name differs"
		same "$work/kmod.out" "$work/ours.out"
		failed=$((failed + 1))
	fi
done
ok "$failed" "--show-depends of every 20th module one by one, and special names"

# Real modalias strings: each alias pattern of the tree made concrete.
awk 'NR % 5 == 0 { print $2 }' "$TREE/modules.alias" | grep -v '\[' |
	sed 's/\*/X/g; s/?/Y/g' > "$work/aliases"
# shellcheck disable=SC2046
compare "--resolve-alias of $(wc -l < "$work/aliases") modalias strings" \
	-S "$VER" -R -a $(cat "$work/aliases")
compare "--resolve-alias of symbol:, names with dashes, unknown and built-in names" \
	-S "$VER" -R -a symbol:jbd2_journal_start snd-hda-intel crc32c nosuch unix ext2 fs-ext4
# kmod's main branch names -R --show-alias (kmod 30 knows only -R).
kmod_opts=-R ours_opts=--show-alias
compare "--show-alias is -R" \
	-S "$VER" -a symbol:jbd2_journal_start snd-hda-intel crc32c nosuch unix ext2 fs-ext4
ours_opts=--resolve-alias
compare "--resolve-alias is still accepted, silently" -S "$VER" -a crc32c nosuch
kmod_opts= ours_opts=

conf="$work/conf"
mkdir -p "$conf"
cat > "$conf/a.conf" <<'CONF'
# a comment
alias my-ext4 ext4
alias mything* crc16
options ext4 debug_want_extra_isize=1
options mything* a=1
options e1000e   debug=1	copybreak=2  
softdep ext4 pre: mbcache post: crc16 pre: jbd2
softdep foo pre: a b post: c d
blacklist e1000e
install dummy /bin/echo installing dummy $CMDLINE_OPTS a=1
remove dummy /bin/echo removing dummy
options jbd2 jbd2_debug=1
CONF
cat > "$conf/b.conf" <<'CONF'
alias pci:v0000FFFFd* dummy
blacklist pcspkr
  indented bad line
bogus directive here
CONF
compare "-c with a configuration directory" -S "$VER" -C "$conf" -c
compare "-n -v ext4 with softdeps and options" -S "$VER" -C "$conf" -n -v ext4
compare "-n -v e1000e with parameters" -S "$VER" -C "$conf" -n -v e1000e foo=1 'bar=a b'
compare "-n -v through a configured alias with wildcard options" -S "$VER" -C "$conf" -n -v mything-x
compare "-n -v of a blacklisted module by name" -S "$VER" -C "$conf" -n -v -b e1000e
compare "-n -v of an install command" -S "$VER" -C "$conf" -n -v dummy
compare "-D btrfs with the default configuration" -S "$VER" -D btrfs
compare "-R through a config alias" -S "$VER" -C "$conf" -R my-ext4
compare "-n -v -i ext4 ignores its softdeps" -S "$VER" -C "$conf" -n -v -i ext4
# kmod's main branch prints a dry run's steps without -v, as kmod 30 does
# with -n -v.
kmod_opts=-v
compare "-n ext4 prints its steps without -v" -S "$VER" -C "$conf" -n ext4
compare "-n -a of several modules" -S "$VER" -C "$conf" -n -a e1000e btrfs dummy unix
kmod_opts=
compare "missing parameters" -S "$VER"
compare "unknown module" -S "$VER" nosuchmodule
compare "unknown module, quiet" -S "$VER" -q nosuchmodule
compare "bad wait value" -S "$VER" -r -w abc ext4
compare "--show-modversions of a file" --show-modversions "$TREE/kernel/fs/ext4/ext4.ko"
compare "--show-exports of a file" --show-exports "$TREE/kernel/fs/jbd2/jbd2.ko"
# kmod's main branch also takes a module name or alias, which kmod 30
# refuses: ours with the name against kmod 30 with the module's file.
by_name() {	# by_name DESCRIPTION OPTION NAME FILE
	"$KMOD" "$2" "$4" > "$work/kmod.out" 2> "$work/kmod.err"; ks=$?
	"$OURS" -S "$VER" "$2" "$3" > "$work/ours.out" 2> "$work/ours.err"; os=$?
	[ -s "$work/kmod.out" ] && same "$work/kmod.out" "$work/ours.out" &&
		same "$work/kmod.err" "$work/ours.err" && [ "$ks" = "$os" ]
	ok $? "$1"
}
by_name "--show-modversions of a name" --show-modversions ext4 "$TREE/kernel/fs/ext4/ext4.ko"
by_name "--dump-modversions of a name with dashes" --dump-modversions snd-hda-intel \
	"$(module_file snd-hda-intel)"
by_name "--show-exports of a name" --show-exports jbd2 "$TREE/kernel/fs/jbd2/jbd2.ko"
by_name "--show-exports of a symbol: alias" --show-exports symbol:jbd2_journal_start \
	"$TREE/kernel/fs/jbd2/jbd2.ko"
by_name "--show-modversions of a modalias" --show-modversions "$(modalias_of e1000e)" \
	"$(module_file e1000e)"
# A name that resolves to no file: kmod 30's message for a missing file.
compare "--show-exports of a built-in module" -S "$VER" --show-exports unix
compare "--show-modversions of an unknown name" -S "$VER" --show-modversions nosuch
compare "--show-exports of a bad alias" -S "$VER" --show-exports 'foo]'
done_testing
