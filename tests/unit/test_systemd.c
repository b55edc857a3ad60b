/* The systemd cgroup driver's pure parts: cgroupsPath "slice:prefix:name" to a unit and its cgroup (runc's
 * defaults, systemd's slice nesting) and linux.resources to systemd properties. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "config/spec.h"
#include "runtime/systemd.h"
#include "unit.h"

static void check_path(const char *cgroups_path, const char *slice, const char *unit, const char *path)
{
	struct systemd_unit u = { 0 };
	struct error err = { 0 };

	CHECK(systemd_parse_path(cgroups_path, "ctr1", &u, &err) == 0);
	CHECK_STR(u.slice, slice);
	CHECK_STR(u.unit, unit);
	CHECK_STR(u.path, path);
	systemd_unit_free(&u);
	error_clear(&err);
}

static void check_path_fails(const char *cgroups_path, const char *want)
{
	struct systemd_unit u = { 0 };
	struct error err = { 0 };

	CHECK(systemd_parse_path(cgroups_path, "ctr1", &u, &err) < 0);
	CHECK_CONTAINS(err.msg, want);
	CHECK(u.unit == NULL);
	error_clear(&err);
}

static void test_paths(void)
{
	check_path("system.slice:husk:test", "system.slice", "husk-test.scope",
		   "/system.slice/husk-test.scope");
	check_path("machine.slice:libpod:abc", "machine.slice", "libpod-abc.scope",
		   "/machine.slice/libpod-abc.scope");
	/* runc's defaults: empty slice is system.slice, "-" the root slice, empty path ":runc:<id>" */
	check_path(":p:n", "system.slice", "p-n.scope", "/system.slice/p-n.scope");
	check_path("-:p:n", "-.slice", "p-n.scope", "/p-n.scope");
	check_path("", "system.slice", "runc-ctr1.scope", "/system.slice/runc-ctr1.scope");
	check_path(NULL, "system.slice", "runc-ctr1.scope", "/system.slice/runc-ctr1.scope");
	/* nested slices by dashes, as systemd lays them out */
	check_path("a-b-c.slice:x:y", "a-b-c.slice", "x-y.scope", "/a.slice/a-b.slice/a-b-c.slice/x-y.scope");
	check_path_fails("a:b", "expected \"slice:prefix:name\"");
	check_path_fails("a:b:c:d", "expected \"slice:prefix:name\"");
	check_path_fails("system.slice:p:", "the name part is empty");
	check_path_fails("system.slice:p:pod.slice", "not supported");
	check_path_fails("user.slice/user-1000.slice:p:n", "must not contain '/'");
	check_path_fails("system:p:n", "expected NAME.slice");
	check_path_fails("a--b.slice:p:n", "a dash may only separate names");
	check_path_fails("-a.slice:p:n", "a dash may only separate names");
	check_path_fails("system.slice:p:a/b", "not a valid unit name");
	check_path_fails("system.slice:p:a b", "not a valid unit name");
}

static char *props(const char *json)
{
	struct spec_resources *r = NULL;
	struct error err = { 0 };
	char **v = NULL, *out = calloc(1, 4096);

	if (spec_parse_resources(json, strlen(json), "r.json", &r, &err) < 0 ||
	    systemd_properties(r, &v, &err) < 0) {
		strcpy(out, err.msg);
	} else {
		for (size_t i = 0; v[i]; i++) {
			strcat(out, v[i]);
			strcat(out, ";");
			free(v[i]);
		}
	}
	free(v);
	spec_resources_free(r);
	error_clear(&err);
	return out;
}

static void test_properties(void)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"memory\":{\"limit\":67108864,\"reservation\":1048576},\"pids\":{\"limit\":12}}",
		  "MemoryMax=67108864;MemoryLow=1048576;TasksMax=12;" },
		/* -1: no limit, systemd's "infinity" */
		{ "{\"memory\":{\"limit\":-1},\"pids\":{\"limit\":-1}}",
		  "MemoryMax=infinity;TasksMax=infinity;" },
		/* shares to weight as runc converts; a quota of 15% of a CPU is rounded up to systemd's 1%
		 * steps */
		{ "{\"cpu\":{\"shares\":1024,\"quota\":15500,\"period\":100000,\"cpus\":\"0-1\",\"mems\":"
		  "\"0\"}}",
		  "CPUWeight=39;CPUQuotaPeriodUSec=100000;CPUQuotaPerSecUSec=160000;AllowedCPUs=0-1;"
		  "AllowedMemoryNodes=0;" },
		{ "{\"blockIO\":{\"weight\":500},\"unified\":{\"memory.high\":\"max\"}}",
		  "IOWeight=4950;MemoryHigh=infinity;" },
		/* what systemd has no property for (a swap total, hugetlb) is left to the files */
		{ "{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":2097152}]}", "" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *s = props(cases[i].json);
		CHECK_STR(s, cases[i].want);
		free(s);
	}
}

static void test_expand_slice(void)
{
	static const struct {
		const char *slice, *want; /* want NULL: refused */
	} cases[] = {
		{ "user-1000.slice", "/user.slice/user-1000.slice" },
		{ "-.slice", "" },
		{ "a-.slice", NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *p = NULL;
		struct error err = { 0 };
		int r = systemd_expand_slice(cases[i].slice, &p, &err);

		if (cases[i].want) {
			CHECK(r == 0);
			CHECK_STR(p, cases[i].want);
		} else {
			CHECK(r < 0 && p == NULL);
		}
		free(p);
		error_clear(&err);
	}
}

/* One org.systemd.property.NAME annotation: what husk-systemd is given ("Name:T=value"), or the error. */
static char *annotation(const char *name, const char *value)
{
	char *key = NULL, *out;
	struct spec_map m = { .keys = (char *[]){ NULL, (char *)"other.annotation", NULL },
			      .values = (char *[]){ (char *)value, (char *)"x", NULL },
			      .n = 2 };
	struct systemd_unit u = { 0 };
	struct error err = { 0 };

	if (asprintf(&key, "org.systemd.property.%s", name) < 0)
		abort();
	m.keys[0] = key;
	if (systemd_unit_annotations(&u, &m, &err) < 0) {
		CHECK(u.props == NULL);
		out = strdup(err.msg);
	} else {
		CHECK(u.props && u.props[0] && !u.props[1]);
		out = strdup(u.props[0]);
	}
	systemd_unit_free(&u);
	error_clear(&err);
	free(key);
	return out;
}

static void test_annotations(void)
{
	static const struct {
		const char *name, *value, *want; /* want: the prop, or a part of the error */
	} cases[] = {
		/* runc's documented examples */
		{ "TimeoutStopUSec", "uint64 123456789", "TimeoutStopUSec:t=123456789" },
		{ "CollectMode", "'inactive-or-failed'", "CollectMode:s=inactive-or-failed" },
		{ "CollectMode", "\"inactive-or-failed\"", "CollectMode:s=inactive-or-failed" },
		{ "Description", "@s 'a \\'quoted\\' word'", "Description:s=a 'quoted' word" },
		{ "SendSIGHUP", "true", "SendSIGHUP:b=true" },
		{ "SendSIGHUP", "@b false", "SendSIGHUP:b=false" },
		{ "OOMScoreAdjust", "-500", "OOMScoreAdjust:i=-500" },
		{ "CPUWeight", "@t 0x10", "CPUWeight:t=16" },
		{ "IOWeight", "uint64 010", "IOWeight:t=8" },
		{ "ManagedOOMMemoryPressureLimit", "uint32 4294967295",
		  "ManagedOOMMemoryPressureLimit:u=4294967295" },
		{ "CPUQuotaPerSecUSec", "uint64 18446744073709551615",
		  "CPUQuotaPerSecUSec:t=18446744073709551615" },
		/* runc's convenience: ...Sec in seconds is ...USec in microseconds */
		{ "TimeoutStopSec", "123", "TimeoutStopUSec:t=123000000" },
		{ "TimeoutStopSec", "1.5", "TimeoutStopUSec:t=1500000" },
		{ "RuntimeMaxSec", "uint64 2", "RuntimeMaxUSec:t=2000000" },
		{ "TimeoutStopSec", "-1", "0 or more" },
		{ "TimeoutStopSec", "'5s'", "0 or more" },
		/* refused, with the annotation's JSON path */
		{ "Slice", "'evil.slice'", "Slice is set by husk" },
		{ "PIDs", "uint32 1", "PIDs is set by husk" },
		{ "Delegate", "false", "Delegate is set by husk" },
		{ "Bad-Name", "1", "not a systemd property name" },
		{ "A1b", "1", "not a systemd property name" },
		{ "Ab", "1", "not a systemd property name" },
		/* CRI-O's After=['crio.service']: arrays of strings, as lengths and strings for the helper */
		{ "After", "['crio.service']", "After:a=12:crio.service" },
		{ "After", "@as [ 'a.service' , \"b,c\" ]", "After:a=9:a.service3:b,c" },
		{ "After", "[]", "After:a=" },
		{ "After", "['a' 'b']", "an array must be of quoted strings" },
		{ "After", "[1, 2]", "an array must be of quoted strings" },
		{ "After", "['a'", "an array must be of quoted strings" },
		{ "After", "['a'] x", "an array must be of quoted strings" },
		{ "TimeoutStopSec", "['1']", "0 or more" },
		{ "X", "", "not a systemd property name" },
		{ "Nice", "", "only booleans, numbers, strings and arrays of strings" },
		{ "Nice", "(1, 'a')", "only booleans, numbers, strings and arrays of strings" },
		{ "Nice", "{'a': 1}", "only booleans, numbers, strings and arrays of strings" },
		{ "Nice", "int16 40000", "out of its type's range" },
		{ "Nice", "byte -1", "out of its type's range" },
		{ "Nice", "uint64 -1", "out of its type's range" },
		{ "Nice", "12abc", "expected a number" },
		{ "Nice", "int32 99999999999999999999999", "expected a number" },
		{ "Nice", "'unterminated", "one quoted string" },
		{ "Nice", "'a' 'b'", "one quoted string" },
		{ "Nice", "'\\x41'", "one quoted string" },
		{ "Nice", "@b 1", "expected true or false" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = annotation(cases[i].name, cases[i].value);
		if (strchr(cases[i].want, ':') && strchr(cases[i].want, '='))
			CHECK_STR(got, cases[i].want);
		else
			CHECK_CONTAINS(got, cases[i].want);
		if (!strchr(cases[i].want, '='))
			CHECK_CONTAINS(got, "config.json: .annotations[\"org.systemd.property.");
		free(got);
	}
}

UNIT_CASES({ "paths", test_paths }, { "properties", test_properties }, { "expand_slice", test_expand_slice },
	   { "annotations", test_annotations })
