/* The on-disk state record of a container (<root>/<id>/state.json) and the OCI state document that
 * `husk state` prints and hooks read on stdin. */
#ifndef HUSK_STATE_JSON_H
#define HUSK_STATE_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "spec.h"

struct state_record {
	char *id;
	pid_t pid;
	uint64_t pid_start; /* field 22 of /proc/<pid>/stat: tells a reused pid from the init */
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 */
	char *owner;
	char *oci_version;
	struct spec_map annotations;
	char *cgroup_path;  /* resolved cgroupsPath; NULL when cgroups are disabled */
	char *systemd_unit; /* the scope of the systemd cgroup driver; NULL with cgroupfs */
	bool own_pidns;	    /* the container has its own PID namespace: killing the init kills all */
	char *config;	    /* config.json as it was at create (exec defaults, hooks, update) */
	bool has_poststart; /* whether start and delete need the config's hooks at all */
	bool has_poststop;
};

char *state_record_to_json(const struct state_record *s);
int state_record_parse(const char *data, size_t len, const char *name, struct state_record **ret,
		       struct error *err);
void state_record_free(struct state_record *s);
/* {"ociVersion","id","status","pid","bundle","rootfs","created","owner","annotations"}; pretty=true
 * for `husk state`, compact for hooks. */
char *state_oci_json(const struct state_record *s, const char *status, pid_t pid, bool pretty);
/* The containerProcessState sent to a seccomp agent with the listener fd (runtime-spec
 * config-linux.md): {"ociVersion","fds":["seccompFd"],"pid","metadata","state":{...}}. */
char *state_seccomp_agent_json(const struct state_record *s, const char *status, pid_t pid,
			       const char *metadata);
/* A JSON array of pids for `ps --format json`. */
char *state_pids_json(const pid_t *pids, size_t n);
/* checkpoint's descriptors.json (runc's name and format): the init's stdio links as a JSON array of
 * strings, and its parse back for restore. */
char *descriptors_to_json(const char *const *fds, size_t n);
int descriptors_parse(const char *data, size_t len, char ***ret, size_t *ret_n, struct error *err);

#endif
