#!/bin/bash
# mkrootfs.sh DEST [PROBE_BINARY]: build (or refresh) a minimal busybox root filesystem in DEST for the
# integration tests. Needs a static busybox: Debian's busybox-static (/bin/busybox), or BUSYBOX=path.
set -euo pipefail

die() {
	echo "mkrootfs.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: mkrootfs.sh DEST [PROBE_BINARY]" >&2
	exit 2
}

# The rootfs has no libc, so busybox must be static: the dynamic /bin/busybox of the "busybox" package
# would exec in the container and fail with a baffling ENOENT (missing ld.so).
find_busybox() {
	if [[ -n "${BUSYBOX:-}" ]]; then
		[[ -x "$BUSYBOX" ]] || die "BUSYBOX='$BUSYBOX' is not an executable file"
		return
	fi
	BUSYBOX=/bin/busybox
	if ! dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed'; then
		if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
			die "busybox-static is not installed: run 'apt-get install busybox-static' as root, or set BUSYBOX to a static busybox"
		fi
		echo "mkrootfs.sh: installing busybox-static" >&2
		if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >&2; then
			apt-get update -q >&2
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >&2 ||
				die "could not install busybox-static"
		fi
	fi
	[[ -x "$BUSYBOX" ]] || die "'$BUSYBOX' is missing although busybox-static is installed"
}

[[ $# -ge 1 && $# -le 2 ]] || usage
dest=$1
probe=${2:-}
[[ -n "$dest" && "$dest" != / ]] || die "refusing to build a rootfs in '$dest'"
if [[ -n "$probe" && ! -x "$probe" ]]; then
	die "probe binary '$probe' is not an executable file (build it: cmake --build build --target husk-probe)"
fi
find_busybox

mkdir -p "$dest"
cd "$dest"

# bin/ is rebuilt from scratch so a refresh drops applets of an older busybox; everything else is
# overwritten in place.
rm -rf bin
mkdir -p bin sbin usr/bin usr/sbin etc proc sys dev root run var/tmp home/husk tmp
install -m 0755 "$BUSYBOX" bin/busybox
mapfile -t applets < <(bin/busybox --list)
[[ ${#applets[@]} -gt 0 ]] || die "'$BUSYBOX --list' printed no applets"
(
	cd bin
	for applet in "${applets[@]}"; do
		[[ "$applet" == busybox ]] || ln -s busybox "$applet"
	done
)
# A few paths scripts and tests name absolutely.
ln -sfn ../../bin/busybox usr/bin/env
ln -sfn ../bin/busybox sbin/init
[[ -e bin/sh && -e bin/true && -e usr/bin/env ]] || die "busybox lacks sh, true or env"

if [[ -n "$probe" ]]; then
	install -m 0755 "$probe" bin/probe
fi

cat >etc/passwd <<'EOF'
root:x:0:0:root:/root:/bin/sh
husk:x:1000:1000:husk:/home/husk:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >etc/group <<'EOF'
root:x:0:
tty:x:5:
users:x:100:husk
husk:x:1000:
nogroup:x:65534:
EOF
echo husk >etc/hostname
cat >etc/hosts <<'EOF'
127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback
EOF
: >etc/resolv.conf
chmod 0644 etc/passwd etc/group etc/hostname etc/hosts etc/resolv.conf

chmod 0755 . bin sbin usr usr/bin usr/sbin etc proc sys dev run var
chmod 0700 root
chmod 1777 tmp var/tmp
chown 1000:1000 home/husk 2>/dev/null || true
