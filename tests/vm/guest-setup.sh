#!/usr/bin/env bash
# guest-setup.sh essential|customize ROOT: mmdebstrap hooks of build-image.sh, run on the host (in
# mmdebstrap's user namespace) against the guest's root directory ROOT.
#   essential: before the packages are installed: the initramfs configuration, so that the kernel
#              package's update-initramfs builds a small one with exactly what a virtio guest needs;
#   customize: after: fstab, console, husk-run.service and the runner it starts, fewer boot-time units.
set -euo pipefail
stage=$1
root=$2

if [[ $stage == essential ]]; then
	mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/etc/initramfs-tools/hooks"
	# MODULES=list: only the hook's modules (and their dependencies), not "most" of the kernel's
	printf 'MODULES=list\nCOMPRESS=zstd\n' >"$root/etc/initramfs-tools/conf.d/husk-vm.conf"
	cat >"$root/etc/initramfs-tools/hooks/husk-vm" <<-'HOOK'
		#!/bin/sh
		[ "$1" = prereqs ] && exit 0
		. /usr/share/initramfs-tools/hook-functions
		for m in virtio_pci virtio_blk virtio_rng ext4 crc32c_generic 9p 9pnet_virtio; do
			manual_add_modules "$m"
		done
	HOOK
	chmod 755 "$root/etc/initramfs-tools/hooks/husk-vm"
	exit 0
fi
[[ $stage == customize ]] || {
	echo "guest-setup.sh: unknown stage '$stage'" >&2
	exit 1
}

echo husk-vm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\thusk-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# The disk is qemu's snapshot of a fresh image every boot: no fsck.
echo '/dev/vda / ext4 rw,noatime 0 0' >"$root/etc/fstab"
# A throwaway test VM with no network: root logs in on the console without a password.
chroot "$root" passwd -d root >/dev/null
mkdir -p "$root/etc/systemd/system/serial-getty@ttyS0.service.d"
cat >"$root/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 - $TERM
UNIT
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' >"$root/etc/systemd/journald.conf.d/husk-vm.conf"

# Units a test boot does not need (timers, the system containerd: containerd.bats starts its own).
for unit in apt-daily.timer apt-daily-upgrade.timer man-db.timer e2scrub_all.timer e2scrub_reap.service \
	fstrim.timer dpkg-db-backup.timer containerd.service podman-auto-update.timer podman-restart.service \
	podman-clean-transient.service podman.socket podman.service getty@tty1.service; do
	ln -sf /dev/null "$root/etc/systemd/system/$unit"
done
# Drivers for the emulated PC's legacy devices: loading them costs boot time under TCG, nothing uses them.
printf 'blacklist %s\n' ata_piix ata_generic floppy pcspkr kvm kvm_amd kvm_intel ccp drm i2c_piix4 \
	psmouse serio_raw evdev efi_pstore >"$root/etc/modprobe.d/husk-vm.conf"
chroot "$root" systemctl set-default multi-user.target >/dev/null

# The runner: mounts the host's 9p share, unpacks the project tree sent as one tar (9p costs ~20 ms per
# file), runs cmd.sh in it and writes its output and exit status to the share. run.sh reads the status.
install -d "$root/usr/local/sbin"
cat >"$root/usr/local/sbin/husk-guest-run" <<'RUNNER'
#!/bin/bash
# husk-guest-run [--unpack-only]: see tests/vm/guest-setup.sh.
set -u
share=/mnt/host
tree=/root/husk
mkdir -p "$share"
if ! mountpoint -q "$share"; then
	mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288 husk "$share" || {
		echo "husk-guest-run: cannot mount the 9p share 'husk'" >/dev/console
		exit 1
	}
fi
if [[ ! -d $tree ]]; then
	mkdir -p "$tree.new" && tar -C "$tree.new" -xf "$share/tree.tar" && mv "$tree.new" "$tree" || {
		echo "husk-guest-run: cannot unpack $share/tree.tar" | tee "$share/output" >/dev/console
		echo 125 >"$share/status"
		exit 1
	}
fi
[[ ${1:-} == --unpack-only ]] && exit 0
cd "$tree" || exit 1
bash "$share/cmd.sh" >"$share/output" 2>&1 </dev/null
echo $? >"$share/status.new"
mv "$share/status.new" "$share/status"
sync
RUNNER
chmod 755 "$root/usr/local/sbin/husk-guest-run"

cat >"$root/etc/systemd/system/husk-run.service" <<'UNIT'
[Unit]
Description=Run the command sent by tests/vm/run.sh, then power off
After=multi-user.target
ConditionKernelCommandLine=husk.run
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/husk-guest-run
WorkingDirectory=/root
Environment=HOME=/root LANG=C.UTF-8 TERM=dumb
# Like a root shell, not like a service: SIGPIPE at its default, no task limit.
IgnoreSIGPIPE=no
TasksMax=infinity
LimitNOFILE=1048576
TimeoutStartSec=infinity
StandardOutput=journal+console

[Install]
WantedBy=multi-user.target
UNIT
chroot "$root" systemctl enable husk-run.service >/dev/null 2>&1 ||
	ln -sf ../husk-run.service "$root/etc/systemd/system/multi-user.target.wants/husk-run.service"

# run.sh --shell: the console logs in as root; the profile unpacks the tree and starts there.
cat >>"$root/root/.profile" <<'PROFILE'
if grep -qw husk.shell /proc/cmdline && [ "$(tty)" = /dev/ttyS0 ]; then
	/usr/local/sbin/husk-guest-run --unpack-only && cd /root/husk
	echo "husk VM: the project tree is in /root/husk (build/husk built on the host); 'poweroff' ends the VM"
	stty rows 50 cols 160 2>/dev/null
fi
PROFILE
