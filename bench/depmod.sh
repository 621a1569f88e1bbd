#!/bin/sh
# depmod.sh — our depmod against kmod's on copies of the installed module
# tree: plain, .ko.xz and .ko.zst.  Each tool runs RUNS times (default 5),
# alternating on the same copy; the median wall time, the ratio ours/kmod
# and the peak RSS (KiB) are printed.
#
#   bench/depmod.sh [BUILDDIR]     (default: ./build, then .)
#
# Environment: RUNS, TREE (a module directory, default the newest
# /lib/modules/* with modules.dep.bin), KMOD_DEPMOD (default
# /usr/sbin/depmod), BENCH_DIR (kept between invocations to skip the
# compression; default a temporary directory), VARIANTS (default
# "plain xz zst").
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
[ -x "$build/tools/depmod" ] || build=$top
ours=$build/tools/.libs/depmod
[ -x "$ours" ] || ours=$build/tools/depmod
export LD_LIBRARY_PATH="$build/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
kmod=${KMOD_DEPMOD:-/usr/sbin/depmod}
runs=${RUNS:-5}
tree=${TREE:-$(ls -d /lib/modules/*/modules.dep.bin 2> /dev/null | sort -V | tail -n 1 | xargs -r dirname)}
for f in "$ours" "$kmod" /usr/bin/time; do
	[ -x "$f" ] || { echo "depmod.sh: $f is missing" >&2; exit 1; }
done
[ -d "$tree/kernel" ] || { echo "depmod.sh: no module tree (set TREE)" >&2; exit 1; }
version=$(basename "$tree")
if [ -n "$BENCH_DIR" ]; then
	work=$BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi

# prepare VARIANT — a basedir whose tree is compressed accordingly
prepare() {
	d=$work/$1/lib/modules/$version
	[ -e "$work/$1.ready" ] && return 0
	rm -rf "$work/$1"
	mkdir -p "$d"
	cp -a "$tree/kernel" "$tree/modules.order" "$tree/modules.builtin" \
		"$tree/modules.builtin.modinfo" "$d/"
	case $1 in
	xz) find "$d/kernel" -name '*.ko' | xargs -P "$(nproc)" -n 64 \
		xz -q --check=crc32 --lzma2=dict=1MiB ;;
	zst) find "$d/kernel" -name '*.ko' | xargs -P "$(nproc)" -n 64 zstd -q --rm ;;
	esac
	touch "$work/$1.ready"
}

# one_run CMD... — prints "<seconds> <peak KiB>"
one_run() {
	start=$(date +%s%N)
	/usr/bin/time -f %M -o "$work/rss" "$@" > /dev/null 2>&1
	end=$(date +%s%N)
	echo "$(( (end - start) / 1000 )) $(tail -n 1 "$work/rss")"
}

median() {	# median < numbers
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

printf '%-6s %10s %10s %7s %12s %12s\n' tree "ours (s)" "kmod (s)" ratio "ours RSS" "kmod RSS"
for v in ${VARIANTS:-plain xz zst}; do
	prepare "$v"
	: > "$work/ours.t"
	: > "$work/kmod.t"
	# one warm-up each: the page cache holds the tree for both
	one_run "$ours" -b "$work/$v" "$version" > /dev/null
	one_run "$kmod" -b "$work/$v" "$version" > /dev/null
	i=0
	while [ $i -lt "$runs" ]; do
		one_run "$ours" -b "$work/$v" "$version" >> "$work/ours.t"
		one_run "$kmod" -b "$work/$v" "$version" >> "$work/kmod.t"
		i=$((i + 1))
	done
	o=$(cut -d' ' -f1 "$work/ours.t" | median)
	k=$(cut -d' ' -f1 "$work/kmod.t" | median)
	orss=$(cut -d' ' -f2 "$work/ours.t" | sort -n | tail -n 1)
	krss=$(cut -d' ' -f2 "$work/kmod.t" | sort -n | tail -n 1)
	awk -v v="$v" -v o="$o" -v k="$k" -v orss="$orss" -v krss="$krss" 'BEGIN {
		printf "%-6s %10.3f %10.3f %7.3f %12d %12d\n", v, o / 1e6, k / 1e6, o / k, orss, krss }'
done
