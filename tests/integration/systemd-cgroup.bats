#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup, cgroupsPath "slice:prefix:name"), checked against the real
# systemd: the scope unit and its properties as systemctl shows them, the limits from inside, every
# lifecycle verb, and that nothing is left in systemctl list-units afterwards. Needs systemd as PID 1 and
# the unified cgroup v2 hierarchy: the Debian 12 guest of tests/vm (tests/vm/run.sh bats
# tests/integration/systemd-cgroup.bats; the VM stage runs it). Elsewhere every test skips and says why;
# cli.bats checks the refusal on a host without systemd.

# shellcheck disable=SC2016 # the $names in single quotes are jq's variables

load helpers
bats_require_minimum_version 1.5.0

MIB=$((1024 * 1024))

setup() {
	[[ -d /run/systemd/system ]] || skip "needs systemd as PID 1 (tests/vm/run.sh boots such a host)"
	[[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]] || skip "needs the unified cgroup v2 hierarchy"
	SLICES=()
}

teardown() {
	husk_teardown
	local s
	for s in "${SLICES[@]}"; do
		systemctl stop "$s" >/dev/null 2>&1
	done
}

# no_unit ID: systemd knows no unit whose name holds ID (loaded, failed or otherwise).
no_unit() {
	run systemctl list-units --all --no-legend --plain
	refute_output_contains "$1"
}

sd_prop() {
	systemctl show "$1" -p "$2" --value
}

# detached HUSK-ARGS...: a husk command that leaves a process running (run -d, create, exec -d), its
# output in a file: the process keeps the descriptors it inherits, and bats would wait for them to close.
detached() {
	local out=$BATS_TEST_TMPDIR/detached.out
	husk "$@" >"$out" 2>&1 3>&- || fail "husk $*: $(cat "$out")"
}

@test "systemd driver: run in system.slice:husk:ID makes husk-ID.scope with the limits; delete removes the unit" {
	local id pid unit
	id=$(cid)
	unit=husk-$id.scope
	setup_bundle probe sleep 1000
	cfg --arg p "system.slice:husk:$id" --argjson m $((64 * MIB)) \
		'.linux.cgroupsPath = $p | .linux.resources.memory.limit = $m | .linux.resources.pids.limit = 20'
	detached --systemd-cgroup run -d --bundle "$BUNDLE" "$id"
	pid=$(husk state "$id" | jq -r .pid)
	# systemd made the scope, in the slice, delegated, with the properties it knows
	[[ "$(sd_prop "$unit" ActiveState)" == active ]] || fail "$unit is not active"
	[[ "$(sd_prop "$unit" MemoryMax)" == $((64 * MIB)) ]] || fail "MemoryMax: $(sd_prop "$unit" MemoryMax)"
	[[ "$(sd_prop "$unit" TasksMax)" == 20 ]] || fail "TasksMax: $(sd_prop "$unit" TasksMax)"
	[[ "$(sd_prop "$unit" Delegate)" == yes ]] || fail "Delegate: $(sd_prop "$unit" Delegate)"
	[[ "$(sd_prop "$unit" Slice)" == system.slice ]] || fail "Slice: $(sd_prop "$unit" Slice)"
	# the init is in the scope's cgroup, and the files hold the limits
	[[ "$(cat "/proc/$pid/cgroup")" == "0::/system.slice/$unit" ]] || fail "init cgroup: $(cat "/proc/$pid/cgroup")"
	[[ "$(cat "/sys/fs/cgroup/system.slice/$unit/memory.max")" == $((64 * MIB)) ]] || fail "memory.max"
	# later verbs need no flag: the driver is in the state
	run_husk kill "$id" KILL
	assert_success
	wait_for_status "$id" stopped
	run_husk delete "$id"
	assert_success
	no_unit "$id"
	[[ ! -e "/sys/fs/cgroup/system.slice/$unit" ]] || fail "the scope's cgroup is left"
}

# runc's auxiliary properties: org.systemd.property.NAME annotations in GVariant text, set on the scope
# after husk's own (so they win); ...Sec in seconds becomes ...USec.
@test "systemd driver: org.systemd.property.* annotations set the scope's properties; a refused one leaves no unit" {
	local id unit
	id=$(cid)
	unit=husk-$id.scope
	setup_bundle probe sleep 1000
	cfg --arg p "system.slice:husk:$id" '.linux.cgroupsPath = $p | .annotations = {
		"org.systemd.property.TimeoutStopUSec": "uint64 123456789",
		"org.systemd.property.CollectMode": "\u0027inactive-or-failed\u0027",
		"org.systemd.property.RuntimeMaxSec": "3600",
		"org.systemd.property.SendSIGHUP": "true",
		"org.systemd.property.KillSignal": "15",
		"org.systemd.property.After": "[\u0027husk-test-after.service\u0027, \u0027husk-test-other.service\u0027]"}'
	detached --systemd-cgroup run -d --bundle "$BUNDLE" "$id"
	[[ "$(sd_prop "$unit" TimeoutStopUSec)" == "2min 3.456789s" ]] || fail "TimeoutStopUSec: $(sd_prop "$unit" TimeoutStopUSec)"
	[[ "$(sd_prop "$unit" CollectMode)" == inactive-or-failed ]] || fail "CollectMode: $(sd_prop "$unit" CollectMode)"
	[[ "$(sd_prop "$unit" RuntimeMaxUSec)" == 1h ]] || fail "RuntimeMaxUSec: $(sd_prop "$unit" RuntimeMaxUSec)"
	[[ "$(sd_prop "$unit" SendSIGHUP)" == yes ]] || fail "SendSIGHUP: $(sd_prop "$unit" SendSIGHUP)"
	[[ "$(sd_prop "$unit" KillSignal)" == 15 ]] || fail "KillSignal: $(sd_prop "$unit" KillSignal)"
	[[ " $(sd_prop "$unit" After) " == *" husk-test-after.service "* ]] || fail "After: $(sd_prop "$unit" After)"
	[[ " $(sd_prop "$unit" After) " == *" husk-test-other.service "* ]] || fail "After: $(sd_prop "$unit" After)"
	[[ "$(sd_prop "$unit" Delegate)" == yes ]] || fail "Delegate: $(sd_prop "$unit" Delegate)"
	run_husk delete --force "$id"
	assert_success
	no_unit "$id"
	# a property systemd does not take on a scope: its refusal, and the create is rolled back
	id=$(cid b)
	cfg --arg p "system.slice:husk:$id" '.linux.cgroupsPath = $p
		| .annotations = {"org.systemd.property.NoSuchProperty": "true"}'
	run_husk --systemd-cgroup create --bundle "$BUNDLE" "$id"
	assert_status 1
	assert_output_contains "NoSuchProperty"
	echo "# systemd's refusal: $output" >&3
	no_unit "$id"
	[[ ! -e "/sys/fs/cgroup/system.slice/husk-$id.scope" ]] || fail "the scope's cgroup is left"
	run_husk list -q
	refute_output_contains "$id"
}

@test "systemd driver: the limits hold from inside (memory OOM-kills, pids stops forks)" {
	local id
	id=$(cid)
	setup_bundle sh -c 'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; probe fork 20; probe alloc 100'
	cfg --arg p "system.slice:husk:$id" --argjson m $((32 * MIB)) \
		'.linux.cgroupsPath = $p | .linux.resources.memory.limit = $m | .linux.resources.memory.swap = $m | .linux.resources.pids.limit = 12'
	run_husk --systemd-cgroup run --bundle "$BUNDLE" "$id"
	# the shell is OOM-killed with its allocation: 128 + SIGKILL
	assert_status 137
	assert_line_matches "^$((32 * MIB))\$"
	assert_line_matches '^12$'
	assert_line_matches '^failed: Resource temporarily unavailable$'
	refute_output_contains "allocated 99"
	no_unit "$id"
}

@test "systemd driver: pause, resume, update, exec, ps, events, kill --all, with or without the flag repeated" {
	local id unit cg
	id=$(cid)
	unit=husk-$id.scope
	cg=/sys/fs/cgroup/system.slice/$unit
	setup_bundle probe sleep 1000
	cfg --arg p "system.slice:husk:$id" --argjson m $((64 * MIB)) \
		'.linux.cgroupsPath = $p | .linux.resources.memory.limit = $m'
	detached --systemd-cgroup create --bundle "$BUNDLE" "$id"
	run_husk --systemd-cgroup start "$id"
	assert_success
	run_husk pause "$id"
	assert_success
	[[ "$(husk_status "$id")" == paused && "$(cat "$cg/cgroup.freeze")" == 1 ]] || fail "not frozen"
	run_husk --systemd-cgroup resume "$id"
	assert_success
	[[ "$(husk_status "$id")" == running && "$(cat "$cg/cgroup.freeze")" == 0 ]] || fail "not thawed"
	# update goes to systemd (so a daemon-reload keeps it) and to the files
	run_husk --systemd-cgroup update --memory $((128 * MIB)) --pids-limit 30 "$id"
	assert_success
	[[ "$(sd_prop "$unit" MemoryMax)" == $((128 * MIB)) ]] || fail "MemoryMax: $(sd_prop "$unit" MemoryMax)"
	[[ "$(sd_prop "$unit" TasksMax)" == 30 ]] || fail "TasksMax: $(sd_prop "$unit" TasksMax)"
	[[ "$(cat "$cg/memory.max")" == $((128 * MIB)) && "$(cat "$cg/pids.max")" == 30 ]] || fail "files"
	# exec joins the scope's cgroup
	run_husk exec "$id" sh -c 'cat /sys/fs/cgroup/memory.max'
	assert_success
	assert_output_equals $((128 * MIB))
	detached exec -d "$id" probe sleep 1000
	run_husk ps --format json "$id"
	assert_success
	[[ "$(jq length <<<"$output")" == 2 ]] || fail "ps: $output"
	[[ "$(wc -l <"$cg/cgroup.procs")" == 2 ]] || fail "not both in the scope: $(cat "$cg/cgroup.procs")"
	run_husk events --stats "$id"
	assert_success
	[[ "$(jq .data.pids.current <<<"$output")" == 2 ]] || fail "events: $output"
	[[ "$(jq .data.memory.usage.limit <<<"$output")" == $((128 * MIB)) ]] || fail "events: $output"
	run_husk --systemd-cgroup kill --all "$id" KILL
	assert_success
	wait_for_status "$id" stopped
	run_husk --systemd-cgroup delete "$id"
	assert_success
	no_unit "$id"
}

@test "systemd driver: a slice that does not exist is made, nested by dashes; '-' is the root slice" {
	local id id2 pid slice
	id=$(cid a)
	id2=$(cid b)
	slice=husktest-n$$.slice
	SLICES=("$slice" husktest.slice)
	setup_bundle probe sleep 1000
	cfg --arg p "$slice:p:$id" '.linux.cgroupsPath = $p'
	detached --systemd-cgroup run -d --bundle "$BUNDLE" "$id"
	pid=$(husk state "$id" | jq -r .pid)
	[[ "$(cat "/proc/$pid/cgroup")" == "0::/husktest.slice/$slice/p-$id.scope" ]] ||
		fail "cgroup: $(cat "/proc/$pid/cgroup")"
	[[ "$(sd_prop "$slice" ActiveState)" == active ]] || fail "$slice is not active"
	cfg --arg p "-:p:$id2" '.linux.cgroupsPath = $p'
	detached --systemd-cgroup run -d --bundle "$BUNDLE" "$id2"
	pid=$(husk state "$id2" | jq -r .pid)
	[[ "$(cat "/proc/$pid/cgroup")" == "0::/p-$id2.scope" ]] || fail "cgroup: $(cat "/proc/$pid/cgroup")"
	run_husk delete --force "$id"
	assert_success
	run_husk delete --force "$id2"
	assert_success
	no_unit "$id"
	no_unit "$id2"
}

@test "systemd driver: an empty cgroupsPath is runc's :runc:ID (system.slice/runc-ID.scope)" {
	local id pid
	id=$(cid)
	setup_bundle probe sleep 1000
	cfg 'del(.linux.cgroupsPath)'
	detached --systemd-cgroup run -d --bundle "$BUNDLE" "$id"
	pid=$(husk state "$id" | jq -r .pid)
	[[ "$(cat "/proc/$pid/cgroup")" == "0::/system.slice/runc-$id.scope" ]] || fail "cgroup: $(cat "/proc/$pid/cgroup")"
	run_husk delete --force "$id"
	assert_success
	no_unit "$id"
}

@test "systemd driver: a create that fails after the scope exists leaves no unit" {
	local id
	id=$(cid)
	setup_bundle probe sleep 1000
	# the createRuntime hook runs once the init is in the scope; its failure rolls everything back
	cfg --arg p "system.slice:husk:$id" \
		'.linux.cgroupsPath = $p | .hooks.createRuntime = [{"path": "/bin/false"}]'
	run_husk --systemd-cgroup create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "createRuntime"
	no_unit "$id"
	[[ ! -e "/sys/fs/cgroup/system.slice/husk-$id.scope" ]] || fail "the scope's cgroup is left"
	run_husk list -q
	refute_output_contains "$id"
}

@test "systemd driver: delete --force after a create killed with SIGKILL finds and stops the unit" {
	local id unit pid i
	id=$(cid)
	unit=husk-$id.scope
	setup_bundle probe sleep 1000
	# the hook joins the scope and waits: husk create is killed there, after the unit exists and before
	# state.json does, and the hook keeps the scope alive
	cfg --arg p "system.slice:husk:$id" --arg cg "/sys/fs/cgroup/system.slice/$unit/cgroup.procs" \
		'.linux.cgroupsPath = $p | .hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", ("echo $$ > " + $cg + "; exec sleep 1000")]}]'
	# husk itself in the background (not the helper function's subshell): that is the process to kill
	"$HUSK" --root "$HUSK_TEST_ROOT" --systemd-cgroup create --bundle "$BUNDLE" "$id" >/dev/null 2>&1 3>&- &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ "$(wc -l <"/sys/fs/cgroup/system.slice/$unit/cgroup.procs" 2>/dev/null)" -ge 2 ]] && break
		sleep 0.1
	done
	kill -KILL "$pid"
	wait "$pid" 2>/dev/null || true
	[[ "$(sd_prop "$unit" ActiveState)" == active ]] || fail "expected $unit active after the killed create"
	run_husk delete --force "$id"
	assert_success
	no_unit "$id"
	[[ ! -e "/sys/fs/cgroup/system.slice/$unit" ]] || fail "the scope's cgroup is left"
}

@test "systemd driver: a second container asking for an active scope's name gets systemd's refusal; the first runs on" {
	local id id2 unit pid
	id=$(cid a)
	id2=$(cid b)
	unit=husk-dup$$.scope
	setup_bundle probe sleep 1000
	cfg --arg p "system.slice:husk:dup$$" '.linux.cgroupsPath = $p'
	detached --systemd-cgroup run -d --bundle "$BUNDLE" "$id"
	pid=$(husk state "$id" | jq -r .pid)
	run_husk --systemd-cgroup run -d --bundle "$BUNDLE" "$id2"
	assert_failure
	# systemd 252's words for its UnitExists error
	assert_output_contains "start unit '$unit' in 'system.slice': Unit $unit was already loaded or has a fragment file"
	# the refused create stopped nothing and killed nothing of the other container's
	[[ "$(sd_prop "$unit" ActiveState)" == active ]] || fail "$unit is $(sd_prop "$unit" ActiveState)"
	[[ -e /proc/$pid && "$(husk_status "$id")" == running ]] || fail "the first container is $(husk_status "$id")"
	[[ "$(cat "/sys/fs/cgroup/system.slice/$unit/cgroup.procs")" == "$pid" ]] ||
		fail "the scope holds: $(cat "/sys/fs/cgroup/system.slice/$unit/cgroup.procs")"
	run_husk state "$id2"
	assert_failure
	run_husk delete --force "$id"
	assert_success
	no_unit "dup$$"
}

@test "systemd driver: a systemd that never answers gives husk's timeout error, and the create leaves nothing" {
	local id bin=$BATS_TEST_TMPDIR/bin
	id=$(cid)
	# husk runs the husk-systemd next to its own binary: a copy of husk beside a helper that hangs on
	# start (as a wedged systemd would) and answers the rollback's stop
	mkdir -p "$bin"
	cp "$HUSK" "$bin/husk"
	printf '#!/bin/sh\ncase "$1" in start) exec sleep 67 ;; esac\necho ok\n' >"$bin/husk-systemd"
	chmod 755 "$bin/husk-systemd"
	setup_bundle probe sleep 1000
	cfg --arg p "system.slice:husk:$id" '.linux.cgroupsPath = $p'
	run "$bin/husk" --root "$HUSK_TEST_ROOT" --systemd-cgroup run -d --bundle "$BUNDLE" "$id" 3>&-
	assert_failure
	assert_output_contains "systemd did not answer within 12 s (husk-systemd start husk-$id.scope"
	run_husk state "$id"
	assert_failure
	run pgrep -fx "sleep 67"
	assert_failure
	run pgrep -f "probe sleep 1000"
	assert_failure
	no_unit "$id"
}
