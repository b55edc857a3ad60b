#!/bin/sh
# Build the libFuzzer targets of tests/fuzz/ with clang and run them one after another for $1 seconds
# in all (default 30): config gets half, the others share the rest equally (at least 1 s each). Each
# target starts from its seeds (tests/fuzz/corpus/TARGET/, and the unit corpus for config and
# seccomp); new inputs go to build-fuzz/fuzz-corpus/TARGET/, never into the checked-in seeds.
# Prints one line per target, "fuzz_TARGET: Done N runs in S second(s), ...". At the first crash,
# leak, undefined behaviour, timeout (10 s) or out-of-memory, prints the end of libFuzzer's report and
# exits 1; the input is left in tests/fuzz/ as crash-*, leak-*, timeout-* or oom-*.
#
#   tests/fuzz/run-fuzz.sh [SECONDS] [TARGET...]     e.g. run-fuzz.sh 60, run-fuzz.sh 20 mountopt
set -eu

seconds=${1:-30}
[ $# -eq 0 ] || shift
top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/fuzz/common.sh
. "$top/tests/fuzz/common.sh"
build="$top/build-fuzz"

# shellcheck disable=SC2048,SC2086,SC2116 # one line of blank-separated names
targets=$(echo ${*:-$(fuzz_targets)})
n=$(echo "$targets" | wc -w)
case " $targets " in *" config "*) has_config=1 ;; *) has_config=0 ;; esac
# about a second per target goes to starting, loading the corpus and the final report
budget=$((seconds - n))
if [ "$n" -eq 1 ]; then
	config_share=$seconds
	other_share=$seconds
elif [ "$has_config" -eq 1 ]; then
	config_share=$((budget / 2))
	other_share=$(((budget - config_share) / (n - 1)))
else
	config_share=0
	other_share=$((budget / n))
fi
[ "$other_share" -ge 1 ] || other_share=1
[ "$config_share" -ge 1 ] || config_share=1

# shellcheck disable=SC2086 # target names have no blanks
fuzz_build "$build" $targets
fuzz_env
mkdir -p "$build/fuzz-logs"

for t in $targets; do
	case $t in config) secs=$config_share ;; *) secs=$other_share ;; esac
	work="$build/fuzz-corpus/$t"
	log="$build/fuzz-logs/$t.log"
	mkdir -p "$work"
	fuzz_dict "$t" "$build/fuzz_$t.dict"
	start=$(date +%s)
	# shellcheck disable=SC2046 # flags and seed directories are blank-free words
	if ! "$build/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 $(fuzz_flags "$t") \
		-dict="$build/fuzz_$t.dict" -artifact_prefix="$top/tests/fuzz/" \
		"$work" $(fuzz_seeds "$t") >"$log" 2>&1; then
		tail -n 40 "$log"
		saved=$(fuzz_artifacts "$log" | sed "s|^$top/||" | tr '\n' ' ' | sed 's/ $//')
		echo "fuzz_$t: FAILED after $(($(date +%s) - start)) s, input saved: ${saved:-none}"
		echo "reproduce: build-fuzz/fuzz_$t ${saved:-FILE}; full log: $log"
		exit 1
	fi
	echo "fuzz_$t: Done $(fuzz_stat "$log" runs) runs in $(($(date +%s) - start)) second(s)," \
		"corpus $(fuzz_stat "$log" corpus) inputs, peak RSS $(fuzz_stat "$log" rss) MB"
done
