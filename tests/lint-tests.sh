#!/usr/bin/env bash
# tests/lint-tests.sh: checks of the test scripts that shellcheck does not make; run by tests/run-all.sh
# (stage "lint"). Prints each offending line and exits 1 when there is one.
#
# wait_for CMD... retries CMD, but a "$(...)" (or `...`) in its arguments is expanded once, before the
# first try: `wait_for test "$(cat f)" = x` can only pass when it is true at once, by luck of timing.
# Wait on a predicate function that computes the value inside instead (helpers.bash's exited, the
# lines_above, ps_at_least and dead of checkpoint.bats and cgroups.bats).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
self=tests/lint-tests.sh
# the tracked files; outside a git checkout (a release tarball), every script below the top
files=$(git ls-files '*.bats' '*.bash' '*.sh' 2>/dev/null) ||
	files=$(find . -path ./build -prune -o -type f \( -name '*.bats' -o -name '*.bash' -o -name '*.sh' \) -printf '%P\n')
bad=$(printf '%s\n' "$files" | grep -vxF "$self" |
	xargs grep -nE 'wait_for[[:space:]]+(test|\[)[[:space:]].*(\$\(|`)')
if [ -n "$bad" ]; then
	printf '%s\n' "$bad"
	echo "lint: wait_for with a \"\$(...)\" argument: it is computed once, so the wait re-checks nothing;" \
		"wait on a predicate function instead (see $self)"
	exit 1
fi
echo "lint: ok"
