/* Carrying out a cgroup plan (cgroup-plan.c builds it): each write in the directory of the hierarchy
 * that holds its controller, and the v2 controllers enabled down to the container's cgroup. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "cgroup-plan.h"
#include "cgroup.h"

/* list_has LIST NAME: NAME is a word of LIST (cgroup.controllers, cgroup.subtree_control) */
static bool list_has(const char *list, const char *name)
{
	size_t len = strlen(name);

	for (const char *s = strstr(list, name); s; s = strstr(s + 1, name))
		if ((s == list || s[-1] == ' ') && (s[len] == ' ' || s[len] == '\n' || s[len] == '\0'))
			return true;
	return false;
}

unsigned long cgroup_v2_mask(void)
{
	/* read once per process, like the layout: create checks and then applies the same plan */
	static bool known;
	static unsigned long mask;
	const struct cgroup_hierarchy *v2 = cgroup_find(NULL);
	cleanup_free char *file = NULL, *data = NULL;
	struct error e = { 0 };

	if (known)
		return mask;
	known = true;
	if (v2 == NULL)
		return 0;
	file = xasprintf("%s/cgroup.controllers", v2->mountpoint);
	if (read_file_at(AT_FDCWD, file, 4096, &data, NULL, &e) < 0) {
		error_clear(&e);
		return 0;
	}
	for (int c = 0; c < CG_CONTROLLER_COUNT; c++) {
		/* a controller that a v1 hierarchy holds cannot be active in the v2 tree */
		if (cgroup_find(cg_controller_name(c, false)) != NULL)
			continue;
		if (list_has(data, cg_controller_name(c, true)))
			mask |= 1UL << c;
	}
	return mask;
}

int cgroup_v2_enable(const char *path, unsigned long mask, struct error *err)
{
	const struct cgroup_hierarchy *v2 = cgroup_find(NULL);
	cleanup_free char *buf = xcalloc(1, 256);
	size_t len = 0;

	if (v2 == NULL || mask == 0)
		return 0;
	/* every ancestor from the root down to the parent must delegate the controllers to its children */
	const char *end = strrchr(path, '/');
	size_t plen = end ? (size_t)(end - path) : 0;
	for (size_t i = 0; i <= plen; i++) {
		if (i != plen && path[i] != '/')
			continue;
		cleanup_free char *file =
		    xasprintf("%s%.*s/cgroup.subtree_control", v2->mountpoint, (int)i, path);
		cleanup_free char *enabled = NULL;
		struct error e = { 0 };
		/* write only what is missing: a rootless user's delegated subtree lies below ancestors
		 * that already delegate the controllers but whose cgroup.subtree_control only root may
		 * write (runc writes there too but ignores the error) */
		if (read_file_at(AT_FDCWD, file, 4096, &enabled, NULL, &e) < 0)
			error_clear(&e);
		len = 0;
		for (int c = 0; c < CG_CONTROLLER_COUNT; c++)
			if ((mask & (1UL << c)) &&
			    !(enabled && list_has(enabled, cg_controller_name(c, true))))
				len += (size_t)snprintf(buf + len, 256 - len, "%s+%s", len ? " " : "",
							cg_controller_name(c, true));
		if (len == 0)
			continue;
		log_debug("write %s \"%s\"", file, buf);
		if (write_file_at(AT_FDCWD, file, buf, len, err) < 0)
			return error_wrap(err, "enable cgroup v2 controllers '%s'", buf);
	}
	return 0;
}

static int open_alternative(int dirfd, const char *files, char **ret_name)
{
	cleanup_free char *copy = xstrdup(files);
	int fd = -1;

	for (char *s = copy, *f; (f = strsep(&s, "|")) != NULL;) {
		fd = openat(dirfd, f, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 || errno != ENOENT) {
			*ret_name = xstrdup(f);
			return fd;
		}
	}
	*ret_name = xstrdup(files);
	errno = ENOENT;
	return -1;
}

/* The realtime time the parent cgroup grants, for an EINVAL on cpu.rt_*: the kernel refuses a runtime
 * above the period or above what the parent has left, and says only "Invalid argument". */
static char *rt_budget(int dirfd)
{
	char runtime[32] = "", period[32] = "";
	const char *files[] = { "../cpu.rt_runtime_us", "../cpu.rt_period_us" };
	char *out[] = { runtime, period };

	for (int i = 0; i < 2; i++) {
		cleanup_close int fd = openat(dirfd, files[i], O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, out[i], 31);

		if (n <= 0)
			return NULL;
		out[i][n] = '\0';
		out[i][strcspn(out[i], "\n")] = '\0';
	}
	return xasprintf(" (the runtime must not exceed the period, and the parent cgroup grants %s us of "
			 "realtime per %s us to all its children together)",
			 runtime, period);
}

static int write_one(int dirfd, const struct cg_write *w, struct error *err)
{
	cleanup_free char *name = NULL;
	cleanup_close int fd = open_alternative(dirfd, w->file, &name);

	log_debug("write %s \"%s\"", name, w->value);
	if (fd < 0 && errno == ENOENT && w->optional)
		return 0;
	if (fd < 0 && errno == ENOENT)
		return error_set(err, ENOTSUP,
				 "linux.resources.%s: this kernel has no '%s' in the %s controller", w->field,
				 name, cg_controller_name(w->controller, false));
	if (fd < 0 || write_all(fd, w->value, strlen(w->value)) < 0) {
		int e = errno;
		cleanup_free char *budget = NULL;

		if (e == EINVAL && strncmp(name, "cpu.rt_", 7) == 0)
			budget = rt_budget(dirfd);
		return error_sys(err, e, "linux.resources.%s: write '%s' to %s%s", w->field, w->value, name,
				 budget ? budget : "");
	}
	return 0;
}

static int controller_dir(const struct cg_plan *p, enum cg_controller c, const char *path, struct error *err)
{
	const struct cgroup_hierarchy *h =
	    (p->v2_mask & (1UL << c)) ? cgroup_find(NULL) : cgroup_find(cg_controller_name(c, false));
	cleanup_free char *dir = NULL;
	int fd;

	if (h == NULL)
		return error_set(err, ENOTSUP, "the %s cgroup controller is not available on this host",
				 cg_controller_name(c, false));
	dir = xasprintf("%s%s", h->mountpoint, path);
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_sys(err, errno, "open cgroup '%s'", dir);
	return fd;
}

int cgroup_plan_apply(const struct cg_plan *p, const char *path, struct error *err)
{
	int dirs[CG_CONTROLLER_COUNT];
	int r = -1;

	for (int c = 0; c < CG_CONTROLLER_COUNT; c++)
		dirs[c] = -1;
	for (size_t i = 0; i < p->n; i++) {
		const struct cg_write *w = &p->w[i];
		if (dirs[w->controller] < 0 &&
		    (dirs[w->controller] = controller_dir(p, w->controller, path, err)) < 0) {
			error_wrap(err, "linux.resources.%s", w->field);
			goto out;
		}
		if (write_one(dirs[w->controller], w, err) == 0)
			continue;
		if (w->swap_pair && err->errnum == EINVAL && i + 1 < p->n) {
			/* lowering below memsw or raising above it: the other order works */
			error_clear(err);
			if (write_one(dirs[w->controller], &p->w[i + 1], err) < 0 ||
			    write_one(dirs[w->controller], w, err) < 0)
				goto out;
			i++;
			continue;
		}
		if (w->best_effort) {
			log_warn("%s, ignoring", err->msg);
			error_clear(err);
			continue;
		}
		goto out;
	}
	r = 0;
out:
	for (int c = 0; c < CG_CONTROLLER_COUNT; c++)
		if (dirs[c] >= 0)
			close(dirs[c]);
	return r;
}
