# shellcheck shell=sh
# host-test.sh — the host side of a VM test, sourced by tests/vm-NAME.sh
# after tests/common.sh with $scenario (runs tests/vm/scenario-NAME.sh) and
# $scenario_tools (our tools it needs) set: builds the test modules and an
# initramfs, boots the installed Debian kernel in qemu, and re-emits the
# scenario's TAP results, followed by checks that the VM finished and the
# scenario reported all its results.
#
# Environment: MT_VM_KERNEL (kernel image; default /boot/vmlinuz-RELEASE for
# the release the test modules are built for), MT_VM_TIMEOUT (seconds,
# default 180), MT_QEMU, MT_BUSYBOX (see tests/vm/).

vm=$top_srcdir/tests/vm
work=$top_builddir/tests/vm-$scenario.d
timeout=${MT_VM_TIMEOUT:-180}

command -v "${MT_QEMU:-qemu-system-x86_64}" >/dev/null ||
	skip_all "${MT_QEMU:-qemu-system-x86_64} is not installed (qemu-system-x86)"
[ -x "${MT_BUSYBOX:-/bin/busybox}" ] ||
	skip_all "${MT_BUSYBOX:-/bin/busybox} is not installed (busybox-static)"
for t in $scenario_tools; do
	[ -x "$(tool "$t")" ] || skip_all "tools/$t is not built"
done

mkdir -p "$work"
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

"$vm/run-vm.sh" "$kernel" "$work/initrd.cpio.gz" "$scenario" "$timeout" \
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
