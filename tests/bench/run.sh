#!/bin/bash
# run.sh [N] | run.sh --quick [N]: benchmark husk against runc and crun (issue 7) and write docs/performance.md
# and docs/performance.png.
#
# Installs runc, crun, gnuplot-nox and time from apt when missing, builds husk (Release) in build-bench/ unless
# HUSK names a binary, makes one busybox bundle (config from "husk spec", args /bin/true) used by all three
# runtimes, and measures with the runtimes interleaved, the order rotated each iteration (husk, crun, runc; crun, runc, husk; ...):
#   1. sequential run of /bin/true, N per runtime, next to the floor (unshare of the same namespaces + true);
#   2. create, start, wait for stopped (state), delete, each timed, N/2 rounds;
#   3. exec of /bin/true into a running container, N per runtime (floor: nsenter into its namespaces + true);
#   4. peak RSS (ru_maxrss from wait4) of the runtime process in each of those;
#   5. 50 containers created, started and deleted with xargs -P2 (wall time per phase, failures), and one more
#      create + delete with 0 and with 200 containers existing (median of 10);
#   6. a profile of husk's create (tests/bench/profile.sh, min(N, 30) runs): phases from husk's --debug timestamps,
#      and, when perf is installed, where husk sleeps in the kernel (off-CPU waits by kernel stack);
# --split: steps 1 and 2 only (default N=20), no tool installed but runc, crun, jq: a p10/p50/p90 table per runtime on
# stdout, nothing written to docs/ (tests/bench/vm-split.sh runs it in the Debian 12 guest of tests/vm).
# --quick: N=20, one scale round, no 200-container part, and the report goes to the results directory instead of
# docs/. Raw CSVs and logs are kept in /tmp/husk-bench-results.*; everything else (bundles, state, containers,
# cgroups, crun's mount namespace helper) is removed on exit, also on failure.
#
# crun 1.8 refuses a hybrid cgroup layout (v1 controllers + a v2 tree at /sys/fs/cgroup/unified). On such a host
# every crun command runs inside one long-lived private mount namespace (an "unshare -m ... sleep infinity" helper)
# in which an empty file is bind-mounted over /sys/fs/cgroup/unified/cgroup.controllers; nsenter enters it, and the
# timer runs inside, so nsenter's own cost is not measured.
#
# Environment: HUSK=path (benchmark this binary, build nothing), HUSK_BENCH_BUILD=dir (build dir, default
# build-bench), HUSK_BENCH_DOCS=dir (where the report goes, default docs/; with --quick the results dir),
# HUSK_BENCH_TIMEIT=path (a prebuilt tests/bench/timeit.c, for a machine without a compiler).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

RTS=(husk crun runc)
SCALE=50          # containers per scale round
EXISTING=200      # containers that exist while "one more" is measured
EXISTING_REPS=10  # create + delete pairs measured at 0 and at $EXISTING
STOP_TIMEOUT=10   # seconds to wait for containers running /bin/true to stop

die() {
	echo "run.sh: error: $*" >&2
	exit 1
}

note() {
	echo "run.sh: $*" >&2
}

usage() {
	echo "usage: run.sh [N]        (N containers per runtime and measurement, default 100)" >&2
	echo "       run.sh --quick [N] (smoke run: N=20, no 200-container part, report not written to docs/)" >&2
	echo "       run.sh --split [N] (sequential run and create/start/wait/delete only, N=20: a table on stdout)" >&2
	exit 2
}

quick=0
split=0
N=
while [[ $# -gt 0 ]]; do
	case $1 in
	--quick) quick=1 ;;
	--split) split=1 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*)
		[[ -z "$N" && $1 =~ ^[0-9]+$ ]] || usage
		N=$1
		;;
	esac
	shift
done
if [[ -z "$N" ]]; then
	if ((quick || split)); then N=20; else N=100; fi
fi
((N >= 2)) || die "N must be at least 2 (the split measurement runs N/2 rounds)"
ROUNDS=$((N / 2))
if ((quick)); then SCALE_ROUNDS=1; else SCALE_ROUNDS=3; fi
PROFILE_N=$((N < 30 ? N : 30)) # runs of tests/bench/profile.sh (phases; at most 10 of them under perf)

[[ $EUID -eq 0 ]] || die "must run as root (namespaces, cgroups and the runtimes' state need it)"
[[ -d /sys/fs/cgroup ]] || die "/sys/fs/cgroup is missing"

### Tools ###########################################################################################################

need=()
command -v runc >/dev/null || need+=(runc)
command -v crun >/dev/null || need+=(crun)
((split)) || command -v gnuplot >/dev/null || need+=(gnuplot-nox)
((split)) || [[ -x /usr/bin/time ]] || need+=(time)
command -v jq >/dev/null || need+=(jq)
[[ -n "${HUSK_BENCH_TIMEIT:-}" ]] || command -v cc >/dev/null || need+=(gcc libc6-dev)
if [[ -z "${HUSK:-}" ]] && ! command -v cmake >/dev/null; then need+=(cmake); fi
command -v nsenter >/dev/null && command -v unshare >/dev/null || need+=(util-linux)
if [[ ${#need[@]} -gt 0 ]]; then
	command -v apt-get >/dev/null || die "missing ${need[*]} and there is no apt-get to install them"
	note "installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y -q "${need[@]}" >&2; then
		apt-get update -q >&2 || die "apt-get update failed"
		apt-get install -y -q "${need[@]}" >&2 || die "apt-get install ${need[*]} failed"
	fi
fi

### Scratch space and cleanup #######################################################################################

work=$(mktemp -d /tmp/husk-bench.XXXXXX)
results=$(mktemp -d /tmp/husk-bench-results.XXXXXX)
log=$results/bench.log
failures=$results/failures.log
errf=$work/last.err
prefix=hb$$ # every container id starts with it, so leftovers (cgroups too) can be found
helper=     # pid of crun's mount namespace helper
: >"$log"
: >"$failures"

# Sets PRE (what runs outside the timed region: nsenter for crun) and BIN (the runtime with its --root).
rt_set() {
	case $1 in
	husk)
		PRE=()
		BIN=("$husk" --root "$work/state/husk")
		;;
	crun)
		if [[ -n "$helper" ]]; then PRE=(nsenter "--mount=/proc/$helper/ns/mnt" --); else PRE=(); fi
		BIN=(crun --root "$work/state/crun")
		;;
	runc)
		PRE=()
		BIN=(runc --root "$work/state/runc")
		;;
	*) die "unknown runtime '$1'" ;;
	esac
}

# plain RT ARGS...: one untimed runtime command.
plain() {
	local rt=$1
	shift
	rt_set "$rt"
	"${PRE[@]}" "${BIN[@]}" "$@"
}

# Ids of the containers in RT's state directory.
ids_of() {
	local d
	for d in "$work/state/$1"/*/; do
		[[ -d "$d" ]] && basename "$d"
	done
	return 0
}

# Leftover cgroup directories of this run.
leftover_cgroups() {
	find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "$prefix-*" 2>/dev/null || true
}

# Force-deletes every container of this run, then removes any cgroup directory still named after one.
delete_all() {
	local rt ids
	for rt in "${RTS[@]}"; do
		[[ -d "$work/state/$rt" ]] || continue
		ids=$(ids_of "$rt")
		[[ -n "$ids" ]] || continue
		rt_set "$rt"
		printf '%s\n' "$ids" | "${PRE[@]}" xargs -P2 -n1 "${BIN[@]}" delete --force >>"$log" 2>&1 ||
			note "could not delete every $rt container (see $log)"
	done
	leftover_cgroups | sort -r | xargs -r rmdir 2>>"$log" || true
}

cleanup() {
	local rc=$? left
	set +e
	trap - EXIT INT TERM
	if [[ $rc -ne 0 ]]; then note "failed (exit $rc); cleaning up"; fi
	[[ -n "${husk:-}" ]] && delete_all
	if [[ -n "$helper" ]]; then
		kill "$helper" 2>/dev/null
		wait "$helper" 2>/dev/null
		helper=
	fi
	left=$(leftover_cgroups)
	[[ -z "$left" ]] || note "cgroups left behind: $left"
	if awk -v d="$work" 'index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		note "mounts remain under $work; not removing it"
	else
		rm -rf "$work"
	fi
	note "raw data and logs: $results"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

### husk, the timer, the bundles ####################################################################################

if [[ -n "${HUSK:-}" ]]; then
	husk=$(command -v "$HUSK") || die "HUSK='$HUSK' is not an executable"
else
	bdir=${HUSK_BENCH_BUILD:-$repo/build-bench}
	note "building husk (Release) in $bdir"
	{ cmake -S "$repo" -B "$bdir" -DCMAKE_BUILD_TYPE=Release && cmake --build "$bdir" -j2 --target husk; } >>"$log" 2>&1 ||
		die "building husk failed; the end of $log says why: $(tail -n 5 "$log")"
	husk=$bdir/husk
fi
[[ -x "$husk" ]] || die "'$husk' is not an executable"

timeit=$work/timeit
if [[ -n "${HUSK_BENCH_TIMEIT:-}" ]]; then
	# a guest without a compiler (tests/bench/vm-split.sh): a static timeit built on the host
	cp "$HUSK_BENCH_TIMEIT" "$timeit" || die "HUSK_BENCH_TIMEIT='$HUSK_BENCH_TIMEIT' cannot be copied"
elif ! cc -O2 -Wall -Wextra -static -o "$timeit" "$here/timeit.c" >>"$log" 2>&1; then
	note "a static timeit did not link; building it dynamically"
	cc -O2 -Wall -Wextra -o "$timeit" "$here/timeit.c" >>"$log" 2>&1 || die "cc could not build $here/timeit.c (see $log)"
fi
waitstop=$here/wait-stopped.sh
[[ -x "$waitstop" ]] || die "$waitstop is missing or not executable"

note "making the bundles in $work"
bundle=$work/bundle
HUSK=$husk "$repo/rootfs-fixtures/mkbundle.sh" "$bundle" /bin/true >>"$log" 2>&1 ||
	die "mkbundle.sh failed; the end of $log says why: $(tail -n 5 "$log")"
# crun 1.8 rejects the ociVersion husk spec writes (1.2.0: "unknown version specified"); runc spec's 1.0.2-dev
# is accepted by all three, so the one config.json says that.
jq '.ociVersion = "1.0.2-dev"' "$bundle/config.json" >"$work/config.json" && mv "$work/config.json" "$bundle/config.json"
# The exec target: the same config with sleep as its program, on its own copy of the rootfs.
sbundle=$work/sleep-bundle
mkdir "$sbundle"
cp -a "$bundle/rootfs" "$sbundle/rootfs"
jq '.process.args = ["/bin/sleep", "100000"]' "$bundle/config.json" >"$sbundle/config.json"
mkdir -p "$work/state/husk" "$work/state/crun" "$work/state/runc"

# The namespaces the config asks for, as unshare flags (the floor must create the same ones).
floor_flags=()
for ns in $(jq -r '.linux.namespaces[].type' "$bundle/config.json"); do
	case $ns in
	pid) floor_flags+=(--pid --fork) ;;
	network) floor_flags+=(--net) ;;
	ipc) floor_flags+=(--ipc) ;;
	uts) floor_flags+=(--uts) ;;
	mount) floor_flags+=(--mount) ;;
	cgroup) floor_flags+=(--cgroup) ;;
	user) floor_flags+=(--user) ;;
	time) floor_flags+=(--time) ;;
	*) die "the config asks for a '$ns' namespace that the floor does not know" ;;
	esac
done

### crun's mount namespace ##########################################################################################

controllers=/sys/fs/cgroup/unified/cgroup.controllers
if [[ -f "$controllers" && ! -f /sys/fs/cgroup/cgroup.controllers ]]; then
	touch "$work/empty"
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	unshare --mount --propagation private \
		sh -c 'mount --bind "$1" "$2" && exec sleep infinity' sh "$work/empty" "$controllers" >>"$log" 2>&1 &
	helper=$!
	for ((k = 0; ; k++)); do
		kill -0 "$helper" 2>/dev/null || die "crun's mount namespace helper exited (see $log)"
		grep -q " ${controllers} " "/proc/$helper/mountinfo" 2>/dev/null && break
		((k < 200)) || die "crun's mount namespace helper did not bind-mount $controllers"
		sleep 0.05
	done
	note "crun runs in the mount namespace of pid $helper (empty $controllers)"
fi

### Measurements ####################################################################################################

# timed CSV TAG RT ARGS...: one runtime command under timeit, appending "TAG,ns,maxrss_kb,status" to CSV.
# stdout is discarded and stderr kept in $errf; a failure is logged to $failures.
timed() {
	local csv=$1 tag=$2 rt=$3 rc=0
	shift 3
	rt_set "$rt"
	"${PRE[@]}" "$timeit" "$csv" "$tag" "${BIN[@]}" "$@" </dev/null >/dev/null 2>"$errf" || rc=$?
	if [[ $rc -ne 0 ]]; then
		{
			echo "$tag: ${BIN[*]} $* exited $rc:"
			head -c 2000 "$errf"
		} >>"$failures"
	fi
	return "$rc"
}

# recover RT ID: after a failed step, take the container down so it does not disturb what follows.
recover() {
	plain "$1" delete --force "$2" </dev/null >>"$log" 2>&1 || true
}

# state_of RT ID: the container's status, or "absent".
state_of() {
	local s
	if s=$(plain "$1" state "$2" 2>/dev/null) && [[ $s =~ \"status\"[[:space:]]*:[[:space:]]*\"([a-z]+)\" ]]; then
		echo "${BASH_REMATCH[1]}"
	else
		echo absent
	fi
}

csv_run=$results/run.csv
csv_split=$results/split.csv
csv_exec=$results/exec.csv
csv_scale=$results/scale.csv
csv_scalefail=$results/scale-failures.csv
csv_exist=$results/existing.csv
: >"$csv_run"
: >"$csv_split"
: >"$csv_exec"
: >"$csv_scale"
: >"$csv_scalefail"
: >"$csv_exist"

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$SECONDS

# Warm-up: one run each, not recorded, so page cache and first-use costs do not land in iteration 1.
for rt in "${RTS[@]}"; do
	timed "$work/warmup.csv" "warmup,$rt,0" "$rt" run --bundle "$bundle" "$prefix-${rt:0:1}w" ||
		die "$rt cannot run the benchmark bundle: $(cat "$errf")"
done
"$timeit" "$work/warmup.csv" warmup,floor,0 unshare "${floor_flags[@]}" true || die "unshare ${floor_flags[*]} true failed"

# rotated: iteration i starts at the (i mod K)th of LIST. A fixed order puts one runtime always right after
# another's exit, whose deferred kernel work (a network namespace's cleanup_net, RCU callbacks, cgroup
# release) then lands on that one alone; rotated, every runtime follows every other equally often.
rotated() {
	local i=$1 k
	shift
	ORDER=()
	for ((k = 0; k < $#; k++)); do
		ORDER+=("${@:$(((i + k) % $# + 1)):1}")
	done
}

note "1/7 sequential run, N=$N per runtime"
for ((i = 1; i <= N; i++)); do
	rotated "$i" "${RTS[@]}" floor
	for rt in "${ORDER[@]}"; do
		if [[ $rt == floor ]]; then
			"$timeit" "$csv_run" "run,floor,$i" unshare "${floor_flags[@]}" true 2>>"$failures" || true
			continue
		fi
		id=$prefix-${rt:0:1}r$i
		timed "$csv_run" "run,$rt,$i" "$rt" run --bundle "$bundle" "$id" || recover "$rt" "$id"
	done
done

note "2/7 create, start, wait, delete, $ROUNDS rounds"
for ((i = 1; i <= ROUNDS; i++)); do
	rotated "$i" "${RTS[@]}"
	for rt in "${ORDER[@]}"; do
		id=$prefix-${rt:0:1}s$i
		timed "$csv_split" "create,$rt,$i" "$rt" create --bundle "$bundle" "$id" || {
			recover "$rt" "$id"
			continue
		}
		timed "$csv_split" "start,$rt,$i" "$rt" start "$id" || {
			recover "$rt" "$id"
			continue
		}
		rt_set "$rt"
		"${PRE[@]}" "$waitstop" "$csv_split" "wait,$rt,$i" "${BIN[@]}" "$id" </dev/null >>"$log" 2>&1 || {
			echo "wait,$rt,$i: $id not stopped after 10 s" >>"$failures"
			recover "$rt" "$id"
			continue
		}
		timed "$csv_split" "delete,$rt,$i" "$rt" delete "$id" || recover "$rt" "$id"
	done
done
# total = create + start + wait + delete of the rounds where all four succeeded (printf: mawk prints a sum above
# 2^31 ns as 2.29e+09, which sort -n misorders).
awk -F, '$NF == 0 { s[$2 "," $3] += $4; c[$2 "," $3]++ }
	END { for (k in s) if (c[k] == 4) printf "total,%s,%.0f,0,0\n", k, s[k] }' "$csv_split" >"$work/total.csv"
cat "$work/total.csv" >>"$csv_split"

if ((split)); then
	note "3/7 to 5/7 skipped (--split): exec, scale, one more with many existing"
else
	note "3/7 exec, N=$N per runtime"
	for rt in "${RTS[@]}"; do
		id=$prefix-${rt:0:1}x
		plain "$rt" create --bundle "$sbundle" "$id" </dev/null >>"$log" 2>&1 || die "$rt could not create the exec target (see $log)"
		plain "$rt" start "$id" </dev/null >>"$log" 2>&1 || die "$rt could not start the exec target (see $log)"
		[[ $(state_of "$rt" "$id") == running ]] || die "$rt's exec target is not running"
	done
	if ! s=$(plain husk state "$prefix-hx") || ! [[ $s =~ \"pid\"[[:space:]]*:[[:space:]]*([0-9]+) ]]; then
		die "no pid in husk's state of $prefix-hx"
	fi
	target_pid=${BASH_REMATCH[1]}
	enter_flags=()
	for f in "${floor_flags[@]}"; do
		[[ $f == --fork ]] || enter_flags+=("$f")
	done
	for ((i = 1; i <= N; i++)); do
		rotated "$i" "${RTS[@]}" floor
		for rt in "${ORDER[@]}"; do
			if [[ $rt == floor ]]; then
				"$timeit" "$csv_exec" "exec,floor,$i" nsenter --target "$target_pid" "${enter_flags[@]}" -- /bin/true 2>>"$failures" || true
				continue
			fi
			timed "$csv_exec" "exec,$rt,$i" "$rt" exec "$prefix-${rt:0:1}x" /bin/true || true
		done
	done
	for rt in "${RTS[@]}"; do
		plain "$rt" delete --force "$prefix-${rt:0:1}x" </dev/null >>"$log" 2>&1 || note "$rt could not delete its exec target"
	done

	# scale_phase RT ROUND PHASE EXPECT IDFILE ARGS...: ARGS for every id in IDFILE, two at a time (xargs -P2), timed
	# as a whole; then counts the ids whose state is not EXPECT and records them as failures.
	scale_phase() {
		local rt=$1 round=$2 phase=$3 expect=$4 idfile=$5 id fails=0
		shift 5
		rt_set "$rt"
		"${PRE[@]}" "$timeit" "$csv_scale" "$phase,$rt,$round" xargs -P2 -n1 "${BIN[@]}" "$@" <"$idfile" >>"$log" 2>&1 || true
		if [[ $expect == stopped ]]; then wait_stopped "$rt" "$idfile"; fi
		while read -r id; do
			[[ $(state_of "$rt" "$id") == "$expect" ]] || fails=$((fails + 1))
		done <"$idfile"
		echo "$phase,$rt,$round,$fails" >>"$csv_scalefail"
		[[ $fails -eq 0 ]] || echo "scale $phase,$rt,$round: $fails of $(wc -l <"$idfile") not $expect" >>"$failures"
	}

	# wait_stopped RT IDFILE: waits (untimed, up to $STOP_TIMEOUT s) until no container of IDFILE is running.
	wait_stopped() {
		local id deadline=$((SECONDS + STOP_TIMEOUT))
		while read -r id; do
			while [[ $(state_of "$1" "$id") == running && $SECONDS -lt $deadline ]]; do sleep 0.01; done
		done <"$2"
	}

	note "4/7 scale: $SCALE containers created, started, deleted with xargs -P2, $SCALE_ROUNDS rounds"
	for ((r = 1; r <= SCALE_ROUNDS; r++)); do
		for rt in "${RTS[@]}"; do
			idfile=$work/scale-$rt-$r
			for ((i = 1; i <= SCALE; i++)); do echo "$prefix-${rt:0:1}c$r-$i"; done >"$idfile"
			scale_phase "$rt" "$r" create created "$idfile" create --bundle "$bundle"
			scale_phase "$rt" "$r" start stopped "$idfile" start
			scale_phase "$rt" "$r" delete absent "$idfile" delete
			delete_all # whatever failed, so the next round starts from zero
		done
	done

	if ((quick)); then
		note "5/7 skipped (--quick): create + delete with $EXISTING containers existing"
	else
		note "5/7 one more create + delete with 0, then $EXISTING, containers existing ($EXISTING_REPS each)"
		for rt in "${RTS[@]}"; do
			[[ -z "$(ids_of "$rt")" ]] || die "$rt still has containers before the 0-existing measurement"
		done
		# exist_round AT: EXISTING_REPS interleaved create + delete --force pairs, tagged with AT (0 or $EXISTING).
		# delete needs --force: the container is "created", and husk refuses to delete a created container without it.
		exist_round() {
			local at=$1 i rt id
			for ((i = 1; i <= EXISTING_REPS; i++)); do
				for rt in "${RTS[@]}"; do
					id=$prefix-${rt:0:1}m$at-$i
					timed "$csv_exist" "create$at,$rt,$i" "$rt" create --bundle "$bundle" "$id" || {
						recover "$rt" "$id"
						continue
					}
					timed "$csv_exist" "delete$at,$rt,$i" "$rt" delete --force "$id" || recover "$rt" "$id"
				done
			done
		}
		exist_round 0
		for rt in "${RTS[@]}"; do
			idfile=$work/exist-$rt
			for ((i = 1; i <= EXISTING; i++)); do echo "$prefix-${rt:0:1}e$i"; done >"$idfile"
			scale_phase "$rt" 1 populate created "$idfile" create --bundle "$bundle"
		done
		exist_round "$EXISTING"
		for rt in "${RTS[@]}"; do
			scale_phase "$rt" 1 depopulate absent "$work/exist-$rt" delete --force
		done
	fi
fi

note "6/7 cleaning up the containers"
delete_all
for rt in "${RTS[@]}"; do
	[[ -z "$(ids_of "$rt")" ]] || die "$rt containers remain after delete_all: $(ids_of "$rt" | head -n 5)"
done
left=$(leftover_cgroups)
left_text=none
[[ -z "$left" ]] || left_text=$(echo "$left" | tr '\n' ' ')
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$((SECONDS - t_start))

### Report ##########################################################################################################

# stats CSV PHASE RT COL: "n failed median p10 p90 min max sum" of column COL over PHASE,RT rows that succeeded
# (percentiles by nearest rank; "-" for all six when nothing succeeded).
stats() {
	awk -F, -v p="$2" -v r="$3" -v c="$4" '$1 == p && $2 == r { if ($NF == 0) print $c; else print "F" }' "$1" |
		sort -n |
		awk '$1 == "F" { f++; next }
		function rank(q,   i) { i = int(q * n); if (i < q * n) i++; if (i < 1) i = 1; return v[i] }
		{ v[++n] = $1; sum += $1 }
		END {
			if (!n) { print 0, f + 0, "- - - - - -"; exit }
			med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
			print n, f + 0, med, rank(0.1), rank(0.9), v[1], v[n], sum
		}'
}

# Formats a raw value: ms (from ns, 2 decimals), s (from ns, 3 decimals), kib (integer), or "–" for "-".
fmt() {
	awk -v v="$2" -v u="$1" 'BEGIN {
		if (v == "-" || v == "") { print "–"; exit }
		if (u == "ms") printf "%.2f\n", v / 1e6
		else if (u == "s") printf "%.3f\n", v / 1e9
		else printf "%d\n", v
	}'
}

# ratio A B: A/B with 2 decimals, "–" when either is missing.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || a == "" || b == "" || b == 0) print "–"; else printf "%.2f\n", a / b }'
}

# le A B: true when A <= B (numbers; false when either is missing).
le() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "–" && b != "–" && a != "" && b != "" && a + 0 <= b + 0) }'
}

declare -A MED P10 P90 MIN MAX NOK NFAIL SUM
# load KEY CSV PHASE RT COL: fills the arrays above under KEY.
load() {
	local key=$1 n f med p10 p90 min max sum
	read -r n f med p10 p90 min max sum < <(stats "$2" "$3" "$4" "$5")
	NOK[$key]=$n NFAIL[$key]=$f MED[$key]=$med P10[$key]=$p10 P90[$key]=$p90 MIN[$key]=$min MAX[$key]=$max SUM[$key]=$sum
}

ALL=("${RTS[@]}" floor)
for rt in "${ALL[@]}"; do
	load "run,$rt" "$csv_run" run "$rt" 4
	load "exec,$rt" "$csv_exec" exec "$rt" 4
done
for rt in "${RTS[@]}"; do
	load "rss-run,$rt" "$csv_run" run "$rt" 5
	load "rss-exec,$rt" "$csv_exec" exec "$rt" 5
	for step in create start wait delete total; do
		load "$step,$rt" "$csv_split" "$step" "$rt" 4
	done
	for step in create start delete; do
		load "rss-$step,$rt" "$csv_split" "$step" "$rt" 5
	done
	for phase in create start delete; do
		load "scale-$phase,$rt" "$csv_scale" "$phase" "$rt" 4
	done
	if ((!quick)); then
		for at in 0 "$EXISTING"; do
			load "create$at,$rt" "$csv_exist" "create$at" "$rt" 4
			load "delete$at,$rt" "$csv_exist" "delete$at" "$rt" 4
		done
		load "populate,$rt" "$csv_scale" populate "$rt" 4
		load "depopulate,$rt" "$csv_scale" depopulate "$rt" 4
	fi
done
if ((!quick)); then
	# both = create + delete of the pairs where both succeeded.
	awk -F, '$NF == 0 && $1 ~ /^(create|delete)[0-9]+$/ { a = $1; sub(/^(create|delete)/, "", a); k = a "," $2 "," $3; s[k] += $4; c[k]++ }
		END { for (k in s) if (c[k] == 2) { split(k, f, ","); printf "both%s,%s,%s,%.0f,0,0\n", f[1], f[2], f[3], s[k] } }' \
		"$csv_exist" >"$work/both.csv"
	for rt in "${RTS[@]}"; do
		for at in 0 "$EXISTING"; do load "both$at,$rt" "$work/both.csv" "both$at" "$rt" 4; done
	done
fi

# --split: the table of the two measurements made, on stdout (and in $results/split.md), then done.
split_report() {
	local rt step row
	echo "tests/bench/run.sh --split $N on $(uname -r), cgroup layout: $cglayout, $(nproc) CPUs," \
		"$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); $("$husk" --version | head -n 1)," \
		"$(crun --version | head -n 1), $(runc --version | head -n 1)"
	echo "load average at the start: $load_start; at the end: $load_end; $elapsed s; failures: $(grep -c . "$failures")"
	echo
	echo "| step (ms) | husk p10 / p50 / p90 | crun p10 / p50 / p90 | runc p10 / p50 / p90 | husk/crun | husk/runc |"
	echo "|---|---|---|---|---|---|"
	for step in run create start wait delete total; do
		row="| $step"
		[[ $step != run ]] || row="| run (sequential)"
		for rt in "${RTS[@]}"; do
			row+=" | $(fmt ms "${P10[$step,$rt]}") / $(fmt ms "${MED[$step,$rt]}") / $(fmt ms "${P90[$step,$rt]}")"
		done
		echo "$row | $(ratio "${MED[$step,husk]}" "${MED[$step,crun]}") | $(ratio "${MED[$step,husk]}" "${MED[$step,runc]}") |"
	done
	echo
	echo "Ratios are of the medians. run: N=$N per runtime; the four steps: $ROUNDS rounds; total: their sum where all four succeeded."
	echo "create p90/p10: husk $(ratio "${P90[create,husk]}" "${P10[create,husk]}"), crun $(ratio "${P90[create,crun]}" "${P10[create,crun]}"), runc $(ratio "${P90[create,runc]}" "${P10[create,runc]}")."
}

# Sum of the failures of PHASE,RT in the scale runs.
scale_fails() {
	awk -F, -v p="$1" -v r="$2" '$1 == p && $2 == r { f += $4 } END { print f + 0 }' "$csv_scalefail"
}

# Table cells.
cell_med() { fmt "$1" "${MED[$2]}"; }
cell_range() { echo "$(fmt "$1" "${P10[$2]}")–$(fmt "$1" "${P90[$2]}")"; }
cell_minmax() { echo "$(fmt "$1" "${MIN[$2]}")–$(fmt "$1" "${MAX[$2]}")"; }
cell_ok() {
	if [[ ${NFAIL[$1]} -eq 0 ]]; then echo "${NOK[$1]}"; else echo "${NOK[$1]} (${NFAIL[$1]} failed)"; fi
}
cell_full() { echo "$(cell_med "$1" "$2") [$(cell_range "$1" "$2")]"; }

version_of() {
	"$@" 2>&1 | head -n 1
}
rev=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown)
cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
# shellcheck disable=SC1091 # the host's, not ours to lint
os=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")
if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
	cglayout="v2 (unified)"
elif [[ -f "$controllers" ]]; then
	v2=$(tr -s '\n' ' ' <"$controllers" | sed 's/ *$//')
	cglayout="hybrid: v1 controllers, a v2 tree at /sys/fs/cgroup/unified with controllers: ${v2:-none}"
else
	cglayout="v1"
fi
if ((split)); then
	split_report | tee "$results/split.md"
	exit 0
fi

if ((quick)); then docs=${HUSK_BENCH_DOCS:-$results}; else docs=${HUSK_BENCH_DOCS:-$repo/docs}; fi
mkdir -p "$docs"
report=$docs/performance.md
png=$docs/performance.png

# The plot: per-container time of the sequential run.
awk -F, -v n="$N" '$1 == "run" && $NF == 0 { t[$3, $2] = $4 / 1e6 }
	END {
		print "# iteration husk crun runc floor (ms)"
		for (i = 1; i <= n; i++) {
			line = i
			split("husk crun runc floor", rts, " ")
			for (k = 1; k <= 4; k++) line = line " " (((i, rts[k]) in t) ? sprintf("%.3f", t[i, rts[k]]) : "?")
			print line
		}
	}' "$csv_run" >"$results/run-plot.dat"
gnuplot >>"$log" 2>&1 <<EOF || die "gnuplot failed (see $log)"
set terminal pngcairo size 1000,560 font "sans,10"
set output "$work/performance.png"
set title "Sequential run of /bin/true: wall time per container (N=$N, runtimes interleaved)"
set xlabel "iteration"
set ylabel "ms"
set grid
set yrange [0:*]
set key top right
set datafile missing "?"
plot "$results/run-plot.dat" using 1:2 with linespoints pt 7 ps 0.4 title "husk", \
	"" using 1:3 with linespoints pt 7 ps 0.4 title "crun", \
	"" using 1:4 with linespoints pt 7 ps 0.4 title "runc", \
	"" using 1:5 with linespoints pt 7 ps 0.4 title "floor: unshare + true"
EOF

# The Profile section is the lead's, the cgroup v2 guest's is tests/bench/vm-split.sh's (a person copies its table
# in): keep what an earlier report had there.
profile=$work/profile.md
if [[ -f "$report" ]]; then
	awk '/^## / { inside = ($0 == "## Profile" || index($0, "## On cgroup v2") == 1) } inside' "$report" >"$profile"
fi
if [[ ! -s "$profile" ]]; then
	cat >"$profile" <<'EOF'
## Profile

_To be filled in: where husk's start path spends its time (perf, strace -c, ltrace), what was removed, and what
is left._

EOF
fi

# Where husk's create spends its time, phase by phase and off-CPU (tests/bench/profile.sh, issue 18).
note "7/7 profile of husk's create, $PROFILE_N runs"
"$here/profile.sh" "$husk" "$bundle" "$PROFILE_N" "$work/phases.md" 2>>"$log" || {
	note "profile.sh failed (see $log)"
	printf '## Create, phase by phase\n\n(profile.sh failed in this run; see the log.)\n\n' >"$work/phases.md"
}

r_run_crun=$(ratio "${MED[run,husk]}" "${MED[run,crun]}")
r_run_runc=$(ratio "${MED[run,husk]}" "${MED[run,runc]}")
r_run_floor=$(ratio "${MED[run,husk]}" "${MED[run,floor]}")
r_exec_crun=$(ratio "${MED[exec,husk]}" "${MED[exec,crun]}")
r_exec_runc=$(ratio "${MED[exec,husk]}" "${MED[exec,runc]}")
r_exec_floor=$(ratio "${MED[exec,husk]}" "${MED[exec,floor]}")
r_rss_create=$(ratio "${MED[rss-create,husk]}" "${MED[rss-create,crun]}")
r_rss_exec=$(ratio "${MED[rss-exec,husk]}" "${MED[rss-exec,crun]}")

goal() { if [[ $1 == yes ]]; then echo "met"; else echo "not met"; fi; }
yes_if_le() { if le "$1" "$2"; then echo yes; else echo no; fi; }

{
	echo "# Performance: husk vs crun vs runc"
	echo
	echo "Generated by \`tests/bench/run.sh $( ((quick)) && echo "--quick ")$N\` (issue 7). Medians over the successful runs;"
	echo "p10–p90 by nearest rank. The three runtimes (and the floor) ran interleaved on one bundle, the order rotated each iteration (so each follows each other equally often),"
	echo "so drift and other load on the machine fall on all of them alike."
	echo
	echo "## Machine"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| date | $(date -u '+%Y-%m-%d %H:%M UTC') |"
	echo "| CPU | ${cpu:-unknown}, $(nproc) online CPUs |"
	echo "| memory | $mem |"
	echo "| kernel | $(uname -r) |"
	echo "| OS | $os |"
	echo "| cgroups | $cglayout |"
	echo "| husk | $(version_of "$husk" --version) (git $rev), $husk |"
	echo "| crun | $(version_of crun --version)$([[ -n "$helper" ]] && echo ", in a private mount namespace with an empty cgroup.controllers over the v2 tree (see Method)") |"
	echo "| runc | $(version_of runc --version) |"
	echo "| N | $N containers per runtime (sequential run, exec), $ROUNDS rounds (split) |"
	echo "| load average | $load_start at the start, $load_end at the end (other jobs may share the machine) |"
	echo "| duration | ${elapsed} s |"
	echo
	echo "## 1. Sequential \`run\` of /bin/true"
	echo
	echo "Wall time of one \`RUNTIME run\` of a container whose program is /bin/true, from fork to reaping the runtime."
	echo
	echo "| runtime | median ms | p10–p90 ms | min–max ms | sum of $N, s | runs |"
	echo "|---|---:|---:|---:|---:|---:|"
	for rt in "${ALL[@]}"; do
		name=$rt
		[[ $rt == floor ]] && name="floor: \`unshare ${floor_flags[*]} true\`"
		echo "| $name | $(cell_med ms "run,$rt") | $(cell_range ms "run,$rt") | $(cell_minmax ms "run,$rt") | $(fmt s "${SUM[run,$rt]}") | $(cell_ok "run,$rt") |"
	done
	echo
	echo "| husk/crun | husk/runc | husk/floor |"
	echo "|---:|---:|---:|"
	echo "| $r_run_crun | $r_run_runc | $r_run_floor |"
	echo
	echo "![per-container time of the sequential run](performance.png)"
	echo
	echo "## 2. The split: create, start, wait, delete"
	echo
	echo "Each step timed on its own, $ROUNDS rounds. *wait* is the wall time from \`start\` returning until"
	echo "\`RUNTIME state\` first reports \`stopped\`, polling back to back, so it is mostly the cost of \`state\` itself."
	echo "*total* is the sum of the four steps in the rounds where all four succeeded. Cells: median ms [p10–p90]."
	echo
	echo "| step | husk | crun | runc | husk/crun | husk/runc |"
	echo "|---|---:|---:|---:|---:|---:|"
	for step in create start wait delete total; do
		echo "| $step | $(cell_full ms "$step,husk") | $(cell_full ms "$step,crun") | $(cell_full ms "$step,runc") | $(ratio "${MED[$step,husk]}" "${MED[$step,crun]}") | $(ratio "${MED[$step,husk]}" "${MED[$step,runc]}") |"
	done
	echo
	echo "Successful rounds: husk $(cell_ok "total,husk"), crun $(cell_ok "total,crun"), runc $(cell_ok "total,runc") of $ROUNDS."
	echo
	echo "## 3. exec of /bin/true into a running container"
	echo
	echo "\`RUNTIME exec ID /bin/true\` into a container running sleep, waiting for /bin/true to exit. The floor is"
	echo "\`nsenter --target PID ${enter_flags[*]} -- /bin/true\` into husk's container."
	echo
	echo "| runtime | median ms | p10–p90 ms | min–max ms | runs |"
	echo "|---|---:|---:|---:|---:|"
	for rt in "${ALL[@]}"; do
		name=$rt
		[[ $rt == floor ]] && name="floor: nsenter"
		echo "| $name | $(cell_med ms "exec,$rt") | $(cell_range ms "exec,$rt") | $(cell_minmax ms "exec,$rt") | $(cell_ok "exec,$rt") |"
	done
	echo
	echo "| husk/crun | husk/runc | husk/floor |"
	echo "|---:|---:|---:|"
	echo "| $r_exec_crun | $r_exec_runc | $r_exec_floor |"
	echo
	echo "## 4. Peak RSS of the runtime process"
	echo
	echo "ru_maxrss from wait4 on the runtime process, in KiB: median [max]. The kernel folds into it the peak of any"
	echo "child the runtime waited for (for \`run\`, the container's init before it exec'd /bin/true; for runc, its"
	echo "\`runc init\` stages), but not of a child left running: after \`create\`, the container's init belongs to no"
	echo "one's figure here."
	echo
	echo "| command | husk | crun | runc | husk/crun | husk/runc |"
	echo "|---|---:|---:|---:|---:|---:|"
	for step in create start exec delete run; do
		echo "| $step | $(fmt kib "${MED[rss-$step,husk]}") [$(fmt kib "${MAX[rss-$step,husk]}")] | $(fmt kib "${MED[rss-$step,crun]}") [$(fmt kib "${MAX[rss-$step,crun]}")] | $(fmt kib "${MED[rss-$step,runc]}") [$(fmt kib "${MAX[rss-$step,runc]}")] | $(ratio "${MED[rss-$step,husk]}" "${MED[rss-$step,crun]}") | $(ratio "${MED[rss-$step,husk]}" "${MED[rss-$step,runc]}") |"
	done
	echo
	echo "## 5. Scale"
	echo
	echo "$SCALE containers per runtime created, then started, then deleted, with \`xargs -P2 -n1\` ($(nproc) CPUs), $SCALE_ROUNDS"
	echo "round(s), each starting from zero containers. Wall time of each phase: median s [min–max] over the rounds; a"
	echo "failure is a container not in the expected state after the phase (created; stopped; gone), out of $((SCALE * SCALE_ROUNDS))."
	echo
	echo "| phase | husk | crun | runc | husk/crun | husk/runc | failures husk / crun / runc |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	for phase in create start delete; do
		echo "| $phase | $(fmt s "${MED[scale-$phase,husk]}") [$(cell_minmax s "scale-$phase,husk")] | $(fmt s "${MED[scale-$phase,crun]}") [$(cell_minmax s "scale-$phase,crun")] | $(fmt s "${MED[scale-$phase,runc]}") [$(cell_minmax s "scale-$phase,runc")] | $(ratio "${MED[scale-$phase,husk]}" "${MED[scale-$phase,crun]}") | $(ratio "${MED[scale-$phase,husk]}" "${MED[scale-$phase,runc]}") | $(scale_fails "$phase" husk) / $(scale_fails "$phase" crun) / $(scale_fails "$phase" runc) |"
	done
	echo
	if ((quick)); then
		echo "The cost of one more container with $EXISTING existing was skipped (--quick)."
	else
		echo "One more \`create\` + \`delete --force\` (the container is still \"created\"; husk deletes a created"
		echo "container only with --force) with 0 and with $EXISTING created, not started, containers of the same"
		echo "runtime existing; median ms of $EXISTING_REPS, interleaved."
		echo
		echo "| runtime | create @0 | create @$EXISTING | ratio | delete @0 | delete @$EXISTING | ratio | both @0 | both @$EXISTING | ratio |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
		for rt in "${RTS[@]}"; do
			echo "| $rt | $(cell_med ms "create0,$rt") | $(cell_med ms "create$EXISTING,$rt") | $(ratio "${MED[create$EXISTING,$rt]}" "${MED[create0,$rt]}") | $(cell_med ms "delete0,$rt") | $(cell_med ms "delete$EXISTING,$rt") | $(ratio "${MED[delete$EXISTING,$rt]}" "${MED[delete0,$rt]}") | $(cell_med ms "both0,$rt") | $(cell_med ms "both$EXISTING,$rt") | $(ratio "${MED[both$EXISTING,$rt]}" "${MED[both0,$rt]}") |"
		done
		echo
		echo "Making the $EXISTING (xargs -P2): husk $(fmt s "${MED[populate,husk]}") s, crun $(fmt s "${MED[populate,crun]}") s, runc $(fmt s "${MED[populate,runc]}") s;"
		echo "failures: $(scale_fails populate husk) / $(scale_fails populate crun) / $(scale_fails populate runc). Deleting them"
		echo "(\`delete --force\`, xargs -P2): husk $(fmt s "${MED[depopulate,husk]}") s, crun $(fmt s "${MED[depopulate,crun]}") s, runc $(fmt s "${MED[depopulate,runc]}") s;"
		echo "failures: $(scale_fails depopulate husk) / $(scale_fails depopulate crun) / $(scale_fails depopulate runc)."
	fi
	echo
	echo "Cgroup directories of this run left under /sys/fs/cgroup after the last delete: ${left_text}."
	echo
	echo "## What the numbers say"
	echo
	echo "- Sequential run: husk $(cell_med ms run,husk) ms, crun $(cell_med ms run,crun) ms, runc $(cell_med ms run,runc) ms, floor $(cell_med ms run,floor) ms per container."
	echo "  husk/crun = $r_run_crun, husk/runc = $r_run_runc, husk/floor = $r_run_floor. Goal husk/crun <= 0.5: $(goal "$(yes_if_le "$r_run_crun" 0.5)")."
	echo "  p10–p90 (ms): husk $(cell_range ms run,husk), crun $(cell_range ms run,crun), runc $(cell_range ms run,runc), floor $(cell_range ms run,floor)."
	echo "- exec: husk $(cell_med ms exec,husk) ms, crun $(cell_med ms exec,crun) ms, runc $(cell_med ms exec,runc) ms, floor $(cell_med ms exec,floor) ms."
	echo "  husk/crun = $r_exec_crun, husk/runc = $r_exec_runc, husk/floor = $r_exec_floor. Goal husk/crun <= 1: $(goal "$(yes_if_le "$r_exec_crun" 1)")."
	echo "- Peak RSS: create husk $(fmt kib "${MED[rss-create,husk]}") KiB, crun $(fmt kib "${MED[rss-create,crun]}") KiB, runc $(fmt kib "${MED[rss-create,runc]}") KiB (husk/crun = $r_rss_create);"
	echo "  exec husk $(fmt kib "${MED[rss-exec,husk]}") KiB, crun $(fmt kib "${MED[rss-exec,crun]}") KiB, runc $(fmt kib "${MED[rss-exec,runc]}") KiB (husk/crun = $r_rss_exec)."
	echo "  Goal husk/crun <= 1 for both: $(goal "$( [[ $(yes_if_le "$r_rss_create" 1) == yes && $(yes_if_le "$r_rss_exec" 1) == yes ]] && echo yes || echo no)")."
	echo "- Split (median ms): husk create $(cell_med ms create,husk), start $(cell_med ms start,husk), delete $(cell_med ms delete,husk);"
	echo "  crun $(cell_med ms create,crun), $(cell_med ms start,crun), $(cell_med ms delete,crun); runc $(cell_med ms create,runc), $(cell_med ms start,runc), $(cell_med ms delete,runc)."
	echo "  Create's tail, p90/p10: husk $(ratio "${P90[create,husk]}" "${P10[create,husk]}"), crun $(ratio "${P90[create,crun]}" "${P10[create,crun]}"), runc $(ratio "${P90[create,runc]}" "${P10[create,runc]}")."
	echo "  Goal husk <= 1.3 (issue 18): $(goal "$(yes_if_le "$(ratio "${P90[create,husk]}" "${P10[create,husk]}")" 1.3)")."
	echo "- Scale, $SCALE containers with -P2 (median s): create husk $(fmt s "${MED[scale-create,husk]}"), crun $(fmt s "${MED[scale-create,crun]}"), runc $(fmt s "${MED[scale-create,runc]}");"
	echo "  failures husk $(($(scale_fails create husk) + $(scale_fails start husk) + $(scale_fails delete husk))), crun $(($(scale_fails create crun) + $(scale_fails start crun) + $(scale_fails delete crun))), runc $(($(scale_fails create runc) + $(scale_fails start runc) + $(scale_fails delete runc)))."
	if ((!quick)); then
		r_flat=$(ratio "${MED[both$EXISTING,husk]}" "${MED[both0,husk]}")
		echo "- One more create + delete, husk: $(cell_med ms both0,husk) ms with 0 existing, $(cell_med ms "both$EXISTING,husk") ms with $EXISTING"
		echo "  (ratio $r_flat; crun $(ratio "${MED[both$EXISTING,crun]}" "${MED[both0,crun]}"), runc $(ratio "${MED[both$EXISTING,runc]}" "${MED[both0,runc]}"))."
		echo "  Goal flat (counted here as a ratio <= 1.10): $(goal "$(yes_if_le "$r_flat" 1.10)")."
	fi
	echo
	cat "$work/phases.md"
	cat "$profile"
	echo "## Method"
	echo
	echo "- One bundle for all three runtimes: a busybox rootfs and the config.json of \`husk spec\` (runc 1.1's"
	echo "  default: namespaces $(jq -r '[.linux.namespaces[].type] | join(", ")' "$bundle/config.json"), the device rule"
	echo "  \`$(jq -c '.linux.resources.devices' "$bundle/config.json")\`, a read-only root) with args /bin/true and"
	echo "  terminal false. Its ociVersion is set to 1.0.2-dev (what \`runc spec\` writes): crun 1.8 rejects the 1.2.0"
	echo "  that \`husk spec\` writes. The exec target is the same config with args /bin/sleep."
	echo "- Timing: \`tests/bench/timeit.c\` (built static) takes CLOCK_MONOTONIC, forks, execs the runtime, reaps it with"
	echo "  wait4 and records the elapsed ns and ru_maxrss. Each runtime has its own --root under /tmp and unique ids."
	echo "  Before the measurements each runtime runs the bundle once, unrecorded."
	echo "- crun: $([[ -n "$helper" ]] && echo "this host's cgroup layout is hybrid, which crun 1.8 refuses (\"cgroups in hybrid mode not supported, drop all controllers from cgroupv2\"). Every crun command ran inside one private mount namespace, held by an \`unshare -m\` helper for the whole run, in which an empty file is bind-mounted over /sys/fs/cgroup/unified/cgroup.controllers; crun's v1 cgroup work is unchanged. The commands enter it with \`nsenter --mount=/proc/PID/ns/mnt timeit crun ...\`, so nsenter is outside the timed region." || echo "ran directly.")"
	echo "- The floor for run is \`unshare ${floor_flags[*]} true\`, the same namespaces and an exec of true, with no"
	echo "  rootfs, mounts, cgroups or state. The floor for exec is nsenter into the container's namespaces."
	echo "- Scale phases run \`xargs -P2 -n1 RUNTIME ... ID\` under the timer; states are checked afterwards, untimed."
	echo "- Raw CSVs (tag,ns,maxrss_kb,status) and logs are left in a /tmp/husk-bench-results.* directory; they are not kept in git."
	echo "- A/B of two builds: \`tests/bench/ab.sh OLD_HUSK NEW_HUSK [RUNS] [ROUNDS]\` makes the same /bin/true bundle and runs"
	echo "  interleaved \`hyperfine -N\` rounds of \`husk run\` (order alternating per round), printing each round's medians, the"
	echo "  NEW/OLD ratios and their median. It is how issue 13's \"no more than 10 % slower\" is checked: wall time, so"
	echo "  only on a quiet machine."
	echo
	echo "## How to reproduce"
	echo
	echo '```sh'
	echo "tests/bench/run.sh          # N=100: installs runc, crun, gnuplot-nox and time if missing, builds husk"
	echo "                            # (Release, build-bench/), writes docs/performance.md and docs/performance.png"
	echo "tests/bench/run.sh 300      # another N"
	echo "tests/bench/run.sh --quick  # smoke run: N=20, no 200-container part, report left in /tmp/husk-bench-results.*"
	echo "HUSK=build/husk tests/bench/run.sh   # benchmark a given binary instead of building one"
	echo "tests/bench/profile.sh build/husk BUNDLE 30   # only the create profile (phases, off-CPU waits), to stdout"
	echo "tests/bench/run.sh --split 20   # the sequential run and create/start/wait/delete only: a table on stdout"
	echo "tests/bench/vm-split.sh 20      # the same in the Debian 12 guest of tests/vm (cgroup v2, systemd), ~10 min"
	echo "tests/bench/ab.sh OLD_HUSK NEW_HUSK 50 10     # A/B of two builds on husk run of /bin/true (ratios per round)"
	echo '```'
	echo
	echo "Run as root. It takes about $((elapsed / 60 + 1)) minute(s) on the machine above."
} >"$work/performance.md"

if [[ -s "$failures" ]]; then
	note "some commands failed; the first ones:"
	head -n 20 "$failures" >&2
fi
mv "$work/performance.png" "$png"
mv "$work/performance.md" "$report"
note "wrote $report and $png"
