#!/bin/sh
# make-corpus.sh — remake the seed corpora of the fuzz targets,
# tests/fuzz/corpus/TARGET, from synthetic modules (tests/genmod of a build
# tree), a few small modules of the installed Debian kernel and of the
# foreign trees scripts/setup.sh unpacks (arm64, big-endian s390x), their
# compressed forms, the indexes depmod writes for them, and configuration
# written here.  Run from a build directory:
#   ../tests/fuzz/make-corpus.sh
# The corpora are committed; this says how they were made.  Findings go to
# tests/fuzz/regress/TARGET instead, kept by hand.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(pwd)
. "$top/tests/common.sh"
genmod=$build/tests/genmod
depmod=$build/tools/depmod
[ -x "$genmod" ] || make -s tests/genmod
out=$top/tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in elf file index config depmod depmod-cache; do
	rm -rf "${out:?}/$t"
	mkdir -p "$out/$t"
done

# ---- modules ------------------------------------------------------------------
# One rich module in each ELF flavour, and the export variants.
for flavour in 64le 64be 32le 32be; do
	big=
	case $flavour in *be) big=--big-endian ;; esac
	# shellcheck disable=SC2086
	"$genmod" -o "$out/elf/genmod-$flavour.ko" --class "${flavour%??}" $big --name rich \
		--modinfo license=GPL --modinfo 'alias=pci:v00008086d*sv*' \
		--modinfo vermagic='6.1.0 SMP mod_unload' --modinfo depends=dep_a,dep-b \
		--modinfo 'softdep=pre: x post: y' --modinfo 'parm=debug:Debug level' \
		--modinfo parmtype=debug:int --modinfo parm=bad --modinfo import_ns=NS_OTHER \
		--export rich_fn:0x1234abcd:NS_RICH --export rich_data:0x55: \
		--import printk --import other_fn:weak \
		--version printk:0x1111 --version module_layout:0x2222
done
"$genmod" -o "$out/elf/genmod-ksymtab-only.ko" --ksymtab-only --export a_fn --export b_fn \
	--modinfo license=GPL --name ko
"$genmod" -o "$out/elf/genmod-abs-crcs.ko" --class 32 --abs-crcs --export a_fn:0x77 \
	--modinfo license=GPL --name ac
"$genmod" -o "$out/elf/genmod-no-modinfo.ko" --import printk

tree=$(module_tree)
for m in lib/crc7.ko drivers/iio/common/inv_sensors/inv_sensors_timestamp.ko \
	lib/memory-notifier-error-inject.ko drivers/iio/accel/mma7455_spi.ko; do
	[ -n "$tree" ] && [ -f "$tree/kernel/$m" ] && cp "$tree/kernel/$m" "$out/elf/debian-amd64-${m##*/}"
done
foreign_trees | while read -r ftree; do
	arch=$(basename "$ftree" | sed 's/.*-//')
	[ -f "$ftree/kernel/lib/crc7.ko" ] && cp "$ftree/kernel/lib/crc7.ko" "$out/elf/debian-$arch-crc7.ko"
done

# ---- compressed files -----------------------------------------------------------
plain=$out/elf/genmod-64le.ko
cp "$plain" "$out/file/plain.ko"
gzip -9n -c "$plain" > "$out/file/module.ko.gz"
xz -c "$plain" > "$out/file/module.ko.xz"
zstd -q -c "$plain" > "$out/file/module.ko.zst"
zstd -q -c < "$plain" > "$out/file/no-content-size.ko.zst"
cat "$out/file/module.ko.gz" "$out/file/module.ko.gz" > "$out/file/two-members.ko.gz"
cat "$out/file/module.ko.xz" "$out/file/module.ko.xz" > "$out/file/two-streams.ko.xz"
for c in gz xz zst; do
	f=$out/file/module.ko.$c
	head -c $(($(wc -c < "$f") / 2)) "$f" > "$out/file/truncated.ko.$c"
done
printf '\037\213' > "$out/file/magic-only.gz"
[ -f "$out/elf/debian-amd64-crc7.ko" ] && xz -c "$out/elf/debian-amd64-crc7.ko" > "$out/file/debian-crc7.ko.xz"

# ---- a module directory: depmod's indexes, modules.devname ------------------------
rel=6.1.0-fuzz
d=$tmp/root/lib/modules/$rel
mkdir -p "$d/kernel"
"$genmod" -o "$d/kernel/provider.ko" --export prov_fn:0x10 --export prov_data:0x20 \
	--modinfo 'alias=pci:v00001AF4d00001000sv*sd*bc*sc*i*' --modinfo 'alias=virtio:d00000001v*' \
	--modinfo alias=devname:net/tun --modinfo alias=char-major-10-200 --name provider
"$genmod" -o "$d/kernel/consumer.ko" --import prov_fn --import prov_data \
	--modinfo 'alias=usb:v1234p*d*dc*dsc*dp*ic*isc*ip*in*' --modinfo 'softdep=pre: provider' \
	--modinfo 'weakdep=provider' --name consumer
printf 'kernel/provider.ko\nkernel/consumer.ko\n' > "$d/modules.order"
printf 'kernel/fs/ext4/ext4.ko\nkernel/crypto/crc32c_generic.ko\n' > "$d/modules.builtin"
printf 'ext4.license=GPL\0ext4.alias=fs-ext4\0ext4.alias=ext3\0crc32c_generic.alias=crypto-crc32c\0' \
	> "$d/modules.builtin.modinfo"
for layout in preorder postorder; do
	MT_INDEX_LAYOUT=$layout "$depmod" -b "$tmp/root" "$rel"
	for f in dep alias symbols builtin builtin.alias; do
		cp "$d/modules.$f.bin" "$out/index/$layout-modules.$f.bin"
	done
done
cp "$d/modules.devname" "$out/index/modules.devname"
printf 'fuse fuse c10:229\n# comment\ntun net/tun c10:200\nbad ../x c1:2\nloop loop-control b10:237 x\n' \
	> "$out/index/devname-mixed"
cp "$d/modules.builtin.modinfo" "$out/index/modules.builtin.modinfo"
printf '\260\007\364\127\000\002\000\001\000\000\000\014' > "$out/index/empty.bin"
[ -n "$tree" ] && head -c 3000 "$tree/modules.builtin.modinfo" | tr -d '\n' > "$out/index/debian-builtin.modinfo.head"

# ---- configuration ----------------------------------------------------------------
cat > "$out/config/directives.conf" <<'EOF'
# every modprobe.d directive
alias pci:v00008086d* e1000e
alias net-pf-10 ipv6
alias my-[ab]-c real-mod
options e1000e InterruptThrottleRate=3000,3000 "debug=1"
options snd-hda-intel model=auto \
	position_fix=1
install fake /bin/true && /sbin/modprobe --ignore-install fake $CMDLINE_OPTS
remove fake /bin/false
blacklist pcspkr
softdep e1000e pre: crc32c post: ptp pps_core
softdep snd-hda post: snd-hda-codec-generic
weakdep e1000e wd_one wd-two
EOF
cat > "$out/config/malformed.conf" <<'EOF'
alias
alias onlyone
options
install x
softdep a pre: post:
softdep b pre: pre: c post:
unknown directive here
	 # indented comment
alias bad-[x mod
options a-[b c=1
blacklist
weakdep
\
EOF
printf 'modprobe.blacklist=foo,bar-baz snd-hda.model=auto "parport.dyndbg=file a.c +p" x=y.z p.q.r=s a.b="x y"z\n' \
	> "$out/config/cmdline"
printf 'a-[x.p=1 b-]-c.q=2 ok-1.r=3 "quoted.whole=1" c.d=a"b c"d .e=1 f.=2\n' > "$out/config/cmdline-odd"
cat > "$out/config/depmod.conf" <<'EOF'
# depmod.d directives
search updates extra built-in weak-updates external
override mod_a 6.1.* updates
override mod_b * extra/sub
external 6.1.0-fuzz /opt/ext/modules /srv/more
exclude build source .git
make_map_files no
include /etc/depmod.d/other.conf
search
override
external
bogus directive
EOF

# ---- depmod over a small tree -------------------------------------------------------
sep() { printf '\n%%%%\n'; }
"$genmod" -o "$tmp/a.ko" --export a_fn:0x1 --export a_ns_fn:0x2:NS_A --import b_fn \
	--import printk --version printk:0x99 --modinfo 'alias=pci:v*d00001234*' \
	--modinfo alias=devname:fuzz --modinfo alias=char-major-10-242 --modinfo 'softdep=pre: b' \
	--modinfo license=GPL --name a
"$genmod" -o "$tmp/b.ko" --export b_fn:0x3 --import printk --import missing_fn:weak \
	--modinfo 'alias=fs-b' --modinfo 'weakdep=a' --name b
"$genmod" -o "$tmp/b-cycle.ko" --export b_fn:0x3 --import a_fn --name b
"$genmod" -o "$tmp/a-update.ko" --class 32 --big-endian --export a_fn:0x1 --name a
printf '1 printk\tvmlinux\tEXPORT_SYMBOL\n0x99 module_layout vmlinux EXPORT_SYMBOL\nbad line\nzz printk vmlinux\n' \
	> "$tmp/symvers"
printf 'ffffffff81000000 T __ksymtab_printk\nffffffff81000010 r __ksymtab_module_layout\nbad\n' \
	> "$tmp/system.map"
printf 'search updates built-in\noverride a * kernel\nexclude sub\n' > "$tmp/depmod.conf"
order='kernel/a.ko\nkernel/sub/b.ko\nupdates/a.ko\nkernel/a.ko\n'
builtin='kernel/fs/ext4/ext4.ko\n'
binfo='ext4.alias=fs-ext4\0ext4.license=GPL\0'
depmod_seed() {	# NAME OPTIONS MOD1 MOD2 MOD3 [SYMBOLS [CONF]]
	name=$1 options=$2 m1=$3 m2=$4 m3=$5 syms=${6:-} conf=${7:-}
	{
		printf '%s' "$options"; sep
		[ -n "$m1" ] && cat "$m1"; sep
		[ -n "$m2" ] && cat "$m2"; sep
		[ -n "$m3" ] && cat "$m3"; sep
		printf "$order"; sep
		printf "$builtin"; sep
		printf "$binfo"
		if [ -n "$syms" ]; then sep; cat "$syms"; fi
		if [ -n "$conf" ]; then sep; cat "$conf"; fi
	} > "$out/depmod/$name"
}
depmod_seed plain "" "$tmp/a.ko" "$tmp/b.ko" ""
depmod_seed symvers-check "-e -w" "$tmp/a.ko" "$tmp/b.ko" "$tmp/a-update.ko" "$tmp/symvers" "$tmp/depmod.conf"
depmod_seed system-map "-e map -v" "$tmp/a.ko" "$tmp/b.ko" "" "$tmp/system.map"
depmod_seed cycle "post" "$tmp/a.ko" "$tmp/b-cycle.ko" ""
depmod_seed files-show "files -n" "$tmp/a.ko" "$tmp/b.ko" ""
depmod_seed update "-w" "$tmp/a.ko" "$tmp/b.ko" "$tmp/a-update.ko"
gzip -9n -c "$tmp/b.ko" > "$tmp/b.ko.gz"
depmod_seed compressed "-P_" "$tmp/a.ko" "$tmp/b.ko.gz" "" "$tmp/symvers"

# ---- depmod's cache ---------------------------------------------------------------
# The caches of --incremental runs over the small tree, with and without -P
# and -e -E.  The records' paths (under $tmp) are overwritten with as many
# characters of a neutral path; the seeds are sealed (the target writes
# the header: first byte params << 1 | count << 3, second byte count
# >> 5), but for one whole file of a single record.
croot=$tmp/croot
cdir=$croot/lib/modules/6.1.0-fuzz
mkdir -p "$cdir/kernel/sub" "$cdir/updates"
cp "$tmp/a.ko" "$cdir/kernel/a.ko"
cp "$tmp/b.ko" "$cdir/kernel/sub/b.ko"
cp "$tmp/a-update.ko" "$cdir/updates/a.ko"
gzip -9n -c "$tmp/b.ko" > "$cdir/kernel/c.ko.gz"
neutral=$(printf '%s' "$croot" | sed 's|[^/]|x|g; s|^/x*|/fuzz|' | cut -c1-${#croot})
while [ ${#neutral} -lt ${#croot} ]; do neutral="${neutral}z"; done
sleep 0.2	# the files' status clearly older than the runs (depmod-cache.c)
cache_seed() {	# NAME PARAMS OPTIONS...
	name=$1 params=$2
	shift 2
	rm -f "$cdir/modules.depmod-cache.bin"
	"$depmod" --incremental "$@" -b "$croot" 6.1.0-fuzz 2> /dev/null
	f=$cdir/modules.depmod-cache.bin
	n=$(od -An -tu4 -j60 -N4 "$f" | tr -d ' ')
	{
		printf "\\$(printf %o $((params << 1 | (n << 3 & 255))))"
		printf "\\$(printf %o $((n >> 5)))"
		tail -c +81 "$f"
	} | CROOT=$croot NEUTRAL=$neutral perl -pe 's/\Q$ENV{CROOT}\E/$ENV{NEUTRAL}/g' \
		> "$out/depmod-cache/$name"
}
cache_seed sealed 0
cache_seed sealed-prefix 1 -P _
cache_seed sealed-whole 2 -e -E "$tmp/symvers"
rm -f "$cdir/modules.depmod-cache.bin"
"$depmod" --incremental -b "$croot" 6.1.0-fuzz "$cdir/kernel/a.ko" 2> /dev/null
CROOT=$croot NEUTRAL=$neutral perl -pe 's/\Q$ENV{CROOT}\E/$ENV{NEUTRAL}/g' \
	"$cdir/modules.depmod-cache.bin" > "$out/depmod-cache/whole-file"

du -sh "$out"
for t in elf file index config depmod depmod-cache; do
	echo "$t: $(find "$out/$t" -type f | wc -l) files, $(du -sk "$out/$t" | cut -f1) KiB"
done
