#!/bin/sh
# libkmod-diff.sh — the differential tests of libkmod.so.2.  The programs of
# tests/libkmod/ are built once, against Debian's libkmod (kmod 30); each
# runs on the installed Debian tree and the test configuration, and prints a
# transcript (stdout, then the ERROR lines of stderr without the function
# name kmod's default log function prints, and the file and line of its
# debug build, Debian's).
#
# 1. The oracle run (Debian's library) is checked against kmod's own tools
#    and files: modules.dep, modules.alias, modules.symbols, modules.builtin,
#    `modprobe -c`, `modprobe -R`, `modprobe --show-depends`, `modinfo`.
# 2. When a second library is there — $MT_LIBKMOD_OURS, a directory holding
#    a libkmod.so.2, by default this tree's libkmod/.libs — the same
#    binaries run again with that directory first in LD_LIBRARY_PATH, and
#    both transcripts must be identical byte for byte: binaries linked
#    against Debian's libkmod run unchanged on ours.
# kmod 33's weak dependencies, which kmod 30 has not, are checked against
# the configuration that declares them.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

progs=$top_builddir/tests/libkmod
[ -x "$progs/ctx" ] || missing_input_all "the libkmod test programs are not built (libkmod-dev)"
TREE=$(module_tree)
[ -n "$TREE" ] || missing_input_all "no installed module tree"
REL=${TREE##*/}
MODPROBE=$(kmod_tool modprobe) || missing_input_all "kmod's modprobe is not installed"
MODINFO=$(kmod_tool modinfo) || missing_input_all "kmod's modinfo is not installed"
conf=$top_srcdir/tests/libkmod
CONFIG="-C $conf/modprobe.d -C $conf/modprobe2.d -C $conf/extra.conf"
# The oracle is the libkmod.so.2 the programs were linked with.
oracle_dir=$(env -u LD_LIBRARY_PATH ldd "$progs/ctx" |
	sed -n 's/^[[:space:]]*libkmod\.so\.2 => \(.*\)\/libkmod\.so\.2 .*/\1/p')
[ -n "$oracle_dir" ] || missing_input_all "Debian's libkmod.so.2 is not found"
ours_dir=${MT_LIBKMOD_OURS:-$top_builddir/libkmod/.libs}
[ -e "$ours_dir/libkmod.so.2" ] || ours_dir=

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd -P)	# the shim wants a canonical root

quote() {	# a string as a sed pattern
	printf '%s\n' "$1" | sed 's/[][\.*^$/]/\\&/g'
}

# run SIDE LIBDIR NAME ARGS... — run program NAME with LIBDIR first in
# LD_LIBRARY_PATH into $work/SIDE/NAME (the transcript) and
# $work/SIDE/NAME.status; -w is a fresh directory of the same name for
# every side.  $pre is a command prefix (the shim's environment).
run() {
	side=$1 libdir=$2 name=$3
	shift 3
	mkdir -p "$work/$side"
	rm -rf "$work/w"
	mkdir -p "$work/w"
	[ -z "${prepare:-}" ] || $prepare
	t0=$(date +%s.%N)
	env LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" $pre \
		"$progs/$name" -w "$work/w" "$@" > "$work/$side/$name" 2> "$work/$side/$name.err"
	echo $? > "$work/$side/$name.status"
	t1=$(date +%s.%N)
	{
		echo "== stderr"
		sed -n -e "s/^libkmod: ERROR [^ ]*:[0-9]* [A-Za-z_0-9]*: /libkmod: ERROR: /p;t" \
			-e "s/^libkmod: ERROR: [A-Za-z_0-9]*: /libkmod: ERROR: /p" \
			"$work/$side/$name.err" |
			sed "s/$(quote "$work/w")/WORK/g; s/$(quote "$TREE")/TREE/g"
	} >> "$work/$side/$name"
	echo "# $side $name: $(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }") s, $(wc -c < "$work/$side/$name") bytes"
}

# ---- the programs, their arguments and setups ------------------------------
# info: compressed copies of two modules, in the work directory.
xz_mod=$(sed -n 's/^\(kernel\/fs\/ext4\/ext4\.ko\):.*/\1/p' "$TREE/modules.dep")
zst_mod=$(sed -n 's/^\(kernel\/drivers\/net\/dummy\.ko\):.*/\1/p' "$TREE/modules.dep")
[ -n "$xz_mod" ] && [ -n "$zst_mod" ] || missing_input_all "ext4 and dummy are not in the tree"
compress() {
	xz -c "$TREE/$xz_mod" > "$work/w/ext4.ko.xz" &&
	zstd -q -c "$TREE/$zst_mod" > "$work/w/dummy.ko.zst"
}
# probe: a fake root under the shim, the tree as /lib/modules/RELEASE and
# the test configuration in /etc/modprobe.d.
fake_root() {
	root=$work/w/root
	# Made anew for each side: a second "ln -s TREE LINK" onto an existing
	# link to a directory would create the link inside the tree itself.
	rm -rf "$root"
	mkdir -p "$root/lib/modules" "$root/etc/modprobe.d" "$root/proc" "$root/sys/module"
	ln -s "$TREE" "$root/lib/modules/$REL"
	cp "$conf"/modprobe.d/*.conf "$root/etc/modprobe.d/"
	: > "$root/proc/modules"
	: > "$root/proc/cmdline"
	: > "$work/w/calls"
}
builtin=$(sed -n '1s/.*\///; 1s/\.ko$//; 1s/-/_/g; 1p' "$TREE/modules.builtin")
# weakdeps: a configuration of its own (kmod 30 rejects the lines).
mkdir -p "$work/weak.d"
printf '%s\n' 'weakdep ext4 loop dummy' 'weakdep dummy e1000e' 'weakdep vfat no-such-module' \
	> "$work/weak.d/weak.conf"

run_all() {	# run_all SIDE LIBDIR
	pre= prepare=
	run "$1" "$2" ctx
	run "$1" "$2" lookup $CONFIG
	prepare=compress
	run "$1" "$2" info $CONFIG "$work/w/ext4.ko.xz" "$work/w/dummy.ko.zst"
	prepare=
	run "$1" "$2" deps $CONFIG
	run "$1" "$2" config $CONFIG
	run "$1" "$2" filter $CONFIG
	run "$1" "$2" dump
	run "$1" "$2" errors $CONFIG
	run "$1" "$2" weakdeps -C "$work/weak.d" ext4 dummy loop
	if [ -f "${MT_SHIM:-}" ]; then
		prepare=fake_root
		pre="LD_PRELOAD=$MT_SHIM MT_SHIM_ROOT=$work/w/root MT_SHIM_UNAME_R=$REL MT_SHIM_LOG=$work/w/calls"
		run "$1" "$2" probe ext4 loop e1000e my-net dummy "$builtin"
		pre= prepare=
	fi
}

programs="ctx lookup info deps config filter dump errors weakdeps"
[ -f "${MT_SHIM:-}" ] && programs="$programs probe"
run_all oracle "$oracle_dir"
O=$work/oracle

for p in $programs; do
	[ "$(cat "$O/$p.status")" = 0 ] && [ -s "$O/$p" ]
	ok $? "$p runs on Debian's libkmod"
done
[ -f "${MT_SHIM:-}" ] || missing_input "probe under the shim" "the shim is not built"

# ---- the oracle's transcripts, against kmod's tools and files --------------
section() {	# section FILE HEADER — the lines after "== HEADER" up to the next "== "
	awk -v h="== $2" '$0 == h { on = 1; next } /^== / { on = 0 } on' "$1"
}

# ctx
grep -qx 'NULL dirname: /lib/modules/RELEASE (uname -r)' "$O/ctx" &&
	grep -qx 'tree: dirname TREE' "$O/ctx" &&
	grep -qx 'priority without KMOD_LOG: 3' "$O/ctx" &&
	grep -qx "KMOD_LOG='debug': priority 7" "$O/ctx" &&
	grep -qx 'loaded: validate 0' "$O/ctx" &&
	grep -qx 'modules.dep.bin newer: validate 1' "$O/ctx" &&
	grep -qx 'configuration file added: validate 2' "$O/ctx" &&
	[ "$(grep -c '^libkmod: ERROR: WORK/bad.d/bad.conf line' "$O/ctx")" = 7 ]
ok $? "ctx: directory names, priorities, resource states and the bad configuration's messages"

# lookup: every module name resolves to itself and its modules.dep path.
sed 's/:.*//' "$TREE/modules.dep" | awk -v tree=TREE '{
	path = $0; n = split(path, parts, "/"); name = parts[n]; sub(/\..*/, "", name)
	gsub(/-/, "_", name); print "lookup '\''" name "'\'': 0"; print "  " name " " tree "/" path }' \
	> "$work/names.want"
section "$O/lookup" "module names" |
	awk '/^name lookup / { keep = 0 } /^lookup / { keep = ($0 !~ /-/) } keep' > "$work/names.got"
same "$work/names.want" "$work/names.got"
ok $? "lookup: each of the $(wc -l < "$TREE/modules.dep") module names resolves to its modules.dep path"

# lookup: aliases, symbols and modaliases as `modprobe -R` resolves them
# (a sample: every 50th lookup of each section).
for s in aliases symbols "device modaliases" configuration; do
	section "$O/lookup" "$s" | awk '/^lookup / { if (q != "") print q "\t" m; q = $0; m = ""; next }
		{ split($0, f, " "); m = m " " f[1] } END { if (q != "") print q "\t" m }' |
		awk 'NR % 50 == 1'
done | sed "s/^lookup '\(.*\)': [^\t]*\t/\1\t/" > "$work/sample"
: > "$work/resolved.want"
: > "$work/resolved.got"
while IFS='	' read -r q m; do
	printf '%s:%s\n' "$q" "$m" >> "$work/resolved.got"
	printf '%s:%s\n' "$q" "$("$MODPROBE" -R -S "$REL" $CONFIG -- "$q" 2>/dev/null |
		while read -r n; do printf ' %s' "$n"; done)" >> "$work/resolved.want"
done < "$work/sample"
same "$work/resolved.want" "$work/resolved.got" && [ -s "$work/sample" ]
ok $? "lookup: $(wc -l < "$work/sample") aliases, symbols and modaliases resolve as modprobe -R says"

# info: one entry per module, and a sample's fields as modinfo prints them.
[ "$(grep -c '^== [^ ]*: 0 TREE/' "$O/info")" = "$(wc -l < "$TREE/modules.dep")" ]
ok $? "info: every module of modules.dep, by its path"
: > "$work/info.want"
: > "$work/info.got"
for m in $(sed -n 's/:.*//; s/.*\///; s/\.ko$//; s/-/_/g; 1~200p' "$TREE/modules.dep"); do
	for f in vermagic alias depends signer sig_hashalgo; do
		"$MODINFO" -k "$REL" -F "$f" "$m" | sed "s/^/$m $f=/" >> "$work/info.want"
		awk -v h="== $m: " -v f="  $f=" 'index($0, h) == 1 { on = 1; next }
			/^versions:/ { on = 0 } on && index($0, f) == 1 { print substr($0, length(f) + 1) }' \
			"$O/info" | sed "s/^/$m $f=/" >> "$work/info.got"
	done
done
same "$work/info.want" "$work/info.got" && [ -s "$work/info.want" ]
ok $? "info: $(sed -n '1~200p' "$TREE/modules.dep" | wc -l) sampled modules' fields as modinfo prints them"
grep -q '^== WORK/ext4.ko.xz: 0 ext4$' "$O/info" && grep -q '^== WORK/dummy.ko.zst: 0 dummy$' "$O/info"
ok $? "info: compressed modules by path"
grep -q '^versions: -ENOENT$' "$O/info"
ok $? "info: builtin modules have no versions"

# deps: each module's dependencies are its modules.dep line's, last first.
awk -F': *' '{ n = split($1, p, "/"); name = p[n]; sub(/\..*/, "", name); gsub(/-/, "_", name)
	print "== " name ": 0"; k = split($2, d, " "); for (i = k; i >= 1; i--) {
	m = split(d[i], q, "/"); dn = q[m]; sub(/\..*/, "", dn); gsub(/-/, "_", dn)
	print "  " dn " TREE/" d[i] } }' "$TREE/modules.dep" > "$work/deps.want"
awk '/^# modules.builtin/ { exit } /^== / { print; next } /^dependencies:/ { on = 1; next }
	/^softdeps:/ { on = 0 } on' "$O/deps" > "$work/deps.got"
same "$work/deps.want" "$work/deps.got"
ok $? "deps: every module's dependencies are its modules.dep line's, in reverse"
awk '/^== loop: 0$/ { on = 1 } on && /^options:/ { print; exit }' "$O/deps" | grep -qx 'options: from=early max_loop=8  max_part=4'
ok $? "deps: options joined across the configuration files, in file name order"

# config: the iterators print what modprobe -c prints of the configuration.
"$MODPROBE" -c -S "$REL" $CONFIG | sed '/^# End of configuration files/,$d' | sed '${/^$/d}' \
	> "$work/config.want"
section "$O/config" "configuration given" > "$work/config.got"
same "$work/config.want" "$work/config.got"
ok $? "config: the iterators give what modprobe -c prints"

# filter: builtin modules are filtered out by KMOD_FILTER_BUILTIN, the
# configuration's blacklisted modules by KMOD_FILTER_BLACKLIST.
# (Only the builtin names that a lookup resolves to the builtin module
# itself: some, like crc32, are aliases of other modules first.)
section "$O/filter" "builtin modules" |
	awk '{ n = $1; sub(/:$/, "", n) } index($0, n ": in(0) " n " blacklist(0)") == 1' > "$work/filter.self"
grep -v ' builtin(0) both' "$work/filter.self" > "$work/filter.bad"
[ -s "$work/filter.bad" ] && sed 's/^/# /' "$work/filter.bad" | head -5
[ ! -s "$work/filter.bad" ] && [ "$(wc -l < "$work/filter.self")" -gt 100 ]
ok $? "filter: KMOD_FILTER_BUILTIN drops each of $(wc -l < "$work/filter.self") builtin modules"
grep -qx 'e1000e: in(0) e1000e blacklist(0) builtin(0) e1000e both(0) none(0) e1000e filtered_blacklist(0)' "$O/filter"
ok $? "filter: KMOD_FILTER_BLACKLIST drops a blacklisted module"

# dump: each index's dump holds its text file's lines.
dump_section() {	# the content of the first dump of INDEX
	awk -v h="== $1: 0" '$0 == h && !done { on = 1; next } on && /^== end: / { on = 0; done = 1 } on' "$O/dump"
}
dump_section KMOD_INDEX_MODULES_DEP | sed 's/^[^ ]* //' | sort > "$work/dump.got"
sort "$TREE/modules.dep" | sed 's/: *$/:/' > "$work/dump.want"
same "$work/dump.want" "$work/dump.got"
ok $? "dump: modules.dep.bin holds modules.dep"
# (depmod stores aliases with dashes as underscores.)
dump_section KMOD_INDEX_MODULES_ALIAS | tr - _ | sort > "$work/dump.got"
grep '^alias ' "$TREE/modules.alias" | tr - _ | sort > "$work/dump.want"
same "$work/dump.want" "$work/dump.got"
ok $? "dump: modules.alias.bin holds modules.alias"
dump_section KMOD_INDEX_MODULES_SYMBOL | sort > "$work/dump.got"
grep '^alias ' "$TREE/modules.symbols" | sort > "$work/dump.want"
same "$work/dump.want" "$work/dump.got"
ok $? "dump: modules.symbols.bin holds modules.symbols"
dump_section KMOD_INDEX_MODULES_BUILTIN | sed 's/ $//' | sort > "$work/dump.got"
sed 's/.*\///; s/\.ko$//; s/-/_/g' "$TREE/modules.builtin" | sort > "$work/dump.want"
same "$work/dump.want" "$work/dump.got"
ok $? "dump: modules.builtin.bin holds modules.builtin"
[ "$(grep -c '^== end: ' "$O/dump")" = 19 ] &&
	[ "$(sed -n '/^# opened on demand/,/^load:/p' "$O/dump" | grep '^== end' | head -5)" = \
	  "$(sed -n '/^# loaded/,/^# to a closed/p' "$O/dump" | grep '^== end' | head -5)" ]
ok $? "dump: the same bytes with the indexes loaded"

# errors: nothing crashes, every case reported.
! grep -q 'killed by signal' "$O/errors" && [ "$(section "$O/errors" "NULL arguments" | grep -c .)" -ge 89 ]
ok $? "errors: every bad call returns"

# weakdeps: kmod 30 has no LIBKMOD_33.
grep -qx 'LIBKMOD_33: not available' "$O/weakdeps"
ok $? "weakdeps: Debian's libkmod has no LIBKMOD_33 functions"

# probe: the modules and order of modprobe --show-depends.
if [ -f "${MT_SHIM:-}" ]; then
	mkdir -p "$work/w"
	fake_root
	env LD_PRELOAD="$MT_SHIM" MT_SHIM_ROOT="$work/w/root" MT_SHIM_UNAME_R="$REL" \
		"$MODPROBE" --show-depends --ignore-install ext4 2>&1 |
		sed -n "s|^insmod $(quote "$TREE")/\([^ ]*\) *\(.*\)|\1 '\2'|p" > "$work/probe.want"
	awk '/^probe ext4 \(ext4\) IGNORE_COMMAND\|DRY_RUN / { on = 1; next } on && /^  rc/ { exit }
		on && /^  action insmod/ { print $4 " " $5 }' "$O/probe" | sed 's|^TREE/||' > "$work/probe.got"
	same "$work/probe.want" "$work/probe.got" && [ -s "$work/probe.want" ]
	ok $? "probe: a dry run lists the modules of modprobe --show-depends, in its order"
	grep -q '^  call finit_module ext4 params="" flags=0x0$' "$O/probe" &&
		awk '/^== fake sysfs/ { exit } /^  loaded:/ { last = $0 } END { exit last != "  loaded: 0" }' "$O/probe"
	ok $? "probe: modules are loaded through finit_module and all removed at the end"
fi

# ---- the comparison -----------------------------------------------------------
# Its reporting, proven on a transcript and a changed copy of it.
sed '3s/$/ changed/' "$O/deps" > "$work/changed"
same "$O/deps" "$work/changed" > "$work/report"
rc=$?
[ "$rc" = 1 ] && grep -q '^# +.* changed$' "$work/report"
ok $? "the comparison reports a difference, with the lines that differ"

if [ -z "$ours_dir" ]; then
	skip "transcripts on this tree's libkmod.so.2" "no libkmod.so.2 built (set MT_LIBKMOD_OURS to a directory holding one)"
else
	echo "# second library: $ours_dir"
	run_all ours "$ours_dir"
	for p in $programs; do
		if [ "$p" = weakdeps ] && ! grep -qx 'LIBKMOD_33: not available' "$work/ours/$p"; then
			# kmod 34.2's weak dependencies, from the configuration.
			{
				echo 'iterator: an iterator'
				cat "$work/weak.d/weak.conf"
			} > "$work/weak.want"
			sed -n '1,/^module /p' "$work/ours/$p" | sed '$d' > "$work/weak.got"
			# Each key's, then each operand's: the names that resolve.
			awk '/^module / { if (on) print m; on = 1; m = $2 " " $4; next }
				/^== / { exit } on { m = m " " $1 } END { if (on) print m }' \
				"$work/ours/$p" > "$work/weak.modules"
			printf '%s\n' 'ext4: 0 loop dummy' 'dummy: 0 e1000e' 'vfat: 0' \
				'ext4: 0 loop dummy' 'dummy: 0 e1000e' 'loop: 0' > "$work/weak.modules.want"
			[ "$(cat "$work/ours/$p.status")" = 0 ] && same "$work/weak.want" "$work/weak.got" &&
				same "$work/weak.modules.want" "$work/weak.modules"
			ok $? "weakdeps: kmod 33's functions give the configuration's weak dependencies"
			continue
		fi
		got=$work/ours/$p
		if [ "$p" = info ]; then
			# kmod main's build-id entry, which kmod 30 does not list:
			# dropped, with the count of its list lowered to match; the
			# modules of the tree have build ids, so ours must list some.
			awk 'function flush() { if (on) printf "info: %d\n%s", n, buf; on = 0 }
				/^info: [0-9]+$/ { flush(); on = 1; n = $2; buf = ""; next }
				on && /^  build-id=/ { n--; next }
				on && /^  / { buf = buf $0 "\n"; next }
				{ flush(); print } END { flush() }' "$got" > "$got.kmod30"
			grep -q '^  build-id=' "$got" || echo "# no build-id entry in our info"
			grep -q '^  build-id=' "$got" && got=$got.kmod30 || got=/dev/null
		fi
		[ "$(cat "$work/ours/$p.status")" = 0 ] && same "$O/$p" "$got"
		ok $? "$p: the same transcript on both libraries"
	done
	# Where kmod 30 crashes, hangs or reads out of bounds, ours returns:
	# NULL arguments, and indexes cut short or pointing past their end
	# (each looked up, dumped and loaded).
	run ours "$ours_dir" errors beyond-kmod
	B=$work/ours/errors
	nindexes=$(ls "$TREE"/modules.*.bin | wc -l)
	[ "$(cat "$B.status")" = 0 ] && ! grep -q 'killed by signal' "$B" &&
		grep -qx 'kmod_get_dirname(NULL): NULL' "$B" &&
		grep -qx 'kmod_config_iter_free_iter(NULL): done' "$B" &&
		[ "$(grep -c '^index .*: lookup .* load -E[A-Z]*$' "$B")" = $((nindexes * 5)) ]
	ok $? "errors: ours returns where kmod 30 does not ($((nindexes * 5)) broken indexes)"
fi

done_testing
