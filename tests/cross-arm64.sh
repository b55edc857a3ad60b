#!/usr/bin/env bash
# tests/cross-arm64.sh [--full | --compile | --clang]: keeps husk compiling for arm64 (aarch64) on an
# x86-64 host: runtime/sealed.c has an aarch64 system-call path in inline assembly, and arm64 takes
# other branches of glibc's and the kernel's headers (no SYS_open, SYS_mkdir, ...: only the *at calls).
# Each C file is compiled as CMake builds it (the same -D, -I and warning flags, -Werror), for aarch64,
# with the first of:
#   1. full:    Debian's cross gcc and the arm64 libraries (multiarch): a whole CMake cross build with
#               cmake/aarch64-linux-gnu.cmake into build-arm64/, linked; with qemu-aarch64 installed,
#               the arm64 husk then runs `--version`, `spec` and `features` under qemu-user
#               (containers need an arm64 kernel: tests/arm64-guest.sh);
#   2. compile: aarch64-linux-gnu-gcc without the arm64 libraries, or clang --target=aarch64-linux-gnu
#               with only the arm64 glibc headers (libc6-dev-arm64-cross, what tests/install-deps.sh
#               adds: 4 MB): every compile command of a host configure, compiled to an object, not
#               linked (the libraries' own headers are the same on every architecture).
# Without any of them it says what is missing and exits 0 (skipped). --full fails instead of falling
# back to 2; --compile takes 2 even when 1 is possible; --clang takes 2 with clang. The last line is
# "cross-arm64: ok (MODE, N files, S s)", "cross-arm64: skipped: WHY" or "cross-arm64: FAILED: WHAT".
# Installing the full kit (about 300 MB installed; docs/testing.md, "arm64"):
#   apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
#   dpkg --add-architecture arm64 && apt-get update &&
#     apt-get install libjansson-dev:arm64 libseccomp-dev:arm64 libcap-dev:arm64 libsystemd-dev:arm64 \
#       libprotobuf-c-dev:arm64
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
t0=$SECONDS
full_only=0
gcc_cross=$(command -v aarch64-linux-gnu-gcc || true)
have_libs=1
case "${1:-}" in
--full) full_only=1 ;;
--compile) have_libs=0 ;;
--clang) have_libs=0 gcc_cross= ;;
"") ;;
*)
	echo "usage: $0 [--full | --compile | --clang]" >&2
	exit 2
	;;
esac
libdir=/usr/lib/aarch64-linux-gnu
for pc in jansson libseccomp libcap; do
	[ -e "$libdir/pkgconfig/$pc.pc" ] || have_libs=0
done

# is_aarch64 FILE: an ELF file for aarch64 (e_machine 183), without file(1)
is_aarch64() {
	[ "$(od -An -tu2 -j18 -N2 "$1" 2>/dev/null | tr -d ' ')" = 183 ]
}
skip() {
	echo "cross-arm64: skipped: $*"
	exit 0
}
fail() {
	echo "cross-arm64: FAILED: $*"
	exit 1
}

if [ -n "$gcc_cross" ] && [ "$have_libs" = 1 ]; then
	b=build-arm64
	mkdir -p "$b"
	cmake -S . -B "$b" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DCMAKE_BUILD_TYPE=Release \
		-DHUSK_MAN=OFF >"$b/configure.log" 2>&1 || { cat "$b/configure.log"; fail "cmake configure (full)"; }
	if ! cmake --build "$b" -j"$(nproc)" >"$b/build.log" 2>&1; then
		grep -vE '^\[ *[0-9]+%\] (Building|Linking|Built)' "$b/build.log"
		fail "cross build (full, $b/)"
	fi
	is_aarch64 "$b/husk" || fail "$b/husk is not an aarch64 binary"
	n=$(find "$b" -name '*.c.o' | wc -l)
	echo "built $n objects and linked them ($b/husk: $(stat -c %s "$b/husk") bytes, static-pie)"
	if command -v qemu-aarch64 >/dev/null; then
		# only what needs no namespace, mount or cgroup: qemu-user translates system calls for one
		# process and fakes /proc/self/exe, so create/run cannot be tested this way
		q=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
		spec_dir=$(mktemp -d)
		"${q[@]}" "$b/husk" --version | head -n 1 || fail "qemu-aarch64 $b/husk --version"
		(cd "$spec_dir" && "${q[@]}" "$top/$b/husk" spec) || { rm -rf "$spec_dir"; fail "husk spec under qemu"; }
		jq -e '.process.args == ["sh"]' "$spec_dir/config.json" >/dev/null ||
			{ rm -rf "$spec_dir"; fail "husk spec under qemu wrote no usable config.json"; }
		rm -rf "$spec_dir"
		"${q[@]}" "$b/husk" features | jq -e '.linux.seccomp.archs | index("SCMP_ARCH_AARCH64")' >/dev/null ||
			fail "husk features under qemu"
		echo "qemu-aarch64: husk --version, spec and features ran"
	else
		echo "qemu-aarch64 not installed (apt-get install qemu-user): the arm64 husk was not run"
	fi
	echo "cross-arm64: ok (full: gcc cross build, $n files, $((SECONDS - t0)) s)"
	exit 0
fi
[ "$full_only" = 0 ] || fail "--full needs aarch64-linux-gnu-gcc and the arm64 libraries (see the top of $0)"

# compile-only: the compiler and the include path of Debian's cross gcc (its own headers, the arm64
# glibc and kernel headers, then /usr/include for jansson, libseccomp, libcap and protobuf-c)
if [ -n "$gcc_cross" ]; then
	cc=("$gcc_cross")
	what="aarch64-linux-gnu-gcc"
elif command -v clang >/dev/null && [ -e /usr/aarch64-linux-gnu/include/stdio.h ]; then
	cc=(clang --target=aarch64-linux-gnu -nostdinc -isystem "$(clang -print-resource-dir)/include"
		-isystem /usr/aarch64-linux-gnu/include -isystem /usr/include)
	what="clang --target=aarch64-linux-gnu"
else
	skip "no aarch64 compiler: apt-get install libc6-dev-arm64-cross (with clang), or gcc-aarch64-linux-gnu"
fi
command -v jq >/dev/null || skip "jq is missing (apt-get install jq)"
work=$(mktemp -d /tmp/husk-cross-arm64.XXXXXX)
trap 'rm -rf "$work"' EXIT
# the compile commands of a host configure (nothing is built there); HUSK_MAN=OFF: no go-md2man needed
cmake -S . -B "$work/cfg" -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DHUSK_MAN=OFF \
	>"$work/configure.log" 2>&1 || { cat "$work/configure.log"; fail "cmake configure (compile commands)"; }
# CRIU's rpc.pb-c.h is generated at build time: generate it the way CMakeLists.txt does
if grep -q '^PROTOC_C:FILEPATH=/' "$work/cfg/CMakeCache.txt" && [ -e /usr/include/criu/rpc.proto ]; then
	mkdir -p "$work/cfg/criu-rpc"
	protoc-c --proto_path=/usr/include/criu --c_out="$work/cfg/criu-rpc" /usr/include/criu/rpc.proto ||
		fail "protoc-c rpc.proto"
fi
# one line per file: DIRECTORY, a tab, then the command without the host compiler and its -o (as it
# is: CMake's shell quoting of -DHUSK_VERSION=\"0.1.0\" stays for the eval below)
jq -j '.[] | .directory, "\t", (.command | sub("^[^ ]+ "; "") | sub(" -o [^ ]+ "; " ")), "\n"' \
	"$work/cfg/compile_commands.json" >"$work/commands"
n=$(wc -l <"$work/commands")
[ "$n" -gt 50 ] || fail "only $n compile commands in $work/cfg/compile_commands.json"
i=0
while IFS=$'\t' read -r dir cmd; do
	i=$((i + 1))
	printf '%s\t%s\n' "$dir" "$cmd -o $work/$i.o"
done <"$work/commands" >"$work/jobs"
export CROSS_CC="${cc[*]}"
# two at a time; the compiler's own words for every failure. Flags are word-split as CMake wrote them
# (no file or define of husk's has a blank in it).
# shellcheck disable=SC2016
if ! tr '\n' '\0' <"$work/jobs" | xargs -0 -P"$(nproc)" -n1 bash -c '
	IFS=$'"'"'\t'"'"' read -r dir cmd <<<"$1"
	cd "$dir" && eval "$CROSS_CC $cmd" 2>&1 || { echo "cross-arm64: failed: ${cmd##* -c }"; exit 1; }
	' _; then
	fail "compile-only ($what): see the compiler errors above"
fi
objs=$(find "$work" -maxdepth 1 -name '*.o' | wc -l)
[ "$objs" -eq "$n" ] || fail "$objs objects for $n compile commands"
is_aarch64 "$work/1.o" || fail "$what made no aarch64 object"
echo "cross-arm64: ok (compile-only: $what, $n files, $((SECONDS - t0)) s)"
