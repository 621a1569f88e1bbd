# shellcheck shell=sh
# scenario-systemd.sh — a Debian 12 userland with systemd booted on our
# programs (tests/vm/make-systemd-vm.sh): the units that use module tools
# (mt-depmod's depmod -a, systemd-modules-load, the modprobe@ units,
# kmod-static-nodes, udev's coldplug), the static device nodes and the
# modules their opening loads, the kernel's request_module() running our
# /sbin/modprobe, modprobe and modprobe -r of a dependency chain, lsmod
# against /proc/modules, and a boot with no failed unit.  Sourced by
# /mt/run-scenario (mt-scenario.service, after multi-user.target) as
# mt.scenario=systemd.

bin=/sbin
release=$(uname -r)
kmods=/lib/modules/$release

prop() {	# prop UNIT PROPERTY — the unit's property, as systemctl shows it
	systemctl show -p "$2" --value "$1"
}

# unit_ok UNIT — the unit ran with its conditions met, its main process
# exited 0 and it is active (the oneshots here remain after exit).
unit_ok() {
	[ "$(prop "$1" ConditionResult)" = yes ] && [ "$(prop "$1" Result)" = success ] &&
		[ "$(prop "$1" ExecMainStatus)" = 0 ] && [ "$(prop "$1" ActiveState)" = active ] &&
		return 0
	diag "$1: $(systemctl show -p ActiveState -p Result -p ConditionResult \
		-p ExecMainStatus "$1" | tr '\n' ' ')" "$(journalctl -b -u "$1" --no-pager | tail -n 5)"
	return 1
}

seconds() {	# seconds USEC — microseconds as seconds with one decimal
	echo "$1" | awk '{ printf "%.1f", $1 / 1000000 }'
}

loaded() {	# loaded NAME — NAME is live in the kernel
	grep -q "^$1 .* Live " /proc/modules
}

all_loaded() {	# all_loaded NAME... — every NAME is live
	for m in "$@"; do
		loaded "$m" || { diag "$m is not loaded"; return 1; }
	done
}

none_loaded() {	# none_loaded NAME... — no NAME is in /proc/modules
	for m in "$@"; do
		if grep -q "^$m " /proc/modules; then
			diag "$m is loaded"
			return 1
		fi
	done
}

# line NAME — NAME's line number in /proc/modules (the newest module first)
line() {
	grep -n "^$1 " /proc/modules | cut -d: -f1
}

run() {	# run COMMAND... — output in /tmp/out, diagnostics on failure
	"$@" >/tmp/out 2>&1
	status=$?
	[ "$status" -eq 0 ] || diag "$* exited $status:" "$(cat /tmp/out)" "$(dmesg | tail -n 5)"
	return "$status"
}

# ours PATH — PATH runs modtool's program: its --version says so
# ("kmod version 34.2 (modtool 1)"; Debian's says "kmod version 30").
ours() {
	version=$("$1" --version 2>&1 | head -n 1)
	case $version in
	*"(modtool "*) return 0 ;;
	esac
	diag "$1 --version: $version"
	return 1
}

# same EXPECTED ACTUAL — the files are identical; else their diff as
# diagnostics.
same() {
	cmp -s "$1" "$2" && return 0
	diff -u "$1" "$2" | head -n 20 | sed 's/^/# /'
	return 1
}

# node_is PATH MAJOR:MINOR — PATH is that character device.
node_is() {
	[ -c "$1" ] && [ "$(stat -c '%t:%T' "$1")" = "$(printf '%x:%x' "${2%:*}" "${2#*:}")" ] ||
		{ diag "$1: $(ls -l "$1" 2>&1), expected c $2"; return 1; }
}

# Udev's coldplug goes on after multi-user.target: let it finish, so that
# the modules it loads are live and the units it starts have run.
udevadm settle --timeout=300
ok $? "udev processed every coldplug event (udevadm settle)"
settled=$(cut -d' ' -f1 /proc/uptime)
# The modules loaded by then, for a boot on the other libkmod.so.2 to
# compare with (scenario-libkmod.sh).
place=$(cat /mt/libkmod/place)
which=unknown
for w in debian ours; do
	cmp -s "$place" "/mt/libkmod/$w/libkmod.so.2" && which=$w
done
cut -d' ' -f1 /proc/modules | sort >"/mt/coldplug.$which"
diag "libkmod.so.2 ($place): $which's; $(grep -c . "/mt/coldplug.$which") modules after coldplug"

# --- the boot ---------------------------------------------------------------
[ "$(systemctl is-active multi-user.target)" = active ]
ok $? "the boot reached multi-user.target"
userspace=$(systemctl show -p UserspaceTimestampMonotonic --value)
multiuser=$(prop multi-user.target ActiveEnterTimestampMonotonic)
diag "boot: kernel and initramfs $(seconds "$userspace") s, multi-user.target at $(seconds "$multiuser") s, udev settled at ${settled%.*} s"

# --- our programs in kmod's places ------------------------------------------
for p in /bin/kmod /bin/lsmod /sbin/depmod /sbin/insmod /sbin/lsmod /sbin/modinfo \
	/sbin/modprobe /sbin/rmmod; do
	if ours "$p"; then
		ok 0 "$p is modtool's"
	else
		ok 1 "$p is modtool's"
		[ "$p" = /bin/kmod ] && diag "kmod binary not installed"
	fi
done
[ "$(cat /proc/sys/kernel/modprobe)" = /sbin/modprobe ]
ok $? "the kernel's request_module() runs /sbin/modprobe"

# --- depmod -a at boot ------------------------------------------------------
unit_ok mt-depmod.service
ok $? "mt-depmod.service ran depmod -a and succeeded"
depmod_start=$(prop mt-depmod.service ExecMainStartTimestampMonotonic)
depmod_done=$(prop mt-depmod.service ExecMainExitTimestampMonotonic)
for u in kmod-static-nodes systemd-modules-load systemd-udevd; do
	started=$(prop "$u.service" ExecMainStartTimestampMonotonic)
	[ "$started" -gt "$depmod_done" ] ||
		{ diag "$u started at $started, depmod ended at $depmod_done"; false; }
	ok $? "depmod had indexed the tree when $u started"
done
diag "depmod -a of $(grep -c . "$kmods/modules.dep") modules: $(seconds $((depmod_done - depmod_start))) s"
for f in modules.dep modules.alias modules.softdep modules.symbols modules.devname; do
	cmp -s "/mt/reference/$f" "$kmods/$f"
	ok $? "$f is identical to Debian's depmod's for the same tree"
done

# --- units loading modules with libkmod or our modprobe ---------------------
unit_ok systemd-modules-load.service && loaded crc_itu_t
ok $? "systemd-modules-load loaded crc-itu-t from modules-load.d"
# modprobe@NAME.service runs "/sbin/modprobe -abq NAME", failures ignored:
# each that ran must have exited 0.
ran=0
for u in $(systemctl list-units --all --plain --no-legend 'modprobe@*.service' | cut -d' ' -f1); do
	[ "$(prop "$u" ExecMainStartTimestampMonotonic)" -gt 0 ] || continue
	name=${u#modprobe@}
	name=${name%.service}
	[ "$(prop "$u" ExecMainCode)" = 1 ] && [ "$(prop "$u" ExecMainStatus)" = 0 ] &&
		[ -d "/sys/module/$name" ]
	ok $? "$u: /sbin/modprobe -abq $name exited 0 and $name is in the kernel"
	ran=$((ran + 1))
done
[ "$ran" -gt 0 ]
ok $? "the boot ran $ran modprobe@ units"
unit_ok systemd-udev-trigger.service
ok $? "systemd-udev-trigger.service succeeded"

# Udev's libkmod resolved each device's modalias in our indexes and loaded
# the modules: every module our modprobe -R names for them (blacklisted
# ones aside) is live, or refuses this machine (loading it now fails with
# "No such device", as the CPU frequency drivers do under qemu).
"$bin/modprobe" -c | sed -n 's/^blacklist //p' | sort -u >/tmp/blacklist
find /sys/devices -name modalias -exec cat {} + | sort -u >/tmp/modaliases
xargs "$bin/modprobe" -R -a </tmp/modaliases 2>/dev/null | sort -u |
	comm -23 - /tmp/blacklist >/tmp/device_modules
missing= refused=
while read -r m; do
	[ -d "/sys/module/$m" ] && continue
	if "$bin/modprobe" "$m" 2>&1 | grep -q 'No such device$'; then
		refused="$refused $m"
	else
		missing="$missing $m"
	fi
done </tmp/device_modules
diag "$(grep -c . /tmp/modaliases) modaliases, their modules: $(tr '\n' ' ' </tmp/device_modules)" \
	"refusing this machine:$refused"
[ -s /tmp/device_modules ] && [ -z "$missing" ]
ok $? "udev loaded the module of every device${missing:+ (not loaded:$missing)}"

# --- static device nodes ----------------------------------------------------
if ours /bin/kmod >/dev/null; then
	unit_ok kmod-static-nodes.service
	ok $? "kmod-static-nodes.service ran our kmod and succeeded"
	/mt/debian/kmod static-nodes --format=tmpfiles --output=/tmp/static-nodes.conf &&
		same /tmp/static-nodes.conf /run/tmpfiles.d/static-nodes.conf
	ok $? "/run/tmpfiles.d/static-nodes.conf is what Debian's kmod writes for the same tree"
else
	diag "kmod binary not installed: kmod-static-nodes.service ran $(/bin/kmod --version | head -n 1)"
	ok 1 "kmod-static-nodes.service ran our kmod and succeeded"
	ok 1 "/run/tmpfiles.d/static-nodes.conf is what Debian's kmod writes for the same tree"
fi

# tun is not loaded at boot: its node comes from static-nodes.conf alone.
node_is /dev/net/tun 10:200 && none_loaded tun
ok $? "/dev/net/tun exists before tun is loaded"
# fuse and loop are, by modprobe@ units, and the kernel removes the nodes it
# made for them with them: the boot's static nodes are made again without
# the modules.
run systemctl stop sys-fs-fuse-connections.mount && run "$bin/modprobe" -r fuse loop &&
	none_loaded fuse loop
ok $? "modprobe -r fuse loop (fusectl unmounted)"
run systemctl restart systemd-tmpfiles-setup-dev.service &&
	node_is /dev/fuse 10:229 && node_is /dev/loop-control 10:237 && none_loaded fuse loop
ok $? "systemd-tmpfiles-setup-dev makes /dev/fuse and /dev/loop-control again, without their modules"
for dev in fuse:fuse net/tun:tun loop-control:loop; do
	node=/dev/${dev%:*} module=${dev#*:}
	(: <"$node") 2>/dev/null
	loaded "$module"
	ok $? "opening $node loads $module (request_module() ran our modprobe)"
done
run systemctl start sys-fs-fuse-connections.mount
ok $? "fusectl is mounted again"

# --- request_module() from the kernel ---------------------------------------
none_loaded dummy && run ip link add mt0 type dummy && loaded dummy &&
	ip link show mt0 >/dev/null
ok $? "ip link add mt0 type dummy: the kernel's request_module() loads dummy"
run ip link del mt0 && run "$bin/modprobe" -r dummy
mkdir -p /tmp/ov/lower /tmp/ov/upper /tmp/ov/work /tmp/ov/mnt
none_loaded overlay && run mount -t overlay overlay \
	-o lowerdir=/tmp/ov/lower,upperdir=/tmp/ov/upper,workdir=/tmp/ov/work /tmp/ov/mnt &&
	loaded overlay
ok $? "mounting an overlay file system: the kernel's request_module() loads overlay"
run umount /tmp/ov/mnt

# --- modprobe and modprobe -r of a chain, lsmod -----------------------------
chain="8021q garp mrp stp llc"
none_loaded $chain && run "$bin/modprobe" 8021q && all_loaded $chain
ok $? "modprobe 8021q loads garp, mrp, stp and llc with it"
[ "$(line llc)" -gt "$(line stp)" ] && [ "$(line stp)" -gt "$(line garp)" ] &&
	[ "$(line garp)" -gt "$(line 8021q)" ] && [ "$(line mrp)" -gt "$(line 8021q)" ]
ok $? "each was loaded after its dependencies"
grep -q '^garp .* 8021q,' /proc/modules && grep -q '^mrp .* 8021q,' /proc/modules
ok $? "the kernel counts 8021q as the user of garp and mrp"
lsmod_agrees
ok $? "lsmod agrees with /proc/modules and sysfs, $(grep -c . /proc/modules) modules loaded"
/mt/debian/lsmod >/tmp/kmod_lsmod 2>&1
"$bin/lsmod" >/tmp/our_lsmod 2>&1
same /tmp/kmod_lsmod /tmp/our_lsmod
ok $? "lsmod prints what Debian's lsmod prints"
# modprobe -r removes the dependencies that are unused when their turn
# comes, last first: stp and llc stay (garp still held stp), as with kmod.
/mt/debian/modprobe -r -v 8021q >/tmp/kmod_r 2>&1
echo "status $?" >>/tmp/kmod_r
cut -d' ' -f1 /proc/modules >/tmp/kmod_left
run "$bin/modprobe" 8021q
"$bin/modprobe" -r -v 8021q >/tmp/our_r 2>&1
echo "status $?" >>/tmp/our_r
cut -d' ' -f1 /proc/modules >/tmp/our_left
same /tmp/kmod_r /tmp/our_r && same /tmp/kmod_left /tmp/our_left &&
	none_loaded 8021q garp mrp
ok $? "modprobe -r -v 8021q removes and prints what Debian's does"
run "$bin/modprobe" -r stp llc && none_loaded $chain
ok $? "modprobe -r stp llc removes the rest"
lsmod_agrees
ok $? "lsmod agrees with /proc/modules again"

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
