/* The default config.json that `husk spec` writes: runc's defaults (all namespaces but user and cgroup,
 * the standard mounts, masked and read-only paths, three capabilities, RLIMIT_NOFILE, noNewPrivileges),
 * and with rootless a user namespace that maps the caller to root. */
#define _GNU_SOURCE
#include "default-spec.h"

#include <jansson.h>
#include <string.h>

#include "runtime/base/util.h"

static json_t *strv(const char *const *v)
{
	json_t *a = json_array();

	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *mount(const char *dst, const char *type, const char *src, const char *const *opts)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "destination", dst, "type", type, "source", src, "options",
			 strv(opts));
}

static json_t *default_mounts(bool rootless)
{
	static const char *const proc[] = { NULL };
	static const char *const dev[] = { "nosuid", "strictatime", "mode=755", "size=65536k", NULL };
	static const char *const pts[] = { "nosuid",	"noexec", "newinstance", "ptmxmode=0666",
					   "mode=0620", "gid=5",  NULL };
	/* rootless: gid 5 is not mapped into a single-id user namespace, so devpts would refuse it */
	static const char *const pts_rootless[] = { "nosuid",	     "noexec",	  "newinstance",
						    "ptmxmode=0666", "mode=0620", NULL };
	static const char *const shm[] = { "nosuid", "noexec", "nodev", "mode=1777", "size=65536k", NULL };
	static const char *const mq[] = { "nosuid", "noexec", "nodev", NULL };
	static const char *const sys[] = { "nosuid", "noexec", "nodev", "ro", NULL };
	static const char *const cg[] = { "nosuid", "noexec", "nodev", "relatime", "ro", NULL };
	json_t *m = json_array();

	json_array_append_new(m, mount("/proc", "proc", "proc", proc));
	json_array_append_new(m, mount("/dev", "tmpfs", "tmpfs", dev));
	json_array_append_new(m, mount("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	json_array_append_new(m, mount("/dev/shm", "tmpfs", "shm", shm));
	json_array_append_new(m, mount("/dev/mqueue", "mqueue", "mqueue", mq));
	json_array_append_new(m, mount("/sys", "sysfs", "sysfs", sys));
	json_array_append_new(m, mount("/sys/fs/cgroup", "cgroup", "cgroup", cg));
	return m;
}

static json_t *default_process(void)
{
	static const char *const args[] = { "sh", NULL };
	static const char *const env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL
	};
	static const char *const caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

	return json_pack("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:{s:o, s:o, s:o}, s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1, "user", "uid", 0, "gid", 0, "args", strv(args), "env", strv(env),
			 "cwd", "/", "capabilities", "bounding", strv(caps), "effective", strv(caps),
			 "permitted", strv(caps), "rlimits", "type", "RLIMIT_NOFILE", "hard", 1024, "soft",
			 1024, "noNewPrivileges", 1);
}

static json_t *default_linux(bool rootless, uid_t uid, gid_t gid)
{
	static const char *const masked[] = { "/proc/acpi",
					      "/proc/asound",
					      "/proc/kcore",
					      "/proc/keys",
					      "/proc/latency_stats",
					      "/proc/timer_list",
					      "/proc/timer_stats",
					      "/proc/sched_debug",
					      "/sys/firmware",
					      "/proc/scsi",
					      NULL };
	static const char *const readonly[] = { "/proc/bus",	       "/proc/fs", "/proc/irq", "/proc/sys",
						"/proc/sysrq-trigger", NULL };
	static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", NULL };
	json_t *l = json_object(), *nss = json_array();

	for (const char *const *n = ns; *n; n++)
		json_array_append_new(nss, json_pack("{s:s}", "type", *n));
	if (rootless) {
		json_array_append_new(nss, json_pack("{s:s}", "type", "user"));
		json_object_set_new(
		    l, "uidMappings",
		    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)uid, "size", 1));
		json_object_set_new(
		    l, "gidMappings",
		    json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", (json_int_t)gid, "size", 1));
	} else {
		/* deny every device by default; the runtime then allows only the standard set (runc's spec)
		 */
		json_object_set_new(l, "resources",
				    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
	}
	json_object_set_new(l, "namespaces", nss);
	json_object_set_new(l, "maskedPaths", strv(masked));
	json_object_set_new(l, "readonlyPaths", strv(readonly));
	return l;
}

char *spec_default_json(bool rootless, uid_t uid, gid_t gid)
{
	json_auto_t *root = json_object();
	char *out;

	json_object_set_new(root, "ociVersion", json_string("1.2.0"));
	json_object_set_new(root, "process", default_process());
	json_object_set_new(root, "root", json_pack("{s:s, s:b}", "path", "rootfs", "readonly", 1));
	json_object_set_new(root, "hostname", json_string("husk"));
	json_object_set_new(root, "mounts", default_mounts(rootless));
	json_object_set_new(root, "linux", default_linux(rootless, uid, gid));
	out = json_dumps(root, JSON_INDENT(8) | JSON_PRESERVE_ORDER);
	if (out == NULL)
		abort();
	return out;
}
