#!/usr/bin/env bash
# run.sh [--shell] [CMD...]: run CMD as root in a Debian 12 guest (systemd as PID 1, cgroup v2, kernel
# 6.1) under qemu (TCG: no /dev/kvm needed), in a copy of this project tree with build/husk and the test
# helpers built on the host. Prints CMD's output and exits with CMD's status.
#
#   tests/vm/run.sh sh -c 'stat -fc %T /sys/fs/cgroup; ./build/husk --version'
#   tests/vm/run.sh bats tests/integration/cgroups.bats
#   tests/vm/run.sh --shell          # interactive root shell on the guest's console (Ctrl-a x kills it)
#
# The image is built on first use (tests/vm/build-image.sh, a few minutes) and cached under
# build/vm/<hash of the image scripts>, so a second run reuses it; every run boots a pristine snapshot
# of it (the image never changes). The tree goes over as one tar on a 9p share; the guest's
# husk-run.service unpacks it in /root/husk, runs CMD there and writes its output and status back.
#
# Environment: HUSK_VM_TIMEOUT (seconds, default 3600: the guest is killed and run.sh says so),
# HUSK_VM_MEM (MiB, default 2048), HUSK_VM_CPUS (default: the host's CPUs, at most 4), HUSK_VM_DIR
# (cache, default build/vm), HUSK_VM_ENV (names of environment variables to pass to CMD),
# HUSK_VM_KEEP=1 (keep the run directory: console.log, output), HUSK_VM_ACCEL (tcg, the default, or kvm:
# see below why KVM is never chosen on its own).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
vmdir=${HUSK_VM_DIR:-$top/build/vm}
timeout_s=${HUSK_VM_TIMEOUT:-3600}
mem=${HUSK_VM_MEM:-2048}
cpus=${HUSK_VM_CPUS:-$(nproc)}
((cpus <= 4)) || cpus=4

die() {
	echo "tests/vm/run.sh: $*" >&2
	exit 125
}

shell=0
if [[ ${1:-} == --shell ]]; then
	shell=1
	shift
fi
((shell || $# > 0)) || die "usage: run.sh [--shell] CMD... (see the top of tests/vm/run.sh)"
[[ $(id -u) -eq 0 ]] || die "run as root (the image build needs it)"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (tests/vm/install-deps.sh installs it)"
[[ -x $top/build/husk ]] || die "$top/build/husk is missing: build first (cmake --build build)"

# The image, keyed by what builds it.
key=$(cat "$here/build-image.sh" "$here/guest-setup.sh" | sha256sum | cut -c1-16)
image=$vmdir/image-$key
if [[ ! -f $image/disk.img ]]; then
	mkdir -p "$vmdir"
	echo "tests/vm/run.sh: building the guest image in $image (once; a few minutes)" >&2
	start=$SECONDS
	(
		flock 9
		[[ -f $image/disk.img ]] || "$here/build-image.sh" "$image" >"$vmdir/build-image.log" 2>&1 || {
			tail -n 40 "$vmdir/build-image.log" >&2
			exit 1
		}
	) 9>"$vmdir/.build.lock" || die "the image build failed (log: $vmdir/build-image.log)"
	echo "tests/vm/run.sh: image built in $((SECONDS - start)) s" >&2
	# older images are of no further use
	find "$vmdir" -maxdepth 1 -name 'image-*' ! -name "image-$key" -exec rm -rf --one-file-system {} +
fi

run=$(mktemp -d "$vmdir/run.XXXXXX") || die "cannot make a run directory in $vmdir"
qemu_pid=
cleanup() {
	if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
		kill -KILL "$qemu_pid" 2>/dev/null
		wait "$qemu_pid" 2>/dev/null
	fi
	if [[ ${HUSK_VM_KEEP:-0} == 1 ]]; then
		echo "tests/vm/run.sh: run directory kept: $run" >&2
	else
		rm -rf --one-file-system "$run"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The tree: what git knows (committed or not, minus ignored files) plus the host-built binaries.
(
	cd "$top" || exit 1
	{
		# (a file deleted but not yet committed is still --cached: skip it)
		git ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do [[ -e $f || -L $f ]] && printf '%s\0' "$f"; done
		for d in build build-fault; do
			[[ -d $d ]] || continue
			find "$d" -maxdepth 1 -type f -perm -u+x -print0
		done
	} | tar -c -f "$run/tree.tar" --null --no-recursion -T - 2>"$run/tar.err"
) || die "cannot pack the project tree: $(cat "$run/tar.err")"

{
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	# the tree is /root/husk: other users (rootless.bats' husk-rootless) run build/husk from it
	echo 'chmod 0711 /root'
	# reliability.bats' concurrency test: 100 containers at once ran 25+ minutes under TCG without ending;
	# 20 here (HUSK_VM_ENV=HUSK_TEST_CONTAINERS passes another count)
	echo 'export HUSK_TEST_CONTAINERS=20'
	for name in ${HUSK_VM_ENV:-}; do
		[[ -n ${!name+set} ]] && printf 'export %s=%q\n' "$name" "${!name}"
	done
	printf '%q ' "$@"
	echo
} >"$run/cmd.sh"

# TCG by default: -cpu qemu64 with mitigations=off boots ~1.7x faster than -cpu max. KVM only when asked
# (HUSK_VM_ACCEL=kvm): a /dev/kvm that exists is not one that works. Seen on a CI machine (a PVM guest,
# kernel 6.18): qemu aborts at once with -cpu host ("failed to set MSR 0x10a", IA32_ARCH_CAPABILITIES),
# and with that MSR left out the guest hangs before its first console line.
kvm_cpu() {
	local cpu
	for cpu in host host,-arch-capabilities; do
		timeout 2 qemu-system-x86_64 -nodefaults -no-user-config -machine pc -accel kvm -cpu "$cpu" \
			-display none -m 64 </dev/null >/dev/null 2>&1
		[[ $? != 124 ]] || { echo "$cpu"; return 0; }
	done
	echo host
}
accel=(-accel tcg,thread=multi -cpu qemu64)
case ${HUSK_VM_ACCEL:-tcg} in
kvm) accel=(-accel kvm -cpu "$(kvm_cpu)") ;;
tcg) ;;
*) die "HUSK_VM_ACCEL=${HUSK_VM_ACCEL}: expected tcg or kvm" ;;
esac
echo "tests/vm/run.sh: ${accel[*]}" >&2
append="root=/dev/vda rw console=ttyS0 mitigations=off panic=-1 quiet loglevel=4"
qemu=(qemu-system-x86_64 -nodefaults -no-user-config -machine pc "${accel[@]}"
	-smp "$cpus" -m "$mem" -display none -no-reboot -nic none
	-kernel "$image/vmlinuz" -initrd "$image/initrd.img"
	-drive "file=$image/disk.img,format=raw,if=virtio,snapshot=on,cache=unsafe"
	-virtfs "local,path=$run,mount_tag=husk,security_model=none,id=husk"
	-device virtio-rng-pci)

if ((shell)); then
	echo "tests/vm/run.sh: booting a shell; 'poweroff' in the guest or Ctrl-a x ends it" >&2
	# -serial mon:stdio: the console is this terminal (Ctrl-a c: qemu monitor)
	TMPDIR=$run setpriv --pdeathsig KILL "${qemu[@]}" -append "$append husk.shell" -serial mon:stdio
	exit 0
fi

start=$SECONDS
: >"$run/output"
# --pdeathsig: qemu dies with this script even if it is SIGKILLed and the trap cannot run
TMPDIR=$run setpriv --pdeathsig KILL "${qemu[@]}" -append "$append husk.run" \
	-serial "file:$run/console.log" </dev/null >"$run/qemu.log" 2>&1 &
qemu_pid=$!
# CMD's output as it is written (the share is the host directory itself)
tail -n +1 -f --pid="$qemu_pid" "$run/output" &
tail_pid=$!
timed_out=0
done_at=
while kill -0 "$qemu_pid" 2>/dev/null; do
	# CMD is done once the guest wrote its status: give the power-off 5 s, then end qemu (the disk is a
	# snapshot, nothing in the guest needs saving)
	if [[ -z $done_at && -s $run/status ]]; then
		done_at=$SECONDS
	elif [[ -n $done_at ]] && ((SECONDS - done_at >= 5)); then
		kill -KILL "$qemu_pid" 2>/dev/null
		break
	fi
	if ((SECONDS - start >= timeout_s)); then
		timed_out=1
		kill -KILL "$qemu_pid" 2>/dev/null
		break
	fi
	sleep 1
done
wait "$qemu_pid" 2>/dev/null
qemu_status=$?
qemu_pid=
wait "$tail_pid" 2>/dev/null

if ((timed_out)); then
	echo "tests/vm/run.sh: TIMEOUT: the guest ran for more than ${timeout_s} s (HUSK_VM_TIMEOUT) and was killed; console log tail:" >&2
	tail -n 20 "$run/console.log" >&2
	exit 124
fi
if [[ ! -s $run/status ]]; then
	echo "tests/vm/run.sh: the guest reported no status (qemu exited with $qemu_status after $((SECONDS - start)) s); qemu and console log tail:" >&2
	tail -n 5 "$run/qemu.log" >&2
	tail -n 40 "$run/console.log" >&2
	exit 125
fi
echo "tests/vm/run.sh: guest ran for $((SECONDS - start)) s" >&2
exit "$(cat "$run/status")"
