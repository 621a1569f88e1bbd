# shellcheck shell=sh
# lib.sh — sourced inside the VM by what runs a scenario (tests/vm/init in
# the test initramfs, tests/vm/systemd/run-scenario on the systemd disk):
# TAP helpers, run_scenario, which runs the scenario named on the kernel
# command line between the markers the host side looks for, and checks
# that several scenarios share.

tap_n=0
tap_failed=0

ok() {	# ok STATUS DESCRIPTION
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
}

skip() {	# skip DESCRIPTION REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# missing_input DESCRIPTION REASON — something the host packs into the
# image is not there: a skip the host turns into a failure under CI=true.
missing_input() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP missing input: $2"
}

diag() {	# diag TEXT... — TAP diagnostics: "# " before every line of each TEXT
	printf '%s\n' "$@" | sed 's/^/# /'
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}

# run_scenario — run /mt/scenarios/NAME.sh for mt.scenario=NAME on the
# kernel command line, sourced in a subshell in /tmp, between the lines
# "MT-BEGIN NAME" and "MT-END NAME STATUS"; returns its status.
run_scenario() {
	scenario=
	read -r cmdline </proc/cmdline
	for word in $cmdline; do
		case $word in
		mt.scenario=*) scenario=${word#mt.scenario=} ;;
		esac
	done
	echo "MT-BEGIN $scenario"
	if [ -f "/mt/scenarios/$scenario.sh" ]; then
		# shellcheck source=/dev/null
		(cd /tmp && . "/mt/scenarios/$scenario.sh")
		status=$?
	else
		echo "Bail out! no scenario '$scenario' in /mt/scenarios"
		status=1
	fi
	echo "MT-END $scenario $status"
	return "$status"
}

# lsmod_agrees — $bin/lsmod prints /proc/modules in lsmod's layout (each
# module's users as a set: lsmod lists them in sysfs's order), and the
# kernel's sysfs refcounts match /proc/modules.
lsmod_agrees() {
	{
		echo "Module                  Size  Used by"
		while read -r name size refs holders _; do
			if [ "$holders" = - ]; then
				printf '%-19s %8s  %s\n' "$name" "$size" "$refs"
			else
				printf '%-19s %8s  %s %s\n' "$name" "$size" "$refs" "${holders%,}"
			fi
			sysrefs=$(cat "/sys/module/$name/refcnt")
			[ "$sysrefs" = "$refs" ] ||
				diag "$name: refcnt $sysrefs in sysfs, $refs in /proc/modules" >&2
		done </proc/modules
	} | sort_users >/tmp/want_lsmod 2>/tmp/refcnt_diff
	"$bin/lsmod" >/tmp/lsmod 2>&1
	if [ -s /tmp/refcnt_diff ] || ! sort_users </tmp/lsmod | cmp -s /tmp/want_lsmod -; then
		cat /tmp/refcnt_diff
		diag "lsmod:" "$(cat /tmp/lsmod)" "expected (users in any order):" \
			"$(cat /tmp/want_lsmod)"
		return 1
	fi
}

sort_users() {	# sort_users — lsmod's output with each "Used by" list sorted
	awk 'NF == 4 {
		n = split($4, u, ",")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && u[j - 1] > u[j]; j--) {
				t = u[j]; u[j] = u[j - 1]; u[j - 1] = t
			}
		s = u[1]
		for (i = 2; i <= n; i++)
			s = s "," u[i]
		sub(/[^ ]*$/, s)
	} { print }'
}
