#!/usr/bin/env bash
# run-bats.sh [BATS ARGS...]: the integration suite (default: all of tests/integration), after one line
# saying which host layout it runs on: tests that need one layout skip elsewhere and say why.
#   tests/run-bats.sh                          # here
#   tests/vm/run.sh tests/run-bats.sh          # in the Debian 12 guest (systemd, cgroup v2)
#   tests/run-bats.sh --layout                 # only the line
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

layout() {
	if [[ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" == cgroup2fs ]]; then
		echo "unified (cgroup v2 only; controllers: $(cat /sys/fs/cgroup/cgroup.controllers))"
	elif [[ -d /sys/fs/cgroup/unified ]]; then
		echo "hybrid (cgroup v1 controllers, v2 at /sys/fs/cgroup/unified)"
	else
		echo "legacy (cgroup v1 only)"
	fi
}
echo "# host: cgroup layout $(layout); PID 1 is $(cat /proc/1/comm); kernel $(uname -r)"
[[ ${1:-} != --layout ]] || exit 0
(($# > 0)) || set -- tests/integration
exec bats "$@"
