#!/usr/bin/env bats
# Security: capabilities, no_new_privs, seccomp, LSM labels, and every known runtime escape reproduced as an
# attack that must fail. docs/security.md maps each test here to the CVE it covers and the defense in husk.
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
	# Clean up with the original binary: a test that ran husk from a copy may have had the copy rewritten.
	HUSK=$HUSK_BUILT
	husk_teardown
}

KILL_PIDS=()
HUSK_BUILT=$HUSK
HUSK_TOOLS=${HUSK_TOOLS:-$HUSK_SRC_DIR/build}

# caps_of OUTPUT KEY: the value of "KEY:" in probe caps output.
caps_of() {
	awk -v k="$2:" '$1 == k { print $2 }' <<<"$1"
}

# capmask NAME...: the 16-digit hex mask /proc/self/status shows for these capabilities.
capmask() {
	local -A nr=([CAP_CHOWN]=0 [CAP_KILL]=5 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_RAW]=13
		[CAP_SYS_PTRACE]=19 [CAP_SYS_ADMIN]=21 [CAP_SYS_RESOURCE]=24 [CAP_AUDIT_WRITE]=29)
	local m=0 c
	for c in "$@"; do
		m=$((m | 1 << nr[$c]))
	done
	printf '%016x\n' "$m"
}

# caps_json SET=CAP,CAP ...: a process.capabilities object, e.g. caps_json bounding=CAP_KILL ambient=.
caps_json() {
	local kv obj='{}'
	for kv in "$@"; do
		obj=$(jq -c --arg k "${kv%%=*}" --arg v "${kv#*=}" '.[$k] = ($v | split(",") | map(select(. != "")))' <<<"$obj")
	done
	echo "$obj"
}

# seccomp DEFAULT_ACTION [SYSCALLS_JSON [EXTRA_JQ]]: set linux.seccomp. RLIMIT_CORE is 0, so a process killed by
# SIGSYS leaves no core file.
seccomp() {
	cfg --arg d "$1" --argjson s "${2:-[]}" '.linux.seccomp = {"defaultAction": $d, "syscalls": $s}
		| .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024},
			{"type": "RLIMIT_CORE", "hard": 0, "soft": 0}]' || return
	[[ -z "${3:-}" ]] || cfg "$3"
}

# rule NAME ACTION [ERRNO]: one seccomp syscall rule as JSON.
rule() {
	jq -nc --arg n "$1" --arg a "$2" --arg e "${3:-}" \
		'{"names": [$n], "action": $a} + (if $e == "" then {} else {"errnoRet": ($e | tonumber)} end)'
}

# arg_rule OP VALUE [VALUE_TWO]: SCMP_ACT_ERRNO (errno 42) for personality(2) when arg0 OP VALUE.
arg_rule() {
	jq -nc --arg op "$1" --argjson v "$2" --argjson v2 "${3:-0}" \
		'[{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
		   "args": [{"index": 0, "value": $v, "valueTwo": $v2, "op": $op}]}]'
}

# run_detached ID: run -d the bundle and print the container's host pid.
run_detached() {
	husk run -d --bundle "$BUNDLE" "$1" >/dev/null </dev/null || return
	husk state "$1" | jq -r .pid
}

# husk_copy: run husk from a copy in the test's temp dir, so an attack on the runtime binary that succeeded
# would damage the copy and never build/husk. Sets HUSK and HUSK_SHA (the copy's sha256).
husk_copy() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$HUSK" "$BATS_TEST_TMPDIR/bin/husk"
	HUSK=$BATS_TEST_TMPDIR/bin/husk
	HUSK_SHA=$(sha256sum <"$HUSK")
}

# assert_husk_unchanged: the copy husk ran from still has its sha256. (build/husk itself is not compared: a
# concurrent rebuild may change it.)
assert_husk_unchanged() {
	[[ "$(sha256sum <"$HUSK")" == "$HUSK_SHA" ]] || fail "the husk binary '$HUSK' was modified"
}

# start_recvtty SOCKET OUT: a console-socket receiver in the background (killed in teardown).
start_recvtty() {
	[[ -x "$HUSK_TOOLS/recvtty" ]] || fail "recvtty not found in '$HUSK_TOOLS': build it" || return
	rm -f "$1"
	"$HUSK_TOOLS/recvtty" "$1" >"$2" 2>&1 &
	KILL_PIDS+=($!)
	wait_for test -S "$1"
}

# etc_listing: names, inodes and change times of the host's /etc entries.
etc_listing() {
	find /etc -maxdepth 1 -printf '%f %i %C@\n' | sort
}

# no_containers: husk list shows nothing (a failed create left no state behind).
no_containers() {
	[[ -z "$(husk list -q)" ]] || fail "containers left: $(husk list -q)"
}

# ---- capabilities ---------------------------------------------------------------------------------------

@test "caps: the five sets exactly as the config says, as uid 1000" {
	setup_bundle probe caps
	cfg '.process.user = {"uid": 1000, "gid": 1000} | .process.noNewPrivileges = false'
	cfg --argjson c "$(caps_json bounding=CAP_NET_RAW effective=CAP_NET_RAW permitted=CAP_NET_RAW \
		inheritable=CAP_NET_RAW ambient=CAP_NET_RAW)" '.process.capabilities = $c'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	for set in CapBnd CapEff CapPrm CapInh CapAmb; do
		[[ "$(caps_of "$output" $set)" == "$(capmask CAP_NET_RAW)" ]] || fail "$set is not CAP_NET_RAW only"
	done

	# Five different sets: a non-root program keeps only its ambient set as permitted and effective
	# across execve, so those three match; bounding and inheritable show their own values.
	cfg --argjson c "$(caps_json bounding=CAP_CHOWN,CAP_KILL,CAP_NET_RAW inheritable=CAP_CHOWN,CAP_NET_RAW \
		permitted=CAP_NET_RAW effective=CAP_NET_RAW ambient=CAP_NET_RAW)" '.process.capabilities = $c'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" CapBnd)" == "$(capmask CAP_CHOWN CAP_KILL CAP_NET_RAW)" ]] || fail "CapBnd"
	[[ "$(caps_of "$output" CapInh)" == "$(capmask CAP_CHOWN CAP_NET_RAW)" ]] || fail "CapInh"
	[[ "$(caps_of "$output" CapPrm)" == "$(capmask CAP_NET_RAW)" ]] || fail "CapPrm"
	[[ "$(caps_of "$output" CapEff)" == "$(capmask CAP_NET_RAW)" ]] || fail "CapEff"
	[[ "$(caps_of "$output" CapAmb)" == "$(capmask CAP_NET_RAW)" ]] || fail "CapAmb"

	# No capabilities object at all: nothing, not the runtime's own sets.
	cfg 'del(.process.capabilities)'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	for set in CapBnd CapEff CapPrm CapInh CapAmb; do
		[[ "$(caps_of "$output" $set)" == 0000000000000000 ]] || fail "$set is not empty"
	done
}

@test "caps: as root, exact with noNewPrivileges; without it execve raises permitted to the bounding set" {
	setup_bundle probe caps
	cfg --argjson c "$(caps_json bounding=CAP_CHOWN,CAP_KILL effective=CAP_KILL permitted=CAP_KILL)" \
		'.process.capabilities = $c | .process.noNewPrivileges = true'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" CapBnd)" == "$(capmask CAP_CHOWN CAP_KILL)" ]] || fail "CapBnd"
	[[ "$(caps_of "$output" CapPrm)" == "$(capmask CAP_KILL)" ]] || fail "CapPrm"
	[[ "$(caps_of "$output" CapEff)" == "$(capmask CAP_KILL)" ]] || fail "CapEff"
	# The kernel's rule for uid 0 (file capabilities of root), which no_new_privs turns off.
	cfg '.process.noNewPrivileges = false'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" CapPrm)" == "$(capmask CAP_CHOWN CAP_KILL)" ]] || fail "CapPrm"
	[[ "$(caps_of "$output" CapEff)" == "$(capmask CAP_CHOWN CAP_KILL)" ]] || fail "CapEff"
}

@test "caps: a capability unknown to the kernel is a config error naming the JSON path" {
	setup_bundle probe caps
	cfg '.process.capabilities.bounding += ["CAP_TEST"]'
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'config.json: .process.capabilities.bounding[3]'
	assert_output_contains 'CAP_TEST'
	no_containers
}

@test "caps: CAP_SYS_RESOURCE, missing from husk's own bounding set, fails create naming it" {
	grep -q '^CapBnd:' /proc/self/status || skip "no CapBnd in /proc/self/status"
	(($(printf '%d' "0x$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)") & 1 << 24)) &&
		skip "this host's bounding set has CAP_SYS_RESOURCE"
	setup_bundle probe caps
	cfg '.process.capabilities.bounding += ["CAP_SYS_RESOURCE"]'
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'CAP_SYS_RESOURCE'
	assert_output_contains 'bounding set'
	no_containers

	# Asked for in the permitted (or inheritable) set only, it is named too, not a bare capset EPERM.
	for set in permitted inheritable; do
		cfg --arg s $set '.process.capabilities = {"bounding": ["CAP_KILL"], ($s): ["CAP_SYS_RESOURCE"]}'
		run_husk create --bundle "$BUNDLE" "$(cid)"
		assert_failure
		assert_output_contains "capability CAP_SYS_RESOURCE is requested in the $set set"
		no_containers
	done
	cfg '.process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"]}'
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'capability CAP_KILL is requested in the effective set, but it is not in the permitted set'
	no_containers
}

@test "caps: survive the switch to uid 1000 (CAP_NET_BIND_SERVICE effective, port 80 binds)" {
	setup_bundle sh -c 'probe ids; probe caps; nc -l -p 80 -w 1 </dev/null & sleep 0.3; kill $! && echo bound'
	cfg '.process.user = {"uid": 1000, "gid": 1000}'
	cfg --argjson c "$(caps_json bounding=CAP_NET_BIND_SERVICE effective=CAP_NET_BIND_SERVICE \
		permitted=CAP_NET_BIND_SERVICE inheritable=CAP_NET_BIND_SERVICE ambient=CAP_NET_BIND_SERVICE)" \
		'.process.capabilities = $c'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^uid=1000 gid=1000 '
	[[ "$(caps_of "$output" CapEff)" == "$(capmask CAP_NET_BIND_SERVICE)" ]] || fail "CapEff"
	assert_line_matches '^bound$'

	# The same user without the capability cannot bind the port.
	cfg '.process.capabilities = {"bounding": ["CAP_NET_BIND_SERVICE"]}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	[[ "$(caps_of "$output" CapEff)" == 0000000000000000 ]] || fail "CapEff should be empty"
	refute_output_contains 'bound'
}

# ---- no_new_privs ---------------------------------------------------------------------------------------

@test "no_new_privs: NoNewPrivs 1 when noNewPrivileges is true, 0 when false" {
	setup_bundle probe caps
	cfg '.process.noNewPrivileges = true'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" NoNewPrivs)" == 1 ]] || fail "NoNewPrivs should be 1"
	cfg '.process.noNewPrivileges = false'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" NoNewPrivs)" == 0 ]] || fail "NoNewPrivs should be 0"
}

@test "no_new_privs: exec --no-new-privs sets it for the exec'd process only" {
	setup_bundle sleep 100
	cfg '.process.noNewPrivileges = false'
	id=$(cid)
	run_detached "$id" >/dev/null
	run_husk exec "$id" probe caps
	assert_success
	[[ "$(caps_of "$output" NoNewPrivs)" == 0 ]] || fail "NoNewPrivs should be 0 without the flag"
	run_husk exec --no-new-privs "$id" probe caps
	assert_success
	[[ "$(caps_of "$output" NoNewPrivs)" == 1 ]] || fail "NoNewPrivs should be 1 with --no-new-privs"
	run_husk exec "$id" probe read /proc/1/status
	assert_line_matches '^NoNewPrivs:[[:space:]]+0$'
}

# ---- seccomp --------------------------------------------------------------------------------------------

@test "seccomp: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet; SCMP_ACT_ALLOW rules let calls through" {
	local allow
	# What the static probe needs to start and print, plus getpid: everything else gets errno 77.
	allow=$(jq -nc '[{"names": ["execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list",
		"rseq", "prlimit64", "mprotect", "mmap", "munmap", "readlink", "readlinkat", "getrandom",
		"write", "writev", "exit_group", "exit", "newfstatat", "fstat", "ioctl", "openat", "close",
		"read", "uname", "futex", "rt_sigaction", "rt_sigprocmask", "sigaltstack", "lseek", "getpid",
		"sendmsg", "access", "faccessat", "faccessat2"], "action": "SCMP_ACT_ALLOW"}]')
	setup_bundle probe syscall getppid
	seccomp SCMP_ACT_ERRNO "$allow" '.linux.seccomp.defaultErrnoRet = 77'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_output_contains 'ret=-1 errno=77'
	set_args probe syscall getpid
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_contains 'ret=1 errno=0'
}

@test "seccomp: SCMP_ACT_ERRNO returns errnoRet (EPERM without it); Seccomp: 2 in status" {
	setup_bundle sh -c 'probe syscall getppid; probe syscall uname; probe caps'
	seccomp SCMP_ACT_ALLOW "[$(rule getppid SCMP_ACT_ERRNO 99), $(rule uname SCMP_ACT_ERRNO)]"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	[[ "${lines[0]}" == "ret=-1 errno=99 "* ]] || fail "getppid: errnoRet 99 expected"
	[[ "${lines[1]}" == "ret=-1 errno=1 "* ]] || fail "uname: EPERM expected"
	[[ "$(caps_of "$output" Seccomp)" == 2 ]] || fail "Seccomp: 2 expected"
}

@test "seccomp: SCMP_ACT_KILL, KILL_THREAD and KILL_PROCESS kill the process with SIGSYS" {
	setup_bundle probe syscall getppid
	for action in SCMP_ACT_KILL SCMP_ACT_KILL_THREAD SCMP_ACT_KILL_PROCESS; do
		seccomp SCMP_ACT_ALLOW "[$(rule getppid $action)]"
		run_husk run --bundle "$BUNDLE" "$(cid)"
		assert_status 159
		refute_output_contains 'ret='
	done
}

@test "seccomp: SCMP_ACT_TRAP sends SIGSYS" {
	# personality, as the shell itself calls getppid
	setup_bundle sh -c 'probe syscall personality; echo "status=$?"'
	seccomp SCMP_ACT_ALLOW "[$(rule personality SCMP_ACT_TRAP)]"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_contains 'status=159'
	set_args probe syscall personality
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_status 159
}

@test "seccomp: SCMP_ACT_TRACE without a tracer fails the call with ENOSYS" {
	setup_bundle probe syscall getppid
	seccomp SCMP_ACT_ALLOW "[$(rule getppid SCMP_ACT_TRACE 7)]"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_output_contains 'ret=-1 errno=38'
}

last_seccomp_audit() {
	dmesg 2>/dev/null | grep 'type=1326' | tail -n 1 || true
}

@test "seccomp: SCMP_ACT_LOG lets the call succeed (and logs it)" {
	local before
	setup_bundle probe syscall getppid
	seccomp SCMP_ACT_ALLOW "[$(rule getppid SCMP_ACT_LOG)]"
	# the last audit line, not a count: once the kernel's ring buffer is full the count stays put
	before=$(last_seccomp_audit)
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_contains 'ret=0 errno=0'
	# The kernel's audit line, when this host lets us read the kernel log and logs the "log" action.
	if grep -qw log /proc/sys/kernel/seccomp/actions_logged 2>/dev/null && dmesg >/dev/null 2>&1; then
		wait_for eval '[[ "$(last_seccomp_audit)" != "$before" ]]'
		dmesg | grep 'type=1326' | tail -n 1 | grep 'syscall=110 ' | grep -q 'code=0x7ffc0000' ||
			fail "the last seccomp audit line is not SECCOMP_RET_LOG for getppid (110)"
	fi
}

@test "seccomp: SCMP_ACT_NOTIFY hands the listener to listenerPath; the agent answers the call" {
	local sock=$BATS_TEST_TMPDIR/agent.sock out=$BATS_TEST_TMPDIR/agent.out id
	[[ -x "$HUSK_TOOLS/seccomp-agent" ]] || fail "build seccomp-agent first"
	setup_bundle sh -c 'probe syscall getppid; probe syscall getpid'
	seccomp SCMP_ACT_ALLOW "[$(rule getppid SCMP_ACT_NOTIFY)]"
	cfg --arg s "$sock" '.linux.seccomp.listenerPath = $s | .linux.seccomp.listenerMetadata = "husk-test-meta"'
	"$HUSK_TOOLS/seccomp-agent" "$sock" 95 >"$out" 2>&1 &
	KILL_PIDS+=($!)
	wait_for test -S "$sock"
	id=$(cid)
	run_husk run --bundle "$BUNDLE" "$id"
	[[ "${lines[0]}" == "ret=-1 errno=95 "* ]] || fail "getppid: the agent's errno 95 expected"
	[[ "${lines[1]}" == "ret=1 errno=0 "* ]] || fail "getpid: allowed"
	wait_for grep -q '^notify getppid$' "$out"
	head -n 1 "$out" | jq -e --arg id "$id" '.fds == ["seccompFd"] and .metadata == "husk-test-meta"
		and .state.id == $id and .ociVersion != null and (.pid | type) == "number"' >/dev/null ||
		fail "bad containerProcessState: $(head -n 1 "$out")"
}

@test "seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV with a notify agent (and ignored without one)" {
	local sock=$BATS_TEST_TMPDIR/agent.sock out=$BATS_TEST_TMPDIR/agent.out
	setup_bundle sh -c 'probe syscall getppid; probe caps'
	seccomp SCMP_ACT_ALLOW "[$(rule getppid SCMP_ACT_NOTIFY)]"
	cfg --arg s "$sock" '.linux.seccomp.listenerPath = $s
		| .linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_LOG"]'
	"$HUSK_TOOLS/seccomp-agent" "$sock" 95 >"$out" 2>&1 &
	KILL_PIDS+=($!)
	wait_for test -S "$sock"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${lines[0]}" == "ret=-1 errno=95 "* ]] || fail "getppid: the agent's errno 95 expected"
	[[ "$(caps_of "$output" Seccomp)" == 2 ]] || fail "Seccomp: 2 expected"
	wait_for grep -q '^notify getppid$' "$out"
	seccomp SCMP_ACT_ALLOW "[$(rule getppid SCMP_ACT_ERRNO 61)]" \
		'.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${lines[0]}" == "ret=-1 errno=61 "* ]] || fail "getppid: errno 61 expected"
}

@test "seccomp: SCMP_ACT_NOTIFY as defaultAction, or without listenerPath, is refused clearly" {
	setup_bundle probe syscall getppid
	seccomp SCMP_ACT_NOTIFY '[]' '.linux.seccomp.listenerPath = "/nonexistent.sock"'
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains '.linux.seccomp.defaultAction: SCMP_ACT_NOTIFY'
	no_containers
	seccomp SCMP_ACT_ALLOW "[$(rule getppid SCMP_ACT_NOTIFY)]"
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains '.linux.seccomp.listenerPath: required'
	no_containers
}

@test "seccomp: every argument operator, matched and not matched (personality arg0 = 0xffffffff)" {
	local op match miss
	setup_bundle probe syscall personality
	# OP, a value that matches arg0 = 0xffffffff, one that does not
	while read -r op match miss; do
		seccomp SCMP_ACT_ALLOW "$(arg_rule "$op" "$match")"
		run_husk run --bundle "$BUNDLE" "$(cid)"
		[[ "$output" == "ret=-1 errno=42 "* ]] || fail "$op $match should match"
		seccomp SCMP_ACT_ALLOW "$(arg_rule "$op" "$miss")"
		run_husk run --bundle "$BUNDLE" "$(cid)"
		[[ "$output" == "ret=0 errno=0 "* ]] || fail "$op $miss should not match"
	done <<-EOF
		SCMP_CMP_EQ 4294967295 0
		SCMP_CMP_NE 0 4294967295
		SCMP_CMP_LT 4294967296 4294967295
		SCMP_CMP_LE 4294967295 4294967294
		SCMP_CMP_GE 4294967295 4294967296
		SCMP_CMP_GT 4294967294 4294967295
	EOF
	# MASKED_EQ: (arg0 & value) == valueTwo
	seccomp SCMP_ACT_ALLOW "$(arg_rule SCMP_CMP_MASKED_EQ 255 255)"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	[[ "$output" == "ret=-1 errno=42 "* ]] || fail "MASKED_EQ 0xff 0xff should match"
	seccomp SCMP_ACT_ALLOW "$(arg_rule SCMP_CMP_MASKED_EQ 255 0)"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	[[ "$output" == "ret=0 errno=0 "* ]] || fail "MASKED_EQ 0xff 0 should not match"
}

@test "seccomp: unknown syscall names are skipped; flags LOG, SPEC_ALLOW and TSYNC are accepted" {
	setup_bundle probe syscall getppid
	seccomp SCMP_ACT_ALLOW '[{"names": ["husk_no_such_syscall", "getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 61}]'
	cfg '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_output_contains 'ret=-1 errno=61'
	set_args probe caps
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(caps_of "$output" Seccomp)" == 2 ]] || fail "Seccomp: 2 expected"
}

@test "seccomp: loaded last, so a profile denying mount, pivot_root, setns and sethostname still starts" {
	setup_bundle sh -c 'hostname; probe syscall sethostname; probe syscall mount; probe syscall unshare; true'
	seccomp SCMP_ACT_ALLOW '[{"names": ["mount", "umount2", "pivot_root", "setns", "sethostname", "unshare",
		"mount_setattr", "move_mount", "open_tree", "keyctl", "setgroups", "capset", "prctl"],
		"action": "SCMP_ACT_ERRNO", "errnoRet": 1}]'
	cfg '.hostname = "sec-host" | .process.noNewPrivileges = true'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${lines[0]}" == sec-host ]] || fail "husk's sethostname must run before the filter"
	[[ "${lines[1]}" == "ret=-1 errno=1 "* ]] || fail "sethostname must be denied"
	[[ "${lines[2]}" == "ret=-1 errno=1 "* ]] || fail "mount must be denied"
	[[ "${lines[3]}" == "ret=-1 errno=1 "* ]] || fail "unshare must be denied"
}

# ---- LSM labels -----------------------------------------------------------------------------------------

@test "lsm: apparmorProfile, selinuxLabel and mountLabel on a kernel without the LSM fail clearly" {
	[[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]] || skip "AppArmor is enabled here"
	[[ ! -e /sys/fs/selinux/enforce ]] || skip "SELinux is enabled here"
	setup_bundle true
	cfg '.process.apparmorProfile = "husk-test"'
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains '.process.apparmorProfile: profile "husk-test" requested, but AppArmor is not enabled'
	no_containers
	cfg 'del(.process.apparmorProfile) | .process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains '.process.selinuxLabel: label "system_u:system_r:container_t:s0" requested, but SELinux is not enabled'
	no_containers
	cfg 'del(.process.selinuxLabel) | .linux.mountLabel = "system_u:object_r:container_file_t:s0"'
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains '.linux.mountLabel: label'
	no_containers
	# An empty label asks for nothing.
	cfg 'del(.linux.mountLabel) | .process.apparmorProfile = "" | .process.selinuxLabel = ""'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
}

@test "lsm: exec --apparmor and --process-label without the LSM fail clearly, nothing runs" {
	[[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" != Y ]] || skip "AppArmor is enabled here"
	[[ ! -e /sys/fs/selinux/enforce ]] || skip "SELinux is enabled here"
	setup_bundle sleep 100
	id=$(cid)
	run_detached "$id" >/dev/null
	run_husk exec --apparmor x "$id" touch /tmp/ran
	assert_failure
	assert_output_contains 'apparmorProfile: profile "x" requested, but AppArmor is not enabled'
	run_husk exec --process-label system_u:system_r:container_t:s0 "$id" touch /tmp/ran
	assert_failure
	assert_output_contains 'selinuxLabel: label "system_u:system_r:container_t:s0" requested, but SELinux'
	run_husk exec "$id" probe stat /tmp/ran
	assert_failure
	[[ "$(husk ps --format json "$id" | jq length)" == 1 ]] || fail "an exec'd process is left"
}

# ---- CVE-2019-5736: overwriting the runtime binary through /proc/self/exe ---------------------------------

@test "CVE-2019-5736: process.args /proc/self/exe is refused at create; the binary is unchanged" {
	husk_copy
	setup_bundle /proc/self/exe
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'CVE-2019-5736'
	no_containers
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'CVE-2019-5736'
	assert_husk_unchanged
}

@test "CVE-2019-5736: a #!/proc/self/exe entrypoint is refused (also through a #! chain)" {
	husk_copy
	setup_bundle /evil
	printf '#!/proc/self/exe\necho pwned >/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
	printf '#! /evil  arg\n' >"$BUNDLE/rootfs/evil2"
	chmod +x "$BUNDLE/rootfs/evil" "$BUNDLE/rootfs/evil2"
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'CVE-2019-5736'
	set_args /evil2
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'CVE-2019-5736'
	no_containers
	assert_husk_unchanged
}

@test "CVE-2019-5736: husk exec ID /proc/self/exe (or a #! script naming it) is refused" {
	husk_copy
	setup_bundle sleep 100
	cfg '.root.readonly = false'
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
	chmod +x "$BUNDLE/rootfs/evil"
	id=$(cid)
	run_detached "$id" >/dev/null
	run_husk exec "$id" /proc/self/exe
	assert_failure
	assert_output_contains 'CVE-2019-5736'
	run_husk exec "$id" /evil
	assert_failure
	assert_output_contains 'CVE-2019-5736'
	assert_husk_unchanged
}

@test "CVE-2019-5736: a container scanning /proc/*/exe during 30 execs never reaches the husk binary" {
	local hits ino
	husk_copy
	mkdir "$BATS_TEST_TMPDIR/out"
	setup_bundle sh -c 'while :; do for p in /proc/[0-9]*; do
		cat $p/exe >/dev/null 2>&1 && readlink $p/exe >>/out/hits && stat -L -c "%d:%i" $p/exe >>/out/hits;
		echo "pwned" 2>/dev/null >$p/exe && echo "wrote $p" >>/out/hits; done; done'
	cfg --arg o "$BATS_TEST_TMPDIR/out" '.mounts += [{"source": $o, "destination": "/out", "type": "bind", "options": ["rbind", "rw"]}]'
	id=$(cid)
	run_detached "$id" >/dev/null
	for _ in $(seq 30); do
		husk exec "$id" true || fail "exec failed"
	done
	husk kill "$id" KILL
	ino=$(stat -L -c '%d:%i' "$HUSK")
	hits=$BATS_TEST_TMPDIR/out/hits
	# Only the container's own programs (busybox, as sh, cat, readlink) may show up.
	[[ -s "$hits" ]] || fail "the scan never ran"
	if [[ -s "$hits" ]]; then
		! grep -v -e '^/bin/busybox$' -e '^[0-9]*:[0-9]*$' "$hits" || fail "unexpected exe seen"
		! grep -qx "$ino" "$hits" || fail "a container process opened the husk binary"
		! grep -q husk "$hits" || fail "a container process opened the husk binary"
	fi
	assert_husk_unchanged
}

@test "CVE-2019-5736: a process exec'd into a created container cannot open the waiting init's exe" {
	local out=$BATS_TEST_TMPDIR/out id
	husk_copy
	mkdir "$out"
	setup_bundle sleep 5
	cfg --arg o "$out" '.mounts += [{"source": $o, "destination": "/out", "type": "bind", "options": ["rbind", "rw"]}]'
	id=$(cid)
	husk create --bundle "$BUNDLE" "$id" </dev/null
	# Until start, pid 1 runs the husk binary. The attacker keeps /proc/1/exe open and rewrites the file
	# through it once no husk process runs it any more (ETXTBSY until then).
	# (A failed "exec 3<" would end the shell: try the open in a subshell first.)
	husk exec -d "$id" sh -c 'if (: </proc/1/exe) 2>/dev/null; then exec 3</proc/1/exe;
		stat -L -c "%d:%i" /proc/self/fd/3 >/out/opened;
		for i in $(seq 40); do printf "#!/bin/sh\nexit 0\n" 2>/dev/null >/proc/self/fd/3 && echo >/out/wrote && break;
		sleep 0.05; done; fi; echo >/out/done' </dev/null >/dev/null 2>&1
	sleep 0.2
	husk start "$id"
	wait_for test -e "$out/done"
	[[ ! -e "$out/wrote" ]] || fail "the husk binary was overwritten from inside the container"
	[[ ! -e "$out/opened" ]] || fail "a container process opened pid 1's exe, the husk binary ($(cat "$out/opened"))"
	assert_husk_unchanged
}

# ---- CVE-2024-21626: a leaked host fd as the working directory --------------------------------------------

@test "CVE-2024-21626: process.cwd /proc/self/fd/7 with a leaked host fd 7 fails create, nothing left" {
	setup_bundle probe cwd
	cfg '.process.cwd = "/proc/self/fd/7"'
	exec 7</
	run_husk create --bundle "$BUNDLE" "$(cid)"
	exec 7<&-
	assert_failure
	assert_output_contains "/proc/self/fd/7"
	no_containers
	# The same for an fd of a host directory deeper down.
	cfg '.process.cwd = "/proc/self/fd/7/.."'
	exec 7</etc
	run_husk run --bundle "$BUNDLE" "$(cid)"
	exec 7<&-
	assert_failure
	refute_output_contains '/etc'$'\n'
	no_containers
}

@test "CVE-2024-21626: exec --cwd /proc/self/fd/7 with a leaked host fd 7 is refused" {
	setup_bundle sleep 100
	id=$(cid)
	run_detached "$id" >/dev/null
	exec 7</
	run_husk exec --cwd /proc/self/fd/7 "$id" probe cwd
	exec 7<&-
	assert_failure
	assert_output_contains "/proc/self/fd/7"
	refute_output_contains "(unreachable)"
}

@test "CVE-2024-21626: a process exec'd into a created container cannot reach the init's leaked host fd" {
	setup_bundle sleep 5
	id=$(cid)
	exec 7</
	husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	exec 7<&-
	# Until start, pid 1 is husk waiting, with the caller's fds still open (closed at execve): its /proc
	# entries must not be a way out.
	echo "host-secret-$$" >"$BATS_TEST_TMPDIR/secret"
	run_husk exec "$id" cat "/proc/1/fd/7$BATS_TEST_TMPDIR/secret"
	[[ "$output" != *"host-secret-$$"* ]] || fail "a host file was read through the init's /proc/1/fd/7"
	run_husk exec "$id" ls /proc/1/fd/7/
	assert_failure
	run_husk exec "$id" ls /proc/1/cwd/ /proc/1/root/
	assert_failure
}

@test "CVE-2024-21626: no fd of the caller reaches the container (stray fds 5, 7, 10, 251)" {
	setup_bundle probe fds
	exec 5</etc/hostname 7</ 10</etc 251</etc/hostname
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${lines[0]}" == "0 1 2" ]] || fail "the container sees fds '${lines[0]}'"
	cfg '.process.args = ["sleep", "100"]'
	id=$(cid b)
	run_detached "$id" >/dev/null
	run_husk exec "$id" probe fds
	exec 5<&- 7<&- 10<&- 251<&-
	assert_success
	[[ "${lines[0]}" == "0 1 2" ]] || fail "the exec'd process sees fds '${lines[0]}'"
}

# ---- CVE-2021-30465 / CVE-2024-45310: symlinks in mount destinations ---------------------------------------

@test "CVE-2021-30465: symlinked mount destinations (/mnt/evil -> /etc, /mnt/rel -> ../../../../etc) stay in the rootfs" {
	local src=$BATS_TEST_TMPDIR/src pid before
	setup_bundle sleep 100
	mkdir -p "$src" "$BUNDLE/rootfs/mnt"
	echo husk-marker >"$src/marker"
	ln -s /etc "$BUNDLE/rootfs/mnt/evil"
	ln -s ../../../../etc "$BUNDLE/rootfs/mnt/rel"
	cfg --arg s "$src" '.mounts += [{"destination": "/mnt/evil", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]},
		{"destination": "/mnt/rel", "type": "bind", "source": $s, "options": ["bind", "ro"]}]'
	before=$(awk '$5 == "/etc" || index($5, "/etc/") == 1' /proc/self/mountinfo | sort)
	id=$(cid)
	pid=$(run_detached "$id")
	# From the host, while the container lives: nothing new on the host's /etc.
	[[ "$(awk '$5 == "/etc" || index($5, "/etc/") == 1' /proc/self/mountinfo | sort)" == "$before" ]] ||
		fail "a mount appeared on the host's /etc"
	[[ ! -e /etc/marker ]] || fail "the bind reached the host's /etc"
	# Inside, both landed on the container's own /etc.
	[[ "$(awk '$5 == "/etc" { n++ } END { print n }' "/proc/$pid/mountinfo")" == 2 ]] ||
		fail "the container's /etc does not hold the two mounts: $(awk '$5 == "/etc"' "/proc/$pid/mountinfo")"
	awk '$5 == "/etc"' "/proc/$pid/mountinfo" | grep -q ' - tmpfs ' || fail "the tmpfs is not on the container's /etc"
	run_husk exec "$id" cat /etc/marker
	assert_output_equals husk-marker
	[[ -L "$BUNDLE/rootfs/mnt/evil" && -L "$BUNDLE/rootfs/mnt/rel" ]] || fail "the symlinks were replaced"
}

@test "CVE-2024-45310: a created mount directory under a symlinked parent is created in the rootfs" {
	local host=$BATS_TEST_TMPDIR/host-target
	setup_bundle true
	mkdir -p "$host"
	# An absolute symlink to a host directory that exists: resolved in the rootfs it names rootfs$host.
	ln -s "$host" "$BUNDLE/rootfs/escape"
	cfg '.mounts += [{"destination": "/escape/made/by/husk", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ ! -e "$host/made" ]] || fail "husk created a directory on the host through the symlink"
	[[ -d "$BUNDLE/rootfs$host/made/by/husk" ]] || fail "the directory was not created inside the rootfs"
}

# ---- CVE-2019-19921 / CVE-2023-27561 / CVE-2023-28642: /proc or /sys a symlink -----------------------------

@test "CVE-2019-19921: rootfs /proc as a symlink (to /tmp or /) fails create" {
	setup_bundle true
	for target in /tmp / ../../..; do
		rm -rf "$BUNDLE/rootfs/proc"
		ln -sfn "$target" "$BUNDLE/rootfs/proc"
		run_husk create --bundle "$BUNDLE" "$(cid)"
		assert_failure
		assert_output_contains "mount destination '/proc' for proc is not a directory"
		no_containers
	done
}

@test "CVE-2023-27561/CVE-2023-28642: rootfs /sys as a symlink fails create" {
	setup_bundle true
	rm -rf "$BUNDLE/rootfs/sys"
	ln -s /proc "$BUNDLE/rootfs/sys"
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "mount destination '/sys' for sysfs is not a directory"
	no_containers
}

# ---- CVE-2019-16884 / CVE-2025-52881: writes to a fake procfs ---------------------------------------------

@test "CVE-2019-16884: a tmpfs over /proc/sys does not absorb the sysctl and oom_score_adj writes" {
	local pid
	setup_bundle sleep 100
	cfg '.mounts += [{"destination": "/proc/sys", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m"]}]
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"} | .process.oomScoreAdj = 543
		| .linux.readonlyPaths = []'
	id=$(cid)
	pid=$(run_detached "$id")
	[[ "$(nsenter --net="/proc/$pid/ns/net" cat /proc/sys/net/ipv4/ip_forward)" == 1 ]] ||
		fail "net.ipv4.ip_forward did not reach the container's network namespace"
	[[ "$(cat "/proc/$pid/oom_score_adj")" == 543 ]] || fail "oomScoreAdj was not applied"
	# The fake /proc/sys is the container's, and empty: husk wrote through the verified procfs only.
	run_husk exec "$id" ls /proc/sys
	assert_success
	assert_output_equals ''
}

@test "CVE-2025-52881: a mount over /proc/1 with fake fd/N links neither absorbs writes nor redirects masking" {
	local fake=$BATS_TEST_TMPDIR/fake pid n
	setup_bundle sleep 100
	mkdir -p "$fake/fd"
	for n in $(seq 0 64); do
		ln -s /tmp "$fake/fd/$n"
	done
	echo 0 >"$fake/oom_score_adj"
	cfg --arg f "$fake" '.mounts += [{"destination": "/proc/1", "type": "bind", "source": $f, "options": ["rbind", "ro"]}]
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"} | .process.oomScoreAdj = 543'
	id=$(cid)
	if ! pid=$(run_detached "$id" 2>"$BATS_TEST_TMPDIR/err"); then
		# Refusing the config is safe too, if it says why.
		[[ -s "$BATS_TEST_TMPDIR/err" ]] || fail "create failed without a message"
		no_containers
		return 0
	fi
	[[ "$(nsenter --net="/proc/$pid/ns/net" cat /proc/sys/net/ipv4/ip_forward)" == 1 ]] || fail "sysctl absorbed"
	[[ "$(cat "/proc/$pid/oom_score_adj")" == 543 ]] || fail "oomScoreAdj absorbed"
	[[ "$(cat "$fake/oom_score_adj")" == 0 ]] || fail "husk wrote to the fake /proc/1"
	# Every masked directory is a tmpfs on its own path, none landed on /tmp through the fake links.
	! awk '$5 == "/tmp"' "/proc/$pid/mountinfo" | grep -q . || fail "a masking tmpfs landed on /tmp"
	awk '$5 == "/sys/firmware"' "/proc/$pid/mountinfo" | grep -q tmpfs || fail "/sys/firmware is not masked"
}

# ---- CVE-2025-31133: /dev/null replaced by a symlink ------------------------------------------------------

@test "CVE-2025-31133: /dev/null as a symlink to /etc/hostname fails create; the target is untouched" {
	local before host_before
	setup_bundle true
	cfg 'del(.mounts[] | select(.destination == "/dev"))'
	mkdir -p "$BUNDLE/rootfs/dev"
	rm -f "$BUNDLE/rootfs/dev/null"
	ln -s /etc/hostname "$BUNDLE/rootfs/dev/null"
	echo container-hostname >"$BUNDLE/rootfs/etc/hostname"
	before=$(stat -c '%i %s %Y' "$BUNDLE/rootfs/etc/hostname")
	host_before=$(stat -c '%i %s %Y %a' /etc/hostname)
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "/dev/null is not the 1:3 character device"
	no_containers
	[[ "$(stat -c '%i %s %Y' "$BUNDLE/rootfs/etc/hostname")" == "$before" ]] || fail "the target changed"
	[[ "$(stat -c '%i %s %Y %a' /etc/hostname)" == "$host_before" ]] || fail "the host's /etc/hostname changed"
	# A regular file or another device is refused the same way.
	rm "$BUNDLE/rootfs/dev/null"
	mknod "$BUNDLE/rootfs/dev/null" c 1 5
	run_husk create --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "/dev/null is not the 1:3 character device"
	no_containers
}

# ---- CVE-2025-52565 / CVE-2026-41579: /dev or /dev/pts/ptmx a symlink, with a console ----------------------

@test "CVE-2025-52565: rootfs /dev -> /etc with a terminal: the console never touches the host" {
	local sock=$BATS_TEST_TMPDIR/tty.sock before
	setup_bundle sh -c 'echo tty-ok; tty; ls -l /dev/console'
	cfg 'del(.mounts[] | select(.destination == "/dev")) | .process.terminal = true'
	rm -rf "$BUNDLE/rootfs/dev"
	ln -s /etc "$BUNDLE/rootfs/dev"
	before=$(etc_listing)
	# With the default masked paths there is no /dev/null to mask with: a clear error.
	start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty1.out"
	run_husk run --console-socket "$sock" --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "open the container's /dev/null for masking"
	no_containers
	# Without them the container starts: every /dev path, the pty and /dev/console, lands in rootfs/etc.
	cfg '.linux.maskedPaths = []'
	start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty2.out"
	run_husk run --console-socket "$sock" --bundle "$BUNDLE" "$(cid)"
	assert_success
	wait_for grep -q "^/etc/pts/[0-9]" "$BATS_TEST_TMPDIR/tty2.out"
	[[ -e "$BUNDLE/rootfs/etc/console" && -d "$BUNDLE/rootfs/etc/pts" ]] || fail "console and pts not in the rootfs"
	[[ "$(etc_listing)" == "$before" ]] || fail "the host's /etc changed"
	[[ ! -e /etc/console && ! -e /etc/pts ]] || fail "console setup reached the host's /etc"
	! awk '$5 ~ "^/etc/(console|pts|shm|mqueue)"' /proc/self/mountinfo | grep -q . || fail "a mount landed on the host's /etc"
}

@test "CVE-2026-41579: /dev/pts/ptmx replaced by a symlink or a wrong device (no devpts) is refused" {
	local sock=$BATS_TEST_TMPDIR/tty.sock
	setup_bundle true
	cfg 'del(.mounts[] | select(.destination == "/dev" or .destination == "/dev/pts")) | .process.terminal = true'
	mkdir -p "$BUNDLE/rootfs/dev/pts"
	ln -s ../../../../../dev/ptmx "$BUNDLE/rootfs/dev/pts/ptmx"
	start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty1.out"
	run_husk create --console-socket "$sock" --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "open /dev/pts/ptmx in the container"
	no_containers
	rm "$BUNDLE/rootfs/dev/pts/ptmx"
	mknod "$BUNDLE/rootfs/dev/pts/ptmx" c 1 3
	start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty2.out"
	run_husk create --console-socket "$sock" --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "/dev/pts/ptmx is not the 5:2 pty multiplexer"
	no_containers
	! grep -q 'got fd' "$BATS_TEST_TMPDIR"/tty*.out || fail "a pty was sent to the console socket"
}

# ---- CVE-2022-29162: exec --cap and the inheritable set ---------------------------------------------------

@test "CVE-2022-29162: exec --cap CAP_SYS_ADMIN never grants it inheritable" {
	setup_bundle sleep 100
	id=$(cid)
	run_detached "$id" >/dev/null
	run_husk exec --cap CAP_SYS_ADMIN "$id" probe caps
	assert_success
	[[ "$(caps_of "$output" CapInh)" == 0000000000000000 ]] || fail "CapInh must stay empty"
	for set in CapEff CapPrm CapBnd; do
		(($(printf '%d' "0x$(caps_of "$output" $set)") & 1 << 21)) || fail "$set lacks CAP_SYS_ADMIN"
	done
	[[ "$(caps_of "$output" CapAmb)" == 0000000000000000 ]] || fail "CapAmb must stay empty"
}

# ---- CVE-2023-25809: the cgroup mount -------------------------------------------------------------------

# The attack: a container that can write its cgroup files raises its own limits (or, rootless, leaves
# them). The defence, on both layouts: the mount is read-only unless the config asks for rw. The config
# sets a pids limit so that pids.max exists in the container's cgroup on v2 too (v2 shows a controller's
# files only where the parent enabled it).
@test "CVE-2023-25809: the cgroup mount is read-only unless the config says rw" {
	local f=/sys/fs/cgroup/pids.max
	host_cgroup_unified || f=/sys/fs/cgroup/pids/pids.max
	setup_bundle probe write "$f" 5
	cfg '.linux.resources.pids = {"limit": 1000}'
	# No "ro" in the options: read-only is husk's default.
	cfg '(.mounts[] | select(.type == "cgroup") | .options) |= map(select(. != "ro" and . != "rw"))'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'Read-only file system'
	set_args probe write /sys/fs/cgroup/new-file x
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains 'Read-only file system'
	# With "rw" the container's own pids.max is writable (and only its own cgroup is there).
	cfg '(.mounts[] | select(.type == "cgroup") | .options) += ["rw"]'
	set_args sh -c "probe write $f 5 && cat $f"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals $'ok\n5'
}

# ---- exec --user and the host's /dev/null ----------------------------------------------------------------

@test "exec --user 1000:1000 never changes the owner of the host's /dev/null" {
	local before
	before=$(stat -c '%u:%g %a %i' /dev/null)
	setup_bundle sleep 100
	id=$(cid)
	run_detached "$id" >/dev/null
	run_husk exec --user 1000:1000 "$id" probe ids </dev/null
	assert_success
	assert_output_contains 'uid=1000 gid=1000'
	husk exec -d --user 1000:1000 "$id" true </dev/null >/dev/null 2>&1
	husk exec --user 1000:1000 "$id" true </dev/null >/dev/null 2>/dev/null
	[[ "$(stat -c '%u:%g %a %i' /dev/null)" == "$before" ]] || fail "/dev/null changed: $(stat -c '%u:%g %a' /dev/null)"
	run_husk exec "$id" probe stat /dev/null
	assert_output_contains 'uid=0 gid=0'
}

# ---- masked and read-only paths; husk's own state ----------------------------------------------------------

@test "default masked and read-only paths hold; the container cannot see husk's state directory" {
	local f
	setup_bundle sh -c 'for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
		[ -e $f ] && echo "$f $(probe stat $f) size=$(probe read $f | wc -c)"; done
		probe write /proc/sys/kernel/hostname x; probe write /sys/firmware/x y; ls /sys/firmware | wc -l;
		grep -c "$0" /proc/self/mountinfo; ls "$0"; true'
	cfg --arg r "$HUSK_TEST_ROOT" '.process.args[3] = $r'
	id=$(cid)
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	# Masked files are the container's /dev/null: present, empty.
	for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
		[[ -e $f ]] || continue
		assert_line_matches "^$f type=chr .* rdev=1:3 size=0$"
	done
	[[ "$(grep -c 'Read-only file system' <<<"$output")" -eq 2 ]] || fail "/proc/sys and /sys/firmware must be read-only"
	[[ "${lines[-3]}" == 0 ]] || fail "/sys/firmware is not masked by an empty tmpfs"
	[[ "${lines[-2]}" == 0 ]] || fail "husk's state directory shows in the container's mountinfo"
	assert_output_contains "ls: $HUSK_TEST_ROOT: No such file or directory"
}

# ---- sechostile: races on shared paths, hostile files, rules checked before anything exists ------------------

@test "sysctl: net.* with the host's network namespace joined by path is refused; the host value is untouched" {
	local id before
	id=$(cid)
	before=$(cat /proc/sys/net/ipv4/tcp_fin_timeout)
	setup_bundle true
	cfg --arg p "/proc/$$/ns/net" --arg v "$((before == 59 ? 58 : 59))" \
		'.linux.namespaces = [.linux.namespaces[] | select(.type != "network")] + [{"type": "network", "path": $p}]
		| .linux.sysctl = {"net.ipv4.tcp_fin_timeout": $v}'
	run_husk run --bundle "$BUNDLE" "$id"
	local after
	after=$(cat /proc/sys/net/ipv4/tcp_fin_timeout)
	[[ "$after" == "$before" ]] || { echo "$before" >/proc/sys/net/ipv4/tcp_fin_timeout; fail "the host's tcp_fin_timeout became $after"; }
	assert_failure
	assert_output_contains 'config.json: .linux.sysctl["net.ipv4.tcp_fin_timeout"]: not allowed in the host'"'"'s network namespace'
	no_trace "$id"
}

@test "sysctl: a refused sysctl fails create before any hook runs or the state directory exists, with its JSON path" {
	local id
	id=$(cid)
	setup_bundle true
	cfg --arg f "$BATS_TEST_TMPDIR/hook-ran" \
		'.hooks.prestart = [{"path": "/bin/sh", "args": ["sh", "-c", "touch \($f)"]}]
		| .hooks.createRuntime = .hooks.prestart | .linux.sysctl = {"kernel.foo": "1"}'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_equals 'husk: config.json: .linux.sysctl["kernel.foo"]: not isolated by a namespace: it would change the host'
	[[ ! -e "$BATS_TEST_TMPDIR/hook-ran" ]] || fail "a hook ran before the sysctl was refused"
	cfg '.linux.sysctl = {"net.ipv4.ip_forward": "1"} | .linux.namespaces |= map(select(.type != "network"))'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains '.linux.sysctl["net.ipv4.ip_forward"]: needs the container'"'"'s own network namespace'
	[[ ! -e "$BATS_TEST_TMPDIR/hook-ran" ]] || fail "a hook ran before the sysctl was refused"
	cfg '.linux.sysctl = {"net..x": "1"}'
	run_husk create --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains '.linux.sysctl["net..x"]: invalid sysctl name'
	[[ ! -e "$BATS_TEST_TMPDIR/hook-ran" ]] || fail "a hook ran before the sysctl was refused"
	no_trace "$id"
}

# ---- attack review: variants of issue 13's classes ------------------------------------------------------

@test "attack review: a hook from the image that never reads its stdin cannot outlast its timeout (state larger than a pipe)" {
	local id
	id=$(cid)
	setup_bundle true
	# The image's startContainer hook ignores the state on its stdin and sleeps. With the state larger
	# than a pipe (annotations of 150 kB), husk blocked in write() and never reached the hook's timeout.
	printf '#!/bin/sh\nexec sleep 100\n' >"$BUNDLE/rootfs/hook"
	chmod +x "$BUNDLE/rootfs/hook"
	head -c 150000 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
	cfg --rawfile big "$BATS_TEST_TMPDIR/big" \
		'.annotations = {"big": $big} | .hooks.startContainer = [{"path": "/hook", "timeout": 1}]'
	run timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$id" </dev/null
	[[ "$status" != 124 ]] || fail "husk run hung past the hook's 1 s timeout"
	assert_failure
	assert_output_contains "startContainer hook '/hook' timed out after 1 s"
	# the same for a hook on the host (prestart)
	cfg '.hooks = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}]}'
	run timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$id" </dev/null
	[[ "$status" != 124 ]] || fail "husk run hung past the hook's 1 s timeout"
	assert_failure
	assert_output_contains "prestart hook '/bin/sleep' timed out after 1 s"
	no_trace "$id"
}

# ---- issue 13: the runtime binary is unwritable by mechanism; fds closed before the path; signals ----------
# The attackers are tests/tools/exe-grabber.c (keeps any foreign /proc/N/exe open and writes through it once
# nothing runs it) and tests/tools/rename-swapper.c (renameat2 RENAME_EXCHANGE in a loop).

# attack_bundle ARGS...: a bundle (rw root, /out bound to $BATS_TEST_TMPDIR/out) with the attack tools in it.
attack_bundle() {
	local t
	setup_bundle "$@"
	cfg '.root.readonly = false'
	mkdir -p "$BATS_TEST_TMPDIR/out"
	cfg --arg o "$BATS_TEST_TMPDIR/out" '.mounts += [{"source": $o, "destination": "/out", "type": "bind", "options": ["rbind", "rw"]}]'
	for t in exe-grabber rename-swapper proc-watcher; do
		[[ -x "$HUSK_TOOLS/$t" ]] || fail "$t not found in '$HUSK_TOOLS': build it" || return
		cp "$HUSK_TOOLS/$t" "$BUNDLE/rootfs/bin/$t"
	done
}

# assert_not_written: the grabber never wrote, the husk copy is unchanged.
assert_not_written() {
	local log=$BATS_TEST_TMPDIR/out/log
	! grep -q '^wrote' "$log" 2>/dev/null || fail "the husk binary was written from the container: $(cat "$log")"
	assert_husk_unchanged
}

@test "CVE-2019-5736: a chain of five #! scripts ending in /proc/self/exe never exposes a writable husk" {
	local id
	husk_copy
	attack_bundle sleep 100
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/c5"
	for i in 4 3 2 1; do printf '#!/c%d\n' $((i + 1)) >"$BUNDLE/rootfs/c$i"; done
	chmod +x "$BUNDLE"/rootfs/c?
	id=$(cid)
	run_detached "$id" >/dev/null
	husk exec -d "$id" exe-grabber /out 8 </dev/null >/dev/null 2>&1
	wait_for grep -q started "$BATS_TEST_TMPDIR/out/log"
	run_husk exec "$id" /c1
	HUSK_WAIT_TIMEOUT=20 wait_for grep -q done "$BATS_TEST_TMPDIR/out/log"
	assert_not_written
}

# The early path check is racy by nature: this race is won (the issue saw 12-29 execs), made likelier by two
# swappers and a harmless program that is a #! chain the check walks (a wider window before the kernel's own
# open). Whoever wins, the husk that runs in the container is a read-only mount's or a sealed memfd's.
@test "CVE-2019-5736: a RENAME_EXCHANGE race on husk exec's program path never exposes a writable husk" {
	local id n won=0 seal
	husk_copy
	attack_bundle sleep 300
	printf '#!/proc/self/exe\n' >"$BUNDLE/rootfs/evil"
	printf '#!/v2\n' >"$BUNDLE/rootfs/victim"
	printf '#!/v3\n' >"$BUNDLE/rootfs/v2"
	printf '#!/bin/sh\nexit 0\n' >"$BUNDLE/rootfs/v3"
	chmod +x "$BUNDLE"/rootfs/{evil,victim,v2,v3}
	id=$(cid)
	run_detached "$id" >/dev/null
	husk exec -d "$id" exe-grabber /out 200 </dev/null >/dev/null 2>&1
	husk exec -d "$id" rename-swapper /victim /evil 200 </dev/null >/dev/null 2>&1
	husk exec -d "$id" rename-swapper /victim /evil 200 </dev/null >/dev/null 2>&1
	wait_for grep -q started "$BATS_TEST_TMPDIR/out/log"
	for n in $(seq 150); do
		# half of the execs through the memfd fallback (what an unprivileged husk uses)
		if ((n % 2)); then seal=; else seal=memfd; fi
		HUSK_SEAL=$seal husk exec "$id" /victim </dev/null >"$BATS_TEST_TMPDIR/o" 2>&1 || true
		# husk itself ran in the container: it complains about its arguments
		grep -q 'unknown command' "$BATS_TEST_TMPDIR/o" && won=$((won + 1))
		! grep -q '^wrote' "$BATS_TEST_TMPDIR/out/log" || break
		((won < 5)) || break
	done
	husk kill "$id" KILL
	echo "# the race was won (husk ran in the container) $won times in $n execs" >&3
	assert_not_written
}

@test "CVE-2019-5736: an entrypoint rewritten between create and start never exposes a writable husk" {
	local id pid round
	husk_copy
	attack_bundle /entry
	# no PID namespace: pid 1 ending does not end the attacker, which waits for the exe to be free
	cfg '.linux.namespaces |= map(select(.type != "pid"))'
	# husk lives a few ms as the program: on a loaded machine the grabber may miss it, so a few rounds
	for round in 1 2 3 4 5 6; do
		printf '#!/bin/sh\nexit 0\n' >"$BUNDLE/rootfs/entry"
		chmod +x "$BUNDLE/rootfs/entry"
		id=$(cid "$round")
		husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
		pid=$(husk state "$id" | jq -r .pid)
		rm -f "$BATS_TEST_TMPDIR/out/log"
		husk exec -d "$id" exe-grabber /out 6 "$pid" </dev/null >/dev/null 2>&1
		wait_for grep -q started "$BATS_TEST_TMPDIR/out/log"
		husk exec "$id" sh -c 'printf "#!/proc/self/exe\n" >/entry' </dev/null
		husk start "$id" >/dev/null 2>&1 || true
		HUSK_WAIT_TIMEOUT=20 wait_for grep -q done "$BATS_TEST_TMPDIR/out/log"
		assert_not_written
		husk delete --force "$id"
		! grep -q '^opened' "$BATS_TEST_TMPDIR/out/log" || break
	done
	grep -q '^opened' "$BATS_TEST_TMPDIR/out/log" || fail "the attack never caught husk in 6 rounds: $(cat "$BATS_TEST_TMPDIR/out/log")"
}

@test "CVE-2019-5736: a fake /proc in the container neither blocks a harmless exec nor hides husk" {
	local id
	setup_bundle sleep 100
	cfg '.root.readonly = false | .process.capabilities.bounding += ["CAP_SYS_ADMIN"]
		| .process.capabilities.effective += ["CAP_SYS_ADMIN"] | .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	id=$(cid)
	run_detached "$id" >/dev/null
	# a tmpfs over /proc whose self/exe names busybox: the old check, reading husk's identity there, refused
	husk exec "$id" sh -c 'mkdir -p /realproc && mount -t proc proc /realproc && mount -t tmpfs t /proc &&
		mkdir /proc/self && ln -s /bin/busybox /proc/self/exe'
	run_husk exec "$id" true
	assert_success
	run_husk exec "$id" /realproc/self/exe
	assert_failure
	assert_output_contains 'CVE-2019-5736'
}

@test "CVE-2019-5736: a created container's pid 1 runs husk from a read-only mount, or a sealed memfd" {
	local id pid seal out=$BATS_TEST_TMPDIR/out
	husk_copy
	setup_bundle true
	mkdir "$out"
	[[ -x "$HUSK_TOOLS/exe-grabber" ]] || fail "exe-grabber not found in '$HUSK_TOOLS': build it"
	for seal in mount memfd; do
		id=$(cid "$seal")
		HUSK_SEAL=$seal husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
		pid=$(husk state "$id" | jq -r .pid)
		# the grabber, run as the host's root, holds pid 1's exe, kills it, then writes through the fd
		: >"$out/log"
		"$HUSK_TOOLS/exe-grabber" "$out" 2 "$pid"
		grep -q '^opened' "$out/log" || fail "the exe of pid 1 was not opened: $(cat "$out/log")"
		! grep -q '^wrote' "$out/log" || fail "pid 1's exe was written: $(cat "$out/log")"
		if [[ $seal == mount ]]; then
			grep -q 'Read-only file system' "$out/log" || fail "$(cat "$out/log")"
		else
			grep -q 'Operation not permitted' "$out/log" || fail "$(cat "$out/log")"
		fi
		husk delete --force "$id"
	done
	assert_husk_unchanged
}

# As root, husk moves its running image onto a read-only clone of its mount without an exec (runtime/sealed.c):
# every mapping of the binary is replaced, then /proc/self/exe. A mapping left on the host's file would be as
# good as the exe to an attacker with CAP_SYS_ADMIN (/proc/PID/map_files). HUSK_SEAL=exec takes the re-exec
# the move falls back to. The pre-issue husk fails this: its mappings are the writable host binary.
@test "CVE-2019-5736: no mapping of a created container's pid 1 is the writable husk binary (map_files)" {
	local id pid seal out=$BATS_TEST_TMPDIR/out
	husk_copy
	setup_bundle true
	mkdir "$out"
	[[ -x "$HUSK_TOOLS/exe-grabber" ]] || fail "exe-grabber not found in '$HUSK_TOOLS': build it"
	for seal in mount exec; do
		id=$(cid "$seal")
		HUSK_SEAL=$seal husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
		pid=$(husk state "$id" | jq -r .pid)
		: >"$out/log"
		"$HUSK_TOOLS/exe-grabber" "$out" 2 "$pid" maps
		# the text, read-only data and headers at least (the relocated data is a copy: see the next test)
		(($(grep -c '^opened .* map ' "$out/log") >= 3)) || fail "$seal: mappings not grabbed: $(cat "$out/log")"
		! grep -q '^wrote' "$out/log" || fail "$seal: pid 1's image was written: $(cat "$out/log")"
		! grep '^refused' "$out/log" | grep -vq 'Read-only file system' || fail "$seal: $(cat "$out/log")"
		husk delete --force "$id"
	done
	assert_husk_unchanged
}

# The move makes husk's writable segment (its relocated data, the GOT) a private mapping of a memfd copy
# (runtime/sealed.c:stage_pieces), so that file too is open to a holder of CAP_SYS_ADMIN through
# /proc/PID/map_files: written, it would rewrite the data of every husk process mapping it. It is sealed
# against writes; every other mode's mappings are the image itself. Fails without F_SEAL_WRITE.
@test "CVE-2019-5736: no file mapped by a created container's pid 1 can be written, the data segment's copy too (map_files)" {
	local id pid seal out=$BATS_TEST_TMPDIR/out
	husk_copy
	setup_bundle true
	mkdir "$out"
	[[ -x "$HUSK_TOOLS/exe-grabber" ]] || fail "exe-grabber not found in '$HUSK_TOOLS': build it"
	for seal in mount exec memfd; do
		id=$(cid "$seal")
		HUSK_SEAL=$seal husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null
		pid=$(husk state "$id" | jq -r .pid)
		: >"$out/log"
		"$HUSK_TOOLS/exe-grabber" "$out" 2 "$pid" allmaps
		if [[ $seal == mount ]]; then
			grep -q '^opened .* other ' "$out/log" || fail "mount: the data segment's copy was not grabbed: $(cat "$out/log")"
		fi
		! grep -q '^wrote' "$out/log" || fail "$seal: a file mapped by pid 1 was written: $(cat "$out/log")"
		(($(grep -c '^refused' "$out/log") == $(grep -c '^opened' "$out/log"))) ||
			fail "$seal: $(cat "$out/log")"
		husk delete --force "$id"
	done
	assert_husk_unchanged
}

@test "issue 13: exec /proc/self/fd/7/prog with a host directory on fd 7 cannot run the host's program" {
	local id
	setup_bundle sleep 100
	id=$(cid)
	run_detached "$id" >/dev/null
	# a host program (static, so it would run in the container as is)
	mkdir "$BATS_TEST_TMPDIR/hostdir"
	cp "$HUSK_PROBE" "$BATS_TEST_TMPDIR/hostdir/prog"
	exec 7<"$BATS_TEST_TMPDIR/hostdir"
	run_husk exec "$id" /proc/self/fd/7/prog fds
	exec 7<&-
	assert_failure
	[[ "$output" != "0 1 2"* ]] || fail "the host's program ran in the container: $output"
	# and as cwd: no host fd is open when the cwd is resolved
	exec 7<"$BATS_TEST_TMPDIR/hostdir"
	run_husk exec --cwd /proc/self/fd/7 "$id" ./prog fds
	exec 7<&-
	assert_failure
	[[ "$output" != "0 1 2"* ]] || fail "the host's program ran in the container: $output"
}

@test "issue 13: a stale LISTEN_FDS (LISTEN_PID not husk's) passes no fd; an addressed one does" {
	setup_bundle sh -c 'probe fds | head -n 1; env | grep -c ^LISTEN_FDS= || true'
	run bash -c 'LISTEN_FDS=1 LISTEN_PID=1 exec "$0" --root "$1" run --bundle "$2" "$3" 3<"$4"' \
		"$HUSK" "$HUSK_TEST_ROOT" "$BUNDLE" "$(cid a)" "$BATS_TEST_TMPDIR"
	assert_success
	[[ "${lines[0]}" == "0 1 2" ]] || fail "a stale LISTEN_FDS passed fds: ${lines[0]}"
	[[ "${lines[1]}" == 0 ]]
	run bash -c 'unset LISTEN_PID; LISTEN_FDS=1 exec "$0" --root "$1" run --bundle "$2" "$3" 3<"$4"' \
		"$HUSK" "$HUSK_TEST_ROOT" "$BUNDLE" "$(cid b)" "$BATS_TEST_TMPDIR"
	assert_success
	[[ "${lines[0]}" == "0 1 2" ]] || fail "LISTEN_FDS without LISTEN_PID passed fds: ${lines[0]}"
	# bash's $$ is the pid husk gets from exec
	run bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$0" --root "$1" run --bundle "$2" "$3" 3</etc/hostname' \
		"$HUSK" "$HUSK_TEST_ROOT" "$BUNDLE" "$(cid c)"
	assert_success
	[[ "${lines[0]}" == "0 1 2 3" ]] || fail "LISTEN_FDS addressed to husk did not pass fd 3: ${lines[0]}"
	[[ "${lines[1]}" == 1 ]]
}

@test "issue 13: exec's oom_score_adj reaches the real file under a /proc of bind-mounted procfs files" {
	local id
	setup_bundle sleep 100
	cfg '.root.readonly = false | .process.oomScoreAdj = 512 | .linux.readonlyPaths = [] | .linux.maskedPaths = []
		| .process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"]
		| .process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	id=$(cid)
	run_detached "$id" >/dev/null
	# /proc/self/oom_score_adj becomes kernel.msgmax (of the container's own IPC namespace: harmless here,
	# but a host-wide sysctl the same way would be written with husk's full privileges)
	husk exec "$id" sh -c 'mkdir -p /realproc && mount -t proc proc /realproc && mount -t tmpfs t /proc &&
		mkdir /proc/self && touch /proc/self/oom_score_adj &&
		mount --bind /realproc/sys/kernel/msgmax /proc/self/oom_score_adj'
	before=$(husk exec "$id" cat /realproc/sys/kernel/msgmax)
	run_husk exec "$id" sh -c 'cat /realproc/sys/kernel/msgmax; cat /realproc/self/oom_score_adj'
	assert_success
	[[ "${lines[0]}" == "$before" ]] || fail "the write went to kernel.msgmax: ${lines[0]} (was $before)"
	[[ "${lines[1]}" == 512 ]] || fail "oom_score_adj is '${lines[1]}', not 512"
}

@test "issue 19: ignored signals and the signal mask of husk's caller do not reach the program" {
	setup_bundle grep -E '^Sig(Ign|Blk):' /proc/self/status
	# a systemd service runs with SIGPIPE ignored; SIG_IGN survives execve unless reset
	run bash -c 'trap "" PIPE HUP USR1; exec "$0" --root "$1" run --bundle "$2" "$3"' \
		"$HUSK" "$HUSK_TEST_ROOT" "$BUNDLE" "$(cid a)"
	assert_success
	[[ "$output" == *"SigIgn:"*"0000000000000000"* ]] || fail "ignored signals reached the container: $output"
	[[ "$output" == *"SigBlk:"*"0000000000000000"* ]] || fail "blocked signals reached the container: $output"
	cfg '.process.args = ["sleep", "100"]'
	id=$(cid b)
	run_detached "$id" >/dev/null
	run bash -c 'trap "" PIPE; exec "$0" --root "$1" exec "$2" grep -E "^Sig(Ign|Blk):" /proc/self/status' \
		"$HUSK" "$HUSK_TEST_ROOT" "$id"
	assert_success
	[[ "$output" == *"SigIgn:"*"0000000000000000"* ]] || fail "ignored signals reached the exec'd process: $output"
}

@test "issue 13: a #! interpreter that is a FIFO or a device neither hangs husk nor is read without end" {
	local id rc
	setup_bundle sleep 100
	cfg '.root.readonly = false'
	mkfifo "$BUNDLE/rootfs/fifo"
	printf '#!/fifo\n' >"$BUNDLE/rootfs/s1"
	printf '#!/dev/zero\n' >"$BUNDLE/rootfs/s2"
	chmod +x "$BUNDLE/rootfs/s1" "$BUNDLE/rootfs/s2"
	id=$(cid)
	run_detached "$id" >/dev/null
	# output to files, not bats' run: a hung exec child would hold its pipe open after timeout ends husk
	for s in s1 s2; do
		rc=0
		timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" exec "$id" /$s </dev/null >"$BATS_TEST_TMPDIR/o" 2>&1 || rc=$?
		((rc != 124)) || fail "husk exec hung on the interpreter of /$s"
		((rc != 0)) || fail "husk exec of /$s succeeded"
	done
	# the entrypoint too: create checks it (and may succeed, as runc's does); start then fails
	cfg '.process.args = ["/s1"]'
	id=$(cid b)
	rc=0
	timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1 || rc=$?
	((rc != 124)) || fail "husk create hung on a FIFO interpreter"
	if ((rc == 0)); then
		rc=0
		timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" start "$id" </dev/null >/dev/null 2>&1 || rc=$?
		((rc != 124)) || fail "husk start hung on a FIFO interpreter"
		((rc != 0)) || fail "husk start of /s1 succeeded"
	fi
}

# ---- sechostile (continued): pid file, --log, hostile files, device nodes ------------------------------------

@test "pid file: a hard link or a FIFO planted at its temporary names neither truncates a host file nor hangs husk" {
	local id dir victim n
	id=$(cid)
	setup_bundle sleep 100
	dir=$BATS_TEST_TMPDIR/shared
	mkdir -p "$dir"
	victim=$BATS_TEST_TMPDIR/victim
	echo "host secret" >"$victim"
	# every temporary name husk ever used or a reader might guess: hard links to the victim
	for n in .pid.tmp pid.tmp; do
		ln "$victim" "$dir/$n"
	done
	# the container's stdio in a file: its waiting init must not hold bats' output pipe
	timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" create --pid-file "$dir/pid" --bundle "$BUNDLE" "$id" \
		>"$BATS_TEST_TMPDIR/create.out" 2>&1 3>&- || fail "create: $(cat "$BATS_TEST_TMPDIR/create.out")"
	[[ "$(cat "$victim")" == "host secret" ]] || fail "the host file became '$(cat "$victim")'"
	[[ "$(cat "$dir/pid")" == "$(husk state "$id" | jq -r .pid)" ]] || fail "wrong pid file"
	rm -f "$dir"/.pid.tmp "$dir"/pid.tmp "$dir/pid"
	for n in .pid.tmp pid.tmp; do
		mkfifo "$dir/$n"
	done
	timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" exec -d --pid-file "$dir/pid" "$id" sleep 50 \
		>"$BATS_TEST_TMPDIR/exec.out" 2>&1 3>&- || fail "exec: $(cat "$BATS_TEST_TMPDIR/exec.out")"
	[[ -s "$dir/pid" ]] || fail "no exec pid file"
	husk delete --force "$id"
	no_trace "$id"
}

@test "--log: a FIFO without a reader fails husk at once with the path; a symlink to a file is followed (as runc)" {
	local id
	id=$(cid)
	mkfifo "$BATS_TEST_TMPDIR/log.fifo"
	SECONDS=0
	run timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" --log "$BATS_TEST_TMPDIR/log.fifo" state "$id"
	((SECONDS < 10)) || fail "husk waited ${SECONDS}s on the FIFO"
	assert_failure
	assert_output_contains "open log file '$BATS_TEST_TMPDIR/log.fifo'"
	touch "$BATS_TEST_TMPDIR/real.log"
	ln -s "$BATS_TEST_TMPDIR/real.log" "$BATS_TEST_TMPDIR/link.log"
	run "$HUSK" --root "$HUSK_TEST_ROOT" --log "$BATS_TEST_TMPDIR/link.log" state "$id"
	assert_failure
	grep -q "does not exist" "$BATS_TEST_TMPDIR/real.log" || fail "no record through the symlink"
}

@test "hostile files: a config.json that is a FIFO fails create at once" {
	local id
	id=$(cid)
	setup_bundle true
	rm "$BUNDLE/config.json"
	mkfifo "$BUNDLE/config.json"
	SECONDS=0
	run timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" create --bundle "$BUNDLE" "$id"
	((SECONDS < 10)) || fail "create waited ${SECONDS}s on the FIFO"
	assert_failure
	assert_output_contains "config.json': not a regular file"
	no_trace "$id"
}

@test "hostile files: image /etc/passwd and /etc/group as FIFOs or links to /dev/zero never hang or grow the init" {
	local id kind
	id=$(cid)
	setup_bundle sh -c 'echo "HOME=$HOME"'
	# a limit so that an init reading /dev/zero without bound dies here, not on the host
	cfg '.linux.resources.memory.limit = 67108864 | .process.env |= map(select(startswith("HOME=") | not))'
	for kind in fifo zero; do
		rm -f "$BUNDLE/rootfs/etc/passwd" "$BUNDLE/rootfs/etc/group"
		if [[ $kind == fifo ]]; then
			mkfifo "$BUNDLE/rootfs/etc/passwd" "$BUNDLE/rootfs/etc/group"
		else
			ln -s /dev/zero "$BUNDLE/rootfs/etc/passwd"
			ln -s /dev/zero "$BUNDLE/rootfs/etc/group"
		fi
		SECONDS=0
		run timeout 30 "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$id" 3>&-
		((SECONDS < 20)) || fail "$kind: run took ${SECONDS}s"
		assert_success
		assert_output_equals "HOME=/"
	done
	husk delete --force "$id" 2>/dev/null || true
	no_trace "$id"
}

@test "hostile files: exec and create --console-socket to a listener that never accepts time out with a clear error" {
	local id sock
	id=$(cid)
	sock=$BATS_TEST_TMPDIR/deaf.sock
	[[ -x "$HUSK_TOOLS/deaf-listener" ]] || fail "deaf-listener not found in '$HUSK_TOOLS': build it"
	"$HUSK_TOOLS/deaf-listener" "$sock" >"$BATS_TEST_TMPDIR/deaf.out" 2>&1 &
	KILL_PIDS+=($!)
	wait_for grep -q ready "$BATS_TEST_TMPDIR/deaf.out"
	setup_bundle sleep 100
	create_quiet "$id" || fail "create: $(cat "$BATS_TEST_TMPDIR/$id.out")"
	SECONDS=0
	run timeout 30 "$HUSK" --root "$HUSK_TEST_ROOT" exec -d -t --console-socket "$sock" "$id" true
	((SECONDS < 20)) || fail "exec took ${SECONDS}s"
	assert_failure
	assert_output_contains "connect to the console socket at '$sock': timed out after 5 s: the listener does not accept"
	husk delete --force "$id"
	cfg '.process.terminal = true'
	SECONDS=0
	run timeout 30 "$HUSK" --root "$HUSK_TEST_ROOT" create --console-socket "$sock" --bundle "$BUNDLE" "$id"
	((SECONDS < 20)) || fail "create took ${SECONDS}s"
	assert_failure
	assert_output_contains "timed out after 5 s"
	no_trace "$id"
}

@test "devices: a volume shared at the device's directory, its name raced to a symlink to a host file, never changes the file's mode" {
	local vol victim racer i
	vol=$BATS_TEST_TMPDIR/vol
	victim=$BATS_TEST_TMPDIR/host-secret
	mkdir -p "$vol"
	echo secret >"$victim"
	chmod 0600 "$victim"
	setup_bundle true
	cfg --arg v "$vol" '.mounts += [{"source": $v, "destination": "/dev/shared", "options": ["bind"]}]
		| .linux.devices = [{"path": "/dev/shared/x", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]'
	# what another container writing the volume can do: swap the node's name for a symlink, forever
	[[ -x "$HUSK_TOOLS/symlink-racer" ]] || fail "symlink-racer not found in '$HUSK_TOOLS': build it"
	"$HUSK_TOOLS/symlink-racer" "$vol/x" "$victim" &
	racer=$!
	KILL_PIDS+=("$racer")
	for i in $(seq 60); do
		"$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid "$i")" >/dev/null 2>&1 3>&- || true
		[[ "$(stat -c %a "$victim")" == 600 ]] || break
	done
	kill "$racer"
	wait "$racer" 2>/dev/null || true
	[[ "$(stat -c %a "$victim")" == 600 ]] || fail "the host file became $(stat -c %a "$victim") after $i creates"
	[[ "$(cat "$victim")" == secret ]] || fail "the host file changed"
}

@test "devices: a device path of \"/dev/x/..\", \"/dev/\", \"/\" or \"/dev/./null\" fails create with its JSON path" {
	local id p
	id=$(cid)
	setup_bundle true
	for p in /dev/x/.. /dev/ / /dev/./null; do
		cfg --arg p "$p" '.linux.devices = [{"path": $p, "type": "c", "major": 1, "minor": 3}]'
		run_husk create --bundle "$BUNDLE" "$id"
		assert_failure
		assert_output_contains 'config.json: .linux.devices[0].path: expected a path to a file'
	done
	no_trace "$id"
}

# ---- sec13: namespace paths, hooks running husk, read-only remounts ----------------------------------------

@test "hostile files: linux.namespaces[].path naming a FIFO, socket, file, directory, /dev/zero or another type fails at once" {
	local id kind path idx sock=$BATS_TEST_TMPDIR/ns.sock
	id=$(cid)
	setup_bundle true
	[[ -x "$HUSK_TOOLS/deaf-listener" ]] || fail "deaf-listener not found in '$HUSK_TOOLS': build it"
	"$HUSK_TOOLS/deaf-listener" "$sock" >"$BATS_TEST_TMPDIR/deaf.out" 2>&1 &
	KILL_PIDS+=($!)
	wait_for grep -q ready "$BATS_TEST_TMPDIR/deaf.out"
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	echo x >"$BATS_TEST_TMPDIR/file"
	idx=$(jq '.linux.namespaces | map(.type) | index("network")' "$BUNDLE/config.json")
	for kind in fifo socket file dir zero pidns; do
		case $kind in
		fifo) path=$BATS_TEST_TMPDIR/fifo ;;
		socket) path=$sock ;;
		file) path=$BATS_TEST_TMPDIR/file ;;
		dir) path=$BATS_TEST_TMPDIR ;;
		zero) path=/dev/zero ;;
		pidns) path=/proc/self/ns/pid ;; # a namespace file, of the wrong type
		esac
		cfg --arg p "$path" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
		SECONDS=0
		# before: open(O_RDONLY) of the FIFO waited for a writer for ever
		run timeout 20 "$HUSK" --root "$HUSK_TEST_ROOT" create --bundle "$BUNDLE" "$id" </dev/null
		((SECONDS < 10)) || fail "$kind: create waited ${SECONDS}s"
		assert_failure
		assert_output_contains "config.json: .linux.namespaces[$idx].path: \"$path\""
		no_trace "$id"
		no_containers
	done
}

# A hook that resolves to husk runs husk in the container's namespaces: a startContainer hook comes from the
# image (a symlink to /proc/self/exe, or a #! chain ending there), a createContainer hook runs in them too.
# The attacker is a second container B shares its PID namespace with (or the image's own processes), whose
# exe-grabber holds the hook's /proc/PID/exe. It SIGKILLs what it grabs (tests/tools/exe-grabber.c), which is
# why the hook "got SIGKILLed" under bats: the hook's failure is the proof the attack reached husk. The
# mechanism holds: the hook is a fork of the init, so /proc/self/exe there is the sealed image.
@test "CVE-2019-5736: a hook that is husk (symlink to /proc/self/exe, #! chain, createContainer) never exposes a writable husk" {
	local a b apid kind seal round hook cap out=$BATS_TEST_TMPDIR/out bb=$BATS_TEST_TMPDIR/b
	husk_copy
	attack_bundle sleep 300
	a=$(cid a)
	apid=$(run_detached "$a")
	make_bundle "$bb" true
	ln -s /proc/self/exe "$bb/rootfs/hook"
	printf '#!/h2\n' >"$bb/rootfs/h1"
	printf '#!/proc/self/exe\n' >"$bb/rootfs/h2"
	chmod +x "$bb/rootfs/h1" "$bb/rootfs/h2"
	for kind in symlink chain create; do
		for seal in mount memfd; do
			case $kind in
			symlink) hook='{"startContainer": [{"path": "/hook", "args": ["hook", "state"]}]}' ;;
			chain) hook='{"startContainer": [{"path": "/h1", "args": ["h1", "state"]}]}' ;;
			create) hook='{"createContainer": [{"path": "/proc/self/exe", "args": ["husk", "state"]}]}' ;;
			esac
			jq --argjson h "$hook" --arg p "/proc/$apid/ns/pid" '.hooks = $h
				| .linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
				"$bb/config.json" >"$bb/config.json.new" && mv "$bb/config.json.new" "$bb/config.json"
			rm -f "$out/log" "$out/stop"
			# the createContainer hook holds every capability (the init's, before the user switch): only
			# a grabber with CAP_SYS_PTRACE may open its exe; that one catches the init first
			cap=()
			[[ $kind != create ]] || cap=(--cap CAP_SYS_PTRACE)
			# it watches until the rounds are over (out/stop): under TCG (tests/vm) one round can take
			# longer than a fixed few seconds
			husk exec -d "${cap[@]}" "$a" exe-grabber /out 300 </dev/null >/dev/null 2>&1
			wait_for grep -q started "$out/log"
			for round in 1 2 3 4 5 6 7 8; do
				b=$(cid "b-$kind-$seal-$round")
				HUSK_SEAL=$seal husk create --bundle "$bb" "$b" </dev/null >"$BATS_TEST_TMPDIR/b.out" 2>&1 &&
					HUSK_SEAL=$seal husk start "$b" >>"$BATS_TEST_TMPDIR/b.out" 2>&1 || true
				husk delete --force "$b" 2>/dev/null || true
				! grep -q '^opened' "$out/log" || break
			done
			touch "$out/stop"
			HUSK_WAIT_TIMEOUT=20 wait_for grep -q done "$out/log"
			echo "# $kind/$seal: $(grep -c '^opened' "$out/log") grabbed in $round rounds; $(grep '^refused' "$out/log")" >&3
			grep -q '^opened' "$out/log" || fail "$kind/$seal: the hook's husk was never caught: $(cat "$out/log" "$BATS_TEST_TMPDIR/b.out")"
			[[ $kind == create ]] || grep -q 'killed by signal 9' "$BATS_TEST_TMPDIR/b.out" ||
				fail "$kind/$seal: the grabbed husk was not the hook: $(cat "$BATS_TEST_TMPDIR/b.out")"
			assert_not_written
			if [[ $seal == mount ]]; then
				grep -q '^refused.*Read-only file system' "$out/log" || fail "$(cat "$out/log")"
			else
				grep -q '^refused.*Operation not permitted' "$out/log" || fail "$(cat "$out/log")"
			fi
		done
	done
	husk kill "$a" KILL
}

# NVIDIAScape (CVE-2025-23266): a createContainer hook is a host program run as root in the rootfs, before
# pivot_root (the host's / around it). The image sets the env, so an env that reached the hook ran the
# image's code there: LD_PRELOAD of a library in the rootfs (through /proc/self/cwd), a PATH whose first
# directory is the image's (the hook calls a command by name), BASH_ENV (bash sources it first). All at
# once, against a bash script, a shell calling commands by name and a dynamic binary.
@test "CVE-2025-23266: the image's env (LD_PRELOAD from its rootfs, PATH, BASH_ENV) never runs code in a createContainer hook" {
	local id mark=$BATS_TEST_TMPDIR/owned log=$BATS_TEST_TMPDIR/hook.log cc c
	cc=$(command -v cc || command -v gcc) || skip "no C compiler to build the image's library"
	id=$(cid)
	setup_bundle /bin/true
	cat >"$BATS_TEST_TMPDIR/evil.c" <<-EOF
		#include <fcntl.h>
		#include <unistd.h>
		__attribute__((constructor)) static void own(void)
		{
			int fd = open("$mark", O_WRONLY | O_CREAT | O_APPEND, 0644);
			if (fd >= 0 && write(fd, "preload\n", 8) < 0)
				close(fd);
		}
	EOF
	"$cc" -shared -fPIC -o "$BUNDLE/rootfs/evil.so" "$BATS_TEST_TMPDIR/evil.c"
	mkdir "$BUNDLE/rootfs/evilbin"
	for c in true cat env id; do
		printf '#!/bin/sh\necho "path %s" >>%s\n' "$c" "$mark" >"$BUNDLE/rootfs/evilbin/$c"
		chmod +x "$BUNDLE/rootfs/evilbin/$c"
	done
	printf 'echo bash_env >>%s\n' "$mark" >"$BUNDLE/rootfs/evil.sh"
	cat >"$BATS_TEST_TMPDIR/hook.sh" <<-EOF
		#!/bin/bash
		cat >/dev/null
		true; env >/dev/null; id -u >/dev/null
		echo "ran in \$(pwd)" >>"$log"
	EOF
	chmod +x "$BATS_TEST_TMPDIR/hook.sh"
	cfg --arg h "$BATS_TEST_TMPDIR/hook.sh" --arg l "$log" '.process.env = [
			"PATH=/proc/self/cwd/evilbin:/usr/sbin:/usr/bin:/sbin:/bin", "LD_PRELOAD=/proc/self/cwd/evil.so",
			"BASH_ENV=/proc/self/cwd/evil.sh", "ENV=/proc/self/cwd/evil.sh"]
		| .hooks.createContainer = [{"path": $h},
			{"path": "/bin/sh", "args": ["sh", "-c", "true; cat </dev/null; echo sh >>\($l)"]}, {"path": "/bin/true"}]'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	run cat "$log"
	assert_line_matches "^ran in $BUNDLE/rootfs\$"
	assert_line_matches '^sh$'
	[[ ! -e "$mark" ]] || fail "the image's code ran in a createContainer hook: $(cat "$mark")"
}

# The read-only step of a read-only tmpfs (or /dev) comes after the rootfs is filled. It used to find the
# mount again by its path: a process sharing the volume the tmpfs sits in (another container) renames the
# directory under it, which detaches the tmpfs in the new container's namespace, and makes a new directory;
# the path then led to the volume's own bind mount, which was made read-only instead. Now the read-only
# step acts on the fd of the tmpfs mount itself (a detached one fails create).
@test "read-only mounts: a tmpfs on a shared volume, its directory swapped under it, never turns another mount read-only" {
	local vol=$BATS_TEST_TMPDIR/vol swapper i won=0 failed=0
	mkdir "$vol"
	# the volume's own mount (the first on /vol: a mount may land on top of it when /vol/t is a symlink at
	# mount time, which is the symlink's doing, in the root) must stay rw
	setup_bundle sh -c 'echo "vol=$(grep -m1 " /vol " /proc/self/mountinfo | cut -d" " -f6 | cut -c1-2)"
		grep -q " /vol/t ro," /proc/self/mountinfo && echo t-readonly; true'
	cfg --arg v "$vol" '.mounts += [{"source": $v, "destination": "/vol", "type": "bind", "options": ["rbind", "rw"]},
		{"source": "tmpfs", "destination": "/vol/t", "type": "tmpfs", "options": ["ro", "nosuid", "nodev"]}]'
	# without the attacker: the volume is writable, the tmpfs read-only
	run_husk run --bundle "$BUNDLE" "$(cid 0)" 3>&-
	assert_success
	assert_output_equals $'vol=rw\nt-readonly'
	[[ -x "$HUSK_TOOLS/mount-swapper" ]] || fail "mount-swapper not found in '$HUSK_TOOLS': build it"
	"$HUSK_TOOLS/mount-swapper" "$vol/t" /vol &
	swapper=$!
	KILL_PIDS+=("$swapper")
	for i in $(seq 80); do
		run timeout 30 "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid "$i")" 3>&-
		if [[ $status == 0 ]]; then
			[[ "$output" == *vol=rw* ]] || won=$((won + 1))
		else
			failed=$((failed + 1))
		fi
		((won == 0)) || break
	done
	kill "$swapper"
	wait "$swapper" 2>/dev/null || true
	echo "# $i runs: $failed failed (a detached mount), the volume was made read-only $won times" >&3
	((won == 0)) || fail "the volume's mount /vol was made read-only in place of the tmpfs (run $i): $output"
}

@test "tmpcopyup: a volume's entries raced to a FIFO, a device and symlinks to the host are never opened, followed or copied" {
	local vol=$BATS_TEST_TMPDIR/vol victim=$BATS_TEST_TMPDIR/victim hostdir=$BATS_TEST_TMPDIR/hostdir
	local log=$BATS_TEST_TMPDIR/opens swapper i failed=0
	mkdir -p "$vol/t" "$hostdir"
	echo on-the-host-only >"$victim"
	echo on-the-host-only >"$hostdir/inner"
	# the new container copies /vol/t into its tmpfs and says which copy holds the host's content
	setup_bundle sh -c 'grep -l on-the-host-only /vol/t/* /vol/t/d/* 2>/dev/null | sed "s/^/copied: /"; true'
	cfg --arg v "$vol" '.mounts += [{"source": $v, "destination": "/vol", "type": "bind", "options": ["rbind", "rw"]},
		{"source": "tmpfs", "destination": "/vol/t", "type": "tmpfs", "options": ["tmpcopyup", "nosuid"]}]'
	# another container sharing the volume exchanges /vol/t/f and /vol/t/d for hostile entries, forever
	[[ -x "$HUSK_TOOLS/entry-swapper" ]] || fail "entry-swapper not found in '$HUSK_TOOLS': build it"
	"$HUSK_TOOLS/entry-swapper" "$vol/t" "$victim" "$hostdir" "$log" &
	swapper=$!
	KILL_PIDS+=("$swapper")
	# the swapper aims at the entry after the last one opened: before the fix it won within 10-27 runs (a
	# device opened), and a copy without O_NONBLOCK hung on the FIFO within 15
	for i in $(seq 60); do
		run timeout 30 "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid "$i")" 3>&-
		((status != 124)) || fail "run $i hung: $output"
		((status == 0)) || failed=$((failed + 1))
		[[ "$output" != *copied:* ]] || fail "run $i copied a host file into the container: $output"
		[[ ! -s "$log" ]] || break
	done
	kill "$swapper"
	wait "$swapper" 2>/dev/null || true
	echo "# $i runs, $failed failed (an entry changed under the copy)" >&3
	[[ ! -s "$log" ]] || fail "husk opened a hostile entry in run $i: $(cat "$log")"
	[[ "$(cat "$victim")" == on-the-host-only ]] || fail "the host file changed"
}

@test "tmpcopyup: a tree nested deeper than 1024 directories fails clearly (it crashed the init); 300 levels are copied" {
	local vol=$BATS_TEST_TMPDIR/vol i
	mkdir -p "$vol/t"
	(cd "$vol/t" && for i in $(seq 300); do mkdir a && cd a || exit; done && echo deep >f)
	setup_bundle sh -c 'cat /vol/t'"$(printf '/a%.0s' $(seq 300))"'/f'
	cfg --arg v "$vol" '.mounts += [{"source": $v, "destination": "/vol", "type": "bind", "options": ["rbind", "rw"]},
		{"source": "tmpfs", "destination": "/vol/t", "type": "tmpfs", "options": ["tmpcopyup", "nosuid"]}]'
	run_husk run --bundle "$BUNDLE" "$(cid 1)" 3>&-
	assert_success
	assert_output_equals deep
	(cd "$vol/t" && for i in $(seq 1100); do cd a 2>/dev/null || { mkdir a && cd a; } || exit; done)
	ulimit -n "$(ulimit -Hn)"
	run_husk run --bundle "$BUNDLE" "$(cid 2)" 3>&-
	assert_failure
	assert_output_contains "mount '/vol/t': tmpcopyup: "
	refute_output_contains "sync:"
	no_containers
}

# ---- attack review: a husk process in the container's PID namespace, at every moment before its execve ---
# The attacker is tests/tools/proc-watcher.c: it spins over /proc and, for every process that is not one of
# the container's own programs (by comm), opens /proc/PID/{exe,root,cwd,mem,environ} and each fd/N, tries
# PTRACE_SEIZE, and reads a 0600 host file through every directory it reaches.

# watcher_bundle PIDNS_PATH: a second bundle, $BATS_TEST_TMPDIR/w, whose container (root, no
# user namespace, default capabilities) joins PIDNS_PATH and runs the watcher until $BATS_TEST_TMPDIR/out/stop.
watcher_bundle() {
	local w=$BATS_TEST_TMPDIR/w
	make_bundle "$w" proc-watcher /out 60 "$BATS_TEST_TMPDIR/secret" sleep sh true proc-watcher
	cp "$HUSK_TOOLS/proc-watcher" "$w/rootfs/bin/" || fail "proc-watcher not found in '$HUSK_TOOLS': build it"
	mkdir -p "$BATS_TEST_TMPDIR/out"
	echo "host-secret-$$" >"$BATS_TEST_TMPDIR/secret"
	chmod 600 "$BATS_TEST_TMPDIR/secret"
	jq --arg p "$1" --arg o "$BATS_TEST_TMPDIR/out" '.linux.namespaces = [(.linux.namespaces[] | select(.type != "pid")),
		{"type": "pid", "path": $p}] | .mounts += [{"source": $o, "destination": "/out", "type": "bind", "options": ["rbind", "rw"]}]' \
		"$w/config.json" >"$w/config.new" && mv "$w/config.new" "$w/config.json"
}

# watcher_saw N: the watcher has seen N husk processes or more.
watcher_saw() {
	(($(grep -c '^seen ' "$BATS_TEST_TMPDIR/out/log") >= $1))
}

# watcher_verdict MIN_SEEN: the watcher saw at least MIN_SEEN husk processes and reached nothing of them.
watcher_verdict() {
	local log=$BATS_TEST_TMPDIR/out/log seen
	touch "$BATS_TEST_TMPDIR/out/stop"
	wait_for grep -qx done "$log"
	seen=$(grep -c '^seen ' "$log")
	echo "# the watcher saw $seen husk processes" >&3
	((seen >= $1)) || fail "the watcher saw $seen husk processes, expected $1 or more: $(cat "$log")"
	! grep -v -e '^watching$' -e '^done$' -e '^seen ' "$log" || fail "a husk process was reachable from the container"
}

@test "attack review: a container sharing the PID namespace of a user-namespaced container reaches nothing of its init during setup" {
	local a b pid i
	husk_allow_mapped_root
	setup_bundle sleep 100
	a=$(cid a)
	pid=$(run_detached "$a")
	watcher_bundle "/proc/$pid/ns/pid"
	husk run -d --bundle "$BATS_TEST_TMPDIR/w" "$(cid w)" </dev/null >/dev/null
	wait_for grep -qx watching "$BATS_TEST_TMPDIR/out/log"
	# B: its own user namespace, in A's PID namespace (as W is; it cannot mount a procfs of a PID namespace
	# it has no capability over, so it has none). Before the fix its init, dumpable while it
	# waited for its id maps, was open to W's root: /proc/PID/root was the host's / (the 0600 file read),
	# fd/ held the host's procfs, mem and ptrace worked.
	b=$BATS_TEST_TMPDIR/b
	make_bundle "$b" true
	jq --arg p "/proc/$pid/ns/pid" '.linux.namespaces = [(.linux.namespaces[] | select(.type != "pid")),
		{"type": "pid", "path": $p}, {"type": "user"}] | del(.mounts[] | select(.destination == "/proc")) |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]' \
		"$b/config.json" >"$b/config.new" && mv "$b/config.new" "$b/config.json"
	for i in $(seq 8); do
		husk run --bundle "$b" "$(cid "b$i")" </dev/null || fail "run $i of the user-namespaced container failed"
	done
	watcher_verdict 1
}

@test "attack review: a created container's waiting init and an exec frozen in a paused container are closed to a container sharing their PID namespace" {
	local id pid
	setup_bundle sleep 100
	id=$(cid)
	husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 3>&-
	pid=$(husk state "$id" | jq -r .pid)
	watcher_bundle "/proc/$pid/ns/pid"
	husk run -d --bundle "$BATS_TEST_TMPDIR/w" "$(cid w)" </dev/null >/dev/null
	wait_for grep -qx watching "$BATS_TEST_TMPDIR/out/log"
	# pid 1 waits at the start gate (husk, the caller's fds); then an exec sits frozen before its execve
	wait_for grep -q '^seen 1 ' "$BATS_TEST_TMPDIR/out/log"
	husk start "$id"
	husk pause "$id"
	husk exec -d --ignore-paused "$id" true </dev/null >/dev/null 2>&1 &
	wait_for watcher_saw 2
	sleep 0.5
	husk resume "$id"
	wait
	husk exec --tty=false --user 1000:1000 --cwd /tmp "$id" true
	watcher_verdict 2
}

@test "attack review: a user-namespaced container with every capability, watching /proc during execs of every kind (-t, --user, --cwd, --preserve-fds, --process, -d), reaches nothing of the exec child" {
	local id i log=$BATS_TEST_TMPDIR/out/log
	husk_allow_mapped_root
	attack_bundle sleep 100
	# A user namespace whose root holds every capability (CAP_SYS_PTRACE too) in it: what stops it is the
	# exec child being non-dumpable once it has joined (without a user namespace the child's full
	# capabilities in the host's namespace already do).
	cfg --argjson c "$("$HUSK" features | jq -c .linux.capabilities)" '.process.capabilities |=
		(.bounding = $c | .effective = $c | .permitted = $c) | .linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	chown 100000:100000 "$BATS_TEST_TMPDIR/out"
	mkdir -p "$BUNDLE/rootfs/out"
	echo "host-secret-$$" >"$BATS_TEST_TMPDIR/secret"
	chmod 600 "$BATS_TEST_TMPDIR/secret"
	id=$(cid)
	run_detached "$id" >/dev/null
	husk exec -d "$id" proc-watcher /out 60 "$BATS_TEST_TMPDIR/secret" sleep true proc-watcher \
		</dev/null >/dev/null 2>&1
	wait_for grep -qx watching "$log"
	jq '.process | .args = ["true"] | .cwd = "/tmp"' "$BUNDLE/config.json" >"$BATS_TEST_TMPDIR/process.json"
	# The exec child runs husk in the container's PID namespace from its fork to its execve, with the
	# caller's fds, the sync socket, the console socket, the cgroup's procs files and the host's procfs.
	# 18 execs, each kind three times; the watcher sees most (all 18 on a loaded machine), at least 6 are
	# asked for. With the child made dumpable again it reached exe, root, cwd and ptrace of them.
	for i in $(seq 18); do
		case $((i % 6)) in
		0) husk exec "$id" true ;;
		1) husk exec --user 1000:1000 --cwd /tmp "$id" true ;;
		2) husk exec --preserve-fds 1 "$id" true 3<"$BATS_TEST_TMPDIR/secret" ;;
		3) husk exec --process "$BATS_TEST_TMPDIR/process.json" "$id" ;;
		4) husk exec -d "$id" true </dev/null >/dev/null 2>&1 ;;
		5)
			start_recvtty "$BATS_TEST_TMPDIR/tty.sock" "$BATS_TEST_TMPDIR/tty$i.out"
			husk exec -d -t --console-socket "$BATS_TEST_TMPDIR/tty.sock" "$id" true
			;;
		esac || fail "exec $i failed"
	done
	watcher_verdict 6
}

@test "attack review: --preserve-fds over fds the caller never opened passes none of husk's own (--log, state, sockets, procfs)" {
	local id
	setup_bundle probe fds
	# fds 3-10 closed in the caller: each of husk's own descriptors lands there, in the preserved range,
	# and only its close-on-exec keeps it from the program
	run husk --log "$BATS_TEST_TMPDIR/log" run --preserve-fds 8 --bundle "$BUNDLE" "$(cid)" \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- 10>&- </dev/null
	assert_success
	[[ "${lines[0]}" == "0 1 2" ]] || fail "the container sees fds '${lines[0]}'"
	cfg '.process.args = ["sleep", "100"]'
	id=$(cid b)
	run_detached "$id" >/dev/null
	run husk --log "$BATS_TEST_TMPDIR/log" exec --preserve-fds 8 "$id" probe fds \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- 10>&- </dev/null
	assert_success
	[[ "${lines[0]}" == "0 1 2" ]] || fail "the exec'd process sees fds '${lines[0]}'"
	run husk --log "$BATS_TEST_TMPDIR/log" exec -t --preserve-fds 8 "$id" probe fds \
		3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- 10>&- </dev/null
	assert_success
	[[ "${lines[0]}" == "0 1 2"* ]] || fail "the exec'd process (-t) sees fds '${lines[0]}'"
}
