#!/bin/sh
# test-man-options.sh — every option a tool's getopt table and option string
# declare is documented in its man page (man/TOOL.8), as roff writes it:
# "\-x" or "\-\-name", not followed by more of a longer option's name.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"
. "$top_srcdir/tests/completion-lib.sh"

# documented OPTION PAGE: OPTION appears in PAGE.
documented() {
	pat=$(printf '%s' "$1" | sed 's/-/\\\\-/g')
	grep -Eq -- "$pat(\$|[^A-Za-z0-9\\\\]|\\\\[^-])" "$2"
}

for t in insmod rmmod lsmod modinfo modprobe depmod; do
	page=$top_srcdir/man/$t.8
	missing=
	n=0
	for o in $(tool_options "$t"); do
		n=$((n + 1))
		documented "$o" "$page" || missing="$missing $o"
	done
	[ "$n" -gt 2 ] && [ -z "$missing" ]
	ok $? "$t.8 documents the $n options of tools/$t.c${missing:+ (missing:$missing)}"
done

missing=
for o in $kmod_options $static_nodes_options $(tool_options closure); do
	documented "$o" "$top_srcdir/man/kmod.8" || missing="$missing $o"
done
for c in $kmod_commands; do	# each command opens a paragraph in bold
	roff=$(printf '%s' "$c" | sed 's/-/\\\\-/g')
	grep -Eq "^\\.BR? $roff( |\$)" "$top_srcdir/man/kmod.8" || missing="$missing $c"
done
[ -z "$missing" ]
ok $? "kmod.8 documents kmod's options, commands, static-nodes' and closure's options${missing:+ (missing:$missing)}"
done_testing
