/* Device access rules of linux.resources.devices: on the v1 devices controller as the smallest set of
 * writes from the rules in place to the target (an update never denies, even briefly, a device allowed
 * before and after), else as an eBPF program on the v2 cgroup. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup-bpf.h"
#include "base/log.h"
#include "base/util.h"

/* Devices runc allows in every container whatever the config says: the standard /dev nodes and ptys.
 * Without them a default-deny config would break /dev/null. */
static const struct spec_device_cgroup default_allow[] = {
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 3,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 5,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 7,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 8,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 1,
	  .has_minor = true,
	  .minor = 9,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 5,
	  .has_minor = true,
	  .minor = 0,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 5,
	  .has_minor = true,
	  .minor = 1,
	  .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 5,
	  .has_minor = true,
	  .minor = 2,
	  .access = "rwm" },
	{ .allow = true, .type = 'c', .has_major = true, .major = 136, .access = "rwm" },
	{ .allow = true,
	  .type = 'c',
	  .has_major = true,
	  .major = 10,
	  .has_minor = true,
	  .minor = 200,
	  .access = "rwm" },
};

const struct spec_device_cgroup *cgroup_default_devices(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(default_allow);
	return default_allow;
}

/* One rule into devices.allow or devices.deny. fds[0] (deny) and fds[1] (allow) are opened on first use and
 * kept: the kernel takes each write(2) as one rule, so a file needs one open for all its rules. */
static int write_rule(const char *dir, const struct cg_dev_rule *d, int fds[2], struct error *err)
{
	char rule[96];
	const char *name = d->allow ? "devices.allow" : "devices.deny";
	int *fd = &fds[d->allow ? 1 : 0];

	if (d->type == 'a')
		snprintf(rule, sizeof rule, "a");
	else
		snprintf(rule, sizeof rule, "%c %s:%s %s", d->type, d->major, d->minor, d->access);
	log_debug("write %s/%s \"%s\"", dir, name, rule);
	if (*fd < 0) {
		cleanup_free char *file = xasprintf("%s/%s", dir, name);
		*fd = open(file, O_WRONLY | O_CLOEXEC);
		if (*fd < 0)
			return error_sys(err, errno, "open '%s'", file);
	}
	if (write(*fd, rule, strlen(rule)) != (ssize_t)strlen(rule))
		return error_sys(err, errno ? errno : EIO, "write '%s' to '%s/%s'", rule, dir, name);
	return 0;
}

/* ---- the v1 controller's state, emulated ---- */

enum {
	PERM_R = 1,
	PERM_W = 2,
	PERM_M = 4
};

struct dev_ex {
	char type;
	char major[24], minor[24]; /* as devices.list prints them: a number or "*" */
	unsigned perms;
};

/* What the kernel keeps: a default and exceptions to it, each matched by its exact key (a deny of
 * "c 1:*" removes the "c 1:*" exception only, never "c 1:3"). devices.list shows the exceptions of a
 * default-deny cgroup but only "a *:* rwm" for a default-allow one: then they are unknown. */
struct dev_state {
	bool default_allow;
	bool known;
	struct dev_ex *ex;
	size_t n;
};

static unsigned perms_of(const char *access)
{
	unsigned p = 0;

	for (const char *c = access ? access : "rwm"; *c; c++)
		p |= *c == 'r' ? PERM_R : *c == 'w' ? PERM_W : *c == 'm' ? PERM_M : 0;
	return p;
}

static void perms_text(unsigned p, char out[4])
{
	size_t n = 0;

	if (p & PERM_R)
		out[n++] = 'r';
	if (p & PERM_W)
		out[n++] = 'w';
	if (p & PERM_M)
		out[n++] = 'm';
	out[n] = '\0';
}

static struct dev_ex *find_ex(const struct dev_state *s, const struct dev_ex *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->ex[i].type == key->type && strcmp(s->ex[i].major, key->major) == 0 &&
		    strcmp(s->ex[i].minor, key->minor) == 0)
			return &s->ex[i];
	return NULL;
}

/* One write to devices.allow (allow) or devices.deny, as the kernel applies it. */
static void emulate(struct dev_state *s, bool allow, const struct dev_ex *rule)
{
	struct dev_ex *e;

	if (rule->type == 'a') {
		s->default_allow = allow;
		s->known = true;
		s->n = 0;
		return;
	}
	e = find_ex(s, rule);
	if (allow != s->default_allow) {
		/* an exception to the default: added, or merged into the one with the same key */
		if (e == NULL) {
			s->ex = xrealloc(s->ex, (s->n + 1) * sizeof(*s->ex));
			e = &s->ex[s->n++];
			*e = *rule;
			e->perms = 0;
		}
		e->perms |= rule->perms;
	} else if (e != NULL && (e->perms &= ~rule->perms) == 0) {
		*e = s->ex[--s->n];
	}
}

static void ex_of_spec(const struct spec_device_cgroup *d, struct dev_ex *out)
{
	*out = (struct dev_ex){ .type = d->type == 0 ? 'a' : d->type, .major = "*", .minor = "*" };
	if (d->has_major && d->major >= 0)
		snprintf(out->major, sizeof out->major, "%lld", (long long)d->major);
	if (d->has_minor && d->minor >= 0)
		snprintf(out->minor, sizeof out->minor, "%lld", (long long)d->minor);
	out->perms = perms_of(d->access);
}

/* devices.list's text: "a *:* rwm" alone is default-allow with unknown exceptions; anything else is
 * default-deny with the listed exceptions. */
static int parse_list(const char *text, struct dev_state *ret)
{
	*ret = (struct dev_state){ .known = true };
	for (const char *line = text; line && *line;) {
		const char *end = strchrnul(line, '\n');
		char buf[96], acc[8];
		struct dev_ex e = { 0 };

		if ((size_t)(end - line) >= sizeof buf)
			return -1;
		memcpy(buf, line, (size_t)(end - line));
		buf[end - line] = '\0';
		line = *end ? end + 1 : end;
		if (buf[0] == '\0')
			continue;
		if (sscanf(buf, "%c %23[0-9*]:%23[0-9*] %7s", &e.type, e.major, e.minor, acc) != 4)
			return -1;
		e.perms = perms_of(acc);
		emulate(ret, e.type != 'a', &e);
		if (e.type == 'a')
			*ret = (struct dev_state){ .default_allow = true, .known = false, .ex = ret->ex };
	}
	return 0;
}

static void add_rule(struct cg_dev_rule **rules, size_t *n, bool allow, const struct dev_ex *e,
		     unsigned perms)
{
	struct cg_dev_rule *r;

	*rules = xrealloc(*rules, (*n + 1) * sizeof(**rules));
	r = &(*rules)[(*n)++];
	*r = (struct cg_dev_rule){ .allow = allow, .type = e->type };
	snprintf(r->major, sizeof r->major, "%s", e->major);
	snprintf(r->minor, sizeof r->minor, "%s", e->minor);
	perms_text(perms, r->access);
}

int cgroup_devices_transition(const char *list, const struct spec_device_cgroup *rules, size_t n,
			      struct cg_dev_rule **ret, size_t *ret_n, struct error *err)
{
	struct dev_state cur, target;
	struct cg_dev_rule *out = NULL;
	size_t n_out = 0;

	if (parse_list(list, &cur) < 0)
		return error_set(err, EPROTO, "devices.list: unexpected content");
	target = cur;
	target.ex = xmalloc((cur.n + 1) * sizeof(*cur.ex));
	if (cur.n)
		memcpy(target.ex, cur.ex, cur.n * sizeof(*cur.ex));
	for (size_t i = 0; i < n + ARRAY_SIZE(default_allow); i++) {
		struct dev_ex e;
		const struct spec_device_cgroup *d = i < n ? &rules[i] : &default_allow[i - n];

		ex_of_spec(d, &e);
		emulate(&target, d->allow, &e);
	}
	if (!target.known) {
		/* default-allow before and after, with denies nobody can list: the rules as written */
		for (size_t i = 0; i < n + ARRAY_SIZE(default_allow); i++) {
			struct dev_ex e;
			const struct spec_device_cgroup *d = i < n ? &rules[i] : &default_allow[i - n];

			ex_of_spec(d, &e);
			add_rule(&out, &n_out, d->allow, &e, e.perms);
		}
	} else {
		/* runc's transition: a different default, or unknown exceptions, need the disruptive "a"
		 * first; then the permissions to drop, then those to add, so nothing kept is ever denied */
		if (cur.default_allow || cur.default_allow != target.default_allow) {
			struct dev_ex all = { .type = 'a', .major = "*", .minor = "*", .perms = 7 };

			add_rule(&out, &n_out, target.default_allow, &all, 7);
			cur.n = 0;
		}
		for (size_t i = 0; i < cur.n; i++) {
			const struct dev_ex *t = find_ex(&target, &cur.ex[i]);
			unsigned dropped = cur.ex[i].perms & ~(t ? t->perms : 0);

			if (dropped)
				add_rule(&out, &n_out, target.default_allow, &cur.ex[i], dropped);
		}
		for (size_t i = 0; i < target.n; i++) {
			const struct dev_ex *c = find_ex(&cur, &target.ex[i]);
			unsigned gained = target.ex[i].perms & ~(c ? c->perms : 0);

			if (gained)
				add_rule(&out, &n_out, !target.default_allow, &target.ex[i], gained);
		}
	}
	free(cur.ex);
	free(target.ex);
	*ret = out;
	*ret_n = n_out;
	return 0;
}

/* Whether exception e of the v1 state covers (cover) or overlaps (!cover) the device key type major:minor,
 * where a "*" stands for every number. */
static bool ex_meets(const struct dev_ex *e, char type, const char *major, const char *minor, bool cover)
{
	const char *k[2] = { major, minor }, *x[2] = { e->major, e->minor };

	if (e->type != 'a' && e->type != type)
		return false;
	for (int i = 0; i < 2; i++)
		if (strcmp(x[i], "*") != 0 && strcmp(x[i], k[i]) != 0 && (cover || strcmp(k[i], "*") != 0))
			return false;
	return true;
}

/* v1: may a process of a cgroup in state s do `perms` on the device key? Conservative where a "*" in the
 * key meets exceptions of single numbers. */
static bool v1_allows(const struct dev_state *s, char type, const char *major, const char *minor,
		      unsigned perms)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct dev_ex *e = &s->ex[i];
		if (s->default_allow && (e->perms & perms) && ex_meets(e, type, major, minor, false))
			return false;
		if (!s->default_allow && (e->perms & perms) == perms && ex_meets(e, type, major, minor, true))
			return true;
	}
	return s->default_allow;
}

/* v2: the program lets the last rule that matches the device and access decide. */
static bool last_match_allows_mknod(const struct spec_device_cgroup *rules, size_t n, char type,
				    int64_t major, int64_t minor)
{
	for (size_t i = n + ARRAY_SIZE(default_allow); i-- > 0;) {
		const struct spec_device_cgroup *d = i < n ? &rules[i] : &default_allow[i - n];
		char t = d->type == 0 ? 'a' : d->type;
		if ((perms_of(d->access) & PERM_M) && (t == 'a' || t == type) &&
		    (!d->has_major || d->major < 0 || d->major == major) &&
		    (!d->has_minor || d->minor < 0 || d->minor == minor))
			return d->allow;
	}
	return false;
}

bool cgroup_devices_allow_nodes(const struct spec_resources *r, const struct spec_device *nodes,
				size_t n_nodes)
{
	struct dev_state s = { .default_allow = true, .known = true };
	bool ok = true;

	for (size_t i = 0; i < r->n_devices + ARRAY_SIZE(default_allow); i++) {
		const struct spec_device_cgroup *d =
		    i < r->n_devices ? &r->devices[i] : &default_allow[i - r->n_devices];
		struct dev_ex e;

		ex_of_spec(d, &e);
		emulate(&s, d->allow, &e);
	}
	/* the default devices, which the init makes and opens: the defaults allow them last, but on v1 a
	 * broader deny of a default-allow cgroup (c 1:* m, say) outlives them */
	for (size_t i = 0; ok && i < ARRAY_SIZE(default_allow); i++) {
		struct dev_ex e;

		ex_of_spec(&default_allow[i], &e);
		ok = v1_allows(&s, e.type, e.major, e.minor, PERM_R | PERM_W | PERM_M) ||
		     !s.default_allow; /* default-deny: the defaults are exceptions of their own */
	}
	for (size_t i = 0; ok && i < n_nodes; i++) {
		const struct spec_device *d = &nodes[i];
		char type = d->type == 'b' ? 'b' : 'c', major[24], minor[24];

		if (d->type == 'p') /* a FIFO: the controller does not look at it */
			continue;
		snprintf(major, sizeof major, "%lld", (long long)d->major);
		snprintf(minor, sizeof minor, "%lld", (long long)d->minor);
		ok = v1_allows(&s, type, major, minor, PERM_M) &&
		     last_match_allows_mknod(r->devices, r->n_devices, type, d->major, d->minor);
	}
	free(s.ex);
	return ok;
}

/* cgroup v2 (or a hybrid host without the v1 devices controller): one eBPF program on the container's
 * v2 cgroup. cgroup_bpf_attach attaches the new program before it detaches the old one, so an update
 * never opens a window in which a device allowed by both is denied. */
static int devices_bpf(const struct cgroup_hierarchy *v2, const char *path, const struct spec_resources *r,
		       struct error *err)
{
	cleanup_free char *dir = xasprintf("%s%s", v2->mountpoint, path);
	cleanup_free struct bpf_insn *insns = NULL;
	size_t n = 0;

	cgroup_bpf_program(r->devices, r->n_devices, default_allow, ARRAY_SIZE(default_allow), &insns, &n);
	if (cgroup_bpf_attach(dir, insns, n, err) == 0)
		return 0;
	/* as runc: without CAP_BPF/CAP_SYS_ADMIN (rootless in a delegated subtree) the filter cannot be
	 * loaded. Nothing is lost: an unprivileged user cannot mknod, and the device nodes it can reach
	 * are guarded by their own permissions */
	if (geteuid() != 0 && (err->errnum == EPERM || err->errnum == EACCES)) {
		log_warn("linux.resources.devices not applied (rootless: %s)", err->msg);
		error_clear(err);
		return 0;
	}
	return error_wrap(err, "linux.resources.devices");
}

int cgroup_devices(const char *path, const struct spec_resources *r, struct error *err)
{
	const struct cgroup_hierarchy *h = cgroup_find("devices"), *v2 = cgroup_find(NULL);
	cleanup_free char *dir = NULL, *list = NULL, *file = NULL;
	cleanup_free struct cg_dev_rule *rules = NULL;
	size_t n = 0;
	int fds[2] = { -1, -1 }, rc = 0;

	if (r->n_devices == 0)
		return 0;
	if (h == NULL && v2 != NULL)
		return devices_bpf(v2, path, r, err);
	if (h == NULL)
		return error_set(err, ENOTSUP,
				 "linux.resources.devices: neither a v1 devices controller nor cgroup v2 "
				 "is mounted");
	dir = xasprintf("%s%s", h->mountpoint, path);
	file = xasprintf("%s/devices.list", dir);
	if (read_file_at(AT_FDCWD, file, 1 << 20, &list, NULL, err) < 0 ||
	    cgroup_devices_transition(list, r->devices, r->n_devices, &rules, &n, err) < 0)
		return error_wrap(err, "linux.resources.devices");
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = write_rule(dir, &rules[i], fds, err);
	for (int i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc < 0 ? error_wrap(err, "linux.resources.devices") : 0;
}
