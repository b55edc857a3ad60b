/* The systemd cgroup driver: cgroupsPath "slice:prefix:name" to a unit and its cgroup, resources to
 * systemd properties, and the husk-systemd helper that makes the D-Bus calls (fork + exec from the host
 * side, bounded output, bounded time). husk stays static and never loads libsystemd itself. */
#define _GNU_SOURCE
#include "systemd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-plan.h"
#include "cgroup.h"
#include "base/log.h"
#include "sealed.h"
#include "base/util.h"

#ifndef HUSK_LIBEXECDIR
#define HUSK_LIBEXECDIR "/usr/local/libexec/husk"
#endif

#define HELPER "husk-systemd"
/* The helper bounds each bus call and job wait to 5 s; this bounds the whole helper, whatever hangs. */
#define HELPER_TIMEOUT_MS 12000
#define HELPER_OUTPUT_MAX 4096

void systemd_unit_free(struct systemd_unit *u)
{
	free(u->slice);
	free(u->unit);
	free(u->path);
	strv_free(u->props);
	*u = (struct systemd_unit){ 0 };
}

/* Characters systemd accepts in a unit name (unit_name_is_valid), no '/': the name becomes a path. */
static bool unit_chars_ok(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\-@") ==
	       strlen(s);
}

int systemd_expand_slice(const char *slice, char **ret, struct error *err)
{
	size_t n = strlen(slice);
	cleanup_free char *name = NULL, *out = NULL;

	if (n <= 6 || strcmp(slice + n - 6, ".slice") != 0 || !unit_chars_ok(slice))
		return error_set(err, EINVAL, "invalid slice name '%s': expected NAME.slice", slice);
	if (strcmp(slice, "-.slice") == 0) {
		*ret = xstrdup("");
		return 0;
	}
	name = xasprintf("%.*s", (int)(n - 6), slice);
	/* systemd nests by dashes: "a-b" lives in "a"; an empty part would name no slice */
	if (name[0] == '-' || name[n - 7] == '-' || strstr(name, "--"))
		return error_set(err, EINVAL, "invalid slice name '%s': a dash may only separate names",
				 slice);
	out = xstrdup("");
	for (char *p = name;; p++) {
		if (*p != '-' && *p != '\0')
			continue;
		char *next = xasprintf("%s/%.*s.slice", out, (int)(p - name), name);
		free(out);
		out = next;
		if (*p == '\0')
			break;
	}
	*ret = steal_ptr(&out);
	return 0;
}

int systemd_parse_path(const char *cgroups_path, const char *id, struct systemd_unit *ret, struct error *err)
{
	cleanup_free char *copy = NULL, *expanded = NULL;
	const char *slice, *prefix, *name;
	char *c1, *c2;
	struct systemd_unit u = { 0 };

	if (cgroups_path == NULL || *cgroups_path == '\0') {
		/* runc: an empty cgroupsPath is ":runc:<id>" */
		copy = xasprintf(":runc:%s", id);
	} else {
		copy = xstrdup(cgroups_path);
	}
	c1 = strchr(copy, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2 == NULL || strchr(c2 + 1, ':'))
		return error_set(
		    err, EINVAL,
		    "config.json: .linux.cgroupsPath: expected \"slice:prefix:name\" for the systemd "
		    "cgroup driver, got '%s'",
		    cgroups_path);
	*c1 = *c2 = '\0';
	slice = *copy ? copy : "system.slice";
	if (strcmp(slice, "-") == 0)
		slice = "-.slice";
	prefix = c1 + 1;
	name = c2 + 1;
	if (*name == '\0')
		return error_set(err, EINVAL, "config.json: .linux.cgroupsPath: '%s': the name part is empty",
				 cgroups_path);
	if (strlen(name) > 6 && strcmp(name + strlen(name) - 6, ".slice") == 0)
		return error_set(
		    err, ENOTSUP,
		    "config.json: .linux.cgroupsPath: '%s': a container in a slice unit of its own "
		    "(name ending in .slice) is not supported; use a scope (slice:prefix:name)",
		    cgroups_path);
	if (strchr(slice, '/'))
		return error_set(err, EINVAL,
				 "config.json: .linux.cgroupsPath: '%s': the slice must not contain '/' "
				 "(nest with dashes: a-b.slice)",
				 cgroups_path);
	if (systemd_expand_slice(slice, &expanded, err) < 0)
		return error_wrap(err, "config.json: .linux.cgroupsPath");
	/* runc's unit name, <prefix>-<name>.scope, even with an empty prefix */
	u.unit = xasprintf("%s-%s.scope", prefix, name);
	if (!unit_chars_ok(u.unit) || strlen(u.unit) > 255) {
		error_set(err, EINVAL, "config.json: .linux.cgroupsPath: '%s': '%s' is not a valid unit name",
			  cgroups_path, u.unit);
		systemd_unit_free(&u);
		return -1;
	}
	u.slice = xstrdup(slice);
	u.path = xasprintf("%s/%s", expanded, u.unit);
	*ret = u;
	return 0;
}

/* Append s to the NULL-terminated list *v of *n strings. */
static void push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

#define PROPERTY_PREFIX "org.systemd.property."

/* A string in GVariant's text form at p, 'x' or "x", with its backslash escapes; *end is set past its
 * closing quote. NULL if there is none. */
static char *gvariant_string(const char *p, const char **end)
{
	char q = *p++, *out, *o;

	if (q != '\'' && q != '"')
		return NULL;
	out = o = xcalloc(1, strlen(p) + 1);
	for (; *p && *p != q; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		switch (*++p) {
		case '\\':
		case '\'':
		case '"':
			*o++ = *p;
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'r':
			*o++ = '\r';
			break;
		default:
			free(out);
			return NULL;
		}
	}
	if (*p != q) {
		free(out);
		return NULL;
	}
	*end = p + 1;
	return out;
}

/* An array of strings, ['a', "b"] (CRI-O's After=['crio.service']), for husk-systemd as each string's
 * length, a colon and the string: "1:a1:b". NULL if it is not one. */
static char *gvariant_strv(const char *p)
{
	cleanup_free char *acc = xstrdup("");

	p += 1 + strspn(p + 1, " \t");
	while (*p != ']') {
		const char *end;
		cleanup_free char *one = gvariant_string(p, &end);
		if (one == NULL)
			return NULL;
		char *next = xasprintf("%s%zu:%s", acc, strlen(one), one);
		free(acc);
		acc = next;
		p = end + strspn(end, " \t");
		if (*p == ',')
			p += 1 + strspn(p + 1, " \t");
		else if (*p != ']')
			return NULL;
	}
	p++;
	if (p[strspn(p, " \t")] != '\0')
		return NULL;
	return steal_ptr(&acc);
}

/* GVariant's number types: the keyword, the "@" form, the D-Bus type, the range. */
static const struct {
	const char *word;
	char type;
	long double min, max;
} num_types[] = {
	{ "byte", 'y', 0, UINT8_MAX },	  { "int16", 'n', INT16_MIN, INT16_MAX },
	{ "uint16", 'q', 0, UINT16_MAX }, { "int32", 'i', INT32_MIN, INT32_MAX },
	{ "uint32", 'u', 0, UINT32_MAX }, { "int64", 'x', INT64_MIN, INT64_MAX },
	{ "uint64", 't', 0, UINT64_MAX }, { "double", 'd', 0, 0 },
};

/* value (GVariant text) -> *type and *out, the value as husk-systemd takes it: "true"/"false", a decimal
 * number, the string itself, or an array of strings (gvariant_strv). NULL, or what is wrong. */
static const char *gvariant_value(const char *value, char *type, char **out)
{
	const char *p = value + strspn(value, " \t");
	char t = 0, *end;

	if (strcmp(p, "true") == 0 || strcmp(p, "false") == 0 || strncmp(p, "@b ", 3) == 0) {
		p += strncmp(p, "@b ", 3) == 0 ? 3 + strspn(p + 3, " \t") : 0;
		if (strcmp(p, "true") != 0 && strcmp(p, "false") != 0)
			return "expected true or false after @b";
		*type = 'b';
		*out = xstrdup(p);
		return NULL;
	}
	if (strncmp(p, "@s ", 3) == 0)
		p += 3 + strspn(p + 3, " \t");
	if (*p == '\'' || *p == '"') {
		const char *rest;
		if ((*out = gvariant_string(p, &rest)) == NULL || rest[strspn(rest, " \t")] != '\0') {
			free(*out);
			*out = NULL;
			return "a string must be one quoted string ('...' or \"...\"), with only the escapes "
			       "\\\\ \\' \\\" \\n \\t \\r";
		}
		*type = 's';
		return NULL;
	}
	if (strncmp(p, "@as", 3) == 0 && p[3] && strchr(" \t[", p[3]))
		p += 3 + strspn(p + 3, " \t");
	if (*p == '[') {
		if ((*out = gvariant_strv(p)) == NULL)
			return "an array must be of quoted strings, ['a', 'b']";
		*type = 'a';
		return NULL;
	}
	for (size_t k = 0; k < ARRAY_SIZE(num_types) && !t; k++) {
		size_t w = strlen(num_types[k].word);
		if (strncmp(p, num_types[k].word, w) == 0 && (p[w] == ' ' || p[w] == '\t'))
			p += w, t = num_types[k].type;
		else if (p[0] == '@' && p[1] == num_types[k].type && (p[2] == ' ' || p[2] == '\t'))
			p += 2, t = num_types[k].type;
	}
	p += strspn(p, " \t");
	if (*p == '\0' || *p == '(' || *p == '{' || *p == '<' || *p == '@')
		return "only booleans, numbers, strings and arrays of strings are supported (no tuples, "
		       "dictionaries, variants or other arrays)";
	/* untyped: GVariant's int32, or a double when it has a fraction or an exponent */
	if (t == 0)
		t = strpbrk(p, ".eE") && strncmp(p, "0x", 2) != 0 ? 'd' : 'i';
	if (t == 'd') {
		errno = 0;
		double d = strtod(p, &end);
		if (errno || end == p || end[strspn(end, " \t")] != '\0' || d != d)
			return "expected a number";
		*out = xasprintf("%.17g", d);
	} else {
		bool neg = *p == '-';
		long long sx = 0;
		unsigned long long ux = 0;
		errno = 0;
		if (neg)
			sx = strtoll(p, &end, 0);
		else
			ux = strtoull(p, &end, 0);
		if (errno || end == p || end[strspn(end, " \t")] != '\0')
			return "expected a number (decimal, 0x hexadecimal or 0 octal)";
		long double v = neg ? (long double)sx : (long double)ux;
		for (size_t k = 0; k < ARRAY_SIZE(num_types); k++)
			if (num_types[k].type == t && (v < num_types[k].min || v > num_types[k].max))
				return "the number is out of its type's range";
		*out = neg ? xasprintf("%lld", sx) : xasprintf("%llu", ux);
	}
	*type = t;
	return NULL;
}

/* One org.systemd.property.NAME annotation as husk-systemd takes it, "Name:T=value", or NULL and err. */
static char *annotation_prop(const char *key, const char *value, struct error *err)
{
	static const char *const reserved[] = { "Slice", "PIDs", "Delegate" };
	const char *name = key + strlen(PROPERTY_PREFIX), *why;
	cleanup_free char *val = NULL, *usec_name = NULL;
	size_t len = strlen(name);
	char type = 0;

	/* runc's rule: letters only (a name becomes a D-Bus property name, nothing else) */
	if (len < 3 || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != len) {
		error_set(err, EINVAL,
			  "config.json: .annotations[\"%s\"]: '%s' is not a systemd property name (letters "
			  "only, at least 3)",
			  key, name);
		return NULL;
	}
	for (size_t k = 0; k < ARRAY_SIZE(reserved); k++)
		if (strcmp(name, reserved[k]) == 0) {
			error_set(
			    err, EINVAL,
			    "config.json: .annotations[\"%s\"]: %s is set by husk (the scope must be in "
			    ".linux.cgroupsPath's slice, hold the init and be delegated to husk)",
			    key, name);
			return NULL;
		}
	why = gvariant_value(value, &type, &val);
	/* "TimeoutStopSec": seconds, converted to systemd's microsecond property, as runc does */
	if (why == NULL && len > 3 && strcmp(name + len - 3, "Sec") == 0 && name[len - 4] >= 'a' &&
	    name[len - 4] <= 'z') {
		long double secs = strtold(val, NULL);
		if (strchr("bsa", type) || secs < 0 || secs * 1e6L > (long double)UINT64_MAX) {
			why = "a ...Sec property takes a number of seconds, 0 or more";
		} else {
			free(val);
			val = xasprintf("%llu", (unsigned long long)(secs * 1e6L + 0.5L));
			type = 't';
			usec_name = xasprintf("%.*sUSec", (int)(len - 3), name);
		}
	}
	if (why) {
		error_set(err, EINVAL, "config.json: .annotations[\"%s\"]: %s (got %s)", key, why, value);
		return NULL;
	}
	return xasprintf("%s:%c=%s", usec_name ? usec_name : name, type, val);
}

int systemd_unit_annotations(struct systemd_unit *u, const struct spec_map *ann, struct error *err)
{
	cleanup_strv char **v = NULL;
	size_t n = 0;

	for (size_t i = 0; i < ann->n; i++) {
		if (strncmp(ann->keys[i], PROPERTY_PREFIX, strlen(PROPERTY_PREFIX)) != 0)
			continue;
		char *prop = annotation_prop(ann->keys[i], ann->values[i], err);
		if (prop == NULL)
			return -1;
		push(&v, &n, prop);
	}
	strv_free(u->props);
	u->props = steal_ptr(&v);
	return 0;
}

/* husk-systemd is looked for next to husk's own binary (a build tree, or a packaged layout that keeps
 * them together), in ../libexec/husk from it (an installed prefix), then in the libexec directory husk
 * was built for. The directory of husk's binary is
 * the one the kernel resolved on the host when husk started (recorded before the sealed re-exec, which
 * hides it): no container can name it, and the helper only ever runs from the host side, before any
 * container namespace is joined, so a container cannot put a program of its own in its place. */
static char *helper_path(void)
{
	const char *dir = sealed_host_dir();
	cleanup_free char *self = NULL, *next = NULL;

	if (dir == NULL) {
		char buf[4096];
		ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
		if (n > 0 && buf[0] == '/') {
			buf[n] = '\0';
			self = xstrndup_dir(buf, strrchr(buf, '/'));
			dir = self;
		}
	}
	if (dir) {
		next = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir, HELPER);
		if (access(next, X_OK) == 0)
			return steal_ptr(&next);
		free(next);
		/* an installed tree moved as a whole: <prefix>/bin/husk, <prefix>/libexec/husk/ */
		next = xasprintf("%s/../libexec/husk/%s", strcmp(dir, "/") == 0 ? "" : dir, HELPER);
		if (access(next, X_OK) == 0)
			return steal_ptr(&next);
	}
	return xstrdup(HUSK_LIBEXECDIR "/" HELPER);
}

int systemd_check_host(struct error *err)
{
	const struct cgroup_layout *l;
	struct stat st;
	cleanup_free char *helper = NULL;

	if (geteuid() != 0)
		return error_set(
		    err, ENOTSUP,
		    "--systemd-cgroup as a non-root user (systemd --user) is not supported; use the "
		    "cgroupfs driver (drop --systemd-cgroup)");
	/* sd_booted()'s test: systemd as PID 1 makes this directory early at boot */
	if (lstat("/run/systemd/system", &st) < 0 || !S_ISDIR(st.st_mode))
		return error_set(err, ENOTSUP,
				 "--systemd-cgroup: systemd is not running as PID 1 on this host "
				 "(/run/systemd/system is missing); use the cgroupfs driver (drop "
				 "--systemd-cgroup)");
	if ((l = cgroup_layout(err)) == NULL)
		return -1;
	if (l->mode != CGROUP_MODE_V2)
		return error_set(
		    err, ENOTSUP,
		    "--systemd-cgroup: the systemd driver needs the unified cgroup v2 hierarchy, "
		    "and this host has cgroup %s; use the cgroupfs driver (drop --systemd-cgroup)",
		    l->mode == CGROUP_MODE_HYBRID ? "v1 controllers (hybrid)" : "v1");
	helper = helper_path();
	if (access(helper, X_OK) < 0)
		return error_sys(err, errno,
				 "--systemd-cgroup: the helper program '%s' (installed with husk) is missing",
				 helper);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The helper's output into out until EOF or the deadline, bounded: whatever it prints beyond
 * HELPER_OUTPUT_MAX is read and dropped (*ret_truncated). True when the deadline came first. */
static bool read_output(int fd, uint64_t deadline, char *out, size_t *ret_len, bool *ret_truncated)
{
	size_t len = 0;
	bool truncated = false, timed_out = false;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		uint64_t now = now_ms();
		char buf[512];
		ssize_t n;
		if (now >= deadline) {
			timed_out = true;
			break;
		}
		int r = poll(&p, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = r == 0;
			break;
		}
		n = read(fd, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t take = (size_t)n > HELPER_OUTPUT_MAX - len ? HELPER_OUTPUT_MAX - len : (size_t)n;
		memcpy(out + len, buf, take);
		len += take;
		truncated |= take < (size_t)n;
	}
	*ret_len = len;
	*ret_truncated = truncated;
	return timed_out;
}

/* Run husk-systemd with argv[1..] and return its one line of output ("ok ..."). */
static int run_helper(char **argv, char **ret_out, struct error *err)
{
	cleanup_free char *path = helper_path(), *out = xcalloc(1, HELPER_OUTPUT_MAX + 1);
	char *const envp[] = { NULL };
	int fds[2], st = 0;
	size_t len = 0;
	bool truncated = false, timed_out = false;
	uint64_t deadline = now_ms() + HELPER_TIMEOUT_MS;
	pid_t pid;

	argv[0] = (char *)HELPER;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return error_sys(err, errno, "pipe");
	log_debug("run %s %s %s", path, argv[1], argv[2] ? argv[2] : "");
	pid = fork();
	if (pid < 0) {
		int e = errno;
		close(fds[0]);
		close(fds[1]);
		return error_sys(err, e, "fork for %s", HELPER);
	}
	if (pid == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (null < 0 || dup2(null, 0) < 0 || dup2(fds[1], 1) < 0 || dup2(fds[1], 2) < 0)
			_exit(127);
		/* nothing of husk's but the pipe: no container fd, no preserved fd reaches it */
		syscall(SYS_close_range, 3, ~0U, 0);
		/* an empty environment: no LD_* or D-Bus address from husk's caller steers the helper */
		execve(path, argv, envp);
		dprintf(1, "cannot execute %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	timed_out = read_output(fds[0], deadline, out, &len, &truncated);
	close(fds[0]);
	if (timed_out)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	out[len] = '\0';
	while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = '\0';
	if (timed_out)
		return error_set(err, ETIMEDOUT, "systemd did not answer within %d s (%s %s %s)",
				 HELPER_TIMEOUT_MS / 1000, HELPER, argv[1], argv[2] ? argv[2] : "");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || truncated || strncmp(out, "ok", 2) != 0 ||
	    (out[2] != '\0' && out[2] != ' ')) {
		if (WIFSIGNALED(st))
			return error_set(err, EIO, "%s was killed by signal %d%s%s", HELPER, WTERMSIG(st),
					 len ? ": " : "", out);
		/* status 3: the unit exists and is active (another container's scope of this name) */
		return error_set(err, WIFEXITED(st) && WEXITSTATUS(st) == 3 ? EEXIST : EIO, "%s",
				 len ? out : "husk-systemd failed without a word");
	}
	if (ret_out)
		*ret_out = xstrdup(out[2] ? out + 3 : "");
	return 0;
}

/* "max" (cgroup v2) is systemd's "infinity". */
static char *prop_value(const char *v)
{
	return xstrdup(strcmp(v, "max") == 0 ? "infinity" : v);
}

int systemd_properties(const struct spec_resources *r, char ***ret, struct error *err)
{
	static const struct {
		const char *file, *prop;
	} map[] = {
		{ "memory.max", "MemoryMax" },		 { "memory.high", "MemoryHigh" },
		{ "memory.low", "MemoryLow" },		 { "memory.min", "MemoryMin" },
		{ "memory.swap.max", "MemorySwapMax" },	 { "pids.max", "TasksMax" },
		{ "cpu.weight", "CPUWeight" },		 { "cpuset.cpus", "AllowedCPUs" },
		{ "cpuset.mems", "AllowedMemoryNodes" },
	};
	struct cg_plan plan;
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0;

	/* the v2 plan, as for the cgroupfs driver: the driver runs on cgroup v2 only */
	if (cgroup_plan_build(r, ~0UL, &plan, err) < 0) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < plan.n; i++) {
		const char *f = plan.w[i].file, *val = plan.w[i].value;
		for (size_t k = 0; k < ARRAY_SIZE(map); k++)
			if (strcmp(f, map[k].file) == 0 && *val) {
				cleanup_free char *pv = prop_value(val);
				push(&v, &n, xasprintf("%s=%s", map[k].prop, pv));
			}
		if (strcmp(f, "cpu.max") == 0) {
			char quota[32];
			uint64_t period, q;
			if (sscanf(val, "%31s %" SCNu64, quota, &period) != 2 || period == 0)
				continue;
			push(&v, &n, xasprintf("CPUQuotaPeriodUSec=%" PRIu64, period));
			if (strcmp(quota, "max") == 0) {
				push(&v, &n, xstrdup("CPUQuotaPerSecUSec=infinity"));
			} else if (parse_u64(quota, &q) == 0) {
				/* systemd keeps the quota in 1% steps (10 ms per second): round up, as runc,
				 * so the cpu.max husk writes next is never above what systemd allows */
				uint64_t per_sec = q * 1000000 / period;
				per_sec = (per_sec + 9999) / 10000 * 10000;
				push(&v, &n, xasprintf("CPUQuotaPerSecUSec=%" PRIu64, per_sec));
			}
		}
		if (strcmp(f, "io.weight") == 0) {
			uint64_t w;
			const char *num = strncmp(val, "default ", 8) == 0 ? val + 8 : val;
			if (parse_u64(num, &w) == 0)
				push(&v, &n, xasprintf("IOWeight=%" PRIu64, w));
		}
	}
	cgroup_plan_free(&plan);
	*ret = v;
	return 0;
}

int systemd_start(const struct systemd_unit *u, pid_t pid, const char *id, const struct spec_resources *r,
		  struct error *err)
{
	cleanup_strv char **props = NULL;
	cleanup_free char *pidstr = xasprintf("%d", pid), *desc = xasprintf("husk container %s", id),
			  *cgroup = NULL;
	cleanup_free char **argv = NULL;
	size_t np = 0, na = 0, k = 0;

	if (r && systemd_properties(r, &props, err) < 0)
		return -1;
	while (props && props[np])
		np++;
	while (u->props && u->props[na])
		na++;
	argv = xcalloc(np + na + 8, sizeof(*argv));
	k = 1;
	argv[k++] = (char *)"start";
	argv[k++] = u->unit;
	argv[k++] = u->slice;
	argv[k++] = pidstr;
	argv[k++] = desc;
	for (size_t i = 0; i < np; i++)
		argv[k++] = props[i];
	/* the annotations last: systemd applies the properties in order, so theirs win, as under runc */
	for (size_t i = 0; i < na; i++)
		argv[k++] = u->props[i];
	if (run_helper(argv, &cgroup, err) < 0)
		return error_wrap(err, "systemd cgroup driver");
	/* the limits go into the files of u->path next: it must be the cgroup systemd made (a systemd that
	 * runs in a cgroup of its own, as in a container, nests its tree elsewhere) */
	if (strcmp(cgroup, u->path) != 0)
		return error_set(
		    err, EINVAL,
		    "systemd cgroup driver: unit '%s' got the cgroup '%s', expected '%s' (systemd "
		    "does not manage the host's root cgroup?)",
		    u->unit, cgroup, u->path);
	return 0;
}

int systemd_start_owned(const struct systemd_unit *u, pid_t pid, const char *id,
			const struct spec_resources *r, bool *started, char **cgroup_path, struct error *err)
{
	*started = true;
	if (systemd_start(u, pid, id, r, err) < 0) {
		if (err->errnum == EEXIST) {
			/* the scope of this name is another container's: the rollback must neither stop it
			 * nor kill what is in its cgroup (that would kill the other one) */
			*started = false;
			free(*cgroup_path);
			*cgroup_path = NULL;
		}
		return -1;
	}
	if (r && cgroup_apply_resources(*cgroup_path, r, err) < 0)
		return -1;
	return 0;
}

int systemd_set(const char *unit, const struct spec_resources *r, struct error *err)
{
	cleanup_strv char **props = NULL;
	cleanup_free char **argv = NULL;
	size_t np = 0, k = 1;

	if (systemd_properties(r, &props, err) < 0)
		return -1;
	while (props[np])
		np++;
	if (np == 0)
		return 0;
	argv = xcalloc(np + 4, sizeof(*argv));
	argv[k++] = (char *)"set";
	argv[k++] = (char *)unit;
	for (size_t i = 0; i < np; i++)
		argv[k++] = props[i];
	if (run_helper(argv, NULL, err) < 0)
		return error_wrap(err, "systemd cgroup driver");
	return 0;
}

int systemd_stop(const char *unit, struct error *err)
{
	char *argv[] = { NULL, (char *)"stop", (char *)unit, NULL };

	if (run_helper(argv, NULL, err) < 0)
		return error_wrap(err, "systemd cgroup driver");
	return 0;
}
