/* The OCI resources -> cgroup file mapping, for v1, v2 and a hybrid host, checked write by write. */
#define _GNU_SOURCE
#include <stdlib.h>

#include "config/spec.h"
#include "runtime/cgroup-plan.h"
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
	EXPECT_ERROR("{\"memory\":{\"swappiness\":101}}", 0, "memory.swappiness: 101 is not in 0..100");
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

UNIT_CASES({ "memory_v1", test_memory_v1 }, { "memory_v2", test_memory_v2 }, { "cpu_v1", test_cpu_v1 },
	   { "cpu_v2", test_cpu_v2 }, { "pids", test_pids }, { "blkio", test_blkio },
	   { "hugetlb_hybrid", test_hugetlb_hybrid }, { "network_rdma", test_network_rdma },
	   { "unified", test_unified })
