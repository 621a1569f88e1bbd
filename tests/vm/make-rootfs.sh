#!/bin/sh
# make-rootfs.sh — the Debian 12 root file system of the systemd VM scenario
# (tests/vm/make-systemd-vm.sh): systemd as init, udev, Debian's kmod and
# iproute2, made with mmdebstrap from the Debian mirror the host's apt uses.
# It is kept in CACHEDIR under a name made from this script's hash, so it is
# built once per machine and again only when this script changes; builds
# unused for a day are removed then.  Prints the root file system's
# directory.
#
# Usage: make-rootfs.sh [CACHEDIR]   (default /var/cache/modtool/rootfs)
#
# Exit status: 0 built or cached, 77 cannot be built here (not root, no
# mmdebstrap), 1 the build failed.

set -eu

die() {
	echo "make-rootfs: $*" >&2
	exit 1
}

[ $# -le 1 ] || die "usage: $0 [CACHEDIR]"
cache=${1:-/var/cache/modtool/rootfs}
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
key=$(sha256sum "$self" | cut -c1-16)
root=$cache/debian12-systemd-$key

# What the scenario needs, no more: systemd as PID 1 with udev, kmod (whose
# programs ours replace; libkmod stays, udev and systemd use it), iproute2
# for "ip link add ... type dummy".
packages=systemd,systemd-sysv,udev,kmod,iproute2

if [ -f "$root.done" ]; then
	touch "$root.done" 2>/dev/null || true
	echo "$root"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "make-rootfs: building the root file system needs root" >&2
	exit 77
fi
if ! command -v mmdebstrap >/dev/null; then
	echo "make-rootfs: mmdebstrap is not installed" >&2
	exit 77
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$root.done" ]; then	# built while we waited for the lock
	echo "$root"
	exit 0
fi
find "$cache" -maxdepth 1 -name 'debian12-systemd-*.done' -mtime +0 | while read -r old; do
	rm -rf "${old%.done}" "$old"
done
rm -rf "$root.tmp"

# Bookworm from the host's Debian mirror (apt's own view of its sources,
# whatever their format); mmdebstrap's default mirror otherwise.
sources=$cache/sources.list
apt-get indextargets --format '$(TARGET_OF) $(IDENTIFIER) $(SITE) $(RELEASE) $(COMPONENT)' |
	awk '$1 == "deb" && $2 == "Packages" && $4 ~ /^bookworm(-updates|-security)?$/ {
		print "deb " $3 " " $4 " " $5 }' | sort -u >"$sources"
[ -s "$sources" ] || echo "deb http://deb.debian.org/debian bookworm main" >"$sources"

# Merged /usr made the way debootstrap makes it, rather than by the
# usrmerge package, which would bring perl; no documentation; a fixed
# machine-id (an empty one would make systemd run its first-boot units,
# which ask questions on the console); the root file system from the
# scenario's disk; no login prompts on the console the scenario writes to.
start=$(date +%s)
if ! mmdebstrap --mode=root --variant=essential --include="$packages" \
	--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
	--dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/doc/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	--customize-hook='chroot "$1" systemd-machine-id-setup' \
	--customize-hook='echo mt-vm >"$1/etc/hostname"' \
	--customize-hook='echo "/dev/vda / ext4 rw 0 0" >"$1/etc/fstab"' \
	--customize-hook='chroot "$1" systemctl mask getty.target' \
	bookworm "$root.tmp" "$sources" >"$cache/build.log" 2>&1; then
	tail -n 20 "$cache/build.log" >&2
	rm -rf "$root.tmp"
	die "mmdebstrap failed (log: $cache/build.log)"
fi
mv "$root.tmp" "$root"
echo "built in $(($(date +%s) - start)) s" >"$root.done"
echo "make-rootfs: built $root in $(($(date +%s) - start)) s, $(du -sm "$root" | cut -f1) MB" >&2
echo "$root"
