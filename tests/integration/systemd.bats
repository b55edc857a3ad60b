#!/usr/bin/env bats
# A host with systemd as PID 1 and the unified cgroup v2 hierarchy, as Debian 12, Fedora and Ubuntu boot:
# podman keeps its defaults there (cgroup_manager = "systemd", so it passes --systemd-cgroup to the
# runtime). These tests run in the VM stage (tests/vm/ci-stage.sh); on other hosts they skip and say why.
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
	mkdir -p "$PODMAN_DIR/tmp"
	# no cgroup_manager line: podman's own default decides
	cat >"$PODMAN_DIR/containers.conf" <<-EOF
		[containers]
		netns = "none"
		default_ulimits = ["nofile=20000:20000"]

		[engine]
		events_logger = "file"
		tmp_dir = "$PODMAN_DIR/tmp"
		runtime_supports_json = ["husk", "crun", "runc"]

		[engine.runtimes]
		husk = ["$HUSK"]
	EOF
	cat >"$PODMAN_DIR/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		runroot = "$PODMAN_DIR/run"
		graphroot = "$PODMAN_DIR/graph"
	EOF
	export CONTAINERS_CONF=$PODMAN_DIR/containers.conf
	export CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf
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

@test "systemd host: podman with its defaults (systemd cgroup manager) fails, and husk says to pass --cgroup-manager cgroupfs" {
	need_systemd_v2
	run podman info --format '{{.Host.CgroupManager}}'
	assert_success
	assert_output_equals systemd
	run podman --runtime husk run --rm --name sd-default "$IMAGE" true
	assert_failure
	assert_output_contains "systemd cgroup driver not available"
	assert_output_contains "pass --cgroup-manager cgroupfs"
	# nothing was left behind: no podman container, no husk state
	run podman ps -a -q
	assert_output_equals ""
	run "$HUSK" list -q
	assert_output_equals ""
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
