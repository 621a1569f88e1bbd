# shellcheck shell=sh
# scenario-libkmod.sh — the systemd disk booted on our libkmod.so.2, put in
# place of Debian's by boot-init (mt.libkmod=ours), after a boot on Debian's
# (mt.libkmod=debian, scenario-systemd.sh, which recorded the modules its
# coldplug loaded): systemd-udevd runs on ours and its coldplug loads the
# same modules; systemd-modules-load loads a modules-load.d list, honouring
# a blacklist and the options of modprobe.d, as on Debian's library;
# "udevadm test-builtin 'kmod load ALIAS'" loads the alias's module as on
# Debian's; and no unit failed.  Debian's library runs from
# /mt/libkmod/debian through LD_LIBRARY_PATH.  Sourced by /mt/run-scenario
# as mt.scenario=libkmod.

bin=/sbin
place=$(cat /mt/libkmod/place)
debian=/mt/libkmod/debian

prop() {	# prop UNIT PROPERTY
	systemctl show -p "$2" --value "$1"
}

loaded() {	# loaded NAME — NAME is live in the kernel
	grep -q "^$1 .* Live " /proc/modules
}

same() {	# same EXPECTED ACTUAL — identical files; else their diff
	cmp -s "$1" "$2" && return 0
	diff -u "$1" "$2" | head -n 30 | sed 's/^/# /'
	return 1
}

udevadm settle --timeout=300
ok $? "udev processed every coldplug event (udevadm settle)"
cut -d' ' -f1 /proc/modules | sort >/mt/coldplug.ours

# --- our library in Debian's place ------------------------------------------
cmp -s "$place" /mt/libkmod/ours/libkmod.so.2
ok $? "our libkmod.so.2 is in Debian's place, $place"
udevd=$(prop systemd-udevd.service MainPID)
grep -q " $place\$" "/proc/$udevd/maps"
ok $? "systemd-udevd runs on it"
[ "$(prop systemd-modules-load.service Result)" = success ] && loaded crc_itu_t
ok $? "systemd-modules-load loaded crc-itu-t from modules-load.d on it"

# --- udev's coldplug ----------------------------------------------------------
if [ -f /mt/coldplug.debian ]; then
	same /mt/coldplug.debian /mt/coldplug.ours
	ok $? "udev's coldplug loaded the modules it loads on Debian's libkmod ($(grep -c . /mt/coldplug.ours))"
else
	ok 1 "udev's coldplug loaded the modules it loads on Debian's libkmod (no record of a boot on Debian's)"
fi

# --- systemd-modules-load with a list, a blacklist and options -------------------
# nbd with options, ifb blacklisted, an alias (fs-msdos: msdos and fat), a
# name no module has.
cat >/etc/modprobe.d/mt-libkmod.conf <<'CONF'
options nbd nbds_max=3
blacklist ifb
CONF
printf '%s\n' nbd ifb fs-msdos no-such-module >/tmp/load.conf
test_modules="nbd ifb msdos fat"

# modules_load SIDE [LIBDIR] — systemd-modules-load on the list, its log
# and exit status and the state of the modules after it in /tmp/load.SIDE,
# then the modules removed again.
modules_load() {
	env ${2:+LD_LIBRARY_PATH=$2} SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=info \
		SYSTEMD_LOG_COLOR=0 /lib/systemd/systemd-modules-load /tmp/load.conf >"/tmp/load.$1" 2>&1
	echo "status $?" >>"/tmp/load.$1"
	for m in $test_modules; do
		if loaded "$m"; then echo "$m loaded"; else echo "$m not loaded"; fi
	done >>"/tmp/load.$1"
	echo "nbds_max $(cat /sys/module/nbd/parameters/nbds_max 2>&1)" >>"/tmp/load.$1"
	"$bin/modprobe" -r $test_modules 2>/dev/null
}
for m in $test_modules; do
	loaded "$m" && diag "$m is loaded before the test"
done
modules_load debian "$debian"
modules_load ours
diag "systemd-modules-load on our libkmod.so.2:" "$(cat /tmp/load.ours)"
same /tmp/load.debian /tmp/load.ours
ok $? "systemd-modules-load does on ours what it does on Debian's libkmod"
grep -qx 'nbd loaded' /tmp/load.ours && grep -qx 'nbds_max 3' /tmp/load.ours
ok $? "systemd-modules-load loaded nbd with the options of modprobe.d"
grep -qx 'ifb not loaded' /tmp/load.ours && grep -q "Module 'ifb' is deny-listed" /tmp/load.ours
ok $? "systemd-modules-load left the blacklisted ifb out"
grep -qx 'msdos loaded' /tmp/load.ours && grep -qx 'fat loaded' /tmp/load.ours
ok $? "systemd-modules-load loaded an alias's module (fs-msdos: msdos) with its dependency"
grep -qx 'status 0' /tmp/load.ours
ok $? "systemd-modules-load succeeded"
rm -f /etc/modprobe.d/mt-libkmod.conf

# --- udevadm test-builtin ------------------------------------------------------
# test_builtin SIDE [LIBDIR] — "kmod load fs-vfat": exit status and state.
test_builtin() {
	env ${2:+LD_LIBRARY_PATH=$2} udevadm test-builtin 'kmod load fs-vfat' /sys/class/net/lo \
		>"/tmp/builtin.log.$1" 2>&1
	echo "status $?" >"/tmp/builtin.$1"
	for m in vfat fat; do
		if loaded "$m"; then echo "$m loaded"; else echo "$m not loaded"; fi
	done >>"/tmp/builtin.$1"
	"$bin/modprobe" -r vfat fat 2>/dev/null
}
test_builtin debian "$debian"
test_builtin ours
diag "udevadm test-builtin 'kmod load fs-vfat' on our libkmod.so.2:" "$(cat /tmp/builtin.log.ours)"
same /tmp/builtin.debian /tmp/builtin.ours && grep -qx 'status 0' /tmp/builtin.ours &&
	grep -qx 'vfat loaded' /tmp/builtin.ours
ok $? "udevadm test-builtin 'kmod load fs-vfat' loads vfat, as on Debian's libkmod"

# --- the boot as a whole ----------------------------------------------------
systemctl --failed --no-pager >/tmp/failed 2>&1
diag "systemctl --failed:" "$(cat /tmp/failed)"
[ -z "$(systemctl list-units --failed --plain --no-legend)" ]
ok $? "no unit failed"
journalctl -b -p err --no-pager -q >/tmp/errors 2>&1
[ -s /tmp/errors ] && diag "errors in the journal:" "$(cat /tmp/errors)"
! grep -Eiq 'modprobe|depmod|insmod|rmmod|lsmod|modinfo|kmod|module' /tmp/errors
ok $? "no error in the journal from module tools or module loading"

done_testing
