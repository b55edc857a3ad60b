/* The process `husk exec` runs: the container's saved config and its process (or a --process
 * document), with the caller's overrides (--env, --user, --cap, ...) applied and checked before anything
 * is opened or forked. Pure: reads the record and the --process file, touches nothing else. */
#define _GNU_SOURCE
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/spec.h"
#include "lsm.h"
#include "state.h"
#include "base/util.h"

static int parse_id(const char *s, uint32_t *ret)
{
	uint64_t v;

	if (parse_u64(s, &v) < 0 || v > UINT32_MAX)
		return -1;
	*ret = (uint32_t)v;
	return 0;
}

static void strv_append(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 2) * sizeof(char *));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

/* --env KEY=V replaces an existing KEY or is appended. */
static void env_set(struct spec_process *p, const char *kv)
{
	size_t klen = strcspn(kv, "=");

	for (size_t i = 0; i < p->n_env; i++)
		if (strncmp(p->env[i], kv, klen) == 0 && p->env[i][klen] == '=') {
			free(p->env[i]);
			p->env[i] = xstrdup(kv);
			return;
		}
	strv_append(&p->env, &p->n_env, kv);
}

int exec_apply_overrides(const struct exec_opts *o, struct spec_process *p, struct error *err)
{
	if (o->n_args) {
		strv_free(p->args);
		p->args = NULL;
		p->n_args = 0;
		for (size_t i = 0; i < o->n_args; i++)
			strv_append(&p->args, &p->n_args, o->args[i]);
	}
	if (p->n_args == 0)
		return error_set(err, EINVAL, "exec: no command given (and none in --process)");
	for (size_t i = 0; i < o->n_env; i++) {
		if (strchr(o->env[i], '=') == NULL)
			return error_set(err, EINVAL, "exec: --env '%s': expected KEY=VALUE", o->env[i]);
		env_set(p, o->env[i]);
	}
	if (o->cwd) {
		if (o->cwd[0] != '/')
			return error_set(err, EINVAL, "exec: --cwd '%s': expected an absolute path", o->cwd);
		free(p->cwd);
		p->cwd = xstrdup(o->cwd);
	}
	if (o->user) {
		cleanup_free char *u = xstrdup(o->user);
		char *colon = strchr(u, ':');
		if (colon)
			*colon = '\0';
		if (parse_id(u, &p->user.uid) < 0 || (colon && parse_id(colon + 1, &p->user.gid) < 0))
			return error_set(err, EINVAL, "exec: --user '%s': expected UID[:GID] (numbers)",
					 o->user);
	}
	if (o->n_additional_gids) {
		free(p->user.additional_gids);
		p->user.additional_gids = xcalloc(o->n_additional_gids, sizeof(uint32_t));
		p->user.n_additional_gids = o->n_additional_gids;
		for (size_t i = 0; i < o->n_additional_gids; i++)
			if (parse_id(o->additional_gids[i], &p->user.additional_gids[i]) < 0)
				return error_set(err, EINVAL,
						 "exec: --additional-gids '%s': expected a number",
						 o->additional_gids[i]);
	}
	for (size_t i = 0; i < o->n_caps; i++) {
		int cap = spec_cap_from_name(o->caps[i]);
		if (cap < 0 || cap > spec_cap_last_cap())
			return error_set(err, EINVAL, "exec: --cap: unknown capability \"%s\"", o->caps[i]);
		/* never the inheritable set: a granted inheritable capability would survive execve of a
		 * file with inheritable file caps and reach programs the caller did not mean to empower
		 * (CVE-2022-29162) */
		p->has_capabilities = true;
		p->capabilities.sets[CAPSET_BOUNDING] |= 1ULL << cap;
		p->capabilities.sets[CAPSET_EFFECTIVE] |= 1ULL << cap;
		p->capabilities.sets[CAPSET_PERMITTED] |= 1ULL << cap;
	}
	if (o->no_new_privs)
		p->no_new_privileges = true;
	if (o->tty >= 0)
		p->terminal = o->tty;
	if (o->apparmor) {
		free(p->apparmor_profile);
		p->apparmor_profile = xstrdup(o->apparmor);
	}
	if (o->process_label) {
		free(p->selinux_label);
		p->selinux_label = xstrdup(o->process_label);
	}
	if (lsm_check(p->apparmor_profile, p->selinux_label, NULL, "exec: process", err) < 0)
		return -1;
	if (p->terminal && o->console_socket == NULL && o->detach)
		return error_set(err, EINVAL,
				 "exec: --tty with --detach needs --console-socket: once husk exits, nobody "
				 "would hold the terminal");
	return 0;
}

int exec_load_process(const struct exec_opts *o, const struct state_record *rec, struct spec **ret_spec,
		      struct spec_process **ret_process, struct error *err)
{
	cleanup_free char *data = NULL;
	struct spec *spec = NULL;
	struct spec_process *p = NULL;
	size_t len;

	if (rec->config == NULL)
		return error_set(err, EINVAL, "exec: container '%s' has no saved config in its state", o->id);
	if (spec_parse(rec->config, strlen(rec->config), "config.json", &spec, err) < 0)
		return error_wrap(err, "exec: the container's saved config");
	if (o->process_file) {
		if (read_input_at(AT_FDCWD, o->process_file, 16 << 20, &data, &len, err) < 0) {
			spec_free(spec);
			return error_wrap(err, "exec: --process");
		}
		if (spec_parse_process(data, len, o->process_file, &p, err) < 0) {
			spec_free(spec);
			return -1;
		}
	} else {
		/* start from the container's own process: its env, user, caps and rlimits are the
		 * defaults; it is moved out of the parsed config, which keeps the rest */
		p = xmalloc(sizeof(*p));
		*p = spec->process;
		memset(&spec->process, 0, sizeof spec->process);
		spec->has_process = false;
		/* the terminal is not a default: as runc, only -t (or a --process document) asks for one,
		 * so "exec -d" works and plain exec output keeps its \n line ends whatever the container's
		 * config */
		p->terminal = false;
	}
	*ret_spec = spec;
	*ret_process = p;
	return 0;
}
