#!/bin/bash
# test-completion-zsh.sh — the zsh completion (shell-completion/zsh/_kmod):
# loaded by compinit for the seven commands without a message, then driven in
# an interactive zsh on a pseudo-terminal (zsh/zpty): each line is typed with
# a Tab, and the matches that reach compadd are recorded.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"
. "$top_srcdir/tests/completion-lib.sh"

command -v zsh > /dev/null || skip_all "zsh is not installed"
dir=$top_srcdir/shell-completion/zsh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
make_fake_system "$root"

# ---- loading ------------------------------------------------------------------
zsh -f -c "fpath=('$dir' \$fpath); autoload -U compinit; compinit -u -D
	autoload -U +X _kmod
	for c in kmod insmod rmmod lsmod modinfo modprobe depmod; do
		[[ \$_comps[\$c] == _kmod ]] || print -r -- \"\$c: \$_comps[\$c]\"
	done" > "$work/out" 2>&1
rc=$?
sed 's/^/# /' "$work/out"
[ $rc = 0 ] && [ ! -s "$work/out" ]
ok $? "compinit loads _kmod for the seven commands without a message"

# ---- completing ------------------------------------------------------------------
zsh -f -c 'zmodload zsh/zpty' 2> /dev/null || { done_testing; exit; }
cat > "$work/drive.zsh" <<'EOF'
# drive.zsh FPATH-DIR OUT LINE...: types each line and a Tab into an
# interactive zsh, and writes to OUT.N the matches of line N, one a line.
zmodload zsh/zpty
dir=$1 out=$2
shift 2
zpty z zsh -f -i
zpty -w z "fpath=(${(q)dir} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd() { local -a m; builtin compadd -O m "$@"; print -rl -- $m >> $OUT; builtin compadd "$@"; }'
zpty -w z ": > ${(q)out}.ready"
# wait until the shell is ready (typeahead before zle starts may be lost)
for ((i = 0; i < 400; i++)); do zpty -r -t z junk; [[ -e $out.ready ]] && break; sleep 0.05; done
# Each line is typed only once zle has started for it: typed while the
# terminal is still in canonical mode (the shell busy with the previous
# command), the ^U below would be the tty's kill character and erase it.
zpty -w z 'zle-line-init() { [[ -n $OUT ]] && : >| $OUT.zle; }; zle -N zle-line-init'
n=0
for line; do
	(( n++ ))
	zpty -w z "OUT=${(q)out}.$n; : > \$OUT"
	for ((i = 0; i < 1200; i++)); do zpty -r -t z junk; [[ -e $out.$n.zle ]] && break; sleep 0.05; done
	zpty -w -n z "$line"$'\t'
	zpty -w -n z $'\C-u'
	zpty -w z ": > \$OUT.done"
	# up to a minute: a loaded machine can be slow to start the completion
	for ((i = 0; i < 1200; i++)); do zpty -r -t z junk; [[ -e $out.$n.done ]] && break; sleep 0.05; done
done
zpty -d z
EOF

# zcase DESCRIPTION LINE WORD...: a case for run_cases, which types the lines
# of all cases in one zsh: the matches of LINE are the words or, with
# "--contains" before them, include them.
lines=()
check=()
zcase() { lines+=("$2"); check+=("$(printf '%q ' "$@")"); }
run_cases() {
	(cd "$root/files" && timeout 300 zsh -f "$work/drive.zsh" "$dir" "$work/m" "${lines[@]}") \
		> /dev/null 2>&1
	for ((i = 0; i < ${#lines[@]}; i++)); do
		eval "set -- ${check[i]}"
		descr=$1 line=$2
		shift 2
		LC_ALL=C sort -u "$work/m.$((i + 1))" 2> /dev/null | sed '/^$/d' > "$work/got"
		if [ ! -e "$work/m.$((i + 1)).done" ]; then
			echo "# the line was not completed"
			false
		elif [ "$1" = --contains ]; then
			shift
			sorted "$@" | LC_ALL=C comm -23 - "$work/got" > "$work/missing"
			[ ! -s "$work/missing" ] || sed 's/^/# missing: /' "$work/missing"
			[ ! -s "$work/missing" ]
		else
			sorted "$@" > "$work/want"
			same "$work/want" "$work/got"
		fi
		ok $? "zsh: $descr: '${line//$root/ROOT}'"
	done
}
for t in insmod rmmod lsmod modinfo modprobe depmod; do
	# shellcheck disable=SC2046
	zcase "$t: every option of its getopt table" "$t -" $(tool_options "$t")
done
# shellcheck disable=SC2086
zcase "kmod: its options" "kmod -" $kmod_options
# shellcheck disable=SC2086
zcase "kmod: its commands" "kmod " $kmod_commands
# shellcheck disable=SC2086
zcase "kmod static-nodes: its options" "kmod static-nodes -" $static_nodes_options
# shellcheck disable=SC2046
zcase "kmod list: lsmod's options" "kmod list -" $(tool_options lsmod)
# shellcheck disable=SC2046
zcase "kmod closure: its options" "kmod closure -" $(tool_options closure)
zcase "kmod closure -k: the versions under -b ROOT" "kmod closure -b $root -k " 1.0-fake 2.0-other
zcase "kmod static-nodes --format=: the formats" "kmod static-nodes --format=" \
	devname human tmpfiles
zcase "modprobe -S: the versions under -d ROOT" "modprobe -d $root -S " 1.0-fake 2.0-other
zcase "modinfo --set-version=: under -bROOT" "modinfo -b$root --set-version=" \
	1.0-fake 2.0-other
zcase "depmod: the version under -b ROOT -m DIR" "depmod -b $root -m /lib/other " 3.0-moddir
# shellcheck disable=SC2086
zcase "modinfo -F: the fields" "modinfo -F " $modinfo_fields
# shellcheck disable=SC2086
zcase "modprobe: the modules and built-in modules" "modprobe -d $root -S 1.0-fake " \
	$fake_modules
zcase "modprobe: dashes as underscores" "modprobe -d $root -S 1.0-fake snd-b" snd_bar
zcase "modprobe: no module parameter offered" "modprobe -d $root -S 1.0-fake foo "
# shellcheck disable=SC2086
zcase "modinfo: modules and module files here" "modinfo -b $root -k 1.0-fake " \
	$fake_modules a.ko b.ko.xz c.ko.gz d.ko.zst
zcase "insmod: module files and directories" "insmod $root/files/" --contains \
	a.ko b.ko.xz c.ko.gz d.ko.zst subdir
zcase "modprobe -w: nothing to offer" "modprobe -w "
# shellcheck disable=SC2086
zcase "modprobe --show-exports: module names" "modprobe -d $root -S 1.0-fake --show-exports " \
	$fake_modules
zcase "modprobe --show-modversions: module files" "modprobe --show-modversions $root/files/" \
	--contains a.ko b.ko.xz c.ko.gz d.ko.zst
run_cases

# No non-module file among insmod's matches.
n=0
for ((i = 0; i < ${#lines[@]}; i++)); do
	[ "${lines[i]}" = "insmod $root/files/" ] && n=$((i + 1))
done
! grep -qx -e e.txt -e f.ko.bak "$work/m.$n"
ok $? "zsh: insmod: no other file"

done_testing
