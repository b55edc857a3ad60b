#!/usr/bin/env bats
# runc 1.1 compatibility of the container's process (issue 20, items 19-24, 27, 28): the terminal's
# output modes and owner, seccomp's ENOSYS stub and agent errors, hooks' context and state, and the
# config fields that either work or are refused with their JSON path. Each test states runc's answer.
# shellcheck disable=SC2016 # container shell lines are single-quoted on purpose

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	husk_rootfs_cache
}

teardown() {
	husk_teardown
}

# ---- terminal (items 19, 20) ----------------------------------------------------------------------------

# runc's own relay clears ONLCR (tty.go: console.ClearONLCR), so a script reading `runc run`'s output
# gets "\n" as the program wrote it; fixStdioPermissions gives the pty to the user (uid only: the group
# stays devpts' tty group 5, runc's tty.bats expects "1000:5").
@test "run with a terminal: the program's \\n arrives as \\n, the pty belongs to its uid (group tty)" {
	local id
	id=$(cid)
	setup_bundle sh -c 'printf "a\nb\n"; stat -L -c "%u:%g" /proc/self/fd/0 /proc/self/fd/1'
	cfg '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}'
	run --separate-stderr husk run --bundle "$BUNDLE" "$id" </dev/null
	assert_success
	[[ "$output" == $'a\nb\n1000:5\n1000:5' ]] || fail "got $(printf %q "$output")"
}

@test "exec -t: \\n arrives as \\n, the pty belongs to the exec's --user uid" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	husk run -d --bundle "$BUNDLE" "$id" </dev/null
	run --separate-stderr husk exec -t --user 1000:1000 "$id" sh -c 'printf "a\nb\n"; stat -L -c "%u:%g" /proc/self/fd/0' </dev/null
	assert_success
	[[ "$output" == $'a\nb\n1000:5' ]] || fail "got $(printf %q "$output")"
	# as root the pty stays root's
	run --separate-stderr husk exec -t "$id" stat -L -c %u:%g /proc/self/fd/0 </dev/null
	assert_success
	assert_output_equals "0:5"
}

@test "--console-socket: the receiver gets the kernel's default modes (ONLCR on), as from runc" {
	local id sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/recvtty.out
	local recvtty=$HUSK_SRC_DIR/build/recvtty
	id=$(cid)
	setup_bundle sh -c 'printf "a\n"; stat -L -c "%u" /proc/self/fd/0'
	cfg '.process.terminal = true | .process.user = {"uid": 1000, "gid": 1000}'
	"$recvtty" "$sock" >"$out" 2>&1 3>&- &
	local pid=$!
	wait_for grep -qs listening "$out"
	run_husk run -d --console-socket "$sock" --bundle "$BUNDLE" "$id"
	assert_success
	wait "$pid"
	# the receiver (conmon, containerd's shim) decides; runc does not clear ONLCR here either
	grep -q $'^a\r$' "$out" || fail "expected 'a\\r' in $(od -c "$out")"
	grep -q $'^1000\r$' "$out" || fail "expected the pty to belong to uid 1000: $(cat "$out")"
}
