#!/usr/bin/env bats
# Terminals: the pty master sent over --console-socket (received by recvtty, a test program like runc's),
# consoleSize, /dev/console, and `husk run`'s own relay when there is no console socket, driven from a
# real terminal with script(1).
# shellcheck disable=SC2016 # container shell lines are single-quoted on purpose

load helpers
bats_require_minimum_version 1.5.0

RECVTTY=${RECVTTY:-$HUSK_SRC_DIR/build/recvtty}

setup_file() {
	husk_rootfs_cache
	command -v script >/dev/null || apt-get install -y -qq bsdutils >&2
}

teardown() {
	if [[ -n "${RECVTTY_PID:-}" ]]; then
		kill -CONT "$RECVTTY_PID" 2>/dev/null
		kill "$RECVTTY_PID" 2>/dev/null
		wait "$RECVTTY_PID" 2>/dev/null
	fi
	husk_teardown
}

# start_recvtty SOCKET OUT: a console-socket receiver in the background, listening once it returns.
start_recvtty() {
	[[ -x "$RECVTTY" ]] || fail "recvtty not found at '$RECVTTY': build the tests" || return
	"$RECVTTY" "$1" >"$2" 2>&1 3>&- &
	RECVTTY_PID=$!
	wait_for grep -qs listening "$2"
}

# in_tty CMD: run the shell command CMD in a pseudo-terminal (script(1)), with script's stdin from
# standard input; carriage returns are dropped from the output.
in_tty() {
	# (script's own terminal echoes a NUL byte it is sent at start as "^@")
	script -qec "$1" /dev/null | tr -d '\r' | sed 's/\^@//g'
	return "${PIPESTATUS[0]}"
}

@test "create --console-socket: the master arrives before create returns, sized by consoleSize" {
	local id sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/recvtty.out
	id=$(cid)
	setup_bundle sh -c 'tty; stty size; echo finished'
	cfg '.process.terminal = true | .process.consoleSize = {"height": 21, "width": 77}'
	start_recvtty "$sock" "$out"
	# recvtty stopped: it can only take the master from the socket's queue after create has returned
	kill -STOP "$RECVTTY_PID"
	run_husk create --console-socket "$sock" --bundle "$BUNDLE" "$id"
	assert_success
	kill -CONT "$RECVTTY_PID"
	wait_for grep -q 'got fd' "$out"
	# received while the container still waits for start
	[[ "$(husk_status "$id")" == created ]]
	run cat "$out"
	assert_line_matches '^recvtty: size 21x77$'
	run_husk start "$id"
	assert_success
	wait "$RECVTTY_PID"
	RECVTTY_PID=
	run tr -d '\r' <"$out"
	assert_line_matches '^/dev/pts/0$'
	assert_line_matches '^21 77$'
	assert_output_contains finished
}

@test "create --console-socket: the pty is the init's controlling terminal and /dev/console" {
	local id sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/recvtty.out
	id=$(cid)
	setup_bundle sh -c 'stat -c "%t:%T %i" /dev/console "$(tty)"; test -t 0 && test -t 1 && test -t 2 && echo stdio-tty; ps -o pid,tty,args'
	cfg '.process.terminal = true'
	start_recvtty "$sock" "$out"
	run_husk run --console-socket "$sock" --bundle "$BUNDLE" "$id"
	assert_success
	wait "$RECVTTY_PID"
	RECVTTY_PID=
	mapfile -t lines < <(grep -v '^recvtty:' "$out" | tr -d '\r')
	# /dev/console is a bind mount of the pty: same device numbers and inode
	[[ "${lines[0]}" == "${lines[1]}" ]] || fail "console '${lines[0]}' vs tty '${lines[1]}'"
	[[ "${lines[0]}" == 88:0\ * ]] || fail "not /dev/pts/0 (136:0): ${lines[0]}"
	[[ "${lines[2]}" == stdio-tty ]]
	# the init (pid 1) has the pty as its controlling terminal
	[[ "${lines[4]}" =~ ^\ *1\ +136,0\  ]] || fail "ps: ${lines[*]:3}"
}

@test "run with terminal true and no console socket: an interactive sh in husk's relay" {
	local id
	id=$(cid)
	setup_bundle sh
	cfg '.process.terminal = true'
	run bash -o pipefail -c "printf 'tty\nexit 3\n' | script -qec '$HUSK --root $HUSK_TEST_ROOT run --bundle $BUNDLE $id' /dev/null | tr -d '\r'"
	assert_status 3
	assert_line_matches '^/dev/pts/0$'
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "run relay: a poststart hook starts with no blocked signal (the relay's SIGCHLD/SIGWINCH block is husk's own)" {
	local id
	id=$(cid)
	setup_bundle true
	# cp, not a shell script: dash clears its signal mask when it starts
	cfg --arg f "$BATS_TEST_TMPDIR/status" \
		'.process.terminal = true | .hooks.poststart = [{"path": "/bin/cp", "args": ["cp", "/proc/self/status", $f]}]'
	run bash -o pipefail -c "script -qec '$HUSK --root $HUSK_TEST_ROOT run --bundle $BUNDLE $id' /dev/null </dev/null | tr -d '\r'"
	assert_success
	run grep '^SigBlk:' "$BATS_TEST_TMPDIR/status"
	assert_output_equals "SigBlk:	0000000000000000"
}

@test "run relay: exit status, window size from the outer terminal, terminal restored" {
	local id
	id=$(cid)
	# (the shell waits for the size before it asks)
	setup_bundle sh -c 'tty; i=0; until stty size >/dev/null 2>&1 || [ $i -ge 40 ]; do sleep 0.05; i=$((i+1)); done
		stty size; stty -a | grep -q -- "-echo " || echo echo-on; exit 7'
	cfg '.process.terminal = true'
	run in_tty "stty rows 33 cols 111; stty -g >$BATS_TEST_TMPDIR/before; $HUSK --root $HUSK_TEST_ROOT run --bundle $BUNDLE $id; echo status=\$?; stty -g >$BATS_TEST_TMPDIR/after" </dev/null
	assert_success
	assert_line_matches '^/dev/pts/0$'
	assert_line_matches '^33 111$'
	# the container's pty is a normal cooked terminal; husk's own was put in raw mode only meanwhile
	assert_line_matches '^echo-on$'
	assert_line_matches '^status=7$'
	cmp "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
}

@test "run relay: the outer terminal's size is the pty's before the program starts" {
	local id i out
	for i in 1 2 3 4 5; do
		id=$(cid "$i")
		setup_bundle stty size
		cfg '.process.terminal = true'
		out=$(in_tty "stty rows 33 cols 111; $HUSK --root $HUSK_TEST_ROOT run --bundle $BUNDLE $id" </dev/null)
		[[ "$out" == "33 111" ]] || fail "run $i: '$out'"
	done
}

@test "run relay: a window-size change of the outer terminal reaches the container (SIGWINCH)" {
	local id pty=$BATS_TEST_TMPDIR/pty out=$BATS_TEST_TMPDIR/out pid
	id=$(cid)
	setup_bundle sh -c 'i=0; until stty size >/dev/null 2>&1 || [ $i -ge 40 ]; do sleep 0.05; i=$((i+1)); done
		stty size; echo ready; i=0
		while [ "$(stty size)" = "24 80" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; stty size'
	cfg '.process.terminal = true'
	script -qec "stty rows 24 cols 80; tty >$pty; $HUSK --root $HUSK_TEST_ROOT run --bundle $BUNDLE $id" /dev/null \
		</dev/null >"$out" 2>&1 3>&- &
	pid=$!
	wait_for grep -q "^ready" "$out" || fail "$(cat "$out")"
	stty -F "$(cat "$pty")" rows 40 cols 120
	wait "$pid"
	run bash -c "tr -d '\r' <'$out' | sed 's/\^@//g'"
	assert_line_matches '^24 80$'
	assert_line_matches '^40 120$'
}

@test "run relay: piped stdin without a terminal works, and the end of input ends the shell" {
	local id
	id=$(cid)
	setup_bundle sh
	cfg '.process.terminal = true'
	run bash -c "printf 'echo hi\nexit 3\n' | '$HUSK' --root '$HUSK_TEST_ROOT' run --bundle '$BUNDLE' '$id'"
	assert_status 3
	assert_line_matches '^hi'
	# input that just ends: the shell reads end-of-file and exits 0. 20 times: the end-of-file character
	# sent while busybox's line editor switched modes used to be lost in about 1 run of 8, and husk then
	# waited for ever (killed here after 20 s, so the test fails instead of hanging)
	for i in $(seq 20); do
		id=$(cid "eof$i")
		run timeout -s KILL 20 bash -c "printf 'echo bye\n' | '$HUSK' --root '$HUSK_TEST_ROOT' run --bundle '$BUNDLE' '$id'"
		assert_success
		assert_line_matches '^bye'
	done
	# a last line without a newline still reaches a canonical-mode reader, then the end of input
	id=$(cid cat)
	set_args cat
	run bash -c "printf 'one\ntwo' | '$HUSK' --root '$HUSK_TEST_ROOT' run --bundle '$BUNDLE' '$id'"
	assert_success
	# the terminal echoes the input, then cat writes it back: "two" twice
	[[ "$(grep -o two <<<"$output" | wc -l)" == 2 ]] || fail "cat's last line"
}

@test "run relay: a program that closes its terminal and runs on does not make husk spin" {
	local id pid ticks
	id=$(cid)
	setup_bundle sh -c 'exec </dev/null >/dev/null 2>&1; sleep 2'
	cfg '.process.terminal = true'
	# input that ends at once, too: neither closed side may keep waking the relay
	"$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	sleep 1.5
	# utime + stime of husk, in clock ticks (fields 14 and 15 of /proc/PID/stat)
	ticks=$(($(_husk_proc_stat "$pid" 11) + $(_husk_proc_stat "$pid" 12)))
	wait "$pid"
	((ticks < 30)) || fail "husk used $ticks ticks of CPU in 1.5 s"
}

@test "run --detach with terminal true and no console socket fails clearly, leaving nothing" {
	local id
	id=$(cid)
	setup_bundle sh
	cfg '.process.terminal = true'
	run_husk run -d --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "--console-socket"
	assert_output_contains ".process.terminal"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "--console-socket"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "--console-socket with terminal false fails clearly, leaving nothing" {
	local id sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/recvtty.out
	id=$(cid)
	setup_bundle true
	start_recvtty "$sock" "$out"
	run_husk run -d --console-socket "$sock" --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "--console-socket"
	assert_output_contains ".process.terminal is false"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "a console socket that does not exist fails clearly" {
	local id
	id=$(cid)
	setup_bundle true
	cfg '.process.terminal = true'
	run_husk run -d --console-socket "$BATS_TEST_TMPDIR/no-such.sock" --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "no-such.sock"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}
