#!/bin/bash
# soak.sh [-n N] [-i INTERVAL] [-m lifecycle|run] [-k]: run N containers one after the other (default
# 10000) and prove that husk leaks nothing over time. Every INTERVAL containers (default 500) it samples
# husk's peak RSS (the largest of any husk command since the last sample, from /usr/bin/time), the
# system's open files (/proc/sys/fs/file-nr), cgroups, mounts, state directories and processes left by
# the soak, and the elapsed time; at the end it prints the table and a verdict. Exit status: 0 when every
# command succeeded and nothing grew, 1 on a failure or growth, 2 on a usage error. Needs root.
#
#   -m lifecycle  create, start, state, kill KILL, state until stopped, delete (default)
#   -m run        husk run of `true` (removed at exit, like run --rm)
#   -k            keep the work directory (bundle, logs) instead of removing it
#
# Environment: HUSK (default build/husk; the soak runs a copy of it), HUSK_PROBE (default build/husk-probe), SOAK_RSS_TOL_KB (256),
# SOAK_FILES_TOL (512), SOAK_MOUNTS_TOL (16): how far the last sample may exceed the first. Files and
# mounts are counted system-wide, so other work on the machine moves them: hence the tolerances. What the
# soak itself left (its cgroups, mounts, state directories, processes) must be exactly 0 at every sample.
set -uo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HUSK=$(realpath -m "${HUSK:-$src/build/husk}")
HUSK_PROBE=$(realpath -m "${HUSK_PROBE:-$src/build/husk-probe}")
N=10000
INTERVAL=500
MODE=lifecycle
KEEP=
RSS_TOL=${SOAK_RSS_TOL_KB:-256}
FILES_TOL=${SOAK_FILES_TOL:-512}
MOUNTS_TOL=${SOAK_MOUNTS_TOL:-16}
MAX_FAILURES=20

usage() {
	sed -n '2,/^set /{/^set /d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
}

while getopts n:i:m:kh opt; do
	case $opt in
	n) N=$OPTARG ;;
	i) INTERVAL=$OPTARG ;;
	m) MODE=$OPTARG ;;
	k) KEEP=1 ;;
	*) usage ;;
	esac
done
[[ "$N" =~ ^[1-9][0-9]*$ && "$INTERVAL" =~ ^[1-9][0-9]*$ ]] || usage
[[ "$MODE" == lifecycle || "$MODE" == run ]] || usage
((EUID == 0)) || {
	echo "soak.sh: needs root" >&2
	exit 2
}
[[ -x "$HUSK" ]] || {
	echo "soak.sh: no husk at '$HUSK' (build it or set HUSK)" >&2
	exit 2
}
[[ -x /usr/bin/time ]] || {
	echo "soak.sh: /usr/bin/time is needed (apt-get install time)" >&2
	exit 2
}

WORK=$(mktemp -d /tmp/husk-soak.XXXXXX)
ROOT=$WORK/state
PREFIX=soak-$$
BUNDLE=$WORK/bundle
RSSFILE=$WORK/rss
LOG=$WORK/failures.log
failures=0
peak_rss=0

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local id
	if [[ -d "$ROOT" ]]; then
		find "$ROOT" -mindepth 1 -maxdepth 1 -printf '%f\n' | while read -r id; do
			"$HUSK" --root "$ROOT" delete --force "$id" >/dev/null 2>&1
		done
	fi
	if [[ -n "$KEEP" ]]; then
		echo "work directory kept: $WORK"
	else
		rm -rf --one-file-system "$WORK"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# a private copy: a rebuild of build/husk during a long soak must not break (or change) it half-way
install -m 0755 "$HUSK" "$WORK/husk" || exit 1
SOURCE_HUSK=$HUSK
HUSK=$WORK/husk
HUSK=$HUSK HUSK_PROBE=$HUSK_PROBE "$src/rootfs-fixtures/mkbundle.sh" "$BUNDLE" true >/dev/null ||
	exit 1
if [[ "$MODE" == lifecycle ]]; then
	jq '.process.args = ["sleep", "1000"]' "$BUNDLE/config.json" >"$BUNDLE/config.json.new" &&
		mv "$BUNDLE/config.json.new" "$BUNDLE/config.json" || exit 1
fi

# h ARGS...: one husk command under /usr/bin/time; its output goes to $WORK/out, its peak RSS (KiB) is
# folded into peak_rss. The container's own stdio goes to /dev/null (a created init keeps it open).
h() {
	local rss
	/usr/bin/time -f %M -o "$RSSFILE" "$HUSK" --root "$ROOT" "$@" </dev/null >"$WORK/out" 2>&1
	local rc=$?
	rss=$(tail -n 1 "$RSSFILE" 2>/dev/null)
	[[ "$rss" =~ ^[0-9]+$ ]] && ((rss > peak_rss)) && peak_rss=$rss
	return $rc
}

failed() {
	((failures++))
	{
		echo "container $1: $2"
		cat "$WORK/out"
	} >>"$LOG"
	if ((failures <= 5)); then
		echo "FAIL container $1: $2: $(head -c 300 "$WORK/out")" >&2
	fi
}

# state_of ID: the container's status in ST (not through $(...): peak_rss must be updated here).
state_of() {
	ST=
	h state "$1" || return 1
	ST=$(sed -n 's/^ *"status": "\([a-z]*\)".*/\1/p' "$WORK/out")
}

one_container() {
	local id=$PREFIX-$1 tries
	if [[ "$MODE" == run ]]; then
		h run --bundle "$BUNDLE" "$id" || failed "$id" "run"
		return
	fi
	h create --bundle "$BUNDLE" "$id" || {
		failed "$id" create
		return
	}
	h start "$id" || failed "$id" start
	state_of "$id"
	[[ "$ST" == running ]] || failed "$id" "state after start: '$ST'"
	h kill "$id" KILL || failed "$id" kill
	for ((tries = 0; tries < 500; tries++)); do
		state_of "$id"
		[[ "$ST" == running ]] || break
	done
	[[ "$ST" == stopped ]] || failed "$id" "state after kill: '$ST'"
	h delete "$id" || failed "$id" delete
}

# What the soak itself left: cgroups named after its ids (under any hierarchy), mounts and processes
# under its work directory, entries in its state root.
own_cgroups() {
	find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -name "$PREFIX-*" 2>/dev/null | wc -l
}
husk_cgroups() {
	# the cgroups at the top of every hierarchy, where husk's default /<id> goes, whoever made them
	# (other husk users included)
	if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
		find /sys/fs/cgroup -mindepth 1 -maxdepth 1 -type d
	else
		find /sys/fs/cgroup/*/ -mindepth 1 -maxdepth 1 -type d
	fi 2>/dev/null | wc -l
}
own_mounts() {
	awk -v d="$WORK" 'index($4, d) == 1 || index($5, d) == 1' /proc/self/mountinfo | wc -l
}
own_procs() {
	find /proc/[0-9]*/cwd /proc/[0-9]*/root -maxdepth 0 -printf '%p\t%l\n' 2>/dev/null |
		awk -F '\t' -v d="$WORK" 'index($2, d) == 1 { split($1, p, "/"); print p[3] }' | sort -u | wc -l
}

S_N=() S_T=() S_RSS=() S_FILES=() S_CG=() S_HCG=() S_MNT=() S_OWN=()
sample() {
	local i=${#S_N[@]}
	S_N[i]=$1
	S_T[i]=$SECONDS
	S_RSS[i]=$peak_rss
	S_FILES[i]=$(cut -f1 /proc/sys/fs/file-nr)
	S_CG[i]=$(own_cgroups)
	S_HCG[i]=$(husk_cgroups)
	S_MNT[i]=$(wc -l </proc/self/mountinfo)
	# own cgroups + own mounts + state dirs + own processes: must all be 0
	S_OWN[i]="$(own_mounts)/$(find "$ROOT" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)/$(own_procs)"
	printf '%8d %7ds %8d %8d %8d %8d %8d %10s %6d\n' "${S_N[i]}" "${S_T[i]}" "${S_RSS[i]}" \
		"${S_FILES[i]}" "${S_CG[i]}" "${S_HCG[i]}" "${S_MNT[i]}" "${S_OWN[i]}" "$failures"
	peak_rss=0
}

echo "soak: $N containers ($MODE), $SOURCE_HUSK, sample every $INTERVAL"
printf '%8s %8s %8s %8s %8s %8s %8s %10s %6s\n' count elapsed rss_kb files own_cg husk_cg mounts 'mnt/st/pr' fails
SECONDS=0
for ((n = 1; n <= N; n++)); do
	one_container "$n"
	if ((n % INTERVAL == 0 || n == N)); then
		sample "$n"
	fi
	if ((failures >= MAX_FAILURES)); then
		echo "soak: stopping after $failures failures (details in $LOG)" >&2
		KEEP=1
		sample "$n"
		break
	fi
done

# The verdict: the first sample is the baseline (the first INTERVAL containers warm up caches).
last=$((${#S_N[@]} - 1))
verdict=0
check() {
	if (($2)); then
		echo "  ok    $1"
	else
		echo "  FAIL  $1"
		verdict=1
	fi
}
echo "verdict: ${S_N[last]} containers in ${S_T[last]}s" \
	"($(awk -v n="${S_N[last]}" -v t="${S_T[last]}" 'BEGIN { printf "%.1f", (t > 0 ? n / t : n) }')/s)"
check "no command failed ($failures failures)" "failures == 0"
check "peak RSS ${S_RSS[0]} -> ${S_RSS[last]} KiB (tolerance $RSS_TOL)" "S_RSS[last] <= S_RSS[0] + RSS_TOL"
check "open files ${S_FILES[0]} -> ${S_FILES[last]} (tolerance $FILES_TOL)" \
	"S_FILES[last] <= S_FILES[0] + FILES_TOL"
check "mounts ${S_MNT[0]} -> ${S_MNT[last]} (tolerance $MOUNTS_TOL)" "S_MNT[last] <= S_MNT[0] + MOUNTS_TOL"
# other users of husk on the machine come and go under the same husk directories: information only
echo "  info  cgroups at the top of the hierarchies (all users): ${S_HCG[0]} -> ${S_HCG[last]}"
own_ok=1 # read by check's arithmetic
# shellcheck disable=SC2034
for ((i = 0; i <= last; i++)); do
	[[ "${S_CG[i]}" == 0 && "${S_OWN[i]}" == 0/0/0 ]] || own_ok=0
done
check "no cgroup, mount, state directory or process of the soak left at any sample" "own_ok"
if ((failures > 0)); then
	KEEP=1
	echo "failures are logged in $LOG"
fi
((verdict == 0)) && echo "PASS" || echo "FAIL"
exit "$verdict"
