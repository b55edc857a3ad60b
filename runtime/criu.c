/* checkpoint and restore through CRIU, the way runc 1.1 drives it: the two verbs, from the container's
 * state (or the bundle) to one criu_req (DUMP, PRE_DUMP or RESTORE) and back to husk's state; restore
 * makes the state directory and cgroup and rolls them back on failure. The RPC with `criu swrk` and its
 * NOTIFY callbacks are criu-swrk.c's, the options and external resources criu-describe.c's. Nothing of
 * CRIU's human output is parsed; when CRIU cannot run at all, `criu check` says why. */
#define _GNU_SOURCE
#include "criu-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "config/spec.h"
#include "container.h"
#include "base/log.h"
#include "rootfs.h"
#include "state.h"
#include "systemd.h"
#include "base/util.h"

#ifdef HUSK_CRIU

const bool criu_built = true;

#define CRIU_ROOT "criu-root" /* restore: the rootfs bind-mounted for CRIU's "root" */

/* checkpoint's flags into o, before CRIU is asked anything (ps holds --page-server, its address in
 * *ret_psaddr, the caller's to free). */
static int checkpoint_flags(const struct criu_args *a, CriuOpts *o, CriuPageServerInfo *ps, char **ret_psaddr,
			    struct error *err)
{
	if (criu_common_opts(a, o, err) < 0)
		return -1;
	if (a->page_server) {
		const char *colon = strrchr(a->page_server, ':');
		uint64_t port;
		if (colon == NULL || colon == a->page_server || parse_u64(colon + 1, &port) < 0 ||
		    port == 0 || port > 65535)
			return error_set(err, EINVAL, "--page-server: expected ADDRESS:PORT, got '%s'",
					 a->page_server);
		*ret_psaddr = strndup(a->page_server, (size_t)(colon - a->page_server));
		ps->address = *ret_psaddr;
		ps->has_port = true;
		ps->port = (int32_t)port;
		o->ps = ps;
	}
	if (a->status_fd >= 0) {
		int fl = fcntl(a->status_fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY)
			return error_set(err, EBADF, "invalid --status-fd argument %d: %s", a->status_fd,
					 fl < 0 ? "not an open descriptor" : "not writable");
	}
	return 0;
}

/* The container to checkpoint: its state directory and record, running or paused. */
static int checkpoint_open(const struct criu_args *a, int *dirfd, struct state_record **rec,
			   struct error *err)
{
	enum container_status st;

	if (state_open_dir(a->root, a->id, true, dirfd, err) < 0 || state_read(*dirfd, a->id, rec, err) < 0)
		return -1;
	st = state_status(*dirfd, *rec);
	if (st != STATUS_RUNNING && st != STATUS_PAUSED)
		/* runc: "container cannot be checkpointed in created state" */
		return error_set(
		    err, EINVAL,
		    "container '%s' cannot be checkpointed: it is %s (only a running or paused one can)",
		    a->id, status_name(st));
	return 0;
}

/* The dump's options into o, from the record and config: the image and work directories, the
 * process, the freezer (*freezer, the caller's to free), the external mounts (ext) and network
 * namespace (*external, *n_external), and descriptors.json. */
static int checkpoint_opts(const struct criu_args *a, const struct state_record *rec, const struct spec *spec,
			   int imgfd, int workfd, CriuOpts *o, char **freezer, struct ext_list *ext,
			   char ***external, size_t *n_external, struct error *err)
{
	o->images_dir_fd = imgfd;
	if (workfd >= 0) {
		o->has_work_dir_fd = true;
		o->work_dir_fd = workfd;
	}
	o->log_file = (char *)(a->pre_dump ? "predump.log" : "dump.log");
	o->root = rec->rootfs;
	o->has_pid = true;
	o->pid = rec->pid;
	o->has_leave_running = true;
	o->leave_running = a->leave_running || a->pre_dump;
	if (a->parent_path) {
		o->parent_img = (char *)a->parent_path;
		o->has_track_mem = true;
		o->track_mem = true;
	}
	if ((*freezer = criu_freezer_path(rec->cgroup_path)) != NULL)
		o->freeze_cgroup = *freezer;
	if (!a->pre_dump) {
		const char *netns = NULL;
		criu_external_mounts(spec, rec->bundle, rec->cgroup_path, rec->pid, false, ext);
		o->ext_mnt = ext->v;
		o->n_ext_mnt = ext->n;
		/* a network namespace joined by path is not the container's to save: mark it external,
		 * restore joins whichever the config names (runc's extRootNetNS) */
		if (criu_has_ns(spec, NS_NETWORK, &netns) && netns) {
			struct stat nst;
			if (stat(netns, &nst) < 0)
				return error_sys(err, errno,
						 "config.json: .linux.namespaces: network path '%s'", netns);
			*external = xcalloc(1, sizeof(char *));
			(*external)[(*n_external)++] =
			    xasprintf("net[%llu]:extRootNetNS", (unsigned long long)nst.st_ino);
			o->external = *external;
			o->n_external = *n_external;
		}
		if (criu_write_descriptors(imgfd, rec->pid, err) < 0)
			return -1;
	}
	return 0;
}

/* The DUMP or PRE_DUMP request through `criu swrk`, its stdio /dev/null; its log is in the work
 * directory if any, else the image directory. */
static int checkpoint_dump(const struct criu_args *a, CriuOpts *o, pid_t pid, int imgfd, int workfd,
			   const char *image, const char *work, struct error *err)
{
	CriuReq req = CRIU_REQ__INIT;
	CriuResp *resp = NULL;
	struct swrk s = { .sock = -1, .pid = -1 };
	struct notify_ctx n = { .a = a };
	int r = -1, nullfd;

	req.type = a->pre_dump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP;
	req.opts = o;
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd < 0)
		return error_sys(err, errno, "open /dev/null");
	log_debug("criu swrk: %s of pid %d into %s", criu_req_name(req.type), pid, image);
	if (swrk_start(&s, (const int[]){ nullfd, nullfd, STDERR_FILENO }, NULL, 0, err) < 0 ||
	    swrk_call(&s, &req, &n, &resp, err) < 0)
		goto out;
	if (!resp->success) {
		criu_failed(resp, &req, workfd >= 0 ? workfd : imgfd, work ? work : image, o->log_file, err);
		goto out;
	}
	r = 0;
out:
	if (resp)
		criu_resp__free_unpacked(resp, NULL);
	swrk_stop(&s);
	close(nullfd);
	return r;
}

int container_checkpoint(const struct criu_args *a, struct error *err)
{
	cleanup_close int dirfd = -1, imgfd = -1, workfd = -1;
	cleanup_free char *image = criu_abs_path(a->image_path ? a->image_path : "checkpoint");
	cleanup_free char *work = a->work_path ? criu_abs_path(a->work_path) : NULL, *freezer = NULL;
	struct state_record *rec = NULL;
	struct spec *spec = NULL;
	struct ext_list ext = { 0 };
	CriuOpts o = CRIU_OPTS__INIT;
	CriuPageServerInfo ps = CRIU_PAGE_SERVER_INFO__INIT;
	char **external = NULL;
	size_t n_external = 0;
	cleanup_free char *psaddr = NULL;
	int r = -1;

	if (checkpoint_open(a, &dirfd, &rec, err) < 0)
		goto out;
	/* the flags first: a bad value is the caller's mistake, whatever CRIU can do here */
	if (checkpoint_flags(a, &o, &ps, &psaddr, err) < 0)
		goto out;
	if (criu_preflight(a->root, err) < 0)
		goto out;
	if (rec->config == NULL ||
	    spec_parse(rec->config, strlen(rec->config), "config.json", &spec, err) < 0)
		goto out;
	if ((a->pre_dump && criu_check_feature(true, false, "--pre-dump", err) < 0) ||
	    (a->lazy_pages && criu_check_feature(false, true, "--lazy-pages", err) < 0))
		goto out;
	/* 0700 as runc: the images hold the container's whole memory */
	if ((imgfd = criu_open_dir(image, 0700, "--image-path", err)) < 0)
		goto out;
	if (work && (workfd = criu_open_dir(work, 0700, "--work-path", err)) < 0)
		goto out;
	if (checkpoint_opts(a, rec, spec, imgfd, workfd, &o, &freezer, &ext, &external, &n_external, err) <
		0 ||
	    checkpoint_dump(a, &o, rec->pid, imgfd, workfd, image, work, err) < 0)
		goto out;
	r = 0;
out:
	criu_ext_free(&ext);
	for (size_t i = 0; i < n_external; i++)
		free(external[i]);
	free(external);
	spec_free(spec);
	state_record_free(rec);
	if (dirfd >= 0) {
		close(dirfd);
		dirfd = -1;
	}
	if (r == 0 && !a->leave_running && !a->pre_dump) {
		/* CRIU has stopped the container: it goes, as runc destroys it after a checkpoint */
		struct error e = { 0 };
		if (container_delete(a->root, a->id, true, &e) < 0)
			log_warn("checkpoint: delete the stopped container: %s, ignoring", e.msg);
		error_clear(&e);
	}
	return r;
}

static int wait_restored(pid_t pid, int *ret_status, struct error *err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_sys(err, errno, "wait for the restored container");
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

/* The bundle, as create loads it: its real path, config.json read, parsed and validated, the rootfs's
 * real path. The out-parameters are the caller's to free; untouched on failure. */
static int restore_bundle(const char *dir, char **ret_bundle, char **ret_raw, struct spec **ret_spec,
			  char **ret_rootfs, struct error *err)
{
	cleanup_free char *bundle = realpath(dir, NULL), *cfg = NULL, *raw = NULL, *root = NULL;
	struct spec *spec = NULL;
	char *rootfs;
	size_t len;

	if (bundle == NULL)
		return error_sys(err, errno, "bundle '%s'", dir);
	cfg = xasprintf("%s/config.json", bundle);
	if (read_file_at(AT_FDCWD, cfg, SPEC_MAX_SIZE, &raw, &len, err) < 0 ||
	    spec_parse(raw, len, "config.json", &spec, err) < 0)
		return -1;
	if (spec_validate(spec, "config.json", err) < 0)
		goto fail;
	if (spec->root_path == NULL) {
		error_set(err, EINVAL, "config.json: .root.path: required on Linux");
		goto fail;
	}
	root = spec->root_path[0] == '/' ? xstrdup(spec->root_path)
					 : xasprintf("%s/%s", bundle, spec->root_path);
	rootfs = realpath(root, NULL);
	if (rootfs == NULL) {
		error_sys(err, errno, "config.json: .root.path: '%s'", root);
		goto fail;
	}
	*ret_bundle = steal_ptr(&bundle);
	*ret_raw = steal_ptr(&raw);
	*ret_spec = spec;
	*ret_rootfs = rootfs;
	return 0;
fail:
	spec_free(spec);
	return -1;
}

/* One restore, from the bundle to the committed state file: what its steps share, what
 * restore_release, restore_rollback and restore_free undo. */
struct restore {
	const struct criu_args *a;
	int dirfd, imgfd, workfd, netfd;
	char *image, *work, *bundle, *rootfs, *raw, *cgroup_path, *criu_root, *owner;
	struct spec *spec;
	struct ext_list ext;
	CriuReq req;
	CriuOpts o;
	CgroupRoot cgr, *cgrv[1];
	CriuResp *resp;
	struct swrk s;
	struct state_record rec;
	struct notify_ctx n;
	InheritFd **inh, netinh;
	size_t n_inh;
	unsigned long cg_created;
	bool cg_default; /* linux.cgroupsPath missing: /<id>, which must not exist yet */
	struct systemd_unit sd;
	bool mounted, dir_made, sd_started;
	pid_t pid;
	int extra[1];
	size_t n_extra;
};

/* Before anything is made: the bundle, the flags, CRIU itself, the images, the cgroup's path (with
 * the systemd driver, the unit's, the host checked as create does). */
static int restore_prepare(struct restore *r, struct error *err)
{
	const struct criu_args *a = r->a;

	if (restore_bundle(a->bundle ? a->bundle : ".", &r->bundle, &r->raw, &r->spec, &r->rootfs, err) < 0)
		return -1;
	r->n.spec = r->spec;
	if (criu_common_opts(a, &r->o, err) < 0 || criu_preflight(a->root, err) < 0)
		return -1;
	if ((r->imgfd = open(r->image, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return error_sys(err, errno, "--image-path: open '%s'", r->image);
	if (faccessat(r->imgfd, "inventory.img", F_OK, 0) < 0)
		return error_set(err, ENOENT, "--image-path: '%s' holds no checkpoint (no inventory.img)",
				 r->image);
	if (r->work && (r->workfd = criu_open_dir(r->work, 0700, "--work-path", err)) < 0)
		return -1;
	if (a->lazy_pages && criu_check_feature(false, true, "--lazy-pages", err) < 0)
		return -1;
	if (!a->cgroups_disabled && a->systemd_cgroup) {
		/* the systemd driver, as create: the host is checked before anything exists */
		if (systemd_parse_path(r->spec->linux_.cgroups_path, a->id, &r->sd, err) < 0 ||
		    systemd_unit_annotations(&r->sd, &r->spec->annotations, err) < 0 ||
		    systemd_check_host(err) < 0)
			return -1;
		r->cgroup_path = xstrdup(r->sd.path);
	} else if (!a->cgroups_disabled &&
		   cgroup_resolve_path(r->spec->linux_.cgroups_path, a->id, &r->cgroup_path, err) < 0) {
		return -1;
	} else if (!a->cgroups_disabled) {
		r->cg_default = cgroup_path_is_default(r->spec->linux_.cgroups_path);
	}
	return 0;
}

/* After the state directory: the cgroup noted in it (the systemd scope's unit too) and, without
 * systemd, made with the config's limits; the mount points; the rootfs bound on criu-root; the
 * record's fields known so far. */
static int restore_setup(struct restore *r, struct error *err)
{
	const struct criu_args *a = r->a;
	const struct spec *spec = r->spec;

	if (r->cgroup_path && r->sd.unit) {
		/* the scope is made once criu runs (it is the scope's first process): noted before, so
		 * delete --force after a killed restore finds the unit */
		if (cgroup_check_existing(r->cgroup_path, false, err) < 0 ||
		    state_note_create(r->dirfd, false, r->cgroup_path, r->sd.unit, NULL, err) < 0)
			return -1;
	} else if (r->cgroup_path) {
		if (cgroup_check_existing(r->cgroup_path, r->cg_default, err) < 0 ||
		    state_note_create(r->dirfd, false, r->cgroup_path, NULL, NULL, err) < 0 ||
		    cgroup_create(r->cgroup_path, r->cg_default, ~0UL, &r->cg_created, err) < 0)
			return -1;
		if (spec->linux_.has_resources &&
		    cgroup_apply_resources(r->cgroup_path, &spec->linux_.resources, err) < 0)
			return -1;
	}
	if (criu_restore_mountpoints(spec, r->bundle, r->rootfs, err) < 0)
		return -1;
	/* CRIU wants its "root" to be a mount point: the rootfs bound under the state directory, as
	 * runc's criu-root */
	r->criu_root = xasprintf("%s/%s/%s", a->root, a->id, CRIU_ROOT);
	if (mkdir(r->criu_root, 0755) < 0 || mount(r->rootfs, r->criu_root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return error_sys(err, errno, "bind the rootfs on '%s'", r->criu_root);
	r->mounted = true;
	r->rec.bundle = r->bundle;
	r->rec.rootfs = r->rootfs;
	r->rec.oci_version = spec->oci_version;
	r->rec.annotations = spec->annotations;
	r->rec.cgroup_path = r->cgroup_path;
	r->rec.systemd_unit = r->sd.unit;
	{
		const char *pidns = NULL;
		r->rec.own_pidns = criu_has_ns(spec, NS_PID, &pidns) && pidns == NULL;
	}
	return 0;
}

/* The RESTORE request's options: the directories, criu-root, the external mounts, the stdio
 * inherited where the init had pipes, the configured network namespace (fd 4 of criu swrk). */
static int restore_opts(struct restore *r, struct error *err)
{
	CriuOpts *o = &r->o;
	const char *netns = NULL;

	o->images_dir_fd = r->imgfd;
	if (r->workfd >= 0) {
		o->has_work_dir_fd = true;
		o->work_dir_fd = r->workfd;
	}
	o->log_file = (char *)"restore.log";
	o->root = r->criu_root;
	o->has_rst_sibling = true;
	o->rst_sibling = true;
	o->has_evasive_devices = true;
	o->evasive_devices = true;
	criu_external_mounts(r->spec, r->bundle, r->cgroup_path, 0, true, &r->ext);
	o->ext_mnt = r->ext.v;
	o->n_ext_mnt = r->ext.n;
	criu_inherit_stdio(r->imgfd, &r->inh, &r->n_inh);
	if (criu_has_ns(r->spec, NS_NETWORK, &netns) && netns) {
		/* join the configured network namespace, the one the dump marked external */
		if ((r->netfd = open(netns, O_RDONLY | O_CLOEXEC)) < 0)
			return error_sys(err, errno, "config.json: .linux.namespaces: network path '%s'",
					 netns);
		r->extra[r->n_extra++] = r->netfd;
		r->netinh.key = (char *)"extRootNetNS";
		r->netinh.fd = 4;
		r->inh = xrealloc(r->inh, (r->n_inh + 1) * sizeof(*r->inh));
		r->inh[r->n_inh++] = &r->netinh;
	}
	o->inherit_fd = r->inh;
	o->n_inherit_fd = r->n_inh;
	r->req.type = CRIU_REQ_TYPE__RESTORE;
	r->req.opts = o;
	return 0;
}

/* criu swrk, started, into the container's cgroup: with systemd, the transient scope made with criu
 * in it (another container's scope is left out of the rollback); CRIU's cgroup root mapped on it. */
static int restore_enter_cgroup(struct restore *r, struct error *err)
{
	if (r->cgroup_path && r->sd.unit) {
		/* as runc's systemd manager Apply(criu's pid): the transient scope is made with criu in it,
		 * the limits go into its files, and CRIU restores the tasks into its own cgroup, the scope */
		const struct spec_resources *res =
		    r->spec->linux_.has_resources ? &r->spec->linux_.resources : NULL;
		if (systemd_start_owned(&r->sd, r->s.pid, r->a->id, res, &r->sd_started, &r->cgroup_path,
					err) < 0)
			return -1;
	} else if (r->cgroup_path && cgroup_enter(r->cgroup_path, r->s.pid, err) < 0) {
		return -1;
	}
	if (r->cgroup_path) {
		/* CRIU restores the tasks into its own cgroup (runc's criuApplyCgroups): it is in the
		 * config's now; map the dumped cgroup root onto it */
		r->cgr.path = r->cgroup_path;
		r->cgrv[0] = &r->cgr;
		r->o.cg_root = r->cgrv;
		r->o.n_cg_root = 1;
	}
	return 0;
}

/* The restored init's pid from CRIU's answer, the state file written, --pid-file. */
static int restore_commit(struct restore *r, struct error *err)
{
	const struct criu_args *a = r->a;
	int ret = 0;

	r->pid = r->resp->restore ? r->resp->restore->pid : r->n.restored_pid;
	r->rec.pid = r->pid;
	r->rec.pid_start = proc_start_time(r->pid, NULL);
	r->rec.created = now_rfc3339();
	r->rec.owner = r->owner;
	r->rec.config = r->raw;
	r->rec.has_poststart = r->spec->hooks.n[HOOK_POSTSTART] > 0;
	r->rec.has_poststop = r->spec->hooks.n[HOOK_POSTSTOP] > 0;
	if (state_write(r->dirfd, &r->rec, err) < 0 ||
	    (a->pid_file && write_pid_file(a->pid_file, r->pid, err) < 0))
		ret = -1;
	free(r->rec.created);
	r->rec.created = (char *)"";
	return ret;
}

/* What every restore drops, failed or not: CRIU's answer and process, criu-root, the options'
 * lists, the config. */
static void restore_release(struct restore *r)
{
	if (r->resp)
		criu_resp__free_unpacked(r->resp, NULL);
	r->resp = NULL;
	swrk_stop(&r->s);
	if (r->mounted)
		umount2(r->criu_root, MNT_DETACH);
	if (r->criu_root)
		rmdir(r->criu_root);
	criu_ext_free(&r->ext);
	for (size_t i = 0; i < r->n_inh; i++)
		if (r->inh[i] != &r->netinh) {
			free(r->inh[i]->key);
			free(r->inh[i]);
		}
	free(r->inh);
	r->inh = NULL;
	r->n_inh = 0;
	spec_free(r->spec);
	r->spec = NULL;
}

/* A failed restore after its state directory was made: the restored tasks killed, the cgroup
 * emptied (removed if restore made it), the systemd scope stopped, the state directory removed. */
static void restore_rollback(struct restore *r)
{
	struct error e = { 0 };

	if (r->pid > 0)
		kill(r->pid, SIGKILL);
	if (r->cgroup_path && (r->cg_created || r->pid > 0) &&
	    cgroup_destroy_some(r->cgroup_path, r->cg_created, &e) < 0)
		log_warn("restore rollback: %s, ignoring", e.msg);
	error_clear(&e);
	if (r->pid > 0)
		waitpid(r->pid, NULL, 0);
	if (r->sd_started && systemd_stop(r->sd.unit, &e) < 0)
		log_warn("restore rollback: %s, ignoring", e.msg);
	error_clear(&e);
	state_remove_dir(r->a->root, r->a->id, r->dirfd, NULL);
}

/* The descriptors and strings, at container_restore's return. */
static void restore_free(struct restore *r)
{
	if (r->dirfd >= 0)
		close(r->dirfd);
	if (r->imgfd >= 0)
		close(r->imgfd);
	if (r->workfd >= 0)
		close(r->workfd);
	if (r->netfd >= 0)
		close(r->netfd);
	free(r->image);
	free(r->work);
	free(r->bundle);
	free(r->rootfs);
	free(r->raw);
	free(r->cgroup_path);
	free(r->criu_root);
	free(r->owner);
}

int container_restore(const struct criu_args *a, int *ret_status, struct error *err)
{
	__attribute__((cleanup(restore_free))) struct restore r = {
		.a = a,
		.dirfd = -1,
		.imgfd = -1,
		.workfd = -1,
		.netfd = -1,
		.image = criu_abs_path(a->image_path ? a->image_path : "checkpoint"),
		.work = a->work_path ? criu_abs_path(a->work_path) : NULL,
		.owner = user_name(geteuid()),
		.req = CRIU_REQ__INIT,
		.o = CRIU_OPTS__INIT,
		.cgr = CGROUP_ROOT__INIT,
		.s = { .sock = -1, .pid = -1 },
		.rec = { .id = (char *)a->id, .created = (char *)"" },
		.n = { .a = a },
		.netinh = INHERIT_FD__INIT,
		.pid = -1,
	};
	int ret = -1;

	r.n.rec = &r.rec;
	*ret_status = 0;
	if (restore_prepare(&r, err) < 0 || state_create_dir(a->root, a->id, &r.dirfd, err) < 0)
		goto out;
	r.dir_made = true;
	/* from here on every failure is rolled back */
	if (restore_setup(&r, err) < 0 || restore_opts(&r, err) < 0)
		goto out;
	if (swrk_start(&r.s, (const int[]){ STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO }, r.extra, r.n_extra,
		       err) < 0 ||
	    restore_enter_cgroup(&r, err) < 0)
		goto out;
	log_debug("criu swrk: restore of %s into '%s'", r.image, a->id);
	if (swrk_call(&r.s, &r.req, &r.n, &r.resp, err) < 0)
		goto out;
	if (!r.resp->success) {
		criu_failed(r.resp, &r.req, r.workfd >= 0 ? r.workfd : r.imgfd, r.work ? r.work : r.image,
			    r.o.log_file, err);
		goto out;
	}
	if (restore_commit(&r, err) < 0)
		goto out;
	ret = 0;
out:
	restore_release(&r);
	if (ret < 0 && r.dir_made)
		restore_rollback(&r);
	systemd_unit_free(&r.sd);
	if (ret < 0)
		return -1;
	close(r.dirfd);
	r.dirfd = -1;
	if (a->detach)
		return 0;
	/* in the foreground, as runc: wait for it, then delete it */
	if (wait_restored(r.pid, ret_status, err) < 0)
		return -1;
	return container_delete(a->root, a->id, true, err);
}

#else /* !HUSK_CRIU */

const bool criu_built = false;

#define NOT_BUILT                                                                                            \
	"checkpoint/restore: this husk was built without CRIU support (protoc-c, libprotobuf-c and criu's "  \
	"rpc.proto were missing at build time)"

int container_checkpoint(const struct criu_args *a, struct error *err)
{
	return error_set(err, ENOTSUP, NOT_BUILT);
}

int container_restore(const struct criu_args *a, int *ret_status, struct error *err)
{
	return error_set(err, ENOTSUP, NOT_BUILT);
}

#endif
