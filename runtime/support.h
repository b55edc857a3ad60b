/* What this build of husk implements, in one place, so `husk features` cannot claim more than the code
 * does. Each module's commit updates its entry here. */
#ifndef HUSK_SUPPORT_H
#define HUSK_SUPPORT_H

#include <stdbool.h>

struct husk_support {
	const char *const *namespaces; /* NULL-terminated OCI namespace type names */
	const char *const *hooks;      /* NULL-terminated hook kinds */
	bool mount_options;	       /* the mount option table of config.md */
	bool capabilities;
	bool cgroup_v1;
	bool cgroup_v2;
	bool cgroup_systemd; /* --systemd-cgroup (root, cgroup v2; needs the husk-systemd helper) */
	bool cgroup_rdma;
	bool seccomp;
	bool seccomp_notify;
	bool apparmor;
	bool selinux;
	bool intel_rdt;
	bool idmap_mounts;
	bool net_devices;
	bool memory_policy;
};

extern const struct husk_support husk_support;

#endif
