#!/bin/sh
# Build the config parser fuzzer with clang and run it for $1 seconds (default 30) over the seed
# corpora. Exits non-zero when libFuzzer finds a crash, a leak, undefined behaviour or a timeout;
# the input is left in tests/fuzz/ as crash-*, leak-* or timeout-*.
set -eu

seconds=${1:-30}
top=$(cd "$(dirname "$0")/../.." && pwd)
build="$top/build-fuzz"
work="$build/fuzz-corpus" # new inputs go here, never into the checked-in seeds

cd "$top"
CC=${CC:-clang} cmake -S . -B "$build" -DHUSK_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" --target fuzz_config
mkdir -p "$work"

# Keys and values of config.json, so mutations reach the deep fields quickly.
dict="$build/fuzz_config.dict"
{
	for w in ociVersion root path readonly process terminal consoleSize height width user uid gid umask \
		additionalGids username args commandLine env cwd capabilities bounding effective inheritable \
		permitted ambient rlimits type soft hard noNewPrivileges apparmorProfile selinuxLabel oomScoreAdj \
		ioPriority class priority scheduler policy nice flags runtime deadline period execCPUAffinity \
		initial final hostname domainname mounts destination source options uidMappings gidMappings \
		containerID hostID size hooks prestart createRuntime createContainer startContainer poststart \
		poststop timeout annotations linux namespaces timeOffsets boottime monotonic secs nanosecs \
		devices major minor fileMode cgroupsPath resources allow access memory limit reservation swap \
		kernel kernelTCP swappiness disableOOMKiller useHierarchy checkBeforeUpdate cpu shares quota \
		burst realtimeRuntime realtimePeriod cpus mems idle pids blockIO weight leafWeight weightDevice \
		rate throttleReadBpsDevice throttleWriteBpsDevice throttleReadIOPSDevice throttleWriteIOPSDevice \
		hugepageLimits pageSize network classID priorities name rdma hcaHandles hcaObjects unified \
		intelRdt closID schemata l3CacheSchema memBwSchema enableCMT enableMBM enableMonitoring sysctl \
		seccomp defaultAction defaultErrnoRet architectures listenerPath listenerMetadata syscalls names \
		action errnoRet index value valueTwo op rootfsPropagation maskedPaths readonlyPaths mountLabel \
		personality domain memoryPolicy mode nodes netDevices \
		pid mount ipc uts cgroup time 1.0.0 1.2.0 CAP_KILL CAP_SYS_ADMIN RLIMIT_NOFILE SCMP_ACT_ERRNO \
		SCMP_ACT_NOTIFY SCMP_ARCH_X86_64 SCMP_CMP_MASKED_EQ SECCOMP_FILTER_FLAG_LOG IOPRIO_CLASS_RT \
		SCHED_DEADLINE SCHED_FLAG_RECLAIM MPOL_BIND MPOL_F_STATIC_NODES LINUX32 rslave 2MB MB:0=20; do
		printf '"\\"%s\\""\n' "$w"
	done
	printf '"18446744073709551615"\n"-1"\n"4294967296"\n"null"\n"true"\n"\\\\u0001"\n'
} >"$dict"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
exec "$build/fuzz_config" -max_total_time="$seconds" -max_len=65536 -timeout=10 -print_final_stats=1 \
	-dict="$dict" -artifact_prefix="$top/tests/fuzz/" \
	"$work" "$top/tests/fuzz/corpus" "$top/tests/unit/corpus/good" "$top/tests/unit/corpus/bad"
