// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The IFACE operand: its syntax, then whether this namespace has such an interface. */
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "core/iface.h"

/* The kernel refuses '/', ':' and white space (dev_valid_name); control bytes and
 * non-ASCII it would take, but they would garble every message and path that shows
 * the name, and no interface tool creates them. */
static int bad_char(const char *name)
{
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c <= ' ' || *c >= 0x7f || *c == '/' || *c == ':')
			return *c;
	return -1;
}

static int name_check(const char *name, struct pc_err *e)
{
	size_t n = strlen(name);
	int c;

	if (!n)
		return pc_usage(e, "the interface name is empty; `ip link` lists the "
				   "interfaces");
	c = bad_char(name);
	if (c >= 0)
		return pc_usage(e,
				c > ' ' && c < 0x7f
					? "'%s' is not an interface name: it contains '%c' "
					  "(an interface name has no '/', ':' or space)"
					: "'%s' is not an interface name: it contains byte 0x%02x "
					  "(an interface name is printable ASCII)",
				name, c);
	if (n >= IFNAMSIZ)
		return pc_usage(e,
				"'%.40s%s' is not an interface name: it has %zu characters, an "
				"interface name at most %d",
				name, n > 40 ? "..." : "", n, IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return pc_usage(e, "'%s' is not an interface name", name);
	return 0;
}

int pc_iface_check(const char *name, enum pc_iface_need need, struct pc_err *e)
{
	if (name_check(name, e))
		return -1;
	if (need == PC_IFACE_PRESENT && !if_nametoindex(name)) {
		if (errno == ENODEV || errno == ENXIO)
			return pc_usage(e,
					"no interface %s in this network namespace; `ip link` "
					"lists the interfaces",
					name);
		return pc_fail(e, errno, NULL, "looking up interface %s (if_nametoindex)", name);
	}
	return 0;
}
