/* What husk tells CRIU about a container: the options both verbs share (the runc flags), the mounts
 * CRIU cannot dump or restore by itself (external binds, cgroup binds, masked files, host device
 * nodes), the mount points a fresh rootfs lacks, the freezer, and the init's stdio (descriptors.json). */
#define _GNU_SOURCE
#include "criu-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "container.h"
#include "rootfs.h"
#include "state.h"
#include "base/util.h"

#ifdef HUSK_CRIU

#define DESCRIPTORS_FILE "descriptors.json" /* the init's stdio at dump time, runc's file name */

static int parse_cg_mode(const char *s, CriuCgMode *ret, struct error *err)
{
	static const struct {
		const char *name;
		CriuCgMode mode;
	} modes[] = { { "soft", CRIU_CG_MODE__SOFT },
		      { "full", CRIU_CG_MODE__FULL },
		      { "strict", CRIU_CG_MODE__STRICT },
		      { "ignore", CRIU_CG_MODE__IGNORE } };

	for (size_t i = 0; i < ARRAY_SIZE(modes); i++)
		if (strcmp(s, modes[i].name) == 0) {
			*ret = modes[i].mode;
			return 0;
		}
	return error_set(err, EINVAL,
			 "--manage-cgroups-mode: invalid mode '%s' (soft, full, strict or ignore)", s);
}

/* Options both verbs share, as runc sets them. */
int criu_common_opts(const struct criu_args *a, CriuOpts *o, struct error *err)
{
	uint32_t empty = 0;

	o->has_log_level = true;
	o->log_level = 4;
	o->has_manage_cgroups = true;
	o->manage_cgroups = true;
	o->has_notify_scripts = true;
	o->notify_scripts = true;
	o->has_shell_job = true;
	o->shell_job = a->shell_job;
	o->has_ext_unix_sk = true;
	o->ext_unix_sk = a->ext_unix_sk;
	o->has_tcp_established = true;
	o->tcp_established = a->tcp_established;
	o->has_file_locks = true;
	o->file_locks = a->file_locks;
	o->has_orphan_pts_master = true;
	o->orphan_pts_master = true;
	o->has_auto_dedup = true;
	o->auto_dedup = a->auto_dedup;
	o->has_lazy_pages = true;
	o->lazy_pages = a->lazy_pages;
	for (size_t i = 0; i < a->n_empty_ns; i++) {
		/* runc's namespaceMapping knows the network namespace only */
		if (strcmp(a->empty_ns[i], "network") != 0)
			return error_set(err, EINVAL,
					 "--empty-ns: namespace '%s' is not supported (only 'network')",
					 a->empty_ns[i]);
		empty |= CLONE_NEWNET;
	}
	o->has_empty_ns = true;
	o->empty_ns = empty;
	if (a->manage_cgroups_mode) {
		if (parse_cg_mode(a->manage_cgroups_mode, &o->manage_cgroups_mode, err) < 0)
			return -1;
		o->has_manage_cgroups_mode = true;
	}
	return 0;
}

/* mkdir -p with mode, then open it as a directory. */
int criu_open_dir(const char *path, mode_t mode, const char *flag, struct error *err)
{
	cleanup_free char *p = xstrdup(path);
	int fd;

	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return error_sys(err, errno, "%s: mkdir '%s'", flag, p);
			*s = '/';
		}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		return error_sys(err, errno, "%s: mkdir '%s'", flag, p);
	fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_sys(err, errno, "%s: open '%s'", flag, p);
	return fd;
}

char *criu_abs_path(const char *p)
{
	char cwd[PATH_MAX];

	if (p[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return path_clean(p);
	cleanup_free char *j = xasprintf("%s/%s", cwd, p);
	return path_clean(j);
}

static void ext_add(struct ext_list *l, const char *key, const char *val)
{
	ExtMountMap *m = xmalloc(sizeof *m);

	ext_mount_map__init(m);
	m->key = xstrdup(key);
	m->val = xstrdup(val);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = m;
}

void criu_ext_free(struct ext_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i]->key);
		free(l->v[i]->val);
		free(l->v[i]);
	}
	free(l->v);
}

static bool mount_is_bind(const struct spec_mount *m)
{
	return m->opts.bind || (m->type && strcmp(m->type, "bind") == 0);
}

bool criu_has_ns(const struct spec *s, enum spec_ns_type t, const char **ret_path)
{
	for (size_t i = 0; i < s->linux_.n_namespaces; i++)
		if (s->linux_.namespaces[i].type == t) {
			if (ret_path)
				*ret_path = s->linux_.namespaces[i].path;
			return true;
		}
	return false;
}

/* Whether the mount on dest in pid's mount namespace is a bind of a subdirectory (its root is not
 * "/"): then CRIU cannot make it by itself and it must be described as external. */
static bool mounted_as_bind(pid_t pid, const char *dest)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	bool bind = false;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/mountinfo", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	while (getline(&line, &cap, f) > 0) {
		char root[PATH_MAX], mnt[PATH_MAX];
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ...; the last mount on dest wins */
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) == 2 && strcmp(mnt, dest) == 0)
			bind = strcmp(root, "/") != 0;
	}
	free(line);
	fclose(f);
	return bind;
}

/* The mounts CRIU cannot dump or restore by itself, as runc's addCriuDumpMount/addCriuRestoreMount
 * describe them: bind mounts from the host (key: the mountpoint, the id it is saved under; on restore
 * the id maps to the source), the cgroup binds of the container's cgroup, masked files (binds of
 * /dev/null) and, in a user namespace, the device nodes bound from the host. */
void criu_external_mounts(const struct spec *s, const char *bundle, const char *cgroup_path, pid_t pid,
			  bool restore, struct ext_list *l)
{
	bool cgroupns = criu_has_ns(s, NS_CGROUP, NULL);
	const struct cgroup_layout *lay = cgroup_layout(&(struct error){ 0 });

	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];

		if (mount_is_bind(m) && m->source) {
			cleanup_free char *src =
			    m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
			ext_add(l, m->destination, restore ? src : m->destination);
		} else if (m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0) &&
			   cgroup_path && lay &&
			   (!(lay->mode == CGROUP_MODE_V2 && cgroupns) || restore ||
			    mounted_as_bind(pid, m->destination))) {
			/* a fresh cgroup2 mount in a cgroup namespace is CRIU's to save; the bind of the
			 * cgroup's directory husk makes otherwise is external (what the init mounted is
			 * read back from its mountinfo, not guessed from the config). On restore the
			 * mapping is always given: CRIU uses it only for a mount the images call external */
			/* mounts.c binds each hierarchy's directory of the container's cgroup */
			for (size_t h = 0; h < lay->n; h++) {
				cleanup_free char *mp = xstrdup(lay->h[h].mountpoint);
				cleanup_free char *dst =
				    lay->mode == CGROUP_MODE_V2
					? xstrdup(m->destination)
					: xasprintf("%s/%s", m->destination, basename(mp));
				cleanup_free char *src = xasprintf("%s%s", lay->h[h].mountpoint, cgroup_path);
				ext_add(l, dst, restore ? src : dst);
			}
		}
	}
	if (s->linux_.n_masked_paths) {
		if (restore)
			ext_add(l, "/dev/null", "/dev/null");
		else
			for (size_t i = 0; i < s->linux_.n_masked_paths; i++) {
				/* a masked directory is a read-only tmpfs, which CRIU saves itself; a masked
				 * file is a bind of /dev/null (runc's addMaskPaths) */
				cleanup_free char *p =
				    xasprintf("/proc/%d/root%s", pid, s->linux_.masked_paths[i]);
				struct stat st;
				if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode))
					ext_add(l, s->linux_.masked_paths[i], "/dev/null");
			}
	}
	if (criu_has_ns(s, NS_USER, NULL)) {
		static const char *const nodes[] = { "/dev/null",   "/dev/zero",    "/dev/full",
						     "/dev/random", "/dev/urandom", "/dev/tty" };
		for (size_t i = 0; i < ARRAY_SIZE(nodes); i++)
			ext_add(l, nodes[i], nodes[i]);
		for (size_t i = 0; i < s->linux_.n_devices; i++)
			ext_add(l, s->linux_.devices[i].path, s->linux_.devices[i].path);
	}
}

/* Whether path is strictly below dir ("/dev/shm" below "/dev"; "/dev" is not below itself). */
static bool path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(path, dir, n) == 0 && path[n] == '/' && path[n + 1] != '\0';
}

/* The mount points of the config's mounts, as runc's prepareCriuRestoreMounts makes them: a rootfs that
 * is not the checkpointed container's own (containerd's restore prepares a fresh snapshot of the image)
 * lacks the directories and files create made to mount on, and CRIU cannot mount onto a missing path
 * ("Can't stat mountpoint"). Paths below a tmpfs of the config are left to CRIU, which restores the
 * tmpfs with its contents. Made through the rootfs fd, never resolving outside it: the rootfs is the
 * container's, a symlink in it must not make husk create paths on the host. */
int criu_restore_mountpoints(const struct spec *s, const char *bundle, const char *rootfs, struct error *err)
{
	cleanup_close int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (rootfd < 0)
		return error_sys(err, errno, "open the rootfs '%s'", rootfs);
	for (size_t i = 0; i < s->n_mounts; i++) {
		const struct spec_mount *m = &s->mounts[i];
		bool in_tmpfs = false, file = false;

		for (size_t j = 0; j < s->n_mounts && !in_tmpfs; j++)
			in_tmpfs = j != i && s->mounts[j].type && strcmp(s->mounts[j].type, "tmpfs") == 0 &&
				   path_below(m->destination, s->mounts[j].destination);
		if (in_tmpfs)
			continue;
		if (mount_is_bind(m) && m->source) {
			/* a bind of a file needs a file to mount on, as at create */
			cleanup_free char *src =
			    m->source[0] == '/' ? xstrdup(m->source) : xasprintf("%s/%s", bundle, m->source);
			struct stat st;
			file = stat(src, &st) == 0 && !S_ISDIR(st.st_mode);
		}
		if (rootfs_mkdir_in(rootfd, m->destination, file, err) < 0)
			return error_wrap(err, "restore: the mount point of '%s'", m->destination);
	}
	return 0;
}

/* The freezer CRIU should use instead of ptrace to stop the tasks (runc's FreezeCgroup). */
char *criu_freezer_path(const char *cgroup_path)
{
	const struct cgroup_hierarchy *h = cgroup_find("freezer");

	if (cgroup_path == NULL)
		return NULL;
	if (h == NULL)
		h = cgroup_find(NULL);
	return h ? xasprintf("%s%s", h->mountpoint, cgroup_path) : NULL;
}

/* The init's stdio as runc's descriptors.json records it (a JSON array of /proc/PID/fd/N links), so a
 * restore can hand its own pipes in place of the dumped ones. */
int criu_write_descriptors(int imgfd, pid_t pid, struct error *err)
{
	char links[3][PATH_MAX];
	const char *v[3];
	cleanup_free char *json = NULL;

	for (int i = 0; i < 3; i++) {
		char p[64];
		ssize_t n;

		snprintf(p, sizeof p, "/proc/%d/fd/%d", pid, i);
		n = readlink(p, links[i], sizeof links[i] - 1);
		links[i][n < 0 ? 0 : n] = '\0';
		v[i] = n < 0 ? "/dev/null" : links[i];
	}
	json = descriptors_to_json(v, 3);
	return write_file_atomic(imgfd, DESCRIPTORS_FILE, json, strlen(json), 0600, err);
}

/* The restore's pipes: where the dumped init's stdio was a pipe, CRIU gives it ours (runc's
 * descriptors.json + inherit_fd). */
void criu_inherit_stdio(int imgfd, InheritFd ***v, size_t *n)
{
	cleanup_free char *data = NULL;
	size_t len;
	struct error e = { 0 };
	char **fds = NULL;
	size_t nfds = 0;

	if (read_file_at(imgfd, DESCRIPTORS_FILE, 1u << 16, &data, &len, &e) < 0 ||
	    descriptors_parse(data, len, &fds, &nfds, &e) < 0) {
		error_clear(&e);
		return;
	}
	for (size_t i = 0; i < nfds && i < 3; i++) {
		if (strstr(fds[i], "pipe:") == NULL)
			continue;
		InheritFd *f = xmalloc(sizeof *f);
		inherit_fd__init(f);
		f->key = xstrdup(fds[i]);
		f->fd = (int32_t)i;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = f;
	}
	strv_free(fds);
}

#endif
