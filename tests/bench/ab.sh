#!/bin/bash
# ab.sh OLD_HUSK NEW_HUSK [RUNS] [ROUNDS]: A/B of two husk binaries on "husk run" of /bin/true.
#
# Makes one busybox bundle (rootfs-fixtures/mkbundle.sh, config from NEW's "husk spec", args /bin/true, as
# tests/bench/run.sh does), then runs ROUNDS (default 10) rounds of hyperfine -N with RUNS (default 50) runs of
# each binary after 3 warmup runs; the order alternates between rounds (OLD first, then NEW first), so slow
# drifts of the machine's load reach both. Prints each round's medians and NEW/OLD ratio, then the median of the
# ratios and the medians over all runs. Both binaries use their own --root; everything (bundle, state) is
# removed on exit. Wall times: run it on a quiet machine. Run as root.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

die() {
	echo "ab.sh: error: $*" >&2
	exit 1
}

[[ $# -ge 2 && $# -le 4 ]] || {
	echo "usage: ab.sh OLD_HUSK NEW_HUSK [RUNS (default 50)] [ROUNDS (default 10)]" >&2
	exit 2
}
old=$(command -v "$1") || die "'$1' is not an executable"
new=$(command -v "$2") || die "'$2' is not an executable"
runs=${3:-50}
rounds=${4:-10}
[[ $runs =~ ^[0-9]+$ && $runs -ge 2 && $rounds =~ ^[0-9]+$ && $rounds -ge 1 ]] ||
	die "RUNS must be at least 2 and ROUNDS at least 1"
[[ $EUID -eq 0 ]] || die "must run as root"
command -v hyperfine >/dev/null || die "hyperfine is missing (apt-get install hyperfine)"
command -v python3 >/dev/null || die "python3 is missing"

# ids of this run only: two ab.sh at once would otherwise share a cgroup (the default path is by id)
id_old=ab-old-$$ id_new=ab-new-$$
work=$(mktemp -d /tmp/husk-ab.XXXXXX)
cleanup() {
	"$old" --root "$work/root-old" delete -f "$id_old" >/dev/null 2>&1 || true
	"$new" --root "$work/root-new" delete -f "$id_new" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

HUSK=$new "$repo/rootfs-fixtures/mkbundle.sh" "$work/bundle" /bin/true >"$work/mkbundle.log" 2>&1 ||
	die "mkbundle.sh failed: $(tail -n 5 "$work/mkbundle.log")"
cmd_old="$old --root $work/root-old run --bundle $work/bundle $id_old"
cmd_new="$new --root $work/root-new run --bundle $work/bundle $id_new"
$cmd_old >/dev/null || die "OLD cannot run the bundle: $cmd_old"
$cmd_new >/dev/null || die "NEW cannot run the bundle: $cmd_new"

echo "OLD $old"
echo "NEW $new"
echo "$rounds rounds of $runs runs each, hyperfine -N, order alternating; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$rounds"); do
	if ((r % 2)); then set -- "$cmd_old" "$cmd_new"; else set -- "$cmd_new" "$cmd_old"; fi
	hyperfine -N --style none --warmup 3 --runs "$runs" --export-json "$work/round-$r.json" "$@" \
		>/dev/null 2>>"$work/hyperfine.log" || die "hyperfine failed in round $r: $(tail -n 5 "$work/hyperfine.log")"
done
python3 - "$work" "$rounds" <<'EOF'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
ratios, all_old, all_new = [], [], []
print(f"{'round':>5} {'OLD ms':>9} {'NEW ms':>9} {'NEW/OLD':>8}")
for r in range(1, rounds + 1):
    res = [x["times"] for x in json.load(open(f"{work}/round-{r}.json"))["results"]]
    to, tn = (res[0], res[1]) if r % 2 else (res[1], res[0])  # odd rounds ran OLD first
    o, n = statistics.median(to), statistics.median(tn)
    all_old += to
    all_new += tn
    ratios.append(n / o)
    print(f"{r:5d} {o * 1e3:9.2f} {n * 1e3:9.2f} {n / o:8.3f}")
print(f"median of the round ratios NEW/OLD: {statistics.median(ratios):.3f} (min {min(ratios):.3f}, max {max(ratios):.3f})")
mo, mn = statistics.median(all_old), statistics.median(all_new)
print(f"median over all runs: OLD {mo * 1e3:.2f} ms, NEW {mn * 1e3:.2f} ms, NEW/OLD {mn / mo:.3f}")
EOF
