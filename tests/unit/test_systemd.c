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

UNIT_CASES({ "paths", test_paths }, { "properties", test_properties }, { "expand_slice", test_expand_slice })
