#!/usr/bin/env bats
# OCI hooks: each of the six kinds at its point of the lifecycle with the state on stdin, their order,
# args and env, failures that abort (and roll back) or only warn, and timeouts.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

setup() {
	LOG_DIR=$BATS_TEST_TMPDIR/log
	LOG=$LOG_DIR/hooks.log
	mkdir -p "$LOG_DIR"
	JQ=$(command -v jq)
	# The host hook: "hook KIND" appends "KIND STATUS PID" from the state on stdin to the log. It gets no
	# environment from husk, so everything is spelled out.
	cat >"$BATS_TEST_TMPDIR/hook" <<-EOF
		#!/bin/bash
		state=\$(cat)
		echo "\$1 \$($JQ -r '"\(.status) \(.pid)"' <<<"\$state")" >>"$LOG"
		printf '%s\n' "\$state" >"$LOG_DIR/\$1.json"
		readlink /proc/self/ns/net >"$LOG_DIR/\$1.netns"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hook"
}

teardown() {
	husk_teardown
}

# hooks_bundle ARGS...: a bundle whose log directory is bind-mounted at /hooklog, and whose rootfs holds
# /bin/hook-in: the startContainer hook, which runs inside the container (busybox, no jq).
hooks_bundle() {
	setup_bundle
	set_args "$@"
	cfg --arg d "$LOG_DIR" '.mounts += [{"source": $d, "destination": "/hooklog", "options": ["bind"]}]'
	cat >"$BUNDLE/rootfs/bin/hook-in" <<-'EOF'
		#!/bin/sh
		state=$(cat)
		status=$(echo "$state" | sed -n 's/.*"status": *"\([a-z]*\)".*/\1/p')
		pid=$(echo "$state" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
		echo "$1 $status $pid" >>/hooklog/hooks.log
	EOF
	chmod +x "$BUNDLE/rootfs/bin/hook-in"
}

# add_hook KIND [JSON_FIELDS]: a hook of KIND running the host hook (the in-container one for
# startContainer), with extra fields such as '"timeout": 1'.
add_hook() {
	local kind=$1 extra=${2:-} path=$BATS_TEST_TMPDIR/hook
	[[ "$kind" != startContainer ]] || path=/bin/hook-in
	cfg --arg k "$kind" --arg p "$path" --argjson x "{${extra}}" \
		'.hooks[$k] += [{"path": $p, "args": ["hook", $k]} + $x]'
}

# failing_hook KIND CODE: a hook of KIND that exits CODE.
failing_hook() {
	local path
	if [[ "$1" == startContainer ]]; then
		path=/bin/hook-fail
		printf '#!/bin/sh\nexit %s\n' "$2" >"$BUNDLE/rootfs$path"
		chmod +x "$BUNDLE/rootfs$path"
	else
		path=$BATS_TEST_TMPDIR/hook-fail-$1
		printf '#!/bin/sh\necho failing hook output >&2\nexit %s\n' "$2" >"$path"
		chmod +x "$path"
	fi
	cfg --arg k "$1" --arg p "$path" '.hooks[$k] += [{"path": $p}]'
}

@test "run: the six kinds in order, each with the state of its moment" {
	local id k
	id=$(cid)
	hooks_bundle sh -c 'echo program >>/hooklog/hooks.log'
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		add_hook "$k"
	done
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	run cat "$LOG"
	# prestart and createRuntime: the host pid of the init; createContainer and startContainer run in
	# the container (pid 1 there). poststart may run after the program is done.
	[[ "${lines[0]}" =~ ^prestart\ creating\ [0-9]+$ ]] || fail "line 1"
	[[ "${lines[1]}" =~ ^createRuntime\ creating\ [0-9]+$ ]] || fail "line 2"
	[[ "${lines[2]}" == "createContainer creating 1" ]] || fail "line 3"
	[[ "${lines[3]}" == "startContainer created 1" ]] || fail "line 4"
	[[ "${lines[4]} ${lines[5]}" =~ ^(program\ poststart\ running\ [0-9]+|poststart\ running\ [0-9]+\ program)$ ]] ||
		fail "lines 5 and 6"
	[[ "${lines[6]}" == "poststop stopped 0" ]] || fail "line 7"
	[[ "${#lines[@]}" -eq 7 ]]
	[[ "${lines[0]##* }" == "${lines[1]##* }" && "${lines[0]##* }" -gt 1 ]]
}

@test "create and start: each hook runs in its own command" {
	local id pid
	id=$(cid)
	hooks_bundle sleep 100
	for k in prestart createRuntime createContainer startContainer poststart poststop; do
		add_hook "$k"
	done
	husk create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$id" >/dev/null 2>&1 3>&-
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	run cat "$LOG"
	assert_output_equals "prestart creating $pid
createRuntime creating $pid
createContainer creating 1"
	husk start "$id"
	run cat "$LOG"
	[[ "${lines[3]}" == "startContainer created 1" ]]
	[[ "${lines[4]}" == "poststart running $pid" ]]
	[[ "${#lines[@]}" -eq 5 ]]
	husk kill "$id" KILL
	wait_for_status "$id" stopped
	[[ "$(wc -l <"$LOG")" -eq 5 ]] || fail "poststop ran before delete"
	husk delete "$id"
	[[ "$(tail -n 1 "$LOG")" == "poststop stopped 0" ]]
}

@test "the state on stdin: id, bundle, annotations and ociVersion" {
	local id
	id=$(cid)
	hooks_bundle true
	cfg '.annotations = {"org.example/hooked": "yes"}'
	add_hook prestart
	add_hook poststop
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	for k in prestart poststop; do
		[[ "$(jq -r .id "$LOG_DIR/$k.json")" == "$id" ]]
		[[ "$(jq -r .bundle "$LOG_DIR/$k.json")" == "$BUNDLE" ]]
		[[ "$(jq -r '.annotations["org.example/hooked"]' "$LOG_DIR/$k.json")" == yes ]]
		[[ "$(jq -r .ociVersion "$LOG_DIR/$k.json")" == "$(jq -r .ociVersion "$BUNDLE/config.json")" ]]
	done
}

@test "prestart and createRuntime run in the host's namespaces, createContainer in the container's" {
	local id pid
	id=$(cid)
	hooks_bundle sleep 100
	add_hook prestart
	add_hook createRuntime
	add_hook createContainer
	husk create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$id" >/dev/null 2>&1 3>&-
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	[[ "$(cat "$LOG_DIR/prestart.netns")" == "$(readlink /proc/self/ns/net)" ]]
	[[ "$(cat "$LOG_DIR/createRuntime.netns")" == "$(readlink /proc/self/ns/net)" ]]
	[[ "$(cat "$LOG_DIR/createContainer.netns")" == "$(readlink "/proc/$pid/ns/net")" ]]
	[[ "$(readlink "/proc/$pid/ns/net")" != "$(readlink /proc/self/ns/net)" ]]
}

@test "args and env reach the hook, and only the config's env" {
	hooks_bundle true
	cat >"$BATS_TEST_TMPDIR/hook-env" <<-EOF
		#!/bin/bash
		cat >/dev/null
		{ echo "args: \$*"; env; } >"$LOG_DIR/env.out"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hook-env"
	cfg --arg p "$BATS_TEST_TMPDIR/hook-env" '.hooks.prestart = [{"path": $p,
		"args": ["ignored-argv0", "first", "second arg"], "env": ["HOOK_VAR=hook value", "OTHER=2"]}]'
	HUSK_LEAK_CHECK_VAR=leak run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	run cat "$LOG_DIR/env.out"
	assert_line_matches '^args: first second arg$'
	assert_line_matches '^HOOK_VAR=hook value$'
	assert_line_matches '^OTHER=2$'
	refute_output_contains HUSK_LEAK_CHECK_VAR
	refute_output_contains BATS_
}

@test "a hook without args gets its path as argv[0]" {
	hooks_bundle true
	cat >"$BATS_TEST_TMPDIR/hook-argv" <<-EOF
		#!/bin/bash
		cat >/dev/null
		echo "\$0 \$#" >"$LOG_DIR/argv.out"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hook-argv"
	cfg --arg p "$BATS_TEST_TMPDIR/hook-argv" '.hooks.prestart = [{"path": $p}]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(cat "$LOG_DIR/argv.out")" == "$BATS_TEST_TMPDIR/hook-argv 0" ]]
}

@test "several hooks of one kind run in config order" {
	hooks_bundle true
	cfg --arg p "$BATS_TEST_TMPDIR/hook" '.hooks.createRuntime = [{"path": $p, "args": ["hook", "first"]},
		{"path": $p, "args": ["hook", "second"]}, {"path": $p, "args": ["hook", "third"]}]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(cut -d' ' -f1 "$LOG" | paste -sd,)" == first,second,third ]]
}

@test "a failing prestart hook fails create and rolls back" {
	local id
	id=$(cid)
	hooks_bundle true
	add_hook createContainer
	failing_hook prestart 3
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "prestart hook"
	assert_output_contains "exit status 3"
	no_trace "$id"
	[[ ! -e "$LOG" ]] || fail "a hook after the failing one ran"
}

@test "a failing createRuntime hook fails create and rolls back" {
	local id
	id=$(cid)
	hooks_bundle true
	add_hook prestart
	failing_hook createRuntime 4
	add_hook poststop
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "createRuntime hook"
	assert_output_contains "exit status 4"
	no_trace "$id"
	run cat "$LOG"
	assert_output_equals "${lines[0]}"
	[[ "${lines[0]}" == "prestart creating "* ]]
}

@test "a failing createContainer hook fails create and rolls back" {
	local id
	id=$(cid)
	hooks_bundle true
	failing_hook createContainer 5
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "createContainer hook"
	assert_output_contains "exit status 5"
	no_trace "$id"
}

@test "a failing startContainer hook fails run, the program never runs, nothing is left" {
	local id
	id=$(cid)
	hooks_bundle sh -c 'echo program >>/hooklog/hooks.log'
	failing_hook startContainer 6
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "startContainer hook"
	assert_output_contains "exit status 6"
	no_trace "$id"
	[[ ! -e "$LOG" ]] || fail "the program ran"
}

@test "a failing startContainer hook fails start; the container is then stopped" {
	local id
	id=$(cid)
	hooks_bundle sh -c 'echo program >>/hooklog/hooks.log'
	failing_hook startContainer 7
	husk create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 3>&-
	run_husk start "$id"
	assert_failure
	assert_output_contains "exit status 7"
	wait_for_status "$id" stopped
	[[ ! -e "$LOG" ]] || fail "the program ran"
	husk delete "$id"
	no_trace "$id"
}

@test "a failing poststart hook is a warning, start succeeds" {
	local id
	id=$(cid)
	hooks_bundle sleep 100
	failing_hook poststart 8
	husk create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 3>&-
	run_husk start "$id"
	assert_success
	assert_output_contains "poststart hook"
	assert_output_contains ", ignoring"
	[[ "$(husk_status "$id")" == running ]]
}

@test "a failing poststop hook is a warning, delete succeeds" {
	local id
	id=$(cid)
	hooks_bundle true
	failing_hook poststop 9
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	assert_output_contains "poststop hook"
	assert_output_contains "exit status 9, ignoring"
	no_trace "$id"
}

@test "run: a poststop hook finds the container's mount namespace gone (run holds it while it waits)" {
	local id
	id=$(cid)
	hooks_bundle sh -c 'readlink /proc/self/ns/mnt >/hooklog/mntns'
	# the hook looks at husk (its parent) and husk's other children for a reference to the container's
	# mount namespace: run hands its own to a helper process until the init is reaped, which must have
	# let go before a poststop hook runs (the ids of dead namespaces are reused: only husk's are looked at)
	cat >"$BATS_TEST_TMPDIR/hook-ns" <<-EOF
		#!/bin/bash
		ns=\$(cat "$LOG_DIR/mntns")
		held=0
		for st in /proc/[0-9]*/status; do
			p=\${st%/status}
			[[ "\$p" == /proc/\$PPID ]] || grep -qx "PPid:[[:space:]]*\$PPID" "\$st" 2>/dev/null || continue
			for l in "\$p"/fd/* "\$p"/ns/mnt; do
				[[ "\$(readlink "\$l" 2>/dev/null)" != "\$ns" ]] || held=1
			done
		done
		echo "held=\$held" >"$LOG_DIR/poststop.ns"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hook-ns"
	cfg --arg p "$BATS_TEST_TMPDIR/hook-ns" '.hooks.poststop = [{"path": $p}]'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	[[ "$(cat "$LOG_DIR/mntns")" == mnt:* ]] || fail "the container did not report its mount namespace"
	[[ "$(cat "$LOG_DIR/poststop.ns")" == "held=0" ]] ||
		fail "the poststop hook ran while husk still held the container's mount namespace"
	no_trace "$id"
}

@test "a hook that does not exist fails create with the path" {
	local id
	id=$(cid)
	hooks_bundle true
	cfg --arg p "$BATS_TEST_TMPDIR/no-such-hook" '.hooks.createRuntime = [{"path": $p}]'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "no-such-hook"
	no_trace "$id"
}

@test "timeout: a hanging hook is killed and create fails" {
	local id pid
	id=$(cid)
	hooks_bundle true
	cat >"$BATS_TEST_TMPDIR/hook-hang" <<-EOF
		#!/bin/bash
		echo \$\$ >"$LOG_DIR/hang.pid"
		exec sleep 100
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hook-hang"
	cfg --arg p "$BATS_TEST_TMPDIR/hook-hang" '.hooks.prestart = [{"path": $p, "timeout": 1}]'
	SECONDS=0
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	((SECONDS < 5)) || fail "create took ${SECONDS}s"
	assert_output_contains "timed out after 1 s"
	pid=$(cat "$LOG_DIR/hang.pid")
	[[ ! -e "/proc/$pid" || "$(_husk_proc_stat "$pid" 0)" == Z ]] || fail "the hook is still running"
	no_trace "$id"
}

@test "timeout: a huge timeout (4294968 s, * 1000 wraps 32 bits to 704 ms) never cuts a hook short" {
	local id
	id=$(cid)
	hooks_bundle true
	printf '#!/bin/sh\nsleep 1.5\n' >"$BATS_TEST_TMPDIR/hook-slow"
	chmod +x "$BATS_TEST_TMPDIR/hook-slow"
	cfg --arg p "$BATS_TEST_TMPDIR/hook-slow" '.hooks.prestart = [{"path": $p, "timeout": 4294968}]'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	refute_output_contains "timed out"
	# the largest timeout accepted (runc takes any positive int) and one past it: a JSON path, no state
	cfg '.hooks.prestart[0].timeout = 2147483647'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	cfg '.hooks.prestart[0].timeout = 2147483648'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains ".hooks.prestart[0].timeout"
	no_trace "$id"
}

@test "timeout: a poststop hook that hangs is killed, delete still succeeds" {
	local id
	id=$(cid)
	hooks_bundle true
	printf '#!/bin/sh\nexec sleep 100\n' >"$BATS_TEST_TMPDIR/hook-hang"
	chmod +x "$BATS_TEST_TMPDIR/hook-hang"
	cfg --arg p "$BATS_TEST_TMPDIR/hook-hang" '.hooks.poststop = [{"path": $p, "timeout": 1}]'
	SECONDS=0
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	((SECONDS < 5)) || fail "run took ${SECONDS}s"
	assert_output_contains "timed out"
	no_trace "$id"
}

@test "a hook that does not read stdin does not break husk" {
	hooks_bundle true
	printf '#!/bin/sh\nexit 0\n' >"$BATS_TEST_TMPDIR/hook-noread"
	chmod +x "$BATS_TEST_TMPDIR/hook-noread"
	cfg --arg p "$BATS_TEST_TMPDIR/hook-noread" '.hooks.prestart = [{"path": $p}] |
		.annotations = {"big": ("x" * 200000)}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
}

@test "a startContainer hook leaves the program's signal dispositions alone" {
	hooks_bundle grep -E "^Sig(Ign|Blk):" /proc/self/status
	add_hook startContainer
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^SigIgn:[[:space:]]+0+$'
	assert_line_matches '^SigBlk:[[:space:]]+0+$'
}
