#!/bin/sh
# test-modprobe-json.sh — modprobe --show-depends --json and -c --json on the
# installed Debian tree, parsed back with Python's json module, validated
# against data/modprobe-show-depends.schema.json and
# data/modprobe-config.schema.json and compared with the text that
# modprobe -D and -c print for the same operands: every module of
# modules.dep, a sample of aliases, modaliases and symbols, the built-in
# modules; a crafted configuration exercising every reason an entry can
# have (dependency, pre and post softdeps), install commands, options,
# weakdeps and the blacklist, with invalid UTF-8 in its strings; operand
# errors inside the document and in the exit status; a corrupt index; and
# options that do not combine with --json refused.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

command -v python3 > /dev/null || missing_input_all "python3 is not installed"
TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no module tree under /lib/modules (install linux-image-amd64)"
OURS=$(tool modprobe)
VER=$(basename "$TREE")
DEPENDS_SCHEMA=$top_srcdir/data/modprobe-show-depends.schema.json
CONFIG_SCHEMA=$top_srcdir/data/modprobe-config.schema.json
CHECK="python3 $top_srcdir/tests/json-check.py"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Both forms of -D on the same operands, one run each (all the operands in
# one command line, so that --json gives one document); the configuration
# document of the same options tells the checker the softdeps and weakdeps.
depends() {	# depends DESCRIPTION LIST ARGS...
	desc=$1 list=$2
	shift 2
	"$OURS" -S "$VER" "$@" -c --json > "$work/config.json" 2> /dev/null
	# shellcheck disable=SC2046
	"$OURS" -S "$VER" "$@" -D --json $(cat "$list") > "$work/doc.json" 2> "$work/json.err"; js=$?
	# shellcheck disable=SC2046
	"$OURS" -S "$VER" "$@" -D $(cat "$list") > "$work/text" 2> "$work/text.err"; ts=$?
	$CHECK show-depends "$DEPENDS_SCHEMA" "$work/doc.json" "$work/text" "$work/config.json" \
		"$TREE" && [ "$js" = "$ts" ] && same "$work/text.err" "$work/json.err"
	ok $? "$desc"
}

config() {	# config DESCRIPTION ARGS...
	desc=$1
	shift
	"$OURS" "$@" -c --json > "$work/config.json" 2> "$work/json.err"; js=$?
	"$OURS" "$@" -c > "$work/config.text" 2> "$work/text.err"; ts=$?
	$CHECK config "$CONFIG_SCHEMA" "$work/config.json" "$work/config.text" &&
		[ "$js" = "$ts" ] && [ "$js" = 0 ] && same "$work/text.err" "$work/json.err"
	ok $? "$desc"
}

# ---- the real tree and the system's configuration

sed -n 's|^\([^:]*\):.*|\1|p' "$TREE/modules.dep" | sed 's|.*/||; s|\..*||; s|-|_|g' > "$work/names"
depends "-D of all $(wc -l < "$work/names") modules of modules.dep (-a)" "$work/names" -a
sed 's|.*/||; s|\..*||' "$TREE/modules.builtin" > "$work/builtin"
depends "-D of the $(wc -l < "$work/builtin") built-in modules (-a)" "$work/builtin" -a
# aliases made concrete: no bracket expressions, '*' matching nothing, '?' an X
{
	sed -n 's/^alias \([^ []*\) .*/\1/p' "$TREE/modules.alias" | awk 'NR % 20 == 0' |
		sed 's/\*//g; s/?/X/g'
	sed -n 's/^alias \(symbol:[^ ]*\) .*/\1/p' "$TREE/modules.symbols" | awk 'NR % 40 == 0'
	find /sys/devices -name modalias -exec cat {} + 2> /dev/null | sort -u | head -n 300
} | grep -v -e "'" -e '^-' > "$work/aliases"
depends "-D of $(wc -l < "$work/aliases") aliases, symbols and modaliases (-a)" "$work/aliases" -a
config "-c of the system's configuration and the tree's indexes" -S "$VER"

# ---- a crafted configuration

BUILTIN=$(head -n 1 "$work/builtin")
mkdir -p "$work/conf" "$work/quirk"
printf '%s\n' \
	'options dummy numdummies=3' \
	"$(printf 'options dummy extra=a\tb')" \
	"$(printf 'options ext4 bad=\377\376 ok=caf\303\251')" \
	'alias my-dummy dummy' \
	'options my-dummy via_alias=1' \
	'install dummy /bin/false' \
	'install loop /bin/echo loop-install $CMDLINE_OPTS' \
	"$(printf 'install ifb /bin/true \303(')" \
	"$(printf 'remove dummy /bin/echo bye \377')" \
	"softdep dummy pre: ifb post: loop tun-alias ghost $BUILTIN" \
	'weakdep ext4 zstd_compress nosuchmodule' \
	'weakdep dummy xor' \
	'blacklist tun' \
	'alias tun-alias tun' \
	'alias ghost nosuchmodule_xyz' > "$work/conf/test.conf"
cp "$work/conf/test.conf" "$work/quirk/test.conf"
# a softdep line that switches from pre to post and back: kmod's -c shows spans
echo 'softdep tun pre: loop post: btrfs pre: ifb' > "$work/quirk/quirk.conf"

EXT4=$(sed -n 's|^\([^:]*/ext4\.ko[^:]*\):.*|\1|p' "$TREE/modules.dep")
printf '%s\n' dummy ext4 my-dummy tun-alias tun loop "$TREE/$EXT4" nosuchmodule \
	/nonexistent/x.ko "$BUILTIN" > "$work/crafted"
depends "-D of the crafted operands with the crafted configuration (-a)" "$work/crafted" \
	-a -C "$work/conf"
cp "$work/doc.json" "$work/crafted.json"
[ "$js" = 1 ]
ok $? "-D --json: an operand that names no module makes the exit status 1"
python3 - "$work/crafted.json" "$BUILTIN" "$TREE" "$EXT4" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
builtin, tree, ext4 = sys.argv[2], sys.argv[3], sys.argv[4]
builtin_name = builtin.replace('-', '_')
by = {}
for obj in doc:
    by.setdefault(obj['operand'], []).append(obj)
def steps(operand):
    (obj,) = by[operand]
    return [(e['name'], e['reason'], e['of']) for e in obj['load']]
def entry(operand, name):
    (obj,) = by[operand]
    return [e for e in obj['load'] if e['name'] == name][0]
# every reason, and a soft dependency through an alias, one without a
# module and a built-in one
s = steps('dummy')
assert s[:2] == [('ifb', 'softdep-pre', 'dummy'), ('dummy', 'requested', None)], s
assert s[2] == ('loop', 'softdep-post', 'dummy'), s
assert ('tun', 'softdep-post', 'dummy') in s and ('nosuchmodule_xyz', 'softdep-post', 'dummy') in s
assert s[-1] == (builtin_name, 'softdep-post', 'dummy'), s
d = entry('dummy', 'dummy')
# softdeps make modprobe ignore the module's own install command
assert d['install'] is None and d['path'].endswith(('/dummy.ko', '/dummy.ko.xz', '/dummy.ko.zst')), d
assert d['options'] == 'numdummies=3 extra=a b ', d
assert d['weakdeps'] == ['xor'] and d['alias'] is None, d
loop = entry('dummy', 'loop')
assert loop['install'] == '/bin/echo loop-install $CMDLINE_OPTS' and loop['path'], loop
assert entry('dummy', 'ifb')['install'] == '/bin/true \ufffd(', entry('dummy', 'ifb')
tun = entry('dummy', 'tun')
assert tun['alias'] == 'tun_alias' and tun['path'], tun
ghost = entry('dummy', 'nosuchmodule_xyz')
assert ghost['alias'] == 'ghost' and ghost['path'] is None and not ghost['builtin'], ghost
b = entry('dummy', builtin_name)
assert b['builtin'] and b['path'] is None, b
# modules.dep dependencies and the tree's own softdeps
s = steps('ext4')
assert s[-1] == ('ext4', 'requested', None), s
assert {n for n, r, o in s if r == 'dependency'} >= {'crc16', 'mbcache', 'jbd2'}, s
assert all(o == 'ext4' for n, r, o in s if r == 'dependency'), s
assert any(r == 'softdep-pre' and o in ('ext4', 'jbd2') for n, r, o in s), s
e = entry('ext4', 'ext4')
assert e['options'] == 'bad=\ufffd\ufffd ok=caf\u00e9 ', e
assert e['weakdeps'] == ['zstd_compress', 'nosuchmodule'], e
# an alias: its options, the top object's alias
(m,) = by['my-dummy']
assert m['alias'] == 'my_dummy' and m['name'] == 'dummy', m
assert entry('my-dummy', 'dummy')['options'] == 'numdummies=3 extra=a b via_alias=1 ', m
# the blacklist stops an alias, not a name
(t,) = by['tun-alias']
assert t['blacklisted'] is True and t['load'] == [] and 'error' not in t, t
(t,) = by['tun']
assert t['blacklisted'] is False and steps('tun') == [('tun', 'requested', None)], t
# an install command of the module asked for
assert entry('loop', 'loop')['install'] == '/bin/echo loop-install $CMDLINE_OPTS'
# a file given by path
(p,) = by[tree + '/' + ext4]
assert p['name'] == 'ext4' and entry(tree + '/' + ext4, 'ext4')['path'] == tree + '/' + ext4
# operands that name nothing
assert by['nosuchmodule'] == [{'operand': 'nosuchmodule',
                               'error': 'Module nosuchmodule not found in directory ' + tree}]
assert by['/nonexistent/x.ko'] == [{'operand': '/nonexistent/x.ko',
    'error': 'Failed to get module from path /nonexistent/x.ko: No such file or directory'}]
assert steps(builtin) == [(builtin_name, 'requested', None)]
assert entry(builtin, builtin_name)['builtin']
assert [o['operand'] for o in doc] == ['dummy', 'ext4', 'my-dummy', 'tun-alias', 'tun', 'loop',
                                      tree + '/' + ext4, 'nosuchmodule', '/nonexistent/x.ko',
                                      builtin], doc
PY
ok $? "-D --json: the reasons, install commands, options, weakdeps and blacklist as configured"

printf '%s\n' dummy loop > "$work/ignore"
depends "-D -i: install commands and the top module's softdeps ignored" "$work/ignore" \
	-a -i -C "$work/conf"
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert [(e["name"], e["reason"]) for e in doc[0]["load"]] == [("dummy", "requested")], doc[0]
assert all(e["install"] is None for o in doc for e in o["load"]), doc' "$work/doc.json"
ok $? "-D -i --json: no install command, the top module alone"
echo tun > "$work/blacklisted"
depends "-D -b: the blacklist applies to a name" "$work/blacklisted" -b -C "$work/conf"
python3 -c '
import json, sys
(o,) = json.load(open(sys.argv[1]))
assert o["blacklisted"] is True and o["load"] == [], o' "$work/doc.json"
ok $? "-D -b --json: blacklisted, an empty load list"
printf '%s\n' dummy x=1 y=2 > "$work/params"
depends "-D with parameters for the module" "$work/params" -C "$work/conf"
python3 -c '
import json, sys
(o,) = json.load(open(sys.argv[1]))
d = [e for e in o["load"] if e["reason"] == "requested"][0]
assert d["options"] == "numdummies=3 extra=a b x=1 y=2", d' "$work/doc.json"
ok $? "-D --json: the command line's parameters after the configured options"

config "-c of the crafted configuration, invalid UTF-8 included" -S "$VER" -C "$work/conf"
grep -q 'bad=\\ufffd\\ufffd ok=café' "$work/config.json" &&
	grep -q '"/bin/echo bye \\ufffd"' "$work/config.json" &&
	! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$work/config.json"
ok $? "-c --json: invalid UTF-8 replaced by U+FFFD, valid UTF-8 kept"
"$OURS" -S "$VER" -C "$work/quirk" -c --json > "$work/quirk.json" &&
	"$OURS" -S "$VER" -C "$work/quirk" -c > "$work/quirk.text" &&
	grep -qx 'softdep tun pre: loop btrfs ifbpost: btrfs' "$work/quirk.text" &&
	python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert {"module": "tun", "pre": ["loop", "ifb"], "post": ["btrfs"]} in doc["softdep"], doc["softdep"]
assert {"module": "dummy", "pre": ["ifb"], "post": ["loop", "tun-alias", "ghost", sys.argv[2]]} \
    in doc["softdep"], doc["softdep"]
assert {"module": "ext4", "modules": ["zstd_compress", "nosuchmodule"]} in doc["weakdep"]
assert {"alias": "tun_alias", "module": "tun"} in doc["alias"] and "tun" in doc["blacklist"]' \
		"$work/quirk.json" "$BUILTIN"
ok $? "-c --json: a softdep switching between pre: and post: gives its two lists"

# ---- indexes missing and corrupt

root=$work/root
mkdir -p "$root/lib/modules/$VER"
cp "$TREE/modules.alias.bin" "$TREE/modules.symbols.bin" "$root/lib/modules/$VER/"
config "-c with only two indexes, another root (-d)" -d "$root" -S "$VER" -C "$work/conf"
rm "$root/lib/modules/$VER/modules.alias.bin"
config "-c without modules.alias.bin" -d "$root" -S "$VER" -C "$work/conf"
python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))["indexes"]
assert i["alias"]["entries"] is None and i["alias"]["file"].endswith("/modules.alias.bin"), i["alias"]
assert len(i["symbols"]["entries"]) > 1000' "$work/config.json"
ok $? "-c --json: a missing index is null"
f=$root/lib/modules/$VER/modules.symbols.bin
printf '\377\377\377\377\377\377\377\377' |
	dd of="$f" bs=1 seek=$(($(stat -c %s "$f") / 2)) conv=notrunc 2> /dev/null
"$OURS" -d "$root" -S "$VER" -C "$work/conf" -c --json > "$work/config.json" 2> "$work/json.err"
js=$?
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))["indexes"]["symbols"]
assert s["error"].startswith(sys.argv[2] + ": ") and 0 < len(s["entries"]), s.get("error")
assert open(sys.argv[3]).read() == "modprobe: ERROR: " + s["error"] + "\n"' \
	"$work/config.json" "$f" "$work/json.err" && [ "$js" = 1 ]
ok $? "-c --json: a corrupt index cut short with its error, on stderr too, exit 1"

# ---- options that do not combine with --json

for opts in "" "-r" "-R" "-n" "-D -r" "-D -R" "--show-modversions" "--show-exports"; do
	# shellcheck disable=SC2086
	"$OURS" -S "$VER" --json $opts ext4 > "$work/out" 2> "$work/err"; rc=$?
	[ "$rc" = 1 ] && [ ! -s "$work/out" ] && grep -q -- '--json needs -c or -D' "$work/err"
	ok $? "--json ${opts:-without -D or -c}: a clear error"
done
done_testing
