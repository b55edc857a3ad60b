/* Unit tests of runtime/ pieces that need no privileges: mount option translation, cgroup path
 * resolution, signal names, the state record, seccomp translation and CPU lists; as root, also the
 * default cgroup's refusal of one made by someone else during the create. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/spec.h"
#include "config/state-json.h"
#include "runtime/cgroup.h"
#include "runtime/container.h"
#include "config/mountopt.h"
#include "runtime/process.h"
#include "runtime/seccomp.h"
#include "runtime/state.h"
#include "runtime/sync.h"
#include "runtime/base/log.h"
#include "runtime/base/util.h"
#include "unit.h"

static void test_mount_opts_flags(void)
{
	char *opts[] = { "nosuid", "noexec", "nodev", "ro", "mode=755", "size=65536k", "rslave" };
	struct mount_opts o;
	struct error err = { 0 };

	CHECK(mount_opts_parse(opts, 7, &o, &err) == 0);
	CHECK(o.flags == (MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY));
	CHECK_STR(o.data, "mode=755,size=65536k");
	CHECK(o.propagation == (MS_SLAVE | MS_REC));
	CHECK(o.has_ro && !o.has_rw && !o.bind);
	mount_opts_free(&o);
}

static void test_mount_opts_bind_and_recursive(void)
{
	char *opts[] = { "rbind", "rro", "rnosuid", "rw", "tmpcopyup" };
	struct mount_opts o;
	struct error err = { 0 };

	CHECK(mount_opts_parse(opts, 5, &o, &err) == 0);
	CHECK(o.bind && o.recursive_bind && o.tmpcopyup);
	CHECK(o.rec_set == (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID));
	CHECK(o.has_rw && (o.clear & MS_RDONLY) && !(o.flags & MS_RDONLY));
	CHECK(o.data == NULL);
	mount_opts_free(&o);
}

static void test_mount_opts_last_wins(void)
{
	char *opts[] = { "ro", "rw", "rro", "rrw" };
	struct mount_opts o;
	struct error err = { 0 };

	CHECK(mount_opts_parse(opts, 4, &o, &err) == 0);
	CHECK(!(o.flags & MS_RDONLY));
	CHECK(o.rec_set == 0 && o.rec_clr == MOUNT_ATTR_RDONLY);
	mount_opts_free(&o);
}

/* A filesystem's data string split as mount(2) splits it: on commas, but tmpfs keeps ",5" of an mpol=
 * nodelist, and a quoted LSM context keeps its commas and loses its quotes. */
static void test_mount_data_split(void)
{
	char data[] = "mode=755,,mpol=bind:0-3,5,size=1m,ro,context=\"system_u:object_r:t:s0:c1,c2\",x";
	char plain[] = "mpol=bind:0-3,5,context=\"a,b\"";
	const char *want[][2] = { { "mode", "755" },
				  { "mpol", "bind:0-3,5" },
				  { "size", "1m" },
				  { "ro", NULL },
				  { "context", "system_u:object_r:t:s0:c1,c2" },
				  { "x", NULL } };
	char *cursor = data, *key, *value;
	size_t n = 0;

	while (mount_data_next(&cursor, true, &key, &value)) {
		CHECK(n < ARRAY_SIZE(want));
		if (n >= ARRAY_SIZE(want))
			break;
		CHECK_STR(key, want[n][0]);
		CHECK(want[n][1] ? value && strcmp(value, want[n][1]) == 0 : value == NULL);
		n++;
	}
	CHECK(n == ARRAY_SIZE(want));
	/* not tmpfs: the nodelist's comma splits (the kernel's generic parser), the quoted context does not
	 */
	cursor = plain;
	CHECK(mount_data_next(&cursor, false, &key, &value) && strcmp(value, "bind:0-3") == 0);
	CHECK(mount_data_next(&cursor, false, &key, &value) && strcmp(key, "5") == 0 && value == NULL);
	CHECK(mount_data_next(&cursor, false, &key, &value) && strcmp(value, "a,b") == 0);
	CHECK(!mount_data_next(&cursor, false, &key, &value));
}

static void test_mount_opts_empty_rejected(void)
{
	char *opts[] = { "ro", "" };
	struct mount_opts o;
	struct error err = { 0 };

	CHECK(mount_opts_parse(opts, 2, &o, &err) < 0);
	CHECK_CONTAINS(err.msg, "mount option 1 is empty");
	error_clear(&err);
}

/* The option names `husk features` lists come from the table config/mountopt.c acts on: each is
 * recognised (none falls through to the filesystem's data string), sorted, and none is missing. */
static void test_mount_opts_match_features(void)
{
	size_t n = 0;

	for (; mount_opts_names()[n]; n++) {
		char *opts[] = { (char *)mount_opts_names()[n] };
		struct mount_opts o;
		struct error err = { 0 };

		CHECK(mount_opts_parse(opts, 1, &o, &err) == 0);
		if (o.data)
			fprintf(stderr, "mount option '%s' is listed by features but not acted on\n",
				opts[0]);
		CHECK(o.data == NULL);
		CHECK(n == 0 || strcmp(mount_opts_names()[n - 1], opts[0]) < 0);
		mount_opts_free(&o);
	}
	CHECK(n == mount_opts_known());
}

static void test_cgroup_paths(void)
{
	struct error err = { 0 };
	char *p = NULL;

	CHECK(cgroup_resolve_path(NULL, "abc", &p, &err) == 0);
	CHECK_STR(p, "/abc");
	free(p);
	CHECK(cgroup_resolve_path("", "abc", &p, &err) == 0);
	CHECK_STR(p, "/abc");
	free(p);
	CHECK(cgroup_path_is_default(NULL) && cgroup_path_is_default("") && !cgroup_path_is_default("/abc"));
	CHECK(cgroup_resolve_path("/default/abc", "abc", &p, &err) == 0);
	CHECK_STR(p, "/default/abc");
	free(p);
	CHECK(cgroup_resolve_path("/a/../../etc", "x", &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "'..' is not allowed");
	error_clear(&err);
	CHECK(cgroup_resolve_path("..", "x", &p, &err) < 0);
	error_clear(&err);
	CHECK(cgroup_resolve_path("/a/..b/c", "x", &p, &err) == 0);
	free(p);
	CHECK(cgroup_resolve_path("machine.slice:libpod:abc", "x", &p, &err) < 0);
	CHECK_CONTAINS(err.msg, "but --systemd-cgroup was not given");
	error_clear(&err);
}

/* The default cgroup (/<id>) made by someone else between create's check and its mkdirs, in the last
 * hierarchy only: refused, the directories made before it removed again, and the other one untouched;
 * an explicit path joins it as before. Made in two steps (a hybrid host's create: the v2 tree before the
 * init's clone, the rest after), a refusal in the second keeps the first step's directory and its bit:
 * the rollback removes it. */
static void test_cgroup_create_fresh(void)
{
	struct error err = { 0 };
	const struct cgroup_layout *lay;
	unsigned long created = 0;
	char path[64];

	if (geteuid() != 0 || (lay = cgroup_layout(&err)) == NULL || lay->n == 0) {
		printf("skip cgroup_create_fresh: needs root and a cgroup hierarchy\n");
		error_clear(&err);
		return;
	}
	snprintf(path, sizeof path, "/husk-unit-fresh-%d", getpid());
	char *last = xasprintf("%s%s", lay->h[lay->n - 1].mountpoint, path);
	CHECK(mkdir(last, 0755) == 0);
	CHECK(cgroup_create(path, true, ~0UL, &created, &err) < 0);
	CHECK(err.errnum == EEXIST);
	CHECK_CONTAINS(err.msg, ".linux.cgroupsPath is not set");
	CHECK_CONTAINS(err.msg, last);
	error_clear(&err);
	CHECK(created == 0);
	for (size_t i = 0; i + 1 < lay->n; i++) {
		char *dir = xasprintf("%s%s", lay->h[i].mountpoint, path);
		CHECK(access(dir, F_OK) < 0 && errno == ENOENT);
		free(dir);
	}
	CHECK(access(last, F_OK) == 0);
	CHECK(cgroup_create(path, false, ~0UL, &created, &err) == 0);
	CHECK(created == (1UL << (lay->n - 1)) - 1);
	for (size_t i = 0; i < lay->n; i++) {
		char *dir = xasprintf("%s%s", lay->h[i].mountpoint, path);
		CHECK(rmdir(dir) == 0);
		free(dir);
	}
	if (lay->n >= 3) {
		char *first = xasprintf("%s%s", lay->h[0].mountpoint, path);
		created = 0;
		CHECK(mkdir(last, 0755) == 0);
		CHECK(cgroup_create(path, true, 1UL, &created, &err) == 0);
		CHECK(created == 1UL);
		CHECK(cgroup_create(path, true, ~1UL, &created, &err) < 0);
		CHECK(err.errnum == EEXIST);
		error_clear(&err);
		CHECK(created == 1UL);
		CHECK(access(first, F_OK) == 0);
		for (size_t i = 1; i + 1 < lay->n; i++) {
			char *dir = xasprintf("%s%s", lay->h[i].mountpoint, path);
			CHECK(access(dir, F_OK) < 0 && errno == ENOENT);
			free(dir);
		}
		CHECK(rmdir(first) == 0);
		CHECK(rmdir(last) == 0);
		free(first);
	}
	free(last);
}

static void test_signal_names(void)
{
	int s = 0;

	CHECK(signal_parse("TERM", &s) == 0 && s == SIGTERM);
	CHECK(signal_parse("SIGKILL", &s) == 0 && s == SIGKILL);
	CHECK(signal_parse("9", &s) == 0 && s == 9);
	CHECK(signal_parse("SIGRTMIN+2", &s) == 0 && s == SIGRTMIN + 2);
	CHECK(signal_parse("RTMAX", &s) == 0 && s == SIGRTMAX);
	CHECK(signal_parse("0", &s) == 0 && s == 0);
	CHECK(signal_parse("kill", &s) == 0 && s == SIGKILL);
	CHECK(signal_parse("-1", &s) < 0);
	CHECK(signal_parse("SIGFOO", &s) < 0);
	CHECK(signal_parse("term", &s) == 0 && s == SIGTERM);
	CHECK(signal_parse("", &s) < 0);
}

static void test_container_ids(void)
{
	struct error err = { 0 };
	char longid[260];

	memset(longid, 'a', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	CHECK(state_validate_id("abc-1.2_3+4", &err) == 0);
	CHECK(state_validate_id("a/b", &err) < 0);
	error_clear(&err);
	CHECK(state_validate_id("..", &err) < 0);
	error_clear(&err);
	CHECK(state_validate_id("a\nb", &err) < 0);
	error_clear(&err);
	CHECK(state_validate_id(longid, &err) < 0);
	error_clear(&err);
	CHECK(state_validate_id("", &err) < 0);
	error_clear(&err);
}

static void test_state_record_roundtrip(void)
{
	char *keys[] = { "k", NULL }, *values[] = { "v\"q", NULL };
	struct state_record in = { .id = "c1",
				   .pid = 42,
				   .pid_start = 12345,
				   .bundle = "/b",
				   .rootfs = "/b/r",
				   .created = "2026-01-01T00:00:00Z",
				   .owner = "root",
				   .oci_version = "1.2.0",
				   .annotations = { keys, values, 1 },
				   .cgroup_path = "/husk/c1",
				   .own_pidns = true,
				   .config = "{\"ociVersion\":\"1.2.0\",\"x\":\"\\u0001\\n\"}",
				   .has_poststop = true };
	char *json = state_record_to_json(&in);
	struct state_record *out = NULL;
	struct error err = { 0 };

	CHECK(state_record_parse(json, strlen(json), "state.json", &out, &err) == 0);
	CHECK(out && out->pid == 42 && out->pid_start == 12345 && out->own_pidns);
	CHECK_STR(out ? out->cgroup_path : NULL, "/husk/c1");
	CHECK_STR(out ? out->annotations.values[0] : NULL, "v\"q");
	CHECK_STR(out ? out->config : NULL, in.config);
	CHECK(out && out->has_poststop && !out->has_poststart);
	state_record_free(out);
	free(json);
	CHECK(state_record_parse("{\"id\":1}", 8, "state.json", &out, &err) < 0);
	CHECK_CONTAINS(err.msg, "state.json: .id: expected a string");
	error_clear(&err);
	CHECK(state_record_parse("{", 1, "state.json", &out, &err) < 0);
	error_clear(&err);
}

static void test_state_oci_json(void)
{
	struct state_record in = { .id = "c1",
				   .pid = 42,
				   .bundle = "/b",
				   .rootfs = "/b/r",
				   .created = "t",
				   .owner = "root",
				   .oci_version = "1.2.0" };
	char *json = state_oci_json(&in, "stopped", 0, false);

	CHECK_STR(
	    json,
	    "{\"ociVersion\":\"1.2.0\",\"id\":\"c1\",\"status\":\"stopped\",\"pid\":0,\"bundle\":\"/b\","
	    "\"rootfs\":\"/b/r\",\"created\":\"t\",\"owner\":\"root\",\"annotations\":{}}");
	free(json);
	json = state_pids_json((pid_t[]){ 1, 22 }, 2);
	CHECK_STR(json, "[1,22]");
	free(json);
}

static void test_seccomp_translation(void)
{
	static const char cfg[] =
	    "{\"ociVersion\":\"1.2.0\",\"linux\":{\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
	    "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],"
	    "\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\",\"no_such_syscall\"],\"action\":\"SCMP_ACT_"
	    "ERRNO\","
	    "\"errnoRet\":1},{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":"
	    "0,"
	    "\"value\":255,\"valueTwo\":0,\"op\":\"SCMP_CMP_NE\"},{\"index\":0,\"value\":8,\"op\":\"SCMP_CMP_"
	    "NE\"}]}]}}}";
	struct spec *s = NULL;
	struct error err = { 0 };
	scmp_filter_ctx ctx = NULL;

	CHECK(spec_parse(cfg, sizeof cfg - 1, "config.json", &s, &err) == 0);
	if (s == NULL)
		return;
	CHECK(seccomp_build(&s->linux_.seccomp, &ctx, &err) == 0);
	CHECK(ctx != NULL);
	if (ctx)
		seccomp_release(ctx);
	ctx = NULL; /* a failed second build leaves it as it was: never released twice */
	CHECK(!seccomp_uses_notify(&s->linux_.seccomp));
	s->linux_.seccomp.syscalls[0].action = SECCOMP_ACT_NOTIFY;
	CHECK(seccomp_uses_notify(&s->linux_.seccomp));
	CHECK(seccomp_build(&s->linux_.seccomp, &ctx, &err) == 0);
	if (ctx)
		seccomp_release(ctx);
	spec_free(s);
}

/* The init's error crosses the sync socket with its errno, and arrives even when the init exited
 * with our last message unread (the kernel then reports ECONNRESET ahead of the queued error). */
static void test_sync_error_errno(void)
{
	int sv[2];
	pid_t pid;
	struct error err = { 0 };

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK(sync_send(sv[0], SYNC_MAPS_DONE, NULL, 0, NULL) == 0); /* never read: a reset at exit */
	pid = fork();
	if (pid == 0) {
		struct error e = { 0 };
		close(sv[0]);
		error_set(&e, ENODEV, "mount 'x': %s", "a long reason");
		sync_send_error(sv[1], &e);
		_exit(0);
	}
	close(sv[1]);
	waitpid(pid, NULL, 0);
	CHECK(sync_expect(sv[0], SYNC_READY, &err) < 0);
	CHECK(err.errnum == ENODEV);
	CHECK_STR(err.msg, "mount 'x': a long reason");
	error_clear(&err);
	CHECK(sync_expect(sv[0], SYNC_READY, &err) < 0 && err.errnum == EPIPE);
	error_clear(&err);
	close(sv[0]);
}

/* state.json's writer: the whole content under the name and nothing else in the directory (no temporary
 * name left), the mode asked for, and a second write of the same name refused, not replacing the record
 * (state.json is written once per container). On the filesystem of /tmp and, when there, a tmpfs. */
static void check_write_file_new(const char *base)
{
	char dir[256], path[300];
	struct error err = { 0 };
	char *data = NULL;
	struct stat st;
	int dfd, n = 0;

	snprintf(dir, sizeof dir, "%s/husk-unit-XXXXXX", base);
	if (mkdtemp(dir) == NULL)
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);
	CHECK(write_file_new(dfd, "state.json", "{\"id\":\"a\"}", 10, 0600, &err) == 0);
	error_clear(&err);
	CHECK(read_file_at(dfd, "state.json", 4096, &data, NULL, &err) == 0);
	CHECK_STR(data, "{\"id\":\"a\"}");
	free(data);
	data = NULL;
	CHECK(fstatat(dfd, "state.json", &st, 0) == 0 && (st.st_mode & 07777) == 0600);
	CHECK(write_file_new(dfd, "state.json", "{}", 2, 0600, &err) < 0 && err.errnum == EEXIST);
	error_clear(&err);
	CHECK(read_file_at(dfd, "state.json", 4096, &data, NULL, &err) == 0);
	CHECK_STR(data, "{\"id\":\"a\"}");
	free(data);
	DIR *d = fdopendir(dup(dfd));
	for (struct dirent *e; d && (e = readdir(d));)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	CHECK(n == 1);
	if (d)
		closedir(d);
	snprintf(path, sizeof path, "%s/state.json", dir);
	unlink(path);
	close(dfd);
	rmdir(dir);
}

static void test_write_file_new(void)
{
	check_write_file_new("/tmp");
	check_write_file_new("/dev/shm");
}

/* GOT (freed here) is WANT, or NULL when WANT is */
static void check_noted(char *got, const char *want)
{
	if (want == NULL)
		CHECK(got == NULL);
	else
		CHECK_STR(got, want);
	free(got);
}

/* The notes: one file; the cgroup path runs to its end (any byte but NUL, a newline too), the creator
 * line is marked in place at the commit; an older husk's one file per note is read too; anything else
 * names nothing. */
static void test_state_notes(void)
{
	char dir[] = "/tmp/husk-unit-XXXXXX", *data = NULL;
	struct error err = { 0 };
	struct stat st;
	int dfd, fd = -1;

	if (mkdtemp(dir) == NULL)
		return;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd >= 0);
	check_noted(state_noted_cgroup(dfd), NULL);
	CHECK(state_note_create(dfd, true, "/a/b\nc", "husk-x.scope", &fd, &err) == 0 && fd >= 0);
	check_noted(state_noted_cgroup(dfd), "/a/b\nc");
	check_noted(state_noted_unit(dfd), "husk-x.scope");
	CHECK(read_file_at(dfd, "notes", 4096, &data, NULL, &err) == 0);
	CHECK(strncmp(data, "creator ", 8) == 0 && data[8] >= '1' && data[8] <= '9');
	free(data);
	CHECK(fstat(fd, &st) == 0);
	off_t size = st.st_size;
	state_note_committed(fd);
	close(fd);
	CHECK(read_file_at(dfd, "notes", 4096, &data, NULL, &err) == 0);
	CHECK(strncmp(data, "creator -   ", 12) == 0 && strchr(data, '\n') - data == 47);
	CHECK(strlen(data) == (size_t)size);
	free(data);
	check_noted(state_noted_cgroup(dfd), "/a/b\nc");
	CHECK(state_note_create(dfd, false, NULL, NULL, NULL, &err) < 0 && err.errnum == EEXIST);
	error_clear(&err);
	CHECK(unlinkat(dfd, "notes", 0) == 0);

	/* restore's: no creator, no unit */
	CHECK(state_note_create(dfd, false, "/r", NULL, NULL, &err) == 0);
	check_noted(state_noted_cgroup(dfd), "/r");
	check_noted(state_noted_unit(dfd), NULL);
	CHECK(unlinkat(dfd, "notes", 0) == 0);

	/* not in create's shape: a relative or ".." path, a unit that is not a scope, a short file */
	CHECK(state_note_create(dfd, false, "/x/../y", "x.service", NULL, &err) == 0);
	check_noted(state_noted_cgroup(dfd), NULL);
	check_noted(state_noted_unit(dfd), NULL);
	CHECK(unlinkat(dfd, "notes", 0) == 0);
	CHECK(write_file_new(dfd, "notes", "creator 1 2\ncgroup /z", 21, 0600, &err) == 0);
	check_noted(state_noted_cgroup(dfd), NULL);
	CHECK(unlinkat(dfd, "notes", 0) == 0);

	/* an older husk's files */
	CHECK(write_file_new(dfd, "cgroup", "/old", 4, 0600, &err) == 0);
	CHECK(write_file_new(dfd, "systemd-unit", "husk-old.scope", 14, 0600, &err) == 0);
	check_noted(state_noted_cgroup(dfd), "/old");
	check_noted(state_noted_unit(dfd), "husk-old.scope");
	CHECK(unlinkat(dfd, "cgroup", 0) == 0 && unlinkat(dfd, "systemd-unit", 0) == 0);
	close(dfd);
	CHECK(rmdir(dir) == 0);
}

/* log_rfc3339 converts by arithmetic (no zone file read after the init's clone): it must agree with libc's
 * gmtime_r on every kind of day, leap days and centuries, before 1970 and far after */
static void test_rfc3339_matches_gmtime(void)
{
	static const long long fixed[] = { 0,	       -1,	   86399,	86400,
					   951782400,  951868799,  951868800,	4107542400,
					   1709164800, 1735689599, -2208988800, 253402300799 };
	unsigned long long x = 88172645463325252ULL;
	int mismatches = 0;

	for (int i = 0; i < 200000; i++) {
		struct timespec ts = { .tv_nsec = (long)(i % 1000000000) };
		struct tm tm;
		char want[64], date[40], got[64];

		if (i < (int)ARRAY_SIZE(fixed)) {
			ts.tv_sec = (time_t)fixed[i];
		} else { /* xorshift: seconds spread over years -1000 to 9999 */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			ts.tv_sec = (time_t)((long long)(x % 346000000000ULL) - 93000000000LL);
		}
		CHECK(gmtime_r(&ts.tv_sec, &tm) != NULL);
		strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
		if (tm.tm_year + 1900 < 1000)
			continue; /* strftime does not pad %Y to the 4 digits RFC 3339 (and log_rfc3339) has
				   */
		snprintf(want, sizeof want, "%s.%09ldZ", date, ts.tv_nsec);
		log_rfc3339_at(&ts, got, sizeof got);
		if (strcmp(want, got) != 0 && mismatches++ < 5)
			fprintf(stderr, "rfc3339 of %lld: want %s, got %s\n", (long long)ts.tv_sec, want,
				got);
	}
	CHECK(mismatches == 0);
}

UNIT_CASES({ "mount_opts_flags", test_mount_opts_flags },
	   { "mount_opts_bind_and_recursive", test_mount_opts_bind_and_recursive },
	   { "mount_opts_last_wins", test_mount_opts_last_wins },
	   { "mount_opts_empty_rejected", test_mount_opts_empty_rejected },
	   { "mount_data_split", test_mount_data_split },
	   { "mount_opts_match_features", test_mount_opts_match_features },
	   { "cgroup_paths", test_cgroup_paths }, { "cgroup_create_fresh", test_cgroup_create_fresh },
	   { "signal_names", test_signal_names }, { "container_ids", test_container_ids },
	   { "state_record_roundtrip", test_state_record_roundtrip },
	   { "state_oci_json", test_state_oci_json }, { "seccomp_translation", test_seccomp_translation },
	   { "sync_error_errno", test_sync_error_errno }, { "write_file_new", test_write_file_new },
	   { "state_notes", test_state_notes }, { "rfc3339_matches_gmtime", test_rfc3339_matches_gmtime })
