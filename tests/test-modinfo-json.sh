#!/bin/sh
# test-modinfo-json.sh — modinfo --json: every field of every module of the
# installed Debian tree (files and built-in modules) parsed back with
# Python's json module, validated against data/modinfo.schema.json and
# compared with what modinfo -0 prints for the same operands; operand
# errors inside the document and in the exit status; invalid UTF-8 and
# control characters of a .modinfo string escaped; options that do not
# combine with --json refused.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

command -v python3 > /dev/null || missing_input_all "python3 is not installed"
TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no module tree under /lib/modules (install linux-image-amd64)"
OURS=$(tool modinfo)
VER=$(basename "$TREE")
SCHEMA=$top_srcdir/data/modinfo.schema.json
CHECK="python3 $top_srcdir/tests/json-check.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Both forms on the same operands, one run each (the whole list in one
# command line, so that --json gives one document).
both() {	# both DESCRIPTION LIST ARGS...
	desc=$1 list=$2
	shift 2
	# shellcheck disable=SC2046
	"$OURS" "$@" --json $(cat "$list") > "$work/doc.json" 2> "$work/json.err"; js=$?
	# shellcheck disable=SC2046
	"$OURS" "$@" -0 $(cat "$list") > "$work/text0" 2> "$work/text.err"; ts=$?
	$CHECK modinfo "$SCHEMA" "$work/doc.json" "$work/text0" && [ "$js" = "$ts" ] &&
		same "$work/text.err" "$work/json.err"
	ok $? "$desc"
}

find "$TREE/" -name '*.ko*' | sort > "$work/paths"
both "every field of $(wc -l < "$work/paths") module files round-trips" "$work/paths"
sed 's|.*/||; s|\..*||' "$TREE/modules.builtin" > "$work/builtin"
both "every field of $(wc -l < "$work/builtin") built-in modules round-trips" "$work/builtin" -k "$VER"
sed -n 's|^\([^:]*\):.*|\1|p' "$TREE/modules.dep" | sed 's|.*/||; s|\..*||; s|-|_|g' |
	awk 'NR % 50 == 0' > "$work/names"
both "lookup by name of $(wc -l < "$work/names") modules (-m -k $VER)" "$work/names" -m -k "$VER"

# Operands that fail: objects in argument order, the same messages on
# stderr as without --json, exit 1.
printf 'not an ELF file\n' > "$work/text.ko"
"$OURS" -k "$VER" --json ext4 nosuchmodule "$work/text.ko" crc32c_generic > "$work/doc.json" \
	2> "$work/json.err"; js=$?
"$OURS" -k "$VER" ext4 nosuchmodule "$work/text.ko" crc32c_generic > /dev/null 2> "$work/text.err"
python3 - "$work/doc.json" "$work/text.ko" <<'PY' && same "$work/text.err" "$work/json.err" && [ "$js" = 1 ]
import json, sys
doc = json.load(open(sys.argv[1]))
assert [m["operand"] for m in doc] == ["ext4", "nosuchmodule", sys.argv[2], "crc32c_generic"], doc
assert doc[1] == {"operand": "nosuchmodule", "error": "Module nosuchmodule not found."}, doc[1]
assert doc[2]["name"] == "text" and doc[2]["filename"] == sys.argv[2], doc[2]
assert doc[2]["error"].startswith("could not get modinfo from 'text': ") and "info" not in doc[2]
assert "info" in doc[0] and "info" in doc[3]
PY
ok $? "failing operands: error objects in argument order, messages on stderr, exit 1"

# Bytes no JSON string may carry raw.
GENMOD=$top_builddir/tests/genmod
bad_desc=$(printf 'bad\377utf8 \342\202 trunc \355\240\200 surrogate \300\257 overlong')
ctl=$(printf 'tab\there\001\037\177 "quoted" back\\slash')
good=$(printf 'caf\303\251 \342\202\254 \360\237\220\247')
"$GENMOD" -o "$work/odd.ko" --name odd --modinfo "description=$bad_desc" \
	--modinfo "author=$ctl" --modinfo "license=$good" --modinfo "parm=p:x" \
	--modinfo "parmtype=p:int" --modinfo "depends=" 2> "$work/genmod.err"
"$OURS" --json "$work/odd.ko" > "$work/doc.json"; js=$?
[ "$js" = 0 ] && $CHECK strings "$work/doc.json" "description=$bad_desc" "author=$ctl" \
	"license=$good" && ! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$work/doc.json"
ok $? "invalid UTF-8 replaced by U+FFFD, control characters escaped, valid UTF-8 kept"
grep -q 'bad\\ufffdutf8 \\ufffd trunc \\ufffd\\ufffd\\ufffd surrogate \\ufffd\\ufffd overlong' \
	"$work/doc.json" && grep -q 'tab\\there\\u0001\\u001f\\u007f \\"quoted\\" back\\\\slash' "$work/doc.json"
ok $? "the escapes as documented"
python3 - "$work/doc.json" <<'PY'
import json, sys
info = json.load(open(sys.argv[1]))[0]["info"]
assert info["parm"] == [{"name": "p", "description": "x", "type": "int"}], info["parm"]
assert info["depends"] == [], info["depends"]
PY
ok $? "parm merged with parmtype, empty depends an empty list"

for opt in -0 -a -d -l -p -n "-F vermagic"; do
	# shellcheck disable=SC2086
	"$OURS" --json $opt ext4 > "$work/out" 2> "$work/err"; rc=$?
	[ "$rc" = 1 ] && [ ! -s "$work/out" ] && grep -q -- '--json cannot be combined' "$work/err"
	ok $? "--json with $opt: a clear error"
done

# An empty document is still one: only failures.
"$OURS" -k "$VER" --json nosuch1 > "$work/doc.json" 2> /dev/null; js=$?
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d) == 1 and "error" in d[0]' \
	"$work/doc.json" && [ "$js" = 1 ]
ok $? "a document of failures only, exit 1"
done_testing
