#!/bin/sh
# depmod-incremental.sh — one module changed in a copy of the installed
# tree: our depmod --incremental (the cache made by the previous run)
# against kmod's full depmod, alternating on the same copy.  Each of RUNS
# rounds (default 7) replaces one module by a copy of itself (a new inode:
# it is parsed again and the cache written), then times our incremental
# run and kmod's run; a round also times our full run and our incremental
# run with nothing changed.  Prints the medians (ms) and the ratio ours/kmod.
#
#   bench/depmod-incremental.sh [BUILDDIR]     (default: ./build, then .)
#
# Environment: RUNS, TREE (a module directory, default the newest
# /lib/modules/* with modules.dep.bin), KMOD_DEPMOD (default
# /usr/sbin/depmod), BENCH_DIR (kept between invocations to skip the copy;
# default a temporary directory), MODULE (the module changed, relative to
# the tree; default kernel/fs/ext4/ext4.ko).
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
[ -x "$build/tools/depmod" ] || build=$top
ours=$build/tools/.libs/depmod
[ -x "$ours" ] || ours=$build/tools/depmod
export LD_LIBRARY_PATH="$build/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
kmod=${KMOD_DEPMOD:-/usr/sbin/depmod}
runs=${RUNS:-7}
tree=${TREE:-$(ls -d /lib/modules/*/modules.dep.bin 2> /dev/null | sort -V | tail -n 1 | xargs -r dirname)}
module=${MODULE:-kernel/fs/ext4/ext4.ko}
for f in "$ours" "$kmod"; do
	[ -x "$f" ] || { echo "depmod-incremental.sh: $f is missing" >&2; exit 1; }
done
[ -d "$tree/kernel" ] || { echo "depmod-incremental.sh: no module tree (set TREE)" >&2; exit 1; }
version=$(basename "$tree")
if [ -n "$BENCH_DIR" ]; then
	work=$BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
root=$work/incremental
d=$root/lib/modules/$version
if ! [ -e "$work/incremental.ready" ]; then
	rm -rf "$root"
	mkdir -p "$d"
	cp -a "$tree/kernel" "$tree/modules.order" "$tree/modules.builtin" \
		"$tree/modules.builtin.modinfo" "$d/"
	touch "$work/incremental.ready"
fi
[ -f "$d/$module" ] || { echo "depmod-incremental.sh: no $d/$module (set MODULE)" >&2; exit 1; }

# ms CMD... — the wall time of CMD in milliseconds
ms() {
	start=$(date +%s%N)
	"$@" > /dev/null 2>&1
	end=$(date +%s%N)
	echo $(( (end - start) / 1000000 ))
}

median() {	# median < numbers
	sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# The cache, of files whose status is older than the run (depmod-cache.c).
sleep 0.2
"$ours" --incremental -b "$root" "$version" > /dev/null 2>&1
"$kmod" -b "$root" "$version" > /dev/null 2>&1
: > "$work/incr.t"
: > "$work/kmod.t"
: > "$work/full.t"
: > "$work/same.t"
i=0
while [ $i -lt "$runs" ]; do
	cp "$d/$module" "$d/$module.new"
	mv "$d/$module.new" "$d/$module"
	sleep 0.2	# old enough to be stored: the cache is written
	ms "$ours" --incremental -b "$root" "$version" >> "$work/incr.t"
	ms "$kmod" -b "$root" "$version" >> "$work/kmod.t"
	ms "$ours" -b "$root" "$version" >> "$work/full.t"
	ms "$ours" --incremental -b "$root" "$version" >> "$work/same.t"
	i=$((i + 1))
done
n=$(grep -c '\.ko' "$d/modules.dep")
incr=$(median < "$work/incr.t")
kmod_ms=$(median < "$work/kmod.t")
echo "$n modules, one changed ($module); medians of $runs runs, in ms:"
echo "  ours --incremental, one module changed: $incr   (runs: $(tr '\n' ' ' < "$work/incr.t"))"
echo "  ours --incremental, nothing changed:    $(median < "$work/same.t")   (runs: $(tr '\n' ' ' < "$work/same.t"))"
echo "  ours, full run:                         $(median < "$work/full.t")   (runs: $(tr '\n' ' ' < "$work/full.t"))"
echo "  kmod, full run:                         $kmod_ms   (runs: $(tr '\n' ' ' < "$work/kmod.t"))"
awk -v o="$incr" -v k="$kmod_ms" 'BEGIN { printf "ratio ours --incremental / kmod full: %.3f (target 0.03)\n", o / k }'
