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

# the arm64 compile check of tests/cross-arm64.sh: the arm64 glibc and kernel headers, for clang (4 MB
# to fetch, 19 MB installed). Optional: where the archive has no such package, the check skips.
optional=()
if [ "${1:-}" != --demo ]; then
	optional+=(libc6-dev-arm64-cross)
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
opt_missing=()
for p in "${optional[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || opt_missing+=("$p")
done
if [ "${#opt_missing[@]}" -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: optional packages missing (${opt_missing[*]}): the checks that need them skip"
	else
		echo "install-deps: installing ${opt_missing[*]} (optional)"
		export DEBIAN_FRONTEND=noninteractive
		[ "${#missing[@]}" -gt 0 ] || apt-get update -qq || true
		apt-get install -y -q --no-install-recommends "${opt_missing[@]}" 2>&1 |
			grep --line-buffered -E '^(Get:|Setting up|[0-9]+ upgraded|E:)' | sed -u 's/^/  /' || true
		for p in "${opt_missing[@]}"; do
			dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
				echo "install-deps: could not install $p (optional): tests/cross-arm64.sh will skip"
		done
	fi
fi
