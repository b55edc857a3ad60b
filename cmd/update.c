/* husk update: change the resource limits of a live container, from runc's flags or a LinuxResources
 * JSON document (--resources FILE, or - for stdin). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config/spec.h"
#include "runtime/container.h"
#include "runtime/base/util.h"

struct update_flags {
	const char *resources, *memory, *memory_swap, *memory_reservation, *kernel_memory, *kernel_memory_tcp;
	const char *cpu_shares, *cpu_quota, *cpu_period, *cpu_rt_runtime, *cpu_rt_period, *cpuset_cpus,
	    *cpuset_mems;
	const char *pids_limit, *blkio_weight;
};

static int flag_i64(const char *name, const char *v, bool *has, int64_t *out, struct error *err)
{
	if (v == NULL)
		return 0;
	if (parse_i64(v, out) < 0)
		return error_set(err, EINVAL, "update: --%s: expected an integer, got \"%s\"", name, v);
	*has = true;
	return 0;
}

static int flag_u64(const char *name, const char *v, bool *has, uint64_t *out, struct error *err)
{
	if (v == NULL)
		return 0;
	if (parse_u64(v, out) < 0)
		return error_set(err, EINVAL, "update: --%s: expected a non-negative integer, got \"%s\"",
				 name, v);
	*has = true;
	return 0;
}

/* A memory size as runc takes it (go-units' RAMInBytes): "-1", or a number (fraction allowed), an
 * optional space, then an optional k/m/g/t/p (powers of 1024), "i" and "b", any case: 64m, 1.5g,
 * 512MiB, 100kb, 4096. */
static int parse_ram(const char *v, int64_t *ret)
{
	static const char units[] = "kmgtp";
	const char *s = v, *u;
	long double n, mult = 1;
	char *end;

	if (strcmp(v, "-1") == 0) {
		*ret = -1;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtold(s, &end);
	/* strtold also takes hex, exponents, "inf": only digits with one optional fraction */
	for (const char *q = s; q < end; q++)
		if (!isdigit((unsigned char)*q) && *q != '.')
			return -1;
	if (errno != 0 || end == s || end[-1] == '.')
		return -1;
	s = end;
	if (*s == ' ')
		s++;
	if (*s && (u = strchr(units, tolower((unsigned char)*s))) != NULL) {
		for (long i = 0; i <= u - units; i++)
			mult *= 1024;
		s++;
	}
	if (*s == 'i' || *s == 'I')
		s++;
	if (*s == 'b' || *s == 'B')
		s++;
	if (*s != '\0' || n * mult >= 9223372036854775807.0L)
		return -1;
	*ret = (int64_t)(n * mult);
	return 0;
}

static int flag_ram(const char *name, const char *v, bool *has, int64_t *out, struct error *err)
{
	if (v == NULL)
		return 0;
	if (parse_ram(v, out) < 0)
		return error_set(err, EINVAL,
				 "update: --%s: invalid size \"%s\" (expected bytes or a size such as 64m, "
				 "1.5g, 512MiB; -1 for no limit)",
				 name, v);
	*has = true;
	return 0;
}

/* runc's individual flags, layered over (or instead of) the JSON document. */
static int apply_flags(const struct update_flags *f, struct spec_resources *r, struct error *err)
{
	struct spec_memory *m = &r->memory;
	struct spec_cpu *c = &r->cpu;
	bool any_mem = false, any_cpu = false, weight = false;
	uint64_t w = 0;

	if (flag_ram("memory", f->memory, &m->has_limit, &m->limit, err) < 0 ||
	    flag_ram("memory-swap", f->memory_swap, &m->has_swap, &m->swap, err) < 0 ||
	    flag_ram("memory-reservation", f->memory_reservation, &m->has_reservation, &m->reservation, err) <
		0 ||
	    flag_ram("kernel-memory", f->kernel_memory, &m->has_kernel, &m->kernel, err) < 0 ||
	    flag_ram("kernel-memory-tcp", f->kernel_memory_tcp, &m->has_kernel_tcp, &m->kernel_tcp, err) <
		0 ||
	    flag_u64("cpu-share", f->cpu_shares, &c->has_shares, &c->shares, err) < 0 ||
	    flag_i64("cpu-quota", f->cpu_quota, &c->has_quota, &c->quota, err) < 0 ||
	    flag_u64("cpu-period", f->cpu_period, &c->has_period, &c->period, err) < 0 ||
	    flag_i64("cpu-rt-runtime", f->cpu_rt_runtime, &c->has_realtime_runtime, &c->realtime_runtime,
		     err) < 0 ||
	    flag_u64("cpu-rt-period", f->cpu_rt_period, &c->has_realtime_period, &c->realtime_period, err) <
		0 ||
	    flag_i64("pids-limit", f->pids_limit, &r->has_pids, &r->pids_limit, err) < 0 ||
	    flag_u64("blkio-weight", f->blkio_weight, &weight, &w, err) < 0)
		return -1;
	if (f->cpuset_cpus) {
		free(c->cpus);
		c->cpus = xstrdup(f->cpuset_cpus);
	}
	if (f->cpuset_mems) {
		free(c->mems);
		c->mems = xstrdup(f->cpuset_mems);
	}
	any_mem =
	    f->memory || f->memory_swap || f->memory_reservation || f->kernel_memory || f->kernel_memory_tcp;
	any_cpu = f->cpu_shares || f->cpu_quota || f->cpu_period || f->cpu_rt_runtime || f->cpu_rt_period ||
		  f->cpuset_cpus || f->cpuset_mems;
	r->has_memory |= any_mem;
	r->has_cpu |= any_cpu;
	/* 0 is runc's "not set" (its flag's default) */
	if (weight && w != 0) {
		if (w < 10 || w > 1000)
			return error_set(err, EINVAL, "update: --blkio-weight: expected 10 to 1000, got %llu",
					 (unsigned long long)w);
		r->has_blkio = true;
		r->blkio.has_weight = true;
		r->blkio.weight = (uint16_t)w;
	}
	return 0;
}

/* A limit the kernel refuses is reported by its JSON name (linux.resources.cpu.period); when it came
 * from a flag, the flag leads the message too. */
static void name_flag(const struct update_flags *f, struct error *err)
{
	static const struct {
		const char *flag, *field;
		size_t off;
	} map[] = {
		{ "memory", "memory.limit", offsetof(struct update_flags, memory) },
		{ "memory-swap", "memory.swap", offsetof(struct update_flags, memory_swap) },
		{ "memory-reservation", "memory.reservation",
		  offsetof(struct update_flags, memory_reservation) },
		{ "kernel-memory", "memory.kernel", offsetof(struct update_flags, kernel_memory) },
		{ "kernel-memory-tcp", "memory.kernelTCP", offsetof(struct update_flags, kernel_memory_tcp) },
		{ "cpu-share", "cpu.shares", offsetof(struct update_flags, cpu_shares) },
		{ "cpu-quota", "cpu.quota", offsetof(struct update_flags, cpu_quota) },
		{ "cpu-period", "cpu.period", offsetof(struct update_flags, cpu_period) },
		{ "cpu-rt-runtime", "cpu.realtimeRuntime", offsetof(struct update_flags, cpu_rt_runtime) },
		{ "cpu-rt-period", "cpu.realtimePeriod", offsetof(struct update_flags, cpu_rt_period) },
		{ "cpuset-cpus", "cpu.cpus", offsetof(struct update_flags, cpuset_cpus) },
		{ "cpuset-mems", "cpu.mems", offsetof(struct update_flags, cpuset_mems) },
		{ "pids-limit", "pids.limit", offsetof(struct update_flags, pids_limit) },
		{ "blkio-weight", "blockIO.weight", offsetof(struct update_flags, blkio_weight) },
	};
	static const char prefix[] = "linux.resources.";

	if (strncmp(err->msg, prefix, sizeof prefix - 1) != 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
		const char *given = *(const char *const *)((const char *)f + map[i].off);
		size_t len = strlen(map[i].field);

		if (given && strncmp(err->msg + sizeof prefix - 1, map[i].field, len) == 0 &&
		    strchr(":/ ", err->msg[sizeof prefix - 1 + len]) != NULL) {
			error_wrap(err, "update: --%s", map[i].flag);
			return;
		}
	}
}

static int load_resources(const char *path, struct spec_resources **ret, struct error *err)
{
	cleanup_free char *data = NULL;
	size_t len;

	if (path == NULL) {
		*ret = xcalloc(1, sizeof(**ret));
		return 0;
	}
	/* "-" is stdin: containerd pipes the JSON in */
	if (read_input_at(AT_FDCWD, strcmp(path, "-") == 0 ? "/dev/stdin" : path, 16 << 20, &data, &len,
			  err) < 0)
		return error_wrap(err, "update: --resources");
	return spec_parse_resources(data, len, strcmp(path, "-") == 0 ? "<stdin>" : path, ret, err);
}

VERB_FN(update)
{
	struct update_flags f = { 0 };
	const struct opt opts[] = {
		{ "resources", 'r', OPT_STRING, &f.resources, "LinuxResources JSON file, or - for stdin" },
		{ "memory", 0, OPT_STRING, &f.memory, "memory limit (bytes, or 64m, 1g; -1: none)" },
		{ "memory-swap", 0, OPT_STRING, &f.memory_swap, "memory plus swap limit (as --memory)" },
		{ "memory-reservation", 0, OPT_STRING, &f.memory_reservation,
		  "memory soft limit (as --memory)" },
		{ "kernel-memory", 0, OPT_STRING, &f.kernel_memory, "kernel memory limit (deprecated)" },
		{ "kernel-memory-tcp", 0, OPT_STRING, &f.kernel_memory_tcp,
		  "kernel TCP memory limit (deprecated)" },
		{ "cpu-share", 0, OPT_STRING, &f.cpu_shares, "relative CPU weight (CPU shares)" },
		{ "cpu-shares", 0, OPT_STRING, &f.cpu_shares, "the same as --cpu-share" },
		{ "cpu-quota", 0, OPT_STRING, &f.cpu_quota, "CPU time in microseconds per period" },
		{ "cpu-period", 0, OPT_STRING, &f.cpu_period, "CFS period in microseconds" },
		{ "cpu-rt-runtime", 0, OPT_STRING, &f.cpu_rt_runtime, "realtime runtime in microseconds" },
		{ "cpu-rt-period", 0, OPT_STRING, &f.cpu_rt_period, "realtime period in microseconds" },
		{ "cpuset-cpus", 0, OPT_STRING, &f.cpuset_cpus, "CPUs to run on (0-3,5)" },
		{ "cpuset-mems", 0, OPT_STRING, &f.cpuset_mems, "memory nodes (0-1)" },
		{ "pids-limit", 0, OPT_STRING, &f.pids_limit, "maximum number of tasks" },
		{ "blkio-weight", 0, OPT_STRING, &f.blkio_weight, "block IO weight (10-1000)" },
	};
	struct spec_resources *r = NULL;
	const char *id;
	int index, ret;

	ret = cli_verb_flags(argc, argv, &index, "[options] ID", "Update the resource limits of a container.",
			     opts, ARRAY_SIZE(opts), err);
	if (ret != 0)
		return ret < 0 ? 1 : 0;
	if (cli_one_id(argc, argv, index, &id, err) < 0 || load_resources(f.resources, &r, err) < 0)
		return 1;
	ret = 0;
	if (apply_flags(&f, r, err) < 0)
		ret = 1;
	else if (container_update(g->root, id, r, err) < 0) {
		name_flag(&f, err);
		ret = 1;
	}
	spec_resources_free(r);
	return ret;
}
