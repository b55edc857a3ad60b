#!/usr/bin/env bats
# The container's filesystem as seen from inside: default mounts, bind mounts and their options,
# propagation, tmpcopyup, symlinks in the image that point out of it, read-only and masked paths, /dev.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

setup() {
	HOST_MOUNTS=()
}

# Host mounts a test made under $BATS_TEST_TMPDIR go first: the leak check would count them.
teardown() {
	local m
	for m in "${HOST_MOUNTS[@]}"; do
		umount -R -l "$m" 2>/dev/null || true
	done
	husk_teardown
}

# add_mount SOURCE DESTINATION [TYPE] [OPTION...]: append a mount (TYPE "" for a bind).
add_mount() {
	local src=$1 dst=$2 type=${3:-} opts
	shift 3 || shift $#
	opts=$(jq -nc '$ARGS.positional' --args -- "$@")
	cfg --arg s "$src" --arg d "$dst" --arg t "$type" --argjson o "$opts" \
		'.mounts += [{"source": $s, "destination": $d, "options": $o} + (if $t == "" then {} else {"type": $t} end)]'
}

# host_mount ARGS...: mount on the host (under $BATS_TEST_TMPDIR only), undone in teardown.
host_mount() {
	mount "$@"
	HOST_MOUNTS=("${@: -1}" "${HOST_MOUNTS[@]}")
}

# mount_line OUTPUT MOUNTPOINT: the last mountinfo line of MOUNTPOINT in OUTPUT.
mount_line() {
	awk -v m="$2" '$5 == m' <<<"$1" | tail -n 1
}

# allow_devices TYPE MAJOR MINOR...: device cgroup rules for the nodes of linux.devices, as podman
# and docker add them next to each device they pass.
allow_devices() {
	while (($# >= 3)); do
		cfg --arg t "$1" --argjson ma "$2" --argjson mi "$3" \
			'.linux.resources.devices += [{"allow": true, "type": $t, "major": $ma, "minor": $mi, "access": "rwm"}]'
		shift 3
	done
}

# fstype LINE, mount_opts LINE: fields of a mountinfo line.
fstype() {
	local t=${1##* - }
	echo "${t%% *}"
}

mount_opts() {
	cut -d' ' -f6 <<<"$1"
}

@test "default mounts: proc, sysfs, tmpfs, devpts, mqueue and cgroup" {
	local m want
	setup_bundle probe mounts
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	# the cgroup mount follows the host: one cgroup2 on a unified host, a tmpfs of v1 hierarchies (and
	# the v2 tree at unified/) on a hybrid one
	local cgroups=(/sys/fs/cgroup:tmpfs /sys/fs/cgroup/pids:cgroup /sys/fs/cgroup/memory:cgroup /sys/fs/cgroup/unified:cgroup2)
	! host_cgroup_unified || cgroups=(/sys/fs/cgroup:cgroup2)
	for want in /proc:proc /dev:tmpfs /dev/pts:devpts /dev/shm:tmpfs /dev/mqueue:mqueue /sys:sysfs "${cgroups[@]}"; do
		m=$(mount_line "$output" "${want%%:*}")
		[[ -n "$m" ]] || fail "no mount on ${want%%:*}"
		[[ "$(fstype "$m")" == "${want#*:}" ]] || fail "${want%%:*} is $(fstype "$m"), not ${want#*:}"
	done
	[[ -n "$(mount_line "$output" /)" ]]
	# nothing of the host's own mounts beyond those
	awk -v d="$BATS_TEST_TMPDIR" 'index($5, d) { exit 1 }' <<<"$output" || fail "a host mount shows"
}

@test "default mounts: flags of sysfs, /dev, /dev/shm and /dev/pts" {
	setup_bundle probe mounts
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(mount_opts "$(mount_line "$output" /sys)")" == ro,nosuid,nodev,noexec* ]]
	[[ "$(mount_opts "$(mount_line "$output" /proc)")" == rw* ]]
	[[ "$(mount_opts "$(mount_line "$output" /dev)")" == rw,nosuid* ]]
	[[ "$(mount_opts "$(mount_line "$output" /dev/shm)")" == rw,nosuid,nodev,noexec* ]]
	[[ "$(mount_line "$output" /dev/shm)" == *size=65536k* ]]
	[[ "$(mount_line "$output" /dev/pts)" == *ptmxmode=666* ]]
}

# pids_cgroup_dir: where the container sees its pids cgroup: the v1 pids hierarchy on a hybrid host, the
# one cgroup2 mount on a unified host (where pids.max shows only with a pids limit: the tests set one).
pids_cgroup_dir() {
	if host_cgroup_unified; then echo /sys/fs/cgroup; else echo /sys/fs/cgroup/pids; fi
}

@test "cgroup mount: read-only by default, only the container's own cgroup" {
	local id d
	id=$(cid)
	d=$(pids_cgroup_dir)
	setup_bundle
	set_args sh -c "probe mounts; probe write $d/pids.max 100; cat $d/cgroup.procs"
	cfg '.linux.resources.pids = {"limit": 1000}'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	[[ "$(mount_opts "$(mount_line "$output" /sys/fs/cgroup)")" == ro,* ]]
	[[ "$(mount_opts "$(mount_line "$output" "$d")")" == ro,* ]]
	[[ "$(mount_line "$output" "$d" | cut -d' ' -f4)" == "/$id" ]]
	assert_output_contains "Read-only file system"
	# cgroup.procs is the container's own: its init and the cat
	assert_line_matches '^1$'
}

@test "cgroup mount: rw when the options say rw" {
	local id d
	id=$(cid)
	d=$(pids_cgroup_dir)
	setup_bundle
	set_args sh -c "probe mounts; mkdir $d/child && rmdir $d/child && echo made-child; probe write $d/pids.max 100"
	cfg '.linux.resources.pids = {"limit": 1000}'
	cfg '(.mounts[] | select(.destination == "/sys/fs/cgroup") | .options) |= map(select(. != "ro")) + ["rw"]'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_success
	[[ "$(mount_opts "$(mount_line "$output" "$d")")" == rw,* ]] || fail "$d is not mounted rw"
	assert_line_matches '^made-child$'
	assert_line_matches '^ok$'
}

@test "bind: a host directory, read and written through" {
	local d=$BATS_TEST_TMPDIR/shared
	mkdir "$d"
	echo from-host >"$d/in"
	setup_bundle
	set_args sh -c 'cat /shared/in && echo from-container >/shared/out'
	add_mount "$d" /shared "" bind
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals from-host
	[[ "$(cat "$d/out")" == from-container ]]
	[[ ! -e "$BUNDLE/rootfs/shared/in" ]]
}

@test "bind: a host file, its destination made as a file in the rootfs" {
	local f=$BATS_TEST_TMPDIR/file
	echo file-content >"$f"
	setup_bundle
	set_args sh -c 'cat /etc/bound; probe stat /etc/bound'
	add_mount "$f" /etc/bound "" bind
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^file-content$'
	assert_line_matches '^type=file '
	[[ -f "$BUNDLE/rootfs/etc/bound" && ! -s "$BUNDLE/rootfs/etc/bound" ]]
}

@test "bind: a relative source is taken from the bundle" {
	setup_bundle cat /data/x
	mkdir "$BUNDLE/data"
	echo relative >"$BUNDLE/data/x"
	add_mount data /data "" bind
	cd /
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals relative
}

@test "bind: the type \"bind\" without the bind option works too" {
	local d=$BATS_TEST_TMPDIR/shared
	mkdir "$d"
	echo typed >"$d/x"
	setup_bundle cat /typed/x
	add_mount "$d" /typed bind
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals typed
}

@test "bind vs rbind: only rbind brings the submounts" {
	local d=$BATS_TEST_TMPDIR/src
	mkdir -p "$d/sub"
	host_mount -t tmpfs husk-sub "$d/sub"
	echo in-submount >"$d/sub/x"
	setup_bundle
	set_args sh -c 'cat /plain/sub/x; cat /recursive/sub/x'
	add_mount "$d" /plain "" bind
	add_mount "$d" /recursive "" rbind
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches "^cat: can't open '/plain/sub/x': No such file or directory$"
	assert_line_matches '^in-submount$'
}

@test "bind ro: writes fail with EROFS and the host is untouched" {
	local d=$BATS_TEST_TMPDIR/shared
	mkdir "$d"
	setup_bundle probe write /ro/x data
	add_mount "$d" /ro "" bind ro
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "Read-only file system"
	[[ ! -e "$d/x" ]]
}

@test "rbind with rro: submounts are read-only too; with ro only the top is" {
	local d=$BATS_TEST_TMPDIR/src
	mkdir -p "$d/sub"
	host_mount -t tmpfs husk-sub "$d/sub"
	setup_bundle
	set_args sh -c 'probe write /r/sub/x data; probe write /t/sub/y data; probe write /t/z data'
	add_mount "$d" /r "" rbind rro
	add_mount "$d" /t "" rbind ro
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	[[ "${lines[0]}" == *"Read-only file system"* ]] || fail "rro: the submount is writable"
	[[ "${lines[1]}" == ok ]] || fail "ro: the submount is read-only"
	[[ "${lines[2]}" == *"Read-only file system"* ]] || fail "ro: the top is writable"
	[[ ! -e "$d/sub/x" && -e "$d/sub/y" && ! -e "$d/z" ]]
}

@test "bind: nosuid, nodev and noexec reach the mount" {
	local d=$BATS_TEST_TMPDIR/shared
	mkdir "$d"
	setup_bundle probe mounts
	add_mount "$d" /opts "" bind nosuid nodev noexec
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(mount_opts "$(mount_line "$output" /opts)")" == rw,nosuid,nodev,noexec* ]]
}

@test "propagation: a bind is a slave by default, rprivate cuts it off" {
	local d=$BATS_TEST_TMPDIR/src id
	id=$(cid)
	mkdir -p "$d"
	# a shared mount on the host, as /mnt or /run/media would be
	host_mount --bind "$d" "$d"
	mount --make-shared "$d"
	mkdir "$d/later"
	setup_bundle
	set_args sh -c 'while [ ! -e /slave/later/x ]; do sleep 0.1; done; ls /private/later; probe mounts'
	add_mount "$d" /slave "" rbind
	add_mount "$d" /private "" rbind rprivate
	husk run --detach --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&-
	# a mount made on the host after the container started
	mount -t tmpfs husk-later "$d/later"
	echo late >"$d/later/x"
	wait_for_status "$id" stopped
	run cat "$BATS_TEST_TMPDIR/out"
	refute_output_contains "x"$'\n'
	[[ "$(mount_line "$output" /slave)" == *" master:"* ]]
	[[ "$(mount_line "$output" /private)" != *" master:"* && "$(mount_line "$output" /private)" != *" shared:"* ]]
	[[ -z "$(mount_line "$output" /private/later)" ]]
	[[ -n "$(mount_line "$output" /slave/later)" ]]
}

@test "propagation: rshared makes a mount shared, and mounts made inside never reach the host" {
	local d=$BATS_TEST_TMPDIR/src
	mkdir -p "$d"
	host_mount --bind "$d" "$d"
	mount --make-shared "$d"
	setup_bundle
	set_args sh -c 'mount -t tmpfs inner /sh && probe mounts'
	cfg '.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] |
		.process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	add_mount "$d" /sh "" rbind rshared
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(awk '$5 == "/sh"' <<<"$output" | head -n 1)" == *" shared:"* ]]
	[[ "$(awk -v d="$d" '$5 == d' /proc/self/mountinfo | wc -l)" -eq 1 ]] || fail "a mount reached the host"
}

@test "rootfsPropagation private: the root is not a slave of the host" {
	setup_bundle probe mounts
	cfg '.linux.rootfsPropagation = "private"'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(mount_line "$output" /)" != *" master:"* && "$(mount_line "$output" /)" != *" shared:"* ]]
}

@test "rootfsPropagation rshared: the container's root is shared (runc 1.1.5 leaves it private), and no peer of a host mount" {
	local group
	setup_bundle probe mounts
	cfg '.linux.rootfsPropagation = "rshared"'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	# the deliberate difference of docs/orchestrators.md: the value the config asked for, on its rootfs
	group=$(mount_line "$output" / | grep -o ' shared:[0-9]*') || fail "/ is not shared: $(mount_line "$output" /)"
	# peer group ids are global: the host holding the same one would receive the container's mounts
	! grep -q -- "$group " /proc/self/mountinfo || fail "the container's / is a peer of a host mount ($group)"
}

@test "tmpcopyup: a tmpfs starts with the image's content" {
	setup_bundle
	set_args sh -c 'grep ^husk: /etc/passwd && echo new >/etc/new && cat /etc/new && probe mounts'
	add_mount tmpfs /etc tmpfs tmpcopyup mode=755
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^husk:x:1000:1000:'
	assert_line_matches '^new$'
	[[ "$(fstype "$(mount_line "$output" /etc)")" == tmpfs ]]
	[[ ! -e "$BUNDLE/rootfs/etc/new" ]]
}

@test "tmpfs without tmpcopyup: the directory starts empty" {
	setup_bundle
	set_args ls -A /etc
	add_mount tmpfs /etc tmpfs
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals ""
}

@test "tmpfs: data options reach the filesystem" {
	setup_bundle probe mounts
	add_mount tmpfs /scratch tmpfs size=1m mode=700 nosuid
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(mount_line "$output" /scratch)" == *size=1024k* ]]
	[[ "$(mount_line "$output" /scratch)" == *mode=700* ]]
	[[ "$(mount_opts "$(mount_line "$output" /scratch)")" == rw,nosuid* ]]
}

# An mpol= nodelist holds commas, which tmpfs keeps inside the option (mount(2) does). A read-only tmpfs is
# made with fsopen/fsconfig, one option per call: split on every comma, the kernel got an option "0"
# (EINVAL) there while the same tmpfs read-write (mount(2)) worked.
@test "tmpfs: an mpol= nodelist with a comma reaches the filesystem, read-only (fsconfig) or not (mount(2))" {
	local ro
	[[ -d /sys/devices/system/node/node0 ]] || skip "no NUMA node 0 (a kernel without CONFIG_NUMA has no mpol=)"
	setup_bundle probe mounts
	add_mount tmpfs /scratch-ro tmpfs ro mpol=bind:0,0 size=1m
	add_mount tmpfs /scratch-rw tmpfs mpol=bind:0,0 size=1m
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	for ro in ro rw; do
		[[ "$(mount_line "$output" /scratch-$ro)" == *mpol=bind:0* ]] || fail "$ro: $(mount_line "$output" /scratch-$ro)"
		[[ "$(mount_line "$output" /scratch-$ro)" == *size=1024k* ]] || fail "$ro: $(mount_line "$output" /scratch-$ro)"
	done
	[[ "$(mount_opts "$(mount_line "$output" /scratch-ro)")" == ro* ]]
}

@test "missing destinations are created, for directories and nested paths" {
	local d=$BATS_TEST_TMPDIR/shared
	mkdir "$d"
	setup_bundle
	set_args sh -c 'probe stat /new/deep/dir; probe stat /other/tmp'
	add_mount "$d" /new/deep/dir "" bind
	add_mount tmpfs /other/tmp tmpfs
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^type=dir '
	[[ -d "$BUNDLE/rootfs/new/deep/dir" && -d "$BUNDLE/rootfs/other/tmp" ]]
}

@test "a symlink to /etc in the image as destination: the mount stays in the rootfs" {
	local before
	before=$(grep -c ' /etc ' /proc/self/mountinfo || true)
	setup_bundle
	mkdir -p "$BUNDLE/rootfs/mnt"
	ln -s /etc "$BUNDLE/rootfs/mnt/evil"
	set_args sh -c 'probe mounts; ls -A /etc'
	add_mount tmpfs /mnt/evil tmpfs
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	# the symlink resolved inside the rootfs: the container's /etc got the tmpfs
	[[ "$(fstype "$(mount_line "$output" /etc)")" == tmpfs ]]
	refute_output_contains passwd
	[[ "$(grep -c ' /etc ' /proc/self/mountinfo || true)" == "$before" ]]
	[[ -s /etc/passwd ]]
}

@test "a symlink to a host directory in the image: new files and dirs are made in the rootfs" {
	local host=$BATS_TEST_TMPDIR/hostdir f=$BATS_TEST_TMPDIR/file
	mkdir "$host"
	echo bound >"$f"
	setup_bundle
	mkdir -p "$BUNDLE/rootfs/mnt"
	ln -s "$host" "$BUNDLE/rootfs/mnt/evil"
	ln -s ../../../../../../../../../../.. "$BUNDLE/rootfs/mnt/up"
	set_args cat /mnt/evil/sub/file
	add_mount "$f" /mnt/evil/sub/file "" bind
	add_mount tmpfs /mnt/up/tmp/escape tmpfs
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals bound
	[[ -z "$(ls -A "$host")" ]] || fail "husk created files in the host directory"
	[[ -f "$BUNDLE/rootfs$host/sub/file" ]]
	[[ -d "$BUNDLE/rootfs/tmp/escape" ]]
	[[ ! -e /tmp/escape ]]
}

@test "/proc as a symlink in the image: create fails with a clear error, nothing left" {
	local id
	id=$(cid)
	setup_bundle true
	rmdir "$BUNDLE/rootfs/proc"
	ln -s "$BATS_TEST_TMPDIR" "$BUNDLE/rootfs/proc"
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "'/proc'"
	assert_output_contains "not a directory"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
	[[ -z "$(_husk_leaked_mounts "$BATS_TEST_TMPDIR")" ]]
}

@test "/sys as a symlink in the image: create fails with a clear error" {
	setup_bundle true
	rmdir "$BUNDLE/rootfs/sys"
	ln -s /tmp "$BUNDLE/rootfs/sys"
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "'/sys'"
	assert_output_contains "refusing"
}

@test "root.readonly: writing to / fails with EROFS" {
	setup_bundle probe write /x data
	cfg '.root.readonly = true'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "Read-only file system"
	[[ ! -e "$BUNDLE/rootfs/x" ]]
}

@test "root.readonly false: / is writable" {
	setup_bundle probe write /x data
	cfg '.root.readonly = false'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "$(cat "$BUNDLE/rootfs/x")" == data ]]
}

@test "maskedPaths: a file reads empty, a directory is empty, a missing path is ignored" {
	setup_bundle
	echo secret >"$BUNDLE/rootfs/secret"
	mkdir "$BUNDLE/rootfs/secretdir"
	echo secret >"$BUNDLE/rootfs/secretdir/inner"
	set_args sh -c 'echo "[$(cat /secret)]"; ls -A /secretdir; probe stat /secret; probe stat /proc/keys'
	cfg '.linux.maskedPaths += ["/secret", "/secretdir", "/no/such/path"]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${lines[0]}" == "[]" ]]
	[[ "${lines[1]}" == type=chr*rdev=1:3 ]]
	[[ "${lines[2]}" == type=chr*rdev=1:3 ]]
	[[ "${#lines[@]}" -eq 3 ]] || fail "the masked directory is not empty"
}

@test "maskedPaths: a masked directory is a read-only tmpfs named 'tmpfs' in mountinfo, as runc's" {
	setup_bundle
	mkdir "$BUNDLE/rootfs/secretdir"
	# mountinfo after " - ": the filesystem type, the source, the superblock options
	set_args sh -c 'awk '\''$5 == "/secretdir" { sub(/.* - /, ""); print }'\'' /proc/self/mountinfo'
	cfg '.linux.maskedPaths += ["/secretdir"]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	# runc 1.1.5 mounts "tmpfs" there, read-only down to the superblock; tools that list mounts by source (findmnt, mount) show the same
	[[ "$output" == "tmpfs tmpfs ro"* ]] || fail "masked directory's mount: '$output'"
}

@test "readonlyPaths: writes fail with EROFS" {
	setup_bundle
	mkdir "$BUNDLE/rootfs/data"
	set_args sh -c 'probe write /data/x 1; probe write /proc/sys/net/ipv4/ip_forward 1; probe write /tmp/y 1'
	cfg '.root.readonly = false | .linux.readonlyPaths += ["/data"]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	[[ "${lines[0]}" == *"Read-only file system"* ]]
	[[ "${lines[1]}" == *"Read-only file system"* ]]
	[[ "${lines[2]}" == ok ]]
}

@test "/dev: the default nodes with their numbers and mode 0666" {
	local n
	setup_bundle
	set_args sh -c 'for n in null zero full random urandom tty; do echo "$n $(probe stat /dev/$n)"; done'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	for n in "null 1:3" "zero 1:5" "full 1:7" "random 1:8" "urandom 1:9" "tty 5:0"; do
		assert_line_matches "^${n% *} type=chr mode=0666 uid=0 gid=0 rdev=${n#* }\$"
	done
}

@test "/dev: the default links" {
	setup_bundle
	set_args sh -c 'for l in fd stdin stdout stderr ptmx; do echo "$l $(readlink /dev/$l)"; done; probe stat /dev/pts/ptmx'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^fd /proc/self/fd$'
	assert_line_matches '^stdin /proc/self/fd/0$'
	assert_line_matches '^stdout /proc/self/fd/1$'
	assert_line_matches '^stderr /proc/self/fd/2$'
	assert_line_matches '^ptmx pts/ptmx$'
	assert_line_matches '^type=chr .*rdev=5:2$'
}

@test "/dev: null and zero work" {
	setup_bundle
	set_args sh -c 'echo x >/dev/null && head -c 4 /dev/zero | od -An -tx1'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals " 00 00 00 00"
}

@test "linux.devices: a node with its mode, uid and gid" {
	setup_bundle
	set_args sh -c 'probe stat /dev/fuse; probe stat /dev/net/tun'
	cfg '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 384,
		"uid": 1, "gid": 2}, {"path": "/dev/net/tun", "type": "c", "major": 10, "minor": 200}]'
	allow_devices c 10 229 c 10 200
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^type=chr mode=0600 uid=1 gid=2 rdev=10:229$'
	assert_line_matches '^type=chr mode=0666 uid=0 gid=0 rdev=10:200$'
}

@test "linux.devices: a fileMode with the type bits (as podman writes it)" {
	setup_bundle probe stat /dev/fuse
	# 8630 is 020666: S_IFCHR | 0666
	cfg '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 8630}]'
	allow_devices c 10 229
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "type=chr mode=0666 uid=0 gid=0 rdev=10:229"
}

@test "linux.devices: set-id bits in fileMode survive the chown (fchmodat2, or the pinned procfs' fd link before Linux 6.6)" {
	setup_bundle probe stat /dev/fuse
	# 3504 is 06660; uid 1 and gid 2 make husk chown, which clears the set-id bits, so it chmods again
	cfg '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 3504,
		"uid": 1, "gid": 2}]'
	allow_devices c 10 229
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "type=chr mode=6660 uid=1 gid=2 rdev=10:229"
}

@test "linux.devices: a fifo and a block device" {
	setup_bundle
	set_args sh -c 'probe stat /dev/myfifo; probe stat /dev/myloop'
	cfg '.linux.devices = [{"path": "/dev/myfifo", "type": "p", "fileMode": 420},
		{"path": "/dev/myloop", "type": "b", "major": 7, "minor": 200, "fileMode": 432}]'
	allow_devices b 7 200
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^type=fifo mode=0644 '
	assert_line_matches '^type=blk mode=0660 uid=0 gid=0 rdev=7:200$'
}

@test "--no-pivot: the container runs in its rootfs" {
	local id
	id=$(cid)
	setup_bundle
	set_args sh -c 'cat /etc/hostname >/dev/null && probe mounts && ls /'
	husk create --no-pivot --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&-
	husk start "$id"
	wait_for_status "$id" stopped
	husk delete "$id"
	run cat "$BATS_TEST_TMPDIR/out"
	[[ -n "$(mount_line "$output" /)" ]]
	[[ -n "$(mount_line "$output" /proc)" ]]
	assert_line_matches '^bin$'
	awk -v d="$BATS_TEST_TMPDIR" 'index($5, d) { exit 1 }' <<<"$output" || fail "a host mount shows"
}

@test "idmapped mounts are refused with a clear error" {
	local d=$BATS_TEST_TMPDIR/shared
	mkdir "$d"
	setup_bundle true
	add_mount "$d" /idm "" bind idmap
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "idmap"
	assert_output_contains "not supported"
}

@test "an unknown filesystem type fails with the cause" {
	setup_bundle true
	add_mount none /x no-such-fs-type
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "no-such-fs-type"
	assert_output_contains "No such device"
}

@test "a /dev/null planted by the image is never used for masking" {
	local id
	id=$(cid)
	setup_bundle true
	cfg '.mounts |= map(select(.destination != "/dev"))'
	mkdir -p "$BUNDLE/rootfs/dev"
	ln -s /etc/hostname "$BUNDLE/rootfs/dev/null"
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "/dev/null is not the 1:3 character device"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]]
	rm "$BUNDLE/rootfs/dev/null"
	echo fake >"$BUNDLE/rootfs/dev/null"
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "/dev/null is not the 1:3 character device"
}

@test "a destination with .. stays in the rootfs" {
	local d=$BATS_TEST_TMPDIR/shared
	mkdir "$d"
	echo dots >"$d/x"
	setup_bundle cat /dotdot/x
	add_mount "$d" /../../../../dotdot "" bind
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals dots
	[[ -d "$BUNDLE/rootfs/dotdot" ]]
	[[ ! -e "$BATS_TEST_TMPDIR/dotdot" && ! -e /dotdot ]]
}

@test "a dangling relative symlink as a file destination: its target is made in the rootfs" {
	local f=$BATS_TEST_TMPDIR/resolv
	echo "nameserver 192.0.2.1" >"$f"
	setup_bundle cat /etc/resolv.conf
	rm -f "$BUNDLE/rootfs/etc/resolv.conf"
	ln -s ../run/resolve/stub-resolv.conf "$BUNDLE/rootfs/etc/resolv.conf"
	add_mount "$f" /etc/resolv.conf "" bind ro
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "nameserver 192.0.2.1"
	[[ -f "$BUNDLE/rootfs/run/resolve/stub-resolv.conf" ]]
}
