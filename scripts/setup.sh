#!/bin/sh
# setup.sh — install everything modtool's build and tests need on Debian 12
# (run as root).  Safe to run again.
set -e
export DEBIAN_FRONTEND=noninteractive
packages="build-essential autoconf automake libtool pkg-config
	zlib1g-dev liblzma-dev libzstd-dev libssl-dev
	kmod libkmod-dev linux-image-amd64 linux-headers-amd64
	xz-utils zstd gzip binutils qemu-system-x86 busybox-static cpio valgrind
	bash-completion zsh fish mmdebstrap e2fsprogs clang libclang-rt-14-dev python3
	python3-jsonschema"
missing=
for p in $packages; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

# Real module trees of other architectures (little-endian arm64, big-endian
# s390x) for the differential tests, kept between runs.
for arch in arm64 s390x; do
	"$(dirname "$0")/../tests/fetch-foreign-tree.sh" "$arch" /var/cache/modtool/foreign > /dev/null
done

# The Debian 12 root file system of the systemd VM scenario, kept between
# runs (built when missing, in about a minute).
"$(dirname "$0")/../tests/vm/make-rootfs.sh" > /dev/null

# Debian's dracut for tests/diff-dracut.sh, which unpacks it into chroots,
# and tests/test-closure.sh, which runs its dracut-install on the host:
# its packages only, kept between runs (installing dracut would replace
# the host's initramfs-tools).
dracut_debs=/var/cache/modtool/dracut
if ! ls "$dracut_debs"/dracut-core_*.deb "$dracut_debs"/cpio_*.deb >/dev/null 2>&1; then
	mkdir -p "$dracut_debs"
	(cd "$dracut_debs" && apt-get download -q dracut-core cpio) ||
		{ apt-get update -q && (cd "$dracut_debs" && apt-get download -q dracut-core cpio); }
fi
