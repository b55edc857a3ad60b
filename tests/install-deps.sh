#!/usr/bin/env bash
# install-deps.sh [--demo]: install what building and testing husk needs on Debian 12 / Ubuntu, as root.
# --demo: only what rootfs-fixtures/demo.sh needs (build husk, make a busybox bundle). Idempotent: only
# the missing packages are fetched, so a second run costs one dpkg query.
set -euo pipefail

# building husk and a busybox bundle
packages=(build-essential cmake pkg-config libjansson-dev libseccomp-dev libcap-dev libsystemd-dev busybox-static jq)
# checkpoint/restore: CRIU's rpc.proto (shipped by criu, which the tests also run), protoc-c and the
# static libprotobuf-c
packages+=(criu protobuf-c-compiler libprotobuf-c-dev)
if [ "${1:-}" != --demo ]; then
	# the tests, the formatting check, the man pages (go-md2man; man to read them in a test); runc for
	# the `runc spec` bundles of compat-rootfs.bats; sudo, through which the suite is also run
	packages+=(bats clang clang-format iproute2 util-linux uidmap passwd go-md2man man-db runc sudo)
	if [ "${HUSK_WITH_FUZZ:-1}" = 1 ]; then
		packages+=(libclang-rt-dev)
	fi
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
	echo "install-deps: installing ${missing[*]} (apt-get; this can take a few minutes)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -q --no-install-recommends "${missing[@]}" |
		grep --line-buffered -E '^(Get:|Setting up|[0-9]+ upgraded)' | sed -u 's/^/  /' || true
	for p in "${missing[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			{ echo "install-deps: apt-get did not install $p" >&2; exit 1; }
	done
fi
