#!/usr/bin/env bash
# The quick start: install what is missing, build husk, make a busybox bundle, and run a container
# that shows what it sees of its isolation next to what the host sees.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

HUSK_WITH_FUZZ=0 tests/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

bundle=$top/build/demo-bundle
rm -rf "$bundle"
HUSK=$top/build/husk HUSK_PROBE=$top/build/husk-probe rootfs-fixtures/mkbundle.sh "$bundle" >/dev/null
# shellcheck disable=SC2016 # expanded inside the container
script='echo "hostname: $(hostname)"; echo "my pid:   $$"; echo "processes I can see:"; ps -o pid,comm;
echo "network interfaces:"; ip -o link | cut -d" " -f2; echo "my namespaces:"; ls -l /proc/self/ns | awk "NR>1{print \$9, \$11}"'
jq --arg s "$script" '.process.terminal=false | .process.args=["sh","-c",$s]' \
	"$bundle/config.json" >"$bundle/config.json.new"
mv "$bundle/config.json.new" "$bundle/config.json"

echo "== host: hostname $(hostname), namespaces:"
for ns in cgroup ipc mnt net pid uts; do echo "$ns $(readlink /proc/self/ns/$ns)"; done
echo "== inside the container (husk run):"
build/husk --root "$top/build/demo-state" run --bundle "$bundle" "demo-$$"
