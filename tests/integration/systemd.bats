#!/usr/bin/env bats
# A host with systemd as PID 1 and the unified cgroup v2 hierarchy, as Debian 12, Fedora and Ubuntu boot:
# podman keeps its defaults there (cgroup_manager = "systemd", so it passes --systemd-cgroup to the
# runtime and husk's systemd driver makes the container's scope). These tests run in the VM stage
# (tests/vm/ci-stage.sh); on other hosts they skip and say why.
# podman runs with a private configuration and vfs storage in this file's temp dir.

load helpers
bats_require_minimum_version 1.5.0

IMAGE=localhost/busybox-husk

need_systemd_v2() {
	[[ "$(cat /proc/1/comm)" == systemd ]] || skip "needs systemd as PID 1 (tests/vm/run.sh boots such a host)"
	[[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]] || skip "needs the unified cgroup v2 hierarchy"
	command -v podman >/dev/null || skip "needs podman"
}

setup_file() {
	[[ "$(cat /proc/1/comm)" == systemd && "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]] || return 0
	command -v podman >/dev/null || return 0
	husk_rootfs_cache || return
	PODMAN_DIR=$(mktemp -d /tmp/husk-sdpm.XXXXXX)
	export PODMAN_DIR
	# no cgroup manager: podman's own default decides (systemd here)
	husk_podman_conf "$PODMAN_DIR"
	tar -C "$HUSK_ROOTFS_CACHE" -c . | podman import -q - "$IMAGE" >/dev/null ||
		fail "podman import of the busybox rootfs failed"
}

teardown_file() {
	[[ -n "${PODMAN_DIR:-}" && -d "$PODMAN_DIR" ]] || return 0
	podman rm -a -f -t 0 >/dev/null 2>&1
	podman rmi -a -f >/dev/null 2>&1
	rmdir /sys/fs/cgroup/libpod_parent/conmon /sys/fs/cgroup/libpod_parent 2>/dev/null
	rm -rf --one-file-system "$PODMAN_DIR"
}

teardown() {
	husk_teardown
}

@test "systemd host: podman with its defaults (systemd cgroup manager) runs, execs, pauses, updates, stops and removes a container, limits enforced" {
	local id unit
	need_systemd_v2
	run podman info --format '{{.Host.CgroupManager}}'
	assert_success
	assert_output_equals systemd
	run podman --runtime husk run -d --name sd-default --pids-limit 12 --memory 64m --memory-swap 64m \
		"$IMAGE" sleep 100000
	assert_success
	id=${lines[-1]}
	# podman asks for machine.slice:libpod:<id>: husk's driver made the scope, with the limits
	unit=libpod-$id.scope
	[[ "$(systemctl show "$unit" -p ActiveState --value)" == active ]] || fail "$unit is not active"
	[[ "$(systemctl show "$unit" -p Slice --value)" == machine.slice ]] || fail "slice"
	[[ "$(systemctl show "$unit" -p MemoryMax --value)" == 67108864 ]] || fail "MemoryMax"
	# seen and enforced from inside: pids.max stops forks, memory.max OOM-kills an allocation past it
	run podman exec sd-default sh -c 'cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max; probe fork 20'
	assert_success
	assert_line_matches '^12$'
	assert_line_matches '^67108864$'
	assert_line_matches '^failed: Resource temporarily unavailable$'
	run podman exec sd-default probe alloc 100
	assert_status 137
	refute_output_contains "allocated 99"
	run podman pause sd-default
	assert_success
	[[ "$(podman inspect -f '{{.State.Status}}' sd-default)" == paused ]] || fail "not paused"
	run podman unpause sd-default
	assert_success
	if podman update --help >/dev/null 2>&1; then
		run podman update --memory 128m --memory-swap 128m sd-default
		assert_success
		[[ "$(systemctl show "$unit" -p MemoryMax --value)" == 134217728 ]] || fail "MemoryMax after update"
		run podman exec sd-default cat /sys/fs/cgroup/memory.max
		assert_output_equals 134217728
	fi
	run podman stop -t 1 sd-default
	assert_success
	run podman rm sd-default
	assert_success
	# nothing was left behind: no podman container, no husk state, no unit
	run podman ps -a -q
	assert_output_equals ""
	run "$HUSK" list -q
	assert_output_equals ""
	run systemctl list-units --all --no-legend --plain
	refute_output_contains "libpod-$id"
}

@test "systemd host: podman --runtime husk --cgroup-manager cgroupfs run works, with v2 limits enforced" {
	need_systemd_v2
	run podman --runtime husk --cgroup-manager cgroupfs run --rm --name sd-cgroupfs --pids-limit 12 \
		--memory 64m "$IMAGE" sh -c 'echo hello; cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max; probe fork 20'
	assert_success
	assert_line_matches '^hello$'
	assert_line_matches '^12$'
	assert_line_matches '^67108864$'
	# pids.max = 12 stopped the forks before 20: the limit is enforced, not only written
	assert_line_matches '^failed: Resource temporarily unavailable$'
	[[ "$output" =~ forked\ ([0-9]+) && ${BASH_REMATCH[1]} -lt 12 ]] || fail "expected fewer than 12 forks under pids.max 12"
	run podman ps -a -q
	assert_output_equals ""
}
