/* The cgroup v2 device filter: OCI device rules compiled to eBPF and attached to the cgroup. */
#ifndef HUSK_CGROUP_BPF_H
#define HUSK_CGROUP_BPF_H

#include <linux/bpf.h>
#include <stddef.h>

#include "config/spec.h"
#include "base/error.h"

/* Compile rules followed by extra (the always-allowed devices) into a program (caller frees *ret). */
int cgroup_bpf_program(const struct spec_device_cgroup *rules, size_t n_rules,
		       const struct spec_device_cgroup *extra, size_t n_extra, struct bpf_insn **ret,
		       size_t *ret_n);
/* Load the program and attach it to the cgroup directory, replacing earlier device programs. */
int cgroup_bpf_attach(const char *cgroup_dir, const struct bpf_insn *insns, size_t n, struct error *err);

/* The devices every container may use whatever its rules say (/dev/null, ptys...), as in runc. */
const struct spec_device_cgroup *cgroup_default_devices(size_t *ret_n);

#endif
