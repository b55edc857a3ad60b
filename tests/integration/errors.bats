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

@test "state: a 40 MB config (each byte escaped in state.json) is read back by state, kill and delete" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	# 20 MB of '"', written \" in config.json: state.json keeps the config escaped again (\\\") and the
	# annotation once more, about 120 MB, past the reader's old 80 MiB limit
	head -c 20000000 /dev/zero | tr '\0' '"' >"$BATS_TEST_TMPDIR/quotes"
	cfg --rawfile q "$BATS_TEST_TMPDIR/quotes" '.annotations = {"big": $q}'
	rm "$BATS_TEST_TMPDIR/quotes"
	create_quiet "$id" || fail "create: $(cat "$BATS_TEST_TMPDIR/$id.out")"
	[[ "$(husk state "$id" | jq -r .status)" == created ]] || fail "state cannot read it back"
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	husk delete "$id"
	no_trace "$id"
}

@test "state: delete --force removes a running container whatever its state.json holds" {
	local id kind pid
	for kind in huge garbled truncated fifo empty; do
		id=$(cid "$kind")
		setup_bundle sleep 100
		create_quiet "$id" || fail "create: $(cat "$BATS_TEST_TMPDIR/$id.out")"
		pid=$(husk state "$id" | jq -r .pid)
		local f=$HUSK_TEST_ROOT/$id/state.json
		case $kind in
		huge) truncate -s 300M "$f" ;;
		garbled) printf '{"id": 42, garbage' >"$f" ;;
		truncated) head -c "$(($(stat -c %s "$f") / 2))" "$f" >"$f.half" && mv "$f.half" "$f" ;;
		fifo) rm "$f" && mkfifo "$f" ;;
		empty) : >"$f" ;;
		esac
		run timeout 60 "$HUSK" --root "$HUSK_TEST_ROOT" delete --force "$id"
		[[ "$status" -eq 0 ]] || fail "$kind: delete --force failed"
		wait_for test ! -e "/proc/$pid"
		no_trace "$id"
	done
}
