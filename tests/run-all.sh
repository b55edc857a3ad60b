#!/usr/bin/env bash
# Every test of husk, from a clean clone on Debian 12 as root: install what is missing, check formatting,
# build (release, -Werror), run the unit tests plain and under ASan+UBSan, fuzz the config parser briefly,
# then the bats integration suite on real bundles. Ends with one line: "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

passed=0
failed=0
stage_fail() {
	echo "FAILED: $*" >&2
	failed=$((failed + 1))
}
# Add a runner's "N passed, N failed" line to the totals.
count() {
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	[ -n "$line" ] || return 0
	passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
	failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
}

tests/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

echo "== clang-format"
unformatted=$(git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror 2>&1 | grep -c 'error:')
[ "$unformatted" -eq 0 ] || { git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror 2>&1 | head -20; stage_fail "clang-format: $unformatted lines to reformat"; }

echo "== build (release)"
if cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j"$(nproc)" >"$log/build" 2>&1; then
	echo "== unit tests"
	(cd build && ctest --output-on-failure -V) >"$log/unit" 2>&1 || stage_fail "unit tests (see above)"
	grep -E '^(ok|FAIL) ' "$log/unit" | sed 's/^/  /' | grep FAIL || true
	for f in $(grep -l . "$log/unit"); do :; done
	awk '/^[0-9]+: [0-9]+ passed, [0-9]+ failed/{sub(/^[0-9]+: /,""); print}' "$log/unit" >"$log/unit.counts"
	while read -r p _ f _; do passed=$((passed + p)); failed=$((failed + f)); done <"$log/unit.counts"
	tail -n 3 "$log/unit"
else
	cat "$log/build"
	stage_fail "release build"
fi

echo "== unit tests under ASan+UBSan"
if cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DHUSK_SANITIZE=ON >/dev/null &&
	cmake --build build-asan -j"$(nproc)" >"$log/asan-build" 2>&1; then
	(cd build-asan && ctest --output-on-failure) >"$log/asan" 2>&1 || { cat "$log/asan"; stage_fail "unit tests under ASan"; }
	tail -n 2 "$log/asan"
else
	cat "$log/asan-build"
	stage_fail "ASan build"
fi

echo "== fuzz the parsers, mount options and seccomp (${HUSK_FUZZ_SECONDS:-60} s in all)"
if tests/fuzz/run-fuzz.sh "${HUSK_FUZZ_SECONDS:-60}" >"$log/fuzz" 2>&1; then
	# one line per target: "fuzz_config: Done N runs in S second(s), ..."
	grep -E '^fuzz_[a-z_]+: Done [0-9]+ runs' "$log/fuzz"
else
	tail -n 30 "$log/fuzz"
	stage_fail "fuzzer found a crash or leak"
fi

echo "== build with fault injection (for tests/integration/faults.bats)"
if ! { cmake -S . -B build-fault -DCMAKE_BUILD_TYPE=Release -DHUSK_FAULT_INJECTION=ON >/dev/null &&
	cmake --build build-fault -j"$(nproc)" --target husk >"$log/fault-build" 2>&1; }; then
	cat "$log/fault-build"
	stage_fail "fault-injection build"
fi

echo "== integration tests (bats)"
if [ -x build/husk ]; then
	bats --tap tests/integration >"$log/bats" 2>&1
	cat "$log/bats" | grep -E '^(not ok|#)' | head -200
	bp=$(grep -c '^ok ' "$log/bats")
	bf=$(grep -c '^not ok ' "$log/bats")
	echo "bats: $bp ok, $bf not ok"
	passed=$((passed + bp))
	failed=$((failed + bf))
	[ "$bp" -gt 0 ] || stage_fail "bats ran no test"
fi

echo "== labs (docs/labs: every command of the course, checked)"
if tests/labs/run-labs.sh >"$log/labs" 2>&1; then
	tail -n 1 "$log/labs" | sed 's/^/labs: /'
else
	grep -v '^ok ' "$log/labs" | head -100
fi
grep -qE '^[0-9]+ passed, [0-9]+ failed' "$log/labs" || stage_fail "labs: run-labs.sh gave no result"
count "$log/labs"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
