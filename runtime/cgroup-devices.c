/* Device access rules of linux.resources.devices on the v1 devices controller. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup-bpf.h"
#include "log.h"
#include "util.h"

/* Devices runc allows in every container whatever the config says: the standard /dev nodes and ptys.
 * Without them a default-deny config would break /dev/null. */
static const struct spec_device_cgroup default_allow[] = {
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 3,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 5,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 7,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 8,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 9,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 5,
	  .has_minor = true,
	  .minor = 0,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 5,
	  .has_minor = true,
	  .minor = 1,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 5,
	  .has_minor = true,
	  .minor = 2,
	  .access = "rwm" },
	{ .allow = true, .type = 'c', .has_major = true, .major = 136, .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 10,
	  .has_minor = true,
	  .minor = 200,
	  .access = "rwm" },
};

const struct spec_device_cgroup *cgroup_default_devices(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(default_allow);
	return default_allow;
}

static void rule_text(const struct spec_device_cgroup *d, char *buf, size_t size)
{
	char major[24] = "*", minor[24] = "*";

	if (d->has_major && d->major >= 0)
		snprintf(major, sizeof major, "%lld", (long long)d->major);
	if (d->has_minor && d->minor >= 0)
		snprintf(minor, sizeof minor, "%lld", (long long)d->minor);
	if (d->type == 'a' || d->type == 0)
		snprintf(buf, size, "a");
	else
		snprintf(buf, size, "%c %s:%s %s", d->type, major, minor, d->access ? d->access : "rwm");
}

static int write_rule(const char *dir, const struct spec_device_cgroup *d, struct error *err)
{
	char rule[96];
	cleanup_free char *file = xasprintf("%s/%s", dir, d->allow ? "devices.allow" : "devices.deny");

	rule_text(d, rule, sizeof rule);
	log_debug("write %s \"%s\"", file, rule);
	return write_file_at(AT_FDCWD, file, rule, strlen(rule), err);
}

/* cgroup v2 (or a hybrid host without the v1 devices controller): one eBPF program on the container's
 * v2 cgroup. cgroup_bpf_attach attaches the new program before it detaches the old one, so an update
 * never opens a window in which a device allowed by both is denied. */
static int devices_bpf(const struct cgroup_hierarchy *v2, const char *path, const struct spec_resources *r,
		       struct error *err)
{
	cleanup_free char *dir = xasprintf("%s%s", v2->mountpoint, path);
	cleanup_free struct bpf_insn *insns = NULL;
	size_t n = 0;

	cgroup_bpf_program(r->devices, r->n_devices, default_allow, ARRAY_SIZE(default_allow), &insns, &n);
	if (cgroup_bpf_attach(dir, insns, n, err) == 0)
		return 0;
	/* as runc: without CAP_BPF/CAP_SYS_ADMIN (rootless in a delegated subtree) the filter cannot be
	 * loaded. Nothing is lost: an unprivileged user cannot mknod, and the device nodes it can reach
	 * are guarded by their own permissions */
	if (geteuid() != 0 && (err->errnum == EPERM || err->errnum == EACCES)) {
		log_warn("linux.resources.devices not applied (rootless: %s)", err->msg);
		error_clear(err);
		return 0;
	}
	return error_wrap(err, "linux.resources.devices");
}

int cgroup_devices(const char *path, const struct spec_resources *r, struct error *err)
{
	const struct cgroup_hierarchy *h = cgroup_find("devices"), *v2 = cgroup_find(NULL);
	cleanup_free char *dir = NULL;

	if (r->n_devices == 0)
		return 0;
	if (h == NULL && v2 != NULL)
		return devices_bpf(v2, path, r, err);
	if (h == NULL)
		return error_set(err, ENOTSUP,
				 "linux.resources.devices: neither a v1 devices controller nor cgroup v2 "
				 "is mounted");
	dir = xasprintf("%s%s", h->mountpoint, path);
	for (size_t i = 0; i < r->n_devices; i++)
		if (write_rule(dir, &r->devices[i], err) < 0)
			return error_wrap(err, "linux.resources.devices[%zu]", i);
	for (size_t i = 0; i < ARRAY_SIZE(default_allow); i++)
		if (write_rule(dir, &default_allow[i], err) < 0)
			return -1;
	return 0;
}
