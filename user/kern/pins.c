// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* bpffs mounting and the pinned objects of a directory. */
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

#include "kern/pins.h"
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

int pc_pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

bool pc_pin_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	return !pc_pin_path(path, sizeof(path), dir, name) && !lstat(path, &st);
}

int pc_pin_open(const char *dir, const char *name, struct pc_err *e)
{
	char path[PATH_MAX];
	int fd;

	if (pc_pin_path(path, sizeof(path), dir, name))
		return pc_fail(e, ENAMETOOLONG, NULL, "pin %s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd >= 0)
		return fd;
	return pc_fail(e, errno, errno == EACCES || errno == EPERM ? PC_ADVICE_PRIV : NULL,
		       "opening %s", path);
}

int pc_pin(const char *dir, const char *name, int fd, struct pc_err *e)
{
	char path[PATH_MAX];

	if (pc_pin_path(path, sizeof(path), dir, name))
		return pc_fail(e, ENAMETOOLONG, NULL, "pin %s/%s", dir, name);
	unlink(path); /* a leftover of an interrupted load */
	if (bpf_obj_pin(fd, path))
		return pc_fail(e, errno, "is bpffs mounted read-write on /sys/fs/bpf?",
			       "pinning %s", path);
	return 0;
}

uint32_t pc_pin_prog_id(const char *dir, const char *name)
{
	char path[PATH_MAX];
	union {
		struct bpf_prog_info prog;
		struct bpf_link_info link;
	} info;
	uint32_t len = sizeof(info), id = 0;
	int fd;

	if (pc_pin_path(path, sizeof(path), dir, name) || (fd = bpf_obj_get(path)) < 0)
		return 0;
	memset(&info, 0, sizeof(info));
	if (!strcmp(name, PC_PIN_LINK) || !strcmp(name, PC_PIN_ELINK)) {
		if (!bpf_obj_get_info_by_fd(fd, &info.link, &len))
			id = info.link.prog_id;
	} else if (!bpf_obj_get_info_by_fd(fd, &info.prog, &len)) {
		id = info.prog.id;
	}
	close(fd);
	return id;
}

bool pc_pin_is_map(const char *name)
{
	return name[0] != '.' && strcmp(name, PC_PIN_PROG) && strcmp(name, PC_PIN_EPROG) &&
	       strcmp(name, PC_PIN_PENDING);
}

int pc_pin_readlink(const char *dir, const char *name, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;

	if (pc_pin_path(path, sizeof(path), dir, name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n = readlink(path, buf, len - 1);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

int pc_pin_symlink(const char *dir, const char *name, const char *target, struct pc_err *e)
{
	char path[PATH_MAX], tmp[PATH_MAX];

	if (pc_pin_path(path, sizeof(path), dir, name) ||
	    snprintf(tmp, sizeof(tmp), "%s-new", path) >= (int)sizeof(tmp))
		return pc_fail(e, ENAMETOOLONG, NULL, "pin %s/%s", dir, name);
	unlink(tmp);
	if (symlink(target, tmp) || rename(tmp, path)) {
		int err = errno;

		unlink(tmp);
		return pc_fail(e, err, NULL, "writing %s -> %s", path, target);
	}
	return 0;
}

void pc_pins_remove_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (pc_pin_path(path, sizeof(path), dir, de->d_name))
			continue;
		if (de->d_type == DT_DIR)
			pc_pins_remove_dir(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}
