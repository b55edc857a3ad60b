#!/usr/bin/env bats
# husk exec on its own (no orchestrator): the process document and every override flag, detached mode and
# the pid file, exit statuses, paused and stopped containers, the namespaces and cgroup joined, a terminal
# through --console-socket, and the one JSON error record a failed exec leaves in --log.
# shellcheck disable=SC2016 # container shell lines are single-quoted on purpose

load helpers
bats_require_minimum_version 1.5.0

RECVTTY=${RECVTTY:-$HUSK_SRC_DIR/build/recvtty}

setup_file() {
	husk_rootfs_cache
}

teardown() {
	if [[ -n "${RECVTTY_PID:-}" ]]; then
		kill -CONT "$RECVTTY_PID" 2>/dev/null
		kill "$RECVTTY_PID" 2>/dev/null
		wait "$RECVTTY_PID" 2>/dev/null
	fi
	husk_teardown
}

# start_container [JQ_FILTER]: a running container whose init sleeps, with the config edited by
# JQ_FILTER; sets ID and INIT (its host pid).
start_container() {
	ID=$(cid)
	setup_bundle sleep 1000
	[[ -z "${1:-}" ]] || cfg "$1" || return
	husk run -d --bundle "$BUNDLE" "$ID" || fail "run -d failed" || return
	INIT=$(husk state "$ID" | jq -r .pid)
}

# start_recvtty SOCKET OUT: a console-socket receiver in the background, listening once it returns.
start_recvtty() {
	[[ -x "$RECVTTY" ]] || fail "recvtty not found at '$RECVTTY': build the tests" || return
	"$RECVTTY" "$1" >"$2" 2>&1 3>&- &
	RECVTTY_PID=$!
	wait_for grep -qs listening "$2"
}

@test "exec: output and the exit status pass through" {
	start_container
	run_husk exec "$ID" sh -c 'echo from-exec; exit 42'
	assert_status 42
	assert_output_equals from-exec
	# killed by a signal: 128+N
	run_husk exec "$ID" sh -c 'kill -9 $$'
	assert_status 137
}

@test "exec: a missing program is 255 with the cause, and the container is unharmed" {
	start_container
	run -255 husk exec "$ID" no-such-program
	assert_output_contains 'exec: "no-such-program": executable file not found in $PATH'
	run -255 husk exec "$ID" /no/such/path
	assert_output_contains '/no/such/path'
	[[ "$(husk_status "$ID")" == running ]]
	run_husk exec "$ID" true
	assert_success
}

@test "exec ID without a command: refused with runc's words, no second copy of the container's program" {
	start_container
	# runc: "process args cannot be empty" (255); running process.args again would start the service twice
	local st=0 out=$BATS_TEST_TMPDIR/noargs.out
	timeout -s KILL 10 "$HUSK" --root "$HUSK_TEST_ROOT" exec "$ID" >"$out" 2>&1 </dev/null || st=$?
	[[ $st == 255 ]] || fail "exec without a command: status $st: $(cat "$out")"
	grep -q "process args cannot be empty" "$out" || fail "not runc's words: $(cat "$out")"
	[[ "$(husk ps --format json "$ID" | jq length)" == 1 ]] || fail "a process was left: $(husk ps "$ID")"
}

@test "exec: the container's process is the default (env, cwd, user, rlimits)" {
	start_container '.process.env = ["PATH=/bin:/usr/bin", "FROM_CONFIG=1"] | .process.cwd = "/tmp"
		| .process.user = {"uid": 1000, "gid": 1000}
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 321, "soft": 123}]'
	run_husk exec "$ID" sh -c 'probe env; probe cwd; probe ids; ulimit -n; ulimit -Hn'
	assert_success
	assert_line_matches '^FROM_CONFIG=1$'
	assert_line_matches '^/tmp$'
	assert_line_matches '^uid=1000 gid=1000 '
	assert_line_matches '^123$'
	assert_line_matches '^321$'
}

@test "exec --process: a bare Process document (args, env, cwd, user, terminal false)" {
	start_container
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'EOF'
		{
			"terminal": false,
			"user": {"uid": 1000, "gid": 1000, "additionalGids": [10]},
			"args": ["sh", "-c", "probe env; probe cwd; probe ids; exit 9"],
			"env": ["PATH=/bin:/usr/bin", "ONLY_HERE=yes"],
			"cwd": "/etc"
		}
	EOF
	run_husk exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_status 9
	assert_line_matches '^ONLY_HERE=yes$'
	refute_output_contains TERM=xterm
	assert_line_matches '^/etc$'
	assert_line_matches '^uid=1000 gid=1000 euid=1000 egid=1000 groups=10$'
	# arguments after the id replace the document's args
	run_husk exec --process "$BATS_TEST_TMPDIR/process.json" "$ID" probe cwd
	assert_success
	assert_output_equals /etc
}

@test "exec --process: an invalid document is refused before anything runs" {
	start_container
	echo '{"args": "not-a-list"}' >"$BATS_TEST_TMPDIR/process.json"
	run -255 husk exec --process "$BATS_TEST_TMPDIR/process.json" "$ID"
	assert_output_contains ".args"
	run -255 husk exec --process "$BATS_TEST_TMPDIR/missing.json" "$ID"
	assert_output_contains "missing.json"
}

@test "exec --env: replaces a variable or adds one" {
	start_container
	run_husk exec --env TERM=dumb -e NEW=1 -e 'SPACED=a b' "$ID" probe env
	assert_success
	assert_line_matches '^TERM=dumb$'
	refute_output_contains TERM=xterm
	assert_line_matches '^NEW=1$'
	assert_line_matches '^SPACED=a b$'
	run -255 husk exec --env NOEQUALS "$ID" true
	assert_output_contains "KEY=VALUE"
}

@test "exec --cwd: the working directory; relative is refused" {
	start_container
	run_husk exec --cwd /etc "$ID" probe cwd
	assert_success
	assert_output_equals /etc
	run -255 husk exec --cwd etc "$ID" true
	assert_output_contains "absolute"
}

@test "exec --user UID:GID and --additional-gids" {
	start_container
	run_husk exec --user 1000:1001 "$ID" probe ids
	assert_success
	assert_output_equals "uid=1000 gid=1001 euid=1000 egid=1001 groups="
	run_husk exec --user 1000 --additional-gids 10 --additional-gids 20 "$ID" probe ids
	assert_success
	assert_output_equals "uid=1000 gid=0 euid=1000 egid=0 groups=10,20"
	run -255 husk exec --user nobody "$ID" true
	assert_output_contains "UID[:GID]"
}

@test "exec --cap: added to bounding, effective and permitted, never to inheritable" {
	start_container
	run_husk exec "$ID" probe caps
	assert_success
	# CAP_NET_RAW is bit 13 (0x2000); the default set lacks it
	(((0x$(awk '$1 == "CapEff:" { print $2 }' <<<"$output") & 0x2000) == 0))
	run_husk exec --cap CAP_NET_RAW "$ID" probe caps
	assert_success
	local key
	for key in CapEff CapPrm CapBnd; do
		(((0x$(awk -v k="$key:" '$1 == k { print $2 }' <<<"$output") & 0x2000) != 0)) ||
			fail "$key lacks CAP_NET_RAW"
	done
	[[ "$(awk '$1 == "CapInh:" { print $2 }' <<<"$output")" == 0000000000000000 ]]
	run -255 husk exec --cap CAP_NO_SUCH "$ID" true
	assert_output_contains "CAP_NO_SUCH"
}

@test "exec: the container's seccomp filter applies to the new process" {
	start_container '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 99}]}'
	run_husk exec "$ID" probe syscall getppid
	assert_failure
	assert_output_contains "errno=99"
	run_husk exec "$ID" probe caps
	assert_line_matches '^Seccomp:[[:space:]]+2$'
}

@test "exec --no-new-privs: set when asked, even if the container's process has it off" {
	start_container '.process.noNewPrivileges = false'
	run_husk exec "$ID" probe caps
	assert_line_matches '^NoNewPrivs:[[:space:]]+0$'
	run_husk exec --no-new-privs "$ID" probe caps
	assert_line_matches '^NoNewPrivs:[[:space:]]+1$'
}

@test "exec --preserve-fds: exactly fds 3..3+N-1 pass, nothing else of the caller's" {
	start_container
	echo three >"$BATS_TEST_TMPDIR/f3"
	run husk exec --preserve-fds 1 "$ID" sh -c 'cat <&3; probe fds' 3<"$BATS_TEST_TMPDIR/f3" 4</dev/null 7</dev/null
	assert_success
	[[ "${lines[0]}" == three ]]
	[[ "${lines[1]}" == "0 1 2 3" ]]
	# without it, no fd of the caller beyond stdio reaches the process
	run husk exec "$ID" probe fds 3</dev/null 5</dev/null 10</dev/null 251</dev/null
	assert_success
	[[ "${lines[0]}" == "0 1 2" ]]
	run -255 husk exec --preserve-fds -1 "$ID" true
}

@test "exec: joins every namespace of the init and its cgroup" {
	local ns
	start_container
	run_husk exec "$ID" probe ns
	assert_success
	for ns in ipc mnt net pid uts cgroup user; do
		assert_line_matches "^$ns $(readlink "/proc/$INIT/ns/$ns" | sed 's/[][]/\\&/g')$"
	done
	run_husk exec "$ID" cat /proc/self/cgroup
	assert_success
	assert_output_equals "$(cat "/proc/$INIT/cgroup")"
	# and it sees the container's root, not the host's
	run_husk exec "$ID" probe pid
	assert_success
	[[ "$output" =~ ^pid=[0-9]+\ ppid=0$ ]]
}

@test "exec --detach --pid-file: returns at once, the pid (no newline) is the program, in the container" {
	local pid
	start_container
	# the detached process keeps the stdio it is given: not bats' output pipe
	husk exec --detach --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" sleep 321 </dev/null >/dev/null 2>&1 ||
		fail "exec --detach failed"
	[[ "$(tail -c 1 "$BATS_TEST_TMPDIR/exec.pid" | od -An -c | tr -d ' ')" != '\n' ]]
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[[ -d "/proc/$pid" ]]
	# the pid is the process that runs the user's program, not an intermediate husk
	[[ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" == "sleep 321 " ]]
	[[ "$(readlink "/proc/$pid/ns/pid")" == "$(readlink "/proc/$INIT/ns/pid")" ]]
	[[ "$(readlink "/proc/$pid/ns/mnt")" == "$(readlink "/proc/$INIT/ns/mnt")" ]]
	# ps of the container lists it
	run_husk ps --format json "$ID"
	assert_success
	[[ "$(jq --argjson p "$pid" 'index($p) != null' <<<"$output")" == true ]]
	# a relative pid file is relative to the cwd
	cd "$BATS_TEST_TMPDIR"
	husk exec -d --pid-file rel.pid "$ID" sleep 322 </dev/null >/dev/null 2>&1 || fail "exec -d failed"
	[[ -s "$BATS_TEST_TMPDIR/rel.pid" ]]
}

@test "exec --pid-file that cannot be written: exec fails and its process is killed, as runc's" {
	local rc=0
	start_container
	# stdio are files: a detached process left running would hold a pipe of bats open
	husk exec -d --pid-file "$BATS_TEST_TMPDIR/no-such-dir/exec.pid" "$ID" sleep 324 </dev/null \
		>/dev/null 2>"$BATS_TEST_TMPDIR/err" || rc=$?
	[[ $rc == 255 ]] || fail "exec returned $rc"
	grep -q no-such-dir "$BATS_TEST_TMPDIR/err" || fail "the error does not name the pid file: $(cat "$BATS_TEST_TMPDIR/err")"
	# no 'sleep 324' is left in the container (husk reaped it before exiting)
	run_husk ps --format json "$ID"
	assert_success
	for pid in $(jq -r '.[]' <<<"$output"); do
		[[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" != "sleep 324 " ]] || fail "pid $pid still runs"
	done
}

@test "exec --detach: the process is the caller's descendant once husk exits (subreaper)" {
	[[ "$(uname -m)" == x86_64 ]] || skip "the subreaper helper uses the x86_64 prctl syscall number"
	command -v perl >/dev/null || skip "perl is needed to become a subreaper"
	start_container
	# perl becomes a child subreaper (prctl PR_SET_CHILD_SUBREAPER, syscall 157) and execs bash, as
	# conmon and the containerd shim do; the exec'd program must be reparented to it, not to pid 1
	run perl -e 'syscall(157, 36, 1, 0, 0, 0) == 0 or die "prctl: $!"; exec @ARGV' -- bash -c '
		"$1" --root "$2" exec -d --pid-file "$3" "$4" sleep 323 </dev/null >/dev/null 2>&1 || exit 1
		pid=$(cat "$3")
		echo "self=$$ ppid=$(awk "/^PPid:/ { print \$2 }" /proc/$pid/status)"' \
		_ "$HUSK" "$HUSK_TEST_ROOT" "$BATS_TEST_TMPDIR/exec.pid" "$ID"
	assert_success
	[[ "$output" =~ ^self=([0-9]+)\ ppid=([0-9]+)$ ]]
	[[ "${BASH_REMATCH[1]}" == "${BASH_REMATCH[2]}" ]] || fail "reparented to ${BASH_REMATCH[2]}, not the subreaper"
}

@test "exec in the foreground: husk is the parent and waits" {
	start_container
	# the process lives until it is killed: on a slow host (the tests/vm guest under TCG) a short sleep
	# was over before pgrep looked
	"$HUSK" --root "$HUSK_TEST_ROOT" exec "$ID" sh -c 'echo $PPID; exec sleep 300' >"$BATS_TEST_TMPDIR/out" &
	local husk_pid=$! child rc=0
	wait_for test -s "$BATS_TEST_TMPDIR/out"
	# inside, the parent (husk, outside the pid namespace) reads as 0
	[[ "$(cat "$BATS_TEST_TMPDIR/out")" == 0 ]]
	child=$(pgrep -P "$husk_pid" || true)
	[[ -n "$child" ]] || fail "the exec'd process is not husk's child"
	[[ "$(readlink "/proc/$child/ns/pid")" == "$(readlink "/proc/$INIT/ns/pid")" ]]
	# husk waits for it and exits with its status
	kill -KILL "$child"
	wait "$husk_pid" || rc=$?
	((rc == 137)) || fail "husk exec exited $rc after its process was killed, expected 137"
}

@test "exec into a paused container fails, unless --ignore-paused" {
	start_container
	run_husk pause "$ID"
	assert_success
	run -255 husk exec "$ID" true
	assert_output_contains "paused"
	assert_output_contains "--ignore-paused"
	# with --ignore-paused the process joins the frozen cgroup: it runs once the container resumes
	husk exec --ignore-paused "$ID" sh -c 'echo ran' >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	sleep 0.5
	[[ ! -s "$BATS_TEST_TMPDIR/out" ]] || fail "ran while paused: $(cat "$BATS_TEST_TMPDIR/out")"
	run_husk resume "$ID"
	assert_success
	wait "$pid"
	[[ "$(cat "$BATS_TEST_TMPDIR/out")" == ran ]]
}

@test "exec into a stopped container, or a missing one, fails clearly" {
	ID=$(cid)
	setup_bundle true
	husk run -d --bundle "$BUNDLE" "$ID"
	wait_for_status "$ID" stopped
	run -255 husk exec "$ID" true
	assert_output_contains "stopped"
	run -255 husk exec "$(cid missing)" true
	assert_output_contains "does not exist"
	run -255 husk exec
	assert_output_contains "container id"
}

@test "exec --cgroup with a sub-cgroup that does not exist is refused clearly" {
	start_container
	run -255 husk exec --cgroup sub "$ID" true
	assert_output_contains "exec --cgroup 'sub'"
	assert_output_contains "does not exist"
}

@test "exec --tty --console-socket: a pty of the container's devpts, the master sent before exec returns" {
	local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/recvtty.out pid
	start_container
	start_recvtty "$sock" "$out"
	# recvtty stopped: it can only take the master from the socket once husk has exited
	kill -STOP "$RECVTTY_PID"
	run_husk exec -d -t --console-socket "$sock" --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$ID" \
		sh -c 'tty; test -t 0 && test -t 1 && echo stdio-is-tty; sleep 2'
	assert_success
	# the pty is one of the container's devpts instance, not of the host's
	pid=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	[[ "$(stat -L -c %d "/proc/$pid/fd/0")" == "$(stat -c %d "/proc/$INIT/root/dev/pts")" ]]
	[[ "$(stat -L -c %d "/proc/$pid/fd/0")" != "$(stat -c %d /dev/pts)" ]]
	[[ "$(stat -L -c %t:%T "/proc/$pid/fd/0")" == "$(stat -L -c %t:%T "/proc/$pid/fd/1")" ]]
	kill -CONT "$RECVTTY_PID"
	wait "$RECVTTY_PID"
	RECVTTY_PID=
	run cat "$out"
	assert_line_matches '^recvtty: got fd'
	assert_line_matches '^/dev/pts/[0-9]+'
	assert_output_contains stdio-is-tty
}

@test "exec --tty in the foreground: exit status and the pty's output through the socket" {
	local sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/recvtty.out
	start_container
	start_recvtty "$sock" "$out"
	run_husk exec --tty --console-socket "$sock" "$ID" sh -c 'tty; exit 6'
	assert_status 6
	wait "$RECVTTY_PID"
	RECVTTY_PID=
	run cat "$out"
	assert_line_matches '^/dev/pts/[0-9]+'
}

@test "exec -t without --console-socket: husk relays the terminal itself, in the foreground only" {
	start_container
	# piped input: the shell reads it from the pty, its output and exit status come back
	run bash -c 'printf "tty; echo \$((6 * 7)); exit 3\n" | "$@"' _ "$HUSK" --root "$HUSK_TEST_ROOT" exec -t "$ID" sh
	assert_status 3
	assert_output_contains "/dev/pts/"
	assert_output_contains "42"
	echo '{"terminal": true, "args": ["sh", "-c", "test -t 0 && exit 4"], "cwd": "/", "user": {"uid": 0, "gid": 0}}' \
		>"$BATS_TEST_TMPDIR/process.json"
	run -4 husk exec --process "$BATS_TEST_TMPDIR/process.json" "$ID" </dev/null
	# detached, nobody would hold the terminal
	run -255 husk exec -d -t "$ID" true
	assert_output_contains "console-socket"
}

@test "exec --log --log-format json: a failure writes exactly one JSON error record" {
	local log=$BATS_TEST_TMPDIR/exec.log
	start_container
	run -255 "$HUSK" --root "$HUSK_TEST_ROOT" --log "$log" --log-format json exec "$ID" no-such-program
	[[ "$(wc -l <"$log")" == 1 ]] || fail "log: $(cat "$log")"
	# podman parses the whole file as one object
	run jq -e -s 'length == 1 and .[0].level == "error"' "$log"
	assert_success
	run jq -r .msg "$log"
	assert_output_contains 'executable file not found in $PATH'
	run jq -r .time "$log"
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]]
	# a successful exec adds nothing
	: >"$log"
	run "$HUSK" --root "$HUSK_TEST_ROOT" --log "$log" --log-format json exec "$ID" true
	assert_success
	[[ ! -s "$log" ]] || fail "log: $(cat "$log")"
}

@test "exec with an empty environment (as podman calls it): still finds the container's programs" {
	start_container
	run env -i "$HUSK" --root "$HUSK_TEST_ROOT" exec "$ID" sh -c 'echo ok'
	assert_success
	assert_output_equals ok
}
