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

@test "config errors of every kind fail create before any hook runs or the state directory exists, each with its JSON path" {
	local id i
	id=$(cid)
	setup_bundle true
	cfg --arg f "$BATS_TEST_TMPDIR/hook-ran" \
		'.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "touch \($f)"]}]
		| .hooks.createRuntime = .hooks.prestart | .hooks.createContainer = .hooks.prestart'
	cp "$BUNDLE/config.json" "$BATS_TEST_TMPDIR/base.json"
	# each edit, then the message it must give (its JSON path first)
	local -a edits=(
		'.linux.sysctl = {"kernel.foo": "1"}'
		'config.json: .linux.sysctl["kernel.foo"]: not isolated by a namespace'
		'.linux.personality = {"domain": "LINUX", "flags": ["BOGUS"]}'
		'config.json: .linux.personality.flags[0]: unknown personality flag "BOGUS"'
		'.process.execCPUAffinity = {"final": "3-1"}'
		'config.json: .process.execCPUAffinity.final:'
		'.mounts += [{"destination": "/x", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", ""]}]'
		'config.json: .mounts['
		'.mounts += [{"destination": "/y", "type": "bind", "source": "/tmp", "options": ["rbind", "idmap"]}]'
		'].options[1]: idmapped mounts (idmap) are not supported by husk'
		'.linux.resources.memory.swappiness = 101'
		'config.json: .linux.resources.memory.swappiness:'
		'.linux.devices = [{"path": "/dev/../etc/x", "type": "c", "major": 1, "minor": 3}]'
		'config.json: .linux.devices[0].path:'
	)
	for ((i = 0; i < ${#edits[@]}; i += 2)); do
		jq "${edits[i]}" "$BATS_TEST_TMPDIR/base.json" >"$BUNDLE/config.json"
		run_husk create --bundle "$BUNDLE" "$id"
		assert_failure
		assert_output_contains "${edits[i + 1]}"
		[[ ! -e "$BATS_TEST_TMPDIR/hook-ran" ]] || fail "a hook ran before '${edits[i]}' was refused"
		[[ ! -e "$HUSK_TEST_ROOT/$id" ]] || fail "the state directory exists after '${edits[i]}' was refused"
	done
	no_trace "$id"
}
