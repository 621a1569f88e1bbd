# completion-lib.sh — sourced by the shell-completion tests after common.sh:
# the tools' options as their sources declare them, a fake system to complete
# from, and the expected answers on it.

# tool_options TOOL: the tool's options, one a line, sorted: the long ones of
# its getopt_long table and the short ones of its option string.
tool_options() {
	src=$top_srcdir/tools/$1.c
	{
		sed -n '/struct option options\[\] = {/,/{ NULL/s/^[[:space:]]*{ "\([^"]*\)",.*/--\1/p' "$src"
		sed -n 's/.*getopt_long([^"]*"\([^"]*\)".*/\1/p' "$src" | tr -d ':' | fold -w 1 | sed 's/^/-/'
	} | LC_ALL=C sort -u
}

# kmod's own options and commands (the options before the command, then
# static-nodes' options; closure's are its getopt table's).
kmod_options='-V --version -h --help'
kmod_commands='help list static-nodes closure'
static_nodes_options='-f --format -o --output -h --help'
modinfo_fields='alias author build-id depends description filename firmware import_ns intree license
	name parm parmtype retpoline scmversion sig_hashalgo sig_id sig_key signature signer
	softdep srcversion staging vermagic version weakdep'

# sorted WORD...: the words, one a line, sorted.
sorted() {
	printf '%s\n' "$@" | sed '/^$/d' | LC_ALL=C sort -u
}

# make_fake_system ROOT: two kernels' module directories under
# ROOT/lib/modules (1.0-fake with modules and built-in modules, 2.0-other),
# a directory of module files and other files in ROOT/files, a configuration
# directory ROOT/etc/modprobe.d, and ROOT/proc/modules.  The names they
# should complete to are in fake_modules, fake_loaded.
make_fake_system() {
	d=$1/lib/modules/1.0-fake
	mkdir -p "$d/kernel/fs" "$1/lib/modules/2.0-other" "$1/lib/other/3.0-moddir" \
		"$1/files/subdir" "$1/etc/modprobe.d" "$1/proc"
	cat > "$d/modules.dep" <<'EOF'
kernel/fs/foo.ko:
kernel/sound/snd-bar.ko.xz: kernel/fs/foo.ko
updates/dkms/baz_qux.ko.zst:
extra/gz-mod.ko.gz: kernel/sound/snd-bar.ko.xz kernel/fs/foo.ko
kernel/drivers/kobject-ext.ko:
EOF
	cat > "$d/modules.builtin" <<'EOF'
kernel/fs/builtin-one.ko
kernel/lib/crc_two.ko
EOF
	echo "kernel/other.ko:" > "$1/lib/modules/2.0-other/modules.dep"
	fake_modules='foo snd_bar baz_qux gz_mod kobject_ext builtin_one crc_two'
	for f in a.ko b.ko.xz c.ko.gz d.ko.zst e.txt f.ko.bak subdir/g.ko; do
		: > "$1/files/$f"
	done
	: > "$1/etc/modprobe.d/one.conf"
	: > "$1/etc/modprobe.d/two.conf"
	cat > "$1/proc/modules" <<'EOF'
snd_hda_intel 61440 2 - Live 0x0000000000000000
loaded_one 16384 0 - Live 0x0000000000000000
loaded_two 20480 1 loaded_one, Live 0x0000000000000000
EOF
	fake_loaded='snd_hda_intel loaded_one loaded_two'
}
