#!/usr/bin/env bats
# Attacks on the cgroup join of a v1 or hybrid host (docs/lifecycle.md, "Why the init joins by itself"): the
# parent opens `tasks` of every v1 hierarchy as the host's root and the init (or exec's process) writes "0"
# to each itself. A hostile container must never end up, even in part, outside its cgroup, run anything
# before the limits hold, or reach those host-root descriptors; a join that cannot be made fails the create
# clearly and leaves nothing.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose
# shellcheck disable=SC2030,SC2031 # bats runs a test and its teardown in the same subshell (KILL_PIDS, THAW)

load helpers

setup_file() {
	husk_rootfs_cache
}

teardown() {
	local pid f
	# a frozen parent first: its frozen processes can die only once thawed
	for f in "${THAW[@]}"; do
		[[ "$f" == */freezer.state ]] && echo THAWED >"$f" 2>/dev/null
		[[ "$f" == */cgroup.freeze ]] && echo 0 >"$f" 2>/dev/null
	done
	for pid in "${KILL_PIDS[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	# the test's own parent cgroups, before the leak check (empty unless a container is left in them)
	for f in "${RMDIRS[@]}"; do
		rmdir "$f" 2>/dev/null || true
	done
	husk_teardown
}

KILL_PIDS=()
THAW=()
RMDIRS=()

# v1_hierarchies: the mountpoints of the host's v1 hierarchies.
v1_hierarchies() {
	awk '$4 == "/" { for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup") print $5; break } }' \
		/proc/self/mountinfo
}

# need_v1: skip on a host without v1 hierarchies (the join through tasks is theirs).
need_v1() {
	[[ -n "$(v1_hierarchies)" ]] || skip "no cgroup v1 hierarchy: the join through tasks is v1's"
}

# need_rt_cpu: skip unless a v1 cpu hierarchy with RT group scheduling and chrt exist; sets cpu to that
# hierarchy's mountpoint (a new cpu cgroup there has no RT runtime: a SCHED_FIFO thread cannot join it).
need_rt_cpu() {
	need_v1
	cpu=$(awk '$4 == "/" && $0 ~ / - cgroup / && $0 ~ /[ ,]cpu[ ,]|[ ,]cpu$/ { print $5; exit }' /proc/self/mountinfo)
	[[ -n "$cpu" && -f "$cpu/cpu.rt_runtime_us" ]] || skip "no v1 cpu hierarchy with RT group scheduling"
	command -v chrt >/dev/null || skip "no chrt"
}

# all_in ID CGROUP_FILE...: each /proc/PID/cgroup (or task) file names the container's cgroup /ID in every
# hierarchy.
all_in() {
	local id=$1 f
	shift
	for f in "$@"; do
		! grep -v ":/$id\$" "$f" || fail "$f: not in /$id everywhere: $(cat "$f")"
	done
}

# create_refused ID TEXT [CMD...]: `[CMD...] husk create` of ID fails at once (within 20 s: the init never
# hangs frozen) with status 1 and an error containing TEXT, and leaves no container and no cgroup named
# ID. The output goes to a file: an init stuck in a frozen cgroup would hold a pipe of this test's open.
create_refused() {
	local id=$1 text=$2
	shift 2
	status=0
	timeout 20 "$@" "$HUSK" --root "$HUSK_TEST_ROOT" create --bundle "$BUNDLE" "$id" \
		</dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- || status=$?
	((status != 124)) || fail "create hung in the frozen cgroup"
	[[ $status -eq 1 ]] || fail "create: status $status: $(cat "$BATS_TEST_TMPDIR/out")"
	grep -qF "$text" "$BATS_TEST_TMPDIR/out" || fail "not the expected error: $(cat "$BATS_TEST_TMPDIR/out")"
	[[ -z "$(husk list -q)" ]] || fail "a container is left"
	[[ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "$id")" ]] ||
		fail "cgroups left: $(find /sys/fs/cgroup -mindepth 1 -maxdepth 3 -type d -name "$id")"
}

@test "a createContainer hook runs in the container's cgroup in every hierarchy, and what it leaves running dies with the container" {
	local id out=$BATS_TEST_TMPDIR/hook.cgroup secs=$((100000 + RANDOM)) pid
	need_v1
	id=$(cid)
	setup_bundle sleep 100
	cfg '.linux.resources.pids = {"limit": 50}'
	# the hook is the operator's, but it may run the image's code (ldconfig -r . loads its libraries); before
	# the fix the init joined only after it, so the hook and a daemon it started stayed in the host's cgroups
	# for good: no limit, and delete's kill (of what the cgroup holds) never reached them
	cfg --arg o "$out" --arg s "$secs" '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c",
		("cat /proc/self/cgroup >" + $o + "; sleep " + $s + " </dev/null >/dev/null 2>&1 & sleep 0.5")]}]'
	husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 3>&-
	# (the hook waits for its child to exec sleep: a child that has not exec'd when the hook returns has its
	# root moved into the container by pivot_root, and the host's sleep fails there: docs/lifecycle.md)
	pid=$(pgrep -xf "sleep $secs") || fail "the hook's process is not running"
	KILL_PIDS+=("$pid")
	all_in "$id" "$out" "/proc/$pid/cgroup"
	husk delete --force "$id"
	! kill -0 "$pid" 2>/dev/null || fail "the hook's process outlived the container"
}

@test "a new cgroup under a frozen v1 freezer parent: create fails at once naming freezer.state, and leaves nothing" {
	local id p fz=/sys/fs/cgroup/freezer h
	[[ -d $fz ]] || skip "no v1 freezer hierarchy"
	id=$(cid)
	p=/$id-p
	# the parent in every hierarchy, made here: husk's rollback removes only what it made, the leaf
	for h in $(v1_hierarchies) /sys/fs/cgroup/unified; do
		[[ ! -d "$h" || -d "$h$p" ]] || { mkdir "$h$p" && RMDIRS+=("$h$p"); }
	done
	THAW+=("$fz$p/freezer.state")
	echo FROZEN >"$fz$p/freezer.state"
	setup_bundle true
	cfg --arg p "$p/$id" '.linux.cgroupsPath = $p'
	# before the fix the init froze at its join (the freezer's tasks) and create waited for it forever
	create_refused "$id" "container's cgroup is frozen ('$fz$p/$id/freezer.state' reads FROZEN"
}

@test "a new cgroup under a frozen v2 parent (hybrid: the init is born there): create fails at once naming cgroup.events, and leaves nothing" {
	local id p v2=/sys/fs/cgroup/unified h
	[[ -f $v2/cgroup.controllers ]] || skip "hybrid host only (a v2 tree at $v2)"
	id=$(cid)
	p=/$id-p
	mkdir "$v2$p"
	RMDIRS+=("$v2$p")
	THAW+=("$v2$p/cgroup.freeze")
	echo 1 >"$v2$p/cgroup.freeze"
	# the v1 parents too, for the rollback: husk removes only what it made
	for h in $(v1_hierarchies); do
		[[ -d "$h$p" ]] || { mkdir "$h$p" && RMDIRS+=("$h$p"); }
	done
	setup_bundle true
	cfg --arg p "$p/$id" '.linux.cgroupsPath = $p'
	# before the fix the init was born frozen (CLONE_INTO_CGROUP) and create waited for it forever
	create_refused "$id" "container's cgroup is frozen ('$v2$p/$id/cgroup.events' says frozen 1"
}

@test "a join the kernel refuses (a real-time init, a cpu cgroup without RT runtime): create fails naming the tasks file, and leaves nothing" {
	local id cpu
	need_rt_cpu
	id=$(cid)
	setup_bundle true
	# a new cpu cgroup has cpu.rt_runtime_us 0: the kernel refuses a SCHED_FIFO thread (EINVAL), as it refuses
	# any task in a v1 cpuset without CPUs (ENOSPC). The init's own write fails; it must say which file
	create_refused "$id" "join cgroup: write '0' to '$cpu/$id/tasks': Invalid argument" chrt -f 1
	[[ -z "$(_husk_leaked_pids "$BATS_TEST_TMPDIR")" ]] || fail "a process is left"
}

@test "a join the kernel refuses, for exec (a real-time process, a cpu cgroup without RT runtime): exec fails naming the tasks file" {
	local id cpu
	need_rt_cpu
	id=$(cid)
	setup_bundle sleep 100
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 3>&-
	status=0
	chrt -f 1 "$HUSK" --root "$HUSK_TEST_ROOT" exec "$id" true </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- ||
		status=$?
	[[ $status -ne 0 ]] || fail "exec succeeded"
	grep -qF "join cgroup: write '0' to '$cpu/$id/tasks': Invalid argument" "$BATS_TEST_TMPDIR/out" ||
		fail "not the join's error: $(cat "$BATS_TEST_TMPDIR/out")"
	husk delete --force "$id"
	[[ -z "$(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$id")" ]] ||
		fail "cgroups left: $(find /sys/fs/cgroup -mindepth 1 -maxdepth 2 -type d -name "$id")"
}

@test "an exec frozen in a paused container holds the freezer's host-root tasks descriptor, and a root container sharing its PID namespace cannot open it" {
	local id w pid ext nspid task
	need_v1
	[[ -d /sys/fs/cgroup/freezer ]] || skip "no v1 freezer hierarchy"
	setup_bundle sleep 100
	id=$(cid)
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 3>&-
	pid=$(husk state "$id" | jq -r .pid)
	# W: root, default capabilities (no CAP_SYS_PTRACE), no user namespace, in the paused container's PID
	# namespace (a pod): the same uid as the exec's process
	w=$BATS_TEST_TMPDIR/w
	make_bundle "$w" sleep 100
	jq --arg p "/proc/$pid/ns/pid" '.linux.namespaces = [(.linux.namespaces[] | select(.type != "pid")),
		{"type": "pid", "path": $p}]' "$w/config.json" >"$w/config.new" && mv "$w/config.new" "$w/config.json"
	husk run -d --bundle "$w" "$(cid w)" </dev/null >/dev/null 3>&-
	husk pause "$id"
	# the exec's process joins only at its gate, as its user already, freezer last: it freezes right after that
	# write, the descriptor still open
	husk exec -d --ignore-paused --pid-file "$BATS_TEST_TMPDIR/exec.pid" "$id" sleep 100 \
		</dev/null >/dev/null 2>&1 3>&-
	ext=$(cat "$BATS_TEST_TMPDIR/exec.pid")
	wait_for grep -q '^State:.*D' "/proc/$ext/status" ||
		fail "the exec's process did not freeze: $(grep State "/proc/$ext/status")"
	ls -l "/proc/$ext/fd" | grep -q "/freezer/$id/tasks\$" ||
		fail "no tasks descriptor held, nothing to attack: $(ls -l "/proc/$ext/fd")"
	nspid=$(awk '/^NSpid:/ { print $NF }' "/proc/$ext/status")
	# with it, W could move any process it can name (a host's, were it in the host's PID namespace) into the
	# container's cgroup, its limits and its freezer: the host root opened it, and v1 checks the opener
	# (root may list the numbers, as of any process; it is the opening that the exec's being non-dumpable stops)
	run husk exec "$(cid w)" sh -c "for f in /proc/$nspid/fd/*; do readlink \$f && echo READ \$f; echo 1 >\$f && echo OPENED \$f; done"
	grep -q "Permission denied" <<<"$output" || fail "W tried nothing: $output"
	! grep -q -e READ -e OPENED <<<"$output" || fail "W reached the exec's descriptors: $output"
	for task in /proc/"$(husk state "$(cid w)" | jq -r .pid)"/task/*; do
		grep -q "freezer:/$id\$" "$task/cgroup" && fail "W's init was moved into the paused container's freezer"
	done
	husk resume "$id"
	# and it runs: before the fix husk's death signal, cleared only after the join, killed it mid-join once
	# the detached exec had read READY and exited (a zombie, the program never run)
	wait_for grep -q '^State:.*S' "/proc/$ext/status"
	[[ "$(tr '\0' ' ' <"/proc/$ext/cmdline")" == "sleep 100 " ]] || fail "the exec's program is not running: $(grep State "/proc/$ext/status")"
	# every thread of the exec'd process, in every hierarchy
	all_in "$id" /proc/"$ext"/task/*/cgroup
	husk delete --force "$(cid w)"
	husk delete --force "$id"
}
