#!/bin/sh
# fetch-foreign-tree.sh ARCH DEST — unpack Debian's kernel image package of
# another architecture (its modules: a real foreign module tree for the
# depmod differential test) into DEST/ARCH.  Needs root and apt.  The
# architecture is added only for the download and removed again, since a
# foreign architecture left enabled can break later `apt-get update`s.
# Prints the module directory.  Does nothing when DEST/ARCH holds a tree.
set -e
[ $# -eq 2 ] || { echo "usage: $0 ARCH DEST" >&2; exit 1; }
arch=$1
dest=$2/$arch
found() {
	ls -d "$dest"/lib/modules/*/modules.order 2>/dev/null | head -n 1 | xargs -r dirname
}
if [ -n "$(found)" ]; then
	found
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"; dpkg --remove-architecture "$arch" 2>/dev/null || true' EXIT
dpkg --add-architecture "$arch"
apt-get update -q > "$work/update.log" 2>&1 || { cat "$work/update.log" >&2; exit 1; }
# linux-image-ARCH depends on the current linux-image-VERSION-ARCH.
pkg=$(apt-cache depends "linux-image-$arch:$arch" | sed -n 's/^ *Depends: \(linux-image-[0-9][^:]*\).*/\1/p' | head -n 1)
[ -n "$pkg" ] || { echo "fetch-foreign-tree: no kernel image package for $arch" >&2; exit 1; }
(cd "$work" && apt-get download -q "$pkg:$arch" > download.log 2>&1) ||
	{ cat "$work/download.log" >&2; exit 1; }
dpkg --remove-architecture "$arch"
apt-get update -q > /dev/null 2>&1 || true
mkdir -p "$dest.tmp"
dpkg -x "$work"/*.deb "$dest.tmp"
rm -rf "$dest"
mv "$dest.tmp" "$dest"
found
