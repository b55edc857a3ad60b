/* `husk features`: the runtime-spec features.md document, built from runtime/support.c (what the code
 * does) and from libseccomp and libcap (what the libraries and the kernel know). */
#define _GNU_SOURCE
#include <jansson.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "default-spec.h"
#include "runtime/criu.h"
#include "runtime/support.h"
#include "spec.h"

static json_t *strv(const char *const *v)
{
	json_t *a = json_array();

	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *capabilities(void)
{
	json_t *a = json_array();
	int last = spec_cap_last_cap();

	for (int c = 0; c <= last; c++) {
		char *name = cap_to_name((cap_value_t)c);
		if (name == NULL)
			continue;
		/* libcap names are lowercase ("cap_chown"); the spec spells them CAP_CHOWN */
		for (char *p = name; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (strncmp(name, "CAP_", 4) == 0)
			json_array_append_new(a, json_string(name));
		cap_free(name);
	}
	return a;
}

static json_t *seccomp_features(void)
{
	static const char *const archs[] = {
		"SCMP_ARCH_X86",     "SCMP_ARCH_X86_64",   "SCMP_ARCH_X32",	    "SCMP_ARCH_ARM",
		"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS",	   "SCMP_ARCH_MIPS64",	    "SCMP_ARCH_MIPS64N32",
		"SCMP_ARCH_MIPSEL",  "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
		"SCMP_ARCH_PPC64",   "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_S390",	    "SCMP_ARCH_S390X",
		"SCMP_ARCH_PARISC",  "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64",	    NULL
	};
	json_t *s = json_object(), *actions = json_array(), *ops = json_array();

	json_object_set_new(s, "enabled", json_boolean(husk_support.seccomp));
	if (!husk_support.seccomp)
		return s;
	for (int a = 0; a < SECCOMP_ACT_COUNT; a++)
		if (a != SECCOMP_ACT_NOTIFY || husk_support.seccomp_notify)
			json_array_append_new(actions, json_string(spec_seccomp_action_name(a)));
	for (int o = 0; o < SECCOMP_OP_COUNT; o++)
		json_array_append_new(ops, json_string(spec_seccomp_op_name(o)));
	json_object_set_new(s, "actions", actions);
	json_object_set_new(s, "operators", ops);
	json_object_set_new(s, "archs", strv(archs));
	json_object_set_new(s, "knownFlags", strv(spec_seccomp_flag_names));
	json_object_set_new(s, "supportedFlags", strv(spec_seccomp_flag_names));
	return s;
}

static json_t *linux_features(void)
{
	json_t *l = json_object();

	json_object_set_new(l, "namespaces", strv(husk_support.namespaces));
	if (husk_support.capabilities)
		json_object_set_new(l, "capabilities", capabilities());
	json_object_set_new(l, "cgroup",
			    json_pack("{s:b, s:b, s:b, s:b, s:b}", "v1", husk_support.cgroup_v1, "v2",
				      husk_support.cgroup_v2, "systemd", husk_support.cgroup_systemd,
				      "systemdUser", 0, "rdma", husk_support.cgroup_rdma));
	json_object_set_new(l, "seccomp", seccomp_features());
	json_object_set_new(l, "apparmor", json_pack("{s:b}", "enabled", husk_support.apparmor));
	json_object_set_new(l, "selinux", json_pack("{s:b}", "enabled", husk_support.selinux));
	json_object_set_new(l, "intelRdt", json_pack("{s:b}", "enabled", husk_support.intel_rdt));
	json_object_set_new(l, "mountExtensions",
			    json_pack("{s:{s:b}}", "idmap", "enabled", husk_support.idmap_mounts));
	json_object_set_new(l, "netDevices", json_pack("{s:b}", "enabled", husk_support.net_devices));
	json_object_set_new(l, "memoryPolicy", json_pack("{s:b}", "enabled", husk_support.memory_policy));
	return l;
}

char *spec_features_json(void)
{
	const struct scmp_version *v = seccomp_version();
	json_auto_t *root = json_object();
	json_t *ann = json_object();
	char buf[64], *out;

	json_object_set_new(root, "ociVersionMin", json_string("1.0.0"));
	json_object_set_new(root, "ociVersionMax", json_string("1.3.0"));
	json_object_set_new(root, "hooks", strv(husk_support.hooks));
	json_object_set_new(root, "mountOptions",
			    husk_support.mount_options ? strv(mount_opts_names()) : json_array());
	json_object_set_new(root, "linux", linux_features());
	snprintf(buf, sizeof buf, "%u.%u.%u", v->major, v->minor, v->micro);
	json_object_set_new(ann, "io.github.seccomp.libseccomp.version", json_string(buf));
	json_object_set_new(ann, "io.github.husk.version", json_string(HUSK_VERSION));
	/* runc's annotation (containerd and podman read it), and how husk does it */
	json_object_set_new(ann, "org.opencontainers.runc.checkpoint.enabled",
			    json_string(criu_built ? "true" : "false"));
	json_object_set_new(
	    ann, "io.github.husk.checkpoint.criu",
	    json_string(criu_built ? "criu swrk RPC (criu 3.15 or newer that passes `criu check`)"
				   : "not built (protoc-c, libprotobuf-c or criu's rpc.proto missing)"));
	json_object_set_new(root, "annotations", ann);
	out = json_dumps(root, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
	if (out == NULL)
		abort();
	return out;
}
