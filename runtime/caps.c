/* Capabilities with libcap: the bounding set is cut first (it needs CAP_SETPCAP, which the user
 * switch may take away), then after the switch the effective, permitted and inheritable sets are set
 * exactly, and the ambient set is raised last. */
#define _GNU_SOURCE
#include "caps.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "base/log.h"
#include "base/util.h"
#include "sysops.h"

static void cap_freep(cap_t *c)
{
	if (*c)
		cap_free(*c);
}
#define cleanup_cap __attribute__((cleanup(cap_freep)))

static const char *cap_name_or_number(int cap, char buf[32])
{
	char *n = cap_to_name((cap_value_t)cap);

	snprintf(buf, 32, "%s", n ? n : "?");
	for (char *p = buf; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	cap_free(n);
	return buf;
}

/* "CAP_KILL|CAP_NET_BIND_SERVICE" for the narration ("0": none); buf of at least 1024 bytes */
static const char *caps_str(uint64_t mask, char *buf, size_t size)
{
	size_t len = 0;
	char name[32];

	buf[0] = '\0';
	for (int cap = 0; cap < 64 && len < size; cap++)
		if (mask & (1ULL << cap))
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "|" : "",
						cap_name_or_number(cap, name));
	if (len == 0)
		snprintf(buf, size, "0");
	return buf;
}

int caps_drop_bounding(const struct spec_capabilities *c, struct error *err)
{
	int last = spec_cap_last_cap();
	char name[32];
	uint64_t dropped = 0;

	for (int cap = 0; cap <= last; cap++) {
		bool want = c->sets[CAPSET_BOUNDING] & (1ULL << cap);
		int have = sysops->prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);

		if (want && have != 1)
			return error_set(
			    err, EPERM,
			    "capability %s is requested in the bounding set, but husk itself does not have "
			    "it (it is not in the runtime's bounding set)",
			    cap_name_or_number(cap, name));
		if (!want && have == 1) {
			if (sysops->prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
				return error_sys(err, errno, "drop %s from the bounding set",
						 cap_name_or_number(cap, name));
			dropped |= 1ULL << cap;
		}
	}
	if (log_debug_enabled()) {
		char buf[2048];
		log_debug("prctl(PR_CAPBSET_DROP, ...) for each of %s", caps_str(dropped, buf, sizeof buf));
	}
	return 0;
}

/* Name the first requested capability capset(2) would refuse, instead of its bare EPERM: a capability
 * the runtime itself lacks (CAP_SYS_RESOURCE missing from root's bounding set) must be reported by
 * name, never granted in part. */
static int check_grantable(const struct spec_capabilities *c, struct error *err)
{
	cleanup_cap cap_t cur = sysops->cap_get_proc();
	int last = spec_cap_last_cap();
	char name[32];

	if (cur == NULL)
		return error_sys(err, errno, "read husk's own capabilities");
	for (int cap = 0; cap <= last; cap++) {
		cap_value_t v = (cap_value_t)cap;
		cap_flag_value_t prm = CAP_CLEAR, inh = CAP_CLEAR;
		uint64_t bit = 1ULL << cap;
		const char *set = NULL, *why = NULL;

		cap_get_flag(cur, v, CAP_PERMITTED, &prm);
		cap_get_flag(cur, v, CAP_INHERITABLE, &inh);
		if ((c->sets[CAPSET_EFFECTIVE] & bit) && !(c->sets[CAPSET_PERMITTED] & bit)) {
			set = "effective";
			why = "it is not in the permitted set of the config";
		} else if ((c->sets[CAPSET_PERMITTED] & bit) && prm != CAP_SET) {
			set = "permitted";
			why = "husk itself does not have it (it is not in the runtime's permitted set)";
		} else if ((c->sets[CAPSET_INHERITABLE] & bit) && inh != CAP_SET && prm != CAP_SET) {
			set = "inheritable";
			why = "husk itself does not have it (it is not in the runtime's permitted set)";
		} else if ((c->sets[CAPSET_INHERITABLE] & bit) && inh != CAP_SET &&
			   sysops->prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) != 1) {
			/* the kernel caps a new inheritable set by the bounding set already dropped */
			set = "inheritable";
			why = "it is not in the bounding set of the config";
		}
		if (set)
			return error_set(err, EPERM, "capability %s is requested in the %s set, but %s",
					 cap_name_or_number(cap, name), set, why);
	}
	return 0;
}

int caps_apply(const struct spec_capabilities *c, struct error *err)
{
	cleanup_cap cap_t caps = cap_init();
	int last = spec_cap_last_cap();
	char name[32];
	static const struct {
		enum spec_cap_set set;
		cap_flag_t flag;
	} sets[] = { { CAPSET_EFFECTIVE, CAP_EFFECTIVE },
		     { CAPSET_PERMITTED, CAP_PERMITTED },
		     { CAPSET_INHERITABLE, CAP_INHERITABLE } };

	if (caps == NULL)
		return error_sys(err, errno, "cap_init");
	if (check_grantable(c, err) < 0)
		return -1;
	for (size_t s = 0; s < ARRAY_SIZE(sets); s++)
		for (int cap = 0; cap <= last; cap++) {
			cap_value_t v = (cap_value_t)cap;
			if (c->sets[sets[s].set] & (1ULL << cap))
				cap_set_flag(caps, sets[s].flag, 1, &v, CAP_SET);
		}
	if (log_debug_enabled()) {
		char e[2048], p[2048], i[2048];
		log_debug("capset(effective=%s, permitted=%s, inheritable=%s)",
			  caps_str(c->sets[CAPSET_EFFECTIVE], e, sizeof e),
			  caps_str(c->sets[CAPSET_PERMITTED], p, sizeof p),
			  caps_str(c->sets[CAPSET_INHERITABLE], i, sizeof i));
	}
	if (sysops->cap_set_proc(caps) < 0)
		return error_sys(err, errno, "set capabilities (effective %#llx, permitted %#llx)",
				 (unsigned long long)c->sets[CAPSET_EFFECTIVE],
				 (unsigned long long)c->sets[CAPSET_PERMITTED]);
	if (sysops->prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return error_sys(err, errno, "clear the ambient set");
	for (int cap = 0; cap <= last; cap++) {
		if (!(c->sets[CAPSET_AMBIENT] & (1ULL << cap)) ||
		    sysops->prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) == 0)
			continue;
		/* the kernel refuses a capability that is not both permitted and inheritable; runc's own
		 * default config (`runc spec`) lists ambient caps without inheritable ones, and runc and
		 * crun go on without them: so do we, saying so under --debug only, as runc 1.1 is silent */
		if (errno != EPERM)
			return error_sys(err, errno, "raise %s in the ambient set",
					 cap_name_or_number(cap, name));
		log_debug("raise %s in the ambient set: %s (it must be permitted and inheritable), ignoring",
			  cap_name_or_number(cap, name), strerror(errno));
	}
	return 0;
}
