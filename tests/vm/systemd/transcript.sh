# shellcheck shell=sh
# transcript.sh — the README main job's look at the systemd boot, run on
# the systemd disk as mt.scenario=transcript (after multi-user.target): the
# boot time, our programs in kmod's places, the units that use module
# tools, the modules the boot loaded, and the failed units.  Each command
# is echoed as "$ COMMAND" and followed by its output.

run() {	# run COMMAND [ARG...]
	echo "\$ $*"
	"$@" 2>&1
	echo
}

seconds() {	# seconds USEC
	echo "$1" | awk '{ printf "%.1f", $1 / 1000000 }'
}

udevadm settle --timeout=300
settled=$(cut -d' ' -f1 /proc/uptime)
userspace=$(systemctl show -p UserspaceTimestampMonotonic --value)
multiuser=$(systemctl show -p ActiveEnterTimestampMonotonic --value multi-user.target)
echo "# Debian 12 with systemd on modtool's programs, kernel $(uname -r), under qemu (TCG)"
echo "# boot: kernel and initramfs $(seconds "$userspace") s," \
	"multi-user.target at $(seconds "$multiuser") s, udev done at ${settled%.*} s"
echo
run ls -l /bin/kmod /sbin/modprobe /sbin/depmod /sbin/lsmod
run modprobe --version
run systemctl status --no-pager --full --lines=2 mt-depmod.service \
	systemd-modules-load.service kmod-static-nodes.service systemd-udevd.service
run journalctl -b --no-pager --quiet --unit='modprobe@*'
run head -n 4 /run/tmpfiles.d/static-nodes.conf
echo "# The modules loaded: by our modprobe in the initramfs (virtio, ext4),"
echo "# by systemd-modules-load and the modprobe@ units, by udev for qemu's devices"
echo
run lsmod
run ip link add mt0 type dummy
run grep '^dummy ' /proc/modules
run systemctl --failed --no-pager
