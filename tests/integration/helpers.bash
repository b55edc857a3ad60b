#!/bin/bash
# helpers.bash: loaded by every integration test file ("load helpers"). Builds fresh bundles from
# rootfs-fixtures/, runs husk against a per-test state directory, and after each test proves that nothing
# leaked (state, mounts, cgroups, processes). Test files end with: teardown() { husk_teardown; }
# shellcheck disable=SC2154 # status, output and lines are set by bats' run

HUSK_SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HUSK_FIXTURES=$HUSK_SRC_DIR/rootfs-fixtures
HUSK=${HUSK:-$HUSK_SRC_DIR/build/husk}
HUSK_PROBE=${HUSK_PROBE:-$HUSK_SRC_DIR/build/husk-probe}
# Absolute, so a test that cds into its bundle still finds them.
[[ "$HUSK" != */* ]] || HUSK=$(realpath -m "$HUSK")
[[ "$HUSK_PROBE" != */* ]] || HUSK_PROBE=$(realpath -m "$HUSK_PROBE")
# Per test (BATS_TEST_TMPDIR is unset while setup_file runs): tests never see each other's containers.
HUSK_TEST_ROOT=${BATS_TEST_TMPDIR:+$BATS_TEST_TMPDIR/state}
HUSK_WAIT_TIMEOUT=${HUSK_WAIT_TIMEOUT:-5}

# ---- failing and asserting ------------------------------------------------------------------------------

# fail MSG...: print MSG (and the last run's status and output, if any) and fail the test.
fail() {
	printf '%s\n' "$*" >&2
	if [[ -n "${status+set}" ]]; then
		printf -- '-- status: %s\n-- output:\n%s\n--\n' "$status" "${output-}" >&2
	fi
	return 1
}

assert_success() {
	[[ "$status" -eq 0 ]] || fail "expected success, got status $status"
}

assert_failure() {
	[[ "$status" -ne 0 ]] || fail "expected failure, got status 0"
}

assert_status() {
	[[ "$status" -eq "$1" ]] || fail "expected status $1, got $status"
}

assert_output_contains() {
	[[ "$output" == *"$1"* ]] || fail "expected output to contain '$1'"
}

refute_output_contains() {
	[[ "$output" != *"$1"* ]] || fail "expected output not to contain '$1'"
}

assert_output_equals() {
	[[ "$output" == "$1" ]] || fail "expected output to be '$1'"
}

# assert_line_matches REGEX: some line of the output matches the bash (extended) regex.
assert_line_matches() {
	local line
	for line in "${lines[@]}"; do
		[[ "$line" =~ $1 ]] && return 0
	done
	fail "expected a line matching /$1/"
}

# wait_for CMD...: retry CMD every 50 ms until it succeeds, for up to HUSK_WAIT_TIMEOUT (5) seconds.
wait_for() {
	local tries=$((HUSK_WAIT_TIMEOUT * 20))
	while ! "$@"; do
		if ((--tries <= 0)); then
			fail "wait_for: '$*' did not succeed within ${HUSK_WAIT_TIMEOUT}s"
			return 1
		fi
		sleep 0.05
	done
}

# exited PID: the process is gone or a zombie (a predicate for wait_for: read again at every try).
exited() {
	[[ ! -d "/proc/$1" || "$(_husk_proc_stat "$1" 0)" == Z ]]
}

# host_cgroup_unified: true on a pure cgroup v2 host (/sys/fs/cgroup is cgroup2, as under systemd on
# Debian 12: tests/vm/run.sh), false on a hybrid or v1 host. Tests that differ by layout branch on it.
host_cgroup_unified() {
	[[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]]
}

# criu_reason: empty when CRIU works here, else why not (criu's first error line). need_criu skips with it
# (checkpoint.bats, containerd.bats: kernel 6.18 on the hybrid dev host; the Debian 12 guest passes).
criu_reason() {
	if ! command -v criu >/dev/null; then
		echo "criu is not installed"
		return
	fi
	local out
	if ! out=$(criu check 2>&1) || [[ $out == *Error* ]]; then
		echo "criu check fails: $(grep -m1 Error <<<"$out" || head -n1 <<<"$out")"
	fi
}

need_criu() {
	local why
	why=$(criu_reason)
	[[ -z $why ]] || skip "$why"
}

# ---- running husk ---------------------------------------------------------------------------------------

# cid [SUFFIX]: print this test's container id, "husk-test-N-PID[-SUFFIX]". Teardown deletes it and looks
# for cgroups named after it, so use cid for every container (and in custom cgroupsPath values).
cid() {
	local id="husk-test-$BATS_TEST_NUMBER-$$${1:+-$1}"
	_husk_record_id "$id"
	echo "$id"
}

_husk_record_id() {
	[[ -n "${BATS_TEST_TMPDIR:-}" ]] || return 0
	grep -qxF -- "$1" "$BATS_TEST_TMPDIR/.husk-ids" 2>/dev/null || echo "$1" >>"$BATS_TEST_TMPDIR/.husk-ids"
}

# husk ARGS...: run husk with this test's private --root.
husk() {
	local arg
	for arg in "$@"; do
		[[ "$arg" != husk-test-* ]] || _husk_record_id "$arg"
	done
	"$HUSK" --root "$HUSK_TEST_ROOT" "$@"
}

run_husk() {
	run husk "$@"
}

# husk_status ID: print the container's status ("created", "running", ...) from husk state.
husk_status() {
	husk state "$1" | jq -r .status
}

# wait_for_status ID STATUS
wait_for_status() {
	wait_for _husk_has_status "$1" "$2"
}

_husk_has_status() {
	[[ "$(husk_status "$1" 2>/dev/null)" == "$2" ]]
}

# ---- bundles --------------------------------------------------------------------------------------------

# husk_rootfs_cache: build the shared rootfs (busybox + /bin/probe) once per run, in HUSK_TEST_CACHE or
# under BATS_RUN_TMPDIR, and export HUSK_ROOTFS_CACHE. Call it from setup_file; setup_bundle calls it too.
husk_rootfs_cache() {
	local cache=${HUSK_TEST_CACHE:-$BATS_RUN_TMPDIR/husk-rootfs}
	local stamp

	[[ -x "$HUSK_PROBE" ]] ||
		fail "husk-probe not found at '$HUSK_PROBE': run 'cmake --build build --target husk-probe' or set HUSK_PROBE" ||
		return
	mkdir -p "$(dirname "$cache")"
	stamp=$(cksum <"$HUSK_FIXTURES/mkrootfs.sh")
	# Parallel test files (bats --jobs) share the cache: one builds it, the others wait.
	(
		flock 9
		if [[ "$(cat "$cache.stamp" 2>/dev/null)" != "$stamp" ]]; then
			rm -f "$cache.stamp"
			"$HUSK_FIXTURES/mkrootfs.sh" "$cache" "$HUSK_PROBE" || exit
			echo "$stamp" >"$cache.stamp"
		elif ! cmp -s "$HUSK_PROBE" "$cache/bin/probe"; then
			install -m 0755 "$HUSK_PROBE" "$cache/bin/.probe.new" && mv -f "$cache/bin/.probe.new" "$cache/bin/probe"
		fi
	) 9>"$cache.lock" || fail "could not build the rootfs cache in '$cache'" || return
	export HUSK_ROOTFS_CACHE=$cache
}

# make_image_archive ROOTFS TAG CMD_JSON OUT: a one-layer docker-archive (what `docker save` writes) of
# ROOTFS, tagged TAG, whose config runs CMD_JSON (e.g. '["sh"]'), for `ctr image import`.
make_image_archive() {
	local dir layer config
	dir=$(mktemp -d "$(dirname "$4")/image.XXXXXX") || return
	tar -C "$1" -cf "$dir/layer.tar" . || return
	layer=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
	mkdir "$dir/$layer" && mv "$dir/layer.tar" "$dir/$layer/"
	jq -nc --arg arch "$(dpkg --print-architecture)" --arg diff "sha256:$layer" --argjson cmd "$3" '{
		architecture: $arch, os: "linux",
		config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: $cmd},
		rootfs: {type: "layers", diff_ids: [$diff]}}' >"$dir/config.json"
	config=$(sha256sum "$dir/config.json" | cut -d' ' -f1)
	mv "$dir/config.json" "$dir/$config.json"
	jq -nc --arg c "$config.json" --arg l "$layer/layer.tar" --arg tag "$2" \
		'[{Config: $c, RepoTags: [$tag], Layers: [$l]}]' >"$dir/manifest.json"
	tar -C "$dir" -cf "$4" . && rm -rf "$dir"
}

# apt_install CMD PACKAGE: install PACKAGE with apt-get when CMD is missing (CI starts from a fresh machine).
apt_install() {
	command -v "$1" >/dev/null && return 0
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2"; } >&2 ||
		fail "could not install $2 with apt-get"
}

# make_bundle DIR [ARGS...]: a bundle in DIR: a copy of the cached rootfs and config.json from
# "husk spec" with terminal false and process.args ARGS (default: sh). HUSK_TEST_BUILTIN_SPEC=1 uses
# mkbundle.sh's built-in runc default config instead of husk spec.
make_bundle() {
	local dir=$1
	shift
	husk_rootfs_cache || return
	if [[ -n "${HUSK_TEST_BUILTIN_SPEC:-}" ]]; then
		HUSK='' "$HUSK_FIXTURES/mkbundle.sh" "$dir" "$@" || fail "mkbundle.sh '$dir' failed"
	else
		[[ -x "$HUSK" ]] || fail "husk not found at '$HUSK': build it or set HUSK" || return
		HUSK=$HUSK "$HUSK_FIXTURES/mkbundle.sh" "$dir" "$@" || fail "mkbundle.sh '$dir' failed"
	fi
}

# setup_bundle [ARGS...]: a fresh bundle in $BATS_TEST_TMPDIR/bundle, exported as BUNDLE.
setup_bundle() {
	export BUNDLE=$BATS_TEST_TMPDIR/bundle
	make_bundle "$BUNDLE" "$@"
}

# cfg [JQ_OPTIONS] FILTER: edit $BUNDLE/config.json in place, e.g. cfg '.process.args = ["probe", "ids"]'
# or cfg --arg p "$dir" '.mounts += [{"source": $p, "destination": "/x", "options": ["bind"]}]'.
cfg() {
	[[ -f "${BUNDLE:-}/config.json" ]] || fail "cfg: no \$BUNDLE/config.json: call setup_bundle first" || return
	if ! jq "$@" "$BUNDLE/config.json" >"$BUNDLE/config.json.new"; then
		rm -f "$BUNDLE/config.json.new"
		fail "cfg: jq failed: $*"
		return
	fi
	mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# husk_podman_conf DIR [CGROUP_MANAGER]: a private podman configuration in DIR (podman.bats, systemd.bats):
# containers.conf with husk as the default runtime and vfs storage under DIR, exported as CONTAINERS_CONF
# and CONTAINERS_STORAGE_CONF. Without CGROUP_MANAGER, podman's own default decides (systemd on a systemd
# host).
husk_podman_conf() {
	local dir=$1 manager=${2:-}
	mkdir -p "$dir/tmp"
	{
		cat <<-EOF
			[containers]
			netns = "none"
			# root here lacks CAP_SYS_RESOURCE: podman's default nofile of 1048576 cannot be set
			default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

			[engine]
		EOF
		[[ -z $manager ]] || echo "cgroup_manager = \"$manager\""
		cat <<-EOF
			events_logger = "file"
			tmp_dir = "$dir/tmp"
			runtime = "husk"
			runtime_supports_json = ["husk", "crun", "runc"]

			[engine.runtimes]
			husk = ["$HUSK"]
		EOF
	} >"$dir/containers.conf"
	cat >"$dir/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		runroot = "$dir/run"
		graphroot = "$dir/graph"
	EOF
	export CONTAINERS_CONF=$dir/containers.conf
	export CONTAINERS_STORAGE_CONF=$dir/storage.conf
}

# ---- teardown and leak checks ---------------------------------------------------------------------------

# husk_teardown: force-delete every container this test used, then husk_check_leaks.
husk_teardown() {
	local id
	if [[ -x "$HUSK" && -n "$HUSK_TEST_ROOT" ]]; then
		for id in $(_husk_test_ids); do
			"$HUSK" --root "$HUSK_TEST_ROOT" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	husk_check_leaks
}

# Ids recorded by cid/husk plus whatever sits in the state directory.
_husk_test_ids() {
	{
		cat "$BATS_TEST_TMPDIR/.husk-ids" 2>/dev/null || true
		if [[ -d "$HUSK_TEST_ROOT" ]]; then
			find "$HUSK_TEST_ROOT" -mindepth 1 -maxdepth 1 -printf '%f\n'
		fi
	} | sort -u
}

# husk_check_leaks: fail (status 1) if the test left anything behind: entries in the state directory,
# mounts of or onto $BATS_TEST_TMPDIR, cgroups named after one of its husk-test ids, or processes running
# in one of its rootfs directories. Whatever leaked is printed, then cleaned up so the next test starts
# clean (and so bats' rm -rf of the temp dir cannot follow a leaked bind mount into the host).
husk_check_leaks() {
	local tmp=$BATS_TEST_TMPDIR state=() mounts=() cgroups=() pids=() item

	[[ -n "$tmp" && "$tmp" != / ]] || fail "husk_check_leaks: BATS_TEST_TMPDIR is not set" || return
	if [[ -d "$HUSK_TEST_ROOT" ]]; then
		# .criu-check: checkpoint/restore's remembered `criu check` pass, not a container's
		mapfile -t state < <(find "$HUSK_TEST_ROOT" -mindepth 1 -maxdepth 1 ! -name .criu-check)
	fi
	mapfile -t mounts < <(_husk_leaked_mounts "$tmp")
	mapfile -t cgroups < <(_husk_leaked_cgroups)
	mapfile -t pids < <(_husk_leaked_pids "$tmp")
	if ((${#pids[@]} > 0)); then
		# "husk run" in the background may still be exiting after delete --force killed its container.
		_husk_wait_gone 1 "${pids[@]}"
		mapfile -t pids < <(_husk_leaked_pids "$tmp")
	fi
	if ((${#state[@]} + ${#mounts[@]} + ${#cgroups[@]} + ${#pids[@]} == 0)); then
		return 0
	fi

	echo "LEAK: the test left things behind:" >&2
	for item in "${state[@]}"; do
		echo "  state: $item" >&2
	done
	for item in "${mounts[@]}"; do
		echo "  mount: $(awk -v m="$item" '$5 == m' /proc/self/mountinfo | tail -n 1)" >&2
	done
	for item in "${cgroups[@]}"; do
		echo "  cgroup: $item" >&2
	done
	for item in "${pids[@]}"; do
		echo "  process $item: $(tr '\0' ' ' 2>/dev/null <"/proc/$item/cmdline")" >&2
	done

	_husk_kill_pids "${pids[@]}"
	_husk_remove_cgroups "${cgroups[@]}"
	for ((item = ${#mounts[@]} - 1; item >= 0; item--)); do
		umount -l "${mounts[item]}" 2>/dev/null || echo "  (could not unmount ${mounts[item]})" >&2
	done
	if ((${#state[@]} > 0)); then
		rm -rf --one-file-system "${state[@]}"
	fi
	return 1
}

# Mount points (in mount order) whose mount point or source root lies in DIR. mountinfo fields: 4 is the
# root of the mount within its filesystem, 5 the mount point.
_husk_leaked_mounts() {
	awk -v d="$1" '
		function inside(p) { return p == d || index(p, d "/") == 1 }
		(inside($4) || inside($5)) && $5 != "/" { print $5 }' /proc/self/mountinfo
}

# Cgroup directories whose name holds one of the test's husk-test ids as a whole word. Only husk-test ids:
# a test's container called "a" must not make teardown rmdir every cgroup with an "a" in its name.
_husk_leaked_cgroups() {
	local id dir base pre post
	for id in $(_husk_test_ids); do
		[[ "$id" == husk-test-* ]] || continue
		while IFS= read -r dir; do
			base=${dir##*/}
			pre=${base%%"$id"*}
			post=${base#*"$id"}
			if [[ "$pre" != *[[:alnum:]] && "$post" != [[:alnum:]]* ]]; then
				echo "$dir"
			fi
		done < <(find /sys/fs/cgroup -maxdepth 5 -type d -name "*$id*" -prune 2>/dev/null)
	done | sort -u
}

# Processes whose root is one of the test's rootfs directories (compared by device and inode, as a
# container's root reads as "/" from the host), or whose root, cwd or executable lies in DIR. The test's
# own shell and its ancestors are skipped: a test may well have cd'd into its bundle. The body is a
# subshell in "/", so that the scan's own pipeline does not show up with the test's cwd.
_husk_leaked_pids() (
	dir=$1
	self=" "
	p=$BASHPID
	while [[ "$p" -gt 1 ]]; do
		self+="$p "
		p=$(_husk_proc_stat "$p" 1) || break
	done
	cd / || exit
	{
		{
			find "$dir" -xdev -maxdepth 3 -type d -name rootfs -prune -printf 'rootfs %D:%i\n'
			stat -L --printf '%n %d:%i\n' /proc/[0-9]*/root 2>/dev/null
		} | awk '$1 == "rootfs" { r[$2]; next } ($2 in r) { split($1, p, "/"); print p[3] }'
		find /proc/[0-9]*/root /proc/[0-9]*/cwd /proc/[0-9]*/exe -maxdepth 0 -printf '%p\t%l\n' 2>/dev/null |
			awk -F '\t' -v d="$dir" '$2 == d || index($2, d "/") == 1 { split($1, p, "/"); print p[3] }'
	} | sort -un | while read -r pid; do
		[[ "$self" == *" $pid "* ]] || echo "$pid"
	done
)

# _husk_proc_stat PID N: field N after the command name in /proc/PID/stat (0: state, 1: ppid). The name
# is in parentheses and may hold spaces, so split after its closing ") ".
_husk_proc_stat() {
	local line fields
	read -r line 2>/dev/null <"/proc/$1/stat" || return
	read -ra fields <<<"${line##*) }"
	echo "${fields[$2]}"
}

_husk_kill_pids() {
	(($# > 0)) || return 0
	kill -KILL "$@" 2>/dev/null || true
	# Their mounts and cgroups can only go once they are gone.
	_husk_wait_gone 2 "$@"
}

# _husk_wait_gone SECONDS PID...: wait until every PID has exited (or is a zombie), at most SECONDS.
_husk_wait_gone() {
	local tries=$(($1 * 20)) pid
	shift
	for pid in "$@"; do
		while [[ -e "/proc/$pid" && "$(_husk_proc_stat "$pid" 0)" != Z ]] &&
			((tries-- > 0)); do
			sleep 0.05
		done
	done
}

# Thaw, kill the processes of, and remove each cgroup and its children, deepest first.
_husk_remove_cgroups() {
	local cg dirs=() pids=() d tries
	for cg in "$@"; do
		mapfile -t -O "${#dirs[@]}" dirs < <(find "$cg" -depth -type d 2>/dev/null)
	done
	((${#dirs[@]} > 0)) || return 0
	for d in "${dirs[@]}"; do
		[[ ! -f "$d/freezer.state" ]] || echo THAWED >"$d/freezer.state" 2>/dev/null || true
		[[ ! -f "$d/cgroup.freeze" ]] || echo 0 >"$d/cgroup.freeze" 2>/dev/null || true
		mapfile -t -O "${#pids[@]}" pids <"$d/cgroup.procs" 2>/dev/null || true
	done
	_husk_kill_pids "${pids[@]}"
	for d in "${dirs[@]}"; do
		tries=20
		while [[ -d "$d" ]] && ! rmdir "$d" 2>/dev/null && ((tries-- > 0)); do
			sleep 0.05
		done
		[[ ! -d "$d" ]] || echo "  (could not remove cgroup $d)" >&2
	done
}

# A container whose root maps to a host uid other than 0 must be able to reach the bundle: the bats
# run directory is 0700. Called by tests that use uid mappings; undone with the run directory.
husk_allow_mapped_root() {
	chmod o+x "$BATS_RUN_TMPDIR"
}

# set_args ARG...: process.args = ARGs, passed through jq as data (setup_bundle's ARGS are too, but
# this edits a bundle already made).
set_args() {
	local a
	a=$(jq -nc '$ARGS.positional' --args -- "$@") && cfg --argjson a "$a" '.process.args = $a'
}

# create_quiet ID [ARGS...]: husk create with the container's stdio on $BATS_TEST_TMPDIR/ID.out and
# bats' fd 3 closed, so a container still running cannot make bats wait for it.
create_quiet() {
	local id=$1
	shift
	husk create --bundle "$BUNDLE" "$@" "$id" >"$BATS_TEST_TMPDIR/$id.out" 2>&1 3>&-
}

# no_trace ID: no state directory, cgroup, mount or process is left of container ID.
no_trace() {
	[[ ! -e "$HUSK_TEST_ROOT/$1" ]] || fail "state directory of '$1' is left"
	[[ -z "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$1" 2>/dev/null)" ]] ||
		fail "a cgroup of '$1' is left"
	[[ -z "$(_husk_leaked_pids "$BATS_TEST_TMPDIR")" ]] || fail "a process of '$1' is left"
	[[ -z "$(_husk_leaked_mounts "$BATS_TEST_TMPDIR")" ]] || fail "a mount of '$1' is left"
}
