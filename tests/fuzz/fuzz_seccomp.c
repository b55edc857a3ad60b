/* libFuzzer target for runtime/seccomp: each input is a whole config.json; when spec_parse accepts it
 * and it has linux.seccomp, seccomp_build compiles the profile and the BPF program is exported into a
 * memfd. The filter is never loaded. Built with FUZZ_SECCOMP_PROFILE (fuzz_seccomp_profile.c), the
 * input is only the linux.seccomp object, wrapped in a minimal config, so mutations stay in the
 * profile. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config/spec.h"
#include "runtime/seccomp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

static int export_fd = -1;

/* libseccomp 2.5.4 (Debian 12) itself leaks rule nodes when it merges rules with argument conditions
 * on the multiplexed x86 socket calls: SCMP_ARCH_X86 and socket with A3 NE, A3 LT, then A0 LE, each
 * in its own rule, leak 384 bytes inside seccomp_rule_add_array, released context or not. Leaks of
 * memory libseccomp allocated are therefore not reported... */
const char *__lsan_default_suppressions(void)
{
	return "leak:libseccomp.so\n";
}

/* ...and what husk owns there, the filter contexts, is counted instead: seccomp_init and
 * seccomp_release are wrapped, and every context built for one input must be released by its end. */
static long live_contexts;

scmp_filter_ctx seccomp_init(uint32_t def_action)
{
	static scmp_filter_ctx (*real)(uint32_t);
	scmp_filter_ctx ctx;

	if (real == NULL)
		real = (scmp_filter_ctx(*)(uint32_t))dlsym(RTLD_NEXT, "seccomp_init");
	ctx = real(def_action);
	if (ctx != NULL)
		live_contexts++;
	return ctx;
}

void seccomp_release(scmp_filter_ctx ctx)
{
	static void (*real)(scmp_filter_ctx);

	if (real == NULL)
		real = (void (*)(scmp_filter_ctx))dlsym(RTLD_NEXT, "seccomp_release");
	if (ctx != NULL)
		live_contexts--;
	real(ctx);
}

static void build_and_export(const struct spec_seccomp *s)
{
	struct error err = { 0 };
	scmp_filter_ctx ctx = NULL;
	off_t len;

	(void)seccomp_uses_notify(s);
	if (seccomp_build(s, &ctx, &err) < 0) {
		error_clear(&err);
		return;
	}
	if (export_fd < 0)
		export_fd = memfd_create("fuzz-seccomp-bpf", MFD_CLOEXEC);
	if (export_fd >= 0 && ftruncate(export_fd, 0) == 0 && lseek(export_fd, 0, SEEK_SET) == 0 &&
	    seccomp_export_bpf(ctx, export_fd) == 0) {
		len = lseek(export_fd, 0, SEEK_CUR);
		/* a program of whole sock_filter instructions, at least the arch check and a return */
		if (len < 16 || len % 8 != 0)
			abort();
	}
	seccomp_release(ctx);
}

static void parse_and_build(const char *text, size_t size)
{
	struct error err = { 0 };
	struct spec *spec = NULL;

	if (spec_parse(text, size, "config.json", &spec, &err) == 0) {
		if (spec->has_linux && spec->linux_.has_seccomp)
			build_and_export(&spec->linux_.seccomp);
		spec_free(spec);
	}
	error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_SECCOMP_PROFILE
	static const char head[] =
	    "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"rootfs\"},\"linux\":{\"seccomp\":";
	static const char tail[] = "}}";
	size_t len = sizeof head - 1 + size + sizeof tail - 1;
	char *text = malloc(len);

	if (text == NULL)
		return 0;
	memcpy(text, head, sizeof head - 1);
	memcpy(text + sizeof head - 1, data, size);
	memcpy(text + sizeof head - 1 + size, tail, sizeof tail - 1);
	parse_and_build(text, len);
	free(text);
#else
	parse_and_build((const char *)data, size);
#endif
	if (live_contexts != 0) {
		fprintf(stderr, "fuzz_seccomp: %ld seccomp filter context(s) not released\n", live_contexts);
		abort();
	}
	return 0;
}
