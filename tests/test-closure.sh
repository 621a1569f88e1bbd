#!/bin/sh
# test-closure.sh — kmod closure against Debian's dracut-install (the
# dracut-core package scripts/setup.sh downloads, unpacked here, run on the
# host with Debian's libkmod) and kmod's modprobe --show-depends on the
# installed Debian tree, for 200 module sets: single modules and random
# sets (seeded, each with a built-in module), every storage driver and
# every network driver as sets.
#   - the module files equal those dracut-install installs for the same
#     names, in a root whose module directory is the real tree and whose
#     firmware tree is made from the firmware: names the tree's modules
#     carry (tests/closure-check.py firmware-tree: every name in one place
#     of the search path, plain, .zst, .xz, behind links, or missing);
#   - the order is modprobe's: the modules and built-in modules equal
#     kmod's modprobe -a --show-depends for the set, each at its first place;
#   - the firmware files equal the existing files the modules' firmware:
#     fields name, computed apart (closure-check.py reads .modinfo and
#     modules.builtin.modinfo itself and walks the search path), and those
#     dracut-install installs (for the module files: dracut-install skips
#     built-in modules, and with them their firmware);
#   - --json validates against data/closure.schema.json and says what the
#     text says; -0 is the text with NUL terminators; the real root too.
# Then a crafted root (genmod modules, our depmod, -b/-k): the search
# path's precedence, .xz/.zst, link chains, missing firmware (a warning,
# exit 0), soft and weak dependencies in order; --loaded on a fake
# /proc/modules and --devices on a fake /sys/devices (tests/shim.md); bad
# operands.
#
# What dracut-install does differently, on purpose, and how the comparison
# stays like for like: it follows softdeps but not weakdeps (dracut 059,
# libkmod 30: the Debian 6.1 tree has none, which the test checks); it
# skips built-in modules and so their soft dependencies and firmware (the
# tree's configuration gives none to a built-in module, which the test
# checks too); it installs a firmware name from every directory of the
# search path that has it, where the kernel, and kmod closure, take the
# first (the made tree has each name once; the crafted root shows the
# difference); and it adds the suppliers of platform devices of the host
# (none here: the test runs it in a mount namespace without them when the
# host has any).
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

command -v python3 >/dev/null || missing_input_all "python3 is not installed"
[ -f "${MT_SHIM:-}" ] || missing_input_all "the shim is not built"
TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no module tree under /lib/modules (install linux-image-amd64)"
REL=${TREE##*/}
KMOD=$(tool kmod)
MODPROBE30=$(kmod_tool modprobe) || missing_input_all "kmod's modprobe is not installed"
debs=${MT_DRACUT_DEBS:-/var/cache/modtool/dracut}
ls "$debs"/dracut-core_*.deb >/dev/null 2>&1 ||
	missing_input_all "Debian's dracut-core package is not in $debs (scripts/setup.sh)"
CHECK="python3 $top_srcdir/tests/closure-check.py"
SCHEMA=$top_srcdir/data/closure.schema.json
GENMOD=$top_builddir/tests/genmod
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for d in "$debs"/dracut-core_*.deb; do
	dpkg-deb -x "$d" "$work/dracut" || { echo "Bail out! cannot unpack $d"; exit 1; }
done
DI=$work/dracut/usr/lib/dracut/dracut-install
[ -x "$DI" ] || { echo "Bail out! no dracut-install in $debs/dracut-core_*.deb"; exit 1; }
# dracut-install adds the suppliers of the host's platform devices
if find /sys/devices/platform -name 'supplier:platform*' 2>/dev/null | grep -q .; then
	dracut_install() {
		unshare -m sh -c 'mount -t tmpfs none /sys/devices/platform && exec "$0" "$@"' \
			"$DI" "$@"
	}
else
	dracut_install() { "$DI" "$@"; }
fi

# ---- the 200 sets ----------------------------------------------------------------
sed -n 's|^\([^:]*\):.*|\1|p' "$TREE/modules.dep" | sort >"$work/paths"
sed 's|.*/||; s|\.ko.*||; s|-|_|g' "$work/paths" >"$work/names"
in_dir() {	# in_dir DIR... — the names of the modules below kernel/drivers/DIR
	for d in "$@"; do
		grep "^kernel/drivers/$d/" "$work/paths"
	done | sed 's|.*/||; s|\.ko.*||; s|-|_|g' | tr '\n' ' '
	echo
}
{
	# a random set has a built-in module in it too
	sed 's|.*/||; s|\.ko.*||; s|-|_|g' "$TREE/modules.builtin" >"$work/builtin"
	awk 'BEGIN { srand(14) } FNR == NR { b[++nb] = $0; next } { n[++nn] = $0 } END {
		for (i = 0; i < 120; i++) print n[int(rand() * nn) + 1]
		for (i = 0; i < 66; i++) {
			k = 2 + int(rand() * 11); s = ""
			for (j = 0; j < k; j++) s = s " " n[int(rand() * nn) + 1]
			print substr(s, 2) " " b[int(rand() * nb) + 1]
		}
	}' "$work/builtin" "$work/names"
	for d in ata scsi nvme block md mmc usb/storage; do
		in_dir "$d"
	done
	in_dir ata scsi nvme block md mmc usb/storage
	in_dir net
	for d in net/ethernet net/wireless net/usb net/phy; do
		in_dir "$d"
	done
	grep '^kernel/drivers/net/' "$work/paths" |
		grep -v '^kernel/drivers/net/\(ethernet\|wireless\|usb\|phy\)/' |
		sed 's|.*/||; s|\.ko.*||; s|-|_|g' | tr '\n' ' '
	echo
} >"$work/sets"
[ "$(wc -l <"$work/sets")" -eq 200 ] || { echo "Bail out! not 200 sets"; exit 1; }

root=$work/root
mkdir -p "$root/lib/modules"
ln -s "$TREE" "$root/lib/modules/$REL"
$CHECK firmware-tree "$TREE" "$root" "$REL" >"$work/fw-made" ||
	{ echo "Bail out! cannot make the firmware tree"; exit 1; }
echo "# firmware tree: $(cat "$work/fw-made")"
fwdirs=$root/lib/firmware/updates/$REL:$root/lib/firmware/updates:$root/lib/firmware/$REL:$root/lib/firmware

mkdir -p "$work/out"
status=0
n=0
t0=$(date +%s)
while read -r set; do
	n=$((n + 1))
	o=$work/out/$n
	# shellcheck disable=SC2086
	{
		"$KMOD" closure -k "$REL" $set >"$o.real" 2>"$o.real.err" &&
		"$KMOD" closure -b "$root" -k "$REL" $set >"$o.root" 2>"$o.root.err" &&
		"$KMOD" closure -b "$root" -k "$REL" --json $set >"$o.json" 2>/dev/null &&
		if [ $((n % 10)) = 1 ]; then
			"$KMOD" closure -b "$root" -k "$REL" -0 $set >"$o.null" 2>/dev/null
		fi
	} || { echo "# set $n: kmod closure failed: $(head -n 1 "$o.real.err")"; status=1; }
	"$MODPROBE30" -S "$REL" -a --show-depends $set >"$o.modprobe" 2>"$o.modprobe.err" ||
		{ echo "# set $n: kmod's modprobe failed: $(head -n 1 "$o.modprobe.err")"; status=1; }
	mkdir "$o.dest"
	dracut_install -D "$o.dest" --kerneldir "$root/lib/modules/$REL" --firmwaredirs "$fwdirs" \
		-m $set >"$o.dracut.err" 2>&1 ||
		{ echo "# set $n: dracut-install failed: $(head -n 1 "$o.dracut.err")"; status=1; }
	(cd "$o.dest" && find . -type f -o -type l) | sed 's|^\./||' | sort >"$o.dracut"
	rm -rf "$o.dest"
done <"$work/sets"
echo "# 200 sets: $(($(date +%s) - t0)) s"
ok $status "kmod closure, kmod's modprobe and dracut-install ran for the 200 sets"

$CHECK modules "$work/sets" "$work/out" "$TREE" "$root" "$REL"
ok $? "the module files of each set are those dracut-install installs"
$CHECK order "$work/sets" "$work/out" "$TREE" "$root" "$REL"
ok $? "in modprobe's load order, each module once"
$CHECK firmware "$work/sets" "$work/out" "$TREE" "$root" "$REL"
ok $? "the firmware files are those the firmware: fields name, and dracut-install's"
$CHECK json "$work/sets" "$work/out" "$TREE" "$root" "$REL" "$SCHEMA"
ok $? "--json validates and says what the text says; -0 is the text (every 10th set)"

# ---- a crafted root ------------------------------------------------------------
c=$work/crafted
cr=9.9.9-closure
md=$c/lib/modules/$cr
mkdir -p "$md/kernel" "$c/etc"
"$GENMOD" -o "$md/kernel/fw_base.ko" --name fw_base --export fw_base_fn --modinfo license=GPL \
	--modinfo firmware=prec/base.bin &&
"$GENMOD" -o "$md/kernel/fw_main.ko" --name fw_main --import fw_base_fn --modinfo license=GPL \
	--modinfo firmware=prec/a.bin --modinfo firmware=prec/b.bin \
	--modinfo firmware=prec/c.bin --modinfo firmware=prec/d.bin \
	--modinfo firmware=prec/chain.bin --modinfo firmware=prec/dangling.bin \
	--modinfo firmware=prec/missing.bin --modinfo 'firmware=fam/dev*.bin' \
	--modinfo firmware=prec/a.bin --modinfo alias=closure:main &&
for m in fw_pre fw_post fw_weak fw_other; do
	"$GENMOD" -o "$md/kernel/$m.ko" --name "$m" --modinfo license=GPL || exit 1
done &&
xz -c "$md/kernel/fw_other.ko" >"$md/kernel/fw_other.ko.xz" && rm "$md/kernel/fw_other.ko" &&
: >"$md/modules.order" && echo kernel/fw_builtin.ko >"$md/modules.builtin" &&
printf 'fw_builtin.license=GPL\0fw_builtin.firmware=prec/builtin.bin\0' >"$md/modules.builtin.modinfo" &&
"$(tool depmod)" -b "$c" "$cr" || { echo "Bail out! cannot make the crafted root"; exit 1; }
cat >"$c/etc/closure.conf" <<'EOF'
softdep fw_main pre: fw_pre post: fw_post
softdep fw_post pre: fw_builtin
weakdep fw_main fw_weak
softdep fw_weak pre: fw_other
EOF
fw=$c/lib/firmware
mkdir -p "$fw/updates/$cr/prec" "$fw/updates/prec" "$fw/$cr/prec" "$fw/prec" "$fw/real" "$fw/fam"
for d in "updates/$cr" updates "$cr" .; do echo "$d" >"$fw/$d/prec/a.bin"; done
echo plain >"$fw/prec/b.bin"; echo zst >"$fw/updates/prec/b.bin.zst"
echo zst >"$fw/prec/c.bin.zst"; echo xz >"$fw/updates/$cr/prec/c.bin.xz"
echo xz >"$fw/$cr/prec/d.bin.xz"
echo base >"$fw/prec/base.bin"
echo builtin >"$fw/prec/builtin.bin"
echo real >"$fw/real/chain.bin"
ln -s ../../prec/link2 "$fw/updates/prec/chain.bin"
ln -s /lib/firmware/real/chain.bin "$fw/prec/link2"
ln -s nowhere.bin "$fw/updates/prec/dangling.bin"
echo later >"$fw/prec/dangling.bin"
mkdir -p "$fw/updates/fam"
echo one >"$fw/fam/dev1.bin"; echo two >"$fw/updates/fam/dev2.bin.xz"
echo nope >"$fw/fam/other.bin"

"$KMOD" closure -b "$c" -k "$cr" -C "$c/etc/closure.conf" fw_main >"$work/c.out" 2>"$work/c.err"
rc=$?
cat >"$work/c.want" <<EOF
module $md/kernel/fw_base.ko
module $md/kernel/fw_pre.ko
module $md/kernel/fw_main.ko
builtin fw_builtin
module $md/kernel/fw_post.ko
module $md/kernel/fw_other.ko.xz
module $md/kernel/fw_weak.ko
firmware $fw/prec/base.bin
firmware $fw/updates/$cr/prec/a.bin
firmware $fw/prec/b.bin
firmware $fw/prec/c.bin.zst
firmware $fw/$cr/prec/d.bin.xz
firmware $fw/updates/prec/chain.bin
firmware $fw/prec/link2
firmware $fw/real/chain.bin
firmware $fw/prec/dangling.bin
firmware $fw/updates/fam/dev2.bin.xz
firmware $fw/fam/dev1.bin
firmware $fw/prec/builtin.bin
EOF
[ "$rc" = 0 ] && same "$work/c.want" "$work/c.out"
ok $? "crafted root: load order with soft and weak dependencies and a built-in module; updates/RELEASE first, plain before .zst before .xz, link chains, patterns, a built-in module's firmware"
printf 'closure: WARNING: fw_main: firmware prec/missing.bin not found\n' >"$work/c.err.want"
same "$work/c.err.want" "$work/c.err"
ok $? "missing firmware: a warning on stderr, exit 0"
"$KMOD" closure -b "$c" -k "$cr" -C "$c/etc/closure.conf" --json closure:main >"$work/c.json" \
	2>/dev/null &&
	python3 - "$work/c.json" "$SCHEMA" <<'PY'
import json, sys, jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator(json.load(open(sys.argv[2]))).validate(doc)
got = [(m["name"], m["reason"], m["required_by"]) for m in doc["modules"]]
assert got == [("fw_base", "dependency", "fw_main"), ("fw_pre", "pre-softdep", "fw_main"),
               ("fw_main", "named", None), ("fw_builtin", "pre-softdep", "fw_post"),
               ("fw_post", "post-softdep", "fw_main"),
               ("fw_other", "pre-softdep", "fw_weak"), ("fw_weak", "weakdep", "fw_main")], got
missing = [f for f in doc["firmware"] if not f["found"]]
assert [(f["name"], f["module"], f["files"]) for f in missing] == \
    [("prec/missing.bin", "fw_main", [])], missing
assert doc["modules"][2]["firmware"][-2:] == ["fam/dev*.bin", "prec/a.bin"], doc["modules"][2]
assert doc["release"] == "9.9.9-closure" and doc["firmware_root"].endswith("/crafted")
PY
ok $? "crafted root --json: reasons, the module requiring each, missing firmware, by alias"
rm -rf "$work/c.dest" && mkdir "$work/c.dest"
dracut_install -D "$work/c.dest" --kerneldir "$md" \
	--firmwaredirs "$fw/updates/$cr:$fw/updates:$fw/$cr:$fw" -m fw_main >/dev/null 2>&1
(cd "$work/c.dest" && find . -type f -o -type l) | sed "s|^\./||; s|.*/lib/firmware/|$fw/|" |
	grep "^$fw/" | sort >"$work/c.dracut"
sed -n 's/^firmware //p' "$work/c.out" | sort >"$work/c.ours"
# dracut-install installs every copy of a name it finds (the kernel's is
# among them), but resolves a link's absolute target on the host, not in
# the root (so it installs none of that chain), matches a pattern against
# plain names only, and skips built-in modules, with their firmware
comm -23 "$work/c.ours" "$work/c.dracut" >"$work/c.only-ours"
printf '%s\n' "$fw/updates/prec/chain.bin" "$fw/prec/link2" "$fw/real/chain.bin" \
	"$fw/updates/fam/dev2.bin.xz" "$fw/prec/builtin.bin" | sort >"$work/c.only-ours.want"
same "$work/c.only-ours.want" "$work/c.only-ours" && grep -q "^$fw/prec/a.bin$" "$work/c.dracut" &&
	grep -q "^$fw/updates/prec/a.bin$" "$work/c.dracut"
ok $? "crafted root: dracut-install installs the same firmware, and more copies"

# a module file as operand: that file, with the dependencies of its name
ext4=$(grep '/ext4\.ko' "$work/paths" | head -n 1)
mkdir -p "$work/alt" && cp "$TREE/$ext4" "$work/alt/ext4.ko"
"$KMOD" closure -k "$REL" "$work/alt/ext4.ko" >"$work/path.out" 2>/dev/null &&
	"$KMOD" closure -k "$REL" ext4 2>/dev/null |
	sed "s|^module $TREE/$ext4\$|module $work/alt/ext4.ko|" >"$work/path.want" &&
	same "$work/path.want" "$work/path.out" && grep -q "^module $work/alt/ext4.ko$" "$work/path.out"
ok $? "a module file as operand: the file given, with the dependencies of its name"

# -b/-k on a copied root: the real tree copied under another release
mkdir -p "$work/copy/lib/modules"
{ cp -al "$TREE" "$work/copy/lib/modules/0.0.1-copy" 2>/dev/null ||
	cp -a "$TREE" "$work/copy/lib/modules/0.0.1-copy"; } &&
	"$KMOD" closure -b "$work/copy" -k 0.0.1-copy ext4 nvme ahci usb_storage e1000e \
		>"$work/copy.out" 2>/dev/null &&
	"$KMOD" closure -k "$REL" ext4 nvme ahci usb_storage e1000e 2>/dev/null |
	sed "s|^module $TREE/|module $work/copy/lib/modules/0.0.1-copy/|" >"$work/copy.want" &&
	same "$work/copy.want" "$work/copy.out" && [ -s "$work/copy.out" ]
ok $? "-b ROOT -k VERSION on a copy of the tree under another release"
rm -rf "$work/copy"

# ---- --loaded and --devices on a fake system -----------------------------------
fake=$work/fake
mkdir -p "$fake/proc" "$fake/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0" \
	"$fake/sys/devices/pci0000:00/0000:00:02.0" "$fake/sys/devices/virtual/none"
cat >"$fake/proc/modules" <<'EOF'
nvme 49152 0 - Live 0x0000000000000000
ext4 1028096 1 - Live 0x0000000000000000
not_in_tree 16384 0 - Live 0x0000000000000000
EOF
ahci=pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01
e1000e=pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00
echo "$ahci" >"$fake/sys/devices/pci0000:00/0000:00:1f.2/modalias"
echo "$e1000e" >"$fake/sys/devices/pci0000:00/0000:00:02.0/modalias"
echo "platform:no-such-driver" >"$fake/sys/devices/virtual/none/modalias"
echo "scsi:t-0x00" >"$fake/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/modalias"
ln -s ../../.. "$fake/sys/devices/pci0000:00/0000:00:1f.2/subsystem"
under_shim() {
	MT_SHIM_ROOT=$fake LD_PRELOAD=$MT_SHIM "$KMOD" closure -b "$root" -k "$REL" "$@"
}
under_shim --loaded >"$work/loaded.out" 2>"$work/loaded.err"
rc=$?
under_shim nvme ext4 >"$work/loaded.want" 2>/dev/null
[ "$rc" = 0 ] && same "$work/loaded.want" "$work/loaded.out" &&
	grep -q "^closure: WARNING: not_in_tree: loaded, but not in $root/lib/modules/$REL$" \
		"$work/loaded.err"
ok $? "--loaded: the modules of a fake /proc/modules, a warning for one the tree lacks"
under_shim --devices >"$work/devices.out" 2>"$work/devices.err"
rc=$?
under_shim "$e1000e" "$ahci" "scsi:t-0x00" >"$work/devices.want" 2>/dev/null
[ "$rc" = 0 ] && same "$work/devices.want" "$work/devices.out" && [ ! -s "$work/devices.err" ] &&
	grep -q '/ahci\.ko$' "$work/devices.out" && grep -q '/e1000e\.ko$' "$work/devices.out" &&
	grep -q '/sd_mod\.ko$' "$work/devices.out"
ok $? "--devices: the modaliases of a fake /sys/devices, in name order, links not followed"
under_shim --devices --loaded nvme >"$work/both.out" 2>/dev/null &&
	under_shim nvme ext4 "$e1000e" "$ahci" "scsi:t-0x00" >"$work/both.want" 2>/dev/null &&
	same "$work/both.want" "$work/both.out"
ok $? "operands, then --loaded, then --devices"
# the real machine's devices, against dracut-install --modalias (names only)
"$KMOD" closure -k "$REL" --devices --json >"$work/real-devices.json" 2>/dev/null &&
	"$DI" --kerneldir "$TREE" --modalias 2>/dev/null | sort >"$work/real-devices.dracut" &&
	python3 - "$work/real-devices.json" "$work/real-devices.dracut" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ours = sorted(m["name"] for m in doc["modules"] if m["reason"] == "named")
theirs = open(sys.argv[2]).read().split()
assert ours == theirs, (ours, theirs)
print("# %d modules for this machine's devices" % len(ours))
PY
ok $? "--devices on this machine names the modules dracut-install --modalias finds"

# ---- bad operands --------------------------------------------------------------
bad() {	# bad DESCRIPTION EXPECTED-MESSAGE ARGS...
	desc=$1 want=$2
	shift 2
	"$KMOD" closure "$@" >"$work/bad.out" 2>"$work/bad.err"
	rc=$?
	[ "$rc" = 1 ] && [ ! -s "$work/bad.out" ] && [ "$(wc -l <"$work/bad.err")" = 1 ] &&
		grep -qF -- "$want" "$work/bad.err"
	ok $? "$desc"
}
bad "a name that is no module" "closure: ERROR: module nosuchmodule not found in $TREE." \
	-k "$REL" ext4 nosuchmodule
bad "no operand" "closure: ERROR: missing module, --loaded or --devices." -k "$REL"
bad "--json with -0" "closure: ERROR: --json cannot be combined with -0." -k "$REL" --json -0 ext4
bad "an unknown option" "unrecognized option '--nosuch'" --nosuch ext4
bad "an alias with an unmatched bracket" "closure: ERROR: pci:[x: invalid module name 'pci:[x'" \
	-k "$REL" 'pci:[x'
printf 'garbage, not a module' >"$md/kernel/fw_base.ko"
bad "a module file that cannot be read" \
	"closure: ERROR: fw_main: $md/kernel/fw_base.ko: cannot read its information: Exec format error" \
	-b "$c" -k "$cr" -C "$c/etc/closure.conf" fw_main
MT_SHIM_ROOT=$work/nosys LD_PRELOAD=$MT_SHIM "$KMOD" closure -b "$root" -k "$REL" --devices \
	>"$work/bad.out" 2>"$work/bad.err"
[ "$?" = 1 ] && grep -qx "closure: ERROR: could not open /sys/devices: No such file or directory" \
	"$work/bad.err"
ok $? "--devices without /sys/devices"
done_testing
