# shellcheck shell=sh
# host-test.sh — the host side of a VM test, sourced by tests/vm-NAME.sh
# after tests/common.sh with $scenario, $scenario_tools (our tools it
# needs) and $vm_image set.  vm_image=initramfs (the default): builds the
# test modules and the test initramfs (make-initramfs.sh), which runs
# tests/vm/scenario-NAME.sh; vm_image=systemd: makes the systemd disk and
# its initramfs (make-systemd-vm.sh), whose boot runs
# tests/vm/systemd/scenario-NAME.sh after multi-user.target.  Then boots
# the installed Debian kernel in qemu and re-emits the scenario's TAP
# results, followed by checks that the VM finished and the scenario
# reported all its results.
#
# Environment: MT_VM_KERNEL (kernel image; default /boot/vmlinuz-RELEASE for
# the release the image is made for), MT_VM_TIMEOUT (seconds, default 180;
# 600 for the systemd boot), MT_QEMU, MT_BUSYBOX, MT_ROOTFS_CACHE (see
# tests/vm/).

vm=$top_srcdir/tests/vm
work=$top_builddir/tests/vm-$scenario.d
vm_image=${vm_image:-initramfs}

command -v "${MT_QEMU:-qemu-system-x86_64}" >/dev/null ||
	skip_all "${MT_QEMU:-qemu-system-x86_64} is not installed (qemu-system-x86)"
[ -x "${MT_BUSYBOX:-/bin/busybox}" ] ||
	skip_all "${MT_BUSYBOX:-/bin/busybox} is not installed (busybox-static)"
for t in $scenario_tools; do
	[ -x "$(tool "$t")" ] || skip_all "tools/$t is not built"
done
mkdir -p "$work"

case $vm_image in
initramfs)
	timeout=${MT_VM_TIMEOUT:-180}
	"$top_srcdir/tests/build-test-modules.sh" "$work/modules" >"$work/build.out"
	case $? in
	0) ;;
	77) skip_all "no kernel headers found (install linux-headers-amd64)" ;;
	*) echo "Bail out! building the test modules failed"; exit 1 ;;
	esac
	release=$(sed -n 's/^release //p' "$work/build.out")
	kernel=${MT_VM_KERNEL:-/boot/vmlinuz-$release}
	[ -r "$kernel" ] || skip_all "no readable kernel image $kernel (install linux-image-$release)"
	if ! "$vm/make-initramfs.sh" -b "$top_builddir" -m "$work/modules" -r "$release" \
		"$work/initrd.cpio.gz"; then
		echo "Bail out! making the initramfs failed"
		exit 1
	fi
	set --	# no options for run-vm.sh
	;;
systemd)
	timeout=${MT_VM_TIMEOUT:-600}
	# The disk holds the installed programs: those of a sanitized build
	# would need the sanitizers' runtime there, and the initramfs tests
	# already run the same programs sanitized.
	ldd "$(tool modprobe)" | grep -q libasan &&
		skip_all "a sanitized build (the systemd boot tests the plain build's installation)"
	tree=$(module_tree)
	[ -n "$tree" ] || skip_all "no installed module tree (install linux-image-amd64)"
	release=${tree##*/}
	kernel=${MT_VM_KERNEL:-/boot/vmlinuz-$release}
	[ -r "$kernel" ] || skip_all "no readable kernel image $kernel (install linux-image-$release)"
	"$vm/make-systemd-vm.sh" -b "$top_builddir" -r "$release" "$work" >"$work/make.out" 2>&1
	case $? in
	0) ;;
	77) skip_all "$(tail -n 1 "$work/make.out")" ;;
	*)
		echo "Bail out! making the systemd disk failed"
		sed 's/^/# /' "$work/make.out"
		exit 1
		;;
	esac
	# run-vm.sh options, in the positional parameters
	set -- -c 2 -m 1024 -d "$work/disk.img"
	;;
*)
	echo "Bail out! unknown vm_image '$vm_image'"
	exit 1
	;;
esac

"$vm/run-vm.sh" "$@" "$kernel" "$work/initrd.cpio.gz" "$scenario" "$timeout" \
	>"$work/console.log" 2>&1
vm_status=$?

# The scenario's output sits between "MT-BEGIN NAME" (maybe behind the
# firmware's terminal escapes) and "MT-END NAME STATUS".
tr -d '\r' <"$work/console.log" |
	sed -n "/MT-BEGIN $scenario\$/,/^MT-END $scenario /p" >"$work/tap.out"
plan=
while IFS= read -r line; do
	case $line in
	*"MT-BEGIN $scenario" | "MT-END $scenario "*) ;;
	"ok "*" # SKIP "*)
		desc=${line#ok * - }
		skip "${desc% # SKIP *}" "${line##* # SKIP }"
		;;
	"ok "*) ok 0 "${line#ok * - }" ;;
	"not ok "*) ok 1 "${line#not ok * - }" ;;
	"1.."*) plan=${line#1..} ;;
	"#"*) echo "$line" ;;
	"Bail out!"*) echo "# VM: $line" ;;
	*) echo "# console: $line" ;;
	esac
done <"$work/tap.out"
results=$tap_n

[ "$vm_status" -ne 124 ]
ok $? "the VM finished within $timeout s"
if grep -q "^MT-END $scenario " "$work/tap.out"; then
	ok 0 "the scenario ran to its end"
else
	ok 1 "the scenario ran to its end"
	echo "# qemu exit status $vm_status; console log: $work/console.log"
	tail -n 20 "$work/console.log" | sed 's/^/# /'
fi
[ -n "$plan" ] && [ "$plan" -eq "$results" ] && [ "$results" -gt 0 ]
ok $? "the scenario planned ${plan:-no} tests and reported $results"
done_testing
