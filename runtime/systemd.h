/* The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a transient scope unit that
 * systemd makes and owns. The D-Bus calls are made by the separate program husk-systemd (libsystemd's
 * sd-bus), run from the host side; husk writes what systemd does not cover into the scope's files. */
#ifndef HUSK_SYSTEMD_H
#define HUSK_SYSTEMD_H

#include <stdbool.h>
#include <sys/types.h>

#include "config/spec.h"
#include "base/error.h"

struct systemd_unit {
	char *slice;  /* "machine.slice" */
	char *unit;   /* "libpod-<id>.scope" */
	char *path;   /* its cgroup: "/machine.slice/libpod-<id>.scope" */
	char **props; /* from the org.systemd.property.* annotations, as "Name:T=value" (T: D-Bus type) */
};

/* linux.cgroupsPath in runc's systemd form "[slice]:[prefix]:[name]" (empty: ":runc:<id>"), with runc's
 * defaults: slice system.slice, "-" the root slice; the unit is "<prefix>-<name>.scope". */
int systemd_parse_path(const char *cgroups_path, const char *id, struct systemd_unit *ret, struct error *err);
void systemd_unit_free(struct systemd_unit *u);
/* The config's org.systemd.property.NAME annotations (runc's): each value in GVariant's text form, what
 * systemd's unit properties take (a boolean, a number with or without its type, a quoted string, an array
 * of strings);
 * a NAME ending in a lowercase letter and "Sec" is converted to NAMEUSec in microseconds, as runc does.
 * Into u->props; a bad one fails with its JSON path. Slice, PIDs and Delegate are husk's to set. */
int systemd_unit_annotations(struct systemd_unit *u, const struct spec_map *annotations, struct error *err);
/* "a-b.slice" -> "/a.slice/a-b.slice" (systemd's nesting by dashes), "-.slice" -> "". */
int systemd_expand_slice(const char *slice, char **ret, struct error *err);
/* Whether this host can use the driver: systemd as PID 1 (/run/systemd/system, as sd_booted checks),
 * the unified cgroup v2 hierarchy, and the husk-systemd helper installed. Checked before create makes
 * anything. */
int systemd_check_host(struct error *err);
/* Create the scope with pid in it and the resource properties systemd knows, wait for the job. An active
 * unit of that name (another container's) fails with errnum EEXIST: nothing of it is the caller's to undo. */
int systemd_start(const struct systemd_unit *u, pid_t pid, const char *id, const struct spec_resources *r,
		  struct error *err);
/* What create and restore do with the driver: the scope started with pid in it (systemd_start), then the
 * limits written into its files at *cgroup_path, as for cgroupfs. *started says whether the caller's
 * rollback owns the scope (stops it, empties its cgroup): set before the start; on EEXIST (another
 * container's scope of that name) it is cleared and *cgroup_path freed and NULL, so that the rollback
 * neither stops that scope nor kills what is in its cgroup (that would kill the other container). */
int systemd_start_owned(const struct systemd_unit *u, pid_t pid, const char *id,
			const struct spec_resources *r, bool *started, char **cgroup_path, struct error *err);
/* Update the scope's resource properties (husk update). */
int systemd_set(const char *unit, const struct spec_resources *r, struct error *err);
/* Stop the scope and reset it if it failed; a unit that is gone already is fine. */
int systemd_stop(const char *unit, struct error *err);
/* The systemd properties for r, as "Name=value" strings (NULL-terminated; unit-tested). */
int systemd_properties(const struct spec_resources *r, char ***ret, struct error *err);

#endif
