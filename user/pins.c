// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpffs mounting and the pin directory of each interface. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
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
		return pc_fail(e, errno, "is /sys mounted read-write?", "creating %s", BPFFS);
	if (mount("bpf", BPFFS, "bpf", 0, "mode=0700"))
		return pc_fail(e, errno,
			       "mounting needs root (CAP_SYS_ADMIN); or mount it first: "
			       "mount -t bpf bpf " BPFFS,
			       "bpffs is not mounted on %s, and mounting it failed", BPFFS);
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

bool pc_pin_exists(const char *ifname, const char *name)
{
	char path[256];

	return !pc_pin_path(path, sizeof(path), ifname, name) && !access(path, F_OK);
}

bool pc_is_loaded(const char *ifname)
{
	return pc_pin_exists(ifname, PC_PIN_LINK);
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

static bool has_prefix(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/* A live pin: not staged, not kept for rollback, not a link (links are updated in
 * place and outlive the programs they run). */
static bool is_live_pin(const char *name)
{
	return name[0] != '.' && strcmp(name, PC_PIN_LINK) && strcmp(name, PC_PIN_ELINK) &&
	       !has_prefix(name, STAGE_PREFIX) && !has_prefix(name, ROLLBACK_PREFIX);
}

bool pc_pin_is_map(const char *name)
{
	return is_live_pin(name) && strcmp(name, PC_PIN_PROG) && strcmp(name, PC_PIN_EPROG);
}

static bool selected(const char *name, const char *prefix)
{
	return prefix[0] ? has_prefix(name, prefix) : is_live_pin(name);
}

int pc_pins_move(const char *ifname, const char *from, const char *to, struct pc_err *e)
{
	char dir[PATH_MAX], src[PATH_MAX + NAME_MAX + 2], dst[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (pc_pin_path(dir, sizeof(dir), ifname, NULL))
		return pc_usage(e, "interface name '%s' is too long", ifname);
	d = opendir(dir);
	if (!d)
		return pc_fail(e, errno, NULL, "opening %s", dir);
	while ((de = readdir(d))) {
		if (!selected(de->d_name, from))
			continue;
		snprintf(src, sizeof(src), "%s/%s", dir, de->d_name);
		snprintf(dst, sizeof(dst), "%s/%s%s", dir, to, de->d_name + strlen(from));
		if (rename(src, dst) && !err)
			err = pc_fail(e, errno, NULL, "renaming pin %s to %s", src, dst);
	}
	closedir(d);
	return err;
}

void pc_pins_drop(const char *ifname, const char *prefix)
{
	char dir[PATH_MAX], path[PATH_MAX + NAME_MAX + 2];
	struct dirent *de;
	DIR *d;

	if (pc_pin_path(dir, sizeof(dir), ifname, NULL) || !(d = opendir(dir)))
		return;
	while ((de = readdir(d))) {
		if (!has_prefix(de->d_name, prefix) || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

void pc_pins_remove_all(const char *ifname)
{
	char dir[PATH_MAX];

	pc_pins_drop(ifname, "");
	if (!pc_pin_path(dir, sizeof(dir), ifname, NULL))
		rmdir(dir);
}
