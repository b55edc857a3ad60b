#!/usr/bin/env bash
# run-labs.sh [LAB.md...]: run every checked command of the course in docs/labs/ and compare its output
# with the transcript in the markdown, so the course never goes stale. The block convention is in
# docs/labs/README.md ("Checked commands"). Each lab runs in one bash session of its own (README's
# prologue, then the lab), in a fresh directory, as root, with the default state root /run/husk; its
# cleanup blocks run afterwards in a second session even when the lab failed or timed out; then the
# runner checks that nothing outlived the lab (containers, netns, mounts, cgroups, processes) and
# removes what did. One result per lab; the last line is "N passed, N failed".
#
# Environment: LABS_TIMEOUT (seconds per lab, default 300), LABS_KEEP=1 (keep the work directory),
# LABS_USER (uid for "$ " commands, default 1000).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
labs_dir=$top/docs/labs
husk=$top/build/husk
timeout_s=${LABS_TIMEOUT:-300}

passed=0
failed=0

die() {
	echo "run-labs.sh: $*" >&2
	echo "$passed passed, $((failed + 1)) failed"
	exit 1
}

[[ $(id -u) -eq 0 ]] || die "run as root (the labs create namespaces, cgroups and mounts)"
[[ -x $husk ]] || die "$husk is missing: build first (cmake --build build)"
for tool in jq ip timeout setpriv; do
	command -v "$tool" >/dev/null || die "'$tool' is missing (tests/install-deps.sh installs it)"
done

if (($# > 0)); then
	labs=("$@")
else
	labs=("$labs_dir"/[0-9][0-9]-*.md)
fi

work=$(mktemp -d /tmp/husk-labs.XXXXXX)
chmod 755 "$work"
finish() {
	if [[ ${LABS_KEEP:-0} == 1 ]]; then
		echo "work directory kept: $work"
	else
		rm -rf --one-file-system "$work"
	fi
}
trap finish EXIT

parse() { # parse MD DIR
	mkdir -p "$2"
	awk -v out="$2" -f "$here/parse-lab.awk" "$1" >"$2/plan"
}

# What a lab may leave behind, by name: containers and netns called lab<N>-..., podman containers too.
lab_containers() {
	"$husk" list -q 2>/dev/null | grep -E '^lab[0-9]+-' || true
}
lab_netns() {
	ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E '^lab[0-9]+-' || true
}
lab_podman() {
	command -v podman >/dev/null || return 0
	podman ps -a --format '{{.Names}}' 2>/dev/null | grep -E '^lab[0-9]+-' || true
}

podman_cgroups() {
	local cg
	for cg in /sys/fs/cgroup/*/libpod_parent /sys/fs/cgroup/libpod_parent; do
		[[ ! -d $cg ]] || echo "$cg"
	done
}

# Processes whose root, cwd or executable lies in DIR, or whose root is one of the rootfs directories in
# DIR (a container's root reads as "/" from the host, so it is compared by device and inode).
leaked_pids() (
	dir=$1
	cd / || exit
	roots=" "
	while IFS= read -r r; do
		roots+="$(stat -c '%d:%i' "$r") "
	done < <(find "$dir" -maxdepth 4 -type d -name rootfs 2>/dev/null)
	{
		find /proc/[0-9]*/root /proc/[0-9]*/cwd /proc/[0-9]*/exe -maxdepth 0 -printf '%p %l\n' 2>/dev/null |
			awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { split($1, p, "/"); print p[3] }'
		if [[ $roots != " " ]]; then
			stat -L -c '%d:%i %n' /proc/[0-9]*/root 2>/dev/null |
				awk -v r="$roots" 'index(r, " " $1 " ") { split($2, p, "/"); print p[3] }'
		fi
	} | sort -un
)

# check_leaks DIR: print what a lab left behind and remove it; fails if there was anything.
check_leaks() {
	local dir=$1 leaks=() item tries
	for item in $(lab_containers); do
		leaks+=("container $item ($("$husk" state "$item" 2>/dev/null | jq -r .status))")
		"$husk" delete --force "$item" >/dev/null 2>&1
	done
	for item in $(lab_podman); do
		leaks+=("podman container $item")
		podman rm -f -t 0 "$item" >/dev/null 2>&1
	done
	for item in $(lab_netns); do
		leaks+=("netns $item")
		ip netns delete "$item"
	done
	for item in $(leaked_pids "$dir"); do
		leaks+=("process $item: $(tr '\0' ' ' <"/proc/$item/cmdline" 2>/dev/null)")
		kill -KILL "$item" 2>/dev/null
	done
	tries=50
	while [[ -n $(leaked_pids "$dir") ]] && ((tries-- > 0)); do
		sleep 0.1
	done
	while IFS= read -r item; do
		leaks+=("cgroup $item")
		rmdir "$item" 2>/dev/null
	done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name 'lab[0-9]*-*' 2>/dev/null)
	while IFS= read -r item; do
		leaks+=("mount $item")
		umount -l "$item" 2>/dev/null
	done < <(awk -v d="$dir" 'index($4, d "/") == 1 || index($5, d "/") == 1 { print $5 }' \
		/proc/self/mountinfo | sort -r)
	((${#leaks[@]} == 0)) && return 0
	printf '  LEAK: %s\n' "${leaks[@]}"
	return 1
}

# Leftovers of an interrupted earlier run would make the labs fail with "already exists".
stale=$(
	lab_containers
	lab_netns
	lab_podman
)
if [[ -n $stale ]]; then
	echo "removing leftovers of an earlier run: ${stale//$'\n'/ }"
	check_leaks "$work" >/dev/null
fi

parse "$labs_dir/README.md" "$work/README"

run_lab() { # run_lab MD: 0 passed, 1 failed, 2 skipped
	local md=$1 name dir rc crc start secs cond line status=0 cg podman_cgroups_before
	name=$(basename "$md" .md)
	dir=$work/$name
	mkdir -p "$dir/tmp"
	parse "$md" "$dir/plan"
	if grep -q '^E ' "$dir/plan/plan"; then
		sed -n 's/^E \([0-9]*\) /  line \1: /p' "$dir/plan/plan"
		return 1
	fi
	while read -r _ line cond; do
		if ! (cd "$top" && eval "$cond") >/dev/null 2>&1 </dev/null; then
			echo "  skipped: needs '$cond' (line $line)"
			return 2
		fi
	done < <(grep '^L ' "$dir/plan/plan")

	# podman makes a parent cgroup for its containers and conmon, and keeps it: ours to remove
	podman_cgroups_before=" $(podman_cgroups | tr "\n" " ") "
	start=$(date +%s%N)
	(cd "$top" && timeout -k 5 "$timeout_s" env -i HOME="${HOME:-/root}" LANG=C LC_ALL=C TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TMPDIR="$dir/tmp" \
		LABS_USER="${LABS_USER:-1000}" \
		bash --norc --noprofile "$here/session.bash" main 1 "$work/README" "$dir/plan" </dev/null)
	rc=$?
	if ((rc == 124 || rc == 137)); then
		echo "  timed out after $timeout_s s in the command at line $(cut -d' ' -f2 "$dir/plan/current")"
	fi
	((rc == 0)) || status=1
	(cd "$top" && timeout -k 5 120 env -i HOME="${HOME:-/root}" LANG=C LC_ALL=C TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin TMPDIR="$dir/tmp" \
		LABS_USER="${LABS_USER:-1000}" \
		bash --norc --noprofile "$here/session.bash" cleanup "$((status == 0))" "$work/README" "$dir/plan" \
		</dev/null)
	crc=$?
	if ((crc != 0)); then
		echo "  cleanup failed"
		status=1
	fi
	check_leaks "$dir" || status=1
	for cg in $(podman_cgroups); do
		[[ $podman_cgroups_before == *" $cg "* ]] || rmdir "$cg/conmon" "$cg" 2>/dev/null
	done
	secs=$((($(date +%s%N) - start) / 1000000))
	printf '  %d commands, %d.%d s\n' "$(cat "$dir/plan/count.main" 2>/dev/null || echo 0)" \
		$((secs / 1000)) $((secs % 1000 / 100))
	return "$status"
}

for md in "${labs[@]}"; do
	name=$(basename "$md")
	run_lab "$md" >"$work/$name.log" 2>&1
	rc=$?
	case $rc in
	0)
		echo "ok   $name ($(tail -n 1 "$work/$name.log" | sed 's/^ *//'))"
		grep 'block skipped' "$work/$name.log"
		passed=$((passed + 1))
		;;
	2)
		echo "skip $name"
		cat "$work/$name.log"
		;;
	*)
		echo "FAIL $name"
		cat "$work/$name.log"
		failed=$((failed + 1))
		;;
	esac
	[[ ${LABS_KEEP:-0} == 1 ]] || rm -rf --one-file-system "${work:?}/$(basename "$md" .md)"
done

echo "$passed passed, $failed failed"
((failed == 0))
