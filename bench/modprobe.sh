#!/bin/sh
# modprobe.sh — our modprobe against kmod's on kmod's indexes of the
# installed module tree, in one run: the per-call latency of typical
# queries (hyperfine, alternating, many calls each) and a thousand alias
# lookups in one call.  Prints each median and the ratio ours/kmod.
#
#   bench/modprobe.sh [BUILDDIR]     (default: ./build, then .)
#
# Environment: RUNS (calls per query, default 300), TREE (a module
# directory, default the newest /lib/modules/* with modules.dep.bin),
# KMOD_MODPROBE (default /usr/sbin/modprobe).  Needs hyperfine.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
[ -x "$build/tools/modprobe" ] || build=$top
ours=$build/tools/.libs/modprobe
[ -x "$ours" ] || ours=$build/tools/modprobe
export LD_LIBRARY_PATH="$build/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
kmod=${KMOD_MODPROBE:-/usr/sbin/modprobe}
runs=${RUNS:-300}
tree=${TREE:-$(ls -d /lib/modules/*/modules.dep.bin 2> /dev/null | sort -V | tail -n 1 | xargs -r dirname)}
command -v hyperfine > /dev/null || { echo "modprobe.sh: needs hyperfine (apt-get install hyperfine)" >&2; exit 1; }
for f in "$ours" "$kmod"; do
	[ -x "$f" ] || { echo "modprobe.sh: $f is missing" >&2; exit 1; }
done
[ -f "$tree/modules.alias" ] || { echo "modprobe.sh: no module tree (set TREE)" >&2; exit 1; }
version=$(basename "$tree")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Every 26th alias pattern made concrete: a thousand real-looking modaliases.
awk '{ print $2 }' "$tree/modules.alias" | grep -v '\[' | awk 'NR % 26 == 0' |
	head -n 1000 | sed 's/\*/X/g; s/?/Y/g' > "$work/aliases"

# bench NAME ARGS... — median seconds of kmod and ours, then the ratio
bench() {
	name=$1
	shift
	hyperfine -N -i -w 10 -r "$2" --export-csv "$work/out.csv" -n kmod -n ours \
		"$kmod -S $version $1" "$ours -S $version $1" > /dev/null 2>&1
	awk -F, -v name="$name" 'NR == 2 { k = $4 } NR == 3 { o = $4 }
		END { printf "%-34s kmod %7.2f ms  ours %7.2f ms  ratio %.2f\n", name, k * 1000, o * 1000, o / k }' \
		"$work/out.csv"
}

echo "modprobe on $tree, median of $runs calls each"
bench "--show-depends btrfs" "-D btrfs" "$runs"
bench "--show-depends snd-hda-intel" "-D snd-hda-intel" "$runs"
bench "--resolve-alias (a PCI modalias)" "-R pci:v00008086d000010D3sv0sd0bc02sc00i00" "$runs"
bench "--resolve-alias (a module name)" "-R ext4" "$runs"
bench "1000 aliases in one call (-R -a)" "-R -a $(tr '\n' ' ' < "$work/aliases")" 30
