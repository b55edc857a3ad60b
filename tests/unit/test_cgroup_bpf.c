/* The cgroup v2 device filter: the generated eBPF program is run by a small interpreter of the
 * instructions it uses and its decisions checked; as root, the kernel verifier loads it and a
 * process in a scratch v2 cgroup is denied and allowed devices for real. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/spec.h"
#include "runtime/cgroup-bpf.h"
#include "runtime/cgroup.h"
#include "unit.h"

/* Run prog on (type, access, major, minor); returns r0. Only the instruction forms the generator
 * emits are understood; anything else fails the test. */
static int run(const struct bpf_insn *p, size_t n, uint32_t type, uint32_t access, uint32_t major,
	       uint32_t minor)
{
	uint32_t ctx[3] = { (access << 16) | type, major, minor };
	uint64_t r[11] = { 0 };

	r[1] = (uint64_t)(uintptr_t)ctx;
	for (size_t pc = 0; pc < n; pc++) {
		const struct bpf_insn *i = &p[pc];
		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			r[i->dst_reg] = *(uint32_t *)(uintptr_t)(r[i->src_reg] + (uint64_t)i->off);
			break;
		case BPF_ALU64 | BPF_MOV | BPF_X:
			r[i->dst_reg] = r[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			r[i->dst_reg] = (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_AND | BPF_K:
			r[i->dst_reg] &= (uint64_t)(int64_t)i->imm;
			break;
		case BPF_ALU64 | BPF_RSH | BPF_K:
			r[i->dst_reg] >>= i->imm;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			CHECK(!"unknown instruction");
			return -1;
		}
	}
	CHECK(!"fell off the end of the program");
	return -1;
}

#define C  BPF_DEVCG_DEV_CHAR
#define B  BPF_DEVCG_DEV_BLOCK
#define R  BPF_DEVCG_ACC_READ
#define W  BPF_DEVCG_ACC_WRITE
#define MK BPF_DEVCG_ACC_MKNOD

static struct spec_resources *parse(const char *json)
{
	struct spec_resources *r = NULL;
	struct error err = { 0 };

	CHECK(spec_parse_resources(json, strlen(json), "r.json", &r, &err) == 0);
	error_clear(&err);
	return r;
}

static void program_of(const char *json, bool defaults, struct bpf_insn **p, size_t *n)
{
	struct spec_resources *r = parse(json);
	size_t nd = 0;
	const struct spec_device_cgroup *d = cgroup_default_devices(&nd);

	cgroup_bpf_program(r ? r->devices : NULL, r ? r->n_devices : 0, d, defaults ? nd : 0, p, n);
	spec_resources_free(r);
}

static void test_default_deny_with_runc_defaults(void)
{
	struct bpf_insn *p;
	size_t n;

	program_of("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", true, &p, &n);
	CHECK(run(p, n, C, R | W, 1, 3) == 1);	 /* /dev/null */
	CHECK(run(p, n, C, R, 1, 9) == 1);	 /* /dev/urandom */
	CHECK(run(p, n, C, R | W, 136, 7) == 1); /* a pty */
	CHECK(run(p, n, C, R, 1, 1) == 0);	 /* /dev/mem */
	CHECK(run(p, n, B, R, 8, 0) == 0);	 /* a disk */
	CHECK(run(p, n, C, MK, 1, 3) == 1);
	free(p);
}

static void test_later_rules_win(void)
{
	struct bpf_insn *p;
	size_t n;

	program_of(
	    "{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},{\"allow\":true,\"type\":\"b\",\"major\":8,"
	    "\"access\":\"r\"},{\"allow\":false,\"type\":\"b\",\"major\":8,\"minor\":16,\"access\":\"rwm\"}]"
	    "}",
	    false, &p, &n);
	CHECK(run(p, n, B, R, 8, 0) == 1); /* read of sda allowed */
	CHECK(run(p, n, B, W, 8, 0) == 0); /* write of sda not */
	CHECK(run(p, n, B, R | W, 8, 0) == 0);
	CHECK(run(p, n, B, R, 8, 16) == 0); /* the later deny wins for sdb */
	CHECK(run(p, n, C, R, 8, 0) == 0);  /* type matters */
	free(p);
}

static void test_allow_all_default(void)
{
	struct bpf_insn *p;
	size_t n;

	program_of(
	    "{\"devices\":[{\"allow\":true,\"access\":\"rwm\"},{\"allow\":false,\"type\":\"c\",\"major\":1,"
	    "\"minor\":1,\"access\":\"w\"}]}",
	    false, &p, &n);
	CHECK(run(p, n, B, R | W, 8, 0) == 1);
	CHECK(run(p, n, C, R, 1, 1) == 1);
	CHECK(run(p, n, C, W, 1, 1) == 0);
	CHECK(run(p, n, C, R | W, 1, 1) == 1); /* the deny covers only requests it fully matches: w alone */
	free(p);
	/* a later wildcard discards what came before */
	program_of("{\"devices\":[{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":1,\"access\":\"rwm\"},"
		   "{\"allow\":false,\"access\":\"rwm\"}]}",
		   false, &p, &n);
	CHECK(run(p, n, C, R, 1, 1) == 0);
	CHECK(n == 9);
	free(p);
}

static void test_kernel_attach(void)
{
	const char *base = "/sys/fs/cgroup/unified";
	char dir[128];
	struct bpf_insn *p;
	size_t n;
	struct error err = { 0 };
	int status = -1;
	pid_t pid;

	if (geteuid() != 0 || access(base, W_OK) != 0) {
		printf("skip kernel_attach: needs root and %s\n", base);
		return;
	}
	snprintf(dir, sizeof dir, "%s/husk-unit-bpf-%d", base, getpid());
	CHECK(mkdir(dir, 0755) == 0);
	program_of("{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]}", true, &p, &n);
	CHECK(cgroup_bpf_attach(dir, p, n, &err) == 0);
	if (err.msg)
		fprintf(stderr, "  %s\n", err.msg);
	error_clear(&err);
	/* attaching again replaces the program instead of stacking a second one */
	CHECK(cgroup_bpf_attach(dir, p, n, &err) == 0);
	free(p);
	pid = fork();
	if (pid == 0) {
		char procs[160], buf[16];
		int fd, len = snprintf(buf, sizeof buf, "%d", getpid());
		snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
		fd = open(procs, O_WRONLY);
		if (fd < 0 || write(fd, buf, (size_t)len) != len)
			_exit(10);
		close(fd);
		if (open("/dev/null", O_RDWR) < 0)
			_exit(11); /* allowed by the defaults */
		fd = open("/dev/full", O_RDONLY);
		if (fd < 0)
			_exit(12);
		/* /dev/kmsg (1:11) exists on every Linux host and is not in the allow list: EPERM from the
		 * device program */
		fd = open("/dev/kmsg", O_RDONLY);
		_exit(fd < 0 && errno == EPERM ? 0 : 13);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "  child status %d\n", WEXITSTATUS(status));
	CHECK(rmdir(dir) == 0);
}

UNIT_CASES({ "default_deny_with_runc_defaults", test_default_deny_with_runc_defaults },
	   { "later_rules_win", test_later_rules_win }, { "allow_all_default", test_allow_all_default },
	   { "kernel_attach", test_kernel_attach })
