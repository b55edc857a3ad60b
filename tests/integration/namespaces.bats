#!/usr/bin/env bats
# Namespaces as the container sees them: new ones, user namespaces with id mappings, joining by path
# (a named netns, another container's namespaces, a user namespace made elsewhere), the cgroup and time
# namespaces, hostname and domainname.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

setup() {
	NETNS=
	HELPER_PIDS=()
	RUN_TMPDIR_MODE=
}

teardown() {
	local pid
	husk_teardown
	local r=$?
	for pid in "${HELPER_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	[[ -z "$NETNS" ]] || ip netns del "$NETNS" 2>/dev/null || true
	[[ -z "$RUN_TMPDIR_MODE" ]] || chmod "$RUN_TMPDIR_MODE" "$BATS_RUN_TMPDIR"
	return $r
}

# host_ns TYPE: the host's namespace of TYPE, as readlink shows it ("net:[4026531840]").
host_ns() {
	readlink "/proc/self/ns/$1"
}

# ns_of OUTPUT TYPE: the namespace TYPE in "probe ns" output.
ns_of() {
	awk -v t="$2" '$1 == t { print $2 }' <<<"$1"
}

# add_ns TYPE [PATH]: add (or replace) a namespace in the config.
add_ns() {
	cfg --arg t "$1" --arg p "${2:-}" \
		'.linux.namespaces = ([.linux.namespaces[] | select(.type != $t)] +
			[{"type": $t} + (if $p == "" then {} else {"path": $p} end)])'
}

del_ns() {
	cfg --arg t "$1" '.linux.namespaces |= map(select(.type != $t))'
}

# A container whose root is mapped to host uid 100000 must be able to reach its bundle: the bats run
# directory is 0700. Restored in teardown.
allow_mapped_root() {
	RUN_TMPDIR_MODE=$(stat -c %a "$BATS_RUN_TMPDIR")
	chmod o+x "$BATS_RUN_TMPDIR"
}

user_mappings() {
	add_ns user
	cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# runs_sleep PID: PID has exec'd sleep (for wait_for, which runs it again each time).
runs_sleep() {
	[[ "$(readlink "/proc/$1/exe")" == */sleep ]]
}

# start_sleeper ID [JQ_FILTER]: a detached container running sleep, from its own bundle; prints nothing,
# sets SLEEPER_PID to its host pid.
start_sleeper() {
	local id=$1 dir=$BATS_TEST_TMPDIR/sleeper-$1
	make_bundle "$dir" sleep 1000
	if [[ -n "${2:-}" ]]; then
		BUNDLE=$dir cfg "$2"
	fi
	husk run --detach --bundle "$dir" --pid-file "$dir/pid" "$id" >/dev/null 2>&1 3>&-
	SLEEPER_PID=$(cat "$dir/pid")
}

@test "new namespaces: pid, net, ipc, uts, mnt, cgroup and time all differ from the host" {
	local t
	setup_bundle probe ns
	add_ns cgroup
	add_ns time
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	for t in pid net ipc uts mnt cgroup time; do
		[[ -n "$(ns_of "$output" "$t")" ]] || fail "no $t namespace in the output"
		[[ "$(ns_of "$output" "$t")" != "$(host_ns "$t")" ]] || fail "the $t namespace is the host's"
	done
	[[ "$(ns_of "$output" user)" == "$(host_ns user)" ]] || fail "a user namespace was made"
}

@test "namespaces left out of the config are the host's" {
	local t
	setup_bundle probe ns
	cfg 'del(.hostname)'
	for t in network ipc uts pid; do
		del_ns "$t"
	done
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	for t in net ipc uts pid cgroup time; do
		[[ "$(ns_of "$output" "$t")" == "$(host_ns "$t")" ]] || fail "the $t namespace is not the host's"
	done
	[[ "$(ns_of "$output" mnt)" != "$(host_ns mnt)" ]]
}

@test "without a mount namespace, masked and read-only paths cannot be kept (as runc)" {
	local id
	id=$(cid)
	setup_bundle true
	del_ns mount
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "config.json: .linux.maskedPaths: unable to restrict sys entries without a private mount namespace"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "user namespace: root inside is host uid 100000" {
	local id pid
	id=$(cid)
	allow_mapped_root
	setup_bundle probe ids
	user_mappings
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	assert_output_equals "uid=0 gid=0 euid=0 egid=0 groups="

	# the maps, seen from the host
	setup_bundle sleep 100
	user_mappings
	husk create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$id" >/dev/null 2>&1 3>&-
	pid=$(cat "$BATS_TEST_TMPDIR/pid")
	run cat "/proc/$pid/uid_map"
	assert_line_matches '^ +0 +100000 +65536$'
	run cat "/proc/$pid/gid_map"
	assert_line_matches '^ +0 +100000 +65536$'
	[[ "$(readlink "/proc/$pid/ns/user")" != "$(host_ns user)" ]]
	[[ "$(stat -c %u "/proc/$pid")" == 100000 ]]
}

@test "user namespace: files made in a writable bind mount belong to the mapped ids" {
	local data=$BATS_TEST_TMPDIR/data
	allow_mapped_root
	mkdir "$data"
	chown 100000:100000 "$data"
	setup_bundle
	# the rootfs belongs to host root, unmapped in here: the mount point must exist already
	mkdir "$BUNDLE/rootfs/data"
	set_args sh -c 'echo hi >/data/root-file && mkdir /data/dir && stat -c "%u:%g" /data/root-file'
	user_mappings
	cfg --arg d "$data" '.mounts += [{"source": $d, "destination": "/data", "options": ["bind", "rw"]}]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "0:0"
	[[ "$(stat -c %u:%g "$data/root-file")" == 100000:100000 ]]
	[[ "$(stat -c %u:%g "$data/dir")" == 100000:100000 ]]
	[[ "$(cat "$data/root-file")" == hi ]]
}

@test "user namespace: host files of unmapped ids show as nobody and are not writable" {
	allow_mapped_root
	setup_bundle
	set_args sh -c 'stat -c "%u:%g" /etc/passwd; probe write /etc/passwd x'
	cfg '.root.readonly = false'
	user_mappings
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_line_matches '^65534:65534$'
	assert_output_contains "Permission denied"
	grep -q '^root:' "$BUNDLE/rootfs/etc/passwd"
}

@test "user namespace: additionalGids are set, the caller's supplementary groups are not kept" {
	allow_mapped_root
	setup_bundle probe ids
	user_mappings
	cfg '.process.user.additionalGids = [5, 1000]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "uid=0 gid=0 euid=0 egid=0 groups=5,1000"

	cfg '.process.user.additionalGids = []'
	run setpriv --groups 4,27 "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid)" 3>&-
	assert_success
	assert_output_equals "uid=0 gid=0 euid=0 egid=0 groups="
}

@test "user namespace: a new one needs mappings" {
	local id
	id=$(cid)
	setup_bundle true
	add_ns user
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "uidMappings"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "join: a named network namespace by path" {
	NETNS="husk-test-$BATS_TEST_NUMBER-$$"
	ip netns add "$NETNS"
	ip -n "$NETNS" addr add 10.213.47.1/32 dev lo
	setup_bundle
	set_args sh -c 'probe ns; ip addr show dev lo'
	add_ns network "/var/run/netns/$NETNS"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(ns_of "$output" net)" == "net:[$(stat -L -c %i "/var/run/netns/$NETNS")]" ]]
	assert_output_contains "inet 10.213.47.1/32"
}

@test "join: a namespace path that does not exist fails and leaves nothing" {
	local id
	id=$(cid)
	setup_bundle true
	add_ns network "$BATS_TEST_TMPDIR/no-such-netns"
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "no-such-netns"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "join: a path to a namespace of the wrong type fails and leaves nothing" {
	local id
	id=$(cid)
	setup_bundle true
	add_ns network /proc/self/ns/uts
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "network"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
}

@test "join: uts and ipc namespaces of another running container" {
	local a b
	a=$(cid a)
	b=$(cid b)
	start_sleeper "$a" '.hostname = "alpha"'
	setup_bundle
	set_args sh -c 'probe ns; probe hostname'
	cfg 'del(.hostname)'
	add_ns uts "/proc/$SLEEPER_PID/ns/uts"
	add_ns ipc "/proc/$SLEEPER_PID/ns/ipc"
	run_husk run --bundle "$BUNDLE" "$b"
	assert_success
	[[ "$(ns_of "$output" uts)" == "$(readlink "/proc/$SLEEPER_PID/ns/uts")" ]]
	[[ "$(ns_of "$output" ipc)" == "$(readlink "/proc/$SLEEPER_PID/ns/ipc")" ]]
	[[ "$(ns_of "$output" net)" != "$(readlink "/proc/$SLEEPER_PID/ns/net")" ]]
	assert_line_matches '^hostname=alpha '
}

@test "join: the pid namespace of another running container" {
	local a b
	a=$(cid a)
	b=$(cid b)
	start_sleeper "$a"
	setup_bundle
	set_args sh -c 'probe ns; probe pid; ps -o pid,args'
	add_ns pid "/proc/$SLEEPER_PID/ns/pid"
	run_husk run --bundle "$BUNDLE" "$b"
	assert_success
	[[ "$(ns_of "$output" pid)" == "$(readlink "/proc/$SLEEPER_PID/ns/pid")" ]]
	# the other container's init is pid 1 here
	assert_line_matches '^ +1 +sleep 1000$'
	refute_output_contains "pid=1 "
}

@test "join: a user namespace made elsewhere" {
	local upid
	unshare -U --map-root-user sleep 1000 </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/unshare.err" 3>&- &
	upid=$!
	HELPER_PIDS+=("$upid")
	# sleep runs once unshare has made the namespace and written the maps (setgroups denied)
	wait_for runs_sleep "$upid" || fail "unshare did not start: $(cat "$BATS_TEST_TMPDIR/unshare.err")"
	[[ "$(readlink "/proc/$upid/ns/user")" != "$(host_ns user)" ]]
	[[ "$(cat "/proc/$upid/setgroups")" == deny ]]
	setup_bundle
	set_args sh -c 'probe ns; probe ids; cat /proc/self/uid_map'
	add_ns user "/proc/$upid/ns/user"
	# only uid and gid 0 are mapped in there: devpts must not ask for gid 5
	cfg '(.mounts[] | select(.destination == "/dev/pts") | .options) |= map(select(. != "gid=5"))'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(ns_of "$output" user)" == "$(readlink "/proc/$upid/ns/user")" ]]
	assert_line_matches '^uid=0 gid=0 '
	assert_line_matches '^ +0 +0 +1$'
}

@test "cgroup namespace: the container's cgroup is its root" {
	setup_bundle cat /proc/self/cgroup
	add_ns cgroup
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${#lines[@]}" -gt 0 ]]
	local line
	for line in "${lines[@]}"; do
		[[ "$line" == *:/ ]] || fail "cgroup line '$line' is not the namespace root"
	done
}

@test "cgroup namespace: on cgroup v2, /sys/fs/cgroup is a cgroup2 mount of the namespace, not a bind of the host's" {
	host_cgroup_unified || skip "a pure cgroup v2 host (tests/vm/run.sh): on a hybrid host the v1 hierarchies are bound in a tmpfs"
	local id cg out line status=0
	id=$(cid)
	start_sleeper "$id" '.linux.namespaces += [{"type": "cgroup"}]'
	cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$SLEEPER_PID/cgroup")
	[[ -n "$(cat "$cg/cgroup.procs")" ]] || fail "no container cgroup at $cg"
	# a mount the host makes under the container's cgroup afterwards: a bind of the host's directory
	# is a slave of the host's /sys/fs/cgroup (systemd makes it shared), so it would show up inside
	mkdir "$cg/husk-probe"
	mount -t tmpfs husk-probe "$cg/husk-probe"
	out=$(husk exec "$id" sh -c 'cat /proc/self/cgroup; grep " /sys/fs/cgroup" /proc/self/mountinfo' 2>&1) ||
		status=$?
	umount "$cg/husk-probe"
	rmdir "$cg/husk-probe"
	[[ $status -eq 0 ]] || fail "exec failed ($status): $out"
	grep -qx '0::/' <<<"$out" || fail "/proc/self/cgroup is not the namespace root: $out"
	grep -q husk-probe <<<"$out" && fail "the host's later mount under the cgroup propagated in: $out"
	# ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
	line=$(awk '$5 == "/sys/fs/cgroup"' <<<"$out")
	[[ "$(wc -l <<<"$line")" -eq 1 ]] || fail "not one mount at /sys/fs/cgroup: $out"
	[[ "$(awk '{ print $4 }' <<<"$line")" == / ]] || fail "the mount's root is not the namespace's: $line"
	[[ "$line" == *" - cgroup2 "* ]] || fail "not a cgroup2 mount: $line"
	[[ "$(awk '{ print $6 }' <<<"$line")" == ro,* ]] || fail "not read-only (the config says ro): $line"
}

@test "without a cgroup namespace, /proc/self/cgroup shows the container's cgroup path" {
	local id
	id=$(cid)
	setup_bundle cat /proc/self/cgroup
	del_ns cgroup
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	if host_cgroup_unified; then
		# one line, the v2 hierarchy's ("0::")
		assert_output_equals "0::/$id"
	else
		assert_line_matches "^[0-9]+:[^:]*pids[^:]*:/$id\$"
	fi
}

@test "time namespace: boottime and monotonic offsets" {
	local host_up inside_up
	setup_bundle
	set_args sh -c 'cat /proc/self/timens_offsets; cat /proc/uptime'
	add_ns time
	cfg '.linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0},
		"monotonic": {"secs": 3600, "nanosecs": 500}}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	host_up=$(cut -d' ' -f1 /proc/uptime)
	assert_line_matches '^monotonic +3600 +500$'
	assert_line_matches '^boottime +86400 +0$'
	inside_up=$(awk 'NF == 2 && $1 ~ /\./ { print $1 }' <<<"$output")
	awk -v i="$inside_up" -v h="$host_up" 'BEGIN { d = i - h; exit !(d > 86390 && d < 86410) }' ||
		fail "uptime inside $inside_up, outside $host_up: not 86400 s apart"
}

@test "time namespace: offsets without a new time namespace are refused" {
	setup_bundle true
	cfg '.linux.timeOffsets = {"boottime": {"secs": 10}}'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "timeOffsets"
}

@test "uts: hostname and domainname, and the host's are untouched" {
	local before
	before=$(uname -n)
	setup_bundle probe hostname
	cfg '.hostname = "inner-host" | .domainname = "inner.example"'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "hostname=inner-host domainname=inner.example"
	[[ "$(uname -n)" == "$before" ]]
}

@test "uts: a hostname without a new uts namespace is refused" {
	setup_bundle true
	del_ns uts
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains ".hostname"
	assert_output_contains "UTS namespace"
}

@test "ipc: a System V message queue of the host is not visible" {
	setup_bundle cat /proc/sysvipc/msg
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${#lines[@]}" -eq 1 ]] || fail "the container sees message queues"
}

@test "network: a new network namespace has only lo, and it is up (127.0.0.1 works)" {
	setup_bundle sh -c 'ls /sys/class/net; ip -o link show lo; nc -l -p 5555 >/tmp/got & sleep 0.3; echo ping | nc 127.0.0.1 5555; wait; cat /tmp/got'
	cfg '.root.readonly = false'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${lines[0]}" == lo ]] || fail "interfaces other than lo: ${lines[0]}"
	assert_output_contains "UP"
	[[ "${lines[-1]}" == ping ]] || fail "nothing came through 127.0.0.1"
}
