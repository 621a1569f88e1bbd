#!/bin/sh
# test-dlopen-notes.sh — the .note.dlopen ELF notes of libmodtool (systemd's
# ELF dlopen metadata): one note, owner FDO, type 0x407c0c0a, for each
# library the build loads on first use, naming exactly the sonames of
# config.h, in a well-formed JSON object; none with --disable-dlopen.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

lib=$top_builddir/lib/.libs/libmodtool.so
[ -f "$lib" ] || skip_all "no shared libmodtool in this build"
command -v objcopy > /dev/null && command -v readelf > /dev/null || skip_all "binutils missing"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sed -n 's/^#define [A-Z]*_SONAME "\(.*\)"$/\1/p' "$top_builddir/config.h" | sort > "$work/want"

if ! readelf -S -W "$lib" | grep -q ' \.note\.dlopen '; then
	[ ! -s "$work/want" ]
	ok $? "no .note.dlopen section: the build loads no library on first use"
	done_testing
	exit
fi
[ -s "$work/want" ]
ok $? "a .note.dlopen section, and config.h names libraries loaded on first use"

# Section type NOTE, flags exactly A (allocated, read-only), 4-byte aligned.
readelf -S -W "$lib" | awk '{ for (i = 1; i < NF; i++) if ($i == ".note.dlopen")
	print $(i + 1), $(NF - 3), $NF }' > "$work/section"
echo "NOTE A 4" | same - "$work/section"
ok $? ".note.dlopen is an allocated read-only note section, 4-byte aligned"

# u32 FILE OFFSET — a 32-bit word of the host's byte order (that of the build)
u32() {
	od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '
}
objcopy -O binary --only-section=.note.dlopen "$lib" "$work/notes"
size=$(wc -c < "$work/notes")
off=0 bad=0 n=0
: > "$work/sonames"
while [ "$off" -lt "$size" ]; do
	namesz=$(u32 "$work/notes" "$off")
	descsz=$(u32 "$work/notes" $((off + 4)))
	type=$(u32 "$work/notes" $((off + 8)))
	name=$(dd if="$work/notes" bs=1 skip=$((off + 12)) count="$namesz" 2> /dev/null | tr -d '\0')
	desc_off=$((off + 12 + (namesz + 3) / 4 * 4))
	dd if="$work/notes" bs=1 skip="$desc_off" count="$descsz" 2> /dev/null > "$work/desc"
	[ "$namesz" = 4 ] && [ "$name" = FDO ] && [ "$type" = $((0x407c0c0a)) ] &&
		[ "$(tail -c 1 "$work/desc" | od -An -tu1 | tr -d ' ')" = 0 ] || bad=$((bad + 1))
	json=$(tr -d '\0' < "$work/desc")
	echo "$json" | grep -Eq '^\[\{"soname":\["[^"]+"\],"feature":"[a-z0-9]+","description":"[^"]+","priority":"(required|recommended|suggested)"\}\]$' ||
		bad=$((bad + 1))
	echo "$json" | sed -n 's/^\[{"soname":\["\([^"]*\)"\].*/\1/p' >> "$work/sonames"
	n=$((n + 1))
	off=$((desc_off + (descsz + 3) / 4 * 4))
done
[ "$bad" = 0 ] && [ "$off" = "$size" ]
ok $? "$n notes, each owner FDO, type 0x407c0c0a, a NUL-terminated JSON array of one object"
sort "$work/sonames" | same "$work/want" -
ok $? "the notes name exactly the sonames of config.h: $(tr '\n' ' ' < "$work/want")"
done_testing
