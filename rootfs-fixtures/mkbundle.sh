#!/bin/bash
# mkbundle.sh DEST [ARGS...]: make an OCI bundle in DEST: DEST/rootfs (a copy of HUSK_ROOTFS_CACHE, or built
# by mkrootfs.sh with HUSK_PROBE as /bin/probe) and DEST/config.json (from "$HUSK spec" when HUSK is set,
# else the same default config "runc spec" writes). process.args is ARGS (default: sh), terminal is false.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
	echo "mkbundle.sh: $*" >&2
	exit 1
}

# Quotes one string as JSON, so args reach config.json intact without needing jq.
json_quote() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\"/\\\"}
	s=${s//$'\n'/\\n}
	s=${s//$'\t'/\\t}
	s=${s//$'\r'/\\r}
	[[ "$s" != *[[:cntrl:]]* ]] || die "argument '$1' holds a control character"
	printf '"%s"' "$s"
}

# Equivalent to runc 1.1's "runc spec", except terminal false (tests have no tty) and hostname "husk".
default_config() {
	local args=$1
	cat <<EOF
{
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": false,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [ $args ],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			"effective": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ],
			"permitted": [ "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE" ]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "husk",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [ "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5" ]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [ "nosuid", "noexec", "nodev", "mode=1777", "size=65536k" ]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [ "nosuid", "noexec", "nodev" ]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [ "nosuid", "noexec", "nodev", "ro" ]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [ "nosuid", "noexec", "nodev", "relatime", "ro" ]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{ "type": "pid" },
			{ "type": "network" },
			{ "type": "ipc" },
			{ "type": "uts" },
			{ "type": "mount" },
			{ "type": "cgroup" }
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}
EOF
}

[[ $# -ge 1 ]] || {
	echo "usage: mkbundle.sh DEST [ARGS...]" >&2
	exit 2
}
dest=$1
shift
[[ $# -gt 0 ]] || set -- sh

mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
# rm -rf crosses mount points: with a container's mount leaked onto the old rootfs (a bind of a host
# directory, say), refreshing would delete host files.
if awk -v d="$dest/rootfs" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' \
	/proc/self/mountinfo; then
	die "'$dest/rootfs' has mounts on it; unmount them first"
fi
rm -rf "$dest/rootfs" "$dest/config.json"

if [[ -n "${HUSK_ROOTFS_CACHE:-}" ]]; then
	[[ -x "$HUSK_ROOTFS_CACHE/bin/sh" ]] || die "HUSK_ROOTFS_CACHE='$HUSK_ROOTFS_CACHE' is not a rootfs"
	cp -a "$HUSK_ROOTFS_CACHE" "$dest/rootfs"
else
	"$here/mkrootfs.sh" "$dest/rootfs" ${HUSK_PROBE:+"$HUSK_PROBE"}
fi

if [[ -n "${HUSK:-}" ]]; then
	command -v jq >/dev/null || die "jq is needed to adjust the config written by '$HUSK spec'"
	"$HUSK" spec --bundle "$dest" || die "'$HUSK spec --bundle $dest' failed"
	[[ -s "$dest/config.json" ]] || die "'$HUSK spec' wrote no $dest/config.json"
	jq '.process.terminal = false | .process.args = $ARGS.positional' "$dest/config.json" --args -- "$@" \
		>"$dest/config.json.tmp" || die "could not edit $dest/config.json"
	mv "$dest/config.json.tmp" "$dest/config.json"
else
	quoted=()
	for arg in "$@"; do
		quoted+=("$(json_quote "$arg")")
	done
	joined=$(printf '%s, ' "${quoted[@]}")
	default_config "${joined%, }" >"$dest/config.json"
fi
