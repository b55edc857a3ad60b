# Shared by tests/fuzz/run-fuzz.sh and tests/stress/fuzz-long.sh (sourced, POSIX sh): the list of fuzz
# targets, the build, the dictionaries, the seed corpora, the sanitizer options and the reading of a
# libFuzzer log. Expects $top (the source tree).
: "${top:?common.sh: set top to the source tree first}"

# Every tests/fuzz/fuzz_NAME.c is a target NAME; config first, it gets the largest share of time.
fuzz_targets() {
	echo config
	for _f in "$top"/tests/fuzz/fuzz_*.c; do
		_n=$(basename "$_f" .c)
		_n=${_n#fuzz_}
		[ "$_n" = config ] || echo "$_n"
	done
}

# fuzz_build BUILD_DIR TARGET...: configure with clang and -DHUSK_FUZZ=ON, build the named targets.
fuzz_build() {
	_b=$1
	shift
	_targets=
	for _t in "$@"; do _targets="$_targets --target fuzz_$_t"; done
	CC=${CC:-clang} cmake -S "$top" -B "$_b" -DHUSK_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null || return 1
	# shellcheck disable=SC2086 # target names have no blanks
	cmake --build "$_b" -j"$(nproc)" $_targets >"$_b/fuzz-build.log" 2>&1 || {
		cat "$_b/fuzz-build.log" >&2
		return 1
	}
}

# fuzz_dict NAME FILE: a libFuzzer dictionary for target NAME, so mutations reach deep fields quickly.
fuzz_dict() {
	case $1 in
	mountopt)
		# the option table of config/mountopt.c, and typical filesystem data options
		{
			sed -n 's/^[[:space:]]*{ "\([a-z]*\)".*/\1/p' "$top/config/mountopt.c"
			printf '%s\n' mode=0755 size=65536k uid=0 gid=5 newinstance ptmxmode=0666 lowerdir= \
				upperdir= workdir= context= ,
		} | while read -r w; do printf '"%s"\n' "$w"; done
		printf '"\\x00"\n'
		;;
	*)
		# keys and values of config.json, and every name of config/names.c (capabilities, rlimits,
		# seccomp actions, operators and flags, ...)
		{
			printf '%s\n' ociVersion root path readonly process terminal consoleSize height width \
				user uid gid umask additionalGids username args commandLine env cwd capabilities \
				bounding effective inheritable permitted ambient rlimits type soft hard \
				noNewPrivileges apparmorProfile selinuxLabel oomScoreAdj ioPriority class priority \
				scheduler policy nice flags runtime deadline period execCPUAffinity initial final \
				hostname domainname mounts destination source options uidMappings gidMappings \
				containerID hostID size hooks prestart createRuntime createContainer \
				startContainer poststart poststop timeout annotations linux namespaces timeOffsets \
				boottime monotonic secs nanosecs devices major minor fileMode cgroupsPath \
				resources allow access memory limit reservation swap kernel kernelTCP swappiness \
				disableOOMKiller useHierarchy checkBeforeUpdate cpu shares quota burst \
				realtimeRuntime realtimePeriod cpus mems idle pids blockIO weight leafWeight \
				weightDevice rate throttleReadBpsDevice throttleWriteBpsDevice \
				throttleReadIOPSDevice throttleWriteIOPSDevice hugepageLimits pageSize network \
				classID priorities name rdma hcaHandles hcaObjects unified intelRdt closID \
				schemata l3CacheSchema memBwSchema enableCMT enableMBM enableMonitoring sysctl \
				seccomp defaultAction defaultErrnoRet architectures listenerPath \
				listenerMetadata syscalls names action errnoRet index value valueTwo op \
				rootfsPropagation maskedPaths readonlyPaths mountLabel personality domain \
				memoryPolicy mode nodes netDevices 1.0.0 1.2.0 rwm 2MB MB:0=20 0-1
			grep -o '"[A-Za-z][A-Za-z0-9_]*"' "$top/config/names.c" | tr -d '"'
			case $1 in seccomp*)
				printf '%s\n' SCMP_ARCH_X86_64 SCMP_ARCH_X86 SCMP_ARCH_X32 SCMP_ARCH_AARCH64 \
					SCMP_ARCH_ARM SCMP_ARCH_MIPS SCMP_ARCH_MIPSEL64N32 SCMP_ARCH_PPC64LE \
					SCMP_ARCH_S390X SCMP_ARCH_RISCV64 read write openat clone clone3 execve \
					mkdir personality socket kill ptrace ioctl mount umount2 unshare setns \
					keyctl bpf exit_group
				;;
			esac
		} | sort -u | while read -r w; do printf '"\\"%s\\""\n' "$w"; done
		printf '"18446744073709551615"\n"-1"\n"4294967296"\n"null"\n"true"\n"\\\\u0001"\n'
		;;
	esac >"$2"
}

# fuzz_seeds NAME: the seed corpora of target NAME, read-only (new inputs go to a work directory).
fuzz_seeds() {
	echo "$top/tests/fuzz/corpus/$1"
	case $1 in
	config | seccomp) echo "$top/tests/unit/corpus/good" "$top/tests/unit/corpus/bad" ;;
	esac
}

# fuzz_flags NAME: libFuzzer options of target NAME besides time, corpus and artifacts.
fuzz_flags() {
	case $1 in
	mountopt) echo "-max_len=4096 -timeout=10" ;;
	*) echo "-max_len=65536 -timeout=10" ;;
	esac
}

fuzz_env() {
	ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
	UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
	export ASAN_OPTIONS UBSAN_OPTIONS
}

# fuzz_stat LOG KEY: a number from a libFuzzer log. KEY: runs (executions), rss (peak MB), corpus
# (inputs in the in-memory corpus), or crash, leak, timeout, oom (artifacts written). Works on a log
# that is still growing: then runs, rss and corpus come from the last status line.
fuzz_stat() {
	case $2 in
	runs)
		awk '/^stat::number_of_executed_units:/ { n = $2; final = 1 }
		     /^#[0-9]+/ && !final { n = substr($1, 2) }
		     /^Done [0-9]+ runs/ && !final { n = $2 }
		     END { print n + 0 }' "$1"
		;;
	rss)
		awk '/^stat::peak_rss_mb:/ { p = $2 + 0 }
		     { for (i = 1; i < NF; i++) if ($i == "rss:") { v = $(i + 1) + 0; if (v > p) p = v } }
		     END { print p + 0 }' "$1"
		;;
	corpus)
		awk '{ for (i = 1; i < NF; i++) if ($i == "corp:") { split($(i + 1), a, "/"); c = a[1] } }
		     END { print c + 0 }' "$1"
		;;
	*)
		grep -c "Test unit written to .*/$2-" "$1" || true
		;;
	esac
}

# fuzz_artifacts LOG: the inputs libFuzzer saved (crash, leak, timeout, oom), one a line.
fuzz_artifacts() {
	sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$1" | sort -u
}
