/* Linux security modules: apparmorProfile, selinuxLabel and mountLabel. A label the kernel cannot
 * apply is an error before anything is created, never silently dropped. */
#ifndef HUSK_LSM_H
#define HUSK_LSM_H

#include <stdbool.h>

#include "config/spec.h"
#include "base/error.h"

bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
/* Refuse labels whose LSM is absent; `where` prefixes the JSON path ("config.json: .process"). */
int lsm_check(const char *apparmor, const char *selinux, const char *mount_label, const char *where,
	      struct error *err);
/* Open /proc/thread-self/attr/exec (or the AppArmor one) while the host's procfs is visible, verified
 * as procfs: a fake /proc in the image must not swallow the label (CVE-2019-16884). *ret_fd is -1
 * when there is no label to set. */
int lsm_open_exec_attr(const char *apparmor, const char *selinux, int *ret_fd, struct error *err);
/* Write the label for the next execve through the fd opened above. */
int lsm_set_exec_label(int fd, const char *apparmor, const char *selinux, struct error *err);

#endif
