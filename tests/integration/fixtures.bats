#!/usr/bin/env bats
# The test fixtures themselves: mkrootfs.sh, mkbundle.sh, the probe, and the leak checks of helpers.bash.
# Only the "husk spec" test needs a husk binary; the others run with just the probe built.

load helpers

setup_file() {
	husk_rootfs_cache
}

setup() {
	ROOTFS=$HUSK_ROOTFS_CACHE
	PROBE=$ROOTFS/bin/probe
}

teardown() {
	husk_teardown
}

# A bundle without husk: mkbundle.sh's built-in default config.
builtin_bundle() {
	export BUNDLE=$BATS_TEST_TMPDIR/bundle
	HUSK='' "$HUSK_FIXTURES/mkbundle.sh" "$BUNDLE" "$@"
}

# runs_busybox PID: PID has exec'd the rootfs' busybox (so it is chrooted by now).
runs_busybox() {
	[[ "$(readlink "/proc/$1/exe")" == */bin/busybox ]]
}

@test "mkrootfs.sh: a busybox rootfs with the probe, users and writable tmp" {
	for f in bin/busybox bin/sh bin/true bin/ls usr/bin/env bin/probe; do
		[[ -x "$ROOTFS/$f" ]] || fail "$f is missing"
	done
	[[ "$(readlink "$ROOTFS/bin/sh")" == busybox ]] || fail "bin/sh is not a relative link to busybox"
	grep -qx 'root:x:0:0:root:/root:/bin/sh' "$ROOTFS/etc/passwd"
	grep -q '^husk:x:1000:1000:' "$ROOTFS/etc/passwd"
	grep -q '^nobody:x:65534:65534:' "$ROOTFS/etc/passwd"
	grep -q '^husk:x:1000:' "$ROOTFS/etc/group"
	for d in proc sys dev root run var/tmp; do
		[[ -d "$ROOTFS/$d" ]] || fail "$d is missing"
	done
	[[ "$(stat -c %a "$ROOTFS/tmp")" == 1777 ]]
	[[ -f "$ROOTFS/etc/hostname" && -f "$ROOTFS/etc/hosts" && -f "$ROOTFS/etc/resolv.conf" ]]
	# busybox is static: the rootfs has no libc.
	# shellcheck disable=SC2016 # expanded by the rootfs' sh
	run chroot "$ROOTFS" /bin/sh -c 'echo hello from $(/usr/bin/env true && echo busybox)'
	assert_success
	assert_output_equals "hello from busybox"
}

@test "mkrootfs.sh: re-running refreshes an existing rootfs" {
	local dest=$BATS_TEST_TMPDIR/rootfs
	"$HUSK_FIXTURES/mkrootfs.sh" "$dest"
	rm "$dest/bin/sh" "$dest/etc/passwd"
	ln -s nowhere "$dest/bin/stale"
	"$HUSK_FIXTURES/mkrootfs.sh" "$dest" "$HUSK_PROBE"
	[[ -x "$dest/bin/sh" && -f "$dest/etc/passwd" && -x "$dest/bin/probe" ]]
	[[ ! -L "$dest/bin/stale" ]]
	run "$HUSK_FIXTURES/mkrootfs.sh" "$dest" /nonexistent/probe
	assert_failure
	assert_output_contains "not an executable file"
}

@test "mkbundle.sh: the runc default config without husk, with args" {
	builtin_bundle probe write '/tmp/a "b"' 'x\y'
	[[ -x "$BUNDLE/rootfs/bin/sh" ]]
	run jq -c '[.ociVersion, .process.terminal, .process.args, .root, .hostname, (.mounts | length),
		[.linux.namespaces[].type], .process.capabilities.bounding, .process.rlimits[0].soft,
		.process.noNewPrivileges, (.linux.maskedPaths | length), .linux.resources.devices]' "$BUNDLE/config.json"
	assert_success
	assert_output_equals '["1.0.2-dev",false,["probe","write","/tmp/a \"b\"","x\\y"],{"path":"rootfs","readonly":true},"husk",7,["pid","network","ipc","uts","mount","cgroup"],["CAP_AUDIT_WRITE","CAP_KILL","CAP_NET_BIND_SERVICE"],1024,true,10,[{"allow":false,"access":"rwm"}]]'
	# Default args, and a refresh over the existing bundle.
	builtin_bundle
	[[ "$(jq -c .process.args "$BUNDLE/config.json")" == '["sh"]' ]]
}

@test "setup_bundle: config from husk spec, terminal off, args set" {
	[[ -x "$HUSK" ]] || skip "no husk binary at $HUSK"
	setup_bundle probe ids
	[[ "$(jq -c '[.process.terminal, .process.args]' "$BUNDLE/config.json")" == '[false,["probe","ids"]]' ]]
	cfg '.hostname = "edited"'
	[[ "$(jq -r .hostname "$BUNDLE/config.json")" == edited ]]
	run cfg '.hostname = '
	assert_failure
}

@test "probe: ids, pid, umask, cwd, hostname, exit status" {
	run "$PROBE" ids
	assert_success
	assert_line_matches '^uid=[0-9]+ gid=[0-9]+ euid=[0-9]+ egid=[0-9]+ groups=[0-9,]*$'
	run setpriv --reuid=1000 --regid=1000 --groups=100,5 "$PROBE" ids
	assert_output_equals "uid=1000 gid=1000 euid=1000 egid=1000 groups=5,100"
	run "$PROBE" pid
	assert_line_matches '^pid=[0-9]+ ppid=[0-9]+$'
	run bash -c "umask 027; '$PROBE' umask"
	assert_output_equals "umask=0027"
	run bash -c "cd '$ROOTFS/etc' && '$PROBE' cwd"
	assert_output_equals "$ROOTFS/etc"
	run "$PROBE" hostname
	assert_output_equals "hostname=$(uname -n) domainname=$(cat /proc/sys/kernel/domainname)"
	run "$PROBE" exit 3
	assert_status 3
	run "$PROBE" no-such-command
	assert_status 2
	assert_output_contains "unknown command"
	run "$PROBE" alloc
	assert_status 2
	assert_output_contains "usage: probe alloc MIB"
}

@test "probe: caps and ns" {
	run "$PROBE" caps
	assert_success
	[[ ${#lines[@]} -eq 7 ]] || fail "expected 7 lines"
	for key in CapInh CapPrm CapEff CapBnd CapAmb; do
		assert_line_matches "^$key:"$'\t''[0-9a-f]{16}$'
	done
	assert_line_matches '^NoNewPrivs:'$'\t''[01]$'
	assert_line_matches '^Seccomp:'$'\t''[0-2]$'
	run "$PROBE" ns
	assert_success
	assert_line_matches '^mnt mnt:\[[0-9]+\]$'
	assert_line_matches '^pid_for_children pid:\[[0-9]+\]$'
	for line in "${lines[@]}"; do
		[[ "$line" =~ ^[a-z_]+\ [a-z]+:\[[0-9]+\]$ ]] || fail "malformed: $line"
	done
	[[ "$output" == "$(sort <<<"$output")" ]] || fail "not sorted"
}

@test "probe: fds, mounts, limits, env, sched, affinity, personality" {
	run bash -c "exec 7</dev/null; exec '$PROBE' fds"
	assert_success
	assert_line_matches '^0 1 2( [0-9]+)* 7( [0-9]+)*$'
	assert_line_matches '^7 -> /dev/null$'
	run "$PROBE" mounts
	assert_output_equals "$(cat /proc/self/mountinfo)"
	run "$PROBE" limits
	assert_line_matches '^Max open files +[0-9]+ +[0-9]+ +files'
	run env -i FOO=bar "$PROBE" env
	assert_output_equals "FOO=bar"
	run "$PROBE" sched
	assert_line_matches '^policy=SCHED_[A-Z]+ priority=[0-9]+ nice=-?[0-9]+$'
	run nice -n 5 "$PROBE" sched
	assert_line_matches ' nice=5$'
	run "$PROBE" affinity
	assert_line_matches '^cpus=[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*$'
	run taskset -c 0 "$PROBE" affinity
	assert_output_equals "cpus=0"
	run "$PROBE" personality
	assert_output_equals "personality=0x0"
	run "$PROBE" ioprio
	assert_line_matches '^class=IOPRIO_CLASS_[A-Z]+ data=[0-9]+$'
	run "$PROBE" oom
	assert_line_matches '^-?[0-9]+$'
}

@test "probe: fork, alloc, spin, count, sleep" {
	run "$PROBE" fork 5
	assert_success
	assert_output_equals "forked 5"
	run prlimit --nproc=10 setpriv --reuid=65534 --regid=65534 --clear-groups "$PROBE" fork 50
	assert_success
	assert_line_matches '^forked [0-9]$'
	assert_line_matches '^failed: Resource temporarily unavailable$'
	run "$PROBE" alloc 3
	assert_success
	assert_output_equals $'allocated 1\nallocated 2\nallocated 3\ndone'
	run bash -c "ulimit -v 100000 && exec '$PROBE' alloc 200"
	assert_failure
	assert_output_contains "allocated 50"
	assert_output_contains "error: malloc: Cannot allocate memory"
	run "$PROBE" spin 0.1
	assert_output_equals "done"
	run "$PROBE" count 0.35
	assert_output_equals $'0\n1\n2\n3'
	run "$PROBE" sleep 0.05
	assert_success
	run "$PROBE" sleep soon
	assert_failure
}

@test "probe: open, write, read, stat, syscall" {
	local f=$BATS_TEST_TMPDIR/file
	run "$PROBE" write "$f" hello
	assert_output_equals "ok"
	run "$PROBE" read "$f"
	assert_output_equals "hello"
	run "$PROBE" open "$f" rw
	assert_output_equals "ok"
	run "$PROBE" open "$BATS_TEST_TMPDIR/missing"
	assert_status 1
	assert_output_equals "error: No such file or directory (errno 2)"
	chmod 0600 "$f"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$PROBE" open "$f" w
	assert_status 1
	assert_output_equals "error: Permission denied (errno 13)"
	run "$PROBE" stat /dev/null
	assert_output_equals "type=chr mode=0666 uid=0 gid=0 rdev=1:3"
	run "$PROBE" stat "$ROOTFS/tmp"
	assert_line_matches '^type=dir mode=1777 uid=0 gid=0 rdev=0:0$'
	run "$PROBE" stat "$ROOTFS/bin/sh"
	assert_line_matches '^type=symlink '
	# Only syscalls that change nothing on the host here: mount and sethostname would.
	run "$PROBE" syscall getppid
	assert_success
	assert_line_matches '^ret=[0-9]+ errno=0 \(Success\)$'
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$PROBE" syscall setuid
	assert_status 1
	assert_output_equals "ret=-1 errno=1 (Operation not permitted)"
	run "$PROBE" syscall frobnicate
	assert_failure
}

@test "probe: wait-signal reports the signal" {
	"$PROBE" wait-signal >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	local pid=$!
	wait_for grep -q waiting "$BATS_TEST_TMPDIR/out"
	kill -USR1 "$pid"
	wait "$pid"
	[[ "$(cat "$BATS_TEST_TMPDIR/out")" == $'waiting\ngot SIGUSR1' ]]
}

@test "leak check: passes when nothing leaked" {
	builtin_bundle
	mkdir -p "$BATS_TEST_TMPDIR/state"
	cd "$BUNDLE"
	husk_check_leaks
}

@test "leak check: catches a leaked mount and unmounts it" {
	mkdir "$BATS_TEST_TMPDIR/mnt"
	mount -t tmpfs husk-leak "$BATS_TEST_TMPDIR/mnt"
	mount --bind "$BATS_TEST_TMPDIR/mnt" "$BATS_TEST_TMPDIR/mnt"
	run husk_check_leaks
	assert_failure
	assert_output_contains "LEAK"
	assert_output_contains "mount: "
	assert_output_contains "$BATS_TEST_TMPDIR/mnt"
	! grep -qF "$BATS_TEST_TMPDIR" /proc/self/mountinfo || fail "the mounts are still there"
	husk_check_leaks
}

@test "leak check: catches a process in the rootfs and kills it" {
	builtin_bundle
	chroot "$BUNDLE/rootfs" /bin/sleep 60 </dev/null >/dev/null 2>&1 3>&- &
	local pid=$!
	# In a mount namespace of its own too, where its root reads "/": found by inode.
	unshare -m --propagation private chroot "$BUNDLE/rootfs" /bin/sleep 60 </dev/null >/dev/null 2>&1 3>&- &
	local pid2=$!
	wait_for runs_busybox "$pid"
	wait_for runs_busybox "$pid2"
	run husk_check_leaks
	assert_failure
	assert_output_contains "process $pid: /bin/sleep 60"
	! kill -0 "$pid" 2>/dev/null || [[ "$(_husk_proc_stat "$pid" 0)" == Z ]] || fail "$pid still runs"
	wait "$pid" "$pid2" || true
	husk_check_leaks
}

@test "leak check: catches a cgroup named after the container and removes it" {
	local id parent
	id=$(cid)
	for parent in /sys/fs/cgroup/pids /sys/fs/cgroup/unified /sys/fs/cgroup; do
		if [[ -w "$parent" ]] && mkdir "$parent/$id" 2>/dev/null; then
			break
		fi
		parent=
	done
	[[ -n "$parent" ]] || skip "no writable cgroup hierarchy"
	mkdir "$parent/$id/child"
	# A name that merely starts with the id of this test is someone else's.
	mkdir "$parent/${id}9"
	run husk_check_leaks
	assert_failure
	assert_output_contains "cgroup: $parent/$id"
	refute_output_contains "${id}9"
	[[ ! -d "$parent/$id" ]] || fail "$parent/$id is still there"
	rmdir "$parent/${id}9"
	husk_check_leaks
}

@test "leak check: catches leftover state" {
	mkdir -p "$BATS_TEST_TMPDIR/state/husk-test-leftover"
	run husk_check_leaks
	assert_failure
	assert_output_contains "state: $BATS_TEST_TMPDIR/state/husk-test-leftover"
	husk_check_leaks
}

@test "helpers: cid, husk, wait_for, assertions" {
	local id
	id=$(cid)
	[[ "$id" == "husk-test-$BATS_TEST_NUMBER-$$" ]]
	[[ "$(cid 2)" == "$id-2" ]]
	grep -qx "$id" "$BATS_TEST_TMPDIR/.husk-ids"
	grep -qx "$id-2" "$BATS_TEST_TMPDIR/.husk-ids"
	[[ "$HUSK_TEST_ROOT" == "$BATS_TEST_TMPDIR/state" ]]
	run wait_for false
	assert_failure
	assert_output_contains "did not succeed within"
	run bash -c 'echo one; echo two; exit 4'
	assert_status 4
	assert_output_equals $'one\ntwo'
	assert_line_matches '^tw'
	run assert_line_matches '^three'
	assert_failure
	assert_output_contains "-- status: 4"
}
