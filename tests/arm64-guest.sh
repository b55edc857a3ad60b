#!/usr/bin/env bash
# tests/arm64-guest.sh: runs the arm64 husk of build-arm64/ (tests/cross-arm64.sh --full) on a real arm64
# kernel: Debian 12's linux-image-*-arm64 booted by qemu-system-aarch64 (TCG, about 25 s on 2 cores) with
# an initramfs that holds busybox-static:arm64, husk, its unit tests and a busybox bundle. What qemu-user
# cannot do (docs/testing.md, section 9): containers made and run, sealed.c's move onto the read-only
# clone of the binary (its aarch64 raw_syscall path) and the other seal modes, writes to the container
# init's /proc/PID/exe and map_files refused, exec, delete, and the unit tests on that kernel.
# Needs the full cross kit of docs/testing.md section 9 (dpkg's arm64 architecture included) and
# qemu-system-arm; fetches the two arm64 packages with apt-get download into build-arm64/guest/.
# The last line is "N passed, N failed"; the exit status is 0 only when nothing failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
b=$top/build-arm64
g=$b/guest

need() {
	echo "arm64-guest: $*"
	echo "0 passed, 1 failed"
	exit 1
}
[ -x "$b/husk" ] || need "no $b/husk: run tests/cross-arm64.sh --full first"
command -v qemu-system-aarch64 >/dev/null ||
	need "qemu-system-aarch64 missing (apt-get install qemu-system-arm)"
dpkg --print-foreign-architectures | grep -qx arm64 ||
	need "dpkg has no arm64 architecture (docs/testing.md, section 9)"
[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || need "libc6-arm64-cross missing"

mkdir -p "$g"
# the arm64 kernel of linux-image-arm64 and busybox-static, unpacked once
if ! ls "$g"/kernel/boot/vmlinuz-* >/dev/null 2>&1 || [ ! -x "$g/bb/bin/busybox" ]; then
	kpkg=$(apt-cache depends linux-image-arm64:arm64 |
		sed -n 's/^ *Depends: \(linux-image-[^ ]*-arm64\).*/\1/p' | head -n 1)
	[ -n "$kpkg" ] || need "no linux-image-*-arm64 in the archive (apt-get update?)"
	(cd "$g" && rm -f ./*.deb && apt-get download "$kpkg:arm64" busybox-static:arm64) >"$g/download.log" 2>&1 ||
		{ cat "$g/download.log"; need "apt-get download $kpkg:arm64 busybox-static:arm64"; }
	rm -rf "$g/kernel" "$g/bb"
	mkdir -p "$g/kernel"
	# the kernel image alone (its modules are 300 MB; nothing here needs one)
	dpkg-deb --fsys-tarfile "$g"/linux-image-*.deb | tar -x -C "$g/kernel" --wildcards './boot/vmlinuz-*' ||
		need "unpacking $kpkg"
	dpkg-deb -x "$g"/busybox-static_*.deb "$g/bb" || need "unpacking busybox-static:arm64"
	rm -f "$g"/*.deb
fi
kernels=("$g"/kernel/boot/vmlinuz-*)
kernel=${kernels[0]}

r=$g/initrd
rm -rf "$r"
mkdir -p "$r"/{bin,lib,dev,proc,sys,tmp,run,newroot,etc,husk/unit} "$r"/bundle/rootfs/{bin,proc,sys,dev,tmp}
cp "$g/bb/bin/busybox" "$r/bin/"
for a in sh mount umount mkdir cp ls cat echo grep sleep switch_root poweroff readlink tail tr wc; do
	ln -sf busybox "$r/bin/$a"
done
cp /usr/aarch64-linux-gnu/lib/libc.so.6 /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 "$r/lib/"
cp "$b/husk" "$b"/test_* "$r/husk/"
cp -r tests/unit/. "$r/husk/unit/"
cp "$g/bb/bin/busybox" "$r/bundle/rootfs/bin/"
for a in sh cat echo grep sleep uname; do
	ln -sf busybox "$r/bundle/rootfs/bin/$a"
done
spec=$(mktemp -d)
(cd "$spec" && { qemu-aarch64 -L /usr/aarch64-linux-gnu "$b/husk" spec 2>/dev/null || "$top/build/husk" spec; }) ||
	need "husk spec (for the bundle's config.json)"
jq '.process.terminal = false | .process.args = ["sh", "-c", "echo hello-from-arm64; uname -m"]' \
	"$spec/config.json" >"$r/bundle/config.json"
jq '.process.terminal = false | .process.args = ["sleep", "60"]' "$spec/config.json" >"$r/bundle/config-sleep.json"
rm -rf "$spec"

# the initramfs root cannot be pivoted away from: /init copies everything into a tmpfs and switches there
cat >"$r/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t tmpfs -o mode=0755 root /newroot
cp -a /bin /lib /husk /bundle /etc /guest /newroot/
mkdir /newroot/proc /newroot/sys /newroot/dev /newroot/tmp /newroot/run
umount /proc
exec switch_root /newroot /guest
EOF
cat >"$r/guest" <<'EOF'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp; mount -t tmpfs run /run; mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount --make-rprivate /
H=/husk/husk
ok() { echo "ok $*"; }
fail() { echo "FAIL $*"; }
echo "guest: $(uname -m) $(uname -r)"
$H --debug run --bundle /bundle c1 >/tmp/out 2>/tmp/dbg
if [ $? -eq 0 ] && grep -q hello-from-arm64 /tmp/out && grep -q aarch64 /tmp/out; then ok "run"; else fail "run"; cat /tmp/out /tmp/dbg; fi
grep -q 'mmap(open_tree("/proc/self/exe", OPEN_TREE_CLONE)' /tmp/dbg && ok "moved onto the read-only clone (aarch64 raw_syscall)" || { fail "no move onto the clone"; grep husk: /tmp/dbg | head; }
for m in exec memfd close; do
	HUSK_SEAL=$m $H --debug run --bundle /bundle c-$m >/tmp/out 2>/tmp/dbg
	if [ $? -eq 0 ] && grep -q hello-from-arm64 /tmp/out; then ok "run HUSK_SEAL=$m"; else fail "run HUSK_SEAL=$m"; cat /tmp/dbg; fi
done
cp /bundle/config-sleep.json /bundle/config.json
$H create --bundle /bundle c2 && ok "create" || fail "create"
pid=$($H state c2 | grep '"pid"' | tr -dc 0-9)
if [ -z "$pid" ] || [ ! -e /proc/$pid/exe ]; then fail "no init to check"
elif (echo x >>/proc/$pid/exe) 2>/dev/null; then fail "the init's /proc/$pid/exe was written"; else ok "write to the init's /proc/PID/exe refused"; fi
w=0
[ -n "$pid" ] && [ -e /proc/$pid/map_files ] || w=1
for f in /proc/$pid/map_files/*; do (echo x >>"$f") 2>/dev/null && w=$((w + 1)); done
[ $w -eq 0 ] && ok "writes to the init's map_files refused" || fail "$w of the init's map_files written"
$H start c2 && ok "start" || fail "start"
[ "$($H exec c2 sh -c 'echo exec-ok')" = exec-ok ] && ok "exec" || fail "exec"
$H delete -f c2 && ok "delete -f" || fail "delete -f"
[ "$($H list -q | wc -l)" -eq 0 ] && ok "nothing left" || fail "containers left: $($H list -q)"
cd /husk/unit
for t in /husk/test_*; do
	$t >/tmp/u.log 2>&1
	rc=$?
	n=$(tail -n 1 /tmp/u.log)
	echo "unit $(basename $t): $n"
	[ $rc -eq 0 ] && ok "unit $(basename $t)" || { fail "unit $(basename $t)"; grep -E "FAIL|check failed|expected" /tmp/u.log | head -5; }
done
echo "guest done"
poweroff -f
EOF
chmod +x "$r/init" "$r/guest"
# the host's cpio, or its busybox (busybox-static, which tests/install-deps.sh installs)
cpio=(cpio)
command -v cpio >/dev/null || cpio=(busybox cpio)
(cd "$r" && find . | "${cpio[@]}" -o -H newc 2>/dev/null) | gzip -1 >"$g/initrd.gz"
[ "$(gzip -dc "$g/initrd.gz" | head -c 6)" = 070701 ] || need "the initramfs (${cpio[*]} -o -H newc)"

t0=$SECONDS
timeout "${HUSK_ARM64_TIMEOUT:-600}" qemu-system-aarch64 -M virt -cpu max -smp "$(nproc)" -m 1024 -nographic \
	-no-reboot -nic none -kernel "$kernel" -initrd "$g/initrd.gz" \
	-append "console=ttyAMA0 rdinit=/init panic=-1 quiet loglevel=3" </dev/null >"$g/console.log" 2>&1
echo "arm64 guest: $((SECONDS - t0)) s (console: ${g#"$top"/}/console.log)"
grep -E '^(guest:|ok |FAIL |unit )' "$g/console.log" | tr -d '\r'
grep -q '^guest done' "$g/console.log" || echo "FAIL the guest did not finish (timeout or panic)"
p=$(grep -c '^ok ' "$g/console.log")
f=$(grep -c '^FAIL ' "$g/console.log")
grep -q '^guest done' "$g/console.log" || f=$((f + 1))
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
