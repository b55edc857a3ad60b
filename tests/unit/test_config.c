/* Unit tests of config/: every config of corpus/good parses (with spot checks of the fields), every
 * config of corpus/bad fails with the exact path and wording of its NAME.err, the partial documents
 * of `update` and `exec`, the host checks of spec_validate, spec_load and the name tables. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/parse-util.h"
#include "config/spec.h"
#include "runtime/base/util.h"
#include "unit.h"

#define GOOD_DIR "corpus/good"
#define BAD_DIR	 "corpus/bad"

static char *slurp(const char *path, size_t *len)
{
	struct error err = { 0 };
	char *data = NULL;

	if (read_file_at(AT_FDCWD, path, 1 << 24, &data, len, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		error_clear(&err);
		return NULL;
	}
	return data;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the *.json files in dir. */
static char **list_json(const char *dir, size_t *ret_n)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;

	if (d == NULL) {
		fprintf(stderr, "opendir %s: %s\n", dir, strerror(errno));
		*ret_n = 0;
		return NULL;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		names = xrealloc(names, (n + 2) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
		names[n] = NULL;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	*ret_n = n;
	return names;
}

static struct spec *parse_file(const char *dir, const char *name)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	cleanup_free char *data = NULL;
	struct error err = { 0 };
	struct spec *s = NULL;
	size_t len = 0;

	data = slurp(path, &len);
	if (data == NULL)
		return NULL;
	if (spec_parse(data, len, "config.json", &s, &err) < 0) {
		fprintf(stderr, "%s: %s\n", path, err.msg);
		error_clear(&err);
		return NULL;
	}
	return s;
}

static bool strv_terminated(char **v, size_t n)
{
	return n == 0 || (v != NULL && v[n] == NULL);
}

static void test_good_corpus(void)
{
	size_t n = 0;
	char **names = list_json(GOOD_DIR, &n);

	CHECK(n >= 9);
	for (size_t i = 0; i < n; i++) {
		struct spec *s = parse_file(GOOD_DIR, names[i]);

		CHECK(s != NULL);
		if (s == NULL) {
			fprintf(stderr, "good config %s does not parse\n", names[i]);
			continue;
		}
		CHECK(s->oci_version != NULL);
		CHECK(strv_terminated(s->process.args, s->process.n_args));
		CHECK(strv_terminated(s->process.env, s->process.n_env));
		for (size_t m = 0; m < s->n_mounts; m++)
			CHECK(strv_terminated(s->mounts[m].options, s->mounts[m].n_options));
		CHECK(strv_terminated(s->linux_.masked_paths, s->linux_.n_masked_paths));
		spec_free(s);
	}
	strv_free(names);
}

static const struct spec_hook *hook(const struct spec *s, enum spec_hook_kind k, size_t i)
{
	return i < s->hooks.n[k] ? &s->hooks.hooks[k][i] : NULL;
}

static void test_spec_example(void)
{
	struct spec *s = parse_file(GOOD_DIR, "spec-example.json");
	const struct spec_linux *l;
	const uint64_t audit_kill = (1ull << 29) | (1ull << 5); /* CAP_AUDIT_WRITE, CAP_KILL */

	CHECK(s != NULL);
	if (s == NULL)
		return;
	l = &s->linux_;
	CHECK_STR(s->hostname, "slartibartfast");
	CHECK_STR(s->domainname, "foobarbaz.test");
	CHECK_STR(s->root_path, "rootfs");
	CHECK(s->root_readonly);
	CHECK(s->has_process && s->process.terminal);
	CHECK(s->process.user.uid == 1 && s->process.user.gid == 1);
	CHECK(s->process.user.n_additional_gids == 2 && s->process.user.additional_gids[1] == 6);
	CHECK(s->process.n_args == 1 && strcmp(s->process.args[0], "sh") == 0 && s->process.args[1] == NULL);
	CHECK(s->process.n_env == 2 && s->process.env[2] == NULL);
	CHECK(s->process.has_capabilities);
	CHECK(s->process.capabilities.sets[CAPSET_EFFECTIVE] == audit_kill);
	CHECK(s->process.capabilities.sets[CAPSET_AMBIENT] == 1ull << 10); /* CAP_NET_BIND_SERVICE */
	CHECK(s->process.n_rlimits == 2);
	CHECK(s->process.rlimits[0].resource == RLIMIT_CORE && s->process.rlimits[0].soft == 1024);
	CHECK_STR(s->process.rlimits[1].type, "RLIMIT_NOFILE");
	CHECK_STR(s->process.apparmor_profile, "acme_secure_profile");
	CHECK(s->process.no_new_privileges);
	CHECK(s->n_mounts == 7);
	CHECK_STR(s->mounts[1].destination, "/dev");
	CHECK(s->mounts[1].n_options == 4 && strcmp(s->mounts[1].options[3], "size=65536k") == 0);
	CHECK(s->mounts[0].options == NULL && s->mounts[0].n_options == 0);
	CHECK(s->hooks.n[HOOK_PRESTART] == 2 && s->hooks.n[HOOK_CREATE_RUNTIME] == 2);
	CHECK(s->hooks.n[HOOK_CREATE_CONTAINER] == 1 && s->hooks.n[HOOK_START_CONTAINER] == 1);
	CHECK(s->hooks.n[HOOK_POSTSTART] == 1 && s->hooks.n[HOOK_POSTSTOP] == 1);
	CHECK(hook(s, HOOK_POSTSTART, 0)->has_timeout && hook(s, HOOK_POSTSTART, 0)->timeout == 5);
	CHECK(hook(s, HOOK_PRESTART, 0)->n_args == 3 && hook(s, HOOK_PRESTART, 0)->args[3] == NULL);
	CHECK_STR(hook(s, HOOK_PRESTART, 1)->path, "/usr/bin/setup-network");
	CHECK(l->n_devices == 2 && l->devices[0].type == 'c' && l->devices[0].major == 10);
	CHECK(l->devices[1].has_file_mode && l->devices[1].file_mode == 432);
	CHECK(l->n_uid_mappings == 1 && l->uid_mappings[0].host_id == 1000 &&
	      l->uid_mappings[0].size == 32000);
	CHECK(l->sysctl.n == 2 && strcmp(l->sysctl.keys[0], "net.ipv4.ip_forward") == 0);
	CHECK_STR(l->sysctl.values[1], "256");
	CHECK_STR(l->cgroups_path, "/myRuntime/myContainer");
	CHECK(l->has_resources && l->resources.has_pids && l->resources.pids_limit == 32771);
	CHECK(l->resources.has_network && l->resources.class_id == 1048577 &&
	      l->resources.n_net_priorities == 2);
	CHECK(l->resources.n_hugepage_limits == 2 &&
	      strcmp(l->resources.hugepage_limits[1].page_size, "64KB") == 0);
	CHECK(l->resources.memory.has_limit && l->resources.memory.limit == 536870912);
	CHECK(l->resources.memory.has_kernel && l->resources.memory.kernel == -1);
	CHECK(l->resources.memory.has_swappiness && l->resources.memory.swappiness == 0);
	CHECK(l->resources.has_cpu && l->resources.cpu.shares == 1024 &&
	      strcmp(l->resources.cpu.cpus, "2-3") == 0);
	CHECK(!l->resources.cpu.has_idle);
	CHECK(l->resources.n_devices == 3 && !l->resources.devices[0].allow &&
	      l->resources.devices[0].type == 'a');
	CHECK(!l->resources.devices[0].has_major && l->resources.devices[1].has_major);
	CHECK(l->resources.has_blkio && l->resources.blkio.weight == 10 &&
	      l->resources.blkio.n_weight_devices == 2);
	CHECK(!l->resources.blkio.weight_devices[1].has_leaf_weight);
	CHECK(l->resources.blkio.n_throttle[THROTTLE_READ_BPS] == 1 &&
	      l->resources.blkio.n_throttle[THROTTLE_WRITE_BPS] == 0);
	CHECK(l->resources.blkio.throttle[THROTTLE_WRITE_IOPS][0].rate == 300);
	CHECK(l->has_rootfs_propagation && l->rootfs_propagation == MS_SLAVE);
	CHECK(l->has_seccomp && l->seccomp.default_action == SECCOMP_ACT_ALLOW);
	CHECK(l->seccomp.n_architectures == 2 && strcmp(l->seccomp.architectures[1], "SCMP_ARCH_X32") == 0);
	CHECK(l->seccomp.n_syscalls == 1 && l->seccomp.syscalls[0].n_names == 2);
	CHECK(l->seccomp.syscalls[0].action == SECCOMP_ACT_ERRNO && !l->seccomp.syscalls[0].has_errno_ret);
	CHECK(l->time_monotonic.set && l->time_monotonic.secs == 172800 && l->time_boottime.secs == 604800);
	CHECK(l->n_namespaces == 8 && l->namespaces[7].type == NS_TIME && l->namespaces[0].path == NULL);
	CHECK(l->n_masked_paths == 4 && l->n_readonly_paths == 6 && l->readonly_paths[6] == NULL);
	CHECK_STR(l->mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
	CHECK(s->annotations.n == 2 && strcmp(s->annotations.values[0], "value1") == 0);
	spec_free(s);
}

static void test_runc_default(void)
{
	struct spec *s = parse_file(GOOD_DIR, "runc-default.json");
	const uint64_t caps = (1ull << 29) | (1ull << 5) | (1ull << 10);

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK_STR(s->oci_version, "1.0.2-dev");
	CHECK_STR(s->hostname, "runc");
	CHECK(s->process.terminal && s->process.no_new_privileges);
	CHECK(s->process.capabilities.sets[CAPSET_BOUNDING] == caps);
	CHECK(s->process.capabilities.sets[CAPSET_PERMITTED] == caps);
	CHECK(s->process.capabilities.sets[CAPSET_INHERITABLE] == 0);
	CHECK(s->process.n_rlimits == 1 && s->process.rlimits[0].resource == RLIMIT_NOFILE);
	CHECK(s->process.rlimits[0].hard == 1024);
	CHECK(s->n_mounts == 7 && strcmp(s->mounts[6].type, "cgroup") == 0);
	CHECK(s->linux_.n_namespaces == 5 && s->linux_.namespaces[4].type == NS_MOUNT);
	CHECK(s->linux_.resources.n_devices == 1 && s->linux_.resources.devices[0].access != NULL);
	CHECK(s->linux_.n_masked_paths == 10 && s->linux_.n_readonly_paths == 5);
	CHECK(!s->linux_.has_seccomp && !s->linux_.has_rootfs_propagation);
	spec_free(s);
}

static void test_podman_style(void)
{
	struct spec *s = parse_file(GOOD_DIR, "podman-style.json");
	const struct spec_seccomp *sc;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	sc = &s->linux_.seccomp;
	CHECK(s->process.n_env == 11 && strcmp(s->process.env[10], "WITH_EQUALS=a=b=c") == 0);
	CHECK_STR(s->process.env[9], "EMPTY=");
	CHECK(s->process.user.has_umask && s->process.user.umask == 18);
	CHECK(s->process.capabilities.sets[CAPSET_BOUNDING] & (1ull << 18)); /* CAP_SYS_CHROOT */
	CHECK(s->process.has_oom_score_adj && s->process.oom_score_adj == 0);
	CHECK(s->n_mounts == 12 && strcmp(s->mounts[10].options[0], "rbind") == 0);
	CHECK(s->hooks.n[HOOK_PRESTART] == 1 && s->hooks.n[HOOK_POSTSTOP] == 1);
	CHECK(hook(s, HOOK_CREATE_RUNTIME, 0)->timeout == 10);
	CHECK(s->annotations.n == 8 && strcmp(s->annotations.keys[0], "io.container.manager") == 0);
	CHECK(strncmp(s->linux_.cgroups_path, "machine.slice:libpod:", 21) == 0);
	CHECK(s->linux_.resources.has_pids && s->linux_.resources.pids_limit == 2048);
	CHECK_STR(s->linux_.namespaces[1].path, "/run/netns/netns-8a7b6c5d-4e3f-2a1b-0c9d-8e7f6a5b4c3d");
	CHECK(s->linux_.devices[0].file_mode == 8630);
	CHECK(sc->default_action == SECCOMP_ACT_ERRNO && sc->has_default_errno_ret &&
	      sc->default_errno_ret == 38);
	CHECK(sc->n_syscalls == 10 && sc->syscalls[0].errno_ret == 1 && sc->syscalls[1].n_names > 100);
	CHECK(sc->syscalls[5].args[0].value == 4294967295u);
	CHECK(sc->syscalls[6].args[0].op == SECCOMP_OP_MASKED_EQ &&
	      sc->syscalls[6].args[0].value == 2114060288);
	CHECK(sc->syscalls[8].n_args == 2 && sc->syscalls[8].args[1].index == 2);
	CHECK(sc->syscalls[9].args[0].op == SECCOMP_OP_NE);
	spec_free(s);
}

static void test_docker_style(void)
{
	struct spec *s = parse_file(GOOD_DIR, "docker-style.json");

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(s->process.rlimits[0].soft == UINT64_MAX && s->process.rlimits[0].hard == UINT64_MAX);
	CHECK(s->process.rlimits[1].soft == 65536 && s->process.rlimits[1].hard == UINT64_MAX);
	CHECK(s->process.oom_score_adj == -500);
	CHECK(s->linux_.rootfs_propagation == MS_SLAVE);
	CHECK(s->linux_.resources.memory.limit == -1);
	CHECK(s->linux_.seccomp.flags == SPEC_SECCOMP_FLAG_SPEC_ALLOW);
	CHECK(s->linux_.seccomp.syscalls[1].args[0].value == UINT64_MAX);
	spec_free(s);
}

static void test_all_fields(void)
{
	struct spec *s = parse_file(GOOD_DIR, "all-fields.json");
	const struct spec_process *p;
	const struct spec_linux *l;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	p = &s->process;
	l = &s->linux_;
	CHECK(p->has_console_size && p->console_height == 25 && p->console_width == 80);
	CHECK_STR(p->user.username, "nobody");
	CHECK_STR(p->command_line, "true");
	CHECK(p->capabilities.sets[CAPSET_AMBIENT] == 1ull << 21 &&
	      p->capabilities.sets[CAPSET_INHERITABLE] == 0);
	CHECK(p->has_io_priority && p->io_priority.ioprio_class == 2 && p->io_priority.priority == 7);
	CHECK(p->has_scheduler && p->scheduler.policy == 6 && p->scheduler.nice == -5 &&
	      p->scheduler.has_nice);
	CHECK(p->scheduler.flags == 0x41 && p->scheduler.deadline == 30000000);
	CHECK_STR(p->exec_cpu_affinity_initial.list, "0-3, 7");
	CHECK(p->exec_cpu_affinity_initial.cpus &&
	      CPU_COUNT_S(p->exec_cpu_affinity_initial.size,
			  (cpu_set_t *)p->exec_cpu_affinity_initial.cpus) == 5);
	CHECK(p->oom_score_adj == -1000);
	CHECK(s->mounts[0].n_uid_mappings == 1 && s->mounts[0].uid_mappings[0].host_id == 100000);
	CHECK(s->mounts[1].source == NULL);
	CHECK(l->time_boottime.set && l->time_boottime.secs == -3600 && !l->time_boottime.nanosecs);
	CHECK(l->time_monotonic.nanosecs == 999999999);
	CHECK(l->devices[0].type == 'p' && l->devices[1].type == 'u');
	CHECK(l->resources.devices[0].type == 'b' && l->resources.devices[0].has_major &&
	      !l->resources.devices[0].has_minor);
	CHECK(l->resources.memory.disable_oom_killer && l->resources.memory.check_before_update);
	CHECK(l->resources.cpu.quota == -1 && l->resources.cpu.has_idle && l->resources.cpu.idle == 1);
	CHECK(l->resources.pids_limit == -1);
	CHECK(l->resources.blkio.weight_devices[0].has_leaf_weight &&
	      !l->resources.blkio.weight_devices[0].has_weight);
	CHECK(l->resources.blkio.n_throttle[THROTTLE_READ_IOPS] == 1);
	CHECK(l->resources.class_id == 4294967295u && l->resources.n_net_priorities == 0);
	CHECK(l->resources.n_rdma == 1 && l->resources.rdma[0].hca_handles == 4294967295u);
	CHECK(!l->resources.rdma[0].has_hca_objects);
	CHECK(l->resources.unified.n == 2 && strchr(l->resources.unified.values[0], '\n') != NULL);
	CHECK(l->has_intel_rdt && l->intel_rdt.n_schemata == 2 && l->intel_rdt.enable_monitoring);
	CHECK(l->seccomp.flags ==
	      (SPEC_SECCOMP_FLAG_TSYNC | SPEC_SECCOMP_FLAG_LOG | SPEC_SECCOMP_FLAG_WAIT_KILLABLE_RECV));
	CHECK(l->seccomp.syscalls[0].action == SECCOMP_ACT_NOTIFY && l->seccomp.syscalls[1].errno_ret == 7);
	CHECK(l->seccomp.syscalls[2].args[0].index == 5 && l->seccomp.syscalls[2].args[0].value_two == 2);
	CHECK(l->seccomp.syscalls[5].action == SECCOMP_ACT_KILL);
	CHECK_STR(l->seccomp.listener_metadata, "MKNOD=/dev/null");
	CHECK(l->rootfs_propagation == MS_UNBINDABLE);
	CHECK(l->masked_paths != NULL && l->n_masked_paths == 0 && l->masked_paths[0] == NULL);
	CHECK(l->has_personality && l->personality.domain == PER_LINUX32 &&
	      l->personality.flags == (ADDR_NO_RANDOMIZE | SHORT_INODE));
	CHECK(l->has_memory_policy && l->memory_policy.mode == 6 && l->memory_policy.flags == 1u << 15);
	CHECK(l->n_net_devices == 2 && strcmp(l->net_devices[0].host_name, "eth1") == 0);
	CHECK_STR(l->net_devices[0].name, "ctr0");
	CHECK(l->net_devices[1].name == NULL);
	CHECK(s->annotations.n == 1 && s->annotations.values[0][0] == '\0');
	spec_free(s);
}

static void test_small_good(void)
{
	struct spec *s = parse_file(GOOD_DIR, "minimal.json");

	CHECK(s != NULL && !s->has_process && !s->has_linux && s->n_mounts == 0);
	spec_free(s);
	s = parse_file(GOOD_DIR, "minimal-for-start.json");
	CHECK(s != NULL && s->has_process && s->process.n_args == 1 && strcmp(s->process.cwd, "/") == 0);
	spec_free(s);
	s = parse_file(GOOD_DIR, "linux-rdma.json");
	CHECK(s != NULL && s->linux_.resources.n_rdma == 3);
	if (s) {
		CHECK_STR(s->linux_.resources.rdma[1].device, "mlx4_0");
		CHECK(!s->linux_.resources.rdma[1].has_hca_handles &&
		      s->linux_.resources.rdma[1].hca_objects == 1000);
	}
	spec_free(s);
	s = parse_file(GOOD_DIR, "linux-netdevice.json");
	CHECK(s != NULL && s->linux_.n_net_devices == 3);
	if (s)
		CHECK_STR(s->linux_.net_devices[0].name, "container_eth0");
	spec_free(s);
}

static void test_bad_corpus(void)
{
	size_t n = 0;
	char **names = list_json(BAD_DIR, &n);

	CHECK(n >= 45);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", BAD_DIR, names[i]);
		cleanup_free char *err_path = xasprintf("%.*s.err", (int)(strlen(path) - 5), path);
		cleanup_free char *data = NULL, *want = NULL;
		struct spec *sentinel = (struct spec *)&n, *s = sentinel;
		struct error err = { 0 };
		size_t len = 0;

		data = slurp(path, &len);
		want = slurp(err_path, NULL);
		CHECK(data != NULL && want != NULL);
		if (data == NULL || want == NULL)
			continue;
		want[strcspn(want, "\n")] = '\0';
		CHECK(spec_parse(data, len, "config.json", &s, &err) < 0);
		CHECK(s == sentinel);
		if (err.msg == NULL || strstr(err.msg, want) == NULL)
			fprintf(stderr, "bad config %s\n", names[i]);
		CHECK_CONTAINS(err.msg, want);
		CHECK(err.errnum == EINVAL);
		if (s != sentinel)
			spec_free(s);
		error_clear(&err);
	}
	strv_free(names);
}

static void test_parse_resources(void)
{
	const char *good = "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":10}}";
	const char *bad = "{\"memory\":{\"limit\":\"x\"}}";
	struct spec_resources *r = NULL;
	struct error err = { 0 };

	CHECK(spec_parse_resources(good, strlen(good), "resources.json", &r, &err) == 0);
	CHECK(r != NULL && r->has_memory && r->memory.limit == 1048576 && r->has_pids && r->pids_limit == 10);
	CHECK(r != NULL && !r->has_cpu && !r->memory.has_swap);
	spec_resources_free(r);
	r = NULL;
	CHECK(spec_parse_resources(bad, strlen(bad), "resources.json", &r, &err) < 0);
	CHECK(r == NULL);
	CHECK_STR(err.msg, "resources.json: .memory.limit: expected an integer, got a string");
	error_clear(&err);
	CHECK(spec_parse_resources("[]", 2, "resources.json", &r, &err) < 0);
	CHECK_STR(err.msg, "resources.json: .: expected an object, got an array");
	error_clear(&err);
	spec_resources_free(NULL);
}

/* spec_get_uint: the bound of the field's width, at both edges, for a 16-bit and a 32-bit field. */
static void test_uint_bounds(void)
{
	static const struct {
		const char *json, *err;
		uint32_t want;
	} cases[] = {
		{ "{\"blockIO\":{\"weight\":65535}}", NULL, 65535 },
		{ "{\"blockIO\":{\"weight\":65536}}",
		  "resources.json: .blockIO.weight: expected an unsigned 16-bit integer, got 65536", 0 },
		{ "{\"blockIO\":{\"weight\":-1}}",
		  "resources.json: .blockIO.weight: expected an unsigned 16-bit integer, got -1", 0 },
		{ "{\"network\":{\"classID\":4294967295}}", NULL, 4294967295u },
		{ "{\"network\":{\"classID\":4294967296}}",
		  "resources.json: .network.classID: expected an unsigned 32-bit integer, got 4294967296",
		  0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct spec_resources *r = NULL;
		struct error err = { 0 };
		int rc =
		    spec_parse_resources(cases[i].json, strlen(cases[i].json), "resources.json", &r, &err);

		if (cases[i].err) {
			CHECK(rc < 0 && r == NULL);
			CHECK_STR(err.msg, cases[i].err);
		} else {
			CHECK(rc == 0 && r != NULL);
			if (r)
				CHECK((r->has_blkio ? r->blkio.weight : r->class_id) == cases[i].want);
		}
		error_clear(&err);
		spec_resources_free(r);
	}
}

static void test_parse_process(void)
{
	const char *good =
	    "{\"terminal\":true,\"args\":[\"/bin/ls\",\"-l\"],\"env\":[\"A=1\"],\"cwd\":\"/tmp\","
	    "\"user\":{\"uid\":1000,\"gid\":100},\"capabilities\":{\"bounding\":[\"CAP_KILL\"]}}";
	const char *bad =
	    "{\"args\":[\"ls\"],\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_TEST\"]}}";
	struct spec_process *p = NULL;
	struct error err = { 0 };

	CHECK(spec_parse_process(good, strlen(good), "process.json", &p, &err) == 0);
	CHECK(p != NULL && p->terminal && p->n_args == 2 && p->args[2] == NULL && p->n_env == 1);
	CHECK(p != NULL && p->user.uid == 1000 && p->capabilities.sets[CAPSET_BOUNDING] == 1ull << 5);
	if (p)
		CHECK_STR(p->cwd, "/tmp");
	spec_process_free(p);
	p = NULL;
	CHECK(spec_parse_process(bad, strlen(bad), "process.json", &p, &err) < 0);
	CHECK(p == NULL);
	CHECK_STR(err.msg, "process.json: .capabilities.bounding[1]: unknown capability \"CAP_TEST\"");
	error_clear(&err);
	CHECK(spec_parse_process("{\"cwd\":\"/\"}", 11, "process.json", &p, &err) < 0);
	CHECK_STR(err.msg, "process.json: .args: expected a non-empty array of strings");
	error_clear(&err);
	spec_process_free(NULL);
}

/* execCPUAffinity is parsed once, in config/, into the cpu_set_t the runtime hands to sched_setaffinity:
 * exactly the listed CPUs; empty means no change (no set); a bad list is a parse error with its path. */
static void test_cpu_affinity(void)
{
	const char *good = "{\"args\":[\"true\"],\"cwd\":\"/\",\"execCPUAffinity\":{\"initial\":\"0-2,5\","
			   "\"final\":\"\"}}";
	struct spec_process *p = NULL;
	struct error err = { 0 };

	CHECK(spec_parse_process(good, strlen(good), "process.json", &p, &err) == 0);
	if (p) {
		const struct spec_cpu_affinity *a = &p->exec_cpu_affinity_initial;
		CHECK(a->cpus != NULL && a->size >= CPU_ALLOC_SIZE(6));
		for (int cpu = 0; a->cpus && cpu < (int)a->size * 8; cpu++)
			CHECK(CPU_ISSET_S((size_t)cpu, a->size, (cpu_set_t *)a->cpus) ==
			      (cpu <= 2 || cpu == 5));
		CHECK_STR(a->list, "0-2,5");
		CHECK(p->exec_cpu_affinity_final.cpus == NULL);
	}
	spec_process_free(p);
	p = NULL;
	static const char *const bad[] = { "2-1", "a", "1,", "1024", "1;2" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char json[160], msg[200];
		snprintf(json, sizeof json,
			 "{\"args\":[\"true\"],\"cwd\":\"/\",\"execCPUAffinity\":{\"final\":\"%s\"}}",
			 bad[i]);
		CHECK(spec_parse_process(json, strlen(json), "process.json", &p, &err) < 0 && p == NULL);
		snprintf(
		    msg, sizeof msg,
		    "process.json: .execCPUAffinity.final: expected a cpu list like \"0-3,7\", got \"%s\"",
		    bad[i]);
		CHECK_STR(err.msg, msg);
		error_clear(&err);
	}
}

static struct spec *parse_str(const char *json, struct error *err)
{
	struct spec *s = NULL;

	if (spec_parse(json, strlen(json), "config.json", &s, err) < 0)
		return NULL;
	return s;
}

static void test_validate(void)
{
	struct error err = { 0 };
	struct spec *s;

	s = parse_str("{\"ociVersion\":\"1.2.0\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
		      "{\"type\":\"network\",\"path\":\"/proc/self/ns/net\"}]}}",
		      &err);
	CHECK(s != NULL);
	CHECK(s && spec_validate(s, "config.json", &err) == 0);
	spec_free(s);

	s = parse_str(
	    "{\"ociVersion\":\"1.2.0\",\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},"
	    "{\"type\":\"network\",\"path\":\"/nonexistent/ns\"}]}}",
	    &err);
	CHECK(s != NULL);
	CHECK(s && spec_validate(s, "config.json", &err) < 0);
	CHECK_STR(err.msg,
		  "config.json: .linux.namespaces[2].path: \"/nonexistent/ns\": No such file or directory");
	error_clear(&err);
	spec_free(s);

	s = parse_str("{\"ociVersion\":\"1.2.0\",\"linux\":{\"namespaces\":[{\"type\":\"network\",\"path\":"
		      "\"/proc/self/ns/uts\"}]}}",
		      &err);
	CHECK(s && spec_validate(s, "config.json", &err) < 0);
	CHECK_STR(err.msg,
		  "config.json: .linux.namespaces[0].path: \"/proc/self/ns/uts\": not a network namespace");
	error_clear(&err);
	spec_free(s);

	s = parse_str(
	    "{\"ociVersion\":\"1.2.0\",\"linux\":{\"namespaces\":[{\"type\":\"mount\",\"path\":\"/proc/self/"
	    "status\"}]}}",
	    &err);
	CHECK(s && spec_validate(s, "config.json", &err) < 0);
	CHECK_CONTAINS(err.msg,
		       "config.json: .linux.namespaces[0].path: \"/proc/self/status\": not a namespace file");
	error_clear(&err);
	spec_free(s);

	/* A capability libcap knows but the running kernel does not. */
	s = parse_str(
	    "{\"ociVersion\":\"1.2.0\",\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],\"capabilities\":"
	    "{\"effective\":[\"CAP_CHOWN\"]}}}",
	    &err);
	CHECK(s && spec_validate(s, "config.json", &err) == 0);
	if (s) {
		s->process.capabilities.sets[CAPSET_PERMITTED] |= 1ull << 63;
		CHECK(spec_validate(s, "config.json", &err) < 0);
		CHECK_CONTAINS(err.msg, "config.json: .process.capabilities.permitted: ");
		CHECK_CONTAINS(err.msg, "is unknown to the running kernel");
	}
	error_clear(&err);
	spec_free(s);

	/* Parsed (a typo would be reported) but not implemented: refused by name, with its path. */
	s = parse_str("{\"ociVersion\":\"1.2.0\",\"mounts\":[{\"destination\":\"/a\",\"type\":\"tmpfs\"},"
		      "{\"destination\":\"/b\",\"source\":\"/tmp\",\"options\":[\"rbind\",\"ridmap\"]}]}",
		      &err);
	CHECK(s && spec_validate(s, "config.json", &err) < 0);
	CHECK_STR(err.msg,
		  "config.json: .mounts[1].options[1]: idmapped mounts (ridmap) are not supported by "
		  "husk (see `husk features`)");
	error_clear(&err);
	spec_free(s);
}

static int write_config(const char *dir, const char *json)
{
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	cleanup_close int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	return fd < 0 ? -1 : write_all(fd, json, strlen(json));
}

static void test_load(void)
{
	char dir[] = "/tmp/husk-test-config-XXXXXX";
	cleanup_free char *path = NULL;
	struct error err = { 0 };
	struct spec *s = NULL;

	CHECK(mkdtemp(dir) != NULL);
	path = xasprintf("%s/config.json", dir);
	CHECK(spec_load(dir, &s, NULL, NULL, &err) < 0 && s == NULL);
	CHECK_CONTAINS(err.msg, "config.json");
	CHECK(err.errnum == ENOENT);
	error_clear(&err);

	CHECK(write_config(dir, "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"}}") == 0);
	CHECK(spec_load(dir, &s, NULL, NULL, &err) == 0 && s != NULL);
	if (s)
		CHECK_STR(s->root_path, "rootfs");
	spec_free(s);
	s = NULL;

	CHECK(write_config(
		  dir,
		  "{\"ociVersion\":\"1.0.0\",\"linux\":{\"resources\":{\"memory\":{\"limit\":\"1g\"}}}}") ==
	      0);
	CHECK(spec_load(dir, &s, NULL, NULL, &err) < 0 && s == NULL);
	CHECK_STR(err.msg, "config.json: .linux.resources.memory.limit: expected an integer, got a string");
	error_clear(&err);

	CHECK(write_config(dir, "{\"ociVersion\":\"1.0.0\",\"linux\":{\"namespaces\":[{\"type\":\"user\","
				"\"path\":\"/nonexistent/user\"}]}}") == 0);
	CHECK(spec_load(dir, &s, NULL, NULL, &err) < 0 && s == NULL);
	CHECK_STR(err.msg,
		  "config.json: .linux.namespaces[0].path: \"/nonexistent/user\": No such file or directory");
	error_clear(&err);
	unlink(path);
	rmdir(dir);
}

/* Go's decoder (runc) takes the last of duplicate keys and null for an absent optional field. */
static void test_go_compat(void)
{
	struct error err = { 0 };
	struct spec *s;

	s = parse_str("{\"ociVersion\":\"9.9.9\",\"ociVersion\":\"1.1.0\",\"hostname\":null,\"linux\":null,"
		      "\"process\":{\"cwd\":\"/\",\"args\":[\"a\"],\"env\":null,\"rlimits\":null}}",
		      &err);
	CHECK(s != NULL);
	if (s) {
		CHECK_STR(s->oci_version, "1.1.0");
		CHECK(s->hostname == NULL && !s->has_linux && s->process.env == NULL &&
		      s->process.n_rlimits == 0);
	}
	spec_free(s);
	CHECK(err.msg == NULL);
	/* A string that could be mistaken for the internal form of a big number stays a string. */
	s = parse_str(
	    "{\"ociVersion\":\"1.0.0\",\"hostname\":\"\\u00011\",\"linux\":{\"namespaces\":[{\"type\":"
	    "\"uts\"}]},\"process\":{\"cwd\":\"/\",\"args\":[\"a\"],\"rlimits\":[{\"type\":\"RLIMIT_CORE\","
	    "\"soft\":18446744073709551615,\"hard\":18446744073709551615}]}}",
	    &err);
	CHECK(s == NULL);
	CHECK_CONTAINS(err.msg, "too big integer");
	error_clear(&err);
}

static void test_names(void)
{
	size_t n;

	CHECK_STR(spec_ns_type_name(NS_PID), "pid");
	CHECK_STR(spec_ns_type_name(NS_NETWORK), "network");
	CHECK_STR(spec_ns_type_name(NS_TIME), "time");
	CHECK(spec_ns_type_name(NS_TYPE_COUNT) == NULL);
	CHECK(spec_ns_type_from_name("cgroup") == NS_CGROUP && spec_ns_type_from_name("net") == -1);
	CHECK(spec_ns_type_from_name(NULL) == -1);
	CHECK_STR(spec_hook_kind_name(HOOK_CREATE_RUNTIME), "createRuntime");
	CHECK_STR(spec_hook_kind_name(HOOK_POSTSTOP), "poststop");
	CHECK(spec_hook_kind_name(HOOK_KIND_COUNT) == NULL);
	CHECK_STR(spec_seccomp_action_name(SECCOMP_ACT_KILL), "SCMP_ACT_KILL");
	CHECK_STR(spec_seccomp_action_name(SECCOMP_ACT_NOTIFY), "SCMP_ACT_NOTIFY");
	CHECK_STR(spec_seccomp_op_name(SECCOMP_OP_MASKED_EQ), "SCMP_CMP_MASKED_EQ");
	CHECK(spec_seccomp_op_name(SECCOMP_OP_COUNT) == NULL);
	for (n = 0; mount_opts_names()[n]; n++)
		;
	CHECK(n == 62);
	for (n = 0; spec_seccomp_flag_names[n]; n++)
		;
	CHECK(n == 4 && strcmp(spec_seccomp_flag_names[2], "SECCOMP_FILTER_FLAG_SPEC_ALLOW") == 0);
	for (n = 0; spec_rlimit_names[n]; n++)
		CHECK(spec_rlimit_from_name(spec_rlimit_names[n]) >= 0);
	CHECK(n == 16);
	CHECK(spec_rlimit_from_name("RLIMIT_NOFILE") == RLIMIT_NOFILE);
	CHECK(spec_rlimit_from_name("RLIMIT_FOO") == -1 && spec_rlimit_from_name(NULL) == -1);
	CHECK(spec_cap_from_name("CAP_CHOWN") == 0);
	CHECK(spec_cap_from_name("CAP_SYS_ADMIN") == 21);
	CHECK(spec_cap_from_name("cap_chown") == -1);
	CHECK(spec_cap_from_name("CAP_chown") == -1);
	CHECK(spec_cap_from_name("0") == -1);
	CHECK(spec_cap_from_name("CAP_TEST") == -1);
	CHECK(spec_cap_from_name("CAP_") == -1);
	CHECK(spec_cap_from_name("CAP_CHOWN ") == -1);
	CHECK(spec_cap_from_name(NULL) == -1);
	CHECK(spec_cap_last_cap() >= 36 && spec_cap_last_cap() < 64);
}

/* CPU and NUMA node lists: "0-3, 7" as the spec writes them; anything else refused. */
static void test_id_list(void)
{
	unsigned long mask[2] = { 0 };
	int high = 0;

	CHECK(spec_parse_id_list("0-3, 7", mask, 128, &high) == 0 && mask[0] == 0x8f && high == 7);
	CHECK(spec_parse_id_list("", mask, 128, &high) == 0 && high == -1);
	CHECK(spec_parse_id_list("64", NULL, 128, &high) == 0 && high == 64);
	CHECK(spec_parse_id_list("3-1", NULL, 128, &high) < 0);
	CHECK(spec_parse_id_list("128", NULL, 128, &high) < 0);
	CHECK(spec_parse_id_list("1,", NULL, 128, &high) < 0);
	CHECK(spec_parse_id_list("1-", NULL, 128, &high) < 0);
	CHECK(spec_parse_id_list("-1", NULL, 128, &high) < 0);
	CHECK(spec_parse_id_list("1;2", NULL, 128, &high) < 0);
}

/* The kernel's rules for an interface name (dev_valid_name, dev_alloc_name's "%d"). */
static void test_ifname(void)
{
	const char *good[] = { "eth0", "a", "container_eth0", "fifteen-bytes-x", "veth.1", "br-x_y@z" };
	const char *bad[] = { "", ".", "..", "a/b", "a:b", "a b", "a\tb", "a\nb", "sixteen-bytes-xx", "e%s" };

	for (size_t i = 0; i < sizeof good / sizeof *good; i++)
		CHECK(spec_valid_ifname(good[i], false) && spec_valid_ifname(good[i], true));
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		CHECK(!spec_valid_ifname(bad[i], false) && !spec_valid_ifname(bad[i], true));
	/* a template names the interface in the container only: the host's never has one */
	CHECK(spec_valid_ifname("eth%d", true) && !spec_valid_ifname("eth%d", false));
	CHECK(!spec_valid_ifname("e%d%d", true) && !spec_valid_ifname("e%", true));
}

UNIT_CASES({ "good_corpus", test_good_corpus }, { "spec_example", test_spec_example },
	   { "runc_default", test_runc_default }, { "podman_style", test_podman_style },
	   { "docker_style", test_docker_style }, { "all_fields", test_all_fields },
	   { "small_good", test_small_good }, { "bad_corpus", test_bad_corpus },
	   { "parse_resources", test_parse_resources }, { "uint_bounds", test_uint_bounds },
	   { "parse_process", test_parse_process }, { "cpu_affinity", test_cpu_affinity },
	   { "validate", test_validate }, { "load", test_load }, { "go_compat", test_go_compat },
	   { "names", test_names }, { "id_list", test_id_list }, { "ifname", test_ifname }, )
