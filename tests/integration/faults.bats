#!/usr/bin/env bats
# Crash tests: husk killed with SIGKILL at every step of create, start, exec and delete. The steps are
# the fault_point("...") calls in runtime/; build-fault/husk (-DHUSK_FAULT_INJECTION=ON, built by
# tests/run-all.sh) dies at the step HUSK_FAULT names, exactly as `kill -9` at that instant would.
# After each fault: `state` tells the truth (an error naming the lost state, or a status that matches
# the live processes), `delete --force` succeeds, and nothing is left: no state directory, cgroup,
# mount or process (husk_check_leaks). A new step in the code is covered without editing this file.
# shellcheck disable=SC2016 # jq programs are single-quoted on purpose

load helpers

HUSK_FAULTY=${HUSK_FAULTY:-$HUSK_SRC_DIR/build-fault/husk}

setup_file() {
	husk_rootfs_cache
}

setup() {
	[[ -x "$HUSK_FAULTY" ]] || fail "no fault-injection build at $HUSK_FAULTY: cmake -S . -B build-fault -DHUSK_FAULT_INJECTION=ON"
}

teardown() {
	husk_teardown
}

# steps PREFIX...: the fault points whose name starts with one of the PREFIXes, from the source.
steps() {
	local p
	for p in "$@"; do
		grep -rhoE "fault_point\\(\"$p[^\"]*\"\\)" "$HUSK_SRC_DIR/runtime" | sed -E 's/.*\("([^"]+)"\)/\1/'
	done | sort -u
}

# faulty STEP ARGS...: the fault-injection husk with this test's --root, killed at STEP.
faulty() {
	HUSK_FAULT=$1 "$HUSK_FAULTY" --root "$HUSK_TEST_ROOT" "${@:2}"
}

# A bundle that reaches every step: a user namespace (create.maps), a prestart hook (create.hooks), a
# memory limit, a cgroup path of its own (so delete --force must learn it without state.json), and a
# long-running program to exec into.
fault_bundle() {
	setup_bundle sleep 1000
	husk_allow_mapped_root
	printf '#!/bin/sh\ntrue\n' >"$BATS_TEST_TMPDIR/hook"
	chmod +x "$BATS_TEST_TMPDIR/hook"
	cfg --arg h "$BATS_TEST_TMPDIR/hook" '
		.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.resources.memory.limit = 67108864 |
		.hooks.prestart = [{"path": $h}]'
}

# check_truth ID: `state` is an error that says the state is gone, or a status the processes confirm.
check_truth() {
	local id=$1 st pid
	run "$HUSK" --root "$HUSK_TEST_ROOT" state "$id"
	if [[ "$status" -ne 0 ]]; then
		[[ "$output" == *"being created or its state was lost"* || "$output" == *"does not exist"* ||
			"$output" == *"damaged state"* ]] ||
			fail "$STEP: state failed without saying why the state is missing"
		return
	fi
	st=$(jq -r .status <<<"$output")
	pid=$(jq -r .pid <<<"$output")
	case $st in
	stopped) wait_for no_container_process || fail "$STEP: state says stopped, but a process of the container lives" ;;
	created | running | paused) [[ -e /proc/$pid ]] || fail "$STEP: state says $st, but pid $pid is gone" ;;
	*) fail "$STEP: unexpected status '$st'" ;;
	esac
}

# no_container_process: nothing runs in this test's rootfs (one container at a time in these loops).
no_container_process() {
	[[ -z "$(_husk_leaked_pids "$BATS_TEST_TMPDIR")" ]]
}

# clean ID: delete --force succeeds and nothing of the container is left.
clean() {
	local id=$1
	run "$HUSK" --root "$HUSK_TEST_ROOT" delete --force "$id"
	[[ "$status" -eq 0 ]] || fail "$STEP: delete --force failed"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]] || fail "$STEP: delete --force left the state directory"
	husk_check_leaks || fail "$STEP: leaks after delete --force"
}

@test "faults: the switch is compiled into build-fault/husk only" {
	local n
	n=$(steps create start exec delete init | wc -l)
	[[ "$n" -ge 20 ]] || fail "only $n fault points found"
	# the release binary ignores the variable
	setup_bundle true
	run env HUSK_FAULT=create.state-dir "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid)"
	assert_success
	run env HUSK_FAULT=create.state-dir "$HUSK_FAULTY" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid b)"
	assert_status 137
	run_husk delete --force "$(cid b)"
	assert_success
}

@test "faults: kill -9 at every step of create (and of the init before it is ready)" {
	local id n=0
	fault_bundle
	for STEP in $(steps create. init.filesystem init.ready); do
		id=$(cid "$STEP")
		cfg --arg c "/fault-$id" '.linux.cgroupsPath = $c'
		run faulty "$STEP" create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$id" 3>&-
		[[ "$status" -ne 0 ]] || fail "$STEP: create succeeded"
		check_truth "$id"
		clean "$id"
		n=$((n + 1))
	done
	echo "# $n create steps" >&3
	# and the id is usable again after all that
	id=$(cid again)
	husk create --bundle "$BUNDLE" "$id" 3>&-
	[[ "$(husk_status "$id")" == created ]]
}

@test "faults: a create killed after ready leaves no process behind, its record never committed" {
	local id
	fault_bundle
	STEP=create.ready
	id=$(cid)
	run faulty "$STEP" create --bundle "$BUNDLE" "$id" 3>&-
	assert_status 137
	# the init learns that the create died from the end of the sync socket and exits: nothing with
	# this rootfs may still run (state.json, written while the init built its rootfs, names a dead
	# process), and delete removes the rest
	wait_for bash -c "! pgrep -f 'sleep 1000' | xargs -r -I{} readlink /proc/{}/root | grep -q '$BUNDLE'"
	clean "$id"
}

@test "faults: kill -9 at every step of start" {
	local id
	fault_bundle
	for STEP in $(steps start. init.started); do
		id=$(cid "$STEP")
		if [[ "$STEP" == init.* ]]; then
			# the init inherits create's environment
			faulty "$STEP" create --bundle "$BUNDLE" "$id" 3>&- >/dev/null 2>&1
		else
			husk create --bundle "$BUNDLE" "$id" 3>&- >/dev/null 2>&1
		fi
		run faulty "$STEP" start "$id"
		check_truth "$id"
		clean "$id"
	done
}

@test "faults: kill -9 at every step of exec" {
	local id
	fault_bundle
	id=$(cid)
	husk run --detach --bundle "$BUNDLE" "$id" 3>&- >/dev/null 2>&1
	for STEP in $(steps exec.); do
		# the exec'd program lets go of bats' pipe: a husk killed after the start leaves it running
		run faulty "$STEP" exec "$id" sh -c 'exec sleep 999 >/dev/null 2>&1'
		[[ "$status" -eq 137 ]] || fail "$STEP: exec was not killed"
		check_truth "$id"
		[[ "$(husk_status "$id")" == running ]] || fail "$STEP: the container is no longer running"
		# the exec'd process, if it got that far, belongs to the container and goes with it
	done
	STEP=after-exec
	clean "$id"
}

@test "faults: kill -9 at every step of delete, then delete --force finishes the job" {
	local id
	fault_bundle
	for STEP in $(steps delete.); do
		id=$(cid "$STEP")
		husk run --detach --bundle "$BUNDLE" "$id" 3>&- >/dev/null 2>&1
		run faulty "$STEP" delete --force "$id"
		assert_status 137
		check_truth "$id"
		clean "$id"
	done
}

@test "faults: a killed create does not disturb another container" {
	local other id
	fault_bundle
	other=$(cid other)
	husk run --detach --bundle "$BUNDLE" "$other" 3>&- >/dev/null 2>&1
	for STEP in create.cgroup create.ready create.state-written; do
		id=$(cid "$STEP")
		run faulty "$STEP" create --bundle "$BUNDLE" "$id" 3>&-
		run_husk delete --force "$id"
		assert_success
	done
	[[ "$(husk_status "$other")" == running ]]
	run_husk exec "$other" true
	assert_success
}
