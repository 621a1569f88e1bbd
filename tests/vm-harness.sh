#!/bin/sh
# vm-harness.sh — the VM harness itself (tests/vm/host-test.sh, through
# tests/vm-insmod.sh): each way a VM run can go wrong must end in a "not ok"
# that says why, never in a passing run of zero checks.  The cases run
# with a stand-in qemu printing a prepared console (killed by a 1 s time
# limit, cut off before the scenario's end, a result lost on the console,
# a missing input under CI=true, and one good run), then with the real
# qemu: a file that is no kernel, and a boot whose /init cannot be found.
. "${top_srcdir:-$(dirname "$0")/..}/tests/common.sh"

command -v "${MT_QEMU:-qemu-system-x86_64}" >/dev/null ||
	missing_input_all "${MT_QEMU:-qemu-system-x86_64} is not installed (qemu-system-x86)"
work=$top_builddir/tests/vm-harness.d
mkdir -p "$work"
fake=$work/fake-qemu
cat >"$fake" <<'EOF'
#!/bin/sh
# Stands in for qemu: prints $MT_FAKE_CONSOLE, then sleeps $MT_FAKE_SLEEP s.
cat "$MT_FAKE_CONSOLE"
sleep "${MT_FAKE_SLEEP:-0}"
EOF
chmod +x "$fake"

# harness NAME [VAR=VALUE...] — vm-insmod.sh in the environment given,
# its output in $work/NAME.out, its exit status in $rc.
harness() {
	name=$1
	shift
	env MT_VM_WORK="$work/vm" "$@" "$top_srcdir/tests/vm-insmod.sh" >"$work/$name.out" 2>&1
	rc=$?
	if grep -q '^1\.\.0 # SKIP' "$work/$name.out"; then
		missing_input_all "the harness skips: $(sed -n 's/^1\.\.0 # SKIP //p' "$work/$name.out")"
	fi
}

# expect DESCRIPTION STATUS PATTERN... — the last run exited with STATUS and
# its output has a line matching each grep PATTERN.
expect() {
	desc=$1 want=$2
	shift 2
	status=0
	[ "$rc" -eq "$want" ] || { echo "# exit status $rc, expected $want"; status=1; }
	for pattern in "$@"; do
		grep -q -- "$pattern" "$work/$name.out" || { echo "# no line matching: $pattern"; status=1; }
	done
	[ "$status" -eq 0 ] || sed 's/^/#   /' "$work/$name.out" | tail -n 30
	ok $status "$desc"
}

console() {	# console LINE... — the stand-in qemu's console
	printf '%s\r\n' "$@" >"$work/console"
}

console 'MT-BEGIN insmod' 'ok 1 - first' 'ok 2 - second'
harness timeout MT_QEMU="$fake" MT_FAKE_CONSOLE="$work/console" MT_FAKE_SLEEP=60 MT_VM_TIMEOUT=1
expect "killed by the time limit: fails, naming the limit" 1 \
	'^not ok [0-9]* - the VM finished within 1s$' \
	'^# qemu was killed after 1s: raise MT_VM_TIMEOUT' \
	'^not ok [0-9]* - the scenario ran to its end$' \
	'^# console log .* ends:$' '^#   ok 2 - second$'

console 'Linux version 6.1' 'Kernel panic - not syncing: no init found'
harness noboot MT_QEMU="$fake" MT_FAKE_CONSOLE="$work/console"
expect "no scenario on the console: fails, showing the console" 1 \
	'^not ok [0-9]* - the VM booted and started the scenario$' \
	"^# no 'MT-BEGIN insmod' on the console" \
	'^# no plan line from the scenario (0 results)$' \
	'^#   Kernel panic - not syncing: no init found$'

console 'MT-BEGIN insmod' 'ok 1 - first' 'ok 2 - second' 'not ok 3 - third'
harness cutoff MT_QEMU="$fake" MT_FAKE_CONSOLE="$work/console"
expect "cut off before the scenario's end: fails" 1 \
	'^ok [0-9]* - first$' '^not ok [0-9]* - third$' \
	'^not ok [0-9]* - the scenario ran to its end$' \
	"^# no 'MT-END insmod' on the console after 3 results$"

console 'MT-BEGIN insmod' 'ok 1 - first' 'o[    3.2] random: crng init done' 'k 2 - second' \
	'1..2' 'MT-END insmod 0'
harness lost MT_QEMU="$fake" MT_FAKE_CONSOLE="$work/console"
expect "a result lost on the console: fails" 1 \
	'^not ok [0-9]* - the scenario reported a plan and all its results$' \
	'^# the scenario planned 2 tests and reported 1$'

console 'MT-BEGIN insmod' 'ok 1 - first # SKIP missing input: no kmod on the host' '1..1' \
	'MT-END insmod 0'
harness missing-ci MT_QEMU="$fake" MT_FAKE_CONSOLE="$work/console" CI=true
expect "a missing input in the VM under CI=true: fails" 1 \
	'^not ok 1 - first$' '^# no kmod on the host (a missing input, a failure under CI=true)$'
harness missing MT_QEMU="$fake" MT_FAKE_CONSOLE="$work/console" CI=
expect "a missing input in the VM elsewhere: a skip" 0 \
	'^ok 1 - first # SKIP no kmod on the host$'

console '[    0.0] SeaBIOS' 'MT-BEGIN insmod' 'ok 1 - first' '# a comment' 'ok 2 - second' \
	'1..2' 'MT-END insmod 0'
harness good MT_QEMU="$fake" MT_FAKE_CONSOLE="$work/console"
expect "a good run passes, with the VM's checks" 0 \
	'^ok 2 - second$' '^ok 3 - the VM finished within' '^ok 6 - the scenario reported a plan' \
	'^1\.\.6$'

printf 'not a kernel\n' >"$work/not-a-kernel"
harness nokernel MT_VM_KERNEL="$work/not-a-kernel"
expect "the real qemu on a file that is no kernel: fails with qemu's message" 1 \
	'^not ok [0-9]* - the VM booted and started the scenario$' \
	'qemu exit status [1-9]' '^#   .*qemu'

harness noinit MT_VM_APPEND=rdinit=/nonexistent
expect "the real kernel without its /init: fails, showing the panic" 1 \
	'^ok [0-9]* - the VM finished within' \
	'^not ok [0-9]* - the VM booted and started the scenario$' '^#   .*Kernel panic'
done_testing
