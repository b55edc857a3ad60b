#!/usr/bin/env bats
# --debug narrates every setup step as the system call a student would write, one line each, in order,
# from the very arguments husk passes to the kernel (runtime/narrate.c). These tests change the config
# and check that the narration follows: a line that did not come from the call's own arguments would
# not.
# shellcheck disable=SC2016 # jq programs are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

teardown() {
	husk_teardown
}

# narrate ARGS...: husk --debug ARGS with stderr (the narration) in $output, stdout dropped.
narrate() {
	run bash -c '"$@" 2>&1 >/dev/null' _ "$HUSK" --root "$HUSK_TEST_ROOT" --debug "$@"
}

# line_no REGEX: the number of the first output line matching REGEX (extended), or fail.
line_no() {
	local i
	for i in "${!lines[@]}"; do
		if [[ "${lines[i]}" =~ $1 ]]; then
			echo "$i"
			return 0
		fi
	done
	fail "no line matches /$1/"
}

@test "debug: a run is narrated in order, from clone3 to execve" {
	setup_bundle echo hi
	cfg '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"syscalls": [{"names": ["mkdir", "mkdirat", "rmdir"], "action": "SCMP_ACT_ERRNO"}]}'
	narrate run --bundle "$BUNDLE" "$(cid)"
	assert_success
	local clone proc pivot caps nnp sec exe
	# born in the container's v2 cgroup where the host has a v2 tree (cgroups.bats: CLONE_INTO_CGROUP)
	clone=$(line_no 'run\[[0-9]+\]: clone3\(\{flags=CLONE_NEWNS\|CLONE_NEWUTS\|CLONE_NEWIPC\|CLONE_NEWPID\|CLONE_NEWNET(\|CLONE_INTO_CGROUP)?, exit_signal=SIGCHLD(, cgroup=[0-9]+)?\}\)') || return
	proc=$(line_no 'init\[1\]: mount\("proc", "/proc", "proc", 0, NULL\)') || return
	pivot=$(line_no 'init\[1\]: pivot_root\("\.", "\."\)') || return
	caps=$(line_no 'init\[1\]: capset\(effective=CAP_KILL\|CAP_NET_BIND_SERVICE\|CAP_AUDIT_WRITE, ') || return
	nnp=$(line_no 'init\[1\]: prctl\(PR_SET_NO_NEW_PRIVS, 1\)') || return
	sec=$(line_no 'init\[1\]: seccomp\(SECCOMP_SET_MODE_FILTER, 3 rules, default SCMP_ACT_ALLOW\)') || return
	exe=$(line_no 'init\[1\]: execve\("/bin/echo", \["echo", "hi"\], \[[0-9]+ variables\]\)') || return
	((clone < proc && proc < pivot && pivot < caps && caps < nnp && nnp < sec && sec < exe)) ||
		fail "out of order: clone3 $clone, proc $proc, pivot_root $pivot, capset $caps, nnp $nnp, seccomp $sec, execve $exe"
	assert_line_matches 'init\[1\]: sethostname\("husk"\)'
	# the v1 hierarchies are joined by the init itself, "0" to tasks, before the capabilities go; the v2
	# tree alone (pure v2) needs no join after CLONE_INTO_CGROUP
	if [[ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]]; then
		local join
		join=$(line_no 'init\[1\]: write\("0"\) to the [0-9]+ descriptors of CGROUP_JOIN: in the container.s cgroup') || return
		((join < caps)) || fail "the init joined its cgroup after capset: join $join, capset $caps"
	fi
	refute_output_contains 'cgroup.procs "'
	assert_line_matches 'run\[[0-9]+\]: write state\.json'
	# the notes delete --force reads after a killed create: written before the clone, marked at the commit
	local notes commit marked
	notes=$(line_no 'run\[[0-9]+\]: open\("notes", O_CREAT\|O_EXCL\), write\("creator [0-9]+ [0-9]+\.\.\."\)') || return
	commit=$(line_no 'run\[[0-9]+\]: sync: send COMMITTED') || return
	marked=$(line_no 'run\[[0-9]+\]: pwrite\("creator -"\) over the first line of notes') || return
	((notes < clone && commit < marked)) || fail "out of order: notes $notes, clone3 $clone, COMMITTED $commit, mark $marked"
}

@test "debug: the narration follows the config (namespaces, mount flags, hostname, capabilities)" {
	setup_bundle true
	cfg '.linux.namespaces = [{"type": "mount"}, {"type": "pid"}, {"type": "uts"}] | .hostname = "lab-host" |
		.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
			"options": ["ro", "nosuid", "nodev", "size=1m"]}] |
		.process.capabilities = {"bounding": ["CAP_CHOWN"], "effective": ["CAP_CHOWN"],
			"permitted": ["CAP_CHOWN"]}'
	narrate run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches 'clone3\(\{flags=CLONE_NEWNS\|CLONE_NEWUTS\|CLONE_NEWPID(\|CLONE_INTO_CGROUP)?, exit_signal=SIGCHLD(, cgroup=[0-9]+)?\}\)'
	# a read-only tmpfs is mounted writable (nosuid, nodev as asked), filled, then made read-only at the
	# end through the mount's own fd (as runc does; the fd, so a swapped path cannot redirect it)
	assert_line_matches 'fsopen\("tmpfs"\); fsconfig\(source="tmpfs", "size=1m"\); fsmount\(MOUNT_ATTR_NOSUID\|MOUNT_ATTR_NODEV\); move_mount\("/scratch"\)'
	assert_line_matches 'mount_setattr\("/scratch", \{set=MOUNT_ATTR_RDONLY, clr=0\}\)'
	assert_line_matches 'sethostname\("lab-host"\)'
	assert_line_matches 'capset\(effective=CAP_CHOWN, permitted=CAP_CHOWN, inheritable=0\)'
	refute_output_contains 'CLONE_NEWNET'
}

@test "debug: a user namespace narrates its id maps, a bind mount the new mount API calls" {
	setup_bundle true
	husk_allow_mapped_root
	cfg '.linux.namespaces += [{"type": "user"}] |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.mounts += [{"destination": "/etc/hostname", "source": "/etc/hostname", "options": ["bind", "ro"]}]'
	narrate run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches 'clone3\(\{flags=CLONE_NEWNS\|.*CLONE_NEWUSER\|.*\}\)'
	assert_line_matches 'write /proc/[0-9]+/uid_map "0 100000 65536"'
	assert_line_matches 'write /proc/[0-9]+/gid_map "0 100000 65536"'
	assert_line_matches 'open_tree\("/etc/hostname", OPEN_TREE_CLONE\)'
	assert_line_matches 'mount_setattr\("/etc/hostname", \{set=MOUNT_ATTR_RDONLY, clr=0\}\)'
	assert_line_matches 'move_mount\(/etc/hostname, "/etc/hostname"\)'
	# devices cannot be made in a user namespace: bound from the host
	assert_line_matches 'open_tree\("/dev/null", OPEN_TREE_CLONE\)'
}

@test "debug: exec narrates its setns calls and the program" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	husk run --detach --bundle "$BUNDLE" "$id" 3>&- >/dev/null 2>&1
	narrate exec "$id" true
	assert_success
	assert_line_matches 'exec\[[0-9]+\]: setns\(open\("/proc/[0-9]+/ns/pid"\), CLONE_NEWPID\)'
	assert_line_matches 'exec child\[[0-9]+\]: setns\(open\("/proc/[0-9]+/ns/mnt"\), CLONE_NEWNS\)'
	assert_line_matches 'exec child\[[0-9]+\]: execve\("/bin/true", \["true"\]'
}

@test "debug: --log gets the narration (text and JSON), and without --debug there is none" {
	setup_bundle true
	run_husk --log "$BATS_TEST_TMPDIR/log" --debug run --bundle "$BUNDLE" "$(cid a)"
	assert_success
	grep -q 'msg="init\[1\]: pivot_root' "$BATS_TEST_TMPDIR/log" || fail "no pivot_root in the text log"
	run_husk --log "$BATS_TEST_TMPDIR/log.json" --log-format json --debug run --bundle "$BUNDLE" "$(cid b)"
	assert_success
	jq -e -s 'map(select(.level == "debug" and (.msg | test("^init\\[1\\]: execve")))) | length == 1' \
		"$BATS_TEST_TMPDIR/log.json" >/dev/null || fail "no execve record in the JSON log"
	narrate run --bundle "$BUNDLE" "$(cid c)"
	run bash -c '"$@" 2>&1' _ "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid d)"
	assert_success
	assert_output_equals ""
}
