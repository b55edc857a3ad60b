#!/bin/sh
# Long fuzzing: every libFuzzer target of tests/fuzz/ in turn, one process at a time (-jobs=1), for a
# given time each (default: config 3600 s, the others 600 s), then a Markdown table of the results
# (target, seconds, executions, crashes, leaks, timeouts, corpus size, peak RSS) for
# docs/reliability.md, written to SUMMARY or standard output. Exits 1 when any target saved an input.
#
#   tests/stress/fuzz-long.sh [-c SECONDS] [-o SECONDS] [-t "TARGET..."] [SUMMARY]
#
#   -c  seconds for the config target (default 3600)
#   -o  seconds for each other target (default 600)
#   -t  only these targets (names without fuzz_: config resources process mountopt seccomp ...)
#
# Environment: HUSK_FUZZ_LONG_DIR (build and work directory, default build-fuzz-long/),
# HUSK_FUZZ_ARTIFACTS (where crash-*, leak-*, timeout-*, oom-* go, default tests/fuzz/).
# Each target starts from the checked-in seeds; its corpus grows in DIR/run/TARGET/corpus/ and its
# live log is DIR/run/TARGET/fuzz-0.log (libFuzzer's -jobs writes it; read it during the run).
# Run it at low priority next to other work: nice -n 10 tests/stress/fuzz-long.sh
set -eu

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/fuzz/common.sh
. "$top/tests/fuzz/common.sh"

config_seconds=3600
other_seconds=600
targets=
while getopts c:o:t: opt; do
	case $opt in
	c) config_seconds=$OPTARG ;;
	o) other_seconds=$OPTARG ;;
	t) targets=$OPTARG ;;
	*)
		sed -n '7,11p' "$0" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
summary=${1:-}
[ -n "$targets" ] || targets=$(fuzz_targets)
dir=${HUSK_FUZZ_LONG_DIR:-$top/build-fuzz-long}
artifacts=${HUSK_FUZZ_ARTIFACTS:-$top/tests/fuzz}
mkdir -p "$dir/run" "$artifacts"
dir=$(cd "$dir" && pwd)
artifacts=$(cd "$artifacts" && pwd)

# shellcheck disable=SC2086 # target names have no blanks
fuzz_build "$dir" $targets
fuzz_env

out() {
	if [ -n "$summary" ]; then printf '%s\n' "$*" >>"$summary"; else printf '%s\n' "$*"; fi
}

[ -z "$summary" ] || : >"$summary"
rev=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
out "Long fuzz run of $(date -u +%Y-%m-%d) (revision $rev, $(clang --version | sed -n 's/.*clang version \([^ ]*\).*/clang \1/p;q'), Linux $(uname -r), $(nproc) CPUs, one target at a time, -jobs=1):"
out ""
out "| target | seconds | executions | exec/s | crashes | leaks | timeouts | OOMs | corpus (inputs) | peak RSS (MB) |"
out "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"

found=""
for t in $targets; do
	case $t in config) secs=$config_seconds ;; *) secs=$other_seconds ;; esac
	work="$dir/run/$t"
	rm -rf "$work"
	mkdir -p "$work/corpus"
	# a copy of the binary: a rebuild of the tree during the run must not replace it
	cp "$dir/fuzz_$t" "$work/"
	fuzz_dict "$t" "$work/$t.dict"
	echo "fuzz-long: $t for $secs s, live log $work/fuzz-0.log" >&2
	start=$(date +%s)
	# shellcheck disable=SC2046 # flags and seed directories are blank-free words
	(cd "$work" && "./fuzz_$t" -jobs=1 -max_total_time="$secs" -print_final_stats=1 $(fuzz_flags "$t") \
		-dict="$work/$t.dict" -artifact_prefix="$artifacts/" corpus $(fuzz_seeds "$t")) \
		>"$work/libfuzzer.log" 2>&1 || true
	elapsed=$(($(date +%s) - start))
	log="$work/fuzz-0.log"
	[ -s "$log" ] || log="$work/libfuzzer.log"
	runs=$(fuzz_stat "$log" runs)
	crash=$(fuzz_stat "$log" crash)
	leak=$(fuzz_stat "$log" leak)
	timeout=$(fuzz_stat "$log" timeout)
	oom=$(fuzz_stat "$log" oom)
	# libFuzzer's own count: the directory also keeps inputs that smaller ones superseded
	corpus=$(fuzz_stat "$log" corpus)
	[ "$corpus" -gt 0 ] || corpus=$(find "$work/corpus" -type f | wc -l)
	out "| $t | $elapsed | $runs | $((runs / (elapsed > 0 ? elapsed : 1))) | $crash | $leak | $timeout | $oom | $corpus | $(fuzz_stat "$log" rss) |"
	for a in $(fuzz_artifacts "$log"); do
		found="$found
- $t: \`$(basename "$a")\` ($(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error' "$log" | sed 's/^.*ERROR: //;s/^.*runtime error: /runtime error: /'))"
	done
done

out ""
if [ -n "$found" ]; then
	out "Inputs saved in $artifacts/ (reproduce with build-fuzz/fuzz_TARGET FILE):$found"
	exit 1
fi
out "No crash, leak, timeout or out-of-memory input."
