#!/usr/bin/env bats
# The container's process as it sees itself: args, env, cwd, user and groups, umask, limits, scheduling,
# personality, affinity, keyring, file descriptors, capabilities, no_new_privs and sysctls.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

teardown() {
	husk_teardown
}

# caps_line OUTPUT KEY: the value of "KEY:" in probe caps output.
caps_of() {
	awk -v k="$2:" '$1 == k { print $2 }' <<<"$1"
}

@test "args: every argument arrives intact" {
	setup_bundle
	set_args sh -c 'for a in "$@"; do echo "[$a]"; done' sh "two words" 'q"uote' '$HOME' '' 'back\slash'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${lines[0]}" == "[two words]" ]]
	[[ "${lines[1]}" == '[q"uote]' ]]
	[[ "${lines[2]}" == '[$HOME]' ]]
	[[ "${lines[3]}" == '[]' ]]
	[[ "${lines[4]}" == '[back\slash]' ]]
}

@test "env: exactly the config's variables, plus HOME" {
	setup_bundle probe env
	cfg '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "EMPTY="]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(sort <<<"$output")" == "$(printf '%s\n' EMPTY= 'FOO=bar baz' HOME=/root PATH=/bin:/usr/bin)" ]]
}

@test "env: HOME from /etc/passwd for the user, / for an unknown uid, kept when set" {
	setup_bundle probe env
	cfg '.process.user = {"uid": 1000, "gid": 1000}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^HOME=/home/husk$'
	cfg '.process.user = {"uid": 4242, "gid": 4242}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^HOME=/$'
	cfg '.process.env += ["HOME=/custom"]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^HOME=/custom$'
	[[ "$(grep -c '^HOME=' <<<"$output")" -eq 1 ]]
}

@test "cwd: the program starts in process.cwd" {
	setup_bundle probe cwd
	cfg '.process.cwd = "/usr/bin"'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals /usr/bin
}

@test "cwd: a missing cwd is created in the rootfs, as runc does" {
	setup_bundle probe cwd
	cfg '.process.cwd = "/work/dir"'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals /work/dir
	[[ -d "$BUNDLE/rootfs/work/dir" ]]
}

@test "cwd: a cwd that is a file fails with the cause" {
	setup_bundle probe cwd
	cfg '.process.cwd = "/etc/passwd"'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "/etc/passwd"
	assert_output_contains "not a directory"
}

@test "PATH: args[0] is looked up in the process PATH" {
	setup_bundle
	set_args env
	cfg '.process.env = ["PATH=/usr/bin"]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^PATH=/usr/bin$'
	# probe is in /bin only
	set_args probe pid
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'exec: "probe": executable file not found in $PATH'
	# without PATH, the default one
	cfg '.process.env = []'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "pid=1 ppid=0"
}

@test "PATH: an absolute args[0], and a missing one" {
	setup_bundle /bin/probe pid
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	set_args /no/such/program
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "/no/such/program"
	assert_output_contains "no such file or directory"
}

@test "user: uid, gid and additionalGids" {
	setup_bundle probe ids
	cfg '.process.user = {"uid": 1000, "gid": 100, "additionalGids": [5, 1000]}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "uid=1000 gid=100 euid=1000 egid=100 groups=5,1000"
}

@test "user: the caller's supplementary groups are not kept" {
	setup_bundle probe ids
	run setpriv --groups 4,27 "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid)" 3>&-
	assert_success
	assert_output_equals "uid=0 gid=0 euid=0 egid=0 groups="
}

@test "user: a non-root user cannot write root's files" {
	setup_bundle probe write /tmp/x data
	cfg '.process.user = {"uid": 1000, "gid": 1000} | .root.readonly = false'
	touch "$BUNDLE/rootfs/tmp/x"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "Permission denied"
}

@test "umask: process.user.umask" {
	setup_bundle probe umask
	cfg '.process.user.umask = 23'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "umask=0027"
}

@test "umask: 0022 when the config has none, whatever husk's caller had" {
	setup_bundle probe umask
	run bash -c 'umask 0077; exec "$0" --root "$1" run --bundle "$2" "$3" 3>&-' \
		"$HUSK" "$HUSK_TEST_ROOT" "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "umask=0022"
}

@test "rlimits: RLIMIT_NOFILE from the config" {
	setup_bundle probe limits
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^Max open files +1024 +1024 +files'
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 768},
		{"type": "RLIMIT_NPROC", "soft": 100, "hard": 200}]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^Max open files +512 +768 +files'
	assert_line_matches '^Max processes +100 +200 +processes'
}

@test "rlimits: raising a hard limit beyond husk's own fails with a clear error" {
	local id
	id=$(cid)
	[[ "$(ulimit -Hn)" != unlimited && "$(ulimit -Hn)" -lt 4194304 ]] || skip "husk's own hard limit is high enough"
	if capsh --has-p=cap_sys_resource 2>/dev/null; then
		skip "this root has CAP_SYS_RESOURCE: raising the hard limit is allowed"
	fi
	setup_bundle true
	cfg '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 1024, "hard": 4194304}]'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "RLIMIT_NOFILE"
	assert_output_contains "CAP_SYS_RESOURCE"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "oomScoreAdj: raised for the container" {
	setup_bundle probe oom
	cfg '.process.oomScoreAdj = 500'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals 500
}

@test "oomScoreAdj: lowering it needs CAP_SYS_RESOURCE" {
	if capsh --has-p=cap_sys_resource 2>/dev/null; then
		skip "this root has CAP_SYS_RESOURCE: lowering oom_score_adj is allowed"
	fi
	[[ "$(cat /proc/self/oom_score_adj)" -gt -500 ]] || skip "the caller's oom_score_adj is already -500 or lower"
	setup_bundle probe oom
	cfg '.process.oomScoreAdj = -500'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "oomScoreAdj"
}

@test "ioPriority: class and level" {
	setup_bundle probe ioprio
	cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "class=IOPRIO_CLASS_BE data=6"
	cfg '.process.ioPriority = {"class": "IOPRIO_CLASS_IDLE", "priority": 0}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "class=IOPRIO_CLASS_IDLE data=0"
}

@test "scheduler: SCHED_BATCH with a nice value, SCHED_IDLE" {
	setup_bundle probe sched
	cfg '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "policy=SCHED_BATCH priority=0 nice=7"
	cfg '.process.scheduler = {"policy": "SCHED_IDLE"}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_contains "policy=SCHED_IDLE"
}

@test "scheduler: SCHED_RR with a priority, reset on fork" {
	setup_bundle probe sched
	cfg '.process.scheduler = {"policy": "SCHED_RR", "priority": 10, "flags": ["SCHED_FLAG_RESET_ON_FORK"]} |
		del(.linux.resources)'
	# without a cgroup: a new v1 cpu cgroup has no real-time budget (cpu.rt_runtime_us 0)
	run husk --cgroup-manager disabled run --bundle "$BUNDLE" "$(cid)" 3>&-
	assert_success
	assert_output_equals "policy=SCHED_RR priority=10 nice=0 reset_on_fork"
}

@test "personality: LINUX32 makes uname -m report i686" {
	setup_bundle
	set_args sh -c 'uname -m; probe personality'
	cfg '.linux.personality = {"domain": "LINUX32"}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(uname -m)" == x86_64 ]] || skip "LINUX32 only means i686 on x86_64"
	assert_line_matches '^i686$'
	assert_line_matches '^personality=0x8$'
}

@test "execCPUAffinity.final: the program runs on the given CPUs" {
	local last
	last=$(($(nproc) - 1))
	setup_bundle probe affinity
	cfg --arg c "$last" '.process.execCPUAffinity = {"final": $c}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "cpus=$last"
}

# n_procs ID N: `husk ps` lists N processes
n_procs() {
	[[ "$(husk ps --format json "$1" | jq length)" -eq "$2" ]]
}

# Found in the Debian 12 guest (kernel 6.1): the final affinity was set before the cgroup join, which the
# init waits for only at its gate (and an exec into a paused container makes only there), and before
# Linux 6.2 entering a cpuset cgroup resets the affinity to the cpuset's CPUs: the program ran on 0-1.
@test "execCPUAffinity.final: set after the cgroup join (the init, and an exec into a paused container)" {
	(($(nproc) >= 2)) || skip "needs two CPUs"
	[[ -f /sys/fs/cgroup/cpuset/cpuset.cpus ]] || grep -qw cpuset /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
		skip "needs a cpuset controller"
	local id pid n
	id=$(cid)
	setup_bundle sh -c 'probe affinity; sleep 60'
	cfg '.linux.resources.cpu = {"cpus": "0-1", "mems": "0"} | .process.execCPUAffinity = {"final": "1"}'
	create_quiet "$id" || fail "create: $(cat "$BATS_TEST_TMPDIR/$id.out")"
	husk start "$id"
	wait_for grep -q cpus= "$BATS_TEST_TMPDIR/$id.out"
	[[ "$(cat "$BATS_TEST_TMPDIR/$id.out")" == cpus=1 ]] || fail "init: $(cat "$BATS_TEST_TMPDIR/$id.out")"
	husk pause "$id"
	n=$(husk ps --format json "$id" | jq length)
	echo '{"args": ["probe", "affinity"], "cwd": "/", "execCPUAffinity": {"final": "1"}}' >"$BATS_TEST_TMPDIR/p.json"
	husk exec --ignore-paused --process "$BATS_TEST_TMPDIR/p.json" "$id" >"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- &
	pid=$!
	# the exec joins the frozen cgroup at its gate, then waits there until resume
	wait_for n_procs "$id" $((n + 1))
	husk resume "$id"
	wait "$pid" || fail "exec: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	[[ "$(cat "$BATS_TEST_TMPDIR/exec.out")" == cpus=1 ]] || fail "exec: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	husk delete --force "$id"
}

@test "keyring: a new session keyring named after the container, or the caller's with --no-new-keyring" {
	local id host
	id=$(cid)
	host=$("$HUSK_PROBE" keyring) || skip "keyctl is not available here"
	setup_bundle
	set_args sh -c 'probe keyring; cat /proc/keys'
	cfg '.linux.maskedPaths |= map(select(. != "/proc/keys"))'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	assert_line_matches '^keyring=[0-9]+$'
	[[ "${lines[0]}" != "$host" ]] || fail "the container shares the caller's session keyring"
	assert_output_contains "_ses.$id"
	set_args probe keyring
	run_husk run --no-new-keyring --bundle "$BUNDLE" "$id"
	assert_success
	assert_output_equals "$host"
}

@test "fds: only 0, 1 and 2 reach the program" {
	setup_bundle probe fds
	exec 7</etc/hostname
	exec 8>"$BATS_TEST_TMPDIR/out8"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	exec 7<&- 8>&-
	assert_success
	[[ "${lines[0]}" == "0 1 2" ]] || fail "open fds: ${lines[0]}"
}

@test "fds: --preserve-fds 2 passes fds 3 and 4, and no more" {
	setup_bundle
	set_args sh -c 'probe fds | head -n 1; cat <&3; cat <&4; env | grep -c ^LISTEN_ || true'
	echo three >"$BATS_TEST_TMPDIR/f3"
	echo four >"$BATS_TEST_TMPDIR/f4"
	run bash -c 'exec "$0" --root "$1" run --preserve-fds 2 --bundle "$2" "$3" 3<"$4/f3" 4<"$4/f4" 5</etc/hostname' \
		"$HUSK" "$HUSK_TEST_ROOT" "$BUNDLE" "$(cid)" "$BATS_TEST_TMPDIR"
	assert_success
	[[ "${lines[0]}" == "0 1 2 3 4" ]] || fail "open fds: ${lines[0]}"
	[[ "${lines[1]}" == three ]]
	[[ "${lines[2]}" == four ]]
	[[ "${lines[3]}" == 0 ]]
}

@test "capabilities: the default set is AUDIT_WRITE, KILL and NET_BIND_SERVICE" {
	setup_bundle probe caps
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" CapBnd)" == 0000000020000420 ]]
	[[ "$(caps_of "$output" CapEff)" == 0000000020000420 ]]
	[[ "$(caps_of "$output" CapPrm)" == 0000000020000420 ]]
	[[ "$(caps_of "$output" CapInh)" == 0000000000000000 ]]
	[[ "$(caps_of "$output" CapAmb)" == 0000000000000000 ]]
}

@test "capabilities: a non-root user keeps its configured and ambient capabilities" {
	setup_bundle probe caps
	cfg '.process.user = {"uid": 1000, "gid": 1000} |
		.process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE", "CAP_KILL"],
			"effective": ["CAP_NET_BIND_SERVICE"], "permitted": ["CAP_NET_BIND_SERVICE"],
			"inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" CapBnd)" == 0000000000000420 ]]
	[[ "$(caps_of "$output" CapEff)" == 0000000000000400 ]]
	[[ "$(caps_of "$output" CapPrm)" == 0000000000000400 ]]
	[[ "$(caps_of "$output" CapInh)" == 0000000000000400 ]]
	[[ "$(caps_of "$output" CapAmb)" == 0000000000000400 ]]
}

@test "capabilities: none at all when the config has none" {
	setup_bundle probe caps
	cfg 'del(.process.capabilities)'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" CapBnd)" == 0000000000000000 ]]
	[[ "$(caps_of "$output" CapEff)" == 0000000000000000 ]]
}

@test "capabilities: one husk itself lacks fails with a clear error" {
	local id
	id=$(cid)
	if capsh --has-b=cap_sys_resource 2>/dev/null; then
		skip "husk has CAP_SYS_RESOURCE here"
	fi
	setup_bundle true
	cfg '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"]'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "CAP_SYS_RESOURCE"
	assert_output_contains "bounding set"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "capabilities: without CAP_SYS_ADMIN, sethostname is refused inside" {
	setup_bundle probe syscall sethostname
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "errno=1 "
}

@test "noNewPrivileges: set when true, clear when false" {
	setup_bundle probe caps
	cfg '.process.noNewPrivileges = true'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" NoNewPrivs)" == 1 ]]
	cfg '.process.noNewPrivileges = false'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" NoNewPrivs)" == 0 ]]
}

@test "sysctl: net.ipv4.ip_forward inside the container's network namespace" {
	local before
	before=$(cat /proc/sys/net/ipv4/ip_forward)
	setup_bundle cat /proc/sys/net/ipv4/ip_forward
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals 1
	[[ "$(cat /proc/sys/net/ipv4/ip_forward)" == "$before" ]]
}

@test "sysctl: an ipc sysctl in the container's ipc namespace" {
	local before
	before=$(cat /proc/sys/kernel/msgmax)
	setup_bundle cat /proc/sys/kernel/msgmax
	cfg '.linux.sysctl = {"kernel.msgmax": "4096"}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals 4096
	[[ "$(cat /proc/sys/kernel/msgmax)" == "$before" ]]
}

@test "sysctl: one that no namespace isolates is refused" {
	local id before
	id=$(cid)
	before=$(cat /proc/sys/kernel/panic)
	setup_bundle true
	cfg '.linux.sysctl = {"kernel.panic": "5"}'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "kernel.panic"
	assert_output_contains "not isolated by a namespace"
	[[ "$(cat /proc/sys/kernel/panic)" == "$before" ]]
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "sysctl: a net sysctl without a network namespace of its own is refused" {
	local before
	before=$(cat /proc/sys/net/ipv4/ip_forward)
	setup_bundle true
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "network namespace"
	[[ "$(cat /proc/sys/net/ipv4/ip_forward)" == "$before" ]]
}

@test "terminal true without --console-socket: a clear error for create and run -d" {
	local id
	id=$(cid)
	setup_bundle true
	cfg '.process.terminal = true'
	# in the foreground `run` relays the terminal itself (terminal.bats); detached, nobody could
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "console-socket"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
	run_husk run -d --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "console-socket"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "PATH: a relative args[0] with a slash is taken from the cwd" {
	setup_bundle ./probe pid
	cfg '.process.cwd = "/bin"'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "pid=1 ppid=0"
}
