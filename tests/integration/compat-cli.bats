#!/usr/bin/env bats
# runc 1.1's answers where clients depend on them (issue 20, the command-line items): kill of a stopped
# or paused container, signal 0, flags after the id, exec's terminal, sessions, paused exec, --debug,
# the error wording clients match on, ps/list/--version output. Where runc is installed, the same
# scenario also runs under runc on the same bundle and the answers are compared.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose

bats_require_minimum_version 1.5.0

load helpers

setup_file() {
	husk_rootfs_cache
}

teardown() {
	if [[ -n "${RUNC_ROOT:-}" && -d "$RUNC_ROOT" ]]; then
		local id
		for id in $(runc --root "$RUNC_ROOT" list -q 2>/dev/null); do
			runc --root "$RUNC_ROOT" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	husk_teardown
}

# have_runc: runc is installed (then RUNC_ROOT is this test's private runc state directory).
have_runc() {
	command -v runc >/dev/null || return 1
	export RUNC_ROOT=$BATS_TEST_TMPDIR/runc-state
}

# rrunc ARGS...: runc with this test's private --root.
rrunc() {
	runc --root "$RUNC_ROOT" "$@"
}

# stopped_container RT ID: create and start a container that exits at once under runtime RT (husk or
# rrunc), and wait until it reads as stopped.
stopped_container() {
	local rt=$1 id=$2
	"$rt" create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 3>&- </dev/null || fail "$rt create failed"
	"$rt" start "$id" || fail "$rt start failed"
	wait_for _rt_has_status "$rt" "$id" stopped
}

_rt_has_status() {
	[[ "$("$1" state "$2" 2>/dev/null | jq -r .status)" == "$3" ]]
}

# ---- item 0: kill of a stopped container ----------------------------------------------------------------

@test "kill of a stopped container: --all succeeds, plain kill says 'container not running' (containerd matches it)" {
	local id
	id=$(cid)
	setup_bundle true
	stopped_container husk "$id"
	run_husk kill --all "$id" 9
	assert_success
	assert_output_equals ""
	run_husk kill "$id" 9
	assert_status 1
	assert_output_contains "container not running"
	run_husk kill "$id" KILL
	assert_status 1
	assert_output_contains "container not running"
	# a missing container: containerd's other match
	husk delete "$id"
	run_husk kill "$id" 9
	assert_status 1
	assert_output_contains "does not exist"
	run_husk kill --all "$id" 9
	assert_status 1
	assert_output_contains "does not exist"
}

@test "kill of a stopped container: the same exit statuses as runc 1.1 on the same bundle" {
	have_runc || skip "runc is not installed"
	local id rid r_all r_plain h_all h_plain
	# two ids: without cgroupsPath both runtimes put a container at /<id>, and husk refuses to join runc's
	id=$(cid)
	rid=$(cid runc)
	setup_bundle true
	stopped_container rrunc "$rid"
	stopped_container husk "$id"
	rrunc kill --all "$rid" 9 && r_all=0 || r_all=$?
	husk kill --all "$id" 9 && h_all=0 || h_all=$?
	r_plain=$(rrunc kill "$rid" 9 2>&1) && fail "runc: plain kill of a stopped container succeeded"
	h_plain=$(husk kill "$id" 9 2>&1) && fail "husk: plain kill of a stopped container succeeded"
	[[ "$r_all" == "$h_all" ]] || fail "kill --all: runc $r_all, husk $h_all"
	[[ "$r_plain" == *"container not running"* && "$h_plain" == *"container not running"* ]] ||
		fail "plain kill: runc said '$r_plain', husk said '$h_plain'"
	rrunc delete "$rid"
}

# ---- item 7: SIGKILL to a paused container ----------------------------------------------------------------

@test "kill KILL of a paused container thaws it, so it stops (plain and --all); TERM leaves it paused" {
	local a b c
	a=$(cid a)
	b=$(cid b)
	c=$(cid c)
	setup_bundle sh -c 'trap "exit 3" TERM; while :; do sleep 0.1; done'
	for id in "$a" "$b" "$c"; do
		create_quiet "$id"
		husk start "$id"
		husk pause "$id"
		[[ "$(husk_status "$id")" == paused ]] || fail "$id is not paused"
	done
	husk kill "$a" KILL
	wait_for_status "$a" stopped
	husk kill --all "$b" KILL
	wait_for_status "$b" stopped
	# runc: only SIGKILL thaws; another signal stays pending until resume
	husk kill "$c" TERM
	sleep 0.2
	[[ "$(husk_status "$c")" == paused ]] || fail "TERM to a paused container thawed it"
	husk resume "$c"
	wait_for_status "$c" stopped
	# and delete needs no --force for any of them now
	for id in "$a" "$b" "$c"; do
		husk delete "$id"
	done
}

# ---- a signal to a created container ------------------------------------------------------------------

@test "kill TERM (HUP, USR1, RTMIN+2) of a created container stops it, as runc's; WINCH leaves it created" {
	local id sig
	setup_bundle true
	# the created init is its PID namespace's init: the kernel delivers only what it handles, and podman's
	# stop (TERM, then KILL after the timeout) or the CRI's StopContainer waited out the whole timeout
	for sig in TERM HUP USR1 RTMIN+2; do
		id=$(cid "${sig/+/}")
		create_quiet "$id"
		husk kill "$id" "$sig"
		wait_for_status "$id" stopped
		husk delete "$id"
	done
	# a signal whose default action is to do nothing does nothing here either
	id=$(cid winch)
	create_quiet "$id"
	husk kill "$id" WINCH
	sleep 0.2
	[[ "$(husk_status "$id")" == created ]] || fail "WINCH stopped a created container"
	husk start "$id"
	wait_for_status "$id" stopped
	husk delete "$id"
	if have_runc; then
		rrunc create --bundle "$BUNDLE" r-term >/dev/null 2>&1 3>&- </dev/null || fail "runc create failed"
		rrunc kill r-term TERM
		wait_for _rt_has_status rrunc r-term stopped
		rrunc delete r-term
	fi
}

# ---- item 8: signal 0 -------------------------------------------------------------------------------------

@test "kill ID 0 probes a live container (exit 0, nothing delivered); lower-case names work as in runc" {
	local id
	id=$(cid)
	setup_bundle sh -c 'trap "echo got-term; exit 3" TERM; while :; do sleep 0.1; done'
	create_quiet "$id"
	husk start "$id"
	run_husk kill "$id" 0
	assert_success
	run_husk kill --all "$id" 0
	assert_success
	sleep 0.2
	[[ "$(husk_status "$id")" == running ]] || fail "signal 0 changed the container"
	run_husk kill "$id" sigterm
	assert_success
	wait_for_status "$id" stopped
	grep -qx got-term "$BATS_TEST_TMPDIR/$id.out" || fail "TERM (given as 'sigterm') did not arrive"
	run_husk kill "$id" 0
	assert_status 1
	assert_output_contains "container not running"
	husk delete "$id"
}

# ---- item 10: flags after the container id -----------------------------------------------------------------

@test "flags after the container id are taken, as runc's urfave/cli reorders them (update, delete, kill, create)" {
	local id cg
	id=$(cid)
	setup_bundle sleep 100
	husk create "$id" --bundle "$BUNDLE" >/dev/null 2>&1 3>&- </dev/null
	husk start "$id"
	husk update "$id" --pids-limit 42 --cpu-shares 512
	# the pids hierarchy: v1's, or the one v2 tree on a pure v2 host (tests/vm/run.sh)
	local pids=/sys/fs/cgroup/pids
	! host_cgroup_unified || pids=/sys/fs/cgroup
	cg=$(find "$pids" -type d -name "$id" | head -n 1)
	[[ -n "$cg" && "$(cat "$cg/pids.max")" == 42 ]] || fail "pids limit not applied from a flag after the id"
	cg=$(find /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/cpu -type d -name "$id" 2>/dev/null | head -n 1)
	[[ -z "$cg" || "$(cat "$cg/cpu.shares")" == 512 ]] || fail "cpu shares not applied"
	husk update "$id" --pids-limit=43
	[[ "$(cat "$(find "$pids" -type d -name "$id" | head -n 1)/pids.max")" == 43 ]]
	husk kill "$id" KILL --all
	wait_for_status "$id" stopped
	husk delete "$id" --force
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]] || fail "delete ID --force left the container"
}

@test "flags after the id: runc's reordering quirks too (a word after a flag moves with it; -- stops it)" {
	have_runc || skip "runc is not installed"
	local id h r
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id"
	# "kill ID --all 0" reads as "kill --all 0 ID": id "0", signal ID; both runtimes fail
	h=0 r=0
	husk kill "$id" --all 0 2>/dev/null || h=$?
	rrunc kill "$id" --all 0 2>/dev/null || r=$?
	[[ "$h" -ne 0 && "$r" -ne 0 ]] || fail "expected both to fail: husk $h, runc $r"
	# after --, nothing moves: "--force" is an extra argument
	run_husk delete "$id" -- --force
	assert_status 1
	assert_output_contains "unexpected argument '--force'"
	[[ "$(husk_status "$id")" == created ]]
	husk delete --force "$id"
}

# ---- item 31: ps, list, --version, -h -----------------------------------------------------------------------

@test "ps ID -- OPTIONS: ps(1) options pass through, filtered to the container's processes, as runc" {
	local id pid
	id=$(cid)
	setup_bundle sh -c 'sleep 100 & wait'
	create_quiet "$id" --pid-file "$BATS_TEST_TMPDIR/pid"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	husk start "$id"
	wait_for eval '[[ "$(husk ps --format json "$id" | jq length)" -eq 2 ]]'
	run_husk ps "$id" -- -e -o pid,comm
	assert_success
	[[ "${lines[0]}" =~ ^\ *PID\ +COMMAND$ ]] || fail "header is not ps's"
	[[ "${#lines[@]}" -eq 3 ]] || fail "expected exactly the two processes of the container"
	assert_line_matches "^ *$pid +sh$"
	assert_line_matches '^ *[0-9]+ +sleep$'
	# without --, as runc: the options still go to ps
	run_husk ps "$id" -e -x
	assert_success
	assert_line_matches '^ *PID +TTY +STAT +TIME +COMMAND$'
	[[ "${#lines[@]}" -eq 3 ]] || fail "expected exactly the two processes"
	# an option ps(1) refuses: its own message, and an error
	run_husk ps "$id" --no-such-ps-option
	assert_status 1
	assert_output_contains "ps(1) failed"
	husk delete --force "$id"
}

@test "list: runc's table columns and JSON fields, sorted by id; an empty list is null in JSON" {
	local a b
	a=$(cid b)
	b=$(cid a)
	setup_bundle sleep 100
	run_husk list --format json
	assert_success
	assert_output_equals null
	create_quiet "$a"
	create_quiet "$b"
	run_husk list
	assert_success
	[[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]] || fail "bad header '${lines[0]}'"
	[[ "${lines[1]}" == "$b "* && "${lines[2]}" == "$a "* ]] || fail "not sorted by id"
	# tabwriter: every column starts where the header's does
	local col=${lines[0]%%PID*}
	[[ "${lines[1]:${#col}:1}" =~ [0-9] && "${lines[1]:$((${#col} - 1)):1}" == " " ]] ||
		fail "PID column not aligned with its header"
	run_husk list --format json
	assert_success
	jq -e --arg id "$a" --arg b "$BUNDLE" '.[] | select(.id == $id) |
		(keys_unsorted == ["ociVersion","id","pid","status","bundle","rootfs","created","owner"]) and
		.rootfs == ($b + "/rootfs") and .owner == "root" and .status == "created" and (.pid > 0) and
		(.created | test("^[0-9-]+T[0-9:]+(\\.[0-9]*[1-9])?Z$"))' <<<"$output" >/dev/null ||
		fail "fields differ from runc's"
	if have_runc; then
		# (another id: both runtimes' default cgroup is /<id>)
		rrunc create --bundle "$BUNDLE" "$(cid runc)" >/dev/null 2>&1 3>&- </dev/null
		[[ "$(rrunc list --format json | jq -c '.[0] | keys_unsorted')" == \
			"$(husk list --format json | jq -c '.[0] | keys_unsorted')" ]] || fail "runc's keys differ"
		[[ "$(rrunc list | head -n 1 | tr -s ' ')" == "$(husk list | head -n 1 | tr -s ' ')" ]]
		rrunc delete --force "$(cid runc)"
	fi
}

@test "--version: runc's lines in runc's order; -h and --help answer on every command" {
	run "$HUSK" --version
	assert_success
	[[ "${lines[0]}" =~ ^husk\ version\ [0-9.]+ && "${lines[1]}" == commit:\ * &&
		"${lines[2]}" == "spec: 1.3.0" && "${lines[3]}" == libseccomp:\ * ]] || fail "not runc's order"
	local verb
	for verb in checkpoint create delete events exec features kill list pause ps restore resume run \
		spec start state update; do
		run "$HUSK" "$verb" -h
		[[ "$status" -eq 0 && "${lines[0]}" == "Usage: husk $verb"* ]] || fail "$verb -h"
		run "$HUSK" "$verb" --help
		[[ "$status" -eq 0 && "${lines[0]}" == "Usage: husk $verb"* ]] || fail "$verb --help"
	done
	# after the id too, as runc (the help flag is reordered like any other)
	run "$HUSK" kill some-id -h
	assert_success
	[[ "${lines[0]}" == "Usage: husk kill"* ]]
}

# ---- item 6: every process its own session ----------------------------------------------------------------

@test "without a terminal the init and exec'd processes are session and group leaders, as under runc" {
	local id
	id=$(cid)
	# fields 5 and 6 of stat: process group and session, as seen from inside the PID namespace
	setup_bundle sh -c 'cut -d" " -f5,6 /proc/1/stat; exec sleep 100'
	create_quiet "$id"
	husk start "$id"
	wait_for grep -q . "$BATS_TEST_TMPDIR/$id.out"
	[[ "$(cat "$BATS_TEST_TMPDIR/$id.out")" == "1 1" ]] ||
		fail "init: pgrp/sid '$(cat "$BATS_TEST_TMPDIR/$id.out")', expected '1 1' (0 0: the caller's)"
	run_husk exec "$id" sh -c 'echo $$; cut -d" " -f5,6 /proc/$$/stat'
	assert_success
	[[ "${lines[1]}" == "${lines[0]} ${lines[0]}" ]] || fail "exec: not its own session: $output"
	# and the caller's group is not the container's: killing the caller's group spares it
	[[ "$(ps -o sid= -p "$(husk state "$id" | jq .pid)" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ]] ||
		fail "the init shares the caller's session"
	husk delete --force "$id"
}

# ---- item 9: exec into a paused container ------------------------------------------------------------------

@test "exec into a paused container: runc's error unless --ignore-paused; stopped: runc's words too" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id"
	husk start "$id"
	husk pause "$id"
	run -255 husk exec "$id" true
	assert_output_contains "cannot exec in a paused container"
	assert_output_contains "--ignore-paused"
	husk resume "$id"
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	run -255 husk exec "$id" true
	assert_output_contains "cannot exec in a stopped container"
	husk delete "$id"
}

# ---- item 11: exec's terminal ------------------------------------------------------------------------------

@test "exec: the terminal comes from -t only, not from the container's process.terminal" {
	local id sock=$BATS_TEST_TMPDIR/console.sock out=$BATS_TEST_TMPDIR/recvtty.out
	id=$(cid)
	setup_bundle sleep 100
	cfg '.process.terminal = true'
	"$HUSK_SRC_DIR/build/recvtty" "$sock" >"$out" 2>&1 3>&- &
	local rpid=$!
	wait_for grep -qs listening "$out"
	husk run -d --console-socket "$sock" --bundle "$BUNDLE" "$id" 3>&-
	# plain exec: pipes, so \n stays \n and the process has no tty
	run_husk exec "$id" sh -c 'printf "a\nb\n"; [ -t 0 ] && echo tty || echo no-tty'
	assert_success
	[[ "$output" == $'a\nb\nno-tty' ]] || fail "got $(printf %q "$output")"
	# exec -d works (it needs no console socket without -t)
	run_husk exec -d "$id" sleep 1
	assert_success
	# -t still gives a terminal
	run husk exec -t "$id" sh -c '[ -t 0 ] && echo tty' </dev/null
	assert_success
	[[ "${output%$'\r'}" == tty ]] || fail "got $(printf %q "$output")"
	husk delete --force "$id"
	wait "$rpid" || true
}

# ---- item 12: exec --debug --------------------------------------------------------------------------------

@test "exec --debug: narration on stderr or in --log, the process's output unchanged (also with -t)" {
	local id log=$BATS_TEST_TMPDIR/debug.log
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id"
	husk start "$id"
	"$HUSK" --root "$HUSK_TEST_ROOT" --debug exec "$id" echo hello >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	[[ "$(cat "$BATS_TEST_TMPDIR/o")" == hello ]] || fail "stdout: $(cat "$BATS_TEST_TMPDIR/o")"
	grep -q 'setns' "$BATS_TEST_TMPDIR/e" || fail "no debug lines on stderr"
	"$HUSK" --root "$HUSK_TEST_ROOT" --debug --log "$log" exec "$id" echo hello >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	[[ "$(cat "$BATS_TEST_TMPDIR/o")" == hello && ! -s "$BATS_TEST_TMPDIR/e" ]] || fail "output changed with --log"
	grep -q 'level=debug msg=".*execve' "$log" || fail "no debug lines in the log"
	# with a terminal, the narration after the pty is set up must not land in the program's output
	"$HUSK" --root "$HUSK_TEST_ROOT" --debug exec -t "$id" echo hello </dev/null >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	[[ "$(tr -d '\r' <"$BATS_TEST_TMPDIR/o")" == hello ]] || fail "exec -t output: $(od -c "$BATS_TEST_TMPDIR/o" | head)"
	grep -q 'execve' "$BATS_TEST_TMPDIR/e" || fail "the late debug lines are lost"
	husk delete --force "$id"
}

# ---- item 29: the wording clients match on -----------------------------------------------------------------

@test "errors keep runc's words: 'no such file or directory' (lower case), 'executable file not found', 'does not exist'" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id"
	husk start "$id"
	run -255 husk exec "$id" /no/such/program
	assert_output_contains 'exec: "/no/such/program": stat /no/such/program: no such file or directory'
	run -255 husk exec "$id" no-such-program
	assert_output_contains 'exec: "no-such-program": executable file not found in $PATH'
	run -255 husk exec --cwd /no/such/dir "$id" true
	assert_output_contains 'chdir to cwd ("/no/such/dir") set in config.json failed: no such file or directory'
	run_husk state nope-not-here
	assert_status 1
	assert_output_contains "does not exist"
	# the same in the JSON log podman and containerd read
	run -255 "$HUSK" --root "$HUSK_TEST_ROOT" --log "$BATS_TEST_TMPDIR/l.json" --log-format json exec "$id" /no/such/program
	jq -e 'select(.level == "error") | .msg | contains("no such file or directory")' "$BATS_TEST_TMPDIR/l.json" >/dev/null ||
		fail "log: $(cat "$BATS_TEST_TMPDIR/l.json")"
	# create with a missing program: the same words
	local id2
	id2=$(cid two)
	set_args /no/such/program
	run_husk create --bundle "$BUNDLE" "$id2"
	assert_failure
	assert_output_contains "no such file or directory"
	husk delete --force "$id"
}

@test "--criu PATH: a global flag of every command (containerd's CriuPath); checkpoint runs that binary" {
	local id fake=$BATS_TEST_TMPDIR/fake-criu
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id"
	husk start "$id"
	# containerd's go-runc puts --criu before every verb when the runtime options name a CRIU binary
	run_husk --criu "$fake" state "$id"
	assert_success
	run_husk --criu "$fake" list -q
	assert_output_equals "$id"
	# a CRIU that records how it was started, then fails: checkpoint must have run it, not criu on PATH
	printf '#!/bin/sh\necho "$@" >>%s.log\nexit 1\n' "$fake" >"$fake"
	chmod +x "$fake"
	run_husk --criu "$fake" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$id"
	assert_failure
	[[ $output != *"not built"* ]] || skip "this husk is built without CRIU support"
	[[ "$(cat "$fake.log")" == "swrk 3" ]] || fail "--criu was not run: ${output}"
	run_husk --criu "$BATS_TEST_TMPDIR/none" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$id"
	assert_failure
	assert_output_contains "--criu '$BATS_TEST_TMPDIR/none' is not an executable file"
	[[ "$(husk_status "$id")" == running ]] || fail "a failed checkpoint changed the container"
	husk delete --force "$id"
}

@test "a stopped container: ps --format json prints null and events fails 'not running', as runc" {
	local id out
	id=$(cid)
	setup_bundle true
	stopped_container husk "$id"
	run_husk ps --format json "$id"
	assert_success
	assert_output_equals null
	run_husk events --stats "$id"
	assert_status 1
	assert_output_contains "is not running"
	run_husk events --interval 100ms "$id"
	assert_status 1
	assert_output_contains "is not running"
	if have_runc; then
		# (another id: both runtimes' default cgroup is /<id>)
		stopped_container rrunc "$(cid runc)"
		out=$(rrunc ps --format json "$(cid runc)")
		[[ $out == null ]] || fail "runc's ps says '$out'"
		! out=$(rrunc events --stats "$(cid runc)" 2>&1) || fail "runc's events of a stopped container succeeded"
		[[ $out == *"is not running"* ]] || fail "runc said '$out'"
		rrunc delete "$(cid runc)"
	fi
	husk delete "$id"
}
