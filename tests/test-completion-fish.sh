#!/bin/bash
# test-completion-fish.sh — the fish completions (shell-completion/fish/):
# each file sourced by fish without a message, then found by fish's own
# loader in a vendor_completions.d and asked with "complete -C LINE": options
# against the tools' getopt tables, option arguments, module names of a fake
# tree, loaded modules from a fake /proc/modules (under the shim), files.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"
. "$top_srcdir/tests/completion-lib.sh"

command -v fish > /dev/null || skip_all "fish is not installed"
dir=$top_srcdir/shell-completion/fish
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd -P)	# the shim wants a canonical root
root=$work/root
make_fake_system "$root"

# fish with no user configuration, and the completions where a package
# installs them.
mkdir -p "$work/data/fish/vendor_completions.d" "$work/config"
cp "$dir"/*.fish "$work/data/fish/vendor_completions.d/"
fish_() {
	XDG_CONFIG_HOME=$work/config XDG_DATA_HOME=$work/data fish "$@"
}

# ---- loading ------------------------------------------------------------------
for f in "$dir"/*.fish; do
	fish_ -c "source '$f'" > "$work/out" 2>&1
	rc=$?
	sed 's/^/# /' "$work/out"
	[ $rc = 0 ] && [ ! -s "$work/out" ]
	ok $? "fish sources ${f##*/} without a message"
done

# ---- completing -----------------------------------------------------------------
# fexpect DESCRIPTION LINE WORD...: "complete -C LINE" offers exactly the words.
fexpect() {
	local descr=$1 line=$2
	shift 2
	(cd "$root/files" && fish_ -c 'complete -C"$argv[1]"' "$line") > "$work/out" 2>&1
	grep -v "$(printf '\t')" "$work/out" | grep -v '^[^ ]*$' | sed 's/^/# stray: /'
	cut -f 1 "$work/out" | sed '/^$/d' | LC_ALL=C sort -u > "$work/got"
	sorted "$@" > "$work/want"
	same "$work/want" "$work/got"
	ok $? "fish: $descr: '${line//$root/ROOT}'"
}

for t in insmod rmmod lsmod modinfo modprobe depmod; do
	# shellcheck disable=SC2046
	fexpect "$t: every option of its getopt table" "$t -" $(tool_options "$t")
done
fexpect "modprobe: long options" "modprobe --sh" \
	--show --show-alias --show-config --show-depends --show-exports --show-modversions --showconfig
# shellcheck disable=SC2086
fexpect "kmod: its options" "kmod -" $kmod_options
# shellcheck disable=SC2086
fexpect "kmod: its commands" "kmod " $kmod_commands
# shellcheck disable=SC2086
fexpect "kmod static-nodes: its options" "kmod static-nodes -" $static_nodes_options
fexpect "kmod static-nodes -f: the formats" "kmod static-nodes -f " devname human tmpfiles
# shellcheck disable=SC2046
fexpect "kmod closure: its options" "kmod closure -" $(tool_options closure)
fexpect "kmod closure -k: the versions under -b ROOT" "kmod closure -b $root -k " 1.0-fake 2.0-other
fexpect "kmod list: nothing" "kmod list "
# shellcheck disable=SC2046
fexpect "kmod list: lsmod's options" "kmod list -" $(tool_options lsmod)

fexpect "modprobe -S: the versions under -d ROOT" "modprobe -d $root -S " 1.0-fake 2.0-other
fexpect "modprobe --set-version=: under --dirname=ROOT" \
	"modprobe --dirname=$root --set-version=2" --set-version=2.0-other
fexpect "modinfo -k: the versions under -b ROOT" "modinfo -b $root -k " 1.0-fake 2.0-other
fexpect "depmod: the version under -b ROOT" "depmod -b $root " 1.0-fake 2.0-other
fexpect "depmod: the version under -b ROOT -m DIR" "depmod -b $root -m /lib/other " 3.0-moddir
# shellcheck disable=SC2086
fexpect "modinfo -F: the fields" "modinfo -F " $modinfo_fields
fexpect "modinfo --field=: a prefix" "modinfo --field=sig_" \
	--field=sig_hashalgo --field=sig_id --field=sig_key
fexpect "modprobe -w: nothing to offer" "modprobe -w "

# shellcheck disable=SC2086
fexpect "modprobe: the modules and built-in modules" "modprobe -d $root -S 1.0-fake " $fake_modules
fexpect "modprobe: dashes when the word has one" "modprobe -d $root -S 1.0-fake snd-" snd-bar
fexpect "modprobe: no module parameter offered" "modprobe -d $root -S 1.0-fake foo "
# shellcheck disable=SC2086
fexpect "modprobe -a: more modules" "modprobe -a -d $root -S 1.0-fake foo " $fake_modules
fexpect "modprobe -c: no argument" "modprobe -c -d $root -S 1.0-fake "
# shellcheck disable=SC2086
fexpect "modinfo: the modules and the module files here" "modinfo -b $root -k 1.0-fake " \
	$fake_modules a.ko b.ko.xz c.ko.gz d.ko.zst

f=$root/files
fexpect "insmod: module files and directories" "insmod $f/" \
	"$f/a.ko" "$f/b.ko.xz" "$f/c.ko.gz" "$f/d.ko.zst" "$f/subdir/"
fexpect "insmod: parameters after the file" "insmod $f/a.ko "
fexpect "modprobe --show-exports: files" "modprobe --show-exports $f/c" "$f/c.ko.gz"
# shellcheck disable=SC2086
fexpect "modprobe --show-modversions: module names" \
	"modprobe -d $root -S 1.0-fake --show-modversions " $fake_modules
fexpect "depmod: module files after the version" "depmod -b $root 1.0-fake $f/d" "$f/d.ko.zst"

tree=$(module_tree)
if [ -n "$tree" ]; then
	release=${tree##*/}
	fish_ -c 'complete -C"$argv[1]"' "modprobe -S $release " | cut -f 1 > "$work/got"
	want=$(cat "$tree/modules.dep" "$tree/modules.builtin" 2>/dev/null | wc -l)
	[ "$(wc -l < "$work/got")" -eq "$want" ] && grep -qx ext4 "$work/got"
	ok $? "fish: modprobe -S $release: $want names, ext4 among them"
else
	skip "fish: module names of the installed tree" "no module tree installed"
fi

if [ -f "${MT_SHIM:-}" ]; then
	fish_shimmed() {	# fish_shimmed DESCRIPTION LINE WORD...
		local descr=$1 line=$2
		shift 2
		MT_SHIM_ROOT=$root MT_SHIM_UNAME_R=1.0-fake LD_PRELOAD=$MT_SHIM \
			fish_ -c 'complete -C"$argv[1]"' "$line" 2>&1 | cut -f 1 | LC_ALL=C sort -u > "$work/got"
		sorted "$@" > "$work/want"
		same "$work/want" "$work/got"
		ok $? "fish: $descr: '$line'"
	}
	# shellcheck disable=SC2086
	fish_shimmed "rmmod: the loaded modules" "rmmod " $fake_loaded
	fish_shimmed "modprobe -r: a prefix" "modprobe -r loaded_" loaded_one loaded_two
	fish_shimmed "modprobe --remove-holders implies -r" "modprobe --remove-holders loaded_" \
		loaded_one loaded_two
	# shellcheck disable=SC2086
	fish_shimmed "modprobe: the running kernel's modules by default" "modprobe " $fake_modules
else
	skip "fish: loaded modules from a fake /proc/modules" "the shim is not built"
fi

done_testing
