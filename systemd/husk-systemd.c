/* husk-systemd: the D-Bus half of husk's systemd cgroup driver, a small dynamically linked program
 * (libsystemd's sd-bus) that husk runs from the host side for each driver operation. husk itself stays
 * static-pie and never loads a host library (docs/architecture.md, "The systemd cgroup driver").
 *
 * Protocol (argv in, one line out, exit status): nothing is read from stdin.
 *   husk-systemd start UNIT SLICE PID DESCRIPTION [NAME=VALUE...]   StartTransientUnit, wait for the job
 *   husk-systemd set UNIT [NAME=VALUE...]                            SetUnitProperties (runtime)
 *   husk-systemd stop UNIT                                           StopUnit, wait, ResetFailedUnit
 * On success it prints "ok" (start: "ok CGROUP", the unit's ControlGroup) and exits 0; on failure it prints
 * one line "husk-systemd: ..." and exits 1 (start: 3 when the unit exists and is active, so husk knows
 * the scope is another container's and must not be stopped). Every bus call and job wait is bounded
 * (TIMEOUT_USEC each), so a hung systemd gives an error, never a hang. NAME is one of the resource properties
 * of the table below, or NAME:T (T a D-Bus type) for one from the config's org.systemd.property.*
 * annotations, which husk has parsed and typed. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#define TIMEOUT_USEC (5ULL * 1000 * 1000)
#define DEST	     "org.freedesktop.systemd1"
#define OBJ	     "/org/freedesktop/systemd1"
#define MANAGER	     "org.freedesktop.systemd1.Manager"

static sd_bus *bus;
static bool direct; /* systemd's private socket: messages carry no sender */

#define EXIT_UNIT_EXISTS 3

static void __attribute__((noreturn, format(printf, 2, 0))) vdie(int status, const char *fmt, va_list ap)
{
	fputs("husk-systemd: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	exit(status);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(1, fmt, ap);
}

static void __attribute__((noreturn, format(printf, 2, 3))) die_status(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdie(status, fmt, ap);
}

static const char *bus_msg(const sd_bus_error *e, int r)
{
	return sd_bus_error_is_set(e) ? e->message : strerror(-r);
}

static void connect_bus(void)
{
	int r;

	/* root: systemd's own socket, as systemctl does, so the driver works without a D-Bus daemon
	 * (a minimal host often has none); else the system bus */
	if (geteuid() == 0 && access("/run/systemd/private", F_OK) == 0) {
		if (sd_bus_new(&bus) >= 0 && sd_bus_set_address(bus, "unix:path=/run/systemd/private") >= 0 &&
		    sd_bus_start(bus) >= 0) {
			direct = true;
			goto ok;
		}
		bus = sd_bus_flush_close_unref(bus);
	}
	r = sd_bus_open_system(&bus);
	if (r < 0)
		die("cannot connect to systemd over D-Bus (is systemd running as PID 1?): %s", strerror(-r));
ok:
	sd_bus_set_method_call_timeout(bus, TIMEOUT_USEC);
}

/* Valid unit names as husk builds them: letters, digits, ":_.\-@", with the given suffix. */
static void check_name(const char *what, const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (n <= s || n > 255 || strcmp(name + n - s, suffix) != 0 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_.\\-@") != n)
		die("invalid %s name '%s'", what, name);
}

static uint64_t parse_u64(const char *name, const char *v)
{
	char *end;
	unsigned long long x;

	if (strcmp(v, "infinity") == 0)
		return UINT64_MAX;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno || end == v || *end || *v == '-')
		die("property %s: expected a number or 'infinity', got '%s'", name, v);
	return x;
}

/* "0-3,6" as systemd's D-Bus CPU/NUMA mask: bit i of byte i/8. */
static size_t parse_mask(const char *name, const char *v, uint8_t *mask, size_t max)
{
	size_t len = 0;
	const char *p = v;

	while (*p) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (end == p)
			die("property %s: expected a list like '0-3,6', got '%s'", name, v);
		p = end;
		if (*p == '-') {
			b = strtoul(++p, &end, 10);
			if (end == p || b < a)
				die("property %s: expected a list like '0-3,6', got '%s'", name, v);
			p = end;
		}
		if (b >= max * 8)
			die("property %s: '%s' is out of range", name, v);
		for (unsigned long i = a; i <= b; i++)
			mask[i / 8] |= (uint8_t)(1u << (i % 8));
		if (b / 8 + 1 > len)
			len = b / 8 + 1;
		if (*p == ',')
			p++;
		else if (*p)
			die("property %s: expected a list like '0-3,6', got '%s'", name, v);
	}
	return len;
}

/* The resource properties husk passes: systemd's names, with their D-Bus types. */
static const struct {
	const char *name;
	char type; /* 't' uint64, 'y' a CPU/NUMA list sent as "ay" */
} props[] = {
	{ "MemoryMax", 't' }, { "MemoryHigh", 't' },	     { "MemoryLow", 't' },
	{ "MemoryMin", 't' }, { "MemorySwapMax", 't' },	     { "TasksMax", 't' },
	{ "CPUWeight", 't' }, { "CPUQuotaPerSecUSec", 't' }, { "CPUQuotaPeriodUSec", 't' },
	{ "IOWeight", 't' },  { "AllowedCPUs", 'y' },	     { "AllowedMemoryNodes", 'y' },
};

/* NAME:T=VALUE, a property from the config's annotations, typed by husk (T is its D-Bus type, VALUE a
 * decimal number, true or false, or the string itself; for T 'a', an array of strings, each one's length,
 * a colon and the string). */
static int append_typed(sd_bus_message *m, const char *name, char t, const char *v)
{
	char *end;

	if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") != strlen(name))
		die("invalid property name '%s'", name);
	errno = 0;
	switch (t) {
	case 's':
		return sd_bus_message_append(m, "(sv)", name, "s", v);
	case 'b':
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			die("property %s: expected true or false, got '%s'", name, v);
		return sd_bus_message_append(m, "(sv)", name, "b", strcmp(v, "true") == 0);
	case 'd': {
		double d = strtod(v, &end);
		if (errno || end == v || *end)
			die("property %s: expected a number, got '%s'", name, v);
		return sd_bus_message_append(m, "(sv)", name, "d", d);
	}
	case 'y':
	case 'q':
	case 'u':
	case 't': {
		unsigned long long x = strtoull(v, &end, 10);
		if (errno || end == v || *end || *v == '-')
			die("property %s: expected a number, got '%s'", name, v);
		if (t == 'y')
			return sd_bus_message_append(m, "(sv)", name, "y", (uint8_t)x);
		if (t == 'q')
			return sd_bus_message_append(m, "(sv)", name, "q", (uint16_t)x);
		if (t == 'u')
			return sd_bus_message_append(m, "(sv)", name, "u", (uint32_t)x);
		return sd_bus_message_append(m, "(sv)", name, "t", (uint64_t)x);
	}
	case 'n':
	case 'i':
	case 'x': {
		long long x = strtoll(v, &end, 10);
		if (errno || end == v || *end)
			die("property %s: expected a number, got '%s'", name, v);
		if (t == 'n')
			return sd_bus_message_append(m, "(sv)", name, "n", (int16_t)x);
		if (t == 'i')
			return sd_bus_message_append(m, "(sv)", name, "i", (int32_t)x);
		return sd_bus_message_append(m, "(sv)", name, "x", (int64_t)x);
	}
	case 'a': {
		/* an array of strings, each as its length, a colon and the string */
		int r = sd_bus_message_open_container(m, 'r', "sv");
		if (r >= 0)
			r = sd_bus_message_append(m, "s", name);
		if (r >= 0)
			r = sd_bus_message_open_container(m, 'v', "as");
		if (r >= 0)
			r = sd_bus_message_open_container(m, 'a', "s");
		while (r >= 0 && *v) {
			unsigned long long len = strtoull(v, &end, 10);
			if (errno || end == v || *end != ':' || strnlen(end + 1, len) < len)
				die("property %s: malformed list", name);
			char *one = strndup(end + 1, len);
			if (one == NULL)
				die("out of memory");
			r = sd_bus_message_append(m, "s", one);
			free(one);
			v = end + 1 + len;
		}
		for (int i = 0; i < 3 && r >= 0; i++)
			r = sd_bus_message_close_container(m);
		return r;
	}
	default:
		die("property %s: unknown type '%c'", name, t);
	}
}

static void append_props(sd_bus_message *m, int argc, char **argv)
{
	int r = 0;

	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '='), *colon;
		size_t k;
		if (eq == NULL)
			die("expected NAME=VALUE, got '%s'", argv[i]);
		*eq = '\0';
		colon = strchr(argv[i], ':');
		if (colon && colon[1] && colon + 2 == eq) {
			*colon = '\0';
			if ((r = append_typed(m, argv[i], colon[1], eq + 1)) < 0)
				die("build the D-Bus message: %s", strerror(-r));
			continue;
		}
		for (k = 0; k < sizeof props / sizeof props[0]; k++)
			if (strcmp(props[k].name, argv[i]) == 0)
				break;
		if (k == sizeof props / sizeof props[0])
			die("unknown property '%s'", argv[i]);
		if (props[k].type == 't') {
			r = sd_bus_message_append(m, "(sv)", argv[i], "t", parse_u64(argv[i], eq + 1));
		} else {
			uint8_t mask[1024] = { 0 };
			size_t n = parse_mask(argv[i], eq + 1, mask, sizeof mask);
			if (r >= 0)
				r = sd_bus_message_open_container(m, 'r', "sv");
			if (r >= 0)
				r = sd_bus_message_append(m, "s", argv[i]);
			if (r >= 0)
				r = sd_bus_message_open_container(m, 'v', "ay");
			if (r >= 0)
				r = sd_bus_message_append_array(m, 'y', mask, n);
			if (r >= 0)
				r = sd_bus_message_close_container(m);
			if (r >= 0)
				r = sd_bus_message_close_container(m);
		}
		if (r < 0)
			die("build the D-Bus message: %s", strerror(-r));
	}
}

struct job_wait {
	char *job;
	char *result;
};

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
	struct job_wait *w = userdata;
	const char *path, *unit, *result;
	uint32_t id;

	if (sd_bus_message_read(m, "uoss", &id, &path, &unit, &result) < 0)
		return 0;
	if (w->job && w->result == NULL && strcmp(path, w->job) == 0)
		w->result = strdup(result);
	return 0;
}

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* Wait (bounded) for JobRemoved of w->job and return its result ("done" on success). */
static const char *wait_job(struct job_wait *w, const char *what)
{
	uint64_t deadline = now_usec() + TIMEOUT_USEC;

	while (w->result == NULL) {
		int r = sd_bus_process(bus, NULL);
		uint64_t now;
		if (r < 0)
			die("%s: lost the connection to systemd: %s", what, strerror(-r));
		if (r > 0)
			continue;
		now = now_usec();
		if (now >= deadline)
			die("%s: systemd did not finish the job within %llu s", what,
			    (unsigned long long)(TIMEOUT_USEC / 1000000));
		r = sd_bus_wait(bus, deadline - now);
		if (r < 0 && r != -EINTR)
			die("%s: %s", what, strerror(-r));
	}
	return w->result;
}

/* Subscribe to JobRemoved before the call that makes the job: the job may finish before the reply. */
static void watch_jobs(struct job_wait *w)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	/* on the system bus, only systemd's own JobRemoved counts: another client could forge one */
	r = sd_bus_match_signal(bus, NULL, direct ? NULL : DEST, OBJ, MANAGER, "JobRemoved", on_job_removed,
				w);
	if (r < 0)
		die("watch systemd's jobs: %s", strerror(-r));
	/* systemd sends job signals on the system bus only while a client is subscribed */
	if (!direct && (r = sd_bus_call_method(bus, DEST, OBJ, MANAGER, "Subscribe", &e, NULL, "")) < 0 &&
	    !sd_bus_error_has_name(&e, "org.freedesktop.systemd1.AlreadySubscribed"))
		die("subscribe to systemd's signals: %s", bus_msg(&e, r));
	sd_bus_error_free(&e);
}

static int start_call(char **argv, int nprops, char **propv, sd_bus_error *e, sd_bus_message **reply)
{
	const char *unit = argv[0], *slice = argv[1], *desc = argv[3];
	uint32_t pid = (uint32_t)parse_u64("PID", argv[2]);
	sd_bus_message *m = NULL;
	int r;

	r = sd_bus_message_new_method_call(bus, &m, DEST, OBJ, MANAGER, "StartTransientUnit");
	if (r >= 0)
		r = sd_bus_message_append(m, "ss", unit, "replace");
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	/* Delegate: the container's cgroup is husk's to write (limits systemd does not know, the device
	 * program, freezing); DefaultDependencies off, as runc, so the scope is not tied to shutdown
	 * ordering of other units */
	if (r >= 0)
		r = sd_bus_message_append(m, "(sv)(sv)(sv)(sv)(sv)(sv)(sv)(sv)(sv)", "Description", "s", desc,
					  "Slice", "s", slice, "Delegate", "b", 1, "DefaultDependencies", "b",
					  0, "PIDs", "au", 1, pid, "MemoryAccounting", "b", 1,
					  "CPUAccounting", "b", 1, "TasksAccounting", "b", 1, "IOAccounting",
					  "b", 1);
	if (r < 0)
		die("build the D-Bus message: %s", strerror(-r));
	/* the properties parse in place: give each call its own copy */
	char **copy = calloc((size_t)nprops + 1, sizeof(char *));
	for (int i = 0; copy && i < nprops; i++)
		copy[i] = strdup(propv[i]);
	if (copy == NULL)
		die("out of memory");
	append_props(m, nprops, copy);
	for (int i = 0; i < nprops; i++)
		free(copy[i]);
	free(copy);
	r = sd_bus_message_close_container(m);
	if (r >= 0)
		r = sd_bus_message_append(m, "a(sa(sv))", 0);
	if (r < 0)
		die("build the D-Bus message: %s", strerror(-r));
	r = sd_bus_call(bus, m, TIMEOUT_USEC, e, reply);
	sd_bus_message_unref(m);
	return r;
}

static void reset_failed(const char *unit)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;

	sd_bus_call_method(bus, DEST, OBJ, MANAGER, "ResetFailedUnit", &e, NULL, "s", unit);
	sd_bus_error_free(&e);
}

static int cmd_start(int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct job_wait w = { 0 };
	const char *job, *result;
	char *unit_path = NULL, *cgroup = NULL;
	int r;

	if (argc < 4)
		die("usage: start UNIT SLICE PID DESCRIPTION [NAME=VALUE...]");
	check_name("unit", argv[0], ".scope");
	check_name("slice", argv[1], ".slice");
	watch_jobs(&w);
	r = start_call(argv, argc - 4, argv + 4, &e, &reply);
	if (r < 0 && sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists")) {
		/* a failed unit of an earlier container of this name lingers until reset: reset it and
		 * try once more (an active one is still refused) */
		sd_bus_error_free(&e);
		reset_failed(argv[0]);
		r = start_call(argv, argc - 4, argv + 4, &e, &reply);
	}
	if (r < 0)
		die_status(sd_bus_error_has_name(&e, "org.freedesktop.systemd1.UnitExists") ? EXIT_UNIT_EXISTS
											    : 1,
			   "start unit '%s' in '%s': %s", argv[0], argv[1], bus_msg(&e, r));
	if (sd_bus_message_read(reply, "o", &job) < 0 || (w.job = strdup(job)) == NULL)
		die("start unit '%s': unexpected reply from systemd", argv[0]);
	result = wait_job(&w, argv[0]);
	if (strcmp(result, "done") != 0)
		die("start unit '%s': systemd's job finished with result '%s'", argv[0], result);
	sd_bus_message_unref(reply);
	reply = NULL;
	r = sd_bus_call_method(bus, DEST, OBJ, MANAGER, "GetUnit", &e, &reply, "s", argv[0]);
	if (r >= 0 && (r = sd_bus_message_read(reply, "o", &job)) >= 0 && (unit_path = strdup(job)) != NULL)
		r = sd_bus_get_property_string(bus, DEST, unit_path, "org.freedesktop.systemd1.Scope",
					       "ControlGroup", &e, &cgroup);
	if (r < 0 || cgroup == NULL)
		die("unit '%s': read its ControlGroup: %s", argv[0], bus_msg(&e, r));
	printf("ok %s\n", cgroup);
	return 0;
}

static int cmd_set(int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	int r;

	if (argc < 1)
		die("usage: set UNIT [NAME=VALUE...]");
	check_name("unit", argv[0], ".scope");
	r = sd_bus_message_new_method_call(bus, &m, DEST, OBJ, MANAGER, "SetUnitProperties");
	if (r >= 0)
		r = sd_bus_message_append(m, "sb", argv[0], 1);
	if (r >= 0)
		r = sd_bus_message_open_container(m, 'a', "(sv)");
	if (r < 0)
		die("build the D-Bus message: %s", strerror(-r));
	append_props(m, argc - 1, argv + 1);
	if ((r = sd_bus_message_close_container(m)) < 0)
		die("build the D-Bus message: %s", strerror(-r));
	r = sd_bus_call(bus, m, TIMEOUT_USEC, &e, NULL);
	if (r < 0)
		die("set properties of unit '%s': %s", argv[0], bus_msg(&e, r));
	puts("ok");
	return 0;
}

static int cmd_stop(int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	struct job_wait w = { 0 };
	const char *job, *result;
	int r;

	if (argc != 1)
		die("usage: stop UNIT");
	check_name("unit", argv[0], ".scope");
	watch_jobs(&w);
	r = sd_bus_call_method(bus, DEST, OBJ, MANAGER, "StopUnit", &e, &reply, "ss", argv[0], "replace");
	if (r < 0) {
		/* gone already (its processes died and systemd collected it): what stop wanted */
		if (sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit")) {
			reset_failed(argv[0]);
			puts("ok");
			return 0;
		}
		die("stop unit '%s': %s", argv[0], bus_msg(&e, r));
	}
	if (sd_bus_message_read(reply, "o", &job) < 0 || (w.job = strdup(job)) == NULL)
		die("stop unit '%s': unexpected reply from systemd", argv[0]);
	result = wait_job(&w, argv[0]);
	if (strcmp(result, "done") != 0)
		die("stop unit '%s': systemd's job finished with result '%s'", argv[0], result);
	/* a scope whose processes were killed may be left "failed": nothing of it may linger */
	reset_failed(argv[0]);
	puts("ok");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		die("usage: husk-systemd start|set|stop ... (run by husk, see its docs/architecture.md)");
	connect_bus();
	if (strcmp(argv[1], "start") == 0)
		return cmd_start(argc - 2, argv + 2);
	if (strcmp(argv[1], "set") == 0)
		return cmd_set(argc - 2, argv + 2);
	if (strcmp(argv[1], "stop") == 0)
		return cmd_stop(argc - 2, argv + 2);
	die("unknown command '%s'", argv[1]);
}
