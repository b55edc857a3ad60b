/* Mount options of runtime-spec config.md turned into what the kernel takes: MS_* flags for mount(2),
 * recursive attributes for mount_setattr(2), propagation, and the filesystem's data string. */
#ifndef HUSK_MOUNTOPT_H
#define HUSK_MOUNTOPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "runtime/base/error.h"

struct mount_opts {
	unsigned long flags;	   /* MS_* to set */
	unsigned long clear;	   /* MS_* named as cleared ("rw", "suid", ...) */
	unsigned long propagation; /* MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE, | MS_REC */
	uint64_t rec_set;	   /* MOUNT_ATTR_* to set recursively ("rro", "rnosuid", ...) */
	uint64_t rec_clr;
	bool bind;
	bool recursive_bind;
	bool tmpcopyup;
	bool idmap;
	bool has_ro, has_rw; /* explicit "ro"/"rw": cgroup mounts default to ro otherwise */
	char *data;	     /* comma-joined options the kernel's filesystem parses ("mode=755") */
};

/* Parse options[0..n). Unknown words go to data; nothing here is an error except a malformed
 * (empty) option. */
int mount_opts_parse(char *const *options, size_t n, struct mount_opts *ret, struct error *err);
void mount_opts_free(struct mount_opts *o);
/* How many option names the table knows. */
size_t mount_opts_known(void);
/* The table's option names, sorted, NULL-terminated: `husk features`' mountOptions. */
const char *const *mount_opts_names(void);
/* The next option of a filesystem data string (mount_opts.data), split in place as mount(2) splits it:
 * *ret_key, and *ret_value after '=' (NULL for a flag); false at the end. Empty options (",,") are
 * skipped. tmpfs keeps a comma followed by a digit inside the option (an mpol= nodelist:
 * "mpol=bind:0-3,5"); an LSM context option's value may be quoted to hold commas
 * (context="system_u:object_r:t:s0:c1,c2"), as SELinux reads it from mount(2), and is passed unquoted. */
bool mount_data_next(char **cursor, bool tmpfs, char **ret_key, char **ret_value);
/* "MS_NOSUID|MS_NODEV" for --debug narration; buf of at least 256 bytes. */
const char *mount_flags_str(unsigned long flags, char *buf, size_t size);

#endif
