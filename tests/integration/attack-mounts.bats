#!/usr/bin/env bats
# Attacks on husk's mount setup and on the nodes it opens while building a container: a hostile image, a
# container (root inside) that changes its own /dev before `husk exec`, or another container sharing a
# volume. Each test runs the attack and shows it fails; docs/security.md's defense table names the defense.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose
# shellcheck disable=SC2030,SC2031 # bats runs a test and its teardown in the same subshell (KILL_PIDS)

load helpers

setup_file() {
	husk_rootfs_cache
}

teardown() {
	local pid
	for pid in "${KILL_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	husk_teardown
}

KILL_PIDS=()
HUSK_TOOLS=${HUSK_TOOLS:-$HUSK_SRC_DIR/build}

# start_recvtty SOCKET OUT: a console-socket receiver in the background (killed in teardown).
start_recvtty() {
	[[ -x "$HUSK_TOOLS/recvtty" ]] || fail "recvtty not found in '$HUSK_TOOLS': build it" || return
	rm -f "$1"
	"$HUSK_TOOLS/recvtty" "$1" >"$2" 2>&1 &
	KILL_PIDS+=($!)
	wait_for test -S "$1"
}

# watch_opens LOG PATH...: record every open of PATH... in LOG (tests/tools/open-watch.c), from now on.
watch_opens() {
	local log=$1
	shift
	[[ -x "$HUSK_TOOLS/open-watch" ]] || fail "open-watch not found in '$HUSK_TOOLS': build it" || return
	rm -f "$log"
	# its stdio away from bats' output pipe: bats waits for every writer of it to go
	"$HUSK_TOOLS/open-watch" "$log" "$@" </dev/null >/dev/null 2>"$log.err" &
	KILL_PIDS+=($!)
	wait_for test -e "$log"
}

# no_containers: husk list shows nothing (a failed create left no state behind).
no_containers() {
	[[ -z "$(husk list -q)" ]] || fail "containers left: $(husk list -q)"
}

# ---- /dev/pts/ptmx and /dev/null: nodes husk opens for the container ---------------------------------------

@test "ptmx: an image's /dev/pts/ptmx that is another device or a FIFO is refused without being opened" {
	local sock=$BATS_TEST_TMPDIR/tty.sock log=$BATS_TEST_TMPDIR/opens kind
	setup_bundle true
	cfg 'del(.mounts[] | select(.destination == "/dev" or .destination == "/dev/pts")) | .process.terminal = true'
	mkdir -p "$BUNDLE/rootfs/dev/pts"
	# opening a device runs its driver (a watchdog arms, a tape rewinds): husk must look before it opens
	for kind in "c 1 5" p; do
		rm -f "$BUNDLE/rootfs/dev/pts/ptmx"
		# shellcheck disable=SC2086 # the node's type and numbers are separate words
		mknod "$BUNDLE/rootfs/dev/pts/ptmx" $kind
		watch_opens "$log" "$BUNDLE/rootfs/dev/pts/ptmx"
		start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty.out"
		run_husk create --console-socket "$sock" --bundle "$BUNDLE" "$(cid "${kind%% *}")"
		assert_failure
		assert_output_contains "/dev/pts/ptmx"
		no_containers
		[[ ! -s "$log" ]] || fail "husk opened the image's /dev/pts/ptmx ($kind): $(cat "$log")"
	done
	! grep -q 'got fd' "$BATS_TEST_TMPDIR/tty.out" || fail "a pty was sent to the console socket"
}

@test "ptmx: exec -t after the container replaced its /dev/pts/ptmx (no devpts) never opens the node" {
	local sock=$BATS_TEST_TMPDIR/tty.sock log=$BATS_TEST_TMPDIR/opens id pid
	setup_bundle sleep 100
	cfg 'del(.mounts[] | select(.destination == "/dev/pts"))'
	id=$(cid)
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null
	pid=$(husk state "$id" | jq -r .pid)
	# what root in the container with CAP_MKNOD does: a device where exec looks for ptmx, in its own /dev
	nsenter --mount="/proc/$pid/ns/mnt" sh -c 'mkdir -p /dev/pts && mknod /dev/pts/ptmx c 1 5'
	watch_opens "$log" "/proc/$pid/root/dev/pts/ptmx"
	start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty.out"
	run_husk exec -t --console-socket "$sock" "$id" true
	assert_failure
	assert_output_contains "/dev/pts/ptmx"
	[[ ! -s "$log" ]] || fail "husk exec opened the container's /dev/pts/ptmx: $(cat "$log")"
}

@test "/dev/null: an image's /dev/null that is another device is never opened by the init (no masked paths)" {
	local log=$BATS_TEST_TMPDIR/opens
	setup_bundle sh -c 'echo started; [ "$(stat -L -c %d:%i /proc/self/fd/0)" = "$(stat -c %d:%i /dev/null)" ] && echo own-null; true'
	cfg 'del(.mounts[] | select(.destination == "/dev" or .destination == "/dev/pts")) | .linux.maskedPaths = []'
	mkdir -p "$BUNDLE/rootfs/dev"
	rm -f "$BUNDLE/rootfs/dev/null"
	mknod "$BUNDLE/rootfs/dev/null" c 1 5
	watch_opens "$log" "$BUNDLE/rootfs/dev/null"
	# stdin is the host's /dev/null: the init gives the container its own (runc's reOpenDevNull) only if that
	# is the 1:3 device, which it must find out before it opens anything
	run_husk run --bundle "$BUNDLE" "$(cid)" </dev/null
	assert_success
	assert_output_equals started
	[[ ! -s "$log" ]] || fail "the init opened the image's /dev/null: $(cat "$log")"
	# the real 1:3 node is still the container's stdin in place of the host's
	rm "$BUNDLE/rootfs/dev/null"
	mknod -m 666 "$BUNDLE/rootfs/dev/null" c 1 3
	run_husk run --bundle "$BUNDLE" "$(cid 2)" </dev/null
	assert_success
	assert_output_equals $'started\nown-null'
}
