/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where an interface's state lives, keyed by its network namespace and ifindex, and
 * who may change it: one lock per interface, and a settle step that finishes what an
 * interrupted command left (a switch, an overdue rollback) before anything else. */
#ifndef PC_KERN_STATE_H
#define PC_KERN_STATE_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct pc_iface {
	char name[IF_NAMESIZE]; /* for display only */
	unsigned ifindex;
	uint64_t netns; /* the network namespace's cookie (its inode before Linux 5.14) */
	bool vanished;	/* found by its recorded name: the interface is gone */
	char dir[PATH_MAX / 2];
};

/* The cookie of the network namespace this process runs in (SO_NETNS_COOKIE; before
 * Linux 5.14, which has none, the namespace's inode number). */
int pc_netns_cookie(uint64_t *cookie, struct pc_err *e);
/* Fills i for the interface NAME of this namespace. With find_vanished, an interface
 * that is gone is found by the name recorded with its state (i->vanished). */
int pc_iface_resolve(const char *name, bool find_vanished, struct pc_iface *i, struct pc_err *e);
/* The state directory of (netns, ifindex). */
void pc_iface_dir(char *buf, size_t len, uint64_t netns, unsigned ifindex);
/* Parses a state directory's name; false for anything else under PC_PIN_ROOT. */
bool pc_iface_dir_parse(const char *entry, uint64_t *netns, unsigned *ifindex);

/* Takes the interface's lock (flock on its state directory; with create, the
 * directory is made first, so no lock file is left behind). Returns an fd to close
 * with pc_iface_unlock, or -1; without create, -1 with errno ENOENT when there is no
 * state. */
int pc_iface_lock(struct pc_iface *i, bool create, struct pc_err *e);
/* The same without waiting: -1 with errno EWOULDBLOCK when another command holds it. */
int pc_iface_trylock(const struct pc_iface *i);
/* Releases the lock, and removes the directory when it holds no state any more. */
void pc_iface_unlock(const struct pc_iface *i, int lock);

/* The committed generation's directory into buf ("" and -1 when not loaded). */
int pc_gen_current(const struct pc_iface *i, char *buf, size_t len);
/* DIR/gN into buf for the generation name gname. */
void pc_gen_path(char *buf, size_t len, const struct pc_iface *i, const char *gname);
/* The name of generation number gen ("g7"). */
void pc_gen_name(char *buf, size_t len, uint32_t gen);

/* Reads the load_info of generation gdir. */
struct pc_load_info;
int pc_gen_load_info(const char *gdir, struct pc_load_info *li, struct pc_err *e);

/* Under the lock: completes or undoes an interrupted switch, removes generations
 * nothing refers to, and carries out an overdue rollback (or restarts a dead
 * confirmation timer). */
int pc_settle(struct pc_iface *i, struct pc_err *e);
/* For commands that only read: settles when no other command holds the lock (one
 * that does is alive and finishes its own work). */
void pc_settle_if_idle(struct pc_iface *i);

#endif /* PC_KERN_STATE_H */
