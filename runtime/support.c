/* The truth table behind `husk features`: flip an entry only in the commit that makes it work. */
#include "support.h"

#include <stddef.h>

static const char *const namespaces[] = { "pid",  "network", "mount", "ipc", "uts",
					  "user", "cgroup",  "time",  NULL };
static const char *const hooks[] = {
	"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL
};

const struct husk_support husk_support = {
	.namespaces = namespaces,
	.hooks = hooks,
	.mount_options = true,
	.capabilities = true,
	.cgroup_v1 = true,
	.cgroup_v2 = true,
#ifdef HUSK_SYSTEMD_HELPER
	.cgroup_systemd = true, /* systemdUser (rootless, systemd --user) stays false: not implemented */
#endif
	.seccomp = true,
	.seccomp_notify = true,
	.apparmor = true, /* applied when the kernel has the LSM; refused clearly when it does not */
	.selinux = true,
	.memory_policy = true, /* set_mempolicy before execve, in the init and in exec'd processes */
	.net_devices = true,   /* runtime/netdev.c: moved in at create, back at delete (root only) */
};
