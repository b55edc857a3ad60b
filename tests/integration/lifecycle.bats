#!/usr/bin/env bats
# The OCI lifecycle from the outside: run, create/start/state/kill/delete as separate invocations, list,
# ps, and what a failed create must leave behind (nothing).
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

teardown() {
	husk_teardown
}

# husk_bg ARGS...: husk ARGS in the background with its output in $BATS_TEST_TMPDIR/bg.out; sets BG_PID.
# fd 3 (bats' own) is closed, so a container still running cannot make bats wait for it.
husk_bg() {
	"$HUSK" --root "$HUSK_TEST_ROOT" "$@" >"$BATS_TEST_TMPDIR/bg.out" 2>&1 3>&- &
	BG_PID=$!
}

# has_processes ID N: the container has N processes (for wait_for, which runs it again each time).
has_processes() {
	[[ "$(husk ps --format json "$1" | jq length)" -eq "$2" ]]
}

@test "run: the program is pid 1 of its own pid namespace" {
	setup_bundle probe pid
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "pid=1 ppid=0"
}

@test "run: hostname and domainname come from the config" {
	setup_bundle probe hostname
	cfg '.hostname = "lifecycle-host" | .domainname = "example.org"'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "hostname=lifecycle-host domainname=example.org"
}

@test "run: the new network namespace has only lo" {
	setup_bundle cat /proc/net/dev
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	# two header lines, then one line per interface
	[[ "${#lines[@]}" -eq 3 ]] || fail "expected exactly one interface"
	assert_line_matches '^ *lo:'
}

@test "run: the exit status of the program is husk's" {
	setup_bundle probe exit 3
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_status 3
	setup_bundle
	set_args sh -c 'exit 0'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
}

@test "run: a container killed by SIGKILL exits 137" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	husk_bg run --bundle "$BUNDLE" "$id"
	wait_for_status "$id" running
	husk kill "$id" KILL
	status=0
	wait "$BG_PID" || status=$?
	assert_status 137
	# run without --keep deletes the stopped container
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "run: signals sent to husk are forwarded to the container" {
	local id
	id=$(cid)
	setup_bundle probe wait-signal
	husk_bg run --bundle "$BUNDLE" "$id"
	wait_for_status "$id" running
	# the probe installs its handler right after exec: give it a moment
	sleep 0.3
	kill -USR1 "$BG_PID"
	status=0
	wait "$BG_PID" || status=$?
	assert_success
	run cat "$BATS_TEST_TMPDIR/bg.out"
	assert_output_contains "got SIGUSR1"
}

@test "run --keep: the stopped container stays until delete" {
	local id
	id=$(cid)
	setup_bundle probe exit 0
	run_husk run --keep --bundle "$BUNDLE" "$id"
	assert_success
	[[ "$(husk_status "$id")" == stopped ]]
	husk delete "$id"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "run --detach: running, then kill, stopped, delete" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	husk run --detach --bundle "$BUNDLE" "$id" >/dev/null 2>&1 3>&-
	[[ "$(husk_status "$id")" == running ]]
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	husk delete "$id"
	run_husk state "$id"
	assert_failure
	assert_output_contains "does not exist"
}

@test "create: created, pid file without newline, program not run until start" {
	local id pid marker=$BATS_TEST_TMPDIR/shared
	id=$(cid)
	mkdir "$marker"
	setup_bundle
	set_args sh -c 'echo started >/shared/marker; exec sleep 100'
	cfg --arg d "$marker" '.mounts += [{"source": $d, "destination": "/shared", "options": ["bind"]}]'
	create_quiet "$id" --pid-file "$BATS_TEST_TMPDIR/pid"
	[[ "$(husk_status "$id")" == created ]]
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[[ "$pid" =~ ^[0-9]+$ ]] || fail "pid file holds '$pid'"
	[[ "$(tail -c1 "$BATS_TEST_TMPDIR/pid" | xxd -p)" != 0a ]] || fail "pid file ends with a newline"
	[[ "$(husk state "$id" | jq .pid)" == "$pid" ]]
	[[ -d "/proc/$pid" ]]
	# the init is still husk, waiting: the program has not run
	sleep 0.3
	[[ ! -e "$marker/marker" ]] || fail "the program ran before start"
	[[ "$(readlink "/proc/$pid/exe")" != */busybox ]] || fail "the init exec'd before start"

	SECONDS=0
	husk start "$id"
	((SECONDS < 2)) || fail "start took ${SECONDS}s"
	[[ "$(husk_status "$id")" == running ]]
	wait_for test -e "$marker/marker"
	[[ "$(husk state "$id" | jq .pid)" == "$pid" ]]
	husk delete --force "$id"
}

@test "start: returns at once and does not read stdin" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	create_quiet "$id"
	# the fifo is held open read-write by the test: reading it would block forever
	exec 5<>"$BATS_TEST_TMPDIR/fifo"
	run timeout 5 "$HUSK" --root "$HUSK_TEST_ROOT" start "$id" <&5
	exec 5>&-
	assert_success
	[[ "$(husk_status "$id")" == running ]]
	run timeout 5 "$HUSK" --root "$HUSK_TEST_ROOT" delete --force "$id" </dev/zero
	assert_success
}

@test "state: the OCI keys; pid 0 once stopped" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	cfg '.annotations = {"org.example.key": "value"}'
	create_quiet "$id"
	run_husk state "$id"
	assert_success
	run jq -r '[keys[]] | sort | join(",")' <<<"$output"
	assert_output_equals "annotations,bundle,created,id,ociVersion,owner,pid,rootfs,status"
	run husk state "$id"
	[[ "$(jq -r .id <<<"$output")" == "$id" ]]
	[[ "$(jq -r .status <<<"$output")" == created ]]
	[[ "$(jq -r .bundle <<<"$output")" == "$BUNDLE" ]]
	[[ "$(jq -r .rootfs <<<"$output")" == "$BUNDLE/rootfs" ]]
	[[ "$(jq -r .owner <<<"$output")" == root ]]
	[[ "$(jq -r '.annotations["org.example.key"]' <<<"$output")" == value ]]
	[[ "$(jq -r .ociVersion <<<"$output")" == "$(jq -r .ociVersion "$BUNDLE/config.json")" ]]
	[[ "$(jq -r .created <<<"$output")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
	[[ "$(jq .pid <<<"$output")" -gt 0 ]]
	husk start "$id"
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	[[ "$(husk state "$id" | jq .pid)" == 0 ]]
	husk delete "$id"
}

@test "state: a missing container is an error" {
	run_husk state "$(cid)"
	assert_failure
	assert_output_contains "does not exist"
}

@test "kill: TERM, SIGTERM and 15 reach the program" {
	local sig id n=0
	setup_bundle probe wait-signal
	for sig in TERM SIGTERM 15; do
		id=$(cid $((n++)))
		create_quiet "$id"
		husk start "$id"
		sleep 0.3
		husk kill "$id" "$sig"
		wait_for_status "$id" stopped
		run cat "$BATS_TEST_TMPDIR/$id.out"
		assert_output_contains "got SIGTERM"
		husk delete "$id"
	done
}

@test "kill: the default signal is TERM, and KILL stops a program that ignores TERM" {
	local id
	id=$(cid)
	setup_bundle probe wait-signal
	create_quiet "$id"
	husk start "$id"
	sleep 0.3
	husk kill "$id"
	wait_for_status "$id" stopped
	run cat "$BATS_TEST_TMPDIR/$id.out"
	assert_output_contains "got SIGTERM"
	husk delete "$id"

	# pid 1 of a pid namespace ignores TERM without a handler; KILL still works
	setup_bundle sleep 100
	create_quiet "$id"
	husk start "$id"
	husk kill "$id" TERM
	sleep 0.3
	[[ "$(husk_status "$id")" == running ]]
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	husk delete "$id"
}

@test "kill --all: every process of the container" {
	local id pids
	id=$(cid)
	setup_bundle
	set_args sh -c 'sleep 100 & sleep 100 & wait'
	create_quiet "$id"
	husk start "$id"
	wait_for has_processes "$id" 3
	husk kill --all "$id" KILL
	wait_for_status "$id" stopped
	pids=$(husk ps --format json "$id" | jq length)
	[[ "$pids" -eq 0 ]] || fail "$pids processes left"
	husk delete "$id"
}

@test "kill: a stopped container, a missing one, an unknown signal are errors" {
	local id
	id=$(cid)
	setup_bundle true
	create_quiet "$id"
	run_husk kill "$id" NOSUCHSIG
	assert_failure
	assert_output_contains "unknown signal"
	run_husk kill "$id" 0x10
	assert_failure
	husk start "$id"
	wait_for_status "$id" stopped
	run_husk kill "$id" KILL
	assert_failure
	assert_output_contains "not running"
	husk delete "$id"
	run_husk kill "$id" KILL
	assert_failure
	assert_output_contains "does not exist"
}

@test "delete: refuses created and running containers without --force" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id"
	run_husk delete "$id"
	assert_failure
	assert_output_contains "created"
	[[ "$(husk_status "$id")" == created ]]
	husk start "$id"
	run_husk delete "$id"
	assert_failure
	assert_output_contains "running"
	[[ "$(husk_status "$id")" == running ]]
	run_husk delete --force "$id"
	assert_success
	no_trace "$id"
}

@test "delete --force: a created container goes, with its init" {
	local id pid
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id" --pid-file "$BATS_TEST_TMPDIR/pid"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	husk delete --force "$id"
	no_trace "$id"
	[[ ! -d "/proc/$pid" || "$(_husk_proc_stat "$pid" 0)" == Z ]]
}

@test "delete: a missing container is an error, but not with --force" {
	local id
	id=$(cid)
	run_husk delete "$id"
	assert_failure
	assert_output_contains "does not exist"
	run_husk delete --force "$id"
	assert_success
}

@test "start: twice, or on a stopped container, is an error" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id"
	husk start "$id"
	run_husk start "$id"
	assert_failure
	assert_output_contains "not created"
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	run_husk start "$id"
	assert_failure
	husk delete "$id"
}

@test "create: a duplicate id is an error and leaves the first container intact" {
	local id pid
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id" --pid-file "$BATS_TEST_TMPDIR/pid"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	run husk create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid2" "$id" 3>&-
	assert_failure
	assert_output_contains "already exists"
	[[ ! -e "$BATS_TEST_TMPDIR/pid2" ]]
	[[ "$(husk_status "$id")" == created ]]
	[[ "$(husk state "$id" | jq .pid)" == "$pid" ]]
	husk start "$id"
	[[ "$(husk_status "$id")" == running ]]
}

@test "create: two concurrent creates of one id, exactly one wins" {
	local id i ok=0 pids=()
	id=$(cid)
	setup_bundle sleep 100
	for i in 1 2 3 4; do
		husk create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/c$i.out" 2>&1 3>&- &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		if wait "$i"; then
			((++ok))
		fi
	done
	[[ "$ok" -eq 1 ]] || fail "$ok creates succeeded"
	run cat "$BATS_TEST_TMPDIR"/c*.out
	assert_output_contains "already exists"
	[[ "$(husk_status "$id")" == created ]]
	[[ "$(husk ps --format json "$id" | jq length)" -eq 1 ]]
}

@test "create: a missing bundle is an error and leaves nothing" {
	local id
	id=$(cid)
	run_husk create --bundle "$BATS_TEST_TMPDIR/nonexistent" "$id"
	assert_failure
	assert_output_contains "nonexistent"
	no_trace "$id"
	run_husk list -q
	assert_output_equals ""
}

@test "create: a bad root.path is an error and leaves nothing" {
	local id
	id=$(cid)
	setup_bundle true
	cfg '.root.path = "no-such-rootfs"'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "root.path"
	assert_output_contains "no-such-rootfs"
	no_trace "$id"
	cfg '.root.path = "config.json"'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "not a directory"
	no_trace "$id"
}

@test "create: the bundle defaults to the current directory" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	cd "$BUNDLE"
	husk create "$id" >/dev/null 2>&1 3>&-
	cd /
	[[ "$(husk state "$id" | jq -r .bundle)" == "$BUNDLE" ]]
	[[ "$(husk state "$id" | jq -r .rootfs)" == "$BUNDLE/rootfs" ]]
}

@test "create: root.path is relative to the bundle, not to the cwd" {
	local id
	id=$(cid)
	setup_bundle probe read /marker
	mv "$BUNDLE/rootfs" "$BUNDLE/image"
	echo image >"$BUNDLE/image/marker"
	cfg '.root.path = "image"'
	cd "$BATS_TEST_TMPDIR"
	mkdir image
	run_husk run --bundle "$BUNDLE" "$id"
	cd /
	assert_success
	assert_output_equals image
	# an absolute root.path works too
	cfg --arg r "$BUNDLE/image" '.root.path = $r'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	assert_output_equals image
}

@test "state survives: create, start, state and delete from separate processes" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	(create_quiet "$id")
	run bash -c '"$0" --root "$1" state "$2" | jq -r .status' "$HUSK" "$HUSK_TEST_ROOT" "$id"
	assert_output_equals created
	(husk start "$id")
	run bash -c '"$0" --root "$1" state "$2" | jq -r .status' "$HUSK" "$HUSK_TEST_ROOT" "$id"
	assert_output_equals running
	(husk kill "$id" KILL)
	wait_for_status "$id" stopped
	(husk delete "$id")
	no_trace "$id"
}

@test "list: table, json and -q" {
	local a b
	a=$(cid a)
	b=$(cid b)
	setup_bundle sleep 100
	create_quiet "$a"
	create_quiet "$b"
	husk start "$b"
	run_husk list
	assert_success
	assert_line_matches '^ID +PID +STATUS +BUNDLE'
	assert_line_matches "^$a +[0-9]+ +created +$BUNDLE "
	assert_line_matches "^$b +[0-9]+ +running +$BUNDLE "
	run_husk list -q
	assert_success
	[[ "$(sort <<<"$output")" == "$(printf '%s\n%s' "$a" "$b" | sort)" ]]
	run_husk list --format json
	assert_success
	[[ "$(jq -r --arg id "$a" '.[] | select(.id == $id) | .status' <<<"$output")" == created ]]
	[[ "$(jq -r --arg id "$b" '.[] | select(.id == $id) | .status' <<<"$output")" == running ]]
	[[ "$(jq -r --arg id "$b" '.[] | select(.id == $id) | .pid' <<<"$output")" == \
		"$(husk state "$b" | jq .pid)" ]]
	[[ "$(jq length <<<"$output")" -eq 2 ]]
}

@test "list: an empty or missing root lists nothing" {
	run_husk list -q
	assert_success
	assert_output_equals ""
	run_husk list --format json
	assert_success
	[[ "$(jq length <<<"$output")" -eq 0 ]]
}

@test "ps: table and json list the host pids, including the init" {
	local id pid
	id=$(cid)
	setup_bundle
	set_args sh -c 'sleep 100 & wait'
	create_quiet "$id" --pid-file "$BATS_TEST_TMPDIR/pid"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	husk start "$id"
	wait_for has_processes "$id" 2
	run_husk ps --format json "$id"
	assert_success
	[[ "$(jq -r 'type' <<<"$output")" == array ]]
	[[ "$(jq --argjson p "$pid" 'index($p) != null' <<<"$output")" == true ]]
	for p in $(jq '.[]' <<<"$output"); do
		[[ -d "/proc/$p" ]] || fail "pid $p is not a host pid"
	done
	# runc's table: ps -ef filtered to the container's processes
	run_husk ps "$id"
	assert_success
	assert_line_matches '^UID +PID +PPID +C +STIME +TTY +TIME +CMD$'
	assert_line_matches "^root +$pid +[0-9]+ .* sh -c sleep 100 & wait$"
	assert_line_matches '^root +[0-9]+ +'"$pid"' .* sleep 100$'
	[[ "${#lines[@]}" -eq 3 ]] || fail "expected the header and two processes"
}

@test "create: a missing bind source rolls everything back, with the cause" {
	local id
	id=$(cid)
	setup_bundle true
	cfg --arg d "$BATS_TEST_TMPDIR/no-such-dir" \
		'.mounts += [{"source": $d, "destination": "/mnt", "options": ["bind"]}]'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "no-such-dir"
	assert_output_contains "No such file or directory"
	no_trace "$id"
}

@test "create: args[0] not found rolls everything back, with the cause" {
	local id
	id=$(cid)
	setup_bundle no-such-program
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains 'exec: "no-such-program": executable file not found in $PATH'
	no_trace "$id"
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "executable file not found in \$PATH"
	no_trace "$id"
}

@test "create: an invalid id is refused before anything is made" {
	setup_bundle true
	run_husk create --bundle "$BUNDLE" "../escape"
	assert_failure
	assert_output_contains "invalid container id"
	[[ ! -e "$BATS_TEST_TMPDIR/escape" ]]
	run_husk create --bundle "$BUNDLE" "a/b"
	assert_failure
	assert_output_contains "invalid container id"
}

@test "a container that exits on its own is stopped, and delete cleans it" {
	local id
	id=$(cid)
	setup_bundle probe exit 0
	create_quiet "$id"
	husk start "$id"
	wait_for_status "$id" stopped
	run_husk delete "$id"
	assert_success
	no_trace "$id"
}

@test "start: an exec failure after create is start's error, and the container is stopped" {
	local id
	id=$(cid)
	setup_bundle myprog exit 0
	cp "$BUNDLE/rootfs/bin/probe" "$BUNDLE/rootfs/bin/myprog"
	create_quiet "$id"
	rm "$BUNDLE/rootfs/bin/myprog"
	run_husk start "$id"
	assert_failure
	assert_output_contains "/bin/myprog"
	assert_output_contains "no such file or directory" # runc's lower-case errno text
	wait_for_status "$id" stopped
	husk delete "$id"
	no_trace "$id"
}

@test "start: a created container whose init was killed is stopped and cannot start" {
	local id pid
	id=$(cid)
	setup_bundle sleep 100
	create_quiet "$id" --pid-file "$BATS_TEST_TMPDIR/pid"
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	kill -KILL "$pid"
	wait_for_status "$id" stopped
	run_husk start "$id"
	assert_failure
	assert_output_contains "stopped"
	husk delete "$id"
	no_trace "$id"
}

@test "create --cgroup-manager disabled: ps lists the init, delete cleans up" {
	local id pid
	id=$(cid)
	setup_bundle sleep 100
	husk --cgroup-manager disabled create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$id" \
		>/dev/null 2>&1 3>&-
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	husk start "$id"
	[[ "$(husk ps --format json "$id" | jq -c .)" == "[$pid]" ]]
	husk delete --force "$id"
	no_trace "$id"
}

@test "a create killed midway: delete --force removes what is left, and the id is free again" {
	local id cpid hpid
	id=$(cid)
	setup_bundle true
	printf '#!/bin/sh\necho $$ >%s/hook.pid\nexec sleep 100\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/hook"
	chmod +x "$BATS_TEST_TMPDIR/hook"
	cfg --arg p "$BATS_TEST_TMPDIR/hook" '.hooks.prestart = [{"path": $p}]'
	# create notes the cgroup path before making the cgroup: delete --force finds it without state.json
	cfg --arg c "/midway-$id" '.linux.cgroupsPath = $c'
	"$HUSK" --root "$HUSK_TEST_ROOT" create --bundle "$BUNDLE" "$id" \
		>/dev/null 2>&1 3>&- &
	cpid=$!
	wait_for test -s "$BATS_TEST_TMPDIR/hook.pid"
	hpid=$(cat "$BATS_TEST_TMPDIR/hook.pid")
	kill -KILL "$cpid"
	wait "$cpid" || true
	kill -KILL "$hpid"
	[[ -d "$HUSK_TEST_ROOT/$id" ]]
	run_husk state "$id"
	assert_failure
	assert_output_contains "state was lost"
	run_husk delete "$id"
	assert_failure
	run_husk delete --force "$id"
	assert_success
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]] || fail "delete --force left the state directory"
	[[ ! -e "/sys/fs/cgroup/pids/midway-$id" ]] || fail "delete --force left the cgroup"
	cfg 'del(.hooks)'
	husk create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 3>&-
	[[ "$(husk_status "$id")" == created ]]
}

@test "create: a pid file that cannot be written rolls everything back" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	run_husk create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/no-such-dir/pid" "$id"
	assert_failure
	assert_output_contains "no-such-dir"
	no_trace "$id"
}

@test "create: a relative pid file is relative to the cwd" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	cd "$BATS_TEST_TMPDIR"
	husk create --bundle "$BUNDLE" --pid-file rel.pid "$id" >/dev/null 2>&1 3>&-
	cd /
	[[ "$(cat "$BATS_TEST_TMPDIR/rel.pid")" == "$(husk state "$id" | jq .pid)" ]]
}

@test "a damaged state.json: state fails clearly, delete --force kills the init and removes everything" {
	local id pid
	id=$(cid)
	setup_bundle /bin/probe sleep 100
	create_quiet "$id"
	pid=$(husk state "$id" | jq .pid)
	printf '{"id":"%s",' "$id" >"$HUSK_TEST_ROOT/$id/state.json"
	run_husk state "$id"
	assert_failure
	assert_output_contains "damaged state"
	run_husk delete "$id"
	assert_failure
	run_husk delete --force "$id"
	assert_success
	assert_output_contains "damaged state"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]] || fail "delete --force left the state directory"
	[[ ! -d /sys/fs/cgroup/pids/$id ]] || fail "delete --force left the cgroup"
	wait_for exited "$pid"
}
