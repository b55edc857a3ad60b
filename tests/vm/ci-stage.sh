#!/usr/bin/env bash
# ci-stage.sh: the VM stage of tests/run-all.sh: boots the Debian 12 guest (tests/vm/run.sh: systemd as
# PID 1, unified cgroup v2 with every controller, kernel 6.1) and runs there what differs from the
# hybrid-cgroup CI host: a lifecycle subset, cgroups.bats, systemd.bats (podman with its defaults and
# with --cgroup-manager cgroupfs), systemd-cgroup.bats (husk's --systemd-cgroup driver), containerd.bats'
# systemd-driver and ctr checkpoint/restore tests, checkpoint.bats
# (CRIU round trips), the cgroup and rootless tests of five other files, and lab 5 (cgroups). Prints a
# bats-style summary and ends with "N passed, N failed".
# The whole suite in the guest is: tests/vm/run.sh tests/vm/each-file.sh (per file: counts and time)
#
# ci-stage.sh --guest: the part that runs inside the guest (run.sh calls it).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)

if [[ ${1:-} != --guest ]]; then
	exec "$here/run.sh" tests/vm/ci-stage.sh --guest
fi

cd "$top" || exit 1
passed=0
failed=0
# The lifecycle tests whose path goes through cgroups or process management.
lifecycle='^(run: |create: created|kill --all|delete --force|ps: |a create killed midway|create: a missing bind source|start: a created container whose init|a damaged state)'

echo "== host: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r), PID 1 $(cat /proc/1/comm)," \
	"/sys/fs/cgroup $(stat -fc %T /sys/fs/cgroup) ($(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null))"

# part NAME CMD...: run a bats selection (TAP), print its failures and time, add to the totals.
part() {
	local name=$1 log start p f
	shift
	log=$(mktemp)
	start=$SECONDS
	"$@" >"$log" 2>&1
	p=$(grep -c '^ok ' "$log")
	f=$(grep -c '^not ok ' "$log")
	if ((p + f == 0)); then
		tail -n 30 "$log"
		f=1
	fi
	grep -E '^not ok |^#' "$log" | head -150
	echo "$name: $p ok, $f not ok ($((SECONDS - start)) s)"
	passed=$((passed + p))
	failed=$((failed + f))
	rm -f "$log"
}

part "lifecycle (subset)" bats --tap -f "$lifecycle" tests/integration/lifecycle.bats
part "cgroups" bats --tap tests/integration/cgroups.bats
part "systemd + podman" bats --tap tests/integration/systemd.bats
part "systemd cgroup driver" bats --tap tests/integration/systemd-cgroup.bats
# containerd's runc shim with husk: SystemdCgroup = true, and ctr's checkpoint/restore through CRIU
part "containerd (systemd driver, CRIU)" bats --tap -f 'SystemdCgroup = true|ctr containers checkpoint' \
	tests/integration/containerd.bats
# CRIU works on the guest's kernel (not on the dev host's): the core checkpoint/restore round trips
# (every CRIU call costs tens of seconds under TCG, so not the whole file)
part "checkpoint (CRIU)" bats --tap -f 'counts on from where|--leave-running: the container|stdio are pipes|prestart and createRuntime|podman container checkpoint|page-server reaches|file-locks reaches|tcp-established reaches|empty-ns network reaches|ext-unix-sk reaches|auto-dedup reaches|restore --systemd-cgroup|manage-cgroups-mode reaches|refuses a default cgroup' \
	tests/integration/checkpoint.bats
# the tests of other files whose path differs on v2 + systemd: the cgroup mount and namespace, exec's
# cgroup, rootless cgroups (delegation), and a systemd service's ignored signals
v2paths='^(default mounts: |cgroup mount: |CVE-2023-25809|exec: joins every namespace|exec --cgroup|new namespaces: |cgroup namespace: |without a cgroup namespace|rootless cgroup: |rootless: pause, resume|issue 19: ignored signals)'
part "v2 paths elsewhere" bats --tap -f "$v2paths" tests/integration/{mounts,security,exec,namespaces,rootless}.bats

# lab 5 (cgroups) command by command, its pure v2 blocks; its result as a TAP line, the details as comments
lab5() {
	tests/labs/run-labs.sh docs/labs/05-cgroups.md | sed 's/^FAIL /not ok /; s/^  /#   /'
}
part "lab 5" lab5

echo "$passed passed, $failed failed"
((failed == 0))
