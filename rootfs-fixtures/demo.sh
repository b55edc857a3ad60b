#!/usr/bin/env bash
# The quick start: install what is missing, build husk, make a busybox bundle, run a container, and show
# what it sees of its isolation next to what the host sees. Run as root (sudo ./rootfs-fixtures/demo.sh):
# packages are installed as root, husk is built as the user who typed sudo (tests/as-builder.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# shellcheck source=tests/as-builder.sh
. tests/as-builder.sh
[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root: sudo $0" >&2; exit 1; }
trap 'give_back build' EXIT

step() { printf '== %s\n' "$*"; }

step "1/4 packages: build tools, jansson, libseccomp, libcap, busybox-static, jq (only the missing ones)"
tests/install-deps.sh --demo

step "2/4 building husk in build/ (log: build/demo-build.log)"
t0=$SECONDS
as_builder mkdir -p build
if ! { as_builder cmake -S . -B build -DCMAKE_BUILD_TYPE=Release &&
	as_builder cmake --build build -j"$(nproc)"; } >build/demo-build.log 2>&1; then
	tail -n 30 build/demo-build.log
	echo "demo.sh: the build failed (whole log: build/demo-build.log)" >&2
	exit 1
fi
echo "   built build/husk in $((SECONDS - t0)) s"

step "3/4 a bundle: build/demo-bundle (busybox rootfs, config.json from husk spec)"
bundle=$top/build/demo-bundle
probe=$top/build/demo-probe
rm -rf "$bundle" "$probe"
# the bundle a user keeps: husk spec's default config, a shell with a terminal
as_builder env HUSK="$top/build/husk" HUSK_PROBE="$top/build/husk-probe" \
	rootfs-fixtures/mkbundle.sh "$bundle" sh >/dev/null
jq '.process.terminal = true' "$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"
# the demo's own bundle: the same config and rootfs, running the script that looks around
# shellcheck disable=SC2016 # expanded inside the container
script='echo "hostname=$(hostname)"; echo "pid=$$"; echo "procs=$(ls -d /proc/[0-9]* | wc -l)";
echo "net=$(ls /sys/class/net | tr "\n" " ")"; echo "uid=$(id -u)";
for ns in cgroup ipc mnt net pid time user uts; do echo "ns_$ns=$(readlink /proc/self/ns/$ns)"; done'
mkdir -p "$probe"
jq --arg s "$script" --arg root "$bundle/rootfs" \
	'.root.path = $root | .process.terminal = false | .process.args = ["sh", "-c", $s]' \
	"$bundle/config.json" >"$probe/config.json"

step "4/4 husk run: the container looks around, the host does the same"
id=demo-$$
container=$(build/husk run --bundle "$probe" "$id" </dev/null)
host=$(bash -c "$script" 2>/dev/null)
get() { sed -n "s/^$1=//p" <<<"$2" | sed 's/ *$//'; }
row() { printf '%-22s | %-26s | %-26s | %s\n' "$@"; }
echo
row "what" "host" "container" "isolated?"
row "----" "----" "---------" "---------"
same() { [ "$1" = "$2" ] && echo "no" || echo "yes"; }
h=$(get hostname "$host") c=$(get hostname "$container")
row "hostname (uts)" "$h" "$c" "$(same "$h" "$c")"
h=$(get pid "$host") c=$(get pid "$container")
row "pid of my shell (pid)" "$h" "$c" "$(same "$h" "$c")"
h=$(get procs "$host") c=$(get procs "$container")
row "processes I can see" "$h" "$c" "$(same "$h" "$c")"
h=$(get net "$host") c=$(get net "$container")
row "network interfaces" "${h:0:26}" "$c" "$(same "$h" "$c")"
h=$(get uid "$host") c=$(get uid "$container")
row "my uid" "$h" "$c" "$(same "$h" "$c") (root is root: no user ns)"
for ns in cgroup ipc mnt net pid time user uts; do
	h=$(get "ns_$ns" "$host") c=$(get "ns_$ns" "$container")
	row "$ns namespace" "$h" "$c" "$(same "$h" "$c")"
done
cat <<'EOF'

Why cgroup, user and time are shared: the default config (husk spec, the same as runc spec) asks for
new pid, network, ipc, uts and mount namespaces only.
  - cgroup: the container still has a cgroup of its own (/husk/ID, for limits, pause and stats), but
    sees the host's cgroup paths; add {"type": "cgroup"} to linux.namespaces to hide them.
  - user: root in the container is root on the host, held back by capabilities (three by default),
    no_new_privs, a read-only root and masked /proc paths; "husk spec --rootless" adds a user namespace
    that maps root inside to your own uid outside (docs/rootless.md).
  - time: a time namespace only matters for programs that must see other CLOCK_MONOTONIC or BOOTTIME
    offsets; add {"type": "time"} if one does.
EOF
cat <<EOF

next (from $top):
  the bundle:    build/demo-bundle (config.json and rootfs/; edit config.json with jq)
  a shell in it: sudo build/husk run --bundle build/demo-bundle my-shell
  every step:    sudo build/husk --debug run --bundle build/demo-bundle my-shell
                 (each setup step as the system call husk makes: docs/debug.md)
  the commands:  build/husk help; build/husk help run
  install husk:  sudo cmake --install build   (then man husk; README, "Your own container")
  the labs:      docs/labs/README.md: namespaces, cgroups, capabilities, the OCI lifecycle, by hand
EOF
