#!/usr/bin/env bash
# tests/run-all.sh [FILE.bats...]: every test of husk, from a clean clone on Debian 12 as root: install
# what is missing, check formatting, build (release, -Werror), compile for arm64 (tests/cross-arm64.sh),
# run the unit tests plain and under ASan+UBSan, fuzz the parsers briefly, then the bats integration suite (or only the FILEs named), the
# labs, and (for a full run) the VM stage: a Debian 12 guest with systemd and cgroup v2. Progress streams stage by stage and bats file by bats file; every log is kept in
# build/test-logs/<date>/ (build/test-logs/latest); every failure is printed again at the end with its
# first error lines. The last line is "N passed, N failed"; the exit status is 0 only when nothing failed.
# Through sudo, packages are installed as root and everything is built as the sudo user (tests/as-builder.sh).
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/as-builder.sh
. tests/as-builder.sh

passed=0
failed=0
run_start=$SECONDS
bats_files=("$@")

# the logs of this run, kept (a build directory left by an older run as root is handed back first)
give_back build build-asan build-fault build-fuzz build-arm64
logs=$top/build/test-logs/$(date +%Y%m%d-%H%M%S)
as_builder mkdir -p "$logs" || { echo "cannot create $logs"; echo "0 passed, 1 failed"; exit 1; }
ln -sfn "$(basename "$logs")" "$top/build/test-logs/latest"
failures=$logs/failures.txt
: >"$failures"
# the shared rootfs of the bats files: built once per run, not kept
HUSK_TEST_CACHE=$(mktemp -d /tmp/husk-test-cache.XXXXXX)/rootfs
export HUSK_TEST_CACHE
finish() {
	rm -rf --one-file-system "$(dirname "$HUSK_TEST_CACHE")"
	give_back build build-asan build-fault build-fuzz build-arm64
}
trap finish EXIT

# note_failure WHAT LOG [LINES]: keep, for the summary at the end, a failure's name and the end of LOG.
note_failure() {
	{
		echo "--- $1 (log: ${2#"$top"/})"
		[ ! -s "$2" ] || tail -n "${3:-25}" "$2" | sed 's/^/    /'
	} >>"$failures"
	echo "   FAILED: $1"
}
# fail_with WHAT LOG [LINES]: count one failure and note it.
fail_with() {
	failed=$((failed + 1))
	note_failure "$@"
}
# count LOG: add a runner's last "N passed, N failed" line to the totals.
count() {
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	[ -n "$line" ] || return 0
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}
# stage NAME FUNCTION: one step of the run, timed; FUNCTION writes its log to $logs/NAME.log and counts
# its results with count/fail_with. Another environment (a VM, say) is one more stage at the end.
stage() {
	local t0=$SECONDS rc
	echo "== $1"
	"$2" "$logs/$1.log"
	rc=$?
	echo "   $1: $((SECONDS - t0)) s"
	return $rc
}

min_s() { printf '%d min %02d s' $(($1 / 60)) $(($1 % 60)); }
estimate="about 20 minutes on 2 cores for the host stages (most of it the bats suite)"
[ "${#bats_files[@]}" -gt 0 ] || [ "${HUSK_VM_STAGE:-1}" = 0 ] || estimate="$estimate, then the VM stage (HUSK_VM_STAGE=0 skips it)"
[ ! -s build/test-logs/last-full-run ] || estimate="$estimate; the last full run here took $(min_s "$(cat build/test-logs/last-full-run)")"
echo "husk: every test. This takes $estimate."
echo "logs: ${logs#"$top"/}/ (also build/test-logs/latest)"

stage_deps() {
	tests/install-deps.sh 2>&1 | tee "$1" || { fail_with "install-deps.sh" "$1"; return 1; }
}

stage_format() {
	local n
	git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror >"$1" 2>&1
	n=$(grep -c 'error:' "$1")
	[ "$n" -eq 0 ] || fail_with "clang-format: $n lines to reformat (clang-format -i FILE)" "$1" 40
}

stage_lint() {
	tests/lint-tests.sh >"$1" 2>&1 || fail_with "tests/lint-tests.sh: test code that cannot work as written" "$1" 20
}

stage_build() {
	{ as_builder cmake -S . -B build -DCMAKE_BUILD_TYPE=Release &&
		as_builder cmake --build build -j"$(nproc)"; } >"$1" 2>&1 || fail_with "release build" "$1" 40
}

# arm64: every C file compiled for aarch64 (a whole cross build where the cross kit is installed); skipped,
# and said so, on a machine without an aarch64 compiler
stage_cross() {
	as_builder tests/cross-arm64.sh >"$1" 2>&1 || { fail_with "arm64 cross compile (tests/cross-arm64.sh)" "$1" 30; return; }
	tail -n 1 "$1" | sed 's/^/   /'
}

stage_unit() {
	[ -x build/husk ] || { echo "   skipped: no release build"; return 0; }
	(cd build && ctest --output-on-failure -V) >"$1" 2>&1 || fail_with "unit tests" "$1" 40
	# each binary ends with "N passed, N failed" (ctest -V prefixes the test's number)
	while read -r p _ f _; do
		passed=$((passed + p))
		failed=$((failed + f))
	done < <(awk '/^[0-9]+: [0-9]+ passed, [0-9]+ failed/{sub(/^[0-9]+: /,""); print}' "$1")
	grep -E '^[0-9]+: FAIL ' "$1" | sed 's/^[0-9]*: /   /' || true
	grep -E 'tests passed|tests failed' "$1" | sed 's/^/   /'
}

stage_asan() {
	{ as_builder cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHUSK_SANITIZE=ON &&
		as_builder cmake --build build-asan -j"$(nproc)"; } >"$1.build" 2>&1 ||
		{ fail_with "ASan build" "$1.build" 40; return; }
	(cd build-asan && ctest --output-on-failure) >"$1" 2>&1 || fail_with "unit tests under ASan+UBSan" "$1" 60
	grep -E 'tests passed|tests failed' "$1" | sed 's/^/   /'
}

stage_fuzz() {
	echo "   ${HUSK_FUZZ_SECONDS:-60} s in all"
	if as_builder tests/fuzz/run-fuzz.sh "${HUSK_FUZZ_SECONDS:-60}" >"$1" 2>&1; then
		# one line per target: "fuzz_config: Done N runs in S second(s), ..."
		grep -E '^fuzz_[a-z_]+: Done [0-9]+ runs' "$1" | sed 's/^/   /'
	else
		fail_with "fuzzer found a crash or leak (or did not build)" "$1" 30
	fi
}

stage_fault_build() {
	{ as_builder cmake -S . -B build-fault -DCMAKE_BUILD_TYPE=Release -DHUSK_FAULT_INJECTION=ON &&
		as_builder cmake --build build-fault -j"$(nproc)" --target husk; } >"$1" 2>&1 ||
		fail_with "fault-injection build (for faults.bats)" "$1" 40
}

# bats_failures TAP NAME: every "not ok" of a TAP log, with the first lines of its diagnostics.
bats_failures() {
	awk -v file="$2" '
		/^not ok / { sub(/^not ok [0-9]+ /, ""); print "--- " file ": " $0; n = 0; infail = 1; next }
		/^(ok|not ok) / { infail = 0; next }
		infail && /^#/ && n < 15 { print "    " $0; n++ }
	' "$1"
}

stage_bats() {
	local files=() f name tap n ok nok skip t0 i=0
	[ -x build/husk ] || { fail_with "bats: no build/husk to test" "$1"; return; }
	if [ "${#bats_files[@]}" -gt 0 ]; then files=("${bats_files[@]}"); else files=(tests/integration/*.bats); fi
	mkdir -p "$logs/bats"
	tests/run-bats.sh --layout | sed 's/^# /   /'
	: >"$1"
	for f in "${files[@]}"; do
		i=$((i + 1))
		name=$(basename "$f" .bats)
		tap=$logs/bats/$name.tap
		n=$(bats --count "$f" 2>/dev/null || echo '?')
		printf '   [%2d/%d] %-14s %4s tests ... ' "$i" "${#files[@]}" "$name" "$n"
		t0=$SECONDS
		bats --tap "$f" >"$tap" 2>&1
		ok=$(grep -c '^ok ' "$tap")
		skip=$(grep -c '^ok .* # skip' "$tap")
		nok=$(grep -c '^not ok ' "$tap")
		printf '%3d ok, %d failed, %d skipped, %d s\n' "$((ok - skip))" "$nok" "$skip" "$((SECONDS - t0))"
		echo "$name: $((ok - skip)) ok, $nok failed, $skip skipped, $((SECONDS - t0)) s" >>"$1"
		passed=$((passed + ok))
		failed=$((failed + nok))
		bats_failures "$tap" "$name.bats" >>"$failures"
		sed -n "s/^ok [0-9]* \(.*\) # skip *\(.*\)$/   $name.bats: \1 -- \2/p" "$tap" >>"$logs/skipped.txt"
		if [ "$ok" -eq 0 ] && [ "$nok" -eq 0 ]; then
			fail_with "$name.bats ran no test" "$tap"
		fi
	done
}

# The VM stage: a Debian 12 guest with systemd as PID 1 and cgroup v2 (docs/testing.md, section 8),
# after the host stages. HUSK_VM_STAGE=0 skips it (its first image build needs Debian's archive).
stage_vm() {
	[ -x build/husk ] || { echo "   skipped: no release build"; return 0; }
	tests/vm/install-deps.sh >"$1" 2>&1 || { fail_with "tests/vm/install-deps.sh" "$1"; return 0; }
	tests/vm/ci-stage.sh >>"$1" 2>&1
	grep -E '^(== |not ok |[a-z].*: [0-9]+ ok, [0-9]+ not ok|lab 5:|tests/vm/run.sh: )' "$1" | sed 's/^/   /'
	if grep -qE '^[0-9]+ passed, [0-9]+ failed' "$1"; then
		count "$1"
		! grep -q '^not ok ' "$1" || note_failure "VM stage (the failures' diagnostics are in the log)" "$1" 60
	else
		fail_with "VM stage: ci-stage.sh gave no result" "$1" 40
	fi
	return 0
}

stage_labs() {
	[ -x build/husk ] || { echo "   skipped: no release build"; return 0; }
	tests/labs/run-labs.sh >"$1" 2>&1
	grep -E '^(ok|skip|FAIL) ' "$1" | sed 's/^/   /'
	if grep -qE '^[0-9]+ passed, [0-9]+ failed' "$1"; then
		count "$1"
		! grep -q '^FAIL ' "$1" || note_failure "labs (each failed lab's transcript is in the log)" "$1" 60
	else
		fail_with "labs: run-labs.sh gave no result" "$1"
	fi
	return 0
}

if ! stage deps stage_deps; then
	echo "$passed passed, $failed failed"
	exit 1
fi
stage clang-format stage_format
stage lint stage_lint
stage build stage_build
stage cross-arm64 stage_cross
stage unit stage_unit
stage asan stage_asan
stage fuzz stage_fuzz
stage fault-build stage_fault_build
stage bats stage_bats
stage labs stage_labs
[ "${#bats_files[@]}" -gt 0 ] || [ "${HUSK_VM_STAGE:-1}" = 0 ] || stage vm stage_vm

total=$((SECONDS - run_start))
[ "${#bats_files[@]}" -gt 0 ] || echo "$total" >build/test-logs/last-full-run
echo "== done in $(min_s "$total"); logs: ${logs#"$top"/}/"
if [ -s "$logs/skipped.txt" ]; then
	echo "== skipped (what this host lacks)"
	cat "$logs/skipped.txt"
fi
if [ -s "$failures" ]; then
	echo "== failures"
	cat "$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
