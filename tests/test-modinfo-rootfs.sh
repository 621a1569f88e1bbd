#!/bin/sh
# test-modinfo-rootfs.sh — modinfo by name on a fake system under the shim:
# a rootfs whose /lib/modules/VERSION holds synthetic modules of four ELF
# flavours (32/64-bit, little/big-endian) indexed by kmod's depmod, with
# uname faked to VERSION.  Our output must equal kmod's modinfo on the same
# rootfs, and name the modules by their path inside the fake system.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

[ -f "${MT_SHIM:-}" ] || missing_input_all "the shim is not built"
DEPMOD=$(kmod_tool depmod) || missing_input_all "kmod's depmod is not installed"
KMOD=$(kmod_tool modinfo) || missing_input_all "kmod's modinfo is not installed"
OURS=$(tool modinfo)
GENMOD="$top_builddir/tests/genmod"
VER=9.9.9-test
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
dir="$root/lib/modules/$VER"
mkdir -p "$dir/kernel/drivers" "$dir/kernel/fs" "$root/proc" "$root/sys/module"

gen() {	# gen PATH ARGS...
	out=$1
	shift
	"$GENMOD" -o "$dir/$out" "$@" --modinfo "vermagic=$VER SMP mod_unload" \
		--modinfo license=GPL || echo "Bail out! genmod failed"
}
gen kernel/fs/mt-base.ko --name mt_base --modinfo name=mt_base --export mt_base_fn:0x1234 \
	--modinfo "parm=level:Debug level" --modinfo parmtype=level:int
gen kernel/fs/mt_user.ko --class 32 --name mt_user --modinfo name=mt_user \
	--modinfo depends=mt_base --import mt_base_fn --version mt_base_fn:0x1234 \
	--modinfo "alias=fs-mtuser" --modinfo "alias=pci:v00001234d*sv*sd*bc*sc*i*"
gen kernel/drivers/mt_be64.ko --big-endian --machine 22 --name mt_be64 --modinfo name=mt_be64 \
	--modinfo "description=big-endian 64-bit" --modinfo "parmtype=quiet:bool"
gen kernel/drivers/mt_be32.ko --class 32 --big-endian --machine 8 --name mt_be32 \
	--modinfo name=mt_be32 --modinfo "author=modtool tests" --modinfo "softdep=pre: mt_base"
printf 'kernel/drivers/mt_builtin.ko\n' > "$dir/modules.builtin"
printf 'mt_builtin.alias=mtb\0mt_builtin.parm=x:the x\0mt_builtin.parmtype=x:int\0' \
	> "$dir/modules.builtin.modinfo"
printf "kernel/fs/mt-base.ko\nkernel/fs/mt_user.ko\n" > "$dir/modules.order"
"$DEPMOD" -b "$root" "$VER" || echo "Bail out! kmod's depmod failed"

shim() {
	MT_SHIM_ROOT=$root MT_SHIM_UNAME_R=$VER LD_PRELOAD=$MT_SHIM "$@"
}
for args in "mt_base" "mt-base" "mt_user" "fs-mtuser" "pci:v00001234d00005678sv0sd0bc0sc0i0" \
	"mt_be64" "mt_be32" "symbol:mt_base_fn" "mt_builtin" "mtb" "-F parm mt_builtin" \
	"-p mt_base" "-m mt_user" "-0 mt_be32" "nosuch" "mt_base nosuch mt_be64"; do
	# shellcheck disable=SC2086
	shim "$KMOD" $args > "$root/kmod.out" 2>&1; ks=$?
	# shellcheck disable=SC2086
	shim "$OURS" $args > "$root/ours.out" 2>&1; os=$?
	same "$root/kmod.out" "$root/ours.out" && [ "$ks" = "$os" ]
	ok $? "modinfo $args (exit $ks)"
done

shim "$OURS" -n mt_user > "$root/ours.out"
[ "$(cat "$root/ours.out")" = "/lib/modules/$VER/kernel/fs/mt_user.ko" ]
ok $? "the path is the one inside the fake system"
shim "$OURS" -F depends mt_user > "$root/ours.out"
[ "$(cat "$root/ours.out")" = mt_base ]
ok $? "a 32-bit module's depends field"
done_testing
