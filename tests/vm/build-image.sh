#!/usr/bin/env bash
# build-image.sh OUTDIR: build the Debian 12 (bookworm) test VM for tests/vm/run.sh from Debian's package
# archive only, as root, without loop devices or host mounts: mmdebstrap --mode=unshare into a directory,
# the kernel and initramfs copied out of it, then `mke2fs -d` turns the directory into a raw ext4 image.
# Writes OUTDIR/{disk.img,vmlinuz,initrd.img} (first into OUTDIR.tmp, renamed when complete).
#
# The guest: systemd as PID 1 on the unified cgroup v2 hierarchy, Debian's linux-image-amd64 (6.1) with
# an initramfs that holds just virtio, ext4 and 9p, console on ttyS0, root logs in without a password on
# the console (a test VM, never networked), and husk-run.service, which runs the command run.sh sends.
# Environment: HUSK_VM_MIRROR (default http://deb.debian.org/debian), HUSK_VM_SECURITY_MIRROR.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build-image.sh OUTDIR}
mirror=${HUSK_VM_MIRROR:-http://deb.debian.org/debian}
security=${HUSK_VM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# What the tests need in the guest. Changing this list (or this script) changes the cache key in run.sh.
packages=(
	systemd-sysv udev dbus kmod procps linux-image-amd64 initramfs-tools zstd
	bats jq busybox-static iproute2 util-linux uidmap passwd libcap2-bin xxd
	podman conmon crun runc golang-github-containers-common containerd criu systemd-container
)

die() {
	echo "build-image.sh: $*" >&2
	exit 1
}
[[ $(id -u) -eq 0 ]] || die "run as root (mmdebstrap --mode=unshare as root, mke2fs -d keeps owners)"
for tool in mmdebstrap mke2fs; do
	command -v "$tool" >/dev/null || die "'$tool' is missing (tests/vm/install-deps.sh installs it)"
done

tmp=$out.tmp
rm -rf --one-file-system "$tmp"
mkdir -p "$tmp"
trap 'rm -rf --one-file-system "$tmp"' EXIT
root=$tmp/root

# Fail early, and say why, when the archive cannot be reached (mmdebstrap's own error is long).
probe_archive() {
	local url=$mirror/dists/bookworm/InRelease
	if command -v curl >/dev/null; then
		curl -fsS -o /dev/null --retry 2 --max-time 30 "$url"
	else
		perl -MIO::Socket::INET -e 'my ($h) = $ARGV[0] =~ m{^https?://([^/:]+)}; IO::Socket::INET->new(PeerAddr => $h, PeerPort => 80, Timeout => 20) or exit 1' "$url"
	fi
}
probe_archive || die "cannot reach the Debian archive at $mirror (network down or proxy needed?); set HUSK_VM_MIRROR to a reachable mirror"

mmdebstrap_run() {
	mmdebstrap --mode=unshare --variant=apt --format=directory \
		--aptopt='Acquire::Retries "3"' \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
		--include="$(
			IFS=,
			echo "${packages[*]}"
		)" \
		--essential-hook="\"$here/guest-setup.sh\" essential \"\$1\"" \
		--customize-hook="\"$here/guest-setup.sh\" customize \"\$1\"" \
		bookworm "$root" \
		"deb $mirror bookworm main" "deb $mirror bookworm-updates main" "deb $security bookworm-security main"
}
# One retry: a download that broke halfway should not fail CI.
if ! mmdebstrap_run; then
	echo "build-image.sh: mmdebstrap failed; retrying once" >&2
	rm -rf --one-file-system "$root"
	mmdebstrap_run || die "mmdebstrap failed twice (see above)"
fi

kernel=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort -V | tail -n 1)
[[ -n "$kernel" && -n "$initrd" ]] || die "no kernel or initramfs in $root/boot"
cp "$kernel" "$tmp/vmlinuz"
cp "$initrd" "$tmp/initrd.img"

# The tests write bundles, images and logs: 2 GiB free on top of what the system uses (sparse file).
used_mib=$(du -sm "$root" | cut -f1)
size_mib=$((used_mib * 12 / 10 + 2048))
mke2fs -q -t ext4 -L husk-vm -d "$root" -E root_owner=0:0 "$tmp/disk.img" "${size_mib}M" ||
	die "mke2fs -d failed"
rm -rf --one-file-system "$root"

rm -rf --one-file-system "$out"
mv "$tmp" "$out"
trap - EXIT
echo "build-image.sh: image ready in $out (${used_mib} MiB used of ${size_mib} MiB)"
