// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpffs mounting and the pin directory of each interface. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/magic.h>

#include "pins.h"
#include "portcullis.h"

#define BPFFS "/sys/fs/bpf"

int pc_bpffs_ensure(struct pc_err *e)
{
	struct statfs st;

	if (!statfs(BPFFS, &st) && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mkdir(BPFFS, 0700) && errno != EEXIST)
		return pc_fail(e, errno, "is /sys mounted read-write?",
			       "creating %s", BPFFS);
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700"))
		return pc_fail(e, errno, "run as root, or mount it: mount -t bpf bpf " BPFFS,
			       "mounting bpffs on %s", BPFFS);
	return 0;
}

int pc_ifname_check(const char *ifname, struct pc_err *e)
{
	size_t n = strlen(ifname);

	if (!n || n >= IFNAMSIZ || strchr(ifname, '/') || !strcmp(ifname, ".") ||
	    !strcmp(ifname, ".."))
		return pc_usage(e, "'%s' is not an interface name (1-%d characters, no '/')",
				ifname, IFNAMSIZ - 1);
	return 0;
}

int pc_pin_path(char *buf, size_t len, const char *ifname, const char *name)
{
	int n = name ? snprintf(buf, len, "%s/%s/%s", PC_PIN_ROOT, ifname, name)
		     : snprintf(buf, len, "%s/%s", PC_PIN_ROOT, ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool pc_is_loaded(const char *ifname)
{
	char path[256];

	return !pc_pin_path(path, sizeof(path), ifname, PC_PIN_LINK) &&
	       !access(path, F_OK);
}

int pc_pin_open(const char *ifname, const char *name, struct pc_err *e)
{
	char path[256];
	int fd;

	if (pc_pin_path(path, sizeof(path), ifname, name))
		return pc_usage(e, "interface name '%s' is too long", ifname);
	fd = bpf_obj_get(path);
	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return pc_fail(e, 0, NULL,
			       "portcullis is not loaded on %s (no %s); load a profile with "
			       "`portcullis load %s PROFILE`",
			       ifname, path, ifname);
	return pc_fail(e, errno, "run as root", "opening %s", path);
}
