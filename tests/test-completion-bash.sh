#!/bin/bash
# test-completion-bash.sh — the bash completions (shell-completion/bash/kmod),
# driven as bash drives them: COMP_WORDS split as readline splits the line
# (at blanks, "=" and ":"), COMP_CWORD, COMP_LINE and COMP_POINT set, the
# function that "complete" registered called, COMPREPLY read.  Options against
# the tools' getopt tables, option arguments, module names of a fake and of the
# installed Debian tree, loaded modules from a fake /proc/modules (under the
# shim), files; and the script found by bash-completion's own loader.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"
. "$top_srcdir/tests/completion-lib.sh"

script=$top_srcdir/shell-completion/bash/kmod
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd -P)	# the shim wants a canonical root
root=$work/root
make_fake_system "$root"

# shellcheck source=../shell-completion/bash/kmod
. "$script"

# comp LINE: the completions of LINE's last word, one a line, sorted.  With
# no_equals_break set, "=" does not split words (as when a user's
# COMP_WORDBREAKS lacks it).
comp() {
	local line=$1 word= c i breaks='=:' fn
	local -a COMP_WORDS=() COMPREPLY=()
	local COMP_LINE=$1 COMP_POINT=${#1} COMP_CWORD

	[[ -n ${no_equals_break:-} ]] && breaks=':'
	for ((i = 0; i < ${#line}; i++)); do
		c=${line:i:1}
		if [[ $c == [[:blank:]] ]]; then
			[[ -n $word ]] && COMP_WORDS+=("$word")
			word=
		elif [[ $breaks == *"$c"* ]]; then
			[[ -n $word && $word != ["$breaks"]* ]] && COMP_WORDS+=("$word") && word=
			word+=$c
		else
			[[ $word == ["$breaks"]* ]] && COMP_WORDS+=("$word") && word=
			word+=$c
		fi
	done
	if [[ -n $word || $line == *[[:blank:]] ]]; then
		COMP_WORDS+=("$word")
	fi
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	fn=$(complete -p "${COMP_WORDS[0]}" 2>/dev/null)
	fn=${fn#*-F }
	fn=${fn%% *}
	[[ -n $fn ]] || return 1
	"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>"$work/stderr"
	[[ -s $work/stderr ]] && sed 's/^/# stderr: /' "$work/stderr"
	sorted "${COMPREPLY[@]}"
}

# expect DESCRIPTION LINE WORD...: LINE completes to exactly the words.
expect() {
	local descr=$1 line=$2
	shift 2
	comp "$line" > "$work/got"
	sorted "$@" > "$work/want"
	same "$work/want" "$work/got"
	ok $? "$descr: '${line//$root/ROOT}'"
}

# ---- options ------------------------------------------------------------------
for t in insmod rmmod lsmod modinfo modprobe depmod; do
	# shellcheck disable=SC2046
	expect "$t: every option of its getopt table" "$t -" $(tool_options "$t")
done
expect "modprobe: long options" "modprobe --sh" \
	--show --show-alias --show-config --show-depends --show-exports --show-modversions --showconfig
# shellcheck disable=SC2086
expect "lsmod: options on an empty word" "lsmod " $(tool_options lsmod)
# shellcheck disable=SC2086
expect "kmod: its options" "kmod -" $kmod_options
# shellcheck disable=SC2086
expect "kmod: its commands" "kmod " $kmod_commands
expect "kmod: a command's prefix" "kmod st" static-nodes
# shellcheck disable=SC2086
expect "kmod static-nodes: its options" "kmod static-nodes -" $static_nodes_options
# shellcheck disable=SC2046
expect "kmod closure: its options" "kmod closure -" $(tool_options closure)
expect "kmod closure -k: the versions under -b ROOT" "kmod closure -b $root -k " 1.0-fake 2.0-other
expect "kmod list: no argument" "kmod list "
# shellcheck disable=SC2046
expect "kmod list: lsmod's options" "kmod list -" $(tool_options lsmod)
expect "after --: no option" "modprobe -d $root -S 1.0-fake -- -"

# ---- option arguments -----------------------------------------------------------
expect "modprobe -S: the versions under -d ROOT" "modprobe -d $root -S " 1.0-fake 2.0-other
expect "modprobe --set-version=: a prefix" "modprobe --dirname=$root --set-version=2" 2.0-other
expect "modprobe -S, stuck to its argument" "modprobe -d$root -S1" -S1.0-fake
expect "modinfo -k: the versions under -b ROOT" "modinfo -b $root -k " 1.0-fake 2.0-other
expect "modinfo --set-version: under --basedir=ROOT" "modinfo --basedir=$root --set-version " \
	1.0-fake 2.0-other
expect "depmod: the version, under -b ROOT" "depmod -b $root " 1.0-fake 2.0-other
expect "depmod: the version, under -b ROOT and -m DIR" "depmod -b $root -m /lib/other " 3.0-moddir
expect "depmod -a: the version" "depmod -a -b $root 1" 1.0-fake
# shellcheck disable=SC2086
expect "modinfo -F: the fields" "modinfo -F " $modinfo_fields
expect "modinfo --field=: the fields with a prefix" "modinfo --field=sig" \
	sig_hashalgo sig_id sig_key signature signer
no_equals_break=1 expect "modinfo --field=, \"=\" not a word break" "modinfo --field=sig_h" \
	--field=sig_hashalgo
expect "modinfo -Ffield" "modinfo -Fver" -Fvermagic -Fversion
expect "kmod static-nodes --format=: the formats" "kmod static-nodes --format=" \
	human tmpfiles devname
expect "kmod static-nodes -f: a prefix" "kmod static-nodes -f t" tmpfiles
expect "kmod static-nodes -o: files" "kmod static-nodes -o $root/etc/modprobe.d/o" \
	"$root/etc/modprobe.d/one.conf"
expect "modprobe -C: files and directories" "modprobe -C $root/etc/modprobe.d/" \
	"$root/etc/modprobe.d/one.conf" "$root/etc/modprobe.d/two.conf"
expect "modprobe -d: directories" "modprobe -d $root/f" "$root/files"
expect "depmod -E: files" "depmod -E $root/files/e" "$root/files/e.txt"
expect "modprobe -w: a number, nothing to offer" "modprobe -w "
expect "depmod -P: a character, nothing to offer" "depmod -P "

# ---- module names ---------------------------------------------------------------
# shellcheck disable=SC2086
expect "modprobe: the modules and built-in modules" "modprobe -d $root -S 1.0-fake " $fake_modules
expect "modprobe: underscores for dashes" "modprobe -d $root -S 1.0-fake snd-b" snd_bar
expect "modprobe: a prefix" "modprobe -d $root -S 1.0-fake b" baz_qux builtin_one
expect "modprobe: the other kernel's" "modprobe -S 2.0-other -d $root " other
expect "modprobe: no module parameter offered" "modprobe -d $root -S 1.0-fake foo "
# shellcheck disable=SC2086
expect "modprobe -a: more modules" "modprobe -a -d $root -S 1.0-fake foo " $fake_modules
expect "modprobe -c: no argument" "modprobe -c -d $root -S 1.0-fake "
# shellcheck disable=SC2086
expect "modinfo: the modules" "modinfo -b $root -k 1.0-fake " $fake_modules
expect "modinfo: several" "modinfo -b $root -k 1.0-fake foo c" crc_two

tree=$(module_tree)
if [ -n "$tree" ]; then
	release=${tree##*/}
	comp "modprobe -S $release " > "$work/got"
	want=$(cat "$tree/modules.dep" "$tree/modules.builtin" 2>/dev/null | wc -l)
	[ "$(wc -l < "$work/got")" -eq "$want" ]
	ok $? "modprobe -S $release: as many names as modules.dep and modules.builtin have lines ($want)"
	grep -qx ext4 "$work/got"
	ok $? "modprobe -S $release: ext4 is one"
	comp "modinfo -k $release snd-hda-int" > "$work/got"
	grep -qx snd_hda_intel "$work/got"
	ok $? "modinfo -k $release snd-hda-int: snd_hda_intel"
	# How long the completion function takes for all names (a diagnostic).
	COMP_LINE="modprobe -S $release " COMP_POINT=${#COMP_LINE}
	COMP_WORDS=(modprobe -S "$release" '') COMP_CWORD=3
	start=$EPOCHREALTIME
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		_modtool_modprobe
	done
	echo "# the ${#COMPREPLY[@]} names of $release: $(( (${EPOCHREALTIME/./} - ${start/./}) / 10000 )) ms a completion"
else
	skip "module names of the installed tree" "no module tree installed"
fi

# ---- under the shim: the fake system's /proc/modules and /lib/modules -------------
if [ -f "${MT_SHIM:-}" ]; then
	shimmed() {	# shimmed LINE: comp LINE in a bash under the shim
		MT_SHIM_ROOT=$root MT_SHIM_UNAME_R=1.0-fake LD_PRELOAD=$MT_SHIM \
			top_srcdir=$top_srcdir bash -c "$(declare -f comp sorted); . '$script'; work='$work'; comp \"\$1\"" comp "$1"
	}
	shim_expect() {	# shim_expect DESCRIPTION LINE WORD...
		local descr=$1 line=$2
		shift 2
		shimmed "$line" > "$work/got"
		sorted "$@" > "$work/want"
		same "$work/want" "$work/got"
		ok $? "$descr: '${line//$root/ROOT}'"
	}
	# shellcheck disable=SC2086
	shim_expect "rmmod: the loaded modules" "rmmod " $fake_loaded
	shim_expect "rmmod: a prefix, dashes for underscores" "rmmod loaded-t" loaded_two
	shim_expect "rmmod: several" "rmmod loaded_one l" loaded_one loaded_two
	# shellcheck disable=SC2086
	shim_expect "modprobe -r: the loaded modules" "modprobe -r " $fake_loaded
	shim_expect "modprobe --remove: a prefix" "modprobe --remove snd" snd_hda_intel
	shim_expect "modprobe --remove-holders implies -r" "modprobe --remove-holders loaded_" \
		loaded_one loaded_two
	# shellcheck disable=SC2086
	shim_expect "modprobe: the running kernel's modules by default" "modprobe " $fake_modules
	shim_expect "modprobe -S: the versions by default" "modprobe -S " 1.0-fake 2.0-other
else
	skip "loaded modules from a fake /proc/modules" "the shim is not built"
fi

# ---- files --------------------------------------------------------------------------
f=$root/files
expect "insmod: module files and directories" "insmod $f/" \
	"$f/a.ko" "$f/b.ko.xz" "$f/c.ko.gz" "$f/d.ko.zst" "$f/subdir"
expect "insmod: in a subdirectory" "insmod $f/subdir/" "$f/subdir/g.ko"
expect "insmod: parameters after the file" "insmod $f/a.ko "
expect "modinfo: files when the word is a path" "modinfo $f/" \
	"$f/a.ko" "$f/b.ko.xz" "$f/c.ko.gz" "$f/d.ko.zst" "$f/subdir"
expect "modprobe: files when the word is a path" "modprobe -d $root -S 1.0-fake $f/a" "$f/a.ko"
expect "modprobe --show-modversions: files" "modprobe --show-modversions $f/c" "$f/c.ko.gz"
# shellcheck disable=SC2086
expect "modprobe --show-exports: module names" "modprobe -d $root -S 1.0-fake --show-exports " \
	$fake_modules
expect "depmod: module files after the version" "depmod -b $root 1.0-fake $f/d" "$f/d.ko.zst"
(cd "$f" && comp "modinfo -b $root -k 1.0-fake ") > "$work/got"
# shellcheck disable=SC2086
sorted $fake_modules a.ko b.ko.xz c.ko.gz d.ko.zst > "$work/want"
same "$work/want" "$work/got"
ok $? "modinfo: the modules and the module files of the current directory"

# ---- bash-completion's loader ----------------------------------------------------------
loader=/usr/share/bash-completion/bash_completion
if [ -r "$loader" ]; then
	# The installed layout: the script as kmod, the tools linked to it.
	mkdir -p "$work/bc/completions"
	cp "$script" "$work/bc/completions/kmod"
	for t in insmod rmmod lsmod modinfo modprobe depmod; do
		ln -s kmod "$work/bc/completions/$t"
	done
	for t in kmod insmod rmmod lsmod modinfo modprobe depmod; do
		got=$(BASH_COMPLETION_USER_DIR=$work/bc bash --norc -c \
			". '$loader'; __load_completion $t && complete -p $t" 2>&1)
		[ "$got" = "complete -F _modtool_$t $t" ]
		rc=$?
		[ $rc = 0 ] || echo "$got" | sed 's/^/# got: /'
		ok $rc "bash-completion's loader finds the completion of $t"
	done
	got=$(BASH_COMPLETION_USER_DIR=$work/bc bash --norc -c \
		". '$loader'; __load_completion modinfo; $(declare -f comp sorted); work='$work'; comp 'modinfo -b $root -k 1.0-fake --field=de'" 2>&1)
	[ "$got" = "$(sorted depends description)" ]
	rc=$?
	[ $rc = 0 ] || echo "$got" | sed 's/^/# got: /'
	ok $rc "loaded by bash-completion: modinfo --field=de completes"
else
	skip "bash-completion's loader" "bash-completion is not installed"
fi

done_testing
