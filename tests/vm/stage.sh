# shellcheck shell=sh
# stage.sh — sourced by the scripts that pack a VM initramfs or a root file
# system (make-initramfs.sh, make-systemd-vm.sh, diff-dracut.sh): put
# busybox and our built tools, with the shared libraries they load, into a
# staging directory, find a built tool (built_tool), and install the build
# into a staging directory (install_build).  Callers define die().

# stage_busybox STAGE — /bin/busybox and links for its applets, except the
# module tools, so that no program finds busybox's in PATH.  (Busybox's
# shell still runs its own applets for bare command names: scripts in the
# image call /mt/bin/NAME.)
stage_busybox() {
	busybox=${MT_BUSYBOX:-/bin/busybox}
	[ -x "$busybox" ] || die "no busybox at $busybox (install busybox-static)"
	if ldd "$busybox" >/dev/null 2>&1; then
		die "$busybox is not statically linked (install busybox-static)"
	fi
	mkdir -p "$1/bin"
	cp "$busybox" "$1/bin/busybox"
	for applet in $("$busybox" --list); do
		case $applet in
		busybox | insmod | rmmod | lsmod | modinfo | modprobe | depmod) ;;
		*) ln -s busybox "$1/bin/$applet" ;;
		esac
	done
}

# stage_tools STAGE BUILDDIR — our kmod program in /mt/bin with the six
# tools as links to it, as make install lays them out, and every library
# ldd resolves for it: libraries from the build tree go to /mt/lib (the
# image's LD_LIBRARY_PATH), the others (and the dynamic loader) to their
# host paths; then the libraries libmodtool opens on first use (config.h's
# *_SONAME; none with --disable-dlopen), which ldd cannot see, from libc's
# directory, where the dynamic loader looks for them in the image too.
stage_tools() {
	st_stage=$1 st_build=$2
	st_bin=$(built_tool "$st_build" kmod) || die "no kmod program in $st_build/tools (build first)"
	mkdir -p "$st_stage/mt/bin" "$st_stage/mt/lib"
	cp "$st_bin" "$st_stage/mt/bin/kmod"
	for st_tool in insmod rmmod lsmod modinfo modprobe depmod; do
		ln -s kmod "$st_stage/mt/bin/$st_tool"
	done
	st_libs=$(LD_LIBRARY_PATH="$st_build/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
		ldd "$st_bin") || die "ldd $st_bin failed"
	if echo "$st_libs" | grep -q 'not found'; then
		die "$st_bin: missing libraries: $(echo "$st_libs" | grep 'not found' | tr -s '\t\n' '  ')"
	fi
	for st_lib in $(echo "$st_libs" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
		$1 ~ /^\// { print $1 }'); do
		stage_lib "$st_stage" "$st_build" "$st_lib"
	done
	st_libdir=$(dirname "$(echo "$st_libs" | awk '$1 == "libc.so.6" { print $3 }')")
	for st_soname in $(sed -n 's/^#define [A-Z]*_SONAME "\(.*\)"$/\1/p' "$st_build/config.h"); do
		[ -e "$st_libdir/$st_soname" ] ||
			die "$st_soname, which libmodtool loads on first use, is not in $st_libdir"
		stage_lib "$st_stage" "$st_build" "$st_libdir/$st_soname"
	done
}

# built_tool BUILDDIR NAME — print the path of the built program NAME (kmod
# or a tool's link to it; libtool puts the real program of a shared build
# in .libs/); fails if it is not built.
built_tool() {
	bt_bin=$1/tools/.libs/$2
	[ -x "$bt_bin" ] || bt_bin=$1/tools/$2
	[ -x "$bt_bin" ] && [ "$(head -c 4 "$bt_bin" | tail -c 3)" = ELF ] || return 1
	echo "$bt_bin"
}

stage_lib() {	# stage_lib STAGE BUILDDIR PATH
	case $3 in
	"$2"/*) sl_dest=/mt/lib/$(basename "$3") ;;
	*) sl_dest=$3 ;;
	esac
	[ -e "$1$sl_dest" ] && return 0
	mkdir -p "$1$(dirname "$sl_dest")"
	cp -L "$3" "$1$sl_dest"
}

# install_build BUILDDIR DESTDIR LOG — "make install" in Debian's layout
# (kmod in /bin, the tools' links in /sbin, the libraries in /usr/lib) into
# DESTDIR, but for its "all" step (the tree is built): that would remake
# the build tree's tool links under the tests running beside this one.
# One install at a time: libtool relinks the libraries in the build tree.
install_build() {
	rm -rf "$2"
	(
		flock 8
		make -s -C "$1" install-exec install-data DESTDIR="$2" \
			prefix=/usr bindir=/bin sbindir=/sbin libdir=/usr/lib
	) 8>"$1/.mt-install.lock" >"$3" 2>&1 || die "make install failed: $(tail -n 5 "$3")"
}
