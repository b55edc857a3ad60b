#!/usr/bin/env bash
# Install what building and testing husk needs on Debian 12 / Ubuntu, as root. Idempotent: only the
# missing packages are fetched, so a second run costs one dpkg query.
set -euo pipefail

packages=(build-essential cmake pkg-config libjansson-dev libseccomp-dev libcap-dev
	busybox-static jq bats clang clang-format iproute2 util-linux uidmap passwd)
if [ "${HUSK_WITH_FUZZ:-1}" = 1 ]; then
	packages+=(libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: missing packages (${missing[*]}); run as root" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
