#!/bin/sh
# run.sh — the bench: our tools against kmod's (the installed ones, kmod 30
# on Debian) on the installed module tree and on synthetic trees, in one run,
# printed as one table (bench/README says how to read it).
#
#   make bench                  (builds the two helpers, then runs this)
#   bench/run.sh [BUILDDIR]     (default: ./build, then .)
#
# Environment: RUNS (paired runs per row, default 7), CALLS (calls per run of
# the single-call modprobe row, default 200), TREE (a module directory,
# default the newest /lib/modules/* with modules.dep.bin), KMOD_SBIN (where
# kmod's tools are, default /usr/sbin), BENCH_DIR (kept between runs to skip
# preparing the copies, default a temporary directory), ROWS (a subset of
# "modinfo depmod incremental modprobe scaling"), SCALE (the synthetic trees' module
# counts, default "4000 40000").
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
[ -x "$build/tools/kmod" ] || build=$top
build=$(cd "$build" && pwd)
tool() {	# the binary of our tool $1 (libtool's, not its wrapper)
	if [ -x "$build/tools/.libs/$1" ]; then echo "$build/tools/.libs/$1"; else echo "$build/tools/$1"; fi
}
export LD_LIBRARY_PATH="$build/lib/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
ksbin=${KMOD_SBIN:-/usr/sbin}
runs=${RUNS:-7}
calls=${CALLS:-200}
rows=${ROWS:-modinfo depmod incremental modprobe scaling}
cores=$(nproc)
tree=${TREE:-$(ls -d /lib/modules/*/modules.dep.bin 2> /dev/null | sort -V | tail -n 1 | xargs -r dirname)}
[ -d "$tree/kernel" ] || { echo "run.sh: no module tree (set TREE)" >&2; exit 1; }
version=$(basename "$tree")
for f in "$(tool depmod)" "$(tool modinfo)" "$(tool modprobe)" "$ksbin/depmod" "$ksbin/modinfo" \
	 "$ksbin/modprobe" /usr/bin/time "$build/bench/read-floor" "$build/bench/gentree"; do
	[ -x "$f" ] || { echo "run.sh: $f is missing (make bench builds the helpers)" >&2; exit 1; }
done
if [ -n "$BENCH_DIR" ]; then
	work=$BENCH_DIR
	mkdir -p "$work"
else
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
fi
work=$(cd "$work" && pwd)

# ---- measuring ------------------------------------------------------------

# one_run FILE CMD — append "<microseconds> <peak RSS KiB>" of the shell
# command CMD (which execs the tool, so that the RSS is the tool's) to FILE
one_run() {
	start=$(date +%s%N)
	/usr/bin/time -f %M -o "$work/rss" sh -c "$2" > /dev/null 2>&1 || true
	end=$(date +%s%N)
	echo "$(( (end - start) / 1000 )) $(tail -n 1 "$work/rss")" >> "$1"
}

median() {	# median of column $1 of file $2
	cut -d' ' -f"$1" "$2" | sort -n |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# pair NAME OURS KMOD [FLOOR [SETUP]] — shell commands run RUNS rounds in
# turn, after one warm-up round (the page cache then holds what they read);
# leaves NAME.ours, NAME.kmod and NAME.floor in $work.  An empty KMOD or
# FLOOR is not run; SETUP runs untimed at the start of every round.
pair() {
	: > "$work/$1.ours"
	: > "$work/$1.kmod"
	: > "$work/$1.floor"
	i=0
	while [ $i -le "$runs" ]; do
		[ $i -eq 0 ] && sfx=.warm || sfx=
		[ -z "${5:-}" ] || sh -c "$5"
		one_run "$work/$1.ours$sfx" "$2"
		[ -z "$3" ] || one_run "$work/$1.kmod$sfx" "$3"
		[ -z "$4" ] || one_run "$work/$1.floor$sfx" "$4"
		i=$((i + 1))
	done
}

# row NAME LABEL TARGET — a line of the table from pair NAME.  TARGET:
# "r<=X" (ratio to kmod), "f<=X" (ours over the floor), "-" (none).
row() {
	o=$(median 1 "$work/$1.ours")
	orss=$(median 2 "$work/$1.ours")
	k=$([ -s "$work/$1.kmod" ] && median 1 "$work/$1.kmod" || echo 0)
	krss=$([ -s "$work/$1.kmod" ] && median 2 "$work/$1.kmod" || echo 0)
	f=$([ -s "$work/$1.floor" ] && median 1 "$work/$1.floor" || echo 0)
	awk -v label="$2" -v target="$3" -v o="$o" -v k="$k" -v f="$f" -v orss="$orss" \
	    -v krss="$krss" 'BEGIN {
		ratio = k > 0 ? o / k : 0
		over = f > 0 ? o / f : 0
		verdict = "-"
		limit = substr(target, 4) + 0
		if (target ~ /^r<=/) verdict = (ratio <= limit) ? "met" : "MISSED"
		if (target ~ /^f<=/) verdict = (over <= limit) ? "met" : "MISSED"
		if (krss > 0 && orss >= krss) verdict = verdict " (RSS!)"
		fs = (f > 0) ? sprintf("%.4f", f / 1e6) : "-"
		os = (f > 0) ? sprintf("%.2f", over) : "-"
		printf "%-38s %8.4f %8.4f %6.3f %8s %6s %9d %9d  %-7s %s\n", label, o / 1e6, k / 1e6,
		       ratio, fs, os, orss, krss, target, verdict
	}'
}

header() {
	printf '%-38s %8s %8s %6s %8s %6s %9s %9s  %-7s %s\n' work "ours s" "kmod s" ratio \
		"floor s" "/floor" "ours KiB" "kmod KiB" target verdict
}

# ---- inputs ---------------------------------------------------------------

# prepare VARIANT — $work/VARIANT, a basedir holding a copy of the tree,
# compressed as the kernel's build does it; $work/VARIANT.files its modules.
prepare() {
	d=$work/$1/lib/modules/$version
	if [ ! -e "$work/$1.ready" ]; then
		echo "preparing the $1 copy of $tree ..." >&2
		rm -rf "$work/$1"
		mkdir -p "$d"
		cp -a "$tree/kernel" "$tree/modules.order" "$tree/modules.builtin" \
			"$tree/modules.builtin.modinfo" "$d/"
		case $1 in
		gz) find "$d/kernel" -name '*.ko' | xargs -P "$cores" -n 64 gzip -n -f ;;
		xz) find "$d/kernel" -name '*.ko' | xargs -P "$cores" -n 64 \
			xz -q --check=crc32 --lzma2=dict=1MiB ;;
		zst) find "$d/kernel" -name '*.ko' | xargs -P "$cores" -n 64 zstd -q --rm ;;
		esac
		touch "$work/$1.ready"
	fi
	find "$d/kernel" -type f -name '*.ko*' > "$work/$1.files"
}

# synthetic COUNT — $work/synth-COUNT, a basedir with gentree's tree
synthetic() {
	d=$work/synth-$1/lib/modules/$version
	if [ ! -e "$work/synth-$1.ready" ]; then
		echo "writing a synthetic tree of $1 modules ..." >&2
		rm -rf "$work/synth-$1"
		mkdir -p "$d"
		"$build/bench/gentree" "$d" "$1"
		touch "$work/synth-$1.ready"
	fi
}

# ---- the table ------------------------------------------------------------

echo "bench: $cores cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start;" \
	"kmod: $("$ksbin/depmod" --version 2> /dev/null | head -n 1); tree: $tree"
echo "median wall seconds of $runs paired runs each (after one warm-up), peak RSS median"
header

for r in $rows; do
	case $r in
	modinfo)
		prepare plain
		list="\$(cat '$work/plain.files')"
		pair modinfo "exec '$(tool modinfo)' -b '$work/plain' -k $version $list" \
			"exec '$ksbin/modinfo' -b '$work/plain' -k $version $list"
		row modinfo "modinfo: $(wc -l < "$work/plain.files") modules, one call" "r<=0.45"
		;;
	depmod)
		prepare plain
		pair plain "exec '$(tool depmod)' -b '$work/plain' $version" \
			"exec '$ksbin/depmod' -b '$work/plain' $version" \
			"exec '$build/bench/read-floor' '$work/plain/lib/modules/$version/kernel' $cores"
		row plain "depmod plain (floor: sections read)" "r<=0.11"
		row plain "  the same, over its floor" "f<=1.5"
		for v in zst gz xz; do
			prepare $v
			case $v in
			zst) dec="zstd -dc" ;;
			gz) dec="gzip -dc" ;;
			xz) dec="xz -dc" ;;
			esac
			floor="exec xargs -P $cores -n 64 $dec < '$work/$v.files'"
			if [ $v = gz ]; then
				# kmod 30 as Debian builds it reads no .ko.gz: its
				# plain run above is the reference
				pair $v "exec '$(tool depmod)' -b '$work/$v' $version" "" "$floor"
				cp "$work/plain.kmod" "$work/$v.kmod"
			else
				pair $v "exec '$(tool depmod)' -b '$work/$v' $version" \
					"exec '$ksbin/depmod' -b '$work/$v' $version" "$floor"
			fi
			case $v in
			zst) row $v "depmod .ko.zst (floor: zstd -dc)" "r<=0.27" ;;
			gz) row $v "depmod .ko.gz (kmod: its plain run)" "r<=0.4" ;;
			xz) row $v "depmod .ko.xz (floor: xz -dc)" "f<=1.1" ;;
			esac
		done
		;;
	incremental)
		# depmod --incremental after one module was replaced by a copy
		# of itself (a new inode: it is parsed again and the cache
		# written), against kmod's full run on the same copy; then
		# with nothing changed.  The set-up waits until the new file is
		# old enough to be cached (depmod-cache.c).
		prepare incr
		m=$(grep -m 1 '/ext4\.ko$' "$work/incr.files" || head -n 1 "$work/incr.files")
		ours="exec '$(tool depmod)' --incremental -b '$work/incr' $version"
		sh -c "$ours" > /dev/null 2>&1 || true
		pair incr "$ours" "exec '$ksbin/depmod' -b '$work/incr' $version" "" \
			"cp '$m' '$m.new' && mv '$m.new' '$m' && sleep 0.2"
		row incr "depmod --incremental, one module new" "r<=0.03"
		pair incr-same "$ours" "exec '$ksbin/depmod' -b '$work/incr' $version"
		row incr-same "depmod --incremental, nothing new" "-"
		;;
	modprobe)
		awk '{ print $2 }' "$tree/modules.alias" | grep -v '\[' | awk 'NR % 26 == 0' |
			head -n 1000 | sed 's/\*/X/g; s/?/Y/g' > "$work/aliases"
		list="\$(cat '$work/aliases')"
		pair aliases "exec '$(tool modprobe)' -S $version -R -a $list" \
			"exec '$ksbin/modprobe' -S $version -R -a $list"
		row aliases "modprobe -R -a: 1000 aliases, one call" "r<=0.35"
		# A single call is about a process start: CALLS of them in a
		# loop, the floor the same loop of /bin/true
		# (the RSS columns are then the shell's).
		loop="i=0; while [ \$i -lt $calls ]; do"
		done_="> /dev/null 2>&1; i=\$((i + 1)); done"
		pair single "$loop '$(tool modprobe)' -S $version -R ext4 $done_" \
			"$loop '$ksbin/modprobe' -S $version -R ext4 $done_" "$loop /bin/true $done_"
		row single "modprobe -R ext4, $calls calls (floor: true)" "-"
		;;
	scaling)
		set -- ${SCALE:-4000 40000}
		for n in "$@"; do
			synthetic "$n"
			pair "synth-$n" "exec '$(tool depmod)' -b '$work/synth-$n' $version" \
				"exec '$ksbin/depmod' -b '$work/synth-$n' $version"
			row "synth-$n" "depmod synthetic, $n modules" "-"
		done
		small=$1
		shift $(($# - 1))
		awk -v n="$(($1 / small))" -v t="$(median 1 "$work/synth-$small.ours")" \
		    -v T="$(median 1 "$work/synth-$1.ours")" -v m="$(median 2 "$work/synth-$small.ours")" \
		    -v M="$(median 2 "$work/synth-$1.ours")" 'BEGIN {
			limit = 1.1 * n
			printf "%-38s time x%.2f, RSS x%.2f for x%d modules %-7s %s\n",
			       "  ours, largest over smallest", T / t, M / m, n, "<=x" limit,
			       ((T / t <= limit && M / m <= limit) ? "met" : "MISSED")
		}'
		;;
	*)
		echo "run.sh: unknown row set $r" >&2
		exit 1
		;;
	esac
done
