#!/bin/sh
# diff-modinfo.sh — our modinfo against kmod's on every module of the
# installed Debian tree: default output, -F fields, -0, -p, lookups by name,
# built-in modules, aliases, and error cases (stdout, stderr, exit status).
# kmod 30 has no build-id field (kmod's main branch added it): the
# comparisons drop exactly that line from our output, and the field itself
# is checked against readelf's Build ID of every module.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

KMOD=$(kmod_tool modinfo) || missing_input_all "kmod's modinfo is not installed"
TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no module tree under /lib/modules (install linux-image-amd64)"
OURS=$(tool modinfo)
VER=$(basename "$TREE")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

find "$TREE/" -name '*.ko*' | sort > "$work/paths"
count=$(wc -l < "$work/paths")
echo "# $count modules in $TREE"

# compare DESCRIPTION ARGS... — both tools on the module list, stdin-fed;
# our full output is kept in $work/ours.full.
compare_list() {
	desc=$1 list=$2
	shift 2
	xargs "$KMOD" "$@" < "$list" > "$work/kmod.out" 2> "$work/kmod.err"
	xargs "$OURS" "$@" < "$list" > "$work/ours.full" 2> "$work/ours.err"
	without_build_id "$work/ours.full" > "$work/ours.out"
	same "$work/kmod.out" "$work/ours.out" && same "$work/kmod.err" "$work/ours.err"
	ok $? "$desc"
}

# build_ids FILE... — "PATH ID" for each file with a build id, the ID as
# modinfo shows it: readelf's hex uppercased, the bytes joined by ':'.
build_ids() {
	printf '%s\n' "$@" | xargs readelf -n 2> /dev/null | awk '
		/^File: / { file = substr($0, 7) }
		/^ *Build ID: / { id = toupper($3); gsub(/../, "&:", id)
			print file, substr(id, 1, length(id) - 1) }'
}

# modinfo_build_ids FILE — "PATH ID" for each build-id line of a default
# output, with the path of the filename line before it.
modinfo_build_ids() {
	awk '/^filename: / { file = $2 } /^build-id: / { print file, $2 }' "$1"
}

compare_list "default output of $count modules" "$work/paths"
# shellcheck disable=SC2046
build_ids $(cat "$work/paths") > "$work/readelf.ids"
modinfo_build_ids "$work/ours.full" > "$work/ours.ids"
[ "$(wc -l < "$work/readelf.ids")" -eq "$count" ] && same "$work/readelf.ids" "$work/ours.ids"
ok $? "build-id of each of the $count modules is readelf's Build ID"
# After the last .modinfo field (vermagic, in Debian's modules), before the
# signature (sig_id) and the parameters.
awk '/^build-id: / { print prev } { prev = $1 }' "$work/ours.full" | sort -u > "$work/before"
awk 'after { print $1 } { after = /^build-id: / }' "$work/ours.full" | sort -u > "$work/after"
echo "vermagic:" | same - "$work/before" && echo "sig_id:" | same - "$work/after"
ok $? "build-id comes after the .modinfo fields and before the signature"
xargs "$OURS" -F build-id < "$work/paths" > "$work/ours.field"
cut -d ' ' -f 2 "$work/readelf.ids" | same - "$work/ours.field"
ok $? "-F build-id prints the build id alone, for each of the $count modules"
for f in vermagic alias depends name signer sig_key signature parm filename license intree; do
	compare_list "-F $f of $count modules" "$work/paths" -F "$f"
done
compare_list "-0 output" "$work/paths" -0
compare_list "-p output" "$work/paths" -p
compare_list "-a -0" "$work/paths" -a -0

sed -n 's|^\([^:]*\):.*|\1|p' "$TREE/modules.dep" | sed 's|.*/||; s|\..*||; s|-|_|g' > "$work/names"
compare_list "lookup by name of every module (-k $VER)" "$work/names" -k "$VER"
compare_list "-m lookup by name (-b / -k $VER)" "$work/names" -m -b / -k "$VER"
sed 's|.*/||; s|\..*||' "$TREE/modules.builtin" > "$work/builtin"
compare_list "built-in modules by name" "$work/builtin" -k "$VER"
compare_list "-F parm of built-in modules" "$work/builtin" -k "$VER" -F parm
grep -v '[][*?]' "$TREE/modules.alias" | awk 'NR % 7 == 0 { print $2 }' > "$work/aliases"
compare_list "lookup by $(wc -l < "$work/aliases") aliases" "$work/aliases" -k "$VER" -F name
printf 'symbol:jbd2_journal_start\nsymbol:crc32c\nsymbol:nosuch\n' > "$work/symbols"
compare_list "symbol: lookups" "$work/symbols" -k "$VER" -F filename

# Real modules of other architectures (arm64, big-endian s390x).
nforeign=0
for tree in $(foreign_trees); do
	find "$tree/" -name '*.ko' | sort > "$work/foreign"
	compare_list "default output of $(wc -l < "$work/foreign") modules of $(basename "$tree")" \
		"$work/foreign"
	# shellcheck disable=SC2046
	build_ids $(cat "$work/foreign") > "$work/readelf.ids"
	modinfo_build_ids "$work/ours.full" > "$work/ours.ids"
	same "$work/readelf.ids" "$work/ours.ids"
	ok $? "build-id of the $(wc -l < "$work/readelf.ids") modules of $(basename "$tree") that have one"
	nforeign=$((nforeign + 1))
done
[ "$nforeign" -gt 0 ] ||
	missing_input "modules of other architectures" "none unpacked (scripts/setup.sh fetches arm64 and s390x)"

# Error cases: each alone, comparing output and exit status.
printf 'not an ELF file at all\n' > "$work/text.ko"
printf 'abc' > "$work/short.ko"
cp "$(head -n 1 "$work/paths")" "$work/copy.ko"
objcopy --remove-section=.modinfo "$work/copy.ko" "$work/nomodinfo.ko" 2>/dev/null
for args in "nosuchmodule" "foo]" "-m nosuch" "$work/text.ko" "$work/short.ko" \
	"$work/missing.ko" "-F filename $work/text.ko" "" "--nosuchopt x" \
	"-k $VER ext4 nosuch xfs" "-F"; do
	# shellcheck disable=SC2086
	"$KMOD" -k "$VER" $args > "$work/kmod.out" 2> "$work/kmod.err"; ks=$?
	# shellcheck disable=SC2086
	"$OURS" -k "$VER" $args > "$work/ours.full" 2> "$work/ours.err"; os=$?
	without_build_id "$work/ours.full" > "$work/ours.out"
	sed -i "s|$KMOD|modinfo|; s|$OURS|modinfo|" "$work/kmod.err" "$work/ours.err"
	same "$work/kmod.out" "$work/ours.out" && same "$work/kmod.err" "$work/ours.err" &&
		[ "$ks" = "$os" ]
	ok $? "error case: modinfo ${args:-(no operand)} (exit $ks)"
done

# kmod 34.2 (the reference) reports a module without .modinfo as ENODATA;
# Debian's kmod 30 still said ENOENT.
"$OURS" "$work/nomodinfo.ko" > "$work/ours.out" 2> "$work/ours.err"; os=$?
echo "modinfo: ERROR: could not get modinfo from 'nomodinfo': No data available" > "$work/want.err"
printf 'filename:       %s\n' "$work/nomodinfo.ko" > "$work/want.out"
same "$work/want.err" "$work/ours.err" && same "$work/want.out" "$work/ours.out" && [ "$os" = 1 ]
ok $? "module without .modinfo: kmod 34.2's ENODATA message"

# Compressed copies of every 40th module: xz and zstd against kmod; gzip
# (which Debian's kmod is built without) against our plain-file output.
mkdir "$work/comp"
awk 'NR % 40 == 1' "$work/paths" | while read -r f; do
	b=$(basename "$f")
	cp "$f" "$work/comp/$b"
	xz -c "$f" > "$work/comp/$b.xz"
	zstd -q -c "$f" > "$work/comp/$b.zst"
	gzip -c "$f" > "$work/comp/$b.gz"
done
for ext in xz zst; do
	ls "$work/comp/"*.ko."$ext" > "$work/list.$ext"
	compare_list "$(wc -l < "$work/list.$ext") .ko.$ext modules" "$work/list.$ext"
done
ls "$work/comp/"*.ko > "$work/list.plain"
sed 's/$/.gz/' "$work/list.plain" > "$work/list.gz"
xargs "$OURS" < "$work/list.plain" | sed 's|^\(filename: *.*\.ko\)$|\1.gz|' > "$work/plain.out"
xargs "$OURS" < "$work/list.gz" > "$work/gz.out" 2>&1
same "$work/plain.out" "$work/gz.out"
ok $? "$(wc -l < "$work/list.gz") .ko.gz modules match their plain copies"

# A truncated xz module is refused with a message naming the file.
head -c 3000 "$work/comp/$(ls "$work/comp" | grep 'xz$' | head -n 1)" > "$work/cut.ko.xz"
"$OURS" "$work/cut.ko.xz" > "$work/ours.out" 2> "$work/ours.err"; os=$?
grep -q "cut.ko.xz: xz: unexpected end of input" "$work/ours.err" &&
	grep -q "could not get modinfo from 'cut': Invalid argument" "$work/ours.err" && [ "$os" = 1 ]
ok $? "truncated .ko.xz: clear error, exit 1"
done_testing
