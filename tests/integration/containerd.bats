#!/usr/bin/env bats
# containerd drives husk: a private containerd (config, root, state and socket in a temp dir, started here
# and stopped by pid) runs containers through its runc v2 shim with `ctr run --runc-binary husk`. The
# image is a docker-archive of the busybox test rootfs, imported with `ctr image import`. containerd is
# installed with apt-get when missing.
# shellcheck disable=SC2016 # container shell lines are single-quoted on purpose

load helpers
bats_require_minimum_version 1.5.0

IMAGE=localhost/busybox-husk:latest

setup_file() {
	local tries=100 cg
	apt_install containerd containerd || return
	apt_install runc runc || return
	husk_rootfs_cache || return
	# short: the socket path must fit in sun_path
	CTRD_DIR=$(mktemp -d /tmp/husk-ctrd.XXXXXX)
	export CTRD_DIR
	export CTRD_SOCK=$CTRD_DIR/containerd.sock
	# the shim runs husk with --root <this>/<namespace>
	export CTRD_HUSK_ROOT=$CTRD_DIR/husk
	# containerd's cgroupsPath is /<namespace>/<id>: note whether the namespace's cgroups were ours
	: >"$CTRD_DIR/cgroups-before"
	for cg in /sys/fs/cgroup/*/default /sys/fs/cgroup/default; do
		[[ ! -d "$cg" ]] || echo "$cg" >>"$CTRD_DIR/cgroups-before"
	done
	cat >"$CTRD_DIR/config.toml" <<-EOF
		version = 2
		root = "$CTRD_DIR/root"
		state = "$CTRD_DIR/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTRD_SOCK"
		[ttrpc]
		  address = "$CTRD_SOCK.ttrpc"
		[debug]
		  address = "$CTRD_DIR/debug.sock"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CTRD_DIR/opt"
	EOF
	# fd 3 closed: bats waits for it, and containerd (with its shims) outlives the test run's steps
	containerd --config "$CTRD_DIR/config.toml" >"$CTRD_DIR/containerd.log" 2>&1 3>&- &
	echo $! >"$CTRD_DIR/containerd.pid"
	until ctr -a "$CTRD_SOCK" version >/dev/null 2>&1; do
		((--tries > 0)) || fail "containerd did not start: $(tail -n 20 "$CTRD_DIR/containerd.log")" || return
		sleep 0.1
	done
	make_image_archive "$HUSK_ROOTFS_CACHE" "$IMAGE" '["sh"]' "$CTRD_DIR/image.tar" || fail "could not build the image" || return
	ctr -a "$CTRD_SOCK" image import "$CTRD_DIR/image.tar" >/dev/null || fail "ctr image import failed"
}

teardown_file() {
	local id pid leaks=() tries cg

	[[ -n "${CTRD_DIR:-}" && -d "$CTRD_DIR" ]] || return 0
	if [[ -S "$CTRD_SOCK" ]]; then
		for id in $(ctr -a "$CTRD_SOCK" task ls -q 2>/dev/null); do
			ctr -a "$CTRD_SOCK" task kill -a -s SIGKILL "$id" >/dev/null 2>&1
			ctr -a "$CTRD_SOCK" task delete -f "$id" >/dev/null 2>&1
		done
		for id in $(ctr -a "$CTRD_SOCK" container ls -q 2>/dev/null); do
			ctr -a "$CTRD_SOCK" container delete "$id" >/dev/null 2>&1
		done
		ctr -a "$CTRD_SOCK" image rm "$IMAGE" >/dev/null 2>&1
		for id in $(ctr -a "$CTRD_SOCK" snapshot ls 2>/dev/null | awk 'NR > 1 { print $1 }'); do
			ctr -a "$CTRD_SOCK" snapshot rm "$id" >/dev/null 2>&1
		done
	fi
	pid=$(cat "$CTRD_DIR/containerd.pid" 2>/dev/null)
	if [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; then
		tries=100
		while [[ -e "/proc/$pid" && "$(_husk_proc_stat "$pid" 0)" != Z ]] && ((tries-- > 0)); do
			sleep 0.1
		done
		wait "$pid" 2>/dev/null || true
	fi
	# shims (and the containers they hold) must have gone with their tasks
	while read -r pid; do
		leaks+=("process: $pid $(tr '\0' ' ' <"/proc/$pid/cmdline")")
		kill -KILL "$pid"
	done < <(pgrep -f -- "$CTRD_SOCK" || true)
	if [[ -d "$CTRD_HUSK_ROOT/default" ]]; then
		for id in "$CTRD_HUSK_ROOT"/default/*; do
			[[ -e "$id" ]] || continue
			id=${id##*/}
			leaks+=("husk state: $id")
			"$HUSK" --root "$CTRD_HUSK_ROOT/default" delete --force "$id" >/dev/null 2>&1
		done
	fi
	# overlay snapshots or rootfs mounts left under the root
	while read -r mnt; do
		leaks+=("mount: $mnt")
		umount -l "$mnt"
	done < <(awk -v d="$CTRD_DIR" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	# the namespace's parent cgroups, if this file created them (runc leaves them too)
	for cg in /sys/fs/cgroup/*/default /sys/fs/cgroup/default; do
		[[ -d "$cg" ]] && ! grep -qxF "$cg" "$CTRD_DIR/cgroups-before" && rmdir "$cg" 2>/dev/null
	done
	rm -rf --one-file-system "$CTRD_DIR"
	if ((${#leaks[@]} > 0)); then
		printf 'LEAK: %s\n' "${leaks[@]}" >&2
		return 1
	fi
}

# Each test's containers are named cN-<suffix>; teardown removes them (and their tasks).
cname() {
	echo "c$BATS_TEST_NUMBER-$1"
}

teardown() {
	local id
	for id in $(ctr -a "$CTRD_SOCK" container ls -q 2>/dev/null | grep "^c$BATS_TEST_NUMBER-"); do
		ctr -a "$CTRD_SOCK" task kill -a -s SIGKILL "$id" >/dev/null 2>&1
		ctr -a "$CTRD_SOCK" task delete -f "$id" >/dev/null 2>&1
		ctr -a "$CTRD_SOCK" container delete "$id" >/dev/null 2>&1
	done
}

# c ARGS...: ctr against the private containerd.
c() {
	ctr -a "$CTRD_SOCK" "$@"
}

# crun_husk ARGS...: `ctr run` with husk as the shim's runc binary.
crun_husk() {
	ctr -a "$CTRD_SOCK" run --runc-binary "$HUSK" --runc-root "$CTRD_HUSK_ROOT" "$@"
}

# hk ARGS...: husk on the state the shim keeps (namespace "default").
hk() {
	"$HUSK" --root "$CTRD_HUSK_ROOT/default" "$@"
}

task_status() {
	c task ls | awk -v id="$1" '$1 == id { print $3 }'
}

has_task_status() {
	[[ "$(task_status "$1")" == "$2" ]]
}

# in_tty CMD: run the shell command CMD with a pseudo-terminal (script(1)), carriage returns dropped.
in_tty() {
	script -qec "$1" /dev/null </dev/null | tr -d '\r'
	return "${PIPESTATUS[0]}"
}

# cg_line_re: the line of /proc/PID/cgroup that names the container's cgroup: the memory hierarchy's on a
# v1 or hybrid host, the unified one (0::) on a pure cgroup v2 host (the Debian 12 guest of tests/vm)
cg_line_re() {
	if host_cgroup_unified; then echo '^0::'; else echo ':memory:'; fi
}

# cg_dir CONTROLLER: where the namespace "default"'s cgroups hold CONTROLLER's files
cg_dir() {
	if host_cgroup_unified; then echo /sys/fs/cgroup/default; else echo "/sys/fs/cgroup/$1/default"; fi
}

@test "ctr run --rm: output, exit status 5, nothing left" {
	local id
	id=$(cname rm)
	run crun_husk --rm "$IMAGE" "$id" sh -c 'echo hi; exit 5'
	assert_status 5
	assert_output_equals hi
	run c container ls -q
	refute_output_contains "$id"
	[[ ! -e "$CTRD_HUSK_ROOT/default/$id" ]]
}

@test "ctr run -d: husk holds the container, with cgroupsPath /default/<id>" {
	local id pid
	id=$(cname d)
	run crun_husk -d "$IMAGE" "$id" sleep 1000
	assert_success
	wait_for has_task_status "$id" RUNNING
	pid=$(c task ls | awk -v id="$id" '$1 == id { print $2 }')
	run hk state "$id"
	assert_success
	[[ "$(jq -r .status <<<"$output")" == running ]]
	[[ "$(jq -r .pid <<<"$output")" == "$pid" ]]
	[[ "$(grep -E "$(cg_line_re)" "/proc/$pid/cgroup" | cut -d: -f3-)" == "/default/$id" ]]
}

@test "ctr task exec: output, stdin and the exit status" {
	local id
	id=$(cname e)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	run c task exec --exec-id e1 "$id" sh -c 'echo from-exec; exit 7'
	assert_status 7
	assert_output_equals from-exec
	run bash -c "printf 'in1\nin2\n' | ctr -a '$CTRD_SOCK' task exec --exec-id e2 '$id' cat"
	assert_success
	assert_output_equals "$(printf 'in1\nin2')"
	# the exec'd process is in the init's namespaces and cgroup
	run c task exec --exec-id e3 "$id" sh -c 'for n in pid mnt ipc uts; do readlink /proc/self/ns/$n; done; grep -E "$1" /proc/self/cgroup' sh "$(cg_line_re)"
	assert_success
	local pid
	pid=$(c task ls | awk -v id="$id" '$1 == id { print $2 }')
	[[ "${lines[0]}" == "$(readlink "/proc/$pid/ns/pid")" ]]
	[[ "${lines[1]}" == "$(readlink "/proc/$pid/ns/mnt")" ]]
	[[ "${lines[2]}" == "$(readlink "/proc/$pid/ns/ipc")" ]]
	[[ "${lines[3]}" == "$(readlink "/proc/$pid/ns/uts")" ]]
	[[ "${lines[4]}" == "$(grep -E "$(cg_line_re)" "/proc/$pid/cgroup")" ]]
}

@test "ctr task exec of a missing program: the same error as with runc" {
	local id husk_err runc_err
	id=$(cname em)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	run c task exec --exec-id e1 "$id" no-such-program
	assert_failure
	husk_err=$(grep -o 'exec: "no-such-program": .*' <<<"$output")
	id=$(cname em2)
	c run -d "$IMAGE" "$id" sleep 1000 >/dev/null
	run c task exec --exec-id e1 "$id" no-such-program
	assert_failure
	runc_err=$(grep -o 'exec: "no-such-program": .*' <<<"$output")
	[[ -n "$husk_err" && "$husk_err" == "$runc_err" ]] || fail "husk: '$husk_err' / runc: '$runc_err'"
	[[ "$(task_status "$(cname em)")" == RUNNING ]]
}

@test "ctr run of a missing program: fails at create, as with runc" {
	run crun_husk --rm "$IMAGE" "$(cname m)" no-such-program
	assert_failure
	assert_output_contains 'OCI runtime create failed'
	assert_output_contains 'exec: "no-such-program": executable file not found in $PATH'
	run c container ls -q
	refute_output_contains "$(cname m)"
	[[ ! -e "$CTRD_HUSK_ROOT/default/$(cname m)" ]]
}

@test "ctr task ps: the init and an exec'd process, as husk ps --format json lists them" {
	local id init
	id=$(cname ps)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	c task exec -d --exec-id e1 "$id" sleep 555 >/dev/null
	init=$(c task ls | awk -v id="$id" '$1 == id { print $2 }')
	wait_for bash -c "[[ \$(ctr -a '$CTRD_SOCK' task ps '$id' | wc -l) -eq 3 ]]"
	run c task ps "$id"
	assert_success
	assert_line_matches "^$init "
	assert_line_matches 'ExecID:e1'
	# what the shim ran to get them
	run hk ps --format json "$id"
	assert_success
	[[ "$(jq -c 'sort' <<<"$output")" == "$(c task ps "$id" | awk 'NR > 1 { print $1 }' | jq -sc 'sort')" ]]
}

@test "ctr task kill: SIGTERM is ignored by sleep as pid 1, SIGKILL stops it (137)" {
	local id
	id=$(cname k)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	run c task kill -s SIGTERM "$id"
	assert_success
	sleep 0.5
	[[ "$(task_status "$id")" == RUNNING ]]
	run c task kill -s SIGKILL "$id"
	assert_success
	wait_for has_task_status "$id" STOPPED
	[[ "$(hk state "$id" | jq -r .status)" == stopped ]]
	run c task delete "$id"
	assert_success
	assert_output_contains "exit code 137"
}

@test "ctr task kill --all: every process of the container (husk kill --all)" {
	local id
	id=$(cname ka)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	c task exec -d --exec-id e1 "$id" sleep 556 >/dev/null
	wait_for pgrep -f 'sleep 556'
	run c task kill -a -s SIGKILL "$id"
	assert_success
	wait_for has_task_status "$id" STOPPED
	run pgrep -f 'sleep 556'
	assert_failure
}

@test "ctr task pause/resume: PAUSED, then RUNNING" {
	local id
	id=$(cname p)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	run c task pause "$id"
	assert_success
	[[ "$(task_status "$id")" == PAUSED ]]
	[[ "$(hk state "$id" | jq -r .status)" == paused ]]
	run c task resume "$id"
	assert_success
	[[ "$(task_status "$id")" == RUNNING ]]
	run c task exec --exec-id e1 "$id" true
	assert_success
}

@test "ctr run -t: a terminal for the init, the shim's resize reaches it" {
	# ctr resizes the pty through the master husk sent to the shim's console socket; ctr does it
	# around start, so the shell waits for the size to arrive
	run in_tty "stty rows 25 cols 90; ctr -a $CTRD_SOCK run -t --runc-binary $HUSK --runc-root $CTRD_HUSK_ROOT --rm $IMAGE $(cname t) sh -c 'tty; for i in \$(seq 50); do s=\$(stty size 2>/dev/null); [ \"\$s\" = \"25 90\" ] && break; sleep 0.1; done; echo size=\$s; exit 4'"
	assert_status 4
	assert_line_matches '/dev/pts/0$'
	assert_output_contains "size=25 90"
}

@test "ctr task exec -t: the terminal comes from process.json (no --tty)" {
	local id
	id=$(cname te)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	run in_tty "ctr -a $CTRD_SOCK task exec -t --exec-id e1 $id sh -c 'tty; test -t 0 && echo stdin-tty; exit 3'"
	assert_status 3
	# not anchored at the start, as in the test above: the client's copy of the pty sometimes starts with
	# a NUL byte (seen once in four runs: "^@/dev/pts/0")
	assert_line_matches '/dev/pts/[0-9]+$'
	assert_output_contains stdin-tty
}

@test "update --resources - (JSON on stdin, as the shim sends it): the new limit in /default/<id>" {
	local id
	id=$(cname u)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	run bash -c "echo '{\"memory\": {\"limit\": 83886080}, \"pids\": {\"limit\": 77}}' | '$HUSK' --root '$CTRD_HUSK_ROOT/default' update --resources - '$id'"
	assert_success
	if host_cgroup_unified; then
		[[ "$(cat "/sys/fs/cgroup/default/$id/memory.max")" == 83886080 ]]
	else
		[[ "$(cat "/sys/fs/cgroup/memory/default/$id/memory.limit_in_bytes")" == 83886080 ]]
	fi
	[[ "$(cat "$(cg_dir pids)/$id/pids.max")" == 77 ]]
}

@test "ctr task delete: husk state gone; a second delete fails; husk delete --force still exits 0" {
	local id
	id=$(cname del)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	# a running task cannot be deleted without -f
	run c task delete "$id"
	assert_failure
	[[ "$(task_status "$id")" == RUNNING ]]
	c task kill -s SIGKILL "$id"
	wait_for has_task_status "$id" STOPPED
	run c task delete "$id"
	assert_success
	run c task delete "$id"
	assert_failure
	assert_output_contains "not found"
	run hk state "$id"
	assert_failure
	assert_output_contains "does not exist"
	# the shim's cleanup after a crash: delete --force of a container that is already gone
	run hk delete --force "$id"
	assert_success
	run hk delete "$id"
	assert_status 1
	assert_output_contains "does not exist"
	run c container delete "$id"
	assert_success
	[[ ! -d "$(cg_dir memory)/$id" ]]
}

@test "husk delete, then delete --force: the sequence the shim runs exits 0 both times" {
	local id
	id=$(cname seq)
	crun_husk -d "$IMAGE" "$id" sleep 1000 >/dev/null
	# behind the shim's back: kill, then delete as the shim would, twice
	run hk kill "$id" 9
	assert_success
	wait_for bash -c "[[ \$('$HUSK' --root '$CTRD_HUSK_ROOT/default' state '$id' | jq -r .status) == stopped ]]"
	run hk delete "$id"
	assert_success
	run hk delete --force "$id"
	assert_success
	# containerd sees the exit through its shim and cleans up without husk state
	wait_for has_task_status "$id" STOPPED
	run c task delete "$id"
	assert_success
}

# ctrd_diag ID: what containerd and husk (through the shim's --log) said about ID, for a failure message.
ctrd_diag() {
	echo
	echo "-- containerd.log:"
	grep -F "$1" "$CTRD_DIR/containerd.log" | tail -n 15
	echo "-- husk's log (the shim's --log):"
	tail -n 15 "$CTRD_DIR/state/io.containerd.runtime.v2.task/default/$1/log.json" 2>/dev/null
}

# need_systemd: skip unless systemd is PID 1 on a cgroup v2 host (the Debian 12 guest of tests/vm).
need_systemd() {
	[[ -d /run/systemd/system ]] || skip "needs systemd as PID 1 (tests/vm/run.sh boots such a host)"
	[[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]] || skip "needs the unified cgroup v2 hierarchy"
}

@test "SystemdCgroup = true (ctr run --runc-systemd-cgroup): the task runs in a transient scope with its limit; nothing left" {
	need_systemd
	local id pid unit
	id=$(cname sd)
	unit=containerd-$id.scope
	# the shim passes --systemd-cgroup to husk on every call, and cgroupsPath as ctr was given it
	run crun_husk -d --runc-systemd-cgroup --cgroup "system.slice:containerd:$id" \
		--memory-limit $((64 * 1024 * 1024)) "$IMAGE" "$id" sleep 1000
	assert_success
	wait_for has_task_status "$id" RUNNING
	pid=$(c task ls | awk -v id="$id" '$1 == id { print $2 }')
	[[ "$(cat "/proc/$pid/cgroup")" == "0::/system.slice/$unit" ]] || fail "init cgroup: $(cat "/proc/$pid/cgroup")"
	[[ "$(systemctl show "$unit" -p ActiveState --value)" == active ]] || fail "$unit is not active"
	[[ "$(systemctl show "$unit" -p MemoryMax --value)" == $((64 * 1024 * 1024)) ]] ||
		fail "MemoryMax: $(systemctl show "$unit" -p MemoryMax --value)"
	[[ "$(hk state "$id" | jq -r .status)" == running ]]
	# exec joins the scope; the shim's metrics read it; pause/resume freeze it
	run c task exec -d --exec-id e1 "$id" sleep 557
	assert_success
	wait_for pgrep -fx "sleep 557"
	[[ "$(cat "/proc/$(pgrep -fx "sleep 557")/cgroup")" == "0::/system.slice/$unit" ]] || fail "exec'd process not in $unit"
	run c task metrics "$id"
	assert_success
	assert_output_contains $((64 * 1024 * 1024))
	run c task pause "$id"
	assert_success
	[[ "$(cat "/sys/fs/cgroup/system.slice/$unit/cgroup.freeze")" == 1 ]] || fail "not frozen"
	run c task resume "$id"
	assert_success
	run c task kill -s SIGKILL "$id"
	assert_success
	wait_for has_task_status "$id" STOPPED
	run c task delete "$id"
	assert_success
	assert_output_contains "exit code 137"
	run systemctl list-units --all --no-legend --plain
	refute_output_contains "$id"
	[[ ! -e "/sys/fs/cgroup/system.slice/$unit" ]] || fail "the scope's cgroup is left"
}

@test "ctr containers checkpoint --task, then ctr containers restore --live: through the shim, the task counts on" {
	need_criu
	local id ref data at rpid first
	id=$(cname cr)
	ref=localhost/husk-checkpoint:$id
	data=$CTRD_DIR/data-$id
	mkdir -p "$data"
	# the counter appends to a host file through a bind mount (an external mount for CRIU); its stdio
	# are the container's own /dev/null, so no descriptor points outside the container
	run crun_husk -d --mount "type=bind,src=$data,dst=/data,options=rbind:rw" "$IMAGE" "$id" \
		sh -c 'exec </dev/null >/dev/null 2>&1; i=0; while :; do echo $i >>/data/log; i=$((i+1)); sleep 0.1; done'
	assert_success
	wait_for grep -qx 5 "$data/log"
	# ctr pauses the task, the shim runs `husk checkpoint --leave-running --file-locks`, ctr resumes it
	# (bounded: a hang is a failure with the logs, not a stuck run)
	run timeout 600 ctr -a "$CTRD_SOCK" containers checkpoint --task "$id" "$ref"
	[[ $status -eq 0 ]] || fail "ctr containers checkpoint: $status: $output$(ctrd_diag "$id")"
	run c image ls -q
	assert_output_contains "$ref"
	[[ "$(task_status "$id")" == RUNNING ]] || fail "after the checkpoint the task is $(task_status "$id")"
	c task kill -s SIGKILL "$id"
	wait_for has_task_status "$id" STOPPED
	c task delete "$id" >/dev/null
	c container delete "$id"
	at=$(wc -l <"$data/log")
	# a new container of the same id from the checkpoint (spec, runtime options: husk), its task restored
	# from the images by `husk restore --detach --no-subreaper --no-pivot` in a fresh snapshot of the
	# image (no /data in it: husk makes the mount point); ctr returns once it started (no terminal)
	timeout 600 ctr -a "$CTRD_SOCK" containers restore --live "$id" "$ref" >"$CTRD_DIR/restore-$id.out" 2>&1 3>&- &
	rpid=$!
	# until the task runs, or ctr has given up (a failed restore); bounded by the timeout above
	while [[ "$(task_status "$id")" != RUNNING ]] && kill -0 "$rpid" 2>/dev/null; do
		sleep 1
	done
	[[ "$(task_status "$id")" == RUNNING ]] || fail "restore: $(cat "$CTRD_DIR/restore-$id.out")$(ctrd_diag "$id")"
	[[ "$(hk state "$id" | jq -r .status)" == running ]]
	HUSK_WAIT_TIMEOUT=60 wait_for bash -c "(( \$(wc -l <'$data/log') > $((at + 3)) ))"
	# the restored task goes on from the checkpoint's value: not 0, and not past where the original got
	first=$(sed -n "$((at + 1))p" "$data/log")
	((first > 0 && first <= $(sed -n "${at}p" "$data/log"))) ||
		fail "the restored task started at $first (the original stopped at $(sed -n "${at}p" "$data/log"))"
	c task kill -s SIGKILL "$id"
	wait "$rpid" || true
	wait_for has_task_status "$id" STOPPED
	c task delete "$id" >/dev/null
	c container delete "$id"
	c image rm "$ref" >/dev/null
}
