#!/usr/bin/env bash
# each-file.sh [NAME...]: the bats files tests/integration/NAME.bats (default: all of them) one after the
# other, in TAP, each between "## FILE NAME" and "## END NAME rc=STATUS SECONDS s", so that a long run in
# the guest gives its counts and time per file even when HUSK_VM_TIMEOUT cuts it short:
#   tests/vm/run.sh tests/vm/each-file.sh security process >guest.tap
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
if (($# == 0)); then
	for f in tests/integration/*.bats; do
		f=${f##*/}
		set -- "$@" "${f%.bats}"
	done
fi
tests/run-bats.sh --layout
for f in "$@"; do
	start=$SECONDS
	echo "## FILE $f"
	bats --tap "tests/integration/$f.bats"
	echo "## END $f rc=$? $((SECONDS - start)) s"
done
