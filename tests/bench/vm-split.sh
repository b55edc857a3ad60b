#!/bin/bash
# vm-split.sh [N]: tests/bench/run.sh --split N (default 20) in the Debian 12 guest of tests/vm (systemd PID 1,
# pure cgroup v2 with every controller, kernel 6.1): p10/p50/p90 of husk, crun and runc for the sequential run
# and for create, start, wait, delete. The guest has no compiler, so the timer (tests/bench/timeit.c) is built
# here, statically, into build/bench-timeit, which run.sh sends along with build/husk.
#
# Under TCG (no /dev/kvm) every time is inflated several times over: only the ratios between the runtimes
# measured in the same run mean anything. Not part of CI (tests/run-all.sh): about 10 minutes with N=20.
# Environment: that of tests/vm/run.sh (HUSK_VM_DIR, HUSK_VM_CPUS, HUSK_VM_TIMEOUT, ...).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
n=${1:-20}
[[ $n =~ ^[0-9]+$ ]] || {
	echo "usage: vm-split.sh [N]" >&2
	exit 2
}
cc -O2 -Wall -Wextra -static -o "$top/build/bench-timeit" "$here/timeit.c"
# the guest unpacks the tree in /root/husk
export HUSK_BENCH_TIMEIT=/root/husk/build/bench-timeit HUSK=/root/husk/build/husk HUSK_BENCH_N=$n
echo "vm-split.sh: host load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
# shellcheck disable=SC2016 # $HUSK_BENCH_N is the guest's
HUSK_VM_ENV="${HUSK_VM_ENV:-} HUSK_BENCH_TIMEIT HUSK HUSK_BENCH_N" "$top/tests/vm/run.sh" \
	sh -c 'tests/bench/run.sh --split "$HUSK_BENCH_N"' || rc=$?
echo "vm-split.sh: host load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$rc"
