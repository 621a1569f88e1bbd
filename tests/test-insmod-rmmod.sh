#!/bin/sh
# test-insmod-rmmod.sh — insmod and rmmod against a fake system under the
# shim: the module syscalls they make (flags, parameter strings, finit or
# init), the state they leave, and kmod 34.2's message and exit status for
# every error path.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

[ -f "${MT_SHIM:-}" ] || missing_input_all "the shim is not built"
INSMOD=$(tool insmod)
RMMOD=$(tool rmmod)
GENMOD="$top_builddir/tests/genmod"
VER=9.9.9-test
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/root"
mods="$work/mods"
mkdir -p "$mods"

"$GENMOD" -o "$mods/foo-bar.ko" --name foo_bar --modinfo name=foo_bar \
	--modinfo "vermagic=$VER SMP" --version module_layout:0x1
"$GENMOD" -o "$mods/novermagic.ko" --name novermagic --modinfo name=novermagic
printf 'abc' > "$mods/short.ko"
xz -c "$mods/foo-bar.ko" > "$mods/foo-bar.ko.xz"
zstd -q -c "$mods/foo-bar.ko" > "$mods/foo-bar.ko.zst"
gzip -c "$mods/foo-bar.ko" > "$mods/foo-bar.ko.gz"
size=$(wc -c < "$mods/foo-bar.ko")

reset_root() {
	rm -rf "$root"
	mkdir -p "$root/proc" "$root/sys/module" "$root/lib/modules/$VER"
	: > "$root/proc/modules"
	: > "$work/log"
}

# run TOOL ARGS... — under the shim; stdout+stderr in $work/out, status $rc
run() {
	MT_SHIM_ROOT=$root MT_SHIM_UNAME_R=$VER MT_SHIM_LOG=$work/log LD_PRELOAD=$MT_SHIM \
		"$@" > "$work/out" 2>&1
	rc=$?
}

expect() {	# expect STATUS OUTPUT LOG DESCRIPTION
	printf '%s' "$2" > "$work/want.out"
	[ -z "$2" ] || echo >> "$work/want.out"
	printf '%s' "$3" > "$work/want.log"
	[ -z "$3" ] || echo >> "$work/want.log"
	same "$work/want.out" "$work/out" && same "$work/want.log" "$work/log" && [ "$rc" = "$1" ]
	ok $? "$4"
}

# ---- insmod -------------------------------------------------------------------
reset_root
run "$INSMOD" "$mods/foo-bar.ko"
expect 0 "" 'finit_module foo_bar params="" flags=0x0' "insmod uses finit_module"
[ "$(cat "$root/sys/module/foo_bar/initstate")" = live ]
ok $? "the module is live afterwards"

: > "$work/log"
run "$INSMOD" "$mods/foo-bar.ko"
expect 1 "insmod: ERROR: could not insert module $mods/foo-bar.ko: File exists" \
	'finit_module foo_bar params="" flags=0x0' "a second insmod: File exists"

reset_root
run "$INSMOD" "$mods/foo-bar.ko" a=1 'b=x y' c='"q r"' d="it's" 'e=' f
expect 0 "" 'finit_module foo_bar params="a=1 b=\"x y\" c=\"q r\" d=it'"'"'s e= f" flags=0x0' \
	"parameters reach the kernel joined, a value with a space quoted"

reset_root
run "$INSMOD" -f "$mods/foo-bar.ko"
expect 0 "" 'finit_module foo_bar params="" flags=0x3' "-f ignores modversions and vermagic"

# --force-vermagic and --force-modversion (kmod's main branch, as modprobe's):
# finit_module gets only that flag; init_module a copy with only that check
# stripped, the file untouched.
for case in "--force-vermagic:0x2" "--force-modversion:0x1" \
	"--force-vermagic --force-modversion:0x3"; do
	reset_root
	# shellcheck disable=SC2086
	run "$INSMOD" ${case%:*} "$mods/foo-bar.ko"
	expect 0 "" "finit_module foo_bar params=\"\" flags=${case#*:}" "${case%:*}: finit_module flags ${case#*:}"
done
vermagic_of() {	# vermagic_of FILE — the vermagic= strings of FILE
	tr '\0' '\n' < "$1" | grep '^vermagic='
}
versions_loaded() {	# versions_loaded FILE — __versions has SHF_ALLOC ("A")
	readelf -S -W "$1" | grep -Eq ' __versions +PROGBITS +[0-9a-f]+ [0-9a-f]+ [0-9a-f]+ [0-9a-f]+ +A '
}
cp "$mods/foo-bar.ko" "$work/orig.ko"
# stripped FORCE FILE — FILE has exactly the checks FORCE ignores stripped
stripped() {
	case $1 in
	--force-vermagic) [ -z "$(vermagic_of "$2")" ] && versions_loaded "$2" ;;
	--force-modversion) [ "$(vermagic_of "$2")" = "vermagic=$VER SMP" ] && ! versions_loaded "$2" ;;
	-f) [ -z "$(vermagic_of "$2")" ] && ! versions_loaded "$2" ;;
	esac
}
for case in --force-vermagic:0x2 --force-modversion:0x1 -f:0x3; do
	force=${case%:*}
	reset_root
	rm -rf "$work/images"
	mkdir "$work/images"
	MT_SHIM_IMAGES=$work/images MT_SHIM_FAIL=finit_module:ENOSYS run "$INSMOD" "$force" "$mods/foo-bar.ko"
	expect 0 "" "finit_module foo_bar params=\"\" flags=${case#*:}
init_module foo_bar len=$size params=\"\"" "$force without finit_module: init_module"
	stripped "$force" "$work/images/foo_bar.ko"
	ok $? "$force: the image loaded has only that check stripped"
	cmp -s "$mods/foo-bar.ko" "$work/orig.ko" && stripped "$force" "$work/images/foo_bar.ko" &&
		! stripped "$force" "$mods/foo-bar.ko"
	ok $? "$force: a private copy was stripped, the file is unchanged"
done
reset_root
MT_SHIM_FAIL=finit_module:ENOSYS run "$INSMOD" --force-modversion "$mods/novermagic.ko"
expect 0 "" 'finit_module novermagic params="" flags=0x1
init_module novermagic len='"$(wc -c < "$mods/novermagic.ko")"' params=""' \
	"--force-modversion of a module without vermagic or __versions loads"
reset_root
MT_SHIM_FAIL=finit_module:ENOSYS run "$INSMOD" --force-vermagic "$mods/novermagic.ko"
expect 1 "insmod: ERROR: Failed to strip version information: No data available
insmod: ERROR: could not insert module $mods/novermagic.ko: No data available" \
	'finit_module novermagic params="" flags=0x2' \
	"--force-vermagic of a module without vermagic: strip failure"

for ext in xz zst gz; do
	reset_root
	run "$INSMOD" "$mods/foo-bar.ko.$ext"
	expect 0 "" "init_module foo_bar len=$size params=\"\"" \
		".ko.$ext without kernel decompression: init_module with the decompressed image"
done

reset_root
echo xz > "$root/sys/module/compression"
run "$INSMOD" "$mods/foo-bar.ko.xz" x=1
expect 0 "" 'finit_module foo_bar params="x=1" flags=0x4' \
	".ko.xz on a kernel decompressing xz: finit_module with MODULE_INIT_COMPRESSED_FILE"
reset_root
echo zstd > "$root/sys/module/compression"
run "$INSMOD" -f "$mods/foo-bar.ko.xz"
expect 0 "" "init_module foo_bar len=$size params=\"\"" \
	".ko.xz on a kernel decompressing zstd: decompressed in user space"
reset_root
echo lz4 > "$root/sys/module/compression"
run "$INSMOD" "$mods/foo-bar.ko.zst"
expect 0 "insmod: ERROR: unknown kernel compression in /sys/module/compression: lz4" \
	"init_module foo_bar len=$size params=\"\"" "an unknown kernel decompressor is reported and skipped"

reset_root
MT_SHIM_FAIL=finit_module:ENOSYS run "$INSMOD" "$mods/foo-bar.ko" p=2
expect 0 "" "finit_module foo_bar params=\"p=2\" flags=0x0
init_module foo_bar len=$size params=\"p=2\"" "no finit_module in the kernel: init_module"

reset_root
MT_SHIM_FAIL=finit_module:ENOSYS run "$INSMOD" -f "$mods/novermagic.ko"
expect 1 "insmod: ERROR: Failed to strip version information: No data available
insmod: ERROR: could not insert module $mods/novermagic.ko: No data available" \
	'finit_module novermagic params="" flags=0x3' \
	"-f through init_module on a module without vermagic: strip failure"

for case in "ENOEXEC:Invalid module format" "ENOENT:Unknown symbol in module" \
	"ESRCH:Module has wrong symbol version" "EINVAL:Invalid parameters" \
	"EPERM:Operation not permitted" "EBUSY:Device or resource busy"; do
	reset_root
	MT_SHIM_FAIL="finit_module:${case%%:*}" run "$INSMOD" "$mods/foo-bar.ko"
	expect 1 "insmod: ERROR: could not insert module $mods/foo-bar.ko: ${case#*:}" \
		'finit_module foo_bar params="" flags=0x0' "kernel error ${case%%:*}: ${case#*:}"
done

reset_root
MT_SHIM_FAIL="finit_module:EPERM" run "$INSMOD" -vvv "$mods/foo-bar.ko"
expect 1 "insmod: INFO: Failed to insert module '$mods/foo-bar.ko': Operation not permitted
insmod: ERROR: could not insert module $mods/foo-bar.ko: Operation not permitted" \
	'finit_module foo_bar params="" flags=0x0' "-vvv adds the INFO line"

reset_root
run "$INSMOD" "$mods/missing.ko"
expect 1 "insmod: ERROR: could not load module $mods/missing.ko: No such file or directory" "" \
	"a missing file"
run "$INSMOD" "$mods/short.ko"
expect 1 "insmod: ERROR: could not insert module $mods/short.ko: Invalid parameters" "" \
	"a file shorter than any magic: Invalid parameters"
run "$INSMOD"
expect 1 "insmod: ERROR: missing filename." "" "no filename"
run "$INSMOD" -
expect 1 "insmod: ERROR: this tool does not support loading from stdin!" "" "stdin refused"

# ---- rmmod --------------------------------------------------------------------
load() {	# load NAME [REFCNT [HOLDER...]]: a loaded module's sysfs state
	d="$root/sys/module/$1"
	mkdir -p "$d/holders"
	echo live > "$d/initstate"
	echo "${2:-0}" > "$d/refcnt"
	shift
	[ $# -gt 0 ] && shift
	for h in "$@"; do : > "$d/holders/$h"; done
}

reset_root
load foo_bar
run "$RMMOD" foo-bar
expect 0 "" "delete_module foo_bar flags=0x800" "rmmod normalizes the name, O_NONBLOCK"
[ ! -e "$root/sys/module/foo_bar" ]
ok $? "the module is gone afterwards"

reset_root
load foo_bar
run "$RMMOD" "$mods/foo-bar.ko"
expect 0 "" "delete_module foo_bar flags=0x800" "rmmod of a file path uses its module name"

reset_root
load foo_bar 2
run "$RMMOD" -f foo_bar
expect 0 "" "delete_module foo_bar flags=0xa00" "rmmod -f adds O_TRUNC and skips the checks"

reset_root
run "$RMMOD" nosuch
expect 1 "rmmod: ERROR: Module nosuch is not currently loaded" "" "not loaded"

reset_root
load xor 1 btrfs
run "$RMMOD" xor
expect 1 "rmmod: ERROR: Module xor is in use by:rmmod: ERROR:  btrfsrmmod: ERROR: " "" \
	"holders are named (kmod 34.2's split message)"

reset_root
load xor 1
run "$RMMOD" xor
expect 1 "rmmod: ERROR: Module xor is in use" "" "refcnt > 0: in use"

reset_root
load xor
rm "$root/sys/module/xor/refcnt"
run "$RMMOD" xor
expect 1 "rmmod: ERROR: Module unloading is not supported" "" "no refcnt: unloading not supported"

reset_root
load odd
echo weird > "$root/sys/module/odd/initstate"
run "$RMMOD" odd
expect 1 "rmmod: ERROR: unknown /sys/module/odd/initstate: 'weird
'
rmmod: ERROR: Module odd is not currently loaded" "" "an unknown initstate is reported"

reset_root
load foo_bar
load other
MT_SHIM_FAIL="foo_bar@delete_module:EBUSY" run "$RMMOD" foo_bar other
expect 1 "rmmod: ERROR: could not remove 'foo_bar': Device or resource busy
rmmod: ERROR: could not remove module foo_bar: Device or resource busy" \
	"delete_module foo_bar flags=0x800
delete_module other flags=0x800" "a kernel refusal is reported and the next operand still removed"

if DEPMOD=$(kmod_tool depmod); then
	reset_root
	printf 'kernel/net/unix/unix.ko\n' > "$root/lib/modules/$VER/modules.builtin"
	"$DEPMOD" -b "$root" "$VER" 2>/dev/null
	run "$RMMOD" unix
	expect 1 "rmmod: ERROR: Module unix is builtin." "" "a built-in module"
else
	missing_input "a built-in module" "kmod's depmod is not installed"
fi

# The library calls glibc's init_module() and delete_module(), which an
# LD_PRELOAD harness can replace; only finit_module goes through syscall().
lib="$top_builddir/lib/.libs/libmodtool.so"
if [ -f "$lib" ] && command -v nm > /dev/null; then
	nm -D --undefined-only "$lib" | awk '{ print $NF }' | sed 's/@.*//' |
		grep -E '^(init_module|delete_module|syscall)$' | sort > "$work/imports"
	printf 'delete_module\ninit_module\nsyscall\n' > "$work/want"
	same "$work/want" "$work/imports"
	ok $? "libmodtool imports glibc's init_module and delete_module"
else
	skip "libmodtool imports glibc's init_module and delete_module" "no shared library or nm"
fi

run "$RMMOD"
expect 1 "rmmod: ERROR: missing module name." "" "no operand"
run "$RMMOD" -w foo
grep -q "invalid option -- 'w'" "$work/out" && [ "$rc" = 1 ]
ok $? "-w is not an option (removed from kmod)"
done_testing
