# common.sh — sourced by the shell tests: TAP output, running our built
# tools, and finding kmod (the oracle) and the installed Debian module tree.

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
tap_n=0
tap_failed=0

ok() {	# ok STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

skip() {	# skip DESCRIPTION REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

# skip and skip_all are for what this configuration cannot do (a build
# without zlib, not root).  An input that scripts/setup.sh or the build
# provides (kmod, the Debian kernel, headers, the shim) and is missing is a
# skip with its reason on a developer's machine, but a failure in a CI run
# (CI=true, exported by .ci/run): there every input must be present.
ci() {
	[ "${CI:-}" = true ]
}

missing_input() {	# missing_input DESCRIPTION REASON — one test
	if ci; then
		ok 1 "$1"
		echo "# $2 (a missing input, a failure under CI=true)"
	else
		skip "$1" "$2"
	fi
}

missing_input_all() {	# missing_input_all REASON — the whole test
	if ci; then
		echo "not ok 1 - $1 (a missing input, a failure under CI=true)"
		echo "1..1"
		exit 1
	fi
	skip_all "$1"
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# Compare two files; on a difference print the first lines of the diff as
# TAP diagnostics.  Returns diff's status.
same() {	# same EXPECTED ACTUAL
	if cmp -s "$1" "$2"; then
		return 0
	fi
	diff -u "$1" "$2" | head -n 40 | sed 's/^/# /'
	return 1
}

# without_build_id FILE — FILE without the build-id entries of our modinfo
# (kmod main's field, which kmod 30 does not print): lines of the default
# output, NUL-terminated records with -0.
without_build_id() {
	sed -e '/^build-id:       [0-9A-F][0-9A-F]\(:[0-9A-F][0-9A-F]\)*$/d' "$1" |
		sed -z -e '/^build-id=[0-9A-F][0-9A-F]\(:[0-9A-F][0-9A-F]\)*$/d'
}

# Our tool, run from the build tree without libtool's wrapper script (so an
# LD_PRELOAD shim sees the tool itself, not a shell).
tool() {	# tool NAME — prints the command path
	if [ -x "$top_builddir/tools/.libs/$1" ]; then
		echo "$top_builddir/tools/.libs/$1"
	else
		echo "$top_builddir/tools/$1"
	fi
}
LD_LIBRARY_PATH="$top_builddir/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LD_LIBRARY_PATH

# kmod's own tool (Debian's kmod package), or nothing.
kmod_tool() {	# kmod_tool NAME
	for d in /usr/sbin /sbin /usr/bin /bin; do
		if [ -x "$d/$1" ] && [ "$(readlink -f "$d/$1")" != "$(readlink -f "$(tool "$1")")" ]; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

# The installed Debian kernel's module directory: the newest
# /lib/modules/VERSION holding a modules.dep.bin (not the running kernel's,
# which build machines do not have).
module_tree() {
	if [ -n "${MT_MODULE_TREE:-}" ]; then
		echo "$MT_MODULE_TREE"
		return 0
	fi
	ls -d /lib/modules/*/modules.dep.bin 2>/dev/null | sort -V | tail -n 1 | xargs -r dirname
}
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"

# Module directories of other architectures' Debian kernels, unpacked by
# tests/fetch-foreign-tree.sh (scripts/setup.sh does it); one per line.
foreign_trees() {
	if [ -n "${MT_FOREIGN_TREES:-}" ]; then
		printf '%s\n' $MT_FOREIGN_TREES
		return 0
	fi
	ls -d /var/cache/modtool/foreign/*/lib/modules/*/modules.order 2>/dev/null | xargs -r -n 1 dirname
}
