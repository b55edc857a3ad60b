#!/usr/bin/env bash
# Install what the VM stage (tests/vm/) needs on the host, Debian 12, as root: qemu without its GUI
# recommends, mmdebstrap, and mke2fs. Idempotent: only missing packages are fetched.
set -euo pipefail

packages=(qemu-system-x86 mmdebstrap e2fsprogs uidmap util-linux)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} > 0)) || exit 0
if [[ $(id -u) -ne 0 ]]; then
	echo "tests/vm/install-deps.sh: missing packages (${missing[*]}); run as root" >&2
	exit 1
fi
echo "tests/vm/install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends: qemu-system-x86 recommends a whole GUI stack
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
