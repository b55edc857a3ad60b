/* checkpoint and restore through CRIU, as runc does: `criu swrk` on a SOCK_SEQPACKET socketpair speaking
 * the RPC of Debian's /usr/include/criu/rpc.proto (criu_req/criu_resp, notify callbacks answered). */
#ifndef HUSK_CRIU_H
#define HUSK_CRIU_H

#include <stdbool.h>
#include <stddef.h>

#include "base/error.h"

struct criu_args {
	const char *root; /* --root of husk */
	const char *id;
	const char *image_path; /* NULL: ./checkpoint, as runc */
	const char *work_path;	/* NULL: CRIU's default (the image directory) */
	const char *parent_path;
	const char *page_server; /* ADDRESS:PORT */
	const char *manage_cgroups_mode;
	const char *const *empty_ns; /* namespace names (only "network", as runc) */
	size_t n_empty_ns;
	bool leave_running, tcp_established, ext_unix_sk, shell_job, lazy_pages, file_locks, pre_dump,
	    auto_dedup;
	int status_fd; /* -1: none */
	/* restore */
	const char *bundle;
	const char *console_socket;
	const char *pid_file;
	bool detach, no_subreaper, no_pivot, cgroups_disabled;
	bool systemd_cgroup; /* --systemd-cgroup: the restored tasks go into a transient scope */
};

/* The CRIU binary to run (runc's global --criu): a path, or a name looked up on PATH; "criu" by
 * default. The string must outlive the process's use of CRIU. */
void criu_set_binary(const char *name);

/* Whether this build talks to CRIU at all (protoc-c and libprotobuf-c were found at build time). */
extern const bool criu_built;

/* `checkpoint`: dump a running (or paused) container into the image directory; without
 * --leave-running (or --pre-dump) CRIU stops it and the container is deleted, as runc does. */
int container_checkpoint(const struct criu_args *a, struct error *err);
/* `restore`: a new container `id` from the bundle's config, its processes from the images. With
 * detach, returns once it runs; otherwise waits and returns its exit status in *ret_status. */
int container_restore(const struct criu_args *a, int *ret_status, struct error *err);

#endif
