# shellcheck shell=sh
# scenario-insmod.sh — insmod, rmmod, lsmod and modinfo against a real
# kernel, each result checked against /proc/modules and /sys/module.
# Sourced by the VM's /init (tests/vm/init), with tests/vm/lib.sh's TAP
# helpers and lsmod_agrees; runs as mt.scenario=insmod.

bin=/mt/bin
mods=/mt/modules
release=$(uname -r)
kmods=/lib/modules/$release

# expect STATUS STDERR DESCRIPTION COMMAND... — one test: COMMAND exits with
# STATUS and writes exactly STDERR (plus a newline unless empty) to stderr.
# Its stdout is left in /tmp/out.
expect() {
	want_status=$1 want_err=$2 desc=$3
	shift 3
	"$@" >/tmp/out 2>/tmp/err
	status=$?
	if [ -n "$want_err" ]; then
		printf '%s\n' "$want_err" >/tmp/want_err
	else
		: >/tmp/want_err
	fi
	if [ "$status" -eq "$want_status" ] && cmp -s /tmp/want_err /tmp/err; then
		ok 0 "$desc"
		return 0
	fi
	ok 1 "$desc"
	diag "command: $*" "exit status $status, expected $want_status" \
		"stderr:" "$(cat /tmp/err)" "expected stderr:" "$want_err" \
		"stdout:" "$(cat /tmp/out)" "kernel log:" "$(dmesg | tail -n 5)"
	return 1
}

loaded() {	# loaded NAME — NAME is in /proc/modules and live in sysfs
	grep -q "^$1 " /proc/modules &&
		[ "$(cat "/sys/module/$1/initstate" 2>/dev/null)" = live ]
}

gone() {	# gone NAME — NAME is neither in /proc/modules nor in /sys/module
	! grep -q "^$1 " /proc/modules && [ ! -e "/sys/module/$1" ]
}

# check DESCRIPTION COMMAND... — one test: COMMAND succeeds. On failure,
# show what it printed (diagnostics) and the module state.
check() {
	desc=$1
	shift
	if "$@" >/tmp/why 2>&1; then
		ok 0 "$desc"
		return 0
	fi
	ok 1 "$desc"
	cat /tmp/why
	diag "failed: $*" "/proc/modules:" "$(cat /proc/modules)" \
		"kernel log:" "$(dmesg | tail -n 5)"
	return 1
}

live_with_greeting() {	# live_with_greeting N — hello is live, greeting=N
	loaded hello && [ "$(param hello greeting)" = "$1" ]
}

untainted() {	# untainted NAME — NAME is loaded and its taint flags are empty
	[ -f "/sys/module/$1/taint" ] && [ -z "$(cat "/sys/module/$1/taint")" ]
}

# klog_has TEXT — the kernel logged TEXT since the last "dmesg -c".
klog_has() {
	dmesg | grep -qF "$1"
}

# param NAME PARAM — the value the kernel shows for a module parameter.
param() {
	cat "/sys/module/$1/parameters/$2" 2>/dev/null
}

# cleanup — remove test modules a failed test left loaded (with busybox's
# rmmod, so a broken rmmod of ours cannot spoil later tests).
cleanup() {
	for m in mt_consumer mt_provider hello mt_dash_name crc_itu_t; do
		if grep -q "^$m " /proc/modules; then
			diag "cleanup: removing $m"
			busybox rmmod -f "$m" 2>&1 | sed 's/^/# /'
		fi
	done
	dmesg -c >/dev/null
}

for t in insmod rmmod lsmod modinfo; do
	if [ ! -x "$bin/$t" ]; then
		echo "Bail out! $bin/$t is missing"
		exit 1
	fi
done

# --- the kernel and the empty state ----------------------------------------
check "the kernel has no module decompression (/sys/module/compression absent)" \
	test ! -e /sys/module/compression
check "lsmod with no module loaded prints its header only" lsmod_agrees
cleanup

# --- parameters, lsmod, modinfo, rmmod -------------------------------------
expect 0 "" "insmod hello.ko greeting=42 'name=a b'" \
	"$bin/insmod" "$mods/hello.ko" greeting=42 'name=a b'
check "hello is live in /proc/modules and /sys/module" loaded hello
check "parameter greeting reads back 42" test "$(param hello greeting)" = 42
check "parameter name reads back 'a b'" test "$(param hello name)" = "a b"
check "hello logged its parameters" klog_has "hello: loaded, greeting=42 name=a b"
check "lsmod agrees with /proc/modules and sysfs refcounts" lsmod_agrees
check "modinfo -F name matches the kernel's name for hello.ko" \
	test "$("$bin/modinfo" -F name "$mods/hello.ko")" = hello
"$bin/modinfo" -F parm "$mods/hello.ko" | cut -d: -f1 | sort >/tmp/parms
(cd /sys/module/hello/parameters && printf '%s\n' *) | sort >/tmp/sysparms
check "modinfo's parameters are the kernel's" cmp -s /tmp/parms /tmp/sysparms
vermagic=$("$bin/modinfo" -F vermagic "$mods/hello.ko")
check "modinfo's vermagic names the running kernel ($release)" \
	test "${vermagic%% *}" = "$release"
expect 1 "insmod: ERROR: could not insert module $mods/hello.ko: File exists" \
	"insmod of a loaded module fails" "$bin/insmod" "$mods/hello.ko"
check "hello is still loaded" loaded hello
expect 0 "" "rmmod hello" "$bin/rmmod" hello
check "hello is gone from /proc/modules and /sys/module" gone hello
check "hello logged its unloading" klog_has "hello: unloaded"
expect 1 "rmmod: ERROR: Module hello is not currently loaded" \
	"rmmod of a module not loaded fails" "$bin/rmmod" hello
expect 1 "insmod: ERROR: could not load module $mods/nothere.ko: No such file or directory" \
	"insmod of a missing file fails" "$bin/insmod" "$mods/nothere.ko"
cleanup

# --- dependencies and holders ----------------------------------------------
expect 1 "insmod: ERROR: could not insert module $mods/mt_consumer.ko: Unknown symbol in module" \
	"insmod mt_consumer.ko without its provider fails" "$bin/insmod" "$mods/mt_consumer.ko"
check "the kernel reported the unknown symbol" \
	klog_has "mt_consumer: Unknown symbol mt_provider_value"
check "mt_consumer is not loaded" gone mt_consumer
expect 0 "" "insmod mt_provider.ko" "$bin/insmod" "$mods/mt_provider.ko"
expect 0 "" "insmod mt_consumer.ko after its provider" "$bin/insmod" "$mods/mt_consumer.ko"
check "the kernel lists mt_consumer as holder of mt_provider" \
	test "$(ls /sys/module/mt_provider/holders)" = mt_consumer
check "modinfo's depends of mt_consumer.ko is the kernel's holder relation" \
	test "$("$bin/modinfo" -F depends "$mods/mt_consumer.ko")" = mt_provider
check "lsmod shows the refcount and holder" lsmod_agrees
expect 1 "rmmod: ERROR: Module mt_provider is in use by:rmmod: ERROR:  mt_consumerrmmod: ERROR: " \
	"rmmod of a module in use fails (kmod's message)" "$bin/rmmod" mt_provider
check "the message names the holder" grep -q mt_consumer /tmp/err
check "mt_provider is still loaded" loaded mt_provider
expect 1 "rmmod: ERROR: could not remove 'mt_provider': Resource temporarily unavailable
rmmod: ERROR: could not remove module mt_provider: Resource temporarily unavailable" \
	"rmmod -f skips the holder check and the kernel refuses" "$bin/rmmod" -f mt_provider
check "mt_provider is still loaded" loaded mt_provider
expect 0 "" "rmmod mt_consumer mt_provider" "$bin/rmmod" mt_consumer mt_provider
check "mt_consumer is gone" gone mt_consumer
check "mt_provider is gone" gone mt_provider
cleanup

# --- compressed modules (decompressed by insmod) ---------------------------
n=1
for ext in xz zst gz; do
	expect 0 "" "insmod hello.ko.$ext greeting=$n" \
		"$bin/insmod" "$mods/hello.ko.$ext" greeting=$n
	check "hello from hello.ko.$ext is live with greeting=$n" \
		live_with_greeting "$n"
	expect 0 "" "rmmod hello" "$bin/rmmod" hello
	n=$((n + 1))
	cleanup
done

# --- wrong vermagic, -f, garbage -------------------------------------------
expect 1 "insmod: ERROR: could not insert module $mods/hello-badmagic.ko: Invalid module format" \
	"insmod of a module with a foreign vermagic fails" "$bin/insmod" "$mods/hello-badmagic.ko"
check "the kernel refused it for its version magic" klog_has "hello: version magic 'xxx"
check "hello is not loaded" gone hello
expect 0 "" "insmod -f loads it anyway" "$bin/insmod" -f "$mods/hello-badmagic.ko"
check "hello is live" loaded hello
check "the kernel marks it forced (taint F)" grep -q F /sys/module/hello/taint
expect 0 "" "rmmod -f hello" "$bin/rmmod" -f hello
check "hello is gone" gone hello
expect 1 "insmod: ERROR: could not insert module $mods/garbage.ko: Invalid module format" \
	"insmod of a garbage file fails" "$bin/insmod" "$mods/garbage.ko"
cleanup

# --- module names, a real signed module ------------------------------------
expect 0 "" "insmod mt_dash-name.ko" "$bin/insmod" "$mods/mt_dash-name.ko"
check "the kernel calls it mt_dash_name" loaded mt_dash_name
check "so does modinfo -F name" \
	test "$("$bin/modinfo" -F name "$mods/mt_dash-name.ko")" = mt_dash_name
expect 0 "" "rmmod by path" "$bin/rmmod" "$mods/mt_dash-name.ko"
check "mt_dash_name is gone" gone mt_dash_name
crc=$(find "$kmods" -name crc-itu-t.ko)
expect 0 "" "insmod of the kernel's signed crc-itu-t.ko" "$bin/insmod" "$crc"
check "crc_itu_t is live" loaded crc_itu_t
check "the kernel accepted its signature (no taint)" untainted crc_itu_t
check "modinfo names its signer" test -n "$("$bin/modinfo" -F signer "$crc")"
check "lsmod agrees with /proc/modules" lsmod_agrees
expect 0 "" "rmmod crc-itu-t (dash form of the name)" "$bin/rmmod" crc-itu-t
check "crc_itu_t is gone" gone crc_itu_t
cleanup
check "nothing is left loaded: lsmod prints its header only" lsmod_agrees

done_testing
