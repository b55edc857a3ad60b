#!/usr/bin/env bats
# Kubernetes' path through containerd: a private containerd with its CRI plugin (config, root, state and
# socket in a temp dir, started here and stopped by pid) whose runc shim runs husk (BinaryName), driven by
# a small CRI client (tests/cri/cri-client.js, node + @grpc/grpc-js from npm) as kubelet drives it. The
# pause image is the busybox test rootfs running sleep, imported with ctr into the k8s.io namespace.
# Issue 20 item 0: a pod whose containers share its PID namespace must stop and be removed at once; with
# husk's old answers to "kill --all ID 9" of a stopped container, StopPodSandbox hung for 300 s.
# shellcheck disable=SC2016

load helpers
bats_require_minimum_version 1.5.0

PAUSE=localhost/husk-pause:latest
IMAGE=localhost/husk-busybox:latest

setup_file() {
	local tries=200
	# the client's npm modules come from the network (bats 1.8 cannot skip in setup_file: setup does)
	if [[ -z "$(ip route show default 2>/dev/null)" ]]; then
		export CRI_SKIP="no network (no default route, as in the tests/vm guest) to install the CRI client's npm modules"
		return 0
	fi
	apt_install containerd containerd || return
	apt_install node nodejs || return
	apt_install npm npm || return
	husk_rootfs_cache || return
	CRI_DIR=$(mktemp -d /tmp/husk-cri.XXXXXX)
	export CRI_DIR
	export CRI_SOCK=$CRI_DIR/containerd.sock
	export CRI_HUSK_ROOT=$CRI_DIR/husk
	# the CRI's pods live under cgroup parent k8s.io: note whether it was there before us
	: >"$CRI_DIR/cgroups-before"
	for cg in /sys/fs/cgroup/*/k8s.io /sys/fs/cgroup/k8s.io; do
		[[ ! -d "$cg" ]] || echo "$cg" >>"$CRI_DIR/cgroups-before"
	done
	# the client's npm modules, next to a copy of it
	mkdir -p "$CRI_DIR/client"
	cp "$HUSK_SRC_DIR/tests/cri/cri-client.js" "$HUSK_SRC_DIR/tests/cri/api.proto" "$CRI_DIR/client/"
	(cd "$CRI_DIR/client" && npm install --no-audit --no-fund --silent @grpc/grpc-js@1 @grpc/proto-loader@0) >&2 ||
		fail "npm install of @grpc/grpc-js failed" || return
	mkdir -p "$CRI_DIR/cni" "$CRI_DIR/logs"
	cat >"$CRI_DIR/config.toml" <<-EOF
		version = 2
		root = "$CRI_DIR/root"
		state = "$CRI_DIR/state"
		[grpc]
		  address = "$CRI_SOCK"
		[ttrpc]
		  address = "$CRI_SOCK.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$CRI_DIR/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$PAUSE"
		  enable_selinux = false
		  disable_apparmor = true
		  # the sandbox asks for oomScoreAdj -998; below our own it needs CAP_SYS_RESOURCE, which a
		  # test machine (a container itself) may lack: runc fails there too
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$CRI_DIR/cni"
		    conf_dir = "$CRI_DIR/cni"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    default_runtime_name = "husk"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.husk]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.husk.options]
		        BinaryName = "$HUSK"
		        Root = "$CRI_HUSK_ROOT"
	EOF
	containerd --config "$CRI_DIR/config.toml" >"$CRI_DIR/containerd.log" 2>&1 3>&- &
	echo $! >"$CRI_DIR/containerd.pid"
	until ctr -a "$CRI_SOCK" version >/dev/null 2>&1; do
		((--tries > 0)) || fail "containerd did not start: $(tail -n 20 "$CRI_DIR/containerd.log")" || return
		sleep 0.1
	done
	make_image_archive "$HUSK_ROOTFS_CACHE" "$PAUSE" '["sleep", "1000000"]' "$CRI_DIR/pause.tar" &&
		make_image_archive "$HUSK_ROOTFS_CACHE" "$IMAGE" '["sh"]' "$CRI_DIR/busybox.tar" ||
		fail "could not build the images" || return
	ctr -a "$CRI_SOCK" -n k8s.io image import "$CRI_DIR/pause.tar" >/dev/null &&
		ctr -a "$CRI_SOCK" -n k8s.io image import "$CRI_DIR/busybox.tar" >/dev/null || fail "ctr image import failed"
}

teardown_file() {
	local id pid tries
	[[ -n "${CRI_DIR:-}" && -d "$CRI_DIR" ]] || return 0
	if [[ -S "$CRI_SOCK" ]]; then
		for id in $(ctr -a "$CRI_SOCK" -n k8s.io task ls -q 2>/dev/null); do
			ctr -a "$CRI_SOCK" -n k8s.io task kill -a -s SIGKILL "$id" >/dev/null 2>&1
			ctr -a "$CRI_SOCK" -n k8s.io task delete -f "$id" >/dev/null 2>&1
		done
		for id in $(ctr -a "$CRI_SOCK" -n k8s.io container ls -q 2>/dev/null); do
			ctr -a "$CRI_SOCK" -n k8s.io container delete "$id" >/dev/null 2>&1
		done
		ctr -a "$CRI_SOCK" -n k8s.io image rm "$PAUSE" "$IMAGE" >/dev/null 2>&1
	fi
	pid=$(cat "$CRI_DIR/containerd.pid" 2>/dev/null)
	if [[ -n "$pid" ]] && kill "$pid" 2>/dev/null; then
		tries=100
		while [[ -e "/proc/$pid" && "$(_husk_proc_stat "$pid" 0)" != Z ]] && ((tries-- > 0)); do
			sleep 0.1
		done
		wait "$pid" 2>/dev/null || true
	fi
	# shims still running for this containerd (their command line names its socket): end them by pid
	for pid in $(pgrep -f -- "$CRI_SOCK" || true); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	if [[ -d "$CRI_HUSK_ROOT/k8s.io" ]]; then
		for id in "$CRI_HUSK_ROOT"/k8s.io/*; do
			[[ -e "$id" ]] && "$HUSK" --root "$CRI_HUSK_ROOT/k8s.io" delete --force "${id##*/}" >/dev/null 2>&1
		done
	fi
	while read -r mnt; do
		umount -l "$mnt" 2>/dev/null
	done < <(awk -v d="$CRI_DIR" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
	# the pods' cgroups (/k8s.io/<id>) and, if we made it, the parent: cgroup directories go with rmdir
	for cg in /sys/fs/cgroup/*/k8s.io /sys/fs/cgroup/k8s.io; do
		[[ -d "$cg" ]] || continue
		find "$cg" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
		grep -qxF "$cg" "$CRI_DIR/cgroups-before" || rmdir "$cg" 2>/dev/null || true
	done
	rm -rf --one-file-system "$CRI_DIR"
}

setup() {
	[[ -z "${CRI_SKIP:-}" ]] || skip "$CRI_SKIP"
}

teardown() {
	husk_check_leaks
}

cri() {
	CRI_DEADLINE=${CRI_DEADLINE:-60} node "$CRI_DIR/client/cri-client.js" "$CRI_SOCK" "$@"
}

@test "CRI: a pod sharing its PID namespace stops and is removed at once, with husk as the runc shim's binary" {
	local pod ctr name=pod-$BATS_TEST_NUMBER-$$
	run cri version
	assert_success
	[[ "$(jq -r .runtime_name <<<"$output")" == containerd ]] || fail "not containerd's CRI: $output"
	pod=$(cri run-pod "$name") || fail "RunPodSandbox failed: $(tail -n 5 "$CRI_DIR/containerd.log")"
	[[ -d "$CRI_HUSK_ROOT/k8s.io/$pod" ]] || fail "the sandbox is not husk's"
	ctr=$(cri create "$pod" "$name" app "$IMAGE" sleep 1000) || fail "CreateContainer failed"
	cri start "$ctr" || fail "StartContainer failed"
	[[ "$(cri status "$ctr")" == CONTAINER_RUNNING ]] || fail "the container is not running"
	# one PID namespace: the container's init is not pid 1 of its own
	[[ "$(readlink "/proc/$("$HUSK" --root "$CRI_HUSK_ROOT/k8s.io" state "$ctr" | jq .pid)/ns/pid")" == \
		"$(readlink "/proc/$("$HUSK" --root "$CRI_HUSK_ROOT/k8s.io" state "$pod" | jq .pid)/ns/pid")" ]] ||
		fail "the container does not share the pod's PID namespace"
	# what kubelet does to delete a pod; each call fails at its deadline (60 s) instead of hanging 300 s
	run cri stop-pod "$pod"
	assert_success
	[[ "$(cri status "$ctr")" == CONTAINER_EXITED ]] || fail "the container did not exit with its pod"
	run cri remove-pod "$pod"
	assert_success
	[[ ! -e "$CRI_HUSK_ROOT/k8s.io/$pod" && ! -e "$CRI_HUSK_ROOT/k8s.io/$ctr" ]] ||
		fail "husk state left: $(ls "$CRI_HUSK_ROOT/k8s.io")"
	# containerd's shim ran "kill --all" on the stopped container (runc's answer: exit 0)
	! grep -q 'unknown error after kill' "$CRI_DIR/containerd.log" ||
		fail "the shim misread a kill answer: $(grep 'error after kill' "$CRI_DIR/containerd.log" | tail -n 2)"
}

@test "CRI: StopContainer of a container that already exited in a shared PID namespace, then RemoveContainer" {
	local pod ctr name=pod-$BATS_TEST_NUMBER-$$
	pod=$(cri run-pod "$name") || fail "RunPodSandbox failed"
	ctr=$(cri create "$pod" "$name" quick "$IMAGE" true) || fail "CreateContainer failed"
	cri start "$ctr" || fail "StartContainer failed"
	wait_for eval '[[ "$(cri status "$ctr")" == CONTAINER_EXITED ]]'
	run cri stop "$ctr" 0
	assert_success
	run cri remove "$ctr"
	assert_success
	run cri stop-pod "$pod"
	assert_success
	run cri remove-pod "$pod"
	assert_success
	[[ -z "$(ls -A "$CRI_HUSK_ROOT/k8s.io" 2>/dev/null)" ]] || fail "husk state left: $(ls "$CRI_HUSK_ROOT/k8s.io")"
}
