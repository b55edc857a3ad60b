/* Cgroup layout: which hierarchies this host mounts (read once from /proc/self/mountinfo), the
 * hierarchy of a controller, husk's own cgroup, and where linux.cgroupsPath resolves to. The directory
 * lifecycle of a container's cgroup is cgroup.c's. */
#define _GNU_SOURCE
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

static struct cgroup_layout layout;

static bool layout_loaded;

static bool under_sys_fs_cgroup(const char *mountpoint)
{
	return strcmp(mountpoint, "/sys/fs/cgroup") == 0 || strncmp(mountpoint, "/sys/fs/cgroup/", 15) == 0;
}

/* mountinfo line: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS */
static void add_hierarchy(char *line)
{
	char *fields[10], *sep = strstr(line, " - "), *p = line, *fstype, *super;
	size_t nf = 0;

	if (sep == NULL)
		return;
	*sep = '\0';
	while (nf < 5 && (fields[nf] = strsep(&p, " ")) != NULL)
		nf++;
	if (nf < 5)
		return;
	p = sep + 3;
	fstype = strsep(&p, " ");
	strsep(&p, " ");
	super = strsep(&p, " \n");
	if (fstype == NULL || super == NULL)
		return;
	if (strcmp(fstype, "cgroup2") != 0 && strcmp(fstype, "cgroup") != 0)
		return;
	/* only hierarchies mounted at their root: a bind of a subtree is not a place to create cgroups */
	if (strcmp(fields[3], "/") != 0)
		return;
	layout.h = xrealloc(layout.h, (layout.n + 1) * sizeof(*layout.h));
	layout.h[layout.n].mountpoint = xstrdup(fields[4]);
	layout.h[layout.n].v2 = strcmp(fstype, "cgroup2") == 0;
	if (layout.h[layout.n].v2) {
		layout.h[layout.n].controllers = xstrdup("");
	} else {
		/* super options: "rw,cpu" or "rw,name=systemd": drop the generic ones */
		char *out = xcalloc(1, strlen(super) + 1), *tok, *s = super;
		while ((tok = strsep(&s, ",")) != NULL) {
			if (strcmp(tok, "rw") == 0 || strcmp(tok, "ro") == 0 ||
			    strncmp(tok, "release_agent", 13) == 0 || strcmp(tok, "clone_children") == 0 ||
			    strcmp(tok, "noprefix") == 0 || strcmp(tok, "xattr") == 0)
				continue;
			if (*out)
				strcat(out, ",");
			strcat(out, tok);
		}
		layout.h[layout.n].controllers = out;
	}
	/* the same hierarchy mounted twice (a chroot's rbind of /sys, a tool's private copy): keep one,
	 * the mount under /sys/fs/cgroup when there is one, as runc does, else the first seen */
	for (size_t i = 0; i < layout.n; i++) {
		struct cgroup_hierarchy *old = &layout.h[i], *new = &layout.h[layout.n];
		if (old->v2 != new->v2 || strcmp(old->controllers, new->controllers) != 0)
			continue;
		if (!under_sys_fs_cgroup(old->mountpoint) && under_sys_fs_cgroup(new->mountpoint)) {
			free(old->mountpoint);
			old->mountpoint = new->mountpoint;
		} else {
			free(new->mountpoint);
		}
		free(new->controllers);
		return;
	}
	layout.n++;
}

const struct cgroup_layout *cgroup_layout(struct error *err)
{
	cleanup_file FILE *f = NULL;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	bool v1 = false, v2 = false;

	if (layout_loaded)
		return &layout;
	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return error_sys(err, errno, "open /proc/self/mountinfo"), NULL;
	while (getline(&line, &cap, f) > 0)
		if (strstr(line, " - cgroup"))
			add_hierarchy(line);
	for (size_t i = 0; i < layout.n; i++) {
		if (layout.h[i].v2)
			v2 = true;
		else
			v1 = true;
	}
	if (!v1 && !v2)
		return error_set(err, ENOENT,
				 "no cgroup hierarchy is mounted (see --cgroup-manager disabled)"),
		       NULL;
	layout.mode = v1 && v2 ? CGROUP_MODE_HYBRID : v1 ? CGROUP_MODE_V1 : CGROUP_MODE_V2;
	layout_loaded = true;
	return &layout;
}

const struct cgroup_hierarchy *cgroup_find(const char *controller)
{
	struct error err = { 0 };

	if (cgroup_layout(&err) == NULL) {
		error_clear(&err);
		return NULL;
	}
	for (size_t i = 0; i < layout.n; i++) {
		if (controller == NULL) {
			if (layout.h[i].v2)
				return &layout.h[i];
			continue;
		}
		if (layout.h[i].v2)
			continue;
		char *list = layout.h[i].controllers;
		size_t len = strlen(controller);
		for (char *p = strstr(list, controller); p; p = strstr(p + 1, controller))
			if ((p == list || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
				return &layout.h[i];
	}
	return NULL;
}

/* husk's own cgroup in the hierarchy used for relative paths: the v2 entry ("0::") on a pure v2
 * host, else the pids controller, which is not subject to the nested-memory-cgroup quirk. */
/* husk's own cgroup in the hierarchy whose /proc/self/cgroup controller field is want ("" for v2) */
static int own_cgroup_in(const char *want, char **ret, struct error *err)
{
	cleanup_file FILE *f = fopen("/proc/self/cgroup", "re");
	cleanup_free char *line = NULL;
	size_t cap = 0;

	if (f == NULL)
		return error_sys(err, errno, "open /proc/self/cgroup");
	while (getline(&line, &cap, f) > 0) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		c2[strcspn(c2 + 1, "\n") + 1] = '\0';
		if (strcmp(c1 + 1, want) == 0) {
			*ret = xstrdup(c2 + 1);
			return 0;
		}
	}
	*ret = xstrdup("/");
	return 0;
}

static int own_cgroup(char **ret, struct error *err)
{
	return own_cgroup_in(layout.mode == CGROUP_MODE_V2 ? "" : "pids", ret, err);
}

bool cgroup_path_is_default(const char *cgroups_path)
{
	return cgroups_path == NULL || *cgroups_path == '\0';
}

int cgroup_resolve_path(const char *cgroups_path, const char *id, char **ret, struct error *err)
{
	cleanup_free char *own = NULL;

	if (cgroup_path_is_default(cgroups_path)) {
		/* crun's default on every host, and runc's when it runs in the root cgroup: no parent to make
		 * and remove around each lone container (with fresh, create refuses one that exists) */
		*ret = xasprintf("/%s", id);
		return 0;
	}
	/* refuse "..": the path is joined under each hierarchy's mountpoint and must stay inside it */
	for (const char *p = cgroups_path; (p = strstr(p, "..")) != NULL; p += 2)
		if ((p == cgroups_path || p[-1] == '/') && (p[2] == '\0' || p[2] == '/'))
			return error_set(err, EINVAL, "cgroupsPath '%s': '..' is not allowed", cgroups_path);
	if (strchr(cgroups_path, ':') && cgroups_path[0] != '/')
		return error_set(
		    err, EINVAL,
		    "cgroupsPath '%s' looks like a systemd slice:prefix:name path, but --systemd-cgroup "
		    "was not given (pass it, or use an absolute path)",
		    cgroups_path);
	if (cgroups_path[0] == '/') {
		*ret = xstrdup(cgroups_path);
		return 0;
	}
	if (cgroup_layout(err) == NULL || own_cgroup(&own, err) < 0)
		return -1;
	*ret = xasprintf("%s/%s", strcmp(own, "/") == 0 ? "" : own, cgroups_path);
	return 0;
}

bool cgroup_writable(const char *path)
{
	struct error err = { 0 };

	if (cgroup_layout(&err) == NULL) {
		error_clear(&err);
		return false;
	}
	for (size_t i = 0; i < layout.n; i++) {
		cleanup_free char *dir = xasprintf("%s%s", layout.h[i].mountpoint, path);
		char *slash;
		/* the cgroup itself, or the nearest ancestor it would be made in */
		while (access(dir, F_OK) < 0 && (slash = strrchr(dir, '/')) != NULL &&
		       (size_t)(slash - dir) > strlen(layout.h[i].mountpoint))
			*slash = '\0';
		/* the file the init's join writes (cgroup_open_procs): tasks in a v1 hierarchy */
		cleanup_free char *procs = xasprintf("%s/%s", dir, layout.h[i].v2 ? "cgroup.procs" : "tasks");
		if (faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) < 0 ||
		    faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) < 0)
			return false;
		if (layout.h[i].v2) {
			/* v2 moves a process only for a writer of the common ancestor's cgroup.procs:
			 * husk must already run inside the delegated subtree */
			cleanup_free char *own = NULL;
			const char *sub = dir + strlen(layout.h[i].mountpoint);
			size_t n = strlen(sub);
			if (own_cgroup_in("", &own, &err) < 0) {
				error_clear(&err);
				return false;
			}
			if (strncmp(own, sub, n) != 0 || (own[n] != '\0' && own[n] != '/'))
				return false;
		}
	}
	return layout.n > 0;
}
