/* What the CRIU files share, and nothing outside them uses: the swrk connection (criu-swrk.c), the
 * options and external resources husk describes to CRIU (criu-describe.c), used by the two verbs in
 * criu.c. Only with HUSK_CRIU: the types come from the rpc.proto that protoc-c compiles at build time. */
#ifndef HUSK_CRIU_INTERNAL_H
#define HUSK_CRIU_INTERNAL_H

#include "criu.h"

#ifdef HUSK_CRIU

#include <stdbool.h>
#include <sys/types.h>

#include "config/spec.h"
#include "state.h"

#include "rpc.pb-c.h"

/* criu-swrk.c: one `criu swrk` process and its socket. */
struct swrk {
	const char *criu;
	int sock;
	pid_t pid;
};

/* What the NOTIFY callbacks need to answer. */
struct notify_ctx {
	const struct criu_args *a;
	const struct spec *spec;
	const struct state_record *rec; /* restore: for the hooks' state */
	pid_t restored_pid;
};

/* Start `criu swrk 3`: fds 0-2 are the given stdio, 3 the socket, 4.. the extra fds. */
int swrk_start(struct swrk *s, const int stdio[3], const int *extra, size_t n_extra, struct error *err);
/* Close the socket, wait for CRIU to exit. */
void swrk_stop(struct swrk *s);
/* Send req and serve notifications until the answer to it (*ret: criu_resp__free_unpacked). */
int swrk_call(struct swrk *s, const CriuReq *req, struct notify_ctx *n, CriuResp **ret, struct error *err);
/* "dump", "restore"...: the request's name in messages. */
const char *criu_req_name(CriuReqType t);
/* An unsuccessful resp as an error: CRIU's message, else the first error line of its log. */
int criu_failed(CriuResp *resp, const CriuReq *req, int logdir, const char *logpath, const char *logname,
		struct error *err);
/* FEATURE_CHECK of memory tracking or lazy pages, for the flag named in the error. */
int criu_check_feature(bool mem_track, bool lazy_pages, const char *flag, struct error *err);
/* CRIU's version and `criu check` (a pass remembered in root for this boot), before anything is made. */
int criu_preflight(const char *root, struct error *err);

/* criu-describe.c: the external mounts given to CRIU (ext_mnt). */
struct ext_list {
	ExtMountMap **v;
	size_t n;
};

/* The options both verbs share, from the runc flags; a bad flag value is an error naming it. */
int criu_common_opts(const struct criu_args *a, CriuOpts *o, struct error *err);
/* mkdir -p path with mode, then open it as a directory; errors name flag. */
int criu_open_dir(const char *path, mode_t mode, const char *flag, struct error *err);
/* p made absolute against the working directory, cleaned. */
char *criu_abs_path(const char *p);
void criu_ext_free(struct ext_list *l);
/* Whether the config has a namespace of type t (*ret_path: its path, NULL for a new one). */
bool criu_has_ns(const struct spec *s, enum spec_ns_type t, const char **ret_path);
/* The mounts CRIU cannot dump (restore false, pid: the running init) or restore by itself. */
void criu_external_mounts(const struct spec *s, const char *bundle, const char *cgroup_path, pid_t pid,
			  bool restore, struct ext_list *l);
/* Make, inside rootfs, the mount points of the config's mounts that a fresh rootfs lacks. */
int criu_restore_mountpoints(const struct spec *s, const char *bundle, const char *rootfs, struct error *err);
/* The freezer cgroup CRIU stops the tasks with (NULL: none, CRIU uses ptrace). */
char *criu_freezer_path(const char *cgroup_path);
/* Record the init's stdio in the image directory (descriptors.json, as runc). */
int criu_write_descriptors(int imgfd, pid_t pid, struct error *err);
/* The inherit_fd entries that give the restored init our stdio where it had pipes. */
void criu_inherit_stdio(int imgfd, InheritFd ***v, size_t *n);

#endif /* HUSK_CRIU */

#endif
