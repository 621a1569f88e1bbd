#!/bin/sh
# valgrind.sh — every tool under valgrind's memcheck on real input: modinfo
# on a sample of the installed Debian tree's modules (plain, .xz, .zst, .gz
# copies, signed ones), by name and with -b/-k, and on truncated and
# corrupted copies; modprobe --show-depends, -R and -c (also with --json)
# on the installed tree; kmod closure with firmware, --json and -0; depmod
# -n and writing on a copy of part of the tree; insmod, lsmod, rmmod and
# modprobe loading and removing, and kmod closure --loaded --devices, under
# the shim (tests/shim.md).
# Each run must end with no memcheck error and no definitely or indirectly
# lost block, and with the tool's expected exit status.
#
# Only for builds without sanitizers (ASan and valgrind do not mix), which
# Makefile.am arranges; MT_VALGRIND names another valgrind.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

if ldd "$(tool modinfo)" 2>/dev/null | grep -q 'libasan'; then
	skip_all "built with sanitizers: ASan and valgrind do not mix"
fi
VALGRIND=${MT_VALGRIND:-valgrind}
command -v "$VALGRIND" >/dev/null || missing_input_all "$VALGRIND is not installed (valgrind)"
[ -f "${MT_SHIM:-}" ] || missing_input_all "the shim is not built"
TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no module tree under /lib/modules (install linux-image-amd64)"
REL=$(basename "$TREE")
MODINFO=$(tool modinfo) MODPROBE=$(tool modprobe) DEPMOD=$(tool depmod) KMOD=$(tool kmod)
INSMOD=$(tool insmod) RMMOD=$(tool rmmod) LSMOD=$(tool lsmod)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
started=$(date +%s)

# vg STATUS DESCRIPTION COMMAND... — one test: COMMAND under memcheck exits
# with STATUS ("any": whatever it is, as long as the tool did not crash) and
# memcheck reports nothing.  Output in $work/out, memcheck's log in
# $work/vg.log (shown on failure).  The environment, LD_PRELOAD included,
# reaches the tool through valgrind.
runs=0
vg() {
	want=$1 desc=$2
	shift 2
	runs=$((runs + 1))
	"$VALGRIND" -q --tool=memcheck --leak-check=full --errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect --error-exitcode=99 --log-file="$work/vg.log" \
		"$@" >"$work/out" 2>"$work/err"
	rc=$?
	status=0
	if [ "$rc" -eq 99 ] || [ -s "$work/vg.log" ]; then
		echo "# memcheck reports errors:"
		head -n 60 "$work/vg.log" | sed 's/^/#   /'
		status=1
	elif [ "$rc" -ge 126 ] || { [ "$want" != any ] && [ "$rc" -ne "$want" ]; }; then
		echo "# exit status $rc, expected $want; stderr:"
		head -n 10 "$work/err" | sed 's/^/#   /'
		status=1
	fi
	ok $status "$desc"
}

# ---- modinfo -----------------------------------------------------------------
# 20 modules spread over modules.dep (Debian signs all of them), and five
# of them compressed three ways.
sed -n 's|^\([^:]*\):.*|\1|p' "$TREE/modules.dep" >"$work/all"
total=$(wc -l <"$work/all")
awk -v n="$total" 'NR % int(n / 20) == 1' "$work/all" | head -n 20 |
	sed "s|^|$TREE/|" >"$work/sample"
[ "$(wc -l <"$work/sample")" -eq 20 ] || { echo "Bail out! cannot sample $TREE/modules.dep"; exit 1; }
mkdir -p "$work/z"
head -n 5 "$work/sample" | while read -r m; do
	b=$work/z/$(basename "$m")
	xz -c "$m" >"$b.xz" && zstd -q -c "$m" >"$b.zst" && gzip -c "$m" >"$b.gz"
done
# shellcheck disable=SC2046
vg 0 "modinfo on 20 real modules" "$MODINFO" $(cat "$work/sample")
[ "$(grep -c '^filename:' "$work/out")" -eq 20 ] && grep -q '^signer:' "$work/out"
ok $? "modinfo printed 20 modules with their signatures"
vg 0 "modinfo on 5 of them as .ko.xz, .ko.zst and .ko.gz" "$MODINFO" "$work"/z/*
vg 0 "modinfo -F signature" "$MODINFO" -F signature "$(sed -n 1p "$work/sample")"
vg 0 "modinfo -0 -F parm" "$MODINFO" -0 -F parm "$(sed -n 1p "$work/sample")" "$(sed -n 2p "$work/sample")"
# shellcheck disable=SC2046
vg 0 "modinfo --json on the 20 modules" "$MODINFO" --json $(cat "$work/sample")
vg 1 "modinfo --json: built-in modules and a name that is no module" \
	"$MODINFO" -k "$REL" --json unix crc32c nosuchmodule
vg 1 "modinfo by name: -k, with a name that is no module" \
	"$MODINFO" -k "$REL" ext4 btrfs nosuchmodule snd-hda-intel
vg 0 "modinfo -b / -k, built-in module and alias lookups" \
	"$MODINFO" -b / -k "$REL" -F filename unix crc32c "$(grep -m 1 '^alias pci:' "$TREE/modules.alias" | cut -d' ' -f2)"

# Broken copies of one real module: truncated at several places, a header
# field pointing outside the file, garbage, empty, and truncated archives.
m=$(sed -n 3p "$work/sample")
size=$(wc -c <"$m")
mkdir -p "$work/bad"
for cut in 16 64 1000 $((size / 2)); do
	head -c "$cut" "$m" >"$work/bad/cut-$cut.ko"
done
head -c $((size - 100)) "$m" >"$work/bad/cut-in-signature.ko"	# unsigned then
cp "$m" "$work/bad/shoff.ko"
printf '\377\377\377\177' | dd of="$work/bad/shoff.ko" bs=1 seek=40 conv=notrunc 2>/dev/null
cp "$m" "$work/bad/shnum.ko"
printf '\377\177' | dd of="$work/bad/shnum.ko" bs=1 seek=60 conv=notrunc 2>/dev/null
cp "$m" "$work/bad/shstrndx.ko"
printf '\376\177' | dd of="$work/bad/shstrndx.ko" bs=1 seek=62 conv=notrunc 2>/dev/null
head -c 5000 /dev/urandom >"$work/bad/random.ko"
: >"$work/bad/empty.ko"
xz -c "$m" | head -c 3000 >"$work/bad/cut-xz.ko.xz"
zstd -q -c "$m" | head -c 3000 >"$work/bad/cut-zst.ko.zst"
gzip -c "$m" | head -c 3000 >"$work/bad/cut-gz.ko.gz"
vg 1 "modinfo on $(ls "$work/bad" | wc -l) broken modules: $(cd "$work/bad" && echo *)" \
	"$MODINFO" "$work"/bad/*
status=0
for f in "$work"/bad/*; do
	name=$(basename "$f" | sed 's/\.ko.*//; s/-/_/g')
	case $name in
	cut_in_signature) ! grep -q "from '$name'" "$work/err" ;;
	*) grep -q "^modinfo: ERROR: could not get modinfo from '$name': " "$work/err" ;;
	esac || { echo "# $f: not as expected"; status=1; }
done
ok $status "modinfo rejected each broken module, and read the one cut in its signature"

# ---- modprobe on the installed tree -------------------------------------------
vg 0 "modprobe --show-depends btrfs ext4 xfs" "$MODPROBE" -S "$REL" --show-depends btrfs ext4 xfs
vg 0 "modprobe -D snd-hda-intel" "$MODPROBE" -S "$REL" -D snd-hda-intel
alias=$(grep -m 1 '^alias usb:' "$TREE/modules.alias" | cut -d' ' -f2 | tr -d '*')
vg 0 "modprobe -R of a USB modalias" "$MODPROBE" -S "$REL" -R "$alias"
vg 0 "modprobe -c (configuration and every index)" "$MODPROBE" -S "$REL" -c
vg 1 "modprobe of a module that does not exist" "$MODPROBE" -S "$REL" -n nosuchmodule
vg 1 "modprobe -D --json of modules, an alias, a built-in module and a missing one" \
	"$MODPROBE" -S "$REL" -a -D --json btrfs ext4 snd-hda-intel "$alias" unix nosuchmodule
vg 0 "modprobe -c --json (configuration and every index)" "$MODPROBE" -S "$REL" -c --json

# ---- kmod closure on the installed tree ---------------------------------------
fwroot=$work/fwroot
mkdir -p "$fwroot/lib/modules" "$fwroot/lib/firmware/updates" "$fwroot/lib/firmware/other"
ln -s "$TREE" "$fwroot/lib/modules/$REL"
echo fw >"$fwroot/lib/firmware/other/iwlwifi-100-5.ucode"
ln -s ../other/iwlwifi-100-5.ucode "$fwroot/lib/firmware/updates/iwlwifi-100-5.ucode"
echo fw >"$fwroot/lib/firmware/iwlwifi-1000-5.ucode.xz"
vg 0 "kmod closure of storage drivers, iwlwifi (firmware found and missing), btrfs" \
	"$KMOD" closure -b "$fwroot" -k "$REL" ahci nvme usb-storage iwlwifi btrfs
grep -q "^firmware $fwroot/lib/firmware/other/iwlwifi-100-5.ucode$" "$work/out" &&
	grep -q "^firmware $fwroot/lib/firmware/iwlwifi-1000-5.ucode.xz$" "$work/out"
ok $? "kmod closure found the firmware behind the link and the .xz"
vg 0 "kmod closure --json of the same" \
	"$KMOD" closure -b "$fwroot" -k "$REL" --json ahci nvme usb-storage iwlwifi btrfs
vg 0 "kmod closure -0 of a pattern-naming driver and a modalias" "$KMOD" closure -k "$REL" -0 \
	brcmfmac "$alias"
vg 1 "kmod closure of a name that is no module" "$KMOD" closure -k "$REL" ext4 nosuchmodule

# ---- depmod on part of the tree -------------------------------------------------
root=$work/root
D=$root/lib/modules/$REL
mkdir -p "$D/kernel"
cp -a "$TREE/kernel/fs" "$TREE/kernel/lib" "$TREE/kernel/crypto" "$D/kernel/"
cp "$TREE/modules.order" "$TREE/modules.builtin" "$TREE/modules.builtin.modinfo" "$D/"
n=$(find "$D/kernel" -name '*.ko' | wc -l)
vg 0 "depmod -n on $n modules" "$DEPMOD" -n -b "$root" "$REL"
vg 0 "depmod writing the indexes of $n modules" "$DEPMOD" -b "$root" "$REL"
[ -s "$D/modules.dep.bin" ] && grep -q '^kernel/fs/btrfs/btrfs.ko: ' "$D/modules.dep"
ok $? "depmod wrote modules.dep and modules.dep.bin"
symvers=/usr/src/linux-headers-$REL/Module.symvers
if [ -r "$symvers" ]; then
	vg 0 "depmod -e -E Module.symvers (symbol version checks)" \
		"$DEPMOD" -n -e -E "$symvers" -b "$root" "$REL"
else
	missing_input "depmod -e -E Module.symvers" "no $symvers (install linux-headers-amd64)"
fi
cp "$work/bad/cut-1000.ko" "$work/bad/shoff.ko" "$work/bad/cut-xz.ko.xz" "$D/kernel/fs/"
vg any "depmod with broken modules in the tree" "$DEPMOD" -b "$root" "$REL"
rm "$D/kernel/fs/cut-1000.ko" "$D/kernel/fs/shoff.ko" "$D/kernel/fs/cut-xz.ko.xz"
"$DEPMOD" -b "$root" "$REL" || { echo "Bail out! depmod of the copy failed"; exit 1; }

# ---- module loading under the shim ---------------------------------------------
# The copy is the fake system's module tree; the shim emulates the syscalls.
# First make sure the shim is active under valgrind, so that nothing is
# loaded into the real kernel.
mkdir -p "$root/proc" "$root/sys/module"
cp "$top_srcdir/testsuite-data/lsmod/odd.modules" "$root/proc/modules"
export MT_SHIM_ROOT="$root" MT_SHIM_UNAME_R="$REL" MT_SHIM_LOG="$work/calls" LD_PRELOAD="$MT_SHIM"
vg any "lsmod on the fake system's /proc/modules without /sys/module entries" "$LSMOD"
if ! grep -q '^nocoresize ' "$work/out"; then
	echo "Bail out! the shim is not active under valgrind"
	exit 1
fi
mkdir -p "$root/sys/devices/pci0000:00/0000:00:1f.2" "$root/sys/devices/virtual/x"
echo pci:v00008086d00002922sv00001AF4sd00001100bc01sc06i01 \
	>"$root/sys/devices/pci0000:00/0000:00:1f.2/modalias"
echo platform:none >"$root/sys/devices/virtual/x/modalias"
ln -s ../.. "$root/sys/devices/pci0000:00/0000:00:1f.2/subsystem"
vg 0 "kmod closure --loaded --devices on the fake system" "$KMOD" closure --loaded --devices
vg any "lsmod --json on the same" "$LSMOD" --json
: >"$root/proc/modules"
xz -c "$D/kernel/lib/crypto/libarc4.ko" >"$work/z/libarc4.ko.xz"
vg 0 "insmod of a real module" "$INSMOD" "$D/kernel/lib/crc-itu-t.ko"
vg 0 "insmod of a real .ko.xz with parameters" "$INSMOD" "$work/z/libarc4.ko.xz" a=1 'b="x y"'
grep -q '^finit_module crc_itu_t ' "$work/calls" && grep -q '^[a-z_]*init_module libarc4 ' "$work/calls"
ok $? "insmod's calls reached the shim"
# Named to sort before modules.softdep, whose btrfs entry it replaces.
mkdir -p "$root/etc/modprobe.d"
cat >"$root/etc/modprobe.d/00-valgrind.conf" <<'EOF'
options libcrc32c mt_option=1 quoted="a b"
softdep btrfs pre: libarc4 post: libdes
alias mt-alias libchacha
install mt-install /bin/true
remove libdes /bin/true
blacklist libpoly1305
EOF
vg 0 "modprobe -c with a modprobe.d file" "$MODPROBE" -c
vg 0 "modprobe -c --json with a modprobe.d file" "$MODPROBE" -c --json
vg 0 "modprobe -D --json: options, soft dependencies, install command, alias" \
	"$MODPROBE" -a -D --json btrfs mt-alias mt-install
vg 0 "modprobe btrfs with its dependencies, options and soft dependencies" "$MODPROBE" -v btrfs
vg 0 "modprobe of an alias, and of a name with an install command" "$MODPROBE" -a mt-alias mt-install
status=0
for name in raid6_pq btrfs libarc4 libdes libchacha; do
	grep -q "^$name " "$root/proc/modules" || { echo "# $name is not loaded"; status=1; }
done
ok $status "btrfs, its dependency raid6_pq, its soft dependencies and the alias are loaded"
vg 0 "lsmod" "$LSMOD"
[ "$(grep -c . "$work/out")" -ge 6 ]
ok $? "lsmod listed the loaded modules"
vg 0 "rmmod crc-itu-t" "$RMMOD" crc-itu-t
vg 0 "modprobe -r btrfs with its dependencies" "$MODPROBE" -r btrfs
! grep -q '^btrfs \|^raid6_pq ' "$root/proc/modules"
ok $? "btrfs and raid6_pq are removed"
vg 1 "rmmod of a module that is not loaded" "$RMMOD" crc_itu_t
unset MT_SHIM_ROOT MT_SHIM_UNAME_R MT_SHIM_LOG LD_PRELOAD

echo "# $runs runs under memcheck in $(($(date +%s) - started)) s"
done_testing
