#!/usr/bin/env bats
# podman drives husk: every operation podman (with conmon) performs through an OCI runtime, run against a
# private podman configuration and vfs storage in this file's temp dir, with husk as the default runtime.
# podman is installed with apt-get when missing (and runc, for the error-parity test).
# shellcheck disable=SC2016 # container shell lines are single-quoted on purpose

load helpers
bats_require_minimum_version 1.5.0

IMAGE=localhost/busybox-husk

# apt_install CMD PACKAGE: install PACKAGE when CMD is missing (CI starts from a fresh machine).
apt_install() {
	command -v "$1" >/dev/null && return 0
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >&2 ||
		fail "could not install $2 with apt-get"
}

setup_file() {
	local cg
	apt_install podman podman || return
	apt_install runc runc || return
	husk_rootfs_cache || return
	# short: conmon's attach and console sockets live under these directories
	PODMAN_DIR=$(mktemp -d /tmp/husk-podman.XXXXXX)
	export PODMAN_DIR
	mkdir -p "$PODMAN_DIR/tmp"
	# podman's cgroupfs parent (libpod_parent, with conmon's cgroup inside): removed at the end if ours
	: >"$PODMAN_DIR/cgroups-before"
	for cg in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do
		[[ ! -d "$cg" ]] || echo "$cg" >>"$PODMAN_DIR/cgroups-before"
	done
	husk_podman_conf "$PODMAN_DIR" cgroupfs
	tar -C "$HUSK_ROOTFS_CACHE" -c . | podman import -q - "$IMAGE" >/dev/null ||
		fail "podman import of the busybox rootfs failed" || return
	# one long-running container for the tests that only exec into it
	podman run -d --name hpm-shared "$IMAGE" sleep 100000 >/dev/null ||
		fail "podman run -d of the shared container failed"
}

teardown_file() {
	local ids id leaks=() cg tries=100

	[[ -n "${PODMAN_DIR:-}" && -d "$PODMAN_DIR" ]] || return 0
	mapfile -t ids < <(podman ps -a -q --no-trunc 2>/dev/null)
	podman rm -a -f -t 0 >/dev/null 2>&1
	podman rmi -a -f >/dev/null 2>&1
	# husk must have deleted its state for every container podman removed
	for id in "${ids[@]}"; do
		if "$HUSK" state "$id" >/dev/null 2>&1; then
			leaks+=("husk state: $id")
			"$HUSK" delete --force "$id" >/dev/null 2>&1
		fi
	done
	# vfs needs no mounts, but a shm or a leftover bind would sit under the storage directory
	while read -r mnt; do
		leaks+=("mount: $mnt")
		umount -l "$mnt"
	done < <(awk -v d="$PODMAN_DIR" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	# and no conmon may be left serving one of them (each exits on its own once its container is
	# gone, after running podman's cleanup command: give them a moment)
	while pgrep -f -- "$PODMAN_DIR/" >/dev/null && ((tries-- > 0)); do
		sleep 0.1
	done
	while read -r pid; do
		leaks+=("process: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")")
		kill -KILL "$pid"
	done < <(pgrep -f -- "$PODMAN_DIR/" || true)
	for cg in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do
		if [[ -d "$cg" ]] && ! grep -qxF "$cg" "$PODMAN_DIR/cgroups-before"; then
			rmdir "$cg/conmon" "$cg" 2>/dev/null
		fi
	done
	rm -rf --one-file-system "$PODMAN_DIR"
	if ((${#leaks[@]} > 0)); then
		printf 'LEAK: %s\n' "${leaks[@]}" >&2
		return 1
	fi
}

# pname SUFFIX: a container name owned by the current test (removed by teardown).
pname() {
	echo "hpm-$BATS_TEST_NUMBER-$1"
}

teardown() {
	local names
	mapfile -t names < <(podman ps -a --format '{{.Names}}' | grep "^hpm-$BATS_TEST_NUMBER-")
	if ((${#names[@]} > 0)); then
		podman rm -f -t 0 "${names[@]}" >/dev/null 2>&1 || true
	fi
}

# in_tty CMD: run the shell command CMD with a pseudo-terminal as its stdin/stdout (script(1)); the
# output's carriage returns are dropped.
in_tty() {
	script -qec "$1" /dev/null </dev/null | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

inspect() {
	podman inspect --format "$2" "$1"
}

# host_cgroup NAME CONTROLLER: the container's cgroup directory for CONTROLLER on the host: its v1
# hierarchy's, or on a pure cgroup v2 host (tests/vm/run.sh) its one v2 directory.
host_cgroup() {
	local pid
	pid=$(inspect "$1" '{{.State.Pid}}') || return
	if host_cgroup_unified; then
		echo "/sys/fs/cgroup$(awk -F: '$1 == 0 { print $3 }' "/proc/$pid/cgroup")"
	else
		echo "/sys/fs/cgroup/$2$(awk -F: -v c="$2" '$2 == c { print $3 }' "/proc/$pid/cgroup")"
	fi
}

@test "podman: husk is the runtime that ran the container" {
	local id
	[[ "$(inspect hpm-shared '{{.OCIRuntime}}')" == husk ]]
	id=$(inspect hpm-shared '{{.Id}}')
	# conmon ran husk's create (husk's default --root holds its state) and husk reports the pid podman has
	run "$HUSK" state "$id"
	assert_success
	[[ "$(jq -r .status <<<"$output")" == running ]]
	[[ "$(jq -r .pid <<<"$output")" == "$(inspect hpm-shared '{{.State.Pid}}')" ]]
	run podman info --format '{{.Host.OCIRuntime.Path}}'
	assert_output_equals "$HUSK"
}

@test "podman run --rm: output, and the exit status passed through" {
	run podman run --rm --name "$(pname a)" "$IMAGE" sh -c 'echo hello; exit 3'
	assert_status 3
	assert_output_contains hello
	run podman ps -a -q --filter "name=$(pname a)"
	assert_output_equals ""
}

@test "podman run -d: running in ps, with its pid in the container's pid namespace" {
	local name
	name=$(pname d)
	run podman run -d --name "$name" "$IMAGE" sleep 1000
	assert_success
	run podman ps --filter "name=$name" --format '{{.Names}} {{.Status}}'
	assert_success
	assert_output_contains "$name Up"
	[[ "$(inspect "$name" '{{.State.Status}}')" == running ]]
	run podman exec "$name" cat /proc/1/cmdline
	assert_output_equals "$(printf 'sleep\0001000')"
	# podman's stdin was not read by husk start: the container's stdin is /dev/null
	run podman exec "$name" readlink /proc/1/fd/0
	assert_output_equals /dev/null
}

@test "podman exec: output and exit status" {
	run podman exec hpm-shared sh -c 'echo in-container; exit 4'
	assert_status 4
	assert_output_equals in-container
	run podman exec hpm-shared true
	assert_success
}

@test "podman exec: joins the container's namespaces and cgroup" {
	local pid ns
	pid=$(inspect hpm-shared '{{.State.Pid}}')
	for ns in pid mnt ipc uts; do
		run podman exec hpm-shared readlink "/proc/self/ns/$ns"
		assert_output_equals "$(readlink "/proc/$pid/ns/$ns")"
	done
	# the exec'd process is in the init's cgroups, as both see them from inside (with or without a
	# cgroup namespace, which podman makes on cgroup v2)
	run podman exec hpm-shared sh -c '[ "$(cat /proc/self/cgroup)" = "$(cat /proc/1/cgroup)" ] && cat /proc/self/cgroup'
	assert_success
	if host_cgroup_unified; then
		assert_line_matches '^0::/'
	else
		assert_line_matches '^[0-9]+:memory:/'
	fi
}

@test "podman exec -i: stdin reaches the process" {
	run bash -c "printf 'one\ntwo\n' | podman exec -i hpm-shared sh -c 'cat; echo done'"
	assert_success
	assert_output_equals "$(printf 'one\ntwo\ndone')"
}

@test "podman exec -t: a terminal, through conmon's console socket" {
	# podman passes its terminal's size on (process.consoleSize): husk applies it to the new pty
	run in_tty "stty rows 30 cols 100; podman exec -t hpm-shared sh -c 'tty; stty size; exit 5'"
	assert_status 5
	assert_line_matches '^/dev/pts/[0-9]+$'
	assert_line_matches '^30 100$'
}

@test "podman exec -d: detached process keeps running" {
	run podman exec -d hpm-shared sh -c 'echo $$ >/tmp/exec-d; exec sleep 321'
	assert_success
	wait_for podman exec hpm-shared test -s /tmp/exec-d
	run podman exec hpm-shared ps -o args
	assert_output_contains "sleep 321"
	podman exec hpm-shared sh -c 'kill $(cat /tmp/exec-d)'
}

@test "podman exec of a missing program: exit 127 with the runtime's message" {
	run -127 podman exec hpm-shared no-such-program
	assert_output_contains "executable file not found"
	# the container is unharmed
	[[ "$(inspect hpm-shared '{{.State.Status}}')" == running ]]
}

@test "podman run -t: a terminal for the container's init" {
	run in_tty "podman run --rm -t --name $(pname t) $IMAGE sh -c 'tty; test -t 0 && echo stdin-is-tty; exit 6'"
	assert_status 6
	assert_line_matches '^/dev/pts/0$'
	assert_output_contains stdin-is-tty
}

# freezer_state NAME: FROZEN or THAWED, from v1's freezer.state or v2's cgroup.events ("frozen 1").
freezer_state() {
	local dir
	dir=$(host_cgroup "$1" freezer) || return
	if host_cgroup_unified; then
		if grep -qx 'frozen 1' "$dir/cgroup.events"; then echo FROZEN; else echo THAWED; fi
	else
		cat "$dir/freezer.state"
	fi
}

@test "podman pause/unpause: Paused, then Running again" {
	local name
	name=$(pname p)
	podman run -d --name "$name" "$IMAGE" sh -c 'while :; do date +%s%N >/tmp/tick; sleep 0.05; done' >/dev/null
	run podman pause "$name"
	assert_success
	[[ "$(inspect "$name" '{{.State.Status}}')" == paused ]]
	[[ "$(freezer_state "$name")" == FROZEN ]]
	run podman unpause "$name"
	assert_success
	[[ "$(inspect "$name" '{{.State.Status}}')" == running ]]
	[[ "$(freezer_state "$name")" == THAWED ]]
	run podman exec "$name" true
	assert_success
}

@test "podman update --memory: the new limit on the host's cgroup" {
	local name dir
	name=$(pname u)
	podman run -d --name "$name" --memory 64m "$IMAGE" sleep 1000 >/dev/null
	dir=$(host_cgroup "$name" memory)
	[[ "$dir" == */libpod-* ]]
	# v1 memory.limit_in_bytes, v2 memory.max (and the container's own cgroup at /sys/fs/cgroup inside)
	local file=memory.limit_in_bytes inside=/sys/fs/cgroup/memory/memory.limit_in_bytes
	if host_cgroup_unified; then
		file=memory.max inside=/sys/fs/cgroup/memory.max
	fi
	[[ "$(cat "$dir/$file")" == 67108864 ]]
	run podman update --memory 100m "$name"
	assert_success
	[[ "$(cat "$dir/$file")" == 104857600 ]]
	run podman exec "$name" cat "$inside"
	assert_output_equals 104857600
}

@test "podman stop: SIGTERM first, SIGKILL after -t 1, exit code 137" {
	local name
	name=$(pname s)
	# the shell as pid 1 traps TERM and keeps going: only the KILL ends it
	podman run -d --name "$name" "$IMAGE" \
		sh -c 'trap "echo got-TERM" TERM; echo ready; while :; do sleep 0.1; done' >/dev/null
	wait_for bash -c "podman logs $name | grep -q ready"
	run podman stop -t 1 "$name"
	assert_success
	[[ "$(inspect "$name" '{{.State.Status}}')" == exited ]]
	[[ "$(inspect "$name" '{{.State.ExitCode}}')" == 137 ]]
	run podman logs "$name"
	assert_output_contains got-TERM
	# a process that honours TERM stops at once with its own status
	name=$(pname s2)
	podman run -d --name "$name" "$IMAGE" sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done' >/dev/null
	run podman stop -t 5 "$name"
	assert_success
	[[ "$(inspect "$name" '{{.State.ExitCode}}')" == 42 ]]
}

@test "podman stop of an initialized container (podman init): SIGTERM ends it, exit code 143, not SIGKILL's 137" {
	local name
	name=$(pname i)
	podman create --name "$name" "$IMAGE" sleep 1000 >/dev/null
	# husk create has run (the init waits for start), husk start has not
	podman init "$name" >/dev/null
	[[ "$(inspect "$name" '{{.State.Status}}')" == initialized ]]
	# the waiting init used to ignore TERM (the PID namespace's init without a handler): podman then
	# sent KILL after the timeout; under runc the TERM ends it
	run podman stop -t 5 "$name"
	assert_success
	[[ "$(inspect "$name" '{{.State.Status}}')" == exited ]]
	[[ "$(inspect "$name" '{{.State.ExitCode}}')" == 143 ]]
	run podman rm "$name"
	assert_success
}

@test "podman start and restart: a stopped container runs again with a new init" {
	local name pid1 pid2
	name=$(pname r)
	podman run -d --name "$name" "$IMAGE" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' >/dev/null
	pid1=$(inspect "$name" '{{.State.Pid}}')
	podman stop -t 5 "$name" >/dev/null
	run podman start "$name"
	assert_success
	[[ "$(inspect "$name" '{{.State.Status}}')" == running ]]
	pid2=$(inspect "$name" '{{.State.Pid}}')
	[[ "$pid2" != "$pid1" && "$pid2" != 0 ]]
	run podman restart -t 5 "$name"
	assert_success
	[[ "$(inspect "$name" '{{.State.Status}}')" == running ]]
	[[ "$(inspect "$name" '{{.State.Pid}}')" != "$pid2" ]]
	run podman exec "$name" true
	assert_success
}

@test "podman rm -f: a running container is killed and removed, husk state and cgroup gone" {
	local name id dir
	name=$(pname rm)
	podman run -d --name "$name" "$IMAGE" sleep 1000 >/dev/null
	id=$(inspect "$name" '{{.Id}}')
	dir=$(host_cgroup "$name" memory)
	[[ -d "$dir" ]]
	run podman rm -f -t 0 "$name"
	assert_success
	run podman ps -a -q --filter "name=$name"
	assert_output_equals ""
	run "$HUSK" state "$id"
	assert_failure
	assert_output_contains "does not exist"
	[[ ! -d "$dir" ]]
}

@test "podman run --memory --pids-limit: the values seen inside" {
	local files=(/sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max)
	! host_cgroup_unified || files=(/sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max)
	run podman run --rm --name "$(pname l)" --memory 64m --pids-limit 33 "$IMAGE" cat "${files[@]}"
	assert_success
	assert_output_equals "$(printf '67108864\n33')"
}

@test "podman run --cpus, top and kill" {
	local name
	name=$(pname c)
	podman run -d --name "$name" --cpus 0.5 "$IMAGE" sleep 1000 >/dev/null
	if host_cgroup_unified; then
		[[ "$(cat "$(host_cgroup "$name" cpu)/cpu.max")" == "50000 100000" ]]
	else
		[[ "$(cat "$(host_cgroup "$name" cpu)/cpu.cfs_quota_us")" == 50000 ]]
	fi
	run podman top "$name" pid args
	assert_success
	assert_output_contains "sleep 1000"
	run podman kill "$name"
	assert_success
	wait_for bash -c "[[ \$(podman inspect --format '{{.State.Status}}' $name) == exited ]]"
	[[ "$(inspect "$name" '{{.State.ExitCode}}')" == 137 ]]
}

@test "podman: the default ulimits reach the container, and no stray descriptor" {
	run podman run --rm --name "$(pname ul)" "$IMAGE" sh -c 'ulimit -n; ulimit -u; ls /proc/self/fd'
	assert_success
	[[ "${lines[0]}" == 20000 && "${lines[1]}" == 32768 ]]
	# no fd of podman or conmon leaks in: only 0 1 2 and the one ls opened
	[[ "$(echo "${lines[@]:2}" | wc -w)" -le 4 ]]
}

@test "podman run of a missing program: exit 127 and the same message as with runc" {
	local husk_out runc_out
	run -127 podman run --rm --name "$(pname f)" "$IMAGE" no-such-program
	assert_output_contains "executable file not found in \$PATH"
	assert_output_contains "OCI runtime attempted to invoke a command that was not found"
	husk_out=$output
	run -127 podman --runtime runc run --rm --name "$(pname f2)" "$IMAGE" no-such-program
	assert_output_contains "executable file not found in \$PATH"
	runc_out=$output
	# the same user-facing cause: runc prefixes "runc create failed: unable to start container
	# process: ", husk names the program directly
	husk_out=$(grep -o 'exec: "no-such-program": .*' <<<"$husk_out")
	runc_out=$(grep -o 'exec: "no-such-program": .*' <<<"$runc_out")
	[[ -n "$husk_out" && "$husk_out" == "$runc_out" ]] || fail "husk: '$husk_out' / runc: '$runc_out'"
	run podman ps -a -q --filter "name=$(pname f)"
	assert_output_equals ""
}

@test "podman run of a program that is not executable: exit 126, as with runc" {
	run podman run --rm --name "$(pname x)" "$IMAGE" /etc/passwd
	assert_status 126
	run podman --runtime runc run --rm --name "$(pname x2)" "$IMAGE" /etc/passwd
	assert_status 126
}
