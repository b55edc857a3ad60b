/* The OCI resources -> cgroup file mapping, for v1, v2 and a hybrid host, checked write by write. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "config/spec.h"
#include "runtime/cgroup-plan.h"
#include "runtime/cgroup.h"
#include "unit.h"

#define ALL_V2 ((1UL << CG_CONTROLLER_COUNT) - 1)

static struct spec_resources *parse(const char *json)
{
	struct spec_resources *r = NULL;
	struct error err = { 0 };

	if (spec_parse_resources(json, strlen(json), "resources.json", &r, &err) < 0)
		fprintf(stderr, "parse: %s\n", err.msg);
	error_clear(&err);
	return r;
}

/* The plan rendered as "file=value;" for compact comparison. */
static char *render(const char *json, unsigned long v2_mask, char **ret_err)
{
	struct spec_resources *r = parse(json);
	struct cg_plan p;
	struct error err = { 0 };
	char *out = calloc(1, 8192);

	*ret_err = NULL;
	if (r == NULL)
		return out;
	if (cgroup_plan_build(r, v2_mask, &p, &err) < 0) {
		*ret_err = err.msg;
		spec_resources_free(r);
		return out;
	}
	for (size_t i = 0; i < p.n; i++) {
		strcat(out, p.w[i].file);
		strcat(out, "=");
		strcat(out, p.w[i].value);
		strcat(out, ";");
	}
	cgroup_plan_free(&p);
	spec_resources_free(r);
	return out;
}

#define EXPECT_PLAN(json, mask, want)                                                                        \
	do {                                                                                                 \
		char *e_, *got_ = render(json, mask, &e_);                                                   \
		CHECK(e_ == NULL);                                                                           \
		if (e_)                                                                                      \
			fprintf(stderr, "  error: %s\n", e_);                                                \
		CHECK_STR(got_, want);                                                                       \
		free(got_);                                                                                  \
		free(e_);                                                                                    \
	} while (0)

#define EXPECT_ERROR(json, mask, want)                                                                       \
	do {                                                                                                 \
		char *e_, *got_ = render(json, mask, &e_);                                                   \
		CHECK_CONTAINS(e_, want);                                                                    \
		free(got_);                                                                                  \
		free(e_);                                                                                    \
	} while (0)

static void test_memory_v1(void)
{
	EXPECT_PLAN(
	    "{\"memory\":{\"limit\":1048576,\"swap\":2097152,\"reservation\":524288,\"swappiness\":10,"
	    "\"disableOOMKiller\":true,\"kernel\":-1}}",
	    0,
	    "memory.limit_in_bytes=1048576;memory.memsw.limit_in_bytes=2097152;memory.soft_limit_in_bytes="
	    "524288;"
	    "memory.kmem.limit_in_bytes=-1;memory.swappiness=10;memory.oom_control=1;");
	EXPECT_PLAN("{\"memory\":{\"limit\":-1}}", 0, "memory.limit_in_bytes=-1;");
}

static void test_memory_v2(void)
{
	EXPECT_PLAN("{\"memory\":{\"limit\":1048576,\"swap\":3145728,\"reservation\":524288}}", ALL_V2,
		    "memory.max=1048576;memory.swap.max=2097152;memory.low=524288;");
	EXPECT_PLAN("{\"memory\":{\"limit\":-1,\"swap\":-1}}", ALL_V2, "memory.max=max;memory.swap.max=max;");
	EXPECT_ERROR("{\"memory\":{\"swap\":100}}", ALL_V2, "needs a memory.limit");
	EXPECT_ERROR("{\"memory\":{\"limit\":200,\"swap\":100}}", ALL_V2, "below the memory limit");
	EXPECT_ERROR("{\"memory\":{\"swappiness\":10}}", ALL_V2, "no per-cgroup swappiness");
	EXPECT_ERROR("{\"memory\":{\"disableOOMKiller\":true}}", ALL_V2, "cannot disable the OOM killer");
}

static void test_cpu_v1(void)
{
	EXPECT_PLAN(
	    "{\"cpu\":{\"shares\":512,\"quota\":20000,\"period\":100000,\"burst\":1000,\"cpus\":\"0-1\","
	    "\"mems\":\"0\",\"realtimeRuntime\":950,\"realtimePeriod\":1000,\"idle\":1}}",
	    0,
	    "cpu.shares=512;cpu.cfs_period_us=100000;cpu.cfs_quota_us=20000;cpu.cfs_burst_us=1000;"
	    "cpu.rt_period_us=1000;cpu.rt_runtime_us=950;cpu.idle=1;cpuset.cpus=0-1;cpuset.mems=0;");
	EXPECT_PLAN("{\"cpu\":{\"quota\":-1}}", 0, "cpu.cfs_quota_us=-1;");
	/* runc's `update --help` document: every 0 means "leave it" (v1 and v2) */
	static const char zeros[] =
	    "{\"memory\":{\"limit\":0,\"reservation\":0,\"swap\":0},\"cpu\":{\"shares\":0,\"quota\":0,"
	    "\"period\":0,\"realtimeRuntime\":0,\"realtimePeriod\":0,\"cpus\":\"\",\"mems\":\"\"},"
	    "\"blockIO\":{\"weight\":0}}";
	EXPECT_PLAN(zeros, 0, "");
	EXPECT_PLAN(zeros, ALL_V2, "");
	EXPECT_PLAN("{\"cpu\":{\"quota\":0,\"period\":50000}}", 0, "cpu.cfs_period_us=50000;");
	EXPECT_ERROR("{\"cpu\":{\"quota\":1000,\"burst\":2000}}", 0,
		     "burst: 2000 is larger than the quota 1000");
}

static void test_cpu_v2(void)
{
	EXPECT_PLAN("{\"cpu\":{\"shares\":1024,\"quota\":50000,\"period\":100000,\"burst\":10}}", ALL_V2,
		    "cpu.weight=39;cpu.max=50000 100000;cpu.max.burst=10;");
	EXPECT_PLAN("{\"cpu\":{\"period\":50000}}", ALL_V2, "cpu.max=max 50000;");
	EXPECT_PLAN("{\"cpu\":{\"quota\":20000}}", ALL_V2, "cpu.max=20000 100000;");
	EXPECT_ERROR("{\"cpu\":{\"realtimeRuntime\":10}}", ALL_V2, "no realtime CPU controller");
	CHECK(cgroup_shares_to_weight(2) == 1);
	CHECK(cgroup_shares_to_weight(262144) == 10000);
	CHECK(cgroup_shares_to_weight(1024) == 39);
}

static void test_pids(void)
{
	EXPECT_PLAN("{\"pids\":{\"limit\":10}}", 0, "pids.max=10;");
	EXPECT_PLAN("{\"pids\":{\"limit\":-1}}", ALL_V2, "pids.max=max;");
	EXPECT_PLAN("{\"pids\":{\"limit\":0}}", 0, "pids.max=max;");
}

static void test_blkio(void)
{
	static const char json[] =
	    "{\"blockIO\":{\"weight\":500,\"weightDevice\":[{\"major\":8,\"minor\":0,\"weight\":"
	    "300}],\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1048576}],"
	    "\"throttleWriteIOPSDevice\":[{\"major\":8,\"minor\":16,\"rate\":300}]}}";

	EXPECT_PLAN(json, 0,
		    "blkio.weight|blkio.bfq.weight=500;blkio.weight_device|blkio.bfq.weight=8:0 300;"
		    "blkio.throttle.read_bps_device=8:0 1048576;blkio.throttle.write_iops_device=8:16 300;");
	EXPECT_PLAN(
	    json, ALL_V2,
	    "io.weight=default 4950;io.weight=8:0 2930;io.max=8:0 rbps=1048576;io.max=8:16 wiops=300;");
	EXPECT_ERROR("{\"blockIO\":{\"leafWeight\":10}}", ALL_V2, "no leaf weight");
	CHECK(cgroup_blkio_to_io_weight(10) == 1);
	CHECK(cgroup_blkio_to_io_weight(1000) == 10000);
}

static void test_hugetlb_hybrid(void)
{
	/* hybrid: only hugetlb lives in the v2 tree */
	EXPECT_PLAN("{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":4194304}],\"pids\":{\"limit\":5}}",
		    1UL << CG_HUGETLB, "pids.max=5;hugetlb.2MB.max=4194304;hugetlb.2MB.rsvd.max=4194304;");
	EXPECT_PLAN("{\"hugepageLimits\":[{\"pageSize\":\"1GB\",\"limit\":0}]}", 0,
		    "hugetlb.1GB.limit_in_bytes=0;hugetlb.1GB.rsvd.limit_in_bytes=0;");
}

static void test_network_rdma(void)
{
	EXPECT_PLAN(
	    "{\"network\":{\"classID\":1048577,\"priorities\":[{\"name\":\"eth0\",\"priority\":5}]},"
	    "\"rdma\":{\"mlx5_1\":{\"hcaHandles\":3}}}",
	    0,
	    "net_cls.classid=1048577;net_prio.ifpriomap=eth0 5;rdma.max=mlx5_1 hca_handle=3 hca_object=max;");
}

static void test_unified(void)
{
	EXPECT_PLAN("{\"unified\":{\"memory.high\":\"1000000\",\"io.max\":\"8:0 rbps=10\"}}", ALL_V2,
		    "memory.high=1000000;io.max=8:0 rbps=10;");
	EXPECT_ERROR("{\"unified\":{\"memory.high\":\"1\"}}", 1UL << CG_HUGETLB,
		     "the 'memory' controller is not available in the cgroup v2 hierarchy");
	EXPECT_ERROR("{\"unified\":{\"cgroup.procs\":\"1\"}}", ALL_V2, "not a controller file");
	EXPECT_ERROR("{\"unified\":{\"../x.max\":\"1\"}}", ALL_V2, "not a controller file");
	EXPECT_ERROR("{\"unified\":{\"foo.bar\":\"1\"}}", ALL_V2, "'foo' controller is not available");
}

static void test_cpu_pairs(void)
{
	struct spec_resources *r = parse("{\"cpu\":{\"quota\":1000,\"period\":2000,\"realtimeRuntime\":5,"
					 "\"realtimePeriod\":10}}");
	struct cg_plan p;
	struct error err = { 0 };

	/* period before quota and rt period before rt runtime, each a pair retried the other way round */
	CHECK(r && cgroup_plan_build(r, 0, &p, &err) == 0);
	if (r && p.n == 4) {
		CHECK_STR(p.w[0].file, "cpu.cfs_period_us");
		CHECK(p.w[0].swap_pair);
		CHECK(!p.w[1].swap_pair);
		CHECK_STR(p.w[2].file, "cpu.rt_period_us");
		CHECK(p.w[2].swap_pair);
		cgroup_plan_free(&p);
	} else {
		CHECK(!"expected 4 writes");
	}
	spec_resources_free(r);
	/* alone, a period is no pair */
	r = parse("{\"cpu\":{\"period\":2000}}");
	CHECK(r && cgroup_plan_build(r, 0, &p, &err) == 0 && p.n == 1 && !p.w[0].swap_pair);
	if (r)
		cgroup_plan_free(&p);
	spec_resources_free(r);
}

/* The v1 device writes from a devices.list to the rules of a resources document, as "A|c 1:3 rw|..." */
static char *transition(const char *list, const char *json)
{
	struct spec_resources *r = parse(json);
	struct cg_dev_rule *rules = NULL;
	struct error err = { 0 };
	char *out = calloc(1, 8192);
	size_t n = 0;

	if (r == NULL || cgroup_devices_transition(list, r->devices, r->n_devices, &rules, &n, &err) < 0) {
		strcat(out, "error");
		error_clear(&err);
	}
	for (size_t i = 0; i < n; i++) {
		char buf[96];
		if (rules[i].type == 'a')
			snprintf(buf, sizeof buf, "%s%s", i ? "|" : "",
				 rules[i].allow ? "allow a" : "deny a");
		else
			snprintf(buf, sizeof buf, "%s%s %c %s:%s %s", i ? "|" : "",
				 rules[i].allow ? "+" : "-", rules[i].type, rules[i].major, rules[i].minor,
				 rules[i].access);
		strcat(out, buf);
	}
	free(rules);
	spec_resources_free(r);
	return out;
}

#define DEFAULTS                                                                                             \
	"c 1:3 rwm\nc 1:5 rwm\nc 1:7 rwm\nc 1:8 rwm\nc 1:9 rwm\nc 5:0 rwm\nc 5:1 rwm\nc 5:2 rwm\nc 136:* "   \
	"rwm\n"                                                                                              \
	"c 10:200 rwm\n"
#define EXPECT_TRANSITION(list, json, want)                                                                  \
	do {                                                                                                 \
		char *got_ = transition(list, json);                                                         \
		CHECK_STR(got_, want);                                                                       \
		free(got_);                                                                                  \
	} while (0)

static void test_devices_transition(void)
{
	static const char deny_all[] = "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}";

	/* a fresh cgroup (default allow, denies unknown): the deny-all, then every allow */
	EXPECT_TRANSITION("a *:* rwm\n", deny_all,
			  "deny a|+ c 1:3 rwm|+ c 1:5 rwm|+ c 1:7 rwm|+ c 1:8 rwm|+ c 1:9 rwm|+ c 5:0 rwm|"
			  "+ c 5:1 rwm|+ c 5:2 rwm|+ c 136:* rwm|+ c 10:200 rwm");
	/* already there: nothing to write */
	EXPECT_TRANSITION(DEFAULTS, deny_all, "");
	/* one more device, one permission less: only those, never the deny-all */
	EXPECT_TRANSITION(DEFAULTS,
			  "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
			  "\"major\":1,\"minor\":11,\"access\":\"w\"}]}",
			  "+ c 1:11 w");
	EXPECT_TRANSITION(DEFAULTS "c 1:11 rw\n", deny_all, "- c 1:11 rw");
	EXPECT_TRANSITION(DEFAULTS "c 1:11 rw\n",
			  "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
			  "\"major\":1,\"minor\":11,\"access\":\"wm\"}]}",
			  "- c 1:11 r|+ c 1:11 m");
	/* rules without a reset apply on top of what is there; a wildcard deny matches its own key only */
	EXPECT_TRANSITION(DEFAULTS "c 4:* rwm\n",
			  "{\"devices\":[{\"allow\":false,\"type\":\"c\",\"major\":4,\"access\":\"w\"},"
			  "{\"allow\":false,\"type\":\"c\",\"major\":1,\"access\":\"rwm\"}]}",
			  "- c 4:* w");
	/* to allow-all: the one disruptive write */
	EXPECT_TRANSITION(DEFAULTS, "{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}", "allow a");
	/* default allow with unknown denies and no reset: the rules as written */
	EXPECT_TRANSITION(
	    "a *:* rwm\n",
	    "{\"devices\":[{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":0,\"access\":\"w\"}]}",
	    "- b 8:0 w|+ c 1:3 rwm|+ c 1:5 rwm|+ c 1:7 rwm|+ c 1:8 rwm|+ c 1:9 rwm|+ c 5:0 rwm|"
	    "+ c 5:1 rwm|+ c 5:2 rwm|+ c 136:* rwm|+ c 10:200 rwm");
	EXPECT_TRANSITION("garbage\n", deny_all, "error");
}

/* cgroup_devices_allow_nodes: may the rules be written while the init makes its nodes? Only when no node
 * it makes (the config's, the defaults) could be refused by them. */
static bool allow_nodes(const char *json, char type, int64_t major, int64_t minor)
{
	struct spec_resources *r = parse(json);
	struct spec_device d = { .type = type, .path = (char *)"/dev/x", .major = major, .minor = minor };
	bool ok = r && cgroup_devices_allow_nodes(r, &d, type ? 1 : 0);

	spec_resources_free(r);
	return ok;
}

static void test_devices_allow_nodes(void)
{
	const char *deny_all = "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}";

	/* husk spec's default, no linux.devices: the defaults are allowed last */
	CHECK(allow_nodes(deny_all, 0, 0, 0));
	/* a listed node the rules deny: runc still makes it, so the rules wait for READY */
	CHECK(!allow_nodes(deny_all, 'c', 1, 11));
	CHECK(!allow_nodes(deny_all, 'b', 8, 0));
	CHECK(!allow_nodes(deny_all, 'u', 1, 11));
	/* a FIFO is no device to the controller */
	CHECK(allow_nodes(deny_all, 'p', 0, 0));
	/* allowed with m, by number or by wildcard */
	CHECK(allow_nodes("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
			  "\"major\":1,\"minor\":11,\"access\":\"m\"}]}",
			  'c', 1, 11));
	CHECK(allow_nodes("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
			  "\"major\":1,\"access\":\"rwm\"}]}",
			  'c', 1, 11));
	/* allowed, but not for mknod */
	CHECK(
	    !allow_nodes("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
			 "\"major\":1,\"minor\":11,\"access\":\"rw\"}]}",
			 'c', 1, 11));
	/* default-allow: fine unless a deny meets the node... */
	CHECK(allow_nodes("{\"devices\":[{\"allow\":true,\"access\":\"rwm\"}]}", 'c', 1, 11));
	CHECK(
	    !allow_nodes("{\"devices\":[{\"allow\":true,\"access\":\"rwm\"},{\"allow\":false,\"type\":\"c\","
			 "\"major\":1,\"minor\":11,\"access\":\"m\"}]}",
			 'c', 1, 11));
	/* ...or a default device: on v1 a deny of c 1:* outlives the later allow of c 1:3 (other key) */
	CHECK(!allow_nodes("{\"devices\":[{\"allow\":false,\"type\":\"c\",\"major\":1,\"access\":\"m\"}]}", 0,
			   0, 0));
	/* a deny of one default's own key is undone by the default that follows */
	CHECK(allow_nodes("{\"devices\":[{\"allow\":false,\"type\":\"c\",\"major\":1,\"minor\":3,"
			  "\"access\":\"rwm\"}]}",
			  0, 0, 0));
}

UNIT_CASES({ "memory_v1", test_memory_v1 }, { "memory_v2", test_memory_v2 }, { "cpu_v1", test_cpu_v1 },
	   { "cpu_v2", test_cpu_v2 }, { "pids", test_pids }, { "blkio", test_blkio },
	   { "hugetlb_hybrid", test_hugetlb_hybrid }, { "network_rdma", test_network_rdma },
	   { "unified", test_unified }, { "cpu_pairs", test_cpu_pairs },
	   { "devices_transition", test_devices_transition },
	   { "devices_allow_nodes", test_devices_allow_nodes })
