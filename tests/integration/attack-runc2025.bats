#!/usr/bin/env bats
# The classes of runc's November 2025 advisories, run against husk as chains, races and swaps: the node masking
# binds (CVE-2025-31133), the console bind (CVE-2025-52565) and the /proc writes (CVE-2025-52881). The other
# container sharing a volume is played by a host process acting on the volume's directory (the same
# syscalls, without the setup of a second container). docs/security.md names each defense.
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
		wait "$pid" 2>/dev/null || true
	done
	# the shared volume of the propagation test, with whatever a container pushed into it
	! mountpoint -q "$BATS_TEST_TMPDIR/vol" || umount -R "$BATS_TEST_TMPDIR/vol"
	husk_teardown
}

KILL_PIDS=()
HUSK_TOOLS=${HUSK_TOOLS:-$HUSK_SRC_DIR/build}

# start_swapper NAME KIND...: tests/tools/node-swapper.c in the background (killed in teardown), its stdio
# off bats' output pipe.
start_swapper() {
	[[ -x "$HUSK_TOOLS/node-swapper" ]] || fail "node-swapper not found in '$HUSK_TOOLS': build it" || return
	"$HUSK_TOOLS/node-swapper" "$@" </dev/null >/dev/null 2>&1 &
	KILL_PIDS+=($!)
}

# start_recvtty SOCKET OUT: a console-socket receiver in the background (killed in teardown).
start_recvtty() {
	[[ -x "$HUSK_TOOLS/recvtty" ]] || fail "recvtty not found in '$HUSK_TOOLS': build it" || return
	rm -f "$1"
	timeout 60 "$HUSK_TOOLS/recvtty" "$1" </dev/null >"$2" 2>&1 &
	KILL_PIDS+=($!)
	wait_for test -S "$1"
}

# out_mount: /out in the container is $BATS_TEST_TMPDIR/out, for the container's findings.
out_mount() {
	mkdir -p "$BATS_TEST_TMPDIR/out"
	cfg --arg o "$BATS_TEST_TMPDIR/out" '.mounts += [{source: $o, destination: "/out", type: "bind", options: ["rbind", "rw"]}]'
}

# use_volume_as_dev VOL: the bundle's /dev is a bind of the host directory VOL (a volume another container
# also has).
use_volume_as_dev() {
	mkdir -p "$1"
	cfg --arg v "$1" '.mounts |= map(if .destination == "/dev" then
		{source: $v, destination: "/dev", type: "bind", options: ["rbind", "rw"]} else . end)'
}

# ---- CVE-2025-31133 class: the node masking binds ----------------------------------------------------------

@test "CVE-2025-31133 class: /dev/null on a shared volume raced to a symlink to core_pattern, a FIFO, /dev/zero and a file: every masked file is the null device, or create fails" {
	local vol=$BATS_TEST_TMPDIR/vol out=$BATS_TEST_TMPDIR/out/r core i ok=0 refused=0
	core=$(cat /proc/sys/kernel/core_pattern)
	# the new container reports what each masked file of /proc is, without opening it (a FIFO would block)
	setup_bundle sh -c 'for f in /proc/keys /proc/timer_list /proc/sched_debug /proc/latency_stats; do
		[ -e "$f" ] || [ -L "$f" ] && echo "$f $(stat -c "%F %t:%T" "$f")"; done >/out/r; true'
	use_volume_as_dev "$vol"
	out_mount
	mknod "$vol/null" c 1 3
	# without the attacker: masked with the null device
	run_husk run --bundle "$BUNDLE" "$(cid 0)" </dev/null
	assert_success
	grep -q 'character special file 1:3' "$out" || fail "no masked file found: $(cat "$out")"
	! grep -qv 'character special file 1:3' "$out" || fail "masked with something else: $(cat "$out")"
	# the other container renames, for ever, each of these over the volume's null: the real null device
	# among them, so some creates find it
	start_swapper "$vol/null" link:/proc/sys/kernel/core_pattern fifo chr:1:5 file chr:1:3
	# without the 1:3 check, 13 of 20 runs masked with a symlink, a FIFO, /dev/zero or a file
	for i in $(seq 40); do
		rm -f "$out"
		run timeout 30 "$HUSK" --root "$HUSK_TEST_ROOT" run --bundle "$BUNDLE" "$(cid "$i")" </dev/null
		((status != 124)) || fail "run $i hung: $output"
		if ((status == 0)); then
			ok=$((ok + 1))
			! grep -qv 'character special file 1:3' "$out" || fail "run $i masked with another node: $(cat "$out")"
		else
			# fails closed: the node is not the null device, or was renamed away before it was bound
			refused=$((refused + 1))
			[[ "$output" == *"/dev/null is not the 1:3 character device"* || "$output" == *"mask file"* ]] ||
				fail "run $i failed for another reason: $output"
		fi
	done
	echo "# 40 runs: $ok masked with the null device, $refused refused" >&3
	[[ "$(cat /proc/sys/kernel/core_pattern)" == "$core" ]] || fail "the host's core_pattern changed"
}

# ---- CVE-2025-52565 class: the console bind ----------------------------------------------------------------

@test "CVE-2025-52565 class: an image's /dev/console that is a symlink to core_pattern or a FIFO gets the pty on /dev/console itself, nothing on the target, no hang" {
	local sock=$BATS_TEST_TMPDIR/tty.sock out=$BATS_TEST_TMPDIR/out/r kind core i=0
	core=$(cat /proc/sys/kernel/core_pattern)
	setup_bundle sh -c '{ stat -c "console %F %t" /dev/console
		grep -c " /proc/sys/kernel/core_pattern " /proc/self/mountinfo; } >/out/r; true'
	# the image's own /dev (no tmpfs there), devpts on /dev/pts as usual
	cfg 'del(.mounts[] | select(.destination == "/dev"))'
	out_mount
	mkdir -p "$BUNDLE/rootfs/dev"
	cfg '.process.terminal = true | .linux.maskedPaths = []'
	mknod "$BUNDLE/rootfs/dev/null" c 1 3
	for kind in link fifo; do
		i=$((i + 1))
		rm -f "$BUNDLE/rootfs/dev/console" "$out"
		if [[ $kind == link ]]; then
			ln -s /proc/sys/kernel/core_pattern "$BUNDLE/rootfs/dev/console"
		else
			mkfifo "$BUNDLE/rootfs/dev/console"
		fi
		start_recvtty "$sock" "$BATS_TEST_TMPDIR/tty$i.out"
		run timeout 30 "$HUSK" --root "$HUSK_TEST_ROOT" run --console-socket "$sock" --bundle "$BUNDLE" "$(cid "$i")" </dev/null
		assert_success
		# the pty (major 136, 0x88) is what /dev/console is, and no mount covers the symlink's target
		[[ "$(cat "$out")" == $'console character special file 88\n0' ]] ||
			fail "$kind: the pty went elsewhere: $(cat "$out")"
		[[ $kind == fifo ]] || [[ "$(readlink "$BUNDLE/rootfs/dev/console")" == /proc/sys/kernel/core_pattern ]] ||
			fail "the image's symlink was replaced"
	done
	[[ "$(cat /proc/sys/kernel/core_pattern)" == "$core" ]] || fail "the host's core_pattern changed"
}

# ---- CVE-2025-52881 class: /proc opened by path after joining another container's mount namespace -----------

# hostile_pod A B FD ARGS...: A, the hostile container, root of its own user namespace (every capability
# there), sleeping; B's bundle (program ARGS), joining A's PID and mount namespaces (a pod's). B's rootfs
# path is looked up in A's mount namespace, where A provides it. In A: a tmpfs holding B's rootfs (a copy of
# A's), then a tmpfs over /proc whose self and thread-self are A's own directory: fd/ the real one (FD
# "real", so B's setup works) or links 0-99 all to A's directory /.evil at the tmpfs' top (FD "evil"),
# ns/time_for_children A's time namespace, attr/apparmor/exec and attr/exec binds of a harmless procfs file
# (A's /proc/1/sched takes any write).
hostile_pod() {
	local a=$1 b=$2 fd=$3 apid top fdlinks
	shift 3
	husk_allow_mapped_root
	make_bundle "$a" sleep 300
	BUNDLE=$a cfg '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .process.capabilities |= with_entries(.value = ["CAP_SYS_ADMIN", "CAP_DAC_OVERRIDE", "CAP_CHOWN",
			"CAP_FOWNER", "CAP_SYS_CHROOT", "CAP_SETUID", "CAP_SETGID"])'
	husk run -d --bundle "$a" "$(cid a)" </dev/null >/dev/null
	apid=$(husk state "$(cid a)" | jq -r .pid)
	make_bundle "$b" "$@"
	BUNDLE=$b cfg --arg p "/proc/$apid/ns" '
		.linux.namespaces |= map(if .type == "pid" or .type == "mount" then
			.path = $p + "/" + (if .type == "mount" then "mnt" else .type end) else . end)
		| del(.mounts[] | select(.type == "cgroup" or .type == "cgroup2"))'
	top=/$(cut -d/ -f2 <<<"$b")
	fdlinks="ln -s '$top/.proc/thread-self/fd' '$top/.self/fd'"
	[[ $fd == real ]] ||
		fdlinks="mkdir -p '$top/.evil' '$top/.self/fd'; for n in \$(seq 0 99); do ln -s '$top/.evil' '$top/.self/fd/'\$n; done"
	husk exec "$(cid a)" sh -c "set -e; mount -t tmpfs none '$top'; mkdir -p '$b/rootfs' '$top/.proc' '$top/.self/ns'
		for d in bin sbin usr etc lib lib64; do [ ! -e /\$d ] || cp -a /\$d '$b/rootfs/'; done
		mkdir -p '$b/rootfs/proc' '$b/rootfs/dev' '$b/rootfs/sys' '$b/rootfs/tmp' '$top/.self/attr/apparmor'
		mount -t proc proc '$top/.proc'; $fdlinks
		touch '$top/.self/ns/time_for_children'; mount --bind /proc/1/ns/time '$top/.self/ns/time_for_children'
		for f in attr/exec attr/apparmor/exec; do touch '$top/.self/'\$f; mount --bind /proc/1/sched '$top/.self/'\$f; done
		mount -t tmpfs none /proc; ln -s '$top/.self' /proc/self; ln -s '$top/.self' /proc/thread-self" </dev/null
}

@test "CVE-2025-52881 class: a container whose mount and PID namespaces a new one joins fakes /proc/self: the new time namespace still gets its offsets" {
	# B asks for a time namespace of its own, 86400 s ahead
	hostile_pod "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" real cat /proc/self/timens_offsets
	BUNDLE=$BATS_TEST_TMPDIR/b cfg '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0}}'
	run_husk run --bundle "$BATS_TEST_TMPDIR/b" "$(cid b)" </dev/null
	assert_success
	# before the fix B joined A's time namespace (the host's: monotonic 0) and ran without its offsets
	assert_line_matches '^monotonic +86400 +0$'
}

@test "CVE-2025-52881 class: the same fake /proc/self cannot absorb the AppArmor label: a profile that does not exist still fails create" {
	[[ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" == Y ]] || skip "AppArmor is not enabled here"
	hostile_pod "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" real echo ran-unconfined
	BUNDLE=$BATS_TEST_TMPDIR/b cfg '.process.apparmorProfile = "husk-no-such-profile"'
	run_husk run --bundle "$BATS_TEST_TMPDIR/b" "$(cid b)" </dev/null
	# the kernel refuses an unknown profile at the write: through A's /proc/1/sched (which takes any write) the
	# label was never set and B ran unconfined
	assert_failure
	assert_output_contains 'husk-no-such-profile'
	refute_output_contains ran-unconfined
}

@test "CVE-2025-52881 class: the same container's fake /proc/self/fd/N links never receive the new container's mounts" {
	local top
	hostile_pod "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" evil stat -f -c %T /proc /sys /dev
	top=/$(cut -d/ -f2 <<<"$BATS_TEST_TMPDIR")
	run_husk run --bundle "$BATS_TEST_TMPDIR/b" "$(cid b)" </dev/null
	local b_status=$status b_output=$output
	# before the fix B's procfs and /dev tmpfs were mounted on A's /.evil (where they stayed, in the namespace
	# they share), then create failed making /dev/pts in the image's /dev
	run husk exec "$(cid a)" grep -c " $top/.evil " "$top/.proc/1/mountinfo"
	[[ "$output" == 0 ]] || fail "B's mounts landed on A's /.evil ($output): B said: $b_output"
	((b_status == 0)) || fail "B failed: $b_output"
	[[ "$b_output" == $'proc\nsysfs\ntmpfs' ]] || fail "B's /proc, /sys and /dev: $b_output"
}

# ---- rootfsPropagation shared: an image symlink sends a config mount into an rshared volume --------------------

@test "rootfsPropagation shared: a read-only config mount an image symlink sends into an rshared volume reaches the host, but only read-only" {
	local vol=$BATS_TEST_TMPDIR/vol secret=$BATS_TEST_TMPDIR/secret opts
	mkdir -p "$vol" "$secret"
	echo key >"$secret/key"
	# the volume is a shared mount on the host (Kubernetes' Bidirectional propagation)
	mount --bind "$vol" "$vol"
	mount --make-shared "$vol"
	setup_bundle sh -c 'touch /mnt/evil/written 2>/dev/null && echo writable; true'
	# the image makes the destination of a read-only bind (a secret) a symlink into the volume
	mkdir -p "$BUNDLE/rootfs/mnt" "$BUNDLE/rootfs/vol"
	ln -s /vol/x "$BUNDLE/rootfs/mnt/evil"
	cfg --arg v "$vol" --arg s "$secret" '.linux.rootfsPropagation = "shared"
		| .mounts += [{source: $v, destination: "/vol", type: "bind", options: ["rbind", "rshared"]},
			{source: $s, destination: "/mnt/evil", type: "bind", options: ["rbind", "ro"]}]'
	run_husk run --bundle "$BUNDLE" "$(cid)" </dev/null
	assert_success
	refute_output_contains writable
	# as under runc 1.1.5 and the spec (a destination is resolved in the rootfs, symlinks followed), the mount
	# landed on /vol/x and propagated to the host, where it outlives the container; runc's host copy is
	# read-write (it remounts read-only after the bind, which does not propagate), husk's is made read-only
	# before it is attached, so every copy is
	opts=$(awk -v p="$vol/x" '$5 == p { print $6 }' /proc/self/mountinfo)
	[[ -n "$opts" ]] || fail "the mount did not propagate (husk now refuses it? update docs/security.md)"
	[[ "$opts" == ro,* ]] || fail "the host's copy of the read-only mount is '$opts'"
	! touch "$vol/x/written" 2>/dev/null || fail "the secret is writable through the host's copy"
	[[ ! -e "$secret/written" ]] || fail "the secret directory was written"
}
