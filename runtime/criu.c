/* checkpoint and restore through CRIU, the way runc 1.1 drives it: husk starts `criu swrk 3` with one
 * end of a SOCK_SEQPACKET socketpair as fd 3, sends one criu_req (DUMP, PRE_DUMP, RESTORE or
 * FEATURE_CHECK) packed with protobuf-c from Debian's rpc.proto, answers every NOTIFY callback
 * (setup-namespaces runs the prestart/createRuntime hooks on restore, orphan-pts-master hands the pty
 * master to --console-socket, status-ready writes to --status-fd) and reads the final criu_resp.
 * Nothing of CRIU's human output is parsed; when CRIU cannot run at all, `criu check` says why. */
#define _GNU_SOURCE
#include "criu.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "config/spec.h"
#include "container.h"
#include "hooks.h"
#include "base/log.h"
#include "mountopt.h"
#include "rootfs.h"
#include "state.h"
#include "systemd.h"
#include "terminal.h"
#include "base/util.h"

#ifdef HUSK_CRIU

#include "rpc.pb-c.h"

const bool criu_built = true;

#define DESCRIPTORS_FILE "descriptors.json" /* the init's stdio at dump time, runc's file name */
#define CRIU_ROOT	 "criu-root"	    /* restore: the rootfs bind-mounted for CRIU's "root" */
#define RESP_MAX	 (1u << 20)

/* The criu binary: the first executable "criu" on PATH (runc's default --criu). */
static char *criu_path(void)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy =
	    xstrdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

	for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/criu", d);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
	return NULL;
}

/* Why CRIU cannot work here, in criu's own words: the first "Error" line of `criu check` (or its
 * first line at all). NULL when the check passes. */
static char *criu_check_reason(const char *criu)
{
	int pipefd[2];
	pid_t pid;
	char buf[8192];
	size_t len = 0;
	ssize_t n;
	int status;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return xasprintf("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return xasprintf("fork: %s", strerror(errno));
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		execl(criu, "criu", "check", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (len < sizeof buf - 1 && (n = read(pipefd[0], buf + len, sizeof buf - 1 - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && strstr(buf, "Error") == NULL)
		return NULL;
	char *line = strstr(buf, "Error");
	if (line == NULL)
		line = buf;
	line[strcspn(line, "\n")] = '\0';
	if (*line == '\0')
		return xasprintf("`%s check` failed with status %d", criu,
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return xstrdup(line);
}

/* The first "Error" line of CRIU's log (where it says what went wrong), or NULL. */
static char *log_first_error(int dirfd, const char *name)
{
	cleanup_free char *data = NULL;
	size_t len;
	struct error e = { 0 };

	if (dirfd < 0 || read_file_at(dirfd, name, 64u << 20, &data, &len, &e) < 0) {
		error_clear(&e);
		return NULL;
	}
	char *line = strstr(data, "Error (");
	if (line == NULL)
		return NULL;
	line[strcspn(line, "\n")] = '\0';
	return xstrdup(line);
}

struct swrk {
	const char *criu;
	int sock;
	pid_t pid;
};

/* Start `criu swrk 3`: fds 0-2 are the given stdio, 3 the socket, 4.. the extra fds (inherit_fd
 * targets), nothing else. */
static int swrk_start(struct swrk *s, const int stdio[3], const int *extra, size_t n_extra, struct error *err)
{
	int sp[2];

	s->criu = NULL;
	s->sock = -1;
	s->pid = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return error_sys(err, errno, "socketpair for criu swrk");
	s->criu = criu_path();
	if (s->criu == NULL) {
		close(sp[0]);
		close(sp[1]);
		return error_set(
		    err, ENOENT,
		    "criu is not installed (no executable 'criu' on PATH): checkpoint/restore needs "
		    "CRIU (Debian: apt-get install criu)");
	}
	s->pid = fork();
	if (s->pid < 0) {
		close(sp[0]);
		close(sp[1]);
		return error_sys(err, errno, "fork criu");
	}
	if (s->pid == 0) {
		int src[64], tmp[64];
		size_t n = 4 + n_extra;
		sigset_t none;

		if (n > 64)
			_exit(126);
		src[0] = stdio[0];
		src[1] = stdio[1];
		src[2] = stdio[2];
		src[3] = sp[1];
		for (size_t i = 0; i < n_extra; i++)
			src[4 + i] = extra[i];
		/* above every target first, so one dup2 never overwrites a source still needed */
		for (size_t i = 0; i < n; i++)
			if ((tmp[i] = fcntl(src[i], F_DUPFD_CLOEXEC, 100)) < 0)
				_exit(126);
		for (size_t i = 0; i < n; i++)
			if (dup2(tmp[i], (int)i) < 0)
				_exit(126);
		/* nothing of husk's (the state directory lock, the images fd) reaches CRIU's children */
		close_range((unsigned)n, ~0U, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execl(s->criu, "criu", "swrk", "3", (char *)NULL);
		_exit(127);
	}
	close(sp[1]);
	s->sock = sp[0];
	return 0;
}

static void swrk_stop(struct swrk *s)
{
	if (s->sock >= 0)
		close(s->sock);
	s->sock = -1;
	if (s->pid > 0) {
		int st;
		/* CRIU exits once its one request is answered and the socket closes */
		while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	s->pid = -1;
	free((char *)s->criu);
	s->criu = NULL;
}

static int swrk_send(struct swrk *s, const CriuReq *req, struct error *err)
{
	size_t len = criu_req__get_packed_size(req);
	cleanup_free uint8_t *buf = xmalloc(len ? len : 1);

	criu_req__pack(req, buf);
	if (send(s->sock, buf, len, MSG_NOSIGNAL) != (ssize_t)len)
		return error_sys(err, errno, "send the request to criu");
	return 0;
}

/* CRIU died (or never ran) without an answer: say why, in criu check's words when it is the cause. */
static int swrk_died(struct swrk *s, struct error *err)
{
	cleanup_free char *reason = criu_check_reason(s->criu);

	if (reason)
		return error_set(err, ENOTSUP, "criu cannot run on this system: `criu check` fails: %s",
				 reason);
	return error_set(err, EPIPE, "criu (%s) exited without an answer", s->criu);
}

/* One response; *ret_fd gets an fd passed with it (orphan-pts-master), or -1. */
static int swrk_recv(struct swrk *s, CriuResp **ret, int *ret_fd, struct error *err)
{
	cleanup_free uint8_t *buf = xmalloc(RESP_MAX);
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct iovec iov = { buf, RESP_MAX };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &cmsg, .msg_controllen = sizeof cmsg
	};
	ssize_t n;

	*ret_fd = -1;
	do
		n = recvmsg(s->sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return error_sys(err, errno, "read criu's answer");
	if (n == 0)
		return swrk_died(s, err);
	if (mh.msg_flags & MSG_TRUNC)
		return error_set(err, EMSGSIZE, "criu's answer is larger than %u bytes", RESP_MAX);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
	*ret = criu_resp__unpack(NULL, (size_t)n, buf);
	if (*ret == NULL) {
		if (*ret_fd >= 0)
			close(*ret_fd);
		return error_set(err, EPROTO, "criu's answer is not a criu_resp message");
	}
	return 0;
}

struct notify_ctx {
	const struct criu_args *a;
	const struct spec *spec;
	const struct state_record *rec; /* restore: for the hooks' state */
	pid_t restored_pid;
};

static const char *req_type_name(CriuReqType t)
{
	switch (t) {
	case CRIU_REQ_TYPE__DUMP:
		return "dump";
	case CRIU_REQ_TYPE__PRE_DUMP:
		return "pre-dump";
	case CRIU_REQ_TYPE__RESTORE:
		return "restore";
	case CRIU_REQ_TYPE__FEATURE_CHECK:
		return "feature check";
	default:
		return "request";
	}
}

/* A NOTIFY callback, as runc's criuNotifications answers it. */
static int on_notify(struct notify_ctx *n, const CriuNotify *nt, int fd, struct error *err)
{
	const char *script = nt && nt->script ? nt->script : "";

	log_debug("criu notify: %s (pid %d)", script, nt && nt->has_pid ? nt->pid : 0);
	if (strcmp(script, "setup-namespaces") == 0 && n->spec && n->rec) {
		/* runc runs prestart and createRuntime here: the namespaces exist, nothing runs yet */
		cleanup_free char *state = state_oci_json(n->rec, "creating", nt->pid, false);
		if (hooks_run(&n->spec->hooks, HOOK_PRESTART, state, err) < 0 ||
		    hooks_run(&n->spec->hooks, HOOK_CREATE_RUNTIME, state, err) < 0)
			return -1;
	} else if (strcmp(script, "post-restore") == 0) {
		n->restored_pid = nt->pid;
	} else if (strcmp(script, "orphan-pts-master") == 0) {
		if (fd < 0)
			return error_set(err, EPROTO,
					 "criu's orphan-pts-master notification came without an fd");
		if (n->a->console_socket == NULL) {
			return error_set(
			    err, EINVAL,
			    "the checkpoint has a terminal: restore needs --console-socket to hand "
			    "its pty master to");
		}
		cleanup_close int sock = terminal_connect(n->a->console_socket, "console socket", err);
		if (sock < 0 || terminal_send_fd(sock, fd, "orphan-pts-master", err) < 0)
			return -1;
	} else if (strcmp(script, "status-ready") == 0 && n->a->status_fd >= 0) {
		if (write(n->a->status_fd, "\0", 1) != 1)
			return error_sys(err, errno, "write to --status-fd %d", n->a->status_fd);
	}
	/* network-lock/-unlock: husk configures no network of its own (only namespaces), as runc's
	 * loopback-only strategy, so there is nothing to lock */
	return 0;
}

/* Send req and serve notifications until the answer to it. */
static int swrk_call(struct swrk *s, const CriuReq *req, struct notify_ctx *n, CriuResp **ret,
		     struct error *err)
{
	if (swrk_send(s, req, err) < 0)
		return -1;
	for (;;) {
		CriuResp *resp;
		int fd;

		if (swrk_recv(s, &resp, &fd, err) < 0)
			return -1;
		if (resp->type == CRIU_REQ_TYPE__NOTIFY) {
			CriuReq ack = CRIU_REQ__INIT;
			int r = on_notify(n, resp->notify, fd, err);

			if (fd >= 0)
				close(fd);
			criu_resp__free_unpacked(resp, NULL);
			ack.type = CRIU_REQ_TYPE__NOTIFY;
			ack.has_notify_success = true;
			ack.notify_success = r == 0;
			if (swrk_send(s, &ack, r < 0 ? &(struct error){ 0 } : err) < 0 && r == 0)
				return -1;
			if (r < 0)
				return -1;
			continue;
		}
		if (fd >= 0)
			close(fd);
		if (resp->type != req->type) {
			error_set(err, EPROTO, "criu answered a %s request with type %d",
				  req_type_name(req->type), resp->type);
			criu_resp__free_unpacked(resp, NULL);
			return -1;
		}
		*ret = resp;
		return 0;
	}
}

static int criu_failed(CriuResp *resp, const CriuReq *req, int logdir, const char *logpath,
		       const char *logname, struct error *err)
{
	cleanup_free char *line = log_first_error(logdir, logname);

	if (resp->cr_errmsg && *resp->cr_errmsg) {
		size_t l = strlen(resp->cr_errmsg);
		while (l && (resp->cr_errmsg[l - 1] == '\n' || resp->cr_errmsg[l - 1] == ' '))
			resp->cr_errmsg[--l] = '\0';
	}
	if (resp->cr_errmsg && *resp->cr_errmsg)
		return error_set(err, resp->has_cr_errno && resp->cr_errno ? resp->cr_errno : EIO,
				 "criu %s failed: %s (log: %s/%s)", req_type_name(req->type), resp->cr_errmsg,
				 logpath, logname);
	return error_set(err, resp->has_cr_errno && resp->cr_errno ? resp->cr_errno : EIO,
			 "criu %s failed%s%s (log: %s/%s)", req_type_name(req->type), line ? ": " : "",
			 line ? line : "", logpath, logname);
}

/* FEATURE_CHECK, as runc's checkCriuFeatures: CRIU itself says whether this kernel can do it. */
static int check_feature(bool mem_track, bool lazy_pages, const char *flag, struct error *err)
{
	struct swrk s;
	CriuReq req = CRIU_REQ__INIT;
	CriuFeatures f = CRIU_FEATURES__INIT;
	CriuResp *resp = NULL;
	struct notify_ctx n = { 0 };
	const int stdio[3] = { open("/dev/null", O_RDWR | O_CLOEXEC), STDERR_FILENO, STDERR_FILENO };
	struct criu_args none = { .status_fd = -1 };
	int r = -1;

	n.a = &none;
	if (stdio[0] < 0)
		return error_sys(err, errno, "open /dev/null");
	f.has_mem_track = mem_track;
	f.mem_track = mem_track;
	f.has_lazy_pages = lazy_pages;
	f.lazy_pages = lazy_pages;
	req.type = CRIU_REQ_TYPE__FEATURE_CHECK;
	req.features = &f;
	if (swrk_start(&s, (const int[]){ stdio[0], stdio[0], STDERR_FILENO }, NULL, 0, err) == 0 &&
	    swrk_call(&s, &req, &n, &resp, err) == 0) {
		if (!resp->success || resp->features == NULL ||
		    (mem_track && !(resp->features->has_mem_track && resp->features->mem_track)) ||
		    (lazy_pages && !(resp->features->has_lazy_pages && resp->features->lazy_pages)))
			error_set(err, ENOTSUP, "%s: criu reports that this system cannot do it (%s missing)",
				  flag,
				  mem_track ? "memory tracking (soft-dirty)" : "lazy pages (userfaultfd)");
		else
			r = 0;
	}
	if (resp)
		criu_resp__free_unpacked(resp, NULL);
	swrk_stop(&s);
	close(stdio[0]);
	return r;
}

/* `criu check` costs seconds (2.3 s in the VM guest) and its answer only changes with the kernel (a
 * reboot) or the criu binary: a pass is remembered in the state root for this boot and this criu (its
 * path, device, inode, size and mtime). A failure is never remembered, so where CRIU cannot work every
 * call says why in criu's words; a stale pass cannot outlive a reboot or a criu upgrade. */
#define CHECK_CACHE ".criu-check" /* a dot name: `list` skips it, no container id can take it */

static char *check_cache_key(const char *criu)
{
	cleanup_free char *boot = NULL;
	size_t len;
	struct stat st;
	struct error e = { 0 };

	if (stat(criu, &st) < 0 ||
	    read_file_at(AT_FDCWD, "/proc/sys/kernel/random/boot_id", 64, &boot, &len, &e) < 0) {
		error_clear(&e);
		return NULL;
	}
	boot[strcspn(boot, "\n")] = '\0';
	return xasprintf("%s %s %llu:%llu %lld %lld.%09ld\n", boot, criu, (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
			 st.st_mtim.tv_nsec);
}

static bool check_cached(const char *root, const char *key)
{
	cleanup_free char *path = xasprintf("%s/%s", root, CHECK_CACHE), *data = NULL;
	size_t len;
	struct error e = { 0 };
	bool hit = read_file_at(AT_FDCWD, path, 4096, &data, &len, &e) == 0 && strcmp(data, key) == 0;

	error_clear(&e);
	return hit;
}

static void check_remember(const char *root, const char *key, bool passed)
{
	cleanup_close int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct error e = { 0 };

	/* no root yet (a first restore): nothing remembered, the next call checks again */
	if (fd < 0)
		return;
	if (passed)
		write_file_atomic(fd, CHECK_CACHE, key, strlen(key), 0600, &e);
	else
		unlinkat(fd, CHECK_CACHE, 0);
	error_clear(&e);
}

/* Before anything is touched, as runc's checkCriuVersion: CRIU must answer a VERSION request (which
 * also proves it can start on this kernel) and be recent enough for what husk asks of it; then
 * `criu check` (or its remembered pass) says whether this kernel can be checkpointed at all. */
static int criu_preflight(const char *root, struct error *err)
{
	struct swrk s;
	CriuReq req = CRIU_REQ__INIT;
	CriuResp *resp = NULL;
	struct criu_args none = { .status_fd = -1 };
	struct notify_ctx n = { .a = &none };
	int nullfd = open("/dev/null", O_RDWR | O_CLOEXEC), r = -1;

	if (nullfd < 0)
		return error_sys(err, errno, "open /dev/null");
	req.type = CRIU_REQ_TYPE__VERSION;
	if (swrk_start(&s, (const int[]){ nullfd, nullfd, nullfd }, NULL, 0, err) == 0 &&
	    swrk_call(&s, &req, &n, &resp, err) == 0) {
		if (!resp->success || resp->version == NULL) {
			swrk_died(&s, err);
		} else if (resp->version->major_number * 100 + resp->version->minor_number < 315) {
			/* 3.15: cgroup v2 freezer, status-ready notification, orphan-pts-master */
			error_set(err, ENOTSUP,
				  "criu %d.%d is too old: checkpoint/restore needs criu 3.15 or newer",
				  resp->version->major_number, resp->version->minor_number);
		} else {
			/* the version answer needs no kernel features: criu check says whether this kernel
			 * can actually be checkpointed */
			cleanup_free char *key = check_cache_key(s.criu), *reason = NULL;
			if (key && root && check_cached(root, key)) {
				log_debug("criu check: passed before on this boot (%s/%s)", root,
					  CHECK_CACHE);
				r = 0;
			} else {
				reason = criu_check_reason(s.criu);
				if (reason)
					error_set(err, ENOTSUP,
						  "criu cannot run on this system: `criu check` fails: %s",
						  reason);
				else
					r = 0;
				if (key && root)
					check_remember(root, key, r == 0);
			}
		}
	}
	if (resp)
		criu_resp__free_unpacked(resp, NULL);
	swrk_stop(&s);
	close(nullfd);
	return r;
}

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
static int common_opts(const struct criu_args *a, CriuOpts *o, struct error *err)
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
static int open_dir_p(const char *path, mode_t mode, const char *flag, struct error *err)
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

static char *abs_path(const char *p)
{
	char cwd[PATH_MAX];

	if (p[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return path_clean(p);
	cleanup_free char *j = xasprintf("%s/%s", cwd, p);
	return path_clean(j);
}

struct ext_list {
	ExtMountMap **v;
	size_t n;
};

static void ext_add(struct ext_list *l, const char *key, const char *val)
{
	ExtMountMap *m = xmalloc(sizeof *m);

	ext_mount_map__init(m);
	m->key = xstrdup(key);
	m->val = xstrdup(val);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = m;
}

static void ext_free(struct ext_list *l)
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
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t i = 0; i < m->n_options; i++)
		if (strcmp(m->options[i], "bind") == 0 || strcmp(m->options[i], "rbind") == 0)
			return true;
	return false;
}

static bool has_ns(const struct spec *s, enum spec_ns_type t, const char **ret_path)
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
static void external_mounts(const struct spec *s, const char *bundle, const char *cgroup_path, pid_t pid,
			    bool restore, struct ext_list *l)
{
	bool cgroupns = has_ns(s, NS_CGROUP, NULL);
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
	if (has_ns(s, NS_USER, NULL)) {
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
static int restore_mountpoints(const struct spec *s, const char *bundle, const char *rootfs,
			       struct error *err)
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
static char *freezer_path(const char *cgroup_path)
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
static int write_descriptors(int imgfd, pid_t pid, struct error *err)
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

int container_checkpoint(const struct criu_args *a, struct error *err)
{
	cleanup_close int dirfd = -1, imgfd = -1, workfd = -1;
	cleanup_free char *image = abs_path(a->image_path ? a->image_path : "checkpoint");
	cleanup_free char *work = a->work_path ? abs_path(a->work_path) : NULL, *freezer = NULL;
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
	if (common_opts(a, &o, err) < 0)
		goto out;
	if (a->page_server) {
		const char *colon = strrchr(a->page_server, ':');
		uint64_t port;
		if (colon == NULL || colon == a->page_server || parse_u64(colon + 1, &port) < 0 ||
		    port == 0 || port > 65535) {
			error_set(err, EINVAL, "--page-server: expected ADDRESS:PORT, got '%s'",
				  a->page_server);
			goto out;
		}
		psaddr = strndup(a->page_server, (size_t)(colon - a->page_server));
		ps.address = psaddr;
		ps.has_port = true;
		ps.port = (int32_t)port;
		o.ps = &ps;
	}
	if (a->status_fd >= 0) {
		int fl = fcntl(a->status_fd, F_GETFL);
		if (fl < 0 || (fl & O_ACCMODE) == O_RDONLY) {
			error_set(err, EBADF, "invalid --status-fd argument %d: %s", a->status_fd,
				  fl < 0 ? "not an open descriptor" : "not writable");
			goto out;
		}
	}
	if (criu_preflight(a->root, err) < 0)
		goto out;
	if (rec->config == NULL ||
	    spec_parse(rec->config, strlen(rec->config), "config.json", &spec, err) < 0)
		goto out;
	if ((a->pre_dump && check_feature(true, false, "--pre-dump", err) < 0) ||
	    (a->lazy_pages && check_feature(false, true, "--lazy-pages", err) < 0))
		goto out;
	/* 0700 as runc: the images hold the container's whole memory */
	if ((imgfd = open_dir_p(image, 0700, "--image-path", err)) < 0)
		goto out;
	if (work && (workfd = open_dir_p(work, 0700, "--work-path", err)) < 0)
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
	if ((freezer = freezer_path(rec->cgroup_path)) != NULL)
		o.freeze_cgroup = freezer;
	if (!a->pre_dump) {
		const char *netns = NULL;
		external_mounts(spec, rec->bundle, rec->cgroup_path, rec->pid, false, &ext);
		o.ext_mnt = ext.v;
		o.n_ext_mnt = ext.n;
		/* a network namespace joined by path is not the container's to save: mark it external,
		 * restore joins whichever the config names (runc's extRootNetNS) */
		if (has_ns(spec, NS_NETWORK, &netns) && netns) {
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
		if (write_descriptors(imgfd, rec->pid, err) < 0)
			goto out;
	}
	req.type = a->pre_dump ? CRIU_REQ_TYPE__PRE_DUMP : CRIU_REQ_TYPE__DUMP;
	req.opts = &o;
	nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nullfd < 0) {
		error_sys(err, errno, "open /dev/null");
		goto out;
	}
	log_debug("criu swrk: %s of pid %d into %s", req_type_name(req.type), rec->pid, image);
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
	ext_free(&ext);
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

/* The restore's pipes: where the dumped init's stdio was a pipe, CRIU gives it ours (runc's
 * descriptors.json + inherit_fd). */
static void inherit_stdio(int imgfd, InheritFd ***v, size_t *n)
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

static int wait_restored(pid_t pid, int *ret_status, struct error *err)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return error_sys(err, errno, "wait for the restored container");
	*ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return 0;
}

int container_restore(const struct criu_args *a, int *ret_status, struct error *err)
{
	cleanup_close int dirfd = -1, imgfd = -1, workfd = -1, netfd = -1;
	cleanup_free char *image = abs_path(a->image_path ? a->image_path : "checkpoint");
	cleanup_free char *work = a->work_path ? abs_path(a->work_path) : NULL;
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
	size_t n_inh = 0, len;
	unsigned long cg_created = 0;
	struct systemd_unit sd = { 0 };
	bool mounted = false, dir_made = false, sd_started = false;
	const char *netns = NULL;
	pid_t pid = -1;
	int r = -1, extra[1];
	size_t n_extra = 0;

	*ret_status = 0;
	/* the bundle, as create loads it */
	bundle = realpath(a->bundle ? a->bundle : ".", NULL);
	if (bundle == NULL)
		return error_sys(err, errno, "bundle '%s'", a->bundle ? a->bundle : ".");
	{
		cleanup_free char *cfg = xasprintf("%s/config.json", bundle), *root = NULL;
		if (read_file_at(AT_FDCWD, cfg, SPEC_MAX_SIZE, &raw, &len, err) < 0 ||
		    spec_parse(raw, len, "config.json", &spec, err) < 0 ||
		    spec_validate(spec, "config.json", err) < 0)
			goto out;
		if (spec->root_path == NULL) {
			error_set(err, EINVAL, "config.json: .root.path: required on Linux");
			goto out;
		}
		root = spec->root_path[0] == '/' ? xstrdup(spec->root_path)
						 : xasprintf("%s/%s", bundle, spec->root_path);
		rootfs = realpath(root, NULL);
		if (rootfs == NULL) {
			error_sys(err, errno, "config.json: .root.path: '%s'", root);
			goto out;
		}
	}
	n.spec = spec;
	if (common_opts(a, &o, err) < 0 || criu_preflight(a->root, err) < 0)
		goto out;
	if ((imgfd = open(image, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		error_sys(err, errno, "--image-path: open '%s'", image);
		goto out;
	}
	if (faccessat(imgfd, "inventory.img", F_OK, 0) < 0) {
		error_set(err, ENOENT, "--image-path: '%s' holds no checkpoint (no inventory.img)", image);
		goto out;
	}
	if (work && (workfd = open_dir_p(work, 0700, "--work-path", err)) < 0)
		goto out;
	if (a->lazy_pages && check_feature(false, true, "--lazy-pages", err) < 0)
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
	if (restore_mountpoints(spec, bundle, rootfs, err) < 0)
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
		rec.own_pidns = has_ns(spec, NS_PID, &pidns) && pidns == NULL;
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
	external_mounts(spec, bundle, cgroup_path, 0, true, &ext);
	o.ext_mnt = ext.v;
	o.n_ext_mnt = ext.n;
	inherit_stdio(imgfd, &inh, &n_inh);
	if (has_ns(spec, NS_NETWORK, &netns) && netns) {
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
	} else if (cgroup_path && cgroup_enter(cgroup_path, s.pid, err) < 0) {
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
	ext_free(&ext);
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
