// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Lists PC_PIN_ROOT: the entries of this namespace's cookie with a committed
 * generation. Changes nothing: a reader that must not write (the exporter) uses it. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kern/iface_list.h"
#include "kern/pins.h"
#include "portcullis.h"

/* An entry as an interface of namespace self: by its current name, or by the name
 * recorded with its state when it is gone. */
static bool entry_iface(const char *entry, uint64_t self, struct pc_iface *i)
{
	char gdir[PATH_MAX];

	memset(i, 0, sizeof(*i));
	if (!pc_iface_dir_parse(entry, &i->netns, &i->ifindex) || i->netns != self)
		return false;
	snprintf(i->dir, sizeof(i->dir), "%s/%s", PC_PIN_ROOT, entry);
	if (pc_gen_current(i, gdir, sizeof(gdir)))
		return false;
	if (!if_indextoname(i->ifindex, i->name)) {
		i->vanished = true;
		if (pc_pin_readlink(i->dir, PC_PIN_NAME, i->name, sizeof(i->name)))
			snprintf(i->name, sizeof(i->name), "if%u", i->ifindex);
	}
	return true;
}

static int by_name(const void *a, const void *b)
{
	const struct pc_iface *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

int pc_iface_list(struct pc_iface **out, size_t *n, struct pc_err *e)
{
	struct dirent *de;
	size_t cap = 0;
	uint64_t self;
	DIR *d;

	*out = NULL;
	*n = 0;
	if (pc_netns_cookie(&self, e))
		return -1;
	d = opendir(PC_PIN_ROOT);
	/* Nothing pinned yet is "loaded nowhere"; a directory we may not read is not. */
	if (!d)
		return errno == ENOENT ? 0
				       : pc_fail(e, errno, errno == EACCES ? PC_ADVICE_PRIV : NULL,
						 "reading %s", PC_PIN_ROOT);
	while ((de = readdir(d))) {
		struct pc_iface i;

		if (!entry_iface(de->d_name, self, &i))
			continue;
		if (*n == cap) {
			struct pc_iface *more = realloc(*out, (cap = 2 * cap + 4) * sizeof(**out));

			if (!more) {
				closedir(d);
				free(*out);
				*out = NULL;
				*n = 0;
				return pc_fail(e, ENOMEM, NULL, "listing %s", PC_PIN_ROOT);
			}
			*out = more;
		}
		(*out)[(*n)++] = i;
	}
	closedir(d);
	if (*n)
		qsort(*out, *n, sizeof(**out), by_name);
	return 0;
}
