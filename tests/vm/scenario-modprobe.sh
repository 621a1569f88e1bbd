# shellcheck shell=sh
# scenario-modprobe.sh — depmod over part of the real Debian tree (btrfs,
# its dependencies and soft-dependency targets) plus our test modules, then
# modprobe loading and removing against a real kernel: dependency order,
# soft dependencies, modalias lookup, options, blacklist and install
# commands, each checked in /proc/modules and /sys/module.  Sourced by the
# VM's /init (tests/vm/init) as mt.scenario=modprobe.

bin=/mt/bin
release=$(uname -r)
kmods=/lib/modules/$release

loaded() {	# loaded NAME — NAME is live in the kernel
	grep -q "^$1 " /proc/modules &&
		[ "$(cat "/sys/module/$1/initstate" 2>/dev/null)" = live ]
}

all_loaded() {	# all_loaded NAME... — every NAME is live
	for m in "$@"; do
		loaded "$m" || { diag "$m is not loaded"; return 1; }
	done
}

none_loaded() {	# none_loaded NAME... — no NAME is in /proc/modules
	for m in "$@"; do
		if grep -q "^$m " /proc/modules; then
			diag "$m is still loaded"
			return 1
		fi
	done
}

# line NAME — NAME's line number in /proc/modules (the newest module first)
line() {
	grep -n "^$1 " /proc/modules | cut -d: -f1
}

# loaded_before A B — A was loaded before B (so B is listed above A)
loaded_before() {
	a=$(line "$1") b=$(line "$2")
	[ -n "$a" ] && [ -n "$b" ] && [ "$b" -lt "$a" ] || { diag "$1 was not loaded before $2"; return 1; }
}

run() {	# run COMMAND... — output in /tmp/out, diagnostics on failure
	"$@" >/tmp/out 2>&1
	status=$?
	[ "$status" -eq 0 ] || diag "$* exited $status:" "$(cat /tmp/out)" "$(dmesg | tail -n 5)"
	return "$status"
}

# The image holds btrfs's part of the Debian tree plus our test modules
# under extra/, and kmod's text outputs for it in /mt/reference (made on
# the host, when it has kmod).
mkdir -p /etc/modprobe.d
run "$bin/depmod"
ok $? "depmod indexes the tree"
if [ -d /mt/reference ]; then
	for f in modules.dep modules.alias modules.softdep modules.symbols modules.devname; do
		cmp -s "/mt/reference/$f" "$kmods/$f"
		ok $? "$f is identical to kmod's for the same tree"
	done
else
	missing_input "text outputs identical to kmod's" "the host has no kmod depmod"
fi
grep '^kernel/fs/btrfs/btrfs.ko: ' "$kmods/modules.dep" | tr ' ' '\n' | sort > /tmp/deps
printf '%s\n' kernel/crypto/xor.ko kernel/fs/btrfs/btrfs.ko: kernel/lib/libcrc32c.ko \
	kernel/lib/raid6/raid6_pq.ko kernel/lib/zstd/zstd_compress.ko | sort > /tmp/want
cmp -s /tmp/want /tmp/deps
ok $? "btrfs depends on xor, raid6_pq, zstd_compress and libcrc32c"
[ "$(grep '^extra/mt_chain_a.ko:' "$kmods/modules.dep")" = \
	"extra/mt_chain_a.ko: extra/mt_chain_b.ko extra/mt_chain_c.ko" ]
ok $? "the test chain's dependencies are found"
for f in modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin modules.softdep; do
	[ -s "$kmods/$f" ] || diag "$f is missing or empty"
done
[ -s "$kmods/modules.dep.bin" ] && [ -s "$kmods/modules.alias.bin" ] &&
	[ -s "$kmods/modules.symbols.bin" ] && [ -s "$kmods/modules.softdep" ]
ok $? "the binary indexes and modules.softdep are written"

run "$bin/modprobe" btrfs
ok $? "modprobe btrfs"
all_loaded btrfs xor raid6_pq zstd_compress libcrc32c blake2b_generic
ok $? "btrfs, its dependencies and its soft dependency blake2b_generic are live"
grep -Eq '^crc32c_(intel|generic) ' /proc/modules
ok $? "libcrc32c's soft dependency crc32c is loaded"
loaded_before xor btrfs && loaded_before raid6_pq btrfs && loaded_before zstd_compress btrfs &&
	loaded_before libcrc32c btrfs && loaded_before blake2b_generic btrfs
ok $? "every dependency was loaded before btrfs"
[ "$(cat /sys/module/libcrc32c/refcnt)" -ge 1 ] && grep -q '^libcrc32c .* btrfs,' /proc/modules
ok $? "the kernel counts btrfs as libcrc32c's user"

run "$bin/modprobe" btrfs
ok $? "modprobe btrfs again succeeds silently"
[ ! -s /tmp/out ]
ok $? "  and prints nothing"
"$bin/modprobe" --first-time btrfs >/tmp/out 2>&1
[ $? -eq 1 ] && grep -q "could not insert 'btrfs': Module already in kernel" /tmp/out
ok $? "--first-time refuses a loaded module"

run "$bin/modprobe" -r btrfs
ok $? "modprobe -r btrfs"
none_loaded btrfs xor raid6_pq zstd_compress libcrc32c blake2b_generic
ok $? "btrfs, its now unused dependencies and its soft dependency are gone"

run "$bin/modprobe" -R pci:v0000ABCDd00001234sv00000000sd00000000bc00sc00i00
[ "$(cat /tmp/out)" = mt_decl ]
ok $? "modprobe -R resolves a modalias to mt_decl"
run "$bin/modprobe" pci:v0000ABCDd00001234sv00000000sd00000000bc00sc00i00
ok $? "modprobe of the modalias"
all_loaded mt_decl mt_provider hello && loaded_before mt_provider mt_decl &&
	loaded_before mt_decl hello
ok $? "mt_decl loaded after its pre: softdep mt_provider and before its post: softdep hello"
run "$bin/modprobe" -r mt_decl hello mt_provider
none_loaded mt_decl hello mt_provider
ok $? "modprobe -r of the three"

echo "options hello greeting=9 name=from-config" > /etc/modprobe.d/mt.conf
run "$bin/modprobe" hello 'name=from the command line'
[ "$(cat /sys/module/hello/parameters/greeting)" = 9 ] &&
	[ "$(cat /sys/module/hello/parameters/name)" = "from the command line" ]
ok $? "options from modprobe.d, then the command line's (which win)"
dmesg | grep -q 'hello: loaded, greeting=9 name=from the command line'
ok $? "  as the module itself reports"
run "$bin/modprobe" -r hello

cat > /etc/modprobe.d/mt.conf <<CONF
install mt_chain_c echo ran > /tmp/install-ran; $bin/insmod $kmods/extra/mt_chain_c.ko \$CMDLINE_OPTS
blacklist mt_dash_name
alias mt-dash-alias mt_dash_name
CONF
rm -f /tmp/install-ran
run "$bin/modprobe" mt_chain_a
ok $? "modprobe mt_chain_a with an install command for mt_chain_c"
[ -f /tmp/install-ran ] && all_loaded mt_chain_a mt_chain_b mt_chain_c &&
	loaded_before mt_chain_c mt_chain_b && loaded_before mt_chain_b mt_chain_a
ok $? "the install command loaded mt_chain_c, then mt_chain_b and mt_chain_a followed"
run "$bin/modprobe" -r mt_chain_a
none_loaded mt_chain_a mt_chain_b && loaded mt_chain_c
ok $? "modprobe -r mt_chain_a removes mt_chain_b; mt_chain_c was still held when its turn came"
run "$bin/modprobe" -r mt_chain_c
none_loaded mt_chain_c
ok $? "modprobe -r mt_chain_c"

run "$bin/modprobe" mt-dash-alias
none_loaded mt_dash_name
ok $? "a blacklisted module is not loaded through an alias"
run "$bin/modprobe" mt_dash_name
loaded mt_dash_name
ok $? "but is by its name"
"$bin/modprobe" -r mt-dash-name >/tmp/out 2>&1
none_loaded mt_dash_name
ok $? "modprobe -r with the dashed name"

"$bin/modprobe" nosuchmodule >/tmp/out 2>&1
[ $? -eq 1 ] && grep -q "FATAL: Module nosuchmodule not found in directory $kmods" /tmp/out
ok $? "an unknown module is reported"
"$bin/modprobe" mt_consumer >/tmp/out 2>&1
all_loaded mt_consumer mt_provider
ok $? "modprobe mt_consumer brings its provider along"
"$bin/rmmod" mt_provider >/tmp/out 2>&1
[ $? -eq 1 ] && grep -q "in use by:.* mt_consumer" /tmp/out
ok $? "rmmod of the provider names its holder"
"$bin/modprobe" -r --remove-holders mt_provider >/tmp/out 2>&1
none_loaded mt_consumer mt_provider
ok $? "modprobe -r --remove-holders removes the consumer, then the provider"
# modprobe -r btrfs left libcrc32c's own soft dependency (crc32c), as kmod
# does: dependencies are removed, not recursively their soft dependencies.
"$bin/lsmod" >/tmp/out
[ "$(sed 1d /tmp/out | grep -cv '^crc32c_')" -eq 0 ]
ok $? "nothing but crc32c is left loaded"
"$bin/modprobe" -r -a crc32c_intel crc32c_generic >/tmp/out 2>&1
"$bin/lsmod" >/tmp/out
[ "$(wc -l </tmp/out)" -eq 1 ]
ok $? "modprobe -r -a of those leaves nothing loaded"
done_testing
