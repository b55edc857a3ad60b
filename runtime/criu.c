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

int container_checkpoint(const struct criu_args *a, struct error *err)
{
	cleanup_close int dirfd = -1, imgfd = -1, workfd = -1;
	cleanup_free char *image = criu_abs_path(a->image_path ? a->image_path : "checkpoint");
	cleanup_free char *work = a->work_path ? criu_abs_path(a->work_path) : NULL, *freezer = NULL;
	struct state_record *rec = NULL;
	struct spec *spec = NULL;
	struct ext_list ext = { 0 };
	CriuReq req = CRIU_REQ__INIT;
	CriuOpts o = CRIU_OPTS__INIT;
	CriuPageServerInfo ps = CRIU_PAGE_SERVER_INFO__INIT;
	CriuResp *resp = NULL;
	struct swrk s = { .sock = -1, .pid = -1 };
	struct notify_ctx n = { .a = a };
	char **external = NULL;
	size_t n_external = 0;
	cleanup_free char *psaddr = NULL;
	enum container_status st;
	int r = -1, nullfd = -1;

	if (state_open_dir(a->root, a->id, true, &dirfd, err) < 0 || state_read(dirfd, a->id, &rec, err) < 0)
		goto out;
	st = state_status(dirfd, rec);
	if (st != STATUS_RUNNING && st != STATUS_PAUSED) {
		/* runc: "container cannot be checkpointed in created state" */
		error_set(
		    err, EINVAL,
		    "container '%s' cannot be checkpointed: it is %s (only a running or paused one can)",
		    a->id, status_name(st));
		goto out;
	}
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
	o.images_dir_fd = imgfd;
	if (workfd >= 0) {
		o.has_work_dir_fd = true;
		o.work_dir_fd = workfd;
	}
	o.log_file = (char *)(a->pre_dump ? "predump.log" : "dump.log");
	o.root = rec->rootfs;
	o.has_pid = true;
	o.pid = rec->pid;
	o.has_leave_running = true;
	o.leave_running = a->leave_running || a->pre_dump;
	if (a->parent_path) {
		o.parent_img = (char *)a->parent_path;
		o.has_track_mem = true;
		o.track_mem = true;
	}
	if ((freezer = criu_freezer_path(rec->cgroup_path)) != NULL)
		o.freeze_cgroup = freezer;
	if (!a->pre_dump) {
		const char *netns = NULL;
		criu_external_mounts(spec, rec->bundle, rec->cgroup_path, rec->pid, false, &ext);
		o.ext_mnt = ext.v;
		o.n_ext_mnt = ext.n;
		/* a network namespace joined by path is not the container's to save: mark it external,
		 * restore joins whichever the config names (runc's extRootNetNS) */
		if (criu_has_ns(spec, NS_NETWORK, &netns) && netns) {
			struct stat nst;
			if (stat(netns, &nst) < 0) {
				error_sys(err, errno, "config.json: .linux.namespaces: network path '%s'",
					  netns);
				goto out;
			}
			external = xcalloc(1, sizeof(char *));
			external[n_external++] =
			    xasprintf("net[%llu]:extRootNetNS", (unsigned long long)nst.st_ino);
			o.external = external;
			o.n_external = n_external;
		}
		if (criu_write_descriptors(imgfd, rec->pid, err) < 0)
			goto out;
	}
	req.type = a->pre_dump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP;
	req.opts = &o;
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd < 0) {
		error_sys(err, errno, "open /dev/null");
		goto out;
	}
	log_debug("criu swrk: %s of pid %d into %s", criu_req_name(req.type), rec->pid, image);
	if (swrk_start(&s, (const int[]){ nullfd, nullfd, STDERR_FILENO }, NULL, 0, err) < 0 ||
	    swrk_call(&s, &req, &n, &resp, err) < 0)
		goto out;
	if (!resp->success) {
		criu_failed(resp, &req, workfd >= 0 ? workfd : imgfd, work ? work : image, o.log_file, err);
		goto out;
	}
	r = 0;
out:
	if (resp)
		criu_resp__free_unpacked(resp, NULL);
	swrk_stop(&s);
	if (nullfd >= 0)
		close(nullfd);
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

int container_restore(const struct criu_args *a, int *ret_status, struct error *err)
{
	cleanup_close int dirfd = -1, imgfd = -1, workfd = -1, netfd = -1;
	cleanup_free char *image = criu_abs_path(a->image_path ? a->image_path : "checkpoint");
	cleanup_free char *work = a->work_path ? criu_abs_path(a->work_path) : NULL;
	cleanup_free char *bundle = NULL, *rootfs = NULL, *raw = NULL, *cgroup_path = NULL, *criu_root = NULL;
	cleanup_free char *owner = user_name(geteuid());
	struct spec *spec = NULL;
	struct ext_list ext = { 0 };
	CriuReq req = CRIU_REQ__INIT;
	CriuOpts o = CRIU_OPTS__INIT;
	CgroupRoot cgr = CGROUP_ROOT__INIT, *cgrv[1] = { &cgr };
	CriuResp *resp = NULL;
	struct swrk s = { .sock = -1, .pid = -1 };
	struct state_record rec = { .id = (char *)a->id, .created = (char *)"" };
	struct notify_ctx n = { .a = a, .rec = &rec };
	InheritFd **inh = NULL, netinh = INHERIT_FD__INIT;
	size_t n_inh = 0;
	unsigned long cg_created = 0;
	struct systemd_unit sd = { 0 };
	bool mounted = false, dir_made = false, sd_started = false;
	const char *netns = NULL;
	pid_t pid = -1;
	int r = -1, extra[1];
	size_t n_extra = 0;

	*ret_status = 0;
	if (restore_bundle(a->bundle ? a->bundle : ".", &bundle, &raw, &spec, &rootfs, err) < 0)
		goto out;
	n.spec = spec;
	if (criu_common_opts(a, &o, err) < 0 || criu_preflight(a->root, err) < 0)
		goto out;
	if ((imgfd = open(image, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error_sys(err, errno, "--image-path: open '%s'", image);
		goto out;
	}
	if (faccessat(imgfd, "inventory.img", F_OK, 0) < 0) {
		error_set(err, ENOENT, "--image-path: '%s' holds no checkpoint (no inventory.img)", image);
		goto out;
	}
	if (work && (workfd = criu_open_dir(work, 0700, "--work-path", err)) < 0)
		goto out;
	if (a->lazy_pages && criu_check_feature(false, true, "--lazy-pages", err) < 0)
		goto out;
	if (!a->cgroups_disabled && a->systemd_cgroup) {
		/* the systemd driver, as create: the host is checked before anything exists */
		if (systemd_parse_path(spec->linux_.cgroups_path, a->id, &sd, err) < 0 ||
		    systemd_check_host(err) < 0)
			goto out;
		cgroup_path = xstrdup(sd.path);
	} else if (!a->cgroups_disabled &&
		   cgroup_resolve_path(spec->linux_.cgroups_path, a->id, &cgroup_path, err) < 0) {
		goto out;
	}
	if (state_create_dir(a->root, a->id, &dirfd, err) < 0)
		goto out;
	dir_made = true;
	/* from here on every failure is rolled back */
	if (cgroup_path && sd.unit) {
		/* the scope is made once criu runs (it is the scope's first process): noted before, so
		 * delete --force after a killed restore finds the unit */
		if (cgroup_check_existing(cgroup_path, err) < 0 ||
		    state_note_cgroup(dirfd, cgroup_path, err) < 0 ||
		    state_note_unit(dirfd, sd.unit, err) < 0)
			goto out;
	} else if (cgroup_path) {
		if (cgroup_check_existing(cgroup_path, err) < 0 ||
		    state_note_cgroup(dirfd, cgroup_path, err) < 0 ||
		    cgroup_create(cgroup_path, &cg_created, err) < 0)
			goto out;
		if (spec->linux_.has_resources &&
		    cgroup_apply_resources(cgroup_path, &spec->linux_.resources, err) < 0)
			goto out;
	}
	if (criu_restore_mountpoints(spec, bundle, rootfs, err) < 0)
		goto out;
	/* CRIU wants its "root" to be a mount point: the rootfs bound under the state directory, as
	 * runc's criu-root */
	criu_root = xasprintf("%s/%s/%s", a->root, a->id, CRIU_ROOT);
	if (mkdir(criu_root, 0755) < 0 || mount(rootfs, criu_root, NULL, MS_BIND | MS_REC, NULL) < 0) {
		error_sys(err, errno, "bind the rootfs on '%s'", criu_root);
		goto out;
	}
	mounted = true;
	rec.bundle = bundle;
	rec.rootfs = rootfs;
	rec.oci_version = spec->oci_version;
	rec.annotations = spec->annotations;
	rec.cgroup_path = cgroup_path;
	rec.systemd_unit = sd.unit;
	{
		const char *pidns = NULL;
		rec.own_pidns = criu_has_ns(spec, NS_PID, &pidns) && pidns == NULL;
	}

	o.images_dir_fd = imgfd;
	if (workfd >= 0) {
		o.has_work_dir_fd = true;
		o.work_dir_fd = workfd;
	}
	o.log_file = (char *)"restore.log";
	o.root = criu_root;
	o.has_rst_sibling = true;
	o.rst_sibling = true;
	o.has_evasive_devices = true;
	o.evasive_devices = true;
	criu_external_mounts(spec, bundle, cgroup_path, 0, true, &ext);
	o.ext_mnt = ext.v;
	o.n_ext_mnt = ext.n;
	criu_inherit_stdio(imgfd, &inh, &n_inh);
	if (criu_has_ns(spec, NS_NETWORK, &netns) && netns) {
		/* join the configured network namespace, the one the dump marked external */
		if ((netfd = open(netns, O_RDONLY | O_CLOEXEC)) < 0) {
			error_sys(err, errno, "config.json: .linux.namespaces: network path '%s'", netns);
			goto out;
		}
		extra[n_extra++] = netfd;
		netinh.key = (char *)"extRootNetNS";
		netinh.fd = 4;
		inh = xrealloc(inh, (n_inh + 1) * sizeof(*inh));
		inh[n_inh++] = &netinh;
	}
	o.inherit_fd = inh;
	o.n_inherit_fd = n_inh;
	req.type = CRIU_REQ_TYPE__RESTORE;
	req.opts = &o;
	if (swrk_start(&s, (const int[]){ STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO }, extra, n_extra, err) <
	    0)
		goto out;
	if (cgroup_path && sd.unit) {
		/* as runc's systemd manager Apply(criu's pid): the transient scope is made with criu in it,
		 * the limits go into its files, and CRIU restores the tasks into its own cgroup, the scope */
		const struct spec_resources *res =
		    spec->linux_.has_resources ? &spec->linux_.resources : NULL;
		sd_started = true;
		if (systemd_start(&sd, s.pid, a->id, res, err) < 0) {
			if (err->errnum == EEXIST) {
				/* another container's scope: neither stopped nor emptied by the rollback */
				sd_started = false;
				free(cgroup_path);
				cgroup_path = NULL;
			}
			goto out;
		}
		if (res && cgroup_apply_resources(cgroup_path, res, err) < 0)
			goto out;
	} else if (cgroup_path && cgroup_enter(cgroup_path, s.pid, false, err) < 0) {
		goto out;
	}
	if (cgroup_path) {
		/* CRIU restores the tasks into its own cgroup (runc's criuApplyCgroups): it is in the
		 * config's now; map the dumped cgroup root onto it */
		cgr.path = cgroup_path;
		o.cg_root = cgrv;
		o.n_cg_root = 1;
	}
	log_debug("criu swrk: restore of %s into '%s'", image, a->id);
	if (swrk_call(&s, &req, &n, &resp, err) < 0)
		goto out;
	if (!resp->success) {
		criu_failed(resp, &req, workfd >= 0 ? workfd : imgfd, work ? work : image, o.log_file, err);
		goto out;
	}
	pid = resp->restore ? resp->restore->pid : n.restored_pid;
	rec.pid = pid;
	rec.pid_start = proc_start_time(pid, NULL);
	rec.created = now_rfc3339();
	rec.owner = owner;
	rec.config = raw;
	rec.has_poststart = spec->hooks.n[HOOK_POSTSTART] > 0;
	rec.has_poststop = spec->hooks.n[HOOK_POSTSTOP] > 0;
	if (state_write(dirfd, &rec, err) < 0 || (a->pid_file && write_pid_file(a->pid_file, pid, err) < 0)) {
		free(rec.created);
		goto out;
	}
	free(rec.created);
	r = 0;
out:
	if (resp)
		criu_resp__free_unpacked(resp, NULL);
	swrk_stop(&s);
	if (mounted)
		umount2(criu_root, MNT_DETACH);
	if (criu_root)
		rmdir(criu_root);
	criu_ext_free(&ext);
	for (size_t i = 0; i < n_inh; i++)
		if (inh[i] != &netinh) {
			free(inh[i]->key);
			free(inh[i]);
		}
	free(inh);
	spec_free(spec);
	if (r < 0 && dir_made) {
		struct error e = { 0 };
		if (pid > 0)
			kill(pid, SIGKILL);
		if (cgroup_path && (cg_created || pid > 0) &&
		    cgroup_destroy_some(cgroup_path, cg_created, &e) < 0)
			log_warn("restore rollback: %s, ignoring", e.msg);
		error_clear(&e);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		if (sd_started && systemd_stop(sd.unit, &e) < 0)
			log_warn("restore rollback: %s, ignoring", e.msg);
		error_clear(&e);
		state_remove_dir(a->root, a->id, dirfd, NULL);
	}
	systemd_unit_free(&sd);
	if (r < 0)
		return -1;
	if (dirfd >= 0) {
		close(dirfd);
		dirfd = -1;
	}
	if (a->detach)
		return 0;
	/* in the foreground, as runc: wait for it, then delete it */
	if (wait_restored(pid, ret_status, err) < 0)
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
