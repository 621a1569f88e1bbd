# shellcheck shell=sh
# host-test.sh — the host side of a VM test, sourced by tests/vm-NAME.sh
# after tests/common.sh with $scenario, $scenario_tools (our tools it
# needs) and $vm_image set.  vm_image=initramfs (the default): builds the
# test modules and the test initramfs (make-initramfs.sh), which runs
# tests/vm/scenario-NAME.sh; vm_image=systemd: makes the systemd disk and
# its initramfs (make-systemd-vm.sh), whose boot runs
# tests/vm/systemd/scenario-NAME.sh after multi-user.target.  Then boots
# the installed Debian kernel in qemu and re-emits the scenario's TAP
# results, followed by checks that the VM finished in time, booted, ran the
# scenario to its end and reported all its planned results (each failure
# says why and shows the end of the console log).  A skip the scenario
# marks as a missing input is a failure under CI=true.  $vm_boots, when
# set, boots the image once for each of its "SCENARIO[:WORD,...]" in turn,
# the words added to the kernel command line.
#
# Environment: MT_VM_KERNEL (kernel image; default /boot/vmlinuz-RELEASE for
# the release the image is made for), MT_VM_TIMEOUT (seconds, default 300;
# 600 for the systemd boot), MT_VM_WORK (work directory, default
# BUILDDIR/tests/vm-SCENARIO.d), MT_QEMU, MT_BUSYBOX, MT_ROOTFS_CACHE (see
# tests/vm/).

vm=$top_srcdir/tests/vm
work=${MT_VM_WORK:-$top_builddir/tests/vm-$scenario.d}
vm_image=${vm_image:-initramfs}

command -v "${MT_QEMU:-qemu-system-x86_64}" >/dev/null ||
	missing_input_all "${MT_QEMU:-qemu-system-x86_64} is not installed (qemu-system-x86)"
[ -x "${MT_BUSYBOX:-/bin/busybox}" ] ||
	missing_input_all "${MT_BUSYBOX:-/bin/busybox} is not installed (busybox-static)"
for t in $scenario_tools; do
	[ -x "$(tool "$t")" ] || missing_input_all "tools/$t is not built"
done
mkdir -p "$work"

case $vm_image in
initramfs)
	# A run takes about 10 s on an idle 2-core machine, 20-30 s with both
	# cores busy and up to 50 s at a load average of 9: 300 s leaves a
	# wide margin.
	timeout=${MT_VM_TIMEOUT:-300}
	"$top_srcdir/tests/build-test-modules.sh" "$work/modules" >"$work/build.out"
	case $? in
	0) ;;
	77) missing_input_all "no kernel headers found (install linux-headers-amd64)" ;;
	*) echo "Bail out! building the test modules failed"; exit 1 ;;
	esac
	release=$(sed -n 's/^release //p' "$work/build.out")
	kernel=${MT_VM_KERNEL:-/boot/vmlinuz-$release}
	[ -r "$kernel" ] || missing_input_all "no readable kernel image $kernel (install linux-image-$release)"
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
	[ -n "$tree" ] || missing_input_all "no installed module tree (install linux-image-amd64)"
	release=${tree##*/}
	kernel=${MT_VM_KERNEL:-/boot/vmlinuz-$release}
	[ -r "$kernel" ] || missing_input_all "no readable kernel image $kernel (install linux-image-$release)"
	"$vm/make-systemd-vm.sh" -b "$top_builddir" -r "$release" "$work" >"$work/make.out" 2>&1
	case $? in
	0) ;;
	77) missing_input_all "$(tail -n 1 "$work/make.out")" ;;
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

# boot NAME WORDS [RUN-VM OPTION...] — boot the image with mt.scenario=NAME
# (and WORDS on the kernel command line), re-emit the scenario's TAP
# results, then check how the run went.  Each boot's files are named after
# its scenario.
boot() {
	name=$1
	append="${MT_VM_APPEND:-}${2:+ $2}"
	shift 2		# run-vm.sh's options follow
	started=$(date +%s)
	MT_VM_APPEND=$append "$vm/run-vm.sh" "$@" "$kernel" "$work/initrd.cpio.gz" "$name" "$timeout" \
		>"$work/console-$name.log" 2>&1
	vm_status=$?
	elapsed=$(($(date +%s) - started))

	# The scenario's output sits between "MT-BEGIN NAME" (maybe behind the
	# firmware's terminal escapes) and "MT-END NAME STATUS".
	tr -d '\r' <"$work/console-$name.log" |
		sed -n "/MT-BEGIN $name\$/,/^MT-END $name /p" >"$work/tap-$name.out"
	plan=
	before=$tap_n
	while IFS= read -r line; do
		case $line in
		*"MT-BEGIN $name" | "MT-END $name "*) ;;
		"ok "*" # SKIP missing input: "*)
			desc=${line#ok * - }
			missing_input "${desc% # SKIP *}" "${line##* # SKIP missing input: }"
			;;
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
	done <"$work/tap-$name.out"
	results=$((tap_n - before))
	echo "# the VM ran ${elapsed}s (limit ${timeout}s, MT_VM_TIMEOUT), qemu exit status $vm_status"

	# How the run went, each way it can go wrong a "not ok" with the
	# reason; the end of the console log follows the first one.
	console_shown=
	[ "$vm_status" -ne 124 ]
	vm_check $? "the VM finished within ${timeout}s" \
		"qemu was killed after ${timeout}s: raise MT_VM_TIMEOUT on a slow or loaded machine"
	grep -q "MT-BEGIN $name\$" "$work/tap-$name.out"
	vm_check $? "the VM booted and started the scenario" \
		"no 'MT-BEGIN $name' on the console: the kernel or /init did not start (qemu exit status $vm_status)"
	grep -q "^MT-END $name " "$work/tap-$name.out"
	vm_check $? "the scenario ran to its end" "no 'MT-END $name' on the console after $results results"
	if [ -z "$plan" ]; then
		vm_check 1 "the scenario reported a plan and all its results" \
			"no plan line from the scenario ($results results)"
	else
		[ "$plan" -eq "$results" ] && [ "$results" -gt 0 ]
		vm_check $? "the scenario reported a plan and all its results" \
			"the scenario planned $plan tests and reported $results"
	fi
}

vm_check() {	# vm_check STATUS DESCRIPTION REASON — for the boot $name
	if [ "$name" = "$scenario" ]; then
		ok "$1" "$2"
	else
		ok "$1" "$name boot: $2"
	fi
	[ "$1" -eq 0 ] && return 0
	echo "# $3"
	if [ -z "$console_shown" ]; then
		console_shown=1
		echo "# console log $work/console-$name.log ends:"
		tr -d '\r' <"$work/console-$name.log" | tail -n 25 | sed 's/^/#   /'
	fi
}

# The boots: "SCENARIO[:WORDS]", WORDS (commas for spaces) added to the
# kernel command line; by default the one scenario.
for b in ${vm_boots:-$scenario}; do
	words=
	case $b in
	*:*) words=$(echo "${b#*:}" | tr , ' ') ;;
	esac
	boot "${b%%:*}" "$words" "$@"
done
done_testing
