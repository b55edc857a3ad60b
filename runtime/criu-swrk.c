/* The transport to CRIU: `criu swrk 3` with one end of a SOCK_SEQPACKET socketpair as fd 3, one criu_req
 * packed with protobuf-c from Debian's rpc.proto, every NOTIFY callback answered (setup-namespaces runs
 * the prestart/createRuntime hooks on restore, orphan-pts-master hands the pty master to
 * --console-socket, status-ready writes to --status-fd) and the final criu_resp read. VERSION and
 * FEATURE_CHECK requests and `criu check` (its pass remembered per boot) say up front whether CRIU can
 * work here. */
#define _GNU_SOURCE
#include "criu-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"
#include "base/log.h"
#include "state.h"
#include "terminal.h"
#include "base/util.h"

/* runc's global --criu: a path, or a name looked up on PATH ("criu" by default) */
static const char *criu_binary = "criu";

void criu_set_binary(const char *name)
{
	criu_binary = name;
}

#ifdef HUSK_CRIU

#define RESP_MAX (1u << 20)

/* The criu binary: --criu as given when it has a slash, else the first executable of that name on
 * PATH (runc's default --criu is "criu"). */
static char *criu_path(void)
{
	const char *path = getenv("PATH");
	cleanup_free char *copy =
	    xstrdup(path && *path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");

	if (strchr(criu_binary, '/'))
		return access(criu_binary, X_OK) == 0 ? xstrdup(criu_binary) : NULL;
	for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", d, criu_binary);
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

/* Start `criu swrk 3`: fds 0-2 are the given stdio, 3 the socket, 4.. the extra fds (inherit_fd
 * targets), nothing else. */
int swrk_start(struct swrk *s, const int stdio[3], const int *extra, size_t n_extra, struct error *err)
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
		if (strchr(criu_binary, '/'))
			return error_set(err, ENOENT, "--criu '%s' is not an executable file", criu_binary);
		return error_set(err, ENOENT,
				 "criu is not installed (no executable '%s' on PATH): checkpoint/restore "
				 "needs CRIU (Debian: apt-get install criu)",
				 criu_binary);
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

void swrk_stop(struct swrk *s)
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

const char *criu_req_name(CriuReqType t)
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
int swrk_call(struct swrk *s, const CriuReq *req, struct notify_ctx *n, CriuResp **ret, struct error *err)
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
				  criu_req_name(req->type), resp->type);
			criu_resp__free_unpacked(resp, NULL);
			return -1;
		}
		*ret = resp;
		return 0;
	}
}

int criu_failed(CriuResp *resp, const CriuReq *req, int logdir, const char *logpath, const char *logname,
		struct error *err)
{
	cleanup_free char *line = log_first_error(logdir, logname);

	if (resp->cr_errmsg && *resp->cr_errmsg) {
		size_t l = strlen(resp->cr_errmsg);
		while (l && (resp->cr_errmsg[l - 1] == '\n' || resp->cr_errmsg[l - 1] == ' '))
			resp->cr_errmsg[--l] = '\0';
	}
	if (resp->cr_errmsg && *resp->cr_errmsg)
		return error_set(err, resp->has_cr_errno && resp->cr_errno ? resp->cr_errno : EIO,
				 "criu %s failed: %s (log: %s/%s)", criu_req_name(req->type), resp->cr_errmsg,
				 logpath, logname);
	return error_set(err, resp->has_cr_errno && resp->cr_errno ? resp->cr_errno : EIO,
			 "criu %s failed%s%s (log: %s/%s)", criu_req_name(req->type), line ? ": " : "",
			 line ? line : "", logpath, logname);
}

/* FEATURE_CHECK, as runc's checkCriuFeatures: CRIU itself says whether this kernel can do it. */
int criu_check_feature(bool mem_track, bool lazy_pages, const char *flag, struct error *err)
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
int criu_preflight(const char *root, struct error *err)
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

#endif
