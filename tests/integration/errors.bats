#!/usr/bin/env bats
# The real cause of a failure reaches the user: the init's error crosses the sync channel whole, with
# its errno, whatever the timing of the init's exit; input husk accepts can always be read back.

load helpers

setup_file() {
	husk_rootfs_cache
}

teardown() {
	husk_teardown
}

@test "sync: 300 failing creates (3 at a time) all report the init's own error, never a reset" {
	local base j
	setup_bundle
	cfg '.mounts += [{"destination": "/x", "type": "nosuchfs", "source": "none"}]'
	base=$(cid)
	# the init writes its error and exits; with our last message unread its exit resets the socket,
	# which can happen before or after husk has peeked at the error's size: both must still read it
	for j in 1 2 3; do
		(
			for i in $(seq 100); do
				"$HUSK" --root "$HUSK_TEST_ROOT" create --bundle "$BUNDLE" "$base-$j-$i" 2>&1 || true
			done
		) >"$BATS_TEST_TMPDIR/out.$j" &
	done
	wait
	run sort -u "$BATS_TEST_TMPDIR"/out.{1,2,3}
	assert_output_equals "husk: mount 'none' (nosuchfs) on '/x': No such device"
	n=$(cat "$BATS_TEST_TMPDIR"/out.{1,2,3} | wc -l)
	((n == 300)) || fail "$n errors, not 300"
	no_trace "$base-1-1"
}
