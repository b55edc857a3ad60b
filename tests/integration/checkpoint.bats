#!/usr/bin/env bats
# checkpoint and restore through CRIU: a counting container saved into images, deleted, restored into a
# new container that goes on counting; --leave-running; restore in the foreground; the flags and
# features that podman probes; the clear refusals where CRIU is missing or cannot run. The tests that
# need a working CRIU skip with `criu check`'s own reason where it fails (kernel 6.18 on the hybrid dev
# host); they run in the Debian 12 guest (tests/vm/ci-stage.sh).
# shellcheck disable=SC2016 # container shell lines are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

teardown() {
	if [[ -n ${LISTENER:-} ]]; then
		kill "$LISTENER" 2>/dev/null || true
	fi
	if [[ -n ${RECVTTY_PIDS:-} ]]; then
		# shellcheck disable=SC2086 # a list of pids
		kill $RECVTTY_PIDS 2>/dev/null || true
	fi
	if [[ -n ${CONTAINERS_CONF:-} && -d $BATS_TEST_TMPDIR/podman ]]; then
		# the podman test, failed midway: its containers, image and vfs storage go
		podman rm -a -f -t 0 >/dev/null 2>&1
		podman rmi -a -f >/dev/null 2>&1
		rm -rf --one-file-system "$BATS_TEST_TMPDIR/podman"
	fi
	husk_teardown
}

# counter_bundle [EXTRA_SHELL [BEFORE]]: a bundle whose process counts from 0 every 0.1 s, appending each
# value to /data/log, a bind mount of $DATA from the host (an external mount CRIU must be told about).
# EXTRA_SHELL runs in the loop, BEFORE once before it (a probe started in the background). Its stdio goes
# to the container's own /dev/null: a host file would not be in the container's mounts.
counter_bundle() {
	DATA=$BATS_TEST_TMPDIR/data
	mkdir -p "$DATA"
	setup_bundle sh -c 'exec </dev/null >/dev/null 2>&1; '"${2:+$2 }"'i=0; while :; do echo $i >>/data/log; i=$((i+1)); sleep 0.1; '"${1:-}"' done'
	cfg --arg d "$DATA" '.mounts += [{"source": $d, "destination": "/data", "options": ["rbind"]}]'
}

# start_counter ID N: run the bundle detached as ID (from the bundle directory, which restore uses too) and
# wait until the counter has written a value above N.
start_counter() {
	cd "$BUNDLE" || return
	husk run -d "$1" </dev/null >/dev/null 2>&1
	wait_for count_above "$2"
}

# last_count: the last value the counter wrote.
last_count() {
	tail -n 1 "$DATA/log" 2>/dev/null
}

# lines_above N: the counter's log has more than N lines (read again at every try of wait_for).
lines_above() {
	(($(wc -l <"$DATA/log") > $1))
}

# tcp_above N: the tcp probe has counted more than N bytes through its connection.
tcp_above() {
	local v
	v=$(cat "$DATA/tcp" 2>/dev/null)
	[[ -n $v ]] && ((v > $1))
}

# count_above N: the counter wrote a value above N.
count_above() {
	local v
	v=$(last_count)
	[[ -n $v ]] && ((v > $1))
}

@test "checkpoint --help and restore --help describe runc's options (podman probes checkpoint --help)" {
	run_husk checkpoint --help
	assert_success
	for f in image-path work-path parent-path leave-running tcp-established ext-unix-sk shell-job \
		lazy-pages status-fd page-server file-locks pre-dump manage-cgroups-mode empty-ns auto-dedup; do
		assert_output_contains "--$f"
	done
	run_husk restore --help
	assert_success
	for f in image-path work-path bundle console-socket detach pid-file no-subreaper no-pivot \
		tcp-established ext-unix-sk shell-job file-locks manage-cgroups-mode lazy-pages empty-ns auto-dedup; do
		assert_output_contains "--$f"
	done
}

@test "features: checkpoint/restore is announced as runc announces it" {
	run_husk features
	assert_success
	[[ $(jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]' <<<"$output") == true ]] ||
		fail "features does not announce checkpoint"
	[[ $(jq -r '.annotations["io.github.husk.checkpoint.criu"]' <<<"$output") == *"criu swrk"* ]] ||
		fail "features does not say how checkpoint works"
}

@test "checkpoint and restore without criu on PATH: a clear error, nothing made" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	PATH=/nonexistent run "$HUSK" --root "$HUSK_TEST_ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$id"
	assert_failure
	assert_output_contains "criu is not installed"
	[[ ! -e $BATS_TEST_TMPDIR/img ]] || fail "checkpoint made the image directory anyway"
	[[ $(husk_status "$id") == running ]] || fail "the container did not stay running"
	mkdir "$BATS_TEST_TMPDIR/img"
	cd "$BUNDLE"
	PATH=/nonexistent run "$HUSK" --root "$HUSK_TEST_ROOT" restore -d --image-path "$BATS_TEST_TMPDIR/img" "$(cid r)"
	assert_failure
	assert_output_contains "criu is not installed"
	[[ ! -e $HUSK_TEST_ROOT/$(cid r) ]] || fail "restore left a state directory"
}

@test "where criu check fails, checkpoint and restore fail at once with criu's first error line" {
	local why id
	why=$(criu_reason)
	[[ $why == "criu check fails: "* ]] || skip "criu check passes here (or criu is missing)"
	id=$(cid)
	setup_bundle sleep 100
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	run_husk checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$id"
	assert_failure
	assert_output_contains "\`criu check\` fails: ${why#criu check fails: }"
	[[ ! -e $BATS_TEST_TMPDIR/img ]] || fail "checkpoint made the image directory anyway"
	[[ $(husk_status "$id") == running ]] || fail "the container did not stay running"
	mkdir "$BATS_TEST_TMPDIR/img"
	cd "$BUNDLE"
	run_husk restore -d --image-path "$BATS_TEST_TMPDIR/img" "$(cid r)"
	assert_failure
	assert_output_contains "\`criu check\` fails: ${why#criu check fails: }"
	[[ ! -e $HUSK_TEST_ROOT/$(cid r) ]] || fail "restore left a state directory"
}

@test "checkpoint refuses a container that is not running, and bad flag values, before calling criu" {
	local id
	id=$(cid)
	setup_bundle sleep 100
	husk create --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	run_husk checkpoint "$id"
	assert_failure
	assert_output_contains "cannot be checkpointed: it is created"
	run_husk checkpoint --manage-cgroups-mode bogus "$id"
	assert_failure
	run_husk checkpoint nosuch
	assert_failure
	assert_output_contains "does not exist"
}

@test "checkpoint a counting container, delete, restore it under a new id: it counts on from where it was" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img at pid
	id=$(cid)
	new=$(cid restored)
	counter_bundle
	start_counter "$id" 5
	run_husk checkpoint --image-path "$img" --work-path "$BATS_TEST_TMPDIR/work" "$id"
	assert_success
	# runc's behaviour: CRIU stopped the container and it is gone
	run_husk state "$id"
	assert_failure
	assert_output_contains "does not exist"
	[[ -f $img/inventory.img && -f $img/descriptors.json ]] || fail "no CRIU images in $img: $(ls "$img")"
	ls "$img"/pages-*.img >/dev/null || fail "no memory pages in $img"
	[[ -f $BATS_TEST_TMPDIR/work/dump.log ]] || fail "no dump.log in the work path"
	at=$(last_count)
	sleep 0.5
	[[ $(last_count) == "$at" ]] || fail "the counter went on after the checkpoint ($at, then $(last_count))"
	# a rootfs that is not the checkpointed container's own (containerd restores into a fresh snapshot
	# of the image) lacks the mount point create made: restore makes it, as runc does
	rmdir "$BUNDLE/rootfs/data"

	run_husk restore -d --image-path "$img" --pid-file "$BATS_TEST_TMPDIR/pid" "$new"
	assert_success
	[[ $(husk_status "$new") == running ]] || fail "restored container is $(husk_status "$new")"
	pid=$(husk state "$new" | jq -r .pid)
	[[ $(cat "$BATS_TEST_TMPDIR/pid") == "$pid" ]] || fail "pid file $(cat "$BATS_TEST_TMPDIR/pid") != state pid $pid"
	[[ $(tr '\0' ' ' <"/proc/$pid/cmdline") == "sh -c "* ]] || fail "pid $pid is not the counter"
	wait_for count_above $((at + 3))
	# the value written right after the checkpointed one is its successor: not a restart from 0
	run grep -n -x -A1 -- "$at" "$DATA/log"
	[[ ${lines[1]} == *"-$((at + 1))" ]] || fail "after $at the log goes on with '${lines[1]}'"
	[[ $(grep -c -x 0 "$DATA/log") == 1 ]] || fail "the counter started again from 0"
	# the restored container is a container like any other
	run_husk exec "$new" cat /proc/1/cmdline
	assert_success
	assert_output_contains "i=0"
	run_husk delete --force "$new"
	assert_success
	[[ ! -e /proc/$pid ]] || wait_for test ! -e "/proc/$pid"
}

@test "checkpoint --leave-running: the container keeps counting, and the images restore a copy" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img at first
	id=$(cid)
	new=$(cid copy)
	counter_bundle
	start_counter "$id" 3
	run_husk checkpoint --leave-running --image-path "$img" "$id"
	assert_success
	[[ $(husk_status "$id") == running ]] || fail "the container is $(husk_status "$id") after --leave-running"
	at=$(last_count)
	wait_for count_above $((at + 3))
	[[ -f $img/inventory.img ]] || fail "no images"
	husk delete --force "$id"
	at=$(wc -l <"$DATA/log")
	run_husk restore -d --image-path "$img" "$new"
	assert_success
	wait_for lines_above $((at + 1))
	# the copy goes on from the checkpoint's value: not 0, and not past where the original got
	first=$(sed -n "$((at + 1))p" "$DATA/log")
	((first > 0 && first <= $(sed -n "${at}p" "$DATA/log"))) ||
		fail "the restored copy started at $first (the original stopped at $(sed -n "${at}p" "$DATA/log"))"
}

@test "restore in the foreground waits for the restored process and returns its exit status" {
	need_criu
	local id img=$BATS_TEST_TMPDIR/img
	id=$(cid)
	counter_bundle '[ $i -ge 40 ] && exit 7;'
	start_counter "$id" 2
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	run_husk restore --image-path "$img" "$id"
	assert_status 7
	[[ $(last_count) == 39 ]] || fail "the restored process stopped at $(last_count)"
	# as runc: a foreground restore deletes the container when it exits
	run_husk state "$id"
	assert_failure
}

@test "restore: the new container's processes are in the config's cgroup, under its limits" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img pid
	id=$(cid)
	new=$(cid new)
	counter_bundle
	cfg '.linux.resources.pids = {"limit": 77}'
	start_counter "$id" 1
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	cfg --arg p "/$new" '.linux.cgroupsPath = $p'
	run_husk restore -d --image-path "$img" "$new"
	assert_success
	pid=$(husk state "$new" | jq -r .pid)
	grep -q "/$new\$" "/proc/$pid/cgroup" || fail "restored pid $pid is in $(cat "/proc/$pid/cgroup")"
	if host_cgroup_unified; then
		[[ $(cat "/sys/fs/cgroup/$new/pids.max") == 77 ]] || fail "pids.max is $(cat "/sys/fs/cgroup/$new/pids.max")"
	fi
}

@test "restore refuses a directory without images, and leaves nothing" {
	need_criu
	local id
	id=$(cid)
	setup_bundle sleep 100
	cd "$BUNDLE"
	mkdir "$BATS_TEST_TMPDIR/empty"
	run_husk restore -d --image-path "$BATS_TEST_TMPDIR/empty" "$id"
	assert_failure
	assert_output_contains "holds no checkpoint"
	[[ ! -e $HUSK_TEST_ROOT/$id ]] || fail "restore left a state directory"
}

@test "restore without cgroupsPath refuses a default cgroup /<id> that exists already, before criu runs, and leaves it alone" {
	need_criu
	local id cg sleeper
	id=$(cid)
	# another's cgroup of that name (a service's), holding a process: the pids hierarchy, or the v2 tree
	cg=/sys/fs/cgroup/pids/$id
	[[ -d /sys/fs/cgroup/pids ]] || cg=/sys/fs/cgroup/$id
	mkdir "$cg"
	sleep 1000 3>&- &
	sleeper=$!
	echo "$sleeper" >"$cg/cgroup.procs"
	setup_bundle sleep 100
	cd "$BUNDLE"
	# (no criu call is reached: the images are never read)
	mkdir "$BATS_TEST_TMPDIR/img"
	touch "$BATS_TEST_TMPDIR/img/inventory.img"
	run_husk restore -d --image-path "$BATS_TEST_TMPDIR/img" "$id"
	assert_failure
	assert_output_contains "config.json: .linux.cgroupsPath is not set and its default cgroup '/$id' exists already"
	[[ ! -e $HUSK_TEST_ROOT/$id ]] || fail "restore left a state directory"
	[[ "$(cat "$cg/cgroup.procs")" == "$sleeper" ]] || fail "$cg holds '$(cat "$cg/cgroup.procs")'"
	kill "$sleeper"
	wait "$sleeper" || true
	rmdir "$cg"
}

@test "a container whose stdio are pipes (as podman's conmon gives) restores onto restore's own pipes" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img at
	id=$(cid)
	new=$(cid piped)
	setup_bundle sh -c 'i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done'
	cd "$BUNDLE"
	husk run -d "$id" < <(true) > >(cat >>"$BATS_TEST_TMPDIR/out1") 2>&1
	wait_for grep -qx 5 "$BATS_TEST_TMPDIR/out1"
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	grep -q 'pipe:' "$img/descriptors.json" || fail "descriptors.json: $(cat "$img/descriptors.json")"
	at=$(tail -n 1 "$BATS_TEST_TMPDIR/out1")
	husk restore -d --image-path "$img" "$new" < <(true) > >(cat >>"$BATS_TEST_TMPDIR/out2") 2>&1
	wait_for grep -qx $((at + 3)) "$BATS_TEST_TMPDIR/out2"
	[[ $(head -n 1 "$BATS_TEST_TMPDIR/out2") == $((at + 1)) ]] ||
		fail "restore's pipe got '$(head -n 1 "$BATS_TEST_TMPDIR/out2")' first, after $at"
	husk delete --force "$new"
}

@test "checkpoint --leave-running of a paused container leaves it paused; its images restore a running copy" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img at
	id=$(cid)
	new=$(cid copy)
	counter_bundle
	start_counter "$id" 2
	husk pause "$id"
	at=$(last_count)
	run_husk checkpoint --leave-running --image-path "$img" "$id"
	assert_success
	[[ $(husk_status "$id") == paused ]] || fail "the container is $(husk_status "$id") after the checkpoint"
	sleep 0.5
	[[ $(last_count) == "$at" ]] || fail "the paused container counted on"
	husk delete --force "$id"
	run_husk restore -d --image-path "$img" "$new"
	assert_success
	wait_for count_above $((at + 2))
	[[ $(husk_status "$new") == running ]] || fail "the restored copy is $(husk_status "$new")"
}

@test "checkpoint --pre-dump, then a dump with --parent-path: the container runs on in between, the restore counts on" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img at
	id=$(cid)
	new=$(cid next)
	counter_bundle
	start_counter "$id" 2
	run_husk checkpoint --pre-dump --image-path "$img/pre" "$id"
	assert_success
	[[ $(husk_status "$id") == running ]] || fail "the container is $(husk_status "$id") after --pre-dump"
	ls "$img"/pre/pages-*.img >/dev/null || fail "the pre-dump saved no memory: $(ls "$img/pre")"
	at=$(last_count)
	wait_for count_above $((at + 2))
	run_husk checkpoint --parent-path ../pre --image-path "$img/full" "$id"
	assert_success
	[[ $(readlink "$img/full/parent") == ../pre ]] || fail "the dump does not name its parent: $(ls -l "$img/full")"
	at=$(last_count)
	run_husk restore -d --image-path "$img/full" "$new"
	assert_success
	wait_for count_above $((at + 2))
	run grep -n -x -A1 -- "$at" "$DATA/log"
	[[ ${lines[1]} == *"-$((at + 1))" ]] || fail "after $at the log goes on with '${lines[1]}'"
}

@test "a network namespace joined by path is external: the restore joins the one the config names" {
	need_criu
	command -v ip >/dev/null || skip "needs ip (iproute2)"
	local id new img=$BATS_TEST_TMPDIR/img ns pid
	id=$(cid)
	new=$(cid joined)
	ns=husk-cr-$$-$BATS_TEST_NUMBER
	ip netns add "$ns"
	counter_bundle
	cfg --arg p "/run/netns/$ns" '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)'
	start_counter "$id" 1
	run_husk checkpoint --image-path "$img" "$id"
	if [[ $status -ne 0 ]]; then
		ip netns del "$ns"
		fail "checkpoint failed: $output"
	fi
	run_husk restore -d --image-path "$img" "$new"
	pid=$(husk state "$new" | jq -r .pid)
	local got want
	got=$(stat -L -c %i "/proc/$pid/ns/net")
	want=$(stat -L -c %i "/run/netns/$ns")
	husk delete --force "$new"
	ip netns del "$ns"
	[[ $status -eq 0 ]] || fail "restore failed: $output"
	[[ $got == "$want" ]] || fail "the restored init is in netns $got, not $want"
}

@test "restore runs prestart and createRuntime with the restored pid (as runc), poststop at delete" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img log=$BATS_TEST_TMPDIR/hooks.log pid
	id=$(cid)
	new=$(cid hooked)
	counter_bundle
	local kind
	for kind in prestart createRuntime poststart poststop; do
		cfg --arg k "$kind" --arg l "$log" \
			'.hooks[$k] = [{"path": "/bin/sh", "args": ["sh", "-c", "echo \"$0 $(cat)\" >>\"$1\"", $k, $l]}]'
	done
	start_counter "$id" 1
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	: >"$log"
	run_husk restore -d --image-path "$img" "$new"
	assert_success
	pid=$(husk state "$new" | jq -r .pid)
	run cut -d' ' -f1 "$log"
	[[ $output == $'prestart\ncreateRuntime' ]] || fail "hooks run by restore: $output"
	grep -q "^prestart .*\"id\":\"$new\".*\"pid\":$pid," "$log" || fail "prestart's state: $(head -n 1 "$log")"
	husk delete --force "$new"
	[[ $(tail -n 1 "$log" | cut -d' ' -f1) == poststop ]] || fail "no poststop at delete: $(cat "$log")"
}

@test "a container with a terminal: restore hands the pty master to --console-socket, and refuses without one" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img a b
	id=$(cid)
	new=$(cid tty)
	setup_bundle sh -c 'i=0; while :; do echo $i >/tmp/n; i=$((i+1)); sleep 0.1; done'
	cfg '.process.terminal = true'
	cd "$BUNDLE"
	"$HUSK_SRC_DIR/build/recvtty" "$BATS_TEST_TMPDIR/sock1" >"$BATS_TEST_TMPDIR/rt1" 2>&1 3>&- &
	RECVTTY_PIDS=$!
	wait_for grep -qs listening "$BATS_TEST_TMPDIR/rt1"
	husk run -d --console-socket "$BATS_TEST_TMPDIR/sock1" "$id"
	sleep 0.5
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	run_husk restore -d --image-path "$img" "$new"
	assert_failure
	assert_output_contains "restore needs --console-socket"
	[[ ! -e $HUSK_TEST_ROOT/$new ]] || fail "the refused restore left its state"
	"$HUSK_SRC_DIR/build/recvtty" "$BATS_TEST_TMPDIR/sock2" >"$BATS_TEST_TMPDIR/rt2" 2>&1 3>&- &
	RECVTTY_PIDS="$RECVTTY_PIDS $!"
	wait_for grep -qs listening "$BATS_TEST_TMPDIR/rt2"
	run_husk restore -d --console-socket "$BATS_TEST_TMPDIR/sock2" --image-path "$img" "$new"
	assert_success
	grep -q "got fd" "$BATS_TEST_TMPDIR/rt2" || fail "recvtty: $(cat "$BATS_TEST_TMPDIR/rt2")"
	a=$(husk exec "$new" cat /tmp/n)
	sleep 0.5
	b=$(husk exec "$new" cat /tmp/n)
	((a > 0 && b > a)) || fail "the restored counter: $a then $b"
}

@test "podman container checkpoint and restore of a running container, through husk" {
	need_criu
	command -v podman >/dev/null || skip "needs podman"
	local pd=$BATS_TEST_TMPDIR/podman at
	mkdir -p "$pd/tmp"
	cat >"$pd/containers.conf" <<-EOF
		[containers]
		netns = "none"
		default_ulimits = ["nofile=20000:20000"]
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		tmp_dir = "$pd/tmp"
		runtime = "husk"
		[engine.runtimes]
		husk = ["$HUSK"]
	EOF
	printf '[storage]\ndriver = "vfs"\nrunroot = "%s/run"\ngraphroot = "%s/graph"\n' "$pd" "$pd" >"$pd/storage.conf"
	export CONTAINERS_CONF=$pd/containers.conf CONTAINERS_STORAGE_CONF=$pd/storage.conf
	tar -C "$HUSK_ROOTFS_CACHE" -c . | podman import -q - localhost/husk-cr >/dev/null
	podman run -d --name husk-cr localhost/husk-cr sh -c 'i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done' >/dev/null
	wait_for sh -c 'podman logs husk-cr | grep -qx 5'
	run podman container checkpoint husk-cr
	assert_success
	run podman ps -a --format '{{.Status}}'
	[[ $output == Exited* ]] || fail "after checkpoint podman shows: $output"
	at=$(podman logs husk-cr | tail -n 1)
	run podman container restore husk-cr
	assert_success
	wait_for sh -c "podman logs husk-cr | grep -qx $((at + 3))"
	run podman logs husk-cr
	[[ $(grep -c -x 0 <<<"$output") == 1 ]] || fail "the restored container counted from 0 again"
	podman rm -f -t 0 husk-cr >/dev/null
	podman rmi -a -f >/dev/null 2>&1
	rm -rf --one-file-system "$pd"
}

@test "a bad checkpoint or restore flag value is refused by name before criu runs, and nothing is made" {
	local id img=$BATS_TEST_TMPDIR/img
	id=$(cid)
	setup_bundle sleep 100
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	run_husk checkpoint --empty-ns pid --image-path "$img" "$id"
	assert_failure
	assert_output_contains "--empty-ns: namespace 'pid' is not supported (only 'network')"
	run_husk checkpoint --manage-cgroups-mode bogus --image-path "$img" "$id"
	assert_failure
	assert_output_contains "--manage-cgroups-mode: invalid mode 'bogus' (soft, full, strict or ignore)"
	run_husk checkpoint --page-server nowhere --image-path "$img" "$id"
	assert_failure
	assert_output_contains "--page-server: expected ADDRESS:PORT, got 'nowhere'"
	run_husk checkpoint --status-fd 77 --image-path "$img" "$id"
	assert_failure
	assert_output_contains "invalid --status-fd argument 77: not an open descriptor"
	[[ ! -e $img ]] || fail "checkpoint made the image directory anyway"
	[[ $(husk_status "$id") == running ]] || fail "the container did not stay running"
	mkdir "$img"
	cd "$BUNDLE"
	run_husk restore -d --empty-ns ipc --image-path "$img" "$(cid r)"
	assert_failure
	assert_output_contains "--empty-ns: namespace 'ipc' is not supported (only 'network')"
	run_husk restore -d --manage-cgroups-mode none --image-path "$img" "$(cid r)"
	assert_failure
	assert_output_contains "--manage-cgroups-mode: invalid mode 'none'"
	run_husk restore -d --lsm-profile apparmor:x --image-path "$img" "$(cid r)"
	assert_failure
	assert_output_contains "restore: --lsm-profile is not supported by husk"
	[[ ! -e $HUSK_TEST_ROOT/$(cid r) ]] || fail "restore left a state directory"
}

@test "checkpoint --page-server reaches CRIU (nothing listens: criu's own error, the container runs on); criu check runs once" {
	need_criu
	local id bin=$BATS_TEST_TMPDIR/bin checks=$BATS_TEST_TMPDIR/checks
	id=$(cid)
	# a criu on PATH that notes every `criu check`, then is the real one
	mkdir -p "$bin"
	printf '#!/bin/sh\n[ "$1" = check ] && echo check >>%s\nexec %s "$@"\n' "$checks" "$(command -v criu)" >"$bin/criu"
	chmod 755 "$bin/criu"
	setup_bundle sh -c 'exec </dev/null >/dev/null 2>&1; exec sleep 1000'
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	PATH=$bin:$PATH run_husk checkpoint --page-server 127.0.0.1:1 --image-path "$BATS_TEST_TMPDIR/img" "$id"
	assert_failure
	assert_output_contains "criu dump failed"
	# CRIU went for the page server (its log says so: criu 3.17 logs the refused connection as a
	# warning, and its first "Error" line, which husk quotes, is the clean-up after it)
	grep -q "Can't connect to server 127.0.0.1:1" "$BATS_TEST_TMPDIR/img/dump.log" ||
		fail "dump.log: $(grep -iE 'error|connect' "$BATS_TEST_TMPDIR/img/dump.log" | head -n 20)"
	[[ $(husk_status "$id") == running ]] || fail "the container is $(husk_status "$id") after the failed dump"
	PATH=$bin:$PATH run_husk checkpoint --page-server 127.0.0.1:1 --image-path "$BATS_TEST_TMPDIR/img2" "$id"
	assert_failure
	assert_output_contains "criu dump failed"
	# the first call's pass is remembered for this boot and this criu binary
	[[ $(wc -l <"$checks") == 1 ]] || fail "criu check ran $(wc -l <"$checks") times"
	[[ -f $HUSK_TEST_ROOT/.criu-check ]] || fail "no remembered criu check"
}

@test "checkpoint --file-locks reaches CRIU: without it criu refuses a held lock; with it the restore holds the lock again" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img ino
	id=$(cid)
	new=$(cid locked)
	counter_bundle '' 'probe lock /data/lockfile &'
	start_counter "$id" 2
	wait_for test -e "$DATA/lockfile"
	ino=$(stat -c %i "$DATA/lockfile")
	wait_for grep -q "FLOCK .*:$ino " /proc/locks
	run_husk checkpoint --image-path "$img" "$id"
	assert_failure
	assert_output_contains "file locks"
	[[ $(husk_status "$id") == running ]] || fail "the container is $(husk_status "$id") after the refused dump"
	run_husk checkpoint --file-locks --image-path "$img" "$id"
	assert_success
	run grep "FLOCK .*:$ino " /proc/locks
	assert_failure
	run_husk restore -d --file-locks --image-path "$img" "$new"
	assert_success
	# the restored probe holds its lock again
	wait_for grep -q "FLOCK .*:$ino " /proc/locks
	wait_for count_above "$(last_count)"
}

@test "checkpoint --tcp-established reaches CRIU: without it criu refuses an established connection; with it the restored connection carries data on" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img at
	id=$(cid)
	new=$(cid tcp)
	# probe tcp: a loopback connection inside the container's network namespace, one byte through it
	# every 0.1 s, the count in /data/tcp; it exits at the first failure of the connection
	counter_bundle '' 'probe tcp 5000 /data/tcp &'
	start_counter "$id" 2
	wait_for test -s "$DATA/tcp"
	run_husk checkpoint --image-path "$img" "$id"
	assert_failure
	assert_output_contains "criu dump failed"
	grep -q "tcp-established" "$img/dump.log" || fail "dump.log: $(grep -i error "$img/dump.log" | head -n 10)"
	[[ $(husk_status "$id") == running ]] || fail "the container is $(husk_status "$id") after the refused dump"
	run_husk checkpoint --tcp-established --image-path "$img" "$id"
	assert_success
	at=$(cat "$DATA/tcp")
	run_husk restore -d --tcp-established --image-path "$img" "$new"
	assert_success
	# the restored probe goes on counting bytes through the same connection (it would exit on a broken one)
	wait_for tcp_above "$((at + 5))"
}

@test "restore --empty-ns network reaches CRIU: the restored network namespace is left empty (lo down) for the caller to fill" {
	need_criu
	local id new img=$BATS_TEST_TMPDIR/img
	id=$(cid)
	new=$(cid emptyns)
	setup_bundle sh -c 'exec </dev/null >/dev/null 2>&1; exec sleep 1000'
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	run_husk exec "$id" cat /sys/class/net/lo/operstate
	assert_success
	assert_output_contains "unknown" # lo is up: "unknown" is its operstate when up, "down" when not
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	run_husk restore -d --empty-ns network --image-path "$img" --bundle "$BUNDLE" "$new"
	assert_success
	run_husk exec "$new" cat /sys/class/net/lo/operstate
	assert_success
	assert_output_contains "down"
	husk delete --force "$new"
	img=$BATS_TEST_TMPDIR/img2
	husk run -d --bundle "$BUNDLE" "$id" </dev/null >/dev/null 2>&1
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	run_husk restore -d --image-path "$img" --bundle "$BUNDLE" "$new"
	assert_success
	run_husk exec "$new" cat /sys/class/net/lo/operstate
	assert_output_contains "unknown"
}

@test "checkpoint --ext-unix-sk reaches CRIU: without it criu refuses a socket whose peer is on the host; with it the dump is made" {
	need_criu
	local id img=$BATS_TEST_TMPDIR/img sock
	id=$(cid)
	DATA=$BATS_TEST_TMPDIR/data
	mkdir -p "$DATA"
	sock=$DATA/sock
	# the host end: a unix datagram socket in a directory the container has as /data
	"$HUSK_PROBE" dgram "$sock" listen &
	LISTENER=$!
	wait_for test -S "$sock"
	counter_bundle '' 'probe dgram /data/sock send &'
	# in the host's network namespace: CRIU finds a unix socket's peer through sock_diag in the dumped
	# namespace, so a peer in another one is "without peer", not external
	cfg '.linux.namespaces |= map(select(.type != "network"))'
	start_counter "$id" 2
	run_husk checkpoint --leave-running --image-path "$img" "$id"
	assert_failure
	assert_output_contains "criu dump failed"
	grep -q "ext-unix-sk" "$img/dump.log" || fail "dump.log: $(grep -i error "$img/dump.log" | head -n 10)"
	run_husk checkpoint --leave-running --ext-unix-sk --image-path "$img" "$id"
	assert_success
	[[ -f $img/inventory.img ]] || fail "no images"
	[[ $(husk_status "$id") == running ]] || fail "the container is $(husk_status "$id") after --leave-running"
	kill "$LISTENER"
	wait "$LISTENER" 2>/dev/null || true
}

@test "checkpoint --auto-dedup reaches CRIU: the pages a dump saves again are punched out of its parent's images" {
	need_criu
	local id img=$BATS_TEST_TMPDIR/img before after
	id=$(cid)
	counter_bundle
	start_counter "$id" 2
	run_husk checkpoint --pre-dump --image-path "$img/pre" "$id"
	assert_success
	before=$(du -k "$img"/pre/pages-*.img | awk '{ s += $1 } END { print s }')
	wait_for count_above "$(($(last_count) + 3))"
	# without the flag the parent keeps every block
	run_husk checkpoint --leave-running --parent-path ../pre --image-path "$img/plain" "$id"
	assert_success
	after=$(du -k "$img"/pre/pages-*.img | awk '{ s += $1 } END { print s }')
	((after == before)) || fail "the parent's pages shrank from $before to $after KiB without --auto-dedup"
	wait_for count_above "$(($(last_count) + 3))"
	run_husk checkpoint --leave-running --auto-dedup --parent-path ../pre --image-path "$img/dedup" "$id"
	assert_success
	after=$(du -k "$img"/pre/pages-*.img | awk '{ s += $1 } END { print s }')
	((after < before)) || fail "the parent's pages stayed at $before KiB with --auto-dedup (now $after)"
}

@test "restore --systemd-cgroup: the restored tasks are in a new transient scope with the config's limits; delete removes it" {
	need_criu
	[[ -d /run/systemd/system ]] && host_cgroup_unified || skip "needs systemd as PID 1 on cgroup v2 (tests/vm/run.sh)"
	local id new img=$BATS_TEST_TMPDIR/img pid at
	id=$(cid)
	new=$(cid sd)
	counter_bundle
	cfg --arg p "system.slice:husk:$id" '.linux.cgroupsPath = $p | .linux.resources.pids.limit = 77'
	cd "$BUNDLE"
	husk --systemd-cgroup run -d "$id" </dev/null >/dev/null 2>&1
	wait_for count_above 2
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	# the checkpointed container is gone, and with it its scope
	run systemctl list-units --all --no-legend --plain
	refute_output_contains "husk-$id.scope"
	at=$(last_count)
	cfg --arg p "system.slice:husk:$new" '.linux.cgroupsPath = $p'
	run_husk --systemd-cgroup restore -d --image-path "$img" "$new"
	assert_success
	pid=$(husk state "$new" | jq -r .pid)
	[[ $(cat "/proc/$pid/cgroup") == "0::/system.slice/husk-$new.scope" ]] || fail "restored init in $(cat "/proc/$pid/cgroup")"
	[[ $(systemctl show "husk-$new.scope" -p TasksMax --value) == 77 ]] ||
		fail "TasksMax: $(systemctl show "husk-$new.scope" -p TasksMax --value)"
	[[ $(cat "/sys/fs/cgroup/system.slice/husk-$new.scope/pids.max") == 77 ]] || fail "pids.max"
	wait_for count_above $((at + 2))
	run_husk delete --force "$new"
	assert_success
	run systemctl list-units --all --no-legend --plain
	refute_output_contains "husk-$new.scope"
}

@test "restore --systemd-cgroup into an active scope's name gets systemd's refusal; that container and its scope run on" {
	need_criu
	[[ -d /run/systemd/system ]] && host_cgroup_unified || skip "needs systemd as PID 1 on cgroup v2 (tests/vm/run.sh)"
	local id new img=$BATS_TEST_TMPDIR/img pid unit at
	id=$(cid)
	new=$(cid sd)
	unit=husk-$id.scope
	counter_bundle
	cfg --arg p "system.slice:husk:$id" '.linux.cgroupsPath = $p'
	cd "$BUNDLE"
	husk --systemd-cgroup run -d "$id" </dev/null >/dev/null 2>&1
	wait_for count_above 2
	pid=$(husk state "$id" | jq -r .pid)
	run_husk checkpoint --leave-running --image-path "$img" "$id"
	assert_success
	# the restore asks for the running container's scope: the config's cgroupsPath is unchanged
	run_husk --systemd-cgroup restore -d --image-path "$img" "$new"
	assert_failure
	# systemd 252's words for its UnitExists error
	assert_output_contains "start unit '$unit' in 'system.slice': Unit $unit was already loaded or has a fragment file"
	# the refused restore's rollback stopped nothing and killed nothing of the running container's
	[[ $(systemctl show "$unit" -p ActiveState --value) == active ]] ||
		fail "$unit is $(systemctl show "$unit" -p ActiveState --value)"
	[[ -e /proc/$pid && $(husk_status "$id") == running ]] || fail "the container is $(husk_status "$id")"
	grep -qx "$pid" "/sys/fs/cgroup/system.slice/$unit/cgroup.procs" ||
		fail "the scope holds: $(cat "/sys/fs/cgroup/system.slice/$unit/cgroup.procs")"
	at=$(last_count)
	wait_for count_above $((at + 2))
	run_husk state "$new"
	assert_failure
	run_husk delete --force "$id"
	assert_success
	run systemctl list-units --all --no-legend --plain
	refute_output_contains "$unit"
}

@test "restore --manage-cgroups-mode reaches CRIU: its cgroup mode in restore.log, strict refuses the cgroup husk made" {
	need_criu
	local id img=$BATS_TEST_TMPDIR/img r mode
	id=$(cid)
	counter_bundle
	start_counter "$id" 2
	run_husk checkpoint --image-path "$img" "$id"
	assert_success
	# CRIU's restore.log names its mode (soft 0x4, full 0x8, strict 0x10) when it prepares the cgroups,
	# and says nothing of the kind with ignore (0: CRIU leaves the cgroups alone); no flag is soft, as runc
	for mode in default full ignore; do
		r=$(cid "$mode")
		if [[ $mode == default ]]; then
			run_husk restore -d --image-path "$img" "$r"
		else
			run_husk restore -d --manage-cgroups-mode "$mode" --image-path "$img" "$r"
		fi
		assert_success
		case $mode in
		default) grep -q 'cgroups restore mode 0x4)' "$img/restore.log" ;;
		full) grep -q 'cgroups restore mode 0x8)' "$img/restore.log" ;;
		ignore) ! grep -q 'Preparing cgroups yard' "$img/restore.log" ;;
		esac || fail "$mode: restore.log: $(grep -i cgroup "$img/restore.log" | head -n 20)"
		[[ $(husk_status "$r") == running ]] || fail "$mode: the restored container is $(husk_status "$r")"
		run_husk delete --force "$r"
		assert_success
	done
	# strict: CRIU refuses to restore into a cgroup that exists, and the container's (made by husk, with
	# criu in it) does
	r=$(cid strict)
	run_husk restore -d --manage-cgroups-mode strict --image-path "$img" "$r"
	assert_failure
	grep -q 'cgroups restore mode 0x10)' "$img/restore.log" || fail "strict: $(grep -i cgroup "$img/restore.log" | head -n 20)"
	grep -q 'Abort restore of existing cgroups' "$img/restore.log" || fail "strict: $(grep -i error "$img/restore.log" | head -n 20)"
	[[ ! -e $HUSK_TEST_ROOT/$r ]] || fail "the refused restore left a state directory"
}

@test "checkpoint --manage-cgroups-mode reaches CRIU: ignore saves no cgroup directory, the default (soft) the container's" {
	need_criu
	command -v crit >/dev/null || skip "needs crit (CRIU's image tool)"
	local id img=$BATS_TEST_TMPDIR/img soft ignore
	id=$(cid)
	counter_bundle
	start_counter "$id" 2
	run_husk checkpoint --leave-running --image-path "$img/soft" "$id"
	assert_success
	run_husk checkpoint --leave-running --manage-cgroups-mode ignore --image-path "$img/ignore" "$id"
	assert_success
	# cgroup.img's directories (with their properties) per controller: CRIU collects none with ignore
	soft=$(crit show "$img/soft/cgroup.img" | jq -c '[.entries[0].controllers[].dirs[]?.dir_name]')
	ignore=$(crit show "$img/ignore/cgroup.img" | jq -c '[.entries[0].controllers[].dirs[]?.dir_name]')
	[[ $soft == *"$id"* && $ignore == "[]" ]] ||
		fail "cgroup.img's directories: $soft without the flag, $ignore with ignore"
}
