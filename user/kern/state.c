// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* An interface's state directory: found by (network namespace, ifindex) so that two
 * namespaces with an interface of the same name never meet, locked by flock on the
 * directory itself, and settled before any command acts on it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "kern/confirm.h"
#include "kern/pins.h"
#include "kern/state.h"
#include "kern/switch.h"
#include "portcullis.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71 /* Linux 5.14; older libc headers lack it */
#endif

/* Before Linux 5.14 there is no cookie: the namespace's inode number stands in. It
 * is unique while the namespace lives, and a state directory left by a namespace
 * that died has links that run nothing (status shows it DETACHED). */
static int netns_inode(uint64_t *id, struct pc_err *e)
{
	struct stat st;

	if (stat("/proc/self/ns/net", &st))
		return pc_fail(e, errno, "is /proc mounted?", "stat /proc/self/ns/net");
	*id = (uint64_t)st.st_ino;
	return 0;
}

int pc_netns_cookie(uint64_t *cookie, struct pc_err *e)
{
	socklen_t len = sizeof(*cookie);
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0), err;

	if (s < 0)
		return pc_fail(e, errno, NULL, "socket() to learn the network namespace");
	err = getsockopt(s, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len) ? errno : 0;
	close(s);
	if (err == ENOPROTOOPT)
		return netns_inode(cookie, e);
	if (err)
		return pc_fail(e, err, NULL,
			       "reading the network namespace's cookie (SO_NETNS_COOKIE)");
	return 0;
}

void pc_iface_dir(char *buf, size_t len, uint64_t netns, unsigned ifindex)
{
	snprintf(buf, len, "%s/net%" PRIu64 "-if%u", PC_PIN_ROOT, netns, ifindex);
}

bool pc_iface_dir_parse(const char *entry, uint64_t *netns, unsigned *ifindex)
{
	unsigned long long ns;
	unsigned idx;
	int end = 0;

	if (sscanf(entry, "net%llu-if%u%n", &ns, &idx, &end) != 2 || entry[end])
		return false;
	*netns = ns;
	*ifindex = idx;
	return true;
}

/* The state of an interface of this namespace that is gone, by its recorded name. */
static int find_vanished(const char *name, struct pc_iface *i)
{
	char dir[PATH_MAX], recorded[IF_NAMESIZE + 1], now[IF_NAMESIZE];
	struct dirent *de;
	DIR *d = opendir(PC_PIN_ROOT);
	uint64_t ns;
	unsigned idx;
	int found = -1;

	while (d && found && (de = readdir(d))) {
		if (!pc_iface_dir_parse(de->d_name, &ns, &idx) || ns != i->netns)
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", PC_PIN_ROOT, de->d_name);
		if (pc_pin_readlink(dir, PC_PIN_NAME, recorded, sizeof(recorded)) ||
		    strcmp(recorded, name))
			continue;
		/* Gone, or its ifindex now belongs to another interface. */
		if (if_indextoname(idx, now) && !strcmp(now, name))
			continue;
		i->ifindex = idx;
		found = 0;
	}
	if (d)
		closedir(d);
	return found;
}

int pc_iface_resolve(const char *name, bool find_gone, struct pc_iface *i, struct pc_err *e)
{
	memset(i, 0, sizeof(*i));
	if (pc_ifname_check(name, e) || pc_netns_cookie(&i->netns, e))
		return -1;
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->ifindex = if_nametoindex(name);
	if (!i->ifindex) {
		int err = errno;

		if (!find_gone)
			return pc_fail(e, err, "list interfaces with `ip link`",
				       "interface %s (if_nametoindex)", name);
		if (pc_bpffs_ensure(e))
			return -1;
		if (find_vanished(name, i))
			return pc_fail(
				e, 0, "`ip link` lists the interfaces",
				"portcullis is not loaded on %s: no interface of that name in "
				"this network namespace, and none that vanished while loaded",
				name);
		i->vanished = true;
	}
	pc_iface_dir(i->dir, sizeof(i->dir), i->netns, i->ifindex);
	return 0;
}

/* The namespace as ls -l /proc/self/ns/net shows it, "net:[4026531840]". */
static void record_identity(const struct pc_iface *i)
{
	char ns[64] = "", have[64];
	struct pc_err ignore;
	ssize_t n = readlink("/proc/self/ns/net", ns, sizeof(ns) - 1);

	if (n > 0)
		ns[n] = 0;
	if (pc_pin_readlink(i->dir, PC_PIN_NAME, have, sizeof(have)) || strcmp(have, i->name))
		pc_pin_symlink(i->dir, PC_PIN_NAME, i->name, &ignore);
	if (ns[0] &&
	    (pc_pin_readlink(i->dir, PC_PIN_NETNS, have, sizeof(have)) || strcmp(have, ns)))
		pc_pin_symlink(i->dir, PC_PIN_NETNS, ns, &ignore);
}

static const char *perm_advice(int err)
{
	return err == EACCES || err == EPERM ? PC_ADVICE_PRIV : NULL;
}

static int make_dirs(const struct pc_iface *i, struct pc_err *e)
{
	if (mkdir(PC_PIN_ROOT, 0700) && errno != EEXIST)
		return pc_fail(e, errno, perm_advice(errno), "creating %s", PC_PIN_ROOT);
	if (mkdir(i->dir, 0700) && errno != EEXIST)
		return pc_fail(e, errno, perm_advice(errno), "creating %s", i->dir);
	return 0;
}

/* The directory we locked is still the one at its path: an unload may have removed
 * it while we waited. */
static bool still_there(int fd, const char *dir)
{
	struct stat a, b;

	return !fstat(fd, &a) && !stat(dir, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int pc_iface_lock(struct pc_iface *i, bool create, struct pc_err *e)
{
	int fd;

	if (pc_bpffs_ensure(e))
		return -1;
	for (;;) {
		if (create && make_dirs(i, e))
			return -1;
		fd = open(i->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && !create) {
			pc_fail(e, 0, NULL,
				"portcullis is not loaded on %s; load a profile with "
				"`portcullis load %s PROFILE`",
				i->name, i->name);
			errno = ENOENT;
			return -1;
		}
		if (fd < 0)
			return pc_fail(e, errno, perm_advice(errno), "opening %s", i->dir);
		if (flock(fd, LOCK_EX)) {
			int err = errno;

			close(fd);
			return pc_fail(e, err, NULL, "locking %s", i->dir);
		}
		if (still_there(fd, i->dir))
			break;
		close(fd);
	}
	if (create)
		record_identity(i);
	return fd;
}

int pc_iface_trylock(const struct pc_iface *i)
{
	int fd = open(i->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) || !still_there(fd, i->dir)) {
		int err = errno;

		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

void pc_iface_unlock(const struct pc_iface *i, int lock)
{
	if (lock < 0)
		return;
	/* Nothing loaded and nothing under way: no directory (and no lock) stays. */
	if (!pc_pin_exists(i->dir, PC_PIN_CURRENT) && !pc_pin_exists(i->dir, PC_PIN_NEXT) &&
	    !pc_pin_exists(i->dir, PC_PIN_LINK) && !pc_pin_exists(i->dir, PC_PIN_ELINK))
		pc_pins_remove_dir(i->dir);
	close(lock);
}

void pc_gen_name(char *buf, size_t len, uint32_t gen)
{
	snprintf(buf, len, PC_PIN_GEN_PREFIX "%u", gen);
}

void pc_gen_path(char *buf, size_t len, const struct pc_iface *i, const char *gname)
{
	snprintf(buf, len, "%s/%s", i->dir, gname);
}

int pc_gen_current(const struct pc_iface *i, char *buf, size_t len)
{
	char gname[NAME_MAX];

	buf[0] = 0;
	if (pc_pin_readlink(i->dir, PC_PIN_CURRENT, gname, sizeof(gname)))
		return -1;
	pc_gen_path(buf, len, i, gname);
	return 0;
}

int pc_gen_load_info(const char *gdir, struct pc_load_info *li, struct pc_err *e)
{
	uint32_t k = 0;
	int fd = pc_pin_open(gdir, PC_PIN_LOAD_INFO, e), err;

	if (fd < 0)
		return -1;
	/* A map of an older portcullis has a shorter value: what it lacks reads 0. */
	memset(li, 0, sizeof(*li));
	err = bpf_map_lookup_elem(fd, &k, li) ? errno : 0;
	close(fd);
	if (err)
		return pc_fail(e, err, NULL, "reading %s/load_info", gdir);
	return 0;
}

int pc_settle(struct pc_iface *i, struct pc_err *e)
{
	if (pc_switch_recover(i, e))
		return -1;
	pc_switch_sweep(i);
	return pc_pending_settle(i, e);
}

void pc_settle_if_idle(struct pc_iface *i)
{
	struct pc_err ignore;
	int lock = pc_iface_trylock(i);

	if (lock < 0)
		return;
	pc_settle(i, &ignore);
	pc_iface_unlock(i, lock);
}
