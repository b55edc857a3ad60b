/* Device rules on cgroup v2: v2 has no devices controller, so the rules become a small eBPF program of
 * type BPF_PROG_TYPE_CGROUP_DEVICE attached to the container's cgroup. It follows the v1 semantics of
 * the same list: a rule of type "a" with no major/minor resets the default, and later rules take
 * precedence over earlier ones, so the program checks them last to first. */
#define _GNU_SOURCE
#include "cgroup-bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

#define INSN(c, d, s, o, i)                                                                                  \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

static uint32_t access_mask(const char *access)
{
	uint32_t m = 0;

	for (const char *p = access ? access : "rwm"; *p; p++)
		m |= *p == 'r'	 ? BPF_DEVCG_ACC_READ
		     : *p == 'w' ? BPF_DEVCG_ACC_WRITE
		     : *p == 'm' ? BPF_DEVCG_ACC_MKNOD
				 : 0;
	return m;
}

static bool is_wildcard(const struct spec_device_cgroup *d)
{
	return (d->type == 'a' || d->type == 0) && (!d->has_major || d->major < 0) &&
	       (!d->has_minor || d->minor < 0) &&
	       access_mask(d->access) == (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
}

/* Instructions of one rule's check, jumping `skip` past its end on a mismatch (filled by the caller). */
static size_t rule_insns(const struct spec_device_cgroup *d, struct bpf_insn *out)
{
	size_t n = 0;
	uint32_t acc = access_mask(d->access);

	if (d->type == 'c' || d->type == 'b')
		out[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0, 0,
				d->type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
	if (acc != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD)) {
		/* every requested access bit must be granted by the rule */
		out[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_4, 0, 0);
		out[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int32_t)~acc);
		out[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_1, 0, 0, 0);
	}
	if (d->has_major && d->major >= 0)
		out[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 0, (int32_t)d->major);
	if (d->has_minor && d->minor >= 0)
		out[n++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_6, 0, 0, (int32_t)d->minor);
	out[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, d->allow ? 1 : 0);
	out[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	/* point every mismatch jump just past this block */
	for (size_t i = 0; i < n; i++)
		if (out[i].code == (BPF_JMP | BPF_JNE | BPF_K))
			out[i].off = (int16_t)(n - i - 1);
	return n;
}

int cgroup_bpf_program(const struct spec_device_cgroup *rules, size_t n_rules,
		       const struct spec_device_cgroup *extra, size_t n_extra, struct bpf_insn **ret,
		       size_t *ret_n)
{
	size_t total = n_rules + n_extra, first = 0, n = 0;
	bool def = false;
	struct bpf_insn *p = xcalloc(7 + total * 8 + 2, sizeof(*p)); /* header, <= 8 per rule, default */
	const struct spec_device_cgroup **all = xcalloc(total + 1, sizeof(*all));

	for (size_t i = 0; i < n_rules; i++)
		all[i] = &rules[i];
	for (size_t i = 0; i < n_extra; i++)
		all[n_rules + i] = &extra[i];
	/* the last wildcard sets the default and hides every rule before it */
	for (size_t i = 0; i < total; i++)
		if (is_wildcard(all[i])) {
			def = all[i]->allow;
			first = i + 1;
		}
	/* r2 = access_type; r3 = type (low 16 bits); r4 = access (high 16); r5 = major; r6 = minor */
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 4, 0);
	p[n++] = INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_6, BPF_REG_1, 8, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_2, 0, 0);
	p[n++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_4, 0, 0, 16);
	for (size_t i = total; i-- > first;)
		n += rule_insns(all[i], p + n);
	p[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, def ? 1 : 0);
	p[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	free(all);
	*ret = p;
	*ret_n = n;
	return 0;
}

static int bpf(int cmd, union bpf_attr *attr)
{
	return (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

int cgroup_bpf_attach(const char *cgroup_dir, const struct bpf_insn *insns, size_t n, struct error *err)
{
	char log[65536] = "";
	union bpf_attr load = { 0 }, attach = { 0 }, query = { 0 };
	cleanup_close int cg = open(cgroup_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), prog = -1;
	uint32_t old_ids[64];

	if (cg < 0)
		return error_sys(err, errno, "open cgroup '%s'", cgroup_dir);
	load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	load.insns = (uint64_t)(uintptr_t)insns;
	load.insn_cnt = (uint32_t)n;
	load.license = (uint64_t)(uintptr_t) "Apache";
	log_debug("bpf(BPF_PROG_LOAD, BPF_PROG_TYPE_CGROUP_DEVICE, %zu instructions)", n);
	prog = bpf(BPF_PROG_LOAD, &load);
	if (prog < 0) {
		/* load again with the verifier's log only to explain the failure */
		int e = errno;
		load.log_buf = (uint64_t)(uintptr_t)log;
		load.log_size = sizeof log;
		load.log_level = 1;
		bpf(BPF_PROG_LOAD, &load);
		return error_sys(err, e, "load the device eBPF program (verifier: %.300s)", log);
	}
	/* programs attached before (an earlier create or update) are replaced, not stacked */
	query.query.target_fd = (uint32_t)cg;
	query.query.attach_type = BPF_CGROUP_DEVICE;
	query.query.prog_ids = (uint64_t)(uintptr_t)old_ids;
	query.query.prog_cnt = ARRAY_SIZE(old_ids);
	if (bpf(BPF_PROG_QUERY, &query) < 0)
		query.query.prog_cnt = 0;
	attach.target_fd = (uint32_t)cg;
	attach.attach_bpf_fd = (uint32_t)prog;
	attach.attach_type = BPF_CGROUP_DEVICE;
	attach.attach_flags = BPF_F_ALLOW_MULTI;
	log_debug("bpf(BPF_PROG_ATTACH, \"%s\", BPF_CGROUP_DEVICE)", cgroup_dir);
	if (bpf(BPF_PROG_ATTACH, &attach) < 0)
		return error_sys(err, errno, "attach the device eBPF program to '%s'", cgroup_dir);
	for (uint32_t i = 0; i < query.query.prog_cnt; i++) {
		union bpf_attr get = { .prog_id = old_ids[i] }, detach = { 0 };
		int old = bpf(BPF_PROG_GET_FD_BY_ID, &get);
		if (old < 0)
			continue;
		detach.target_fd = (uint32_t)cg;
		detach.attach_bpf_fd = (uint32_t)old;
		detach.attach_type = BPF_CGROUP_DEVICE;
		bpf(BPF_PROG_DETACH, &detach);
		close(old);
	}
	return 0;
}
