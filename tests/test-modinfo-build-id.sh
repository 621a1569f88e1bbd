#!/bin/sh
# test-modinfo-build-id.sh — modinfo's build-id field (kmod's main branch;
# kmod 30 has none, so the expected output is stated here): synthetic
# modules of the four ELF flavours with a build id note, its value against
# readelf's Build ID, its place in the list, -F build-id and -0, a module
# without a note, and a malformed note, which is left out with a warning.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

command -v readelf > /dev/null || missing_input_all "readelf is not installed (binutils)"
OURS=$(tool modinfo)
GENMOD="$top_builddir/tests/genmod"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

id20=ae7a2e0102030405060708090a0b0c0d0e0f4f57
n=0
for flavour in "64" "64 --big-endian" "32" "32 --big-endian"; do
	n=$((n + 1))
	# shellcheck disable=SC2086
	"$GENMOD" -o "$work/m$n.ko" --class $flavour --name "m$n" --modinfo "name=m$n" \
		--modinfo license=GPL --modinfo "parm=p:a parameter" --build-id "$id20"
	readelf -n "$work/m$n.ko" | awk '/Build ID:/ { print toupper($3) }' | sed 's/../&:/g; s/:$//' \
		> "$work/want"
	"$OURS" -F build-id "$work/m$n.ko" > "$work/got"
	[ -s "$work/want" ] && same "$work/want" "$work/got"
	ok $? "ELF$flavour: -F build-id is readelf's Build ID, uppercase, colon-joined"
done

cat > "$work/want" <<EOF
filename:       $work/m1.ko
name:           m1
license:        GPL
build-id:       AE:7A:2E:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:4F:57
parm:           p:a parameter
EOF
"$OURS" "$work/m1.ko" > "$work/got"
same "$work/want" "$work/got"
ok $? "build-id follows the .modinfo fields, the parameters come last"

"$OURS" -0 "$work/m1.ko" | tr '\0' '\n' > "$work/got"
printf 'filename:       %s\nname=m1\nlicense=GPL\nbuild-id=%s\nparm:           p:a parameter\n' \
	"$work/m1.ko" "AE:7A:2E:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:4F:57" > "$work/want"
same "$work/want" "$work/got"
ok $? "-0: build-id=VALUE, NUL-terminated"

"$GENMOD" -o "$work/short.ko" --name short --modinfo name=short --build-id 0a0b0c
[ "$("$OURS" -F build-id "$work/short.ko")" = "0A:0B:0C" ]
ok $? "a build id of 3 bytes"
"$GENMOD" -o "$work/long.ko" --name long --modinfo name=long --build-id "$id20$id20"
[ "$("$OURS" -F build-id "$work/long.ko")" = "$(echo "$id20$id20" | tr a-f A-F | sed 's/../&:/g; s/:$//')" ]
ok $? "a build id of 40 bytes stays on one line"

"$GENMOD" -o "$work/none.ko" --name none --modinfo name=none
"$OURS" "$work/none.ko" > "$work/got"
printf 'filename:       %s\nname:           none\n' "$work/none.ko" > "$work/want"
same "$work/want" "$work/got" && [ -z "$("$OURS" -F build-id "$work/none.ko")" ]
ok $? "no note: no build-id field"

# The note's descsz (at offset 4 of the section) made larger than the section.
cp "$work/m1.ko" "$work/bad.ko"
off=$(readelf -S -W "$work/bad.ko" | sed 's/^ *\[ *[0-9]*\]//' |
	awk '$1 == ".note.gnu.build-id" { print $4 }')
printf '\377' | dd of="$work/bad.ko" bs=1 seek=$((0x$off + 5)) conv=notrunc 2> /dev/null
"$OURS" "$work/bad.ko" > "$work/got" 2> "$work/err"; rc=$?
sed "s|m1.ko|bad.ko|" <<EOF > "$work/want"
filename:       $work/m1.ko
name:           m1
license:        GPL
parm:           p:a parameter
EOF
same "$work/want" "$work/got" && [ ! -s "$work/err" ] && [ "$rc" = 0 ]
ok $? "a malformed note: no build-id, silent at the default log priority"
KMOD_LOG=debug "$OURS" "$work/bad.ko" > "$work/got" 2> "$work/err"
echo "modinfo: WARNING: $work/bad.ko: .note.gnu.build-id: note at offset 0 is larger than the section" |
	same - "$work/err"
ok $? "... and its warning with KMOD_LOG=debug"
done_testing
