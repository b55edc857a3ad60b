#!/usr/bin/env bats
# runc compatibility of the rootfs and of the bundles people make with `runc spec`: the lifecycle
# basics on runc's own default config (with and without a user namespace, from a shell that has
# supplementary groups as sudo and login shells do), bind sources the container's user cannot reach,
# a read-only /dev, a symlinked root.path, rootfsPropagation rshared, no mount namespace, --no-pivot.
# runc 1.1.5 is the reference: every behaviour here was compared with it.
# shellcheck disable=SC2016 # jq programs and container shell lines are single-quoted on purpose

load helpers

setup_file() {
	husk_rootfs_cache
}

setup() {
	HOST_MOUNTS=()
	RUN_TMPDIR_MODE=
}

teardown() {
	local m r
	for m in "${HOST_MOUNTS[@]}"; do
		umount -l "$m" 2>/dev/null || true
	done
	husk_teardown
	r=$?
	[[ -z "$RUN_TMPDIR_MODE" ]] || chmod "$RUN_TMPDIR_MODE" "$BATS_RUN_TMPDIR"
	return $r
}

# runc_bundle DIR [--rootless] ARGS...: a bundle in DIR whose config.json is `runc spec`'s own default
# (or `runc spec --rootless`'s), with terminal false and process.args ARGS; exported as BUNDLE.
runc_bundle() {
	local dir=$1 spec=(spec) a
	shift
	if [[ "${1:-}" == --rootless ]]; then
		spec+=(--rootless)
		shift
	fi
	command -v runc >/dev/null || fail "runc is not installed (tests/install-deps.sh installs it)" || return
	mkdir -p "$dir"
	cp -a "$HUSK_ROOTFS_CACHE" "$dir/rootfs"
	(cd "$dir" && runc "${spec[@]}") || fail "runc spec failed" || return
	export BUNDLE=$dir
	a=$(jq -nc '$ARGS.positional' --args -- "$@")
	cfg --argjson a "$a" '.process.terminal = false | .process.args = $a'
}

# A container whose root maps to host uid 100000 must reach its bundle: the bats run directory is 0700.
allow_mapped_root() {
	RUN_TMPDIR_MODE=$(stat -c %a "$BATS_RUN_TMPDIR")
	chmod o+x "$BATS_RUN_TMPDIR"
}

# mapped_userns: the user namespace of `runc spec --rootless` (uid/gid 0 inside), mapped to host
# 100000-165535 instead of the caller's own id, so the container's root is nobody on the host.
mapped_userns() {
	cfg '.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

# g0 CMD...: run CMD with supplementary group 0, as from sudo, su or a login shell.
g0() {
	setpriv --groups 0 "$@"
}

husk_g0() {
	local arg
	for arg in "$@"; do
		[[ "$arg" != husk-test-* ]] || _husk_record_id "$arg"
	done
	g0 "$HUSK" --root "$HUSK_TEST_ROOT" "$@"
}

# lifecycle ID HUSK_FN: create, state, start, exec, kill, state, delete through HUSK_FN (husk or husk_g0)
# on $BUNDLE, whose process is `sleep 1000`.
lifecycle() {
	local id=$1 h=$2
	$h create --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/$id.out" 2>&1 3>&- ||
		fail "create: $(cat "$BATS_TEST_TMPDIR/$id.out")" || return
	[[ "$($h state "$id" | jq -r .status)" == created ]] || fail "not created after create" || return
	$h start "$id" || fail "start failed" || return
	[[ "$($h state "$id" | jq -r .status)" == running ]] || fail "not running after start" || return
	run $h exec "$id" sh -c 'echo exec-ok; id -u'
	assert_success
	[[ "${lines[0]}" == exec-ok && "${lines[1]}" == 0 ]] || fail "exec gave the wrong output" || return
	$h kill "$id" KILL || fail "kill failed" || return
	wait_for _status_is "$h" "$id" stopped || return
	$h delete "$id" || fail "delete failed" || return
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]] || fail "the state of '$id' is left after delete"
}

_status_is() {
	[[ "$($1 state "$2" 2>/dev/null | jq -r .status)" == "$3" ]]
}

# ---- runc spec's default config ---------------------------------------------------------------------

@test "runc spec: run, and create/start/state/exec/kill/delete, on runc's own default config" {
	runc_bundle "$BATS_TEST_TMPDIR/bundle" sh -c 'echo ran; grep -E "^Cap(Eff|Amb)" /proc/self/status'
	run_husk run --bundle "$BUNDLE" "$(cid run)"
	assert_success
	assert_line_matches '^ran$'
	# the default lists ambient capabilities without inheritable ones: they are left out, as runc does
	assert_line_matches '^CapAmb:[[:space:]]+0000000000000000$'
	assert_line_matches '^CapEff:[[:space:]]+0000000020000420$'
	set_args sleep 1000
	lifecycle "$(cid)" husk
}

@test "runc spec: an ambient capability that is also inheritable is still raised" {
	runc_bundle "$BATS_TEST_TMPDIR/bundle" sh -c 'grep ^CapAmb /proc/self/status'
	cfg '.process.capabilities.inheritable = ["CAP_KILL"] | .process.user.uid = 1000'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_output_equals "CapAmb:	0000000000000020"
}

@test "runc spec --rootless config with a mapped user namespace, from a shell with group 0, in a 0701 root:root directory" {
	local dir=$BATS_TEST_TMPDIR/guarded
	allow_mapped_root
	mkdir -m 0701 "$dir"
	chown 0:0 "$dir"
	runc_bundle "$dir/bundle" --rootless sh -c 'id -u; grep ^Groups: /proc/self/status'
	mapped_userns
	run husk_g0 run --bundle "$BUNDLE" "$(cid run)"
	assert_success
	[[ "${lines[0]}" == 0 ]] || fail "not root in the user namespace"
	assert_line_matches '^Groups:[[:space:]]*$'
	set_args sleep 1000
	lifecycle "$(cid)" husk_g0
}

@test "runc spec: a user namespace container from a shell with group 0 (husk spec's config too)" {
	local dir=$BATS_TEST_TMPDIR/guarded
	allow_mapped_root
	mkdir -m 0701 "$dir"
	make_bundle "$dir/bundle" sleep 1000
	export BUNDLE=$dir/bundle
	cfg '.linux.namespaces += [{"type": "user"}]'
	mapped_userns
	lifecycle "$(cid)" husk_g0
}

@test "a bind source the container's root cannot reach (0700 host directory) works in a user namespace" {
	local private=$BATS_TEST_TMPDIR/private
	allow_mapped_root
	mkdir -m 0700 "$private"
	mkdir "$private/secret"
	echo hello >"$private/secret/f"
	runc_bundle "$BATS_TEST_TMPDIR/bundle" --rootless sh -c 'cat /s/f; echo x >/s/g'
	mapped_userns
	mkdir "$BUNDLE/rootfs/s"
	cfg --arg s "$private/secret" '.mounts += [{"destination": "/s", "type": "bind", "source": $s, "options": ["rbind", "ro"]}]'
	run husk_g0 run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_line_matches '^hello$'
	# the container still acts as its mapped user, and "ro" holds
	assert_output_contains "Read-only file system"
	[[ ! -e "$private/secret/g" ]]
	# a missing source is still the init's clear error
	cfg '.mounts[-1].source = "no-such-dir"'
	run_husk run --bundle "$BUNDLE" "$(cid 2)"
	assert_failure
	assert_output_contains "bind mount source '$BUNDLE/no-such-dir': No such file or directory"
}

# ---- root.path --------------------------------------------------------------------------------------

@test "root.path that is a symlink, or passes through one, is refused as runc does" {
	local id
	id=$(cid)
	runc_bundle "$BATS_TEST_TMPDIR/bundle" true
	mv "$BUNDLE/rootfs" "$BUNDLE/real"
	ln -s real "$BUNDLE/rootfs"
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "config.json: .root.path: invalid rootfs '$BUNDLE/rootfs': it is a symlink"
	assert_output_contains "resolves to '$BUNDLE/real'"
	[[ ! -e "$HUSK_TEST_ROOT/$id" ]] || fail "state left behind"
	ln -s "$BUNDLE" "$BATS_TEST_TMPDIR/link"
	cfg --arg r "$BATS_TEST_TMPDIR/link/real" '.root.path = $r'
	run_husk run --bundle "$BUNDLE" "$id"
	assert_failure
	assert_output_contains "invalid rootfs '$BATS_TEST_TMPDIR/link/real'"
	# the real path works, also unclean ("/./", a trailing "/"), and a relative one through a
	# symlinked bundle directory (the bundle is resolved first, as runc's cwd is)
	cfg --arg r "$BUNDLE/./real/" '.root.path = $r'
	run_husk run --bundle "$BATS_TEST_TMPDIR/link" "$id"
	assert_success
	cfg '.root.path = "real"'
	run_husk run --bundle "$BATS_TEST_TMPDIR/link" "$id"
	assert_success
}

# ---- /dev -------------------------------------------------------------------------------------------

@test "a read-only /dev mount: its content is set up first, then it turns read-only" {
	runc_bundle "$BATS_TEST_TMPDIR/bundle" sh -c 'ls /dev; grep " /dev " /proc/self/mountinfo; touch /dev/x'
	cfg '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_line_matches '^null$'
	assert_line_matches '^pts$'
	assert_line_matches '^ptmx$'
	assert_line_matches '^stdout$'
	assert_line_matches ' /dev ro,'
	assert_output_contains "touch: /dev/x: Read-only file system"
}

@test "a read-only tmpfs with tmpcopyup gets the image's content, then turns read-only" {
	runc_bundle "$BATS_TEST_TMPDIR/bundle" sh -c 'grep ^husk: /etc/passwd; grep " /etc " /proc/self/mountinfo'
	cfg '.mounts += [{"destination": "/etc", "type": "tmpfs", "source": "tmpfs", "options": ["tmpcopyup", "ro"]}]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_success
	assert_line_matches '^husk:x:1000:'
	assert_line_matches ' /etc ro,'
}

# ---- propagation ------------------------------------------------------------------------------------

@test "rootfsPropagation rshared: mounts propagate host to container and container to host" {
	local vol=$BATS_TEST_TMPDIR/vol id
	id=$(cid)
	mkdir -p "$vol"
	mount --bind "$vol" "$vol"
	HOST_MOUNTS=("$vol" "${HOST_MOUNTS[@]}")
	mount --make-shared "$vol"
	mkdir "$vol/from-host" "$vol/from-container"
	runc_bundle "$BATS_TEST_TMPDIR/bundle" sh -c '
		mount -t tmpfs inner /vol/from-container && touch /vol/from-container/made-inside
		i=0; while [ ! -e /vol/from-host/made-outside ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
		ls /vol/from-host'
	cfg --arg v "$vol" '.linux.rootfsPropagation = "rshared" |
		.mounts += [{"destination": "/vol", "type": "bind", "source": $v, "options": ["rbind", "rshared"]}] |
		.process.capabilities.bounding += ["CAP_SYS_ADMIN"] | .process.capabilities.effective += ["CAP_SYS_ADMIN"] |
		.process.capabilities.permitted += ["CAP_SYS_ADMIN"]'
	husk run --detach --bundle "$BUNDLE" "$id" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&-
	HOST_MOUNTS=("$vol/from-container" "$vol/from-host" "${HOST_MOUNTS[@]}")
	wait_for test -e "$vol/from-container/made-inside"
	mount -t tmpfs outer "$vol/from-host"
	touch "$vol/from-host/made-outside"
	wait_for_status "$id" stopped
	run cat "$BATS_TEST_TMPDIR/out"
	assert_output_equals made-outside
	husk delete "$id"
	# nothing but the volume's own mounts reached the host
	[[ -z "$(awk -v r="$BUNDLE/rootfs" 'index($5, r) == 1' /proc/self/mountinfo)" ]] ||
		fail "a mount of the rootfs reached the host"
}

# ---- no mount namespace ----------------------------------------------------------------------------

# in_private_ns CMD...: run CMD in a new mount namespace whose "/" is shared, as on a systemd host:
# husk's own namespace there is the "runtime's mount namespace", and the test can look at it.
in_private_ns() {
	unshare -m --propagation shared "$@"
}

@test "no mount namespace: the runtime's is shared, the container is chrooted, delete takes its mounts away" {
	local id
	id=$(cid)
	runc_bundle "$BATS_TEST_TMPDIR/bundle" sleep 1000
	cfg '.linux.namespaces |= map(select(.type != "mount")) | del(.linux.maskedPaths, .linux.readonlyPaths)'
	cat >"$BATS_TEST_TMPDIR/script" <<-EOF
		set -e
		h() { "$HUSK" --root "$HUSK_TEST_ROOT" "\$@"; }
		h run -d --bundle "$BUNDLE" $id </dev/null >/dev/null 2>&1
		pid=\$(h state $id | jq -r .pid)
		[ "\$(readlink /proc/\$pid/ns/mnt)" = "\$(readlink /proc/self/ns/mnt)" ] && echo same-mntns
		[ "\$(stat -L -c %i /proc/\$pid/root)" = "\$(stat -c %i "$BUNDLE/rootfs")" ] && echo chrooted
		awk -v r="$BUNDLE/rootfs/proc" '\$5 == r && \$9 == "proc" { print "proc-visible-on-host" }' /proc/self/mountinfo
		h exec $id sh -c 'test -x /bin/probe && test ! -e "$BUNDLE" && echo exec-chrooted'
		h kill $id KILL
		while [ "\$(h state $id | jq -r .status)" != stopped ]; do sleep 0.05; done
		h delete $id
		echo "left: \$(grep -c " $BUNDLE/rootfs" /proc/self/mountinfo)"
		findmnt -no PROPAGATION /
	EOF
	run in_private_ns bash "$BATS_TEST_TMPDIR/script"
	assert_success
	assert_line_matches '^same-mntns$'
	assert_line_matches '^chrooted$'
	assert_line_matches '^proc-visible-on-host$'
	assert_line_matches '^exec-chrooted$'
	assert_line_matches '^left: 0$'
	# runc 1.1.5 makes the runtime's "/" private here; husk leaves the host's propagation alone
	[[ "${lines[-1]}" == shared ]] || fail "the propagation of the runtime's / changed"
}

@test "no mount namespace: a user namespace without one is refused clearly" {
	runc_bundle "$BATS_TEST_TMPDIR/bundle" true
	cfg '.linux.namespaces = [{"type": "pid"}, {"type": "uts"}, {"type": "user"}] | del(.linux.maskedPaths, .linux.readonlyPaths) |
		.linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] |
		.linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	run_husk run --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "config.json: .linux.namespaces: a user namespace needs a mount namespace too"
}

# ---- --no-pivot -------------------------------------------------------------------------------------

@test "--no-pivot: a fresh procfs cannot be mounted over the host's bare /proc layout (runc's no_pivot test)" {
	runc_bundle "$BATS_TEST_TMPDIR/bundle" unshare -mrpf sh -c 'mount -t proc none /proc && echo MOUNTED'
	cfg '.process.capabilities.bounding += ["CAP_SETFCAP"] | .process.capabilities.permitted += ["CAP_SETFCAP"]'
	run_husk run --no-pivot --bundle "$BUNDLE" "$(cid)"
	assert_failure
	assert_output_contains "permission denied"
	refute_output_contains MOUNTED
	# the container itself still has its own /proc, and the host's stays mounted
	set_args sh -c 'test -r /proc/self/status && echo ok'
	run_husk run --no-pivot --bundle "$BUNDLE" "$(cid 2)"
	assert_success
	assert_output_equals ok
	grep -q ' /proc proc ' /proc/mounts || fail "the host lost its /proc"
}
