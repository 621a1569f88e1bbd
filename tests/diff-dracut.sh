#!/bin/sh
# diff-dracut.sh — Debian's dracut (the dracut-core and cpio packages that
# scripts/setup.sh downloads, unpacked here, not installed on the host)
# builds an initramfs for the installed kernel in two chroots made from the
# systemd VM's Debian 12 root file system (tests/vm/make-rootfs.sh) with the
# kernel's module tree: one with Debian's kmod and libkmod, one with our
# make install over kmod's programs and our libkmod.so.2 in place of
# Debian's, each tree indexed by its own depmod.  The same dracut command
# (no host-only mode: the kernel-modules module's drivers, and storage and
# file system drivers added by name and alias) must put the same module
# files into both images, with the same modules.dep, modules.alias and
# modules.softdep (dracut runs depmod on the image), and log the same.
# Needs root (chroot).
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

vm=$top_srcdir/tests/vm
# shellcheck source=tests/vm/stage.sh
. "$vm/stage.sh"
die() {
	echo "Bail out! $*"
	exit 1
}

debs=${MT_DRACUT_DEBS:-/var/cache/modtool/dracut}
ls "$debs"/dracut-core_*.deb "$debs"/cpio_*.deb >/dev/null 2>&1 ||
	missing_input_all "Debian's dracut-core and cpio packages are not in $debs (scripts/setup.sh)"
[ "$(id -u)" -eq 0 ] || skip_all "the chroots need root"
[ -f "$top_builddir/libkmod/.libs/libkmod.so.2" ] ||
	missing_input_all "libkmod.so.2 is not built (configure --disable-libkmod?)"
ldd "$(tool modprobe)" | grep -q libasan &&
	skip_all "a sanitized build (the chroot runs the plain build's installation)"
tree=$(module_tree)
[ -n "$tree" ] || missing_input_all "no installed module tree (install linux-image-amd64)"
release=${tree##*/}
rootfs=$("$vm/make-rootfs.sh" ${MT_ROOTFS_CACHE:+"$MT_ROOTFS_CACHE"})
case $? in
0) ;;
77) missing_input_all "the Debian 12 root file system cannot be made here (make-rootfs.sh)" ;;
*) die "making the root file system failed" ;;
esac

work=$top_builddir/tests/diff-dracut.d
rm -rf "$work"
mkdir -p "$work/dracut"
for d in "$debs"/dracut-core_*.deb "$debs"/cpio_*.deb; do
	dpkg-deb -x "$d" "$work/dracut" || die "cannot unpack $d"
done
install_build "$top_builddir" "$work/destdir" "$work/install.log"

# tree SIDE — the chroot of one side: the root file system and the module
# tree as hard links (every file from here on is added or replaced, never
# written into), dracut unpacked into it, for ours our installation with
# our libkmod.so.2 in Debian's place; indexed by its own depmod.
make_tree() {
	t=$work/$1
	cp -al "$rootfs" "$t"
	mkdir -p "$t/usr/lib/modules"
	cp -al "$tree" "$t/usr/lib/modules/$release"
	rm -f "$t/usr/lib/modules/$release/build" "$t/usr/lib/modules/$release/source"
	(cd "$work/dracut" && tar -cf - .) | (cd "$t" && tar -xf - --keep-directory-symlink) ||
		die "cannot put dracut into the $1 tree"
	if [ "$1" = ours ]; then
		(cd "$work/destdir" && tar -cf - .) | (cd "$t" && tar -xf - --keep-directory-symlink) ||
			die "cannot put our installation into the tree"
		place=$(chroot "$t" dpkg -L libkmod2 | grep '/libkmod\.so\.2\.[0-9.]*$' | head -n 1)
		[ -n "$place" ] || die "no libkmod.so.2 of Debian's libkmod2 in the tree"
		cp -L "$work/destdir/usr/lib/libkmod.so.2" "$t$place.new" &&
			mv -f "$t$place.new" "$t$place" || die "cannot put our libkmod.so.2 in $place"
	fi
	chroot "$t" /sbin/depmod -a "$release" || die "the $1 tree's depmod failed"
}
make_tree debian
make_tree ours
chroot "$work/ours" /sbin/modprobe --version | grep -q '(modtool ' &&
	chroot "$work/ours" sh -c 'ldd /usr/lib/dracut/dracut-install' | grep -q 'libmodtool\.so\.0' &&
	! chroot "$work/debian" sh -c 'ldd /usr/lib/dracut/dracut-install' | grep -q libmodtool
ok $? "the trees: Debian's kmod and libkmod, and ours (dracut-install links our libkmod.so.2)"

drivers="ext4 btrfs xfs vfat nls_utf8 virtio_blk virtio_scsi nvme ahci sd_mod usb_storage uas
	dm_crypt raid456"
aliases="crc32c fs-msdos"
for side in debian ours; do
	t0=$(date +%s.%N)
	chroot "$work/$side" /usr/bin/dracut --no-hostonly --no-hostonly-cmdline --no-compress \
		--force --kver "$release" -m "base kernel-modules" --add-drivers "$(echo $drivers $aliases)" \
		/tmp/initrd.img >"$work/$side.log" 2>&1
	echo "status $?" >>"$work/$side.log"
	t1=$(date +%s.%N)
	echo "# dracut on $side: $(awk "BEGIN { printf \"%.1f\", $t1 - $t0 }") s"
	chroot "$work/$side" /usr/bin/lsinitrd /tmp/initrd.img >"$work/$side.files" 2>&1
	awk 'NF >= 9 && $1 ~ /^[-dlcbps][-r][-w]/ { print $(NF - 1) == "->" ? $(NF - 2) : $NF }' \
		"$work/$side.files" | grep '\.ko\(\.[a-z]*\)\{0,1\}$' | sort >"$work/$side.modules"
	for f in modules.dep modules.alias modules.softdep; do
		chroot "$work/$side" /usr/bin/lsinitrd -f "usr/lib/modules/$release/$f" \
			/tmp/initrd.img >"$work/$side.$f" 2>&1
	done
done

grep -qx 'status 0' "$work/ours.log" && grep -qx 'status 0' "$work/debian.log"
ok $? "dracut succeeds with both"
# (but for the statistics of hard-linking the image's files: ours has a
# few more, libmodtool among them)
for side in debian ours; do
	sed '/\*\*\* Hardlinking files \*\*\*/,/\*\*\* Hardlinking files done \*\*\*/d' \
		"$work/$side.log" >"$work/$side.log.cmp"
	awk 'NF >= 9 && $1 ~ /^[-dlcbps][-r][-w]/ { print $(NF - 1) == "->" ? $(NF - 2) : $NF }' \
		"$work/$side.files" | sort >"$work/$side.all"
done
same "$work/debian.log.cmp" "$work/ours.log.cmp"
ok $? "dracut logs the same with ours"
echo "# files only in the image with ours: $(comm -13 "$work/debian.all" "$work/ours.all" | tr '\n' ' ')"
echo "# files only in the image with Debian's: $(comm -23 "$work/debian.all" "$work/ours.all" | tr '\n' ' ')"
n=$(grep -c . "$work/ours.modules")
same "$work/debian.modules" "$work/ours.modules" && [ "$n" -gt 100 ]
ok $? "the image holds the same $n module files with ours"
status=0
sed 's|.*/||; s|\.ko.*||; s|-|_|g' "$work/ours.modules" >"$work/ours.names"
for d in $drivers msdos crc32c_generic; do
	grep -qx "$d" "$work/ours.names" || { echo "# $d is not in the image"; status=1; }
done
ok $status "every driver named is in it, and the modules of the aliases named"
for f in modules.dep modules.alias modules.softdep; do
	same "$work/debian.$f" "$work/ours.$f" && [ -s "$work/ours.$f" ]
	ok $? "its $f is Debian's depmod's"
done
rm -rf "$work/debian" "$work/ours"
done_testing
