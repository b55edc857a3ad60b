/* The mount option table of runtime-spec config.md. */
#define _GNU_SOURCE
#include "mountopt.h"

#include <ctype.h>
#include <errno.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "runtime/base/util.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

enum opt_kind {
	SET,   /* set flag */
	CLEAR, /* clear flag */
	PROP,  /* propagation */
	RSET,  /* recursive attribute set */
	RCLR,  /* recursive attribute clear */
	SPECIAL,
};

struct opt_def {
	const char *name;
	enum opt_kind kind;
	uint64_t value;
};

static const struct opt_def table[] = {
	{ "async", CLEAR, MS_SYNCHRONOUS },
	{ "atime", CLEAR, MS_NOATIME },
	{ "bind", SPECIAL, MS_BIND },
	{ "defaults", SET, 0 },
	{ "dev", CLEAR, MS_NODEV },
	{ "diratime", CLEAR, MS_NODIRATIME },
	{ "dirsync", SET, MS_DIRSYNC },
	{ "exec", CLEAR, MS_NOEXEC },
	{ "iversion", SET, MS_I_VERSION },
	{ "lazytime", SET, MS_LAZYTIME },
	{ "loud", CLEAR, MS_SILENT },
	{ "mand", SET, MS_MANDLOCK },
	{ "noatime", SET, MS_NOATIME },
	{ "nodev", SET, MS_NODEV },
	{ "nodiratime", SET, MS_NODIRATIME },
	{ "noexec", SET, MS_NOEXEC },
	{ "noiversion", CLEAR, MS_I_VERSION },
	{ "nolazytime", CLEAR, MS_LAZYTIME },
	{ "nomand", CLEAR, MS_MANDLOCK },
	{ "norelatime", CLEAR, MS_RELATIME },
	{ "nostrictatime", CLEAR, MS_STRICTATIME },
	{ "nosuid", SET, MS_NOSUID },
	{ "nosymfollow", SET, MS_NOSYMFOLLOW },
	{ "rbind", SPECIAL, MS_BIND | MS_REC },
	{ "relatime", SET, MS_RELATIME },
	{ "remount", SET, MS_REMOUNT },
	{ "ro", SET, MS_RDONLY },
	{ "rw", CLEAR, MS_RDONLY },
	{ "silent", SET, MS_SILENT },
	{ "strictatime", SET, MS_STRICTATIME },
	{ "suid", CLEAR, MS_NOSUID },
	{ "symfollow", CLEAR, MS_NOSYMFOLLOW },
	{ "sync", SET, MS_SYNCHRONOUS },
	{ "private", PROP, MS_PRIVATE },
	{ "rprivate", PROP, MS_PRIVATE | MS_REC },
	{ "shared", PROP, MS_SHARED },
	{ "rshared", PROP, MS_SHARED | MS_REC },
	{ "slave", PROP, MS_SLAVE },
	{ "rslave", PROP, MS_SLAVE | MS_REC },
	{ "unbindable", PROP, MS_UNBINDABLE },
	{ "runbindable", PROP, MS_UNBINDABLE | MS_REC },
	{ "rro", RSET, MOUNT_ATTR_RDONLY },
	{ "rrw", RCLR, MOUNT_ATTR_RDONLY },
	{ "rnosuid", RSET, MOUNT_ATTR_NOSUID },
	{ "rsuid", RCLR, MOUNT_ATTR_NOSUID },
	{ "rnodev", RSET, MOUNT_ATTR_NODEV },
	{ "rdev", RCLR, MOUNT_ATTR_NODEV },
	{ "rnoexec", RSET, MOUNT_ATTR_NOEXEC },
	{ "rexec", RCLR, MOUNT_ATTR_NOEXEC },
	{ "rnodiratime", RSET, MOUNT_ATTR_NODIRATIME },
	{ "rdiratime", RCLR, MOUNT_ATTR_NODIRATIME },
	{ "rrelatime", RSET, MOUNT_ATTR_RELATIME },
	{ "rnorelatime", RCLR, MOUNT_ATTR_RELATIME },
	{ "rnoatime", RSET, MOUNT_ATTR_NOATIME },
	{ "ratime", RCLR, MOUNT_ATTR_NOATIME },
	{ "rstrictatime", RSET, MOUNT_ATTR_STRICTATIME },
	{ "rnostrictatime", RCLR, MOUNT_ATTR_STRICTATIME },
	{ "rnosymfollow", RSET, MOUNT_ATTR_NOSYMFOLLOW },
	{ "rsymfollow", RCLR, MOUNT_ATTR_NOSYMFOLLOW },
	{ "tmpcopyup", SPECIAL, 0 },
	{ "idmap", SPECIAL, 0 },
	{ "ridmap", SPECIAL, 0 },
};

static void data_append(struct mount_opts *o, const char *opt)
{
	size_t old = o->data ? strlen(o->data) : 0;

	o->data = xrealloc(o->data, old + strlen(opt) + 2);
	if (old)
		o->data[old++] = ',';
	strcpy(o->data + old, opt);
}

static void apply(struct mount_opts *o, const struct opt_def *d)
{
	switch (d->kind) {
	case SET:
		o->flags |= d->value;
		o->clear &= ~d->value;
		if (d->value == MS_RDONLY)
			o->has_ro = true;
		break;
	case CLEAR:
		o->flags &= ~d->value;
		o->clear |= d->value;
		if (d->value == MS_RDONLY)
			o->has_rw = true;
		break;
	case PROP:
		o->propagation = d->value;
		break;
	case RSET:
		o->rec_set |= d->value;
		o->rec_clr &= ~d->value;
		break;
	case RCLR:
		o->rec_clr |= d->value;
		o->rec_set &= ~d->value;
		break;
	case SPECIAL:
		if (strcmp(d->name, "bind") == 0) {
			o->bind = true;
		} else if (strcmp(d->name, "rbind") == 0) {
			o->bind = true;
			o->recursive_bind = true;
		} else if (strcmp(d->name, "tmpcopyup") == 0) {
			o->tmpcopyup = true;
		} else {
			o->idmap = true;
		}
		break;
	}
}

int mount_opts_parse(char *const *options, size_t n, struct mount_opts *ret, struct error *err)
{
	struct mount_opts o = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct opt_def *d = NULL;

		if (options[i] == NULL || options[i][0] == '\0') {
			mount_opts_free(&o);
			return error_set(err, EINVAL, "mount option %zu is empty", i);
		}
		for (size_t t = 0; t < ARRAY_SIZE(table) && d == NULL; t++)
			if (strcmp(table[t].name, options[i]) == 0)
				d = &table[t];
		if (d)
			apply(&o, d);
		else
			data_append(&o, options[i]);
	}
	*ret = o;
	return 0;
}

size_t mount_opts_known(void)
{
	return ARRAY_SIZE(table);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *const *mount_opts_names(void)
{
	static const char *names[ARRAY_SIZE(table) + 1];

	if (names[0] == NULL) {
		for (size_t i = 0; i < ARRAY_SIZE(table); i++)
			names[i] = table[i].name;
		qsort(names, ARRAY_SIZE(table), sizeof names[0], cmp_name);
	}
	return names;
}

/* The LSM context options whose value SELinux takes quoted from mount(2)'s data (selinux_sb_eat_lsm_opts:
 * a comma inside the quotes does not end the option; the quotes are stripped). */
static size_t quoted_context(const char *opt)
{
	static const char *const keys[] = { "context=\"", "fscontext=\"", "defcontext=\"", "rootcontext=\"" };

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strncmp(opt, keys[i], strlen(keys[i])) == 0)
			return strlen(keys[i]);
	return 0;
}

bool mount_data_next(char **cursor, bool tmpfs, char **ret_key, char **ret_value)
{
	char *opt = *cursor, *end, *eq;
	size_t q, len;

	while (opt && *opt == ',')
		opt++;
	if (opt == NULL || *opt == '\0') {
		*cursor = NULL;
		return false;
	}
	q = quoted_context(opt);
	end = opt;
	if (q && (end = strchr(opt + q, '"')) == NULL)
		end = opt; /* no closing quote: split as written; the LSM refuses the value */
	while ((end = strchr(end, ',')) != NULL && tmpfs && isdigit((unsigned char)end[1]))
		end++;
	if (end)
		*end++ = '\0';
	*cursor = end;
	*ret_key = opt;
	*ret_value = NULL;
	if ((eq = strchr(opt, '=')) == NULL)
		return true;
	*eq = '\0';
	*ret_value = eq + 1;
	len = strlen(*ret_value);
	if (q && len >= 2 && (*ret_value)[len - 1] == '"') {
		(*ret_value)[len - 1] = '\0';
		(*ret_value)++;
	}
	return true;
}

void mount_opts_free(struct mount_opts *o)
{
	free(o->data);
	o->data = NULL;
}

const char *mount_flags_str(unsigned long flags, char *buf, size_t size)
{
	static const struct {
		unsigned long f;
		const char *name;
	} names[] = {
		{ MS_RDONLY, "MS_RDONLY" },
		{ MS_NOSUID, "MS_NOSUID" },
		{ MS_NODEV, "MS_NODEV" },
		{ MS_NOEXEC, "MS_NOEXEC" },
		{ MS_SYNCHRONOUS, "MS_SYNCHRONOUS" },
		{ MS_REMOUNT, "MS_REMOUNT" },
		{ MS_MANDLOCK, "MS_MANDLOCK" },
		{ MS_DIRSYNC, "MS_DIRSYNC" },
		{ MS_NOATIME, "MS_NOATIME" },
		{ MS_NODIRATIME, "MS_NODIRATIME" },
		{ MS_BIND, "MS_BIND" },
		{ MS_MOVE, "MS_MOVE" },
		{ MS_REC, "MS_REC" },
		{ MS_SILENT, "MS_SILENT" },
		{ MS_UNBINDABLE, "MS_UNBINDABLE" },
		{ MS_PRIVATE, "MS_PRIVATE" },
		{ MS_SLAVE, "MS_SLAVE" },
		{ MS_SHARED, "MS_SHARED" },
		{ MS_RELATIME, "MS_RELATIME" },
		{ MS_STRICTATIME, "MS_STRICTATIME" },
		{ MS_LAZYTIME, "MS_LAZYTIME" },
	};
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].f)
			len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
						len ? "|" : "", names[i].name);
	if (len == 0)
		snprintf(buf, size, "0");
	return buf;
}
