/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Pinned objects in a directory of bpffs (an interface's, or one generation's; the
 * layout is in include/portcullis.h), on a bpffs mounted here when missing. */
#ifndef PC_KERN_PINS_H
#define PC_KERN_PINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* What to do when the kernel says EPERM or EACCES. */
#define PC_ADVICE_PRIV "run as root, or with the capabilities portcullis(8) lists"

/* Mounts bpffs at /sys/fs/bpf unless one is there. */
int pc_bpffs_ensure(struct pc_err *e);
/* Rejects names that are not interface names (and could escape the pin dir). */
int pc_ifname_check(const char *ifname, struct pc_err *e);
/* DIR/NAME into buf. */
int pc_pin_path(char *buf, size_t len, const char *dir, const char *name);
/* DIR has an entry NAME. Checked with lstat, which honours capabilities (access()
 * asks about the real uid and would call a capable non-root user's state absent). */
bool pc_pin_exists(const char *dir, const char *name);
/* Opens the pinned object DIR/NAME. */
int pc_pin_open(const char *dir, const char *name, struct pc_err *e);
/* Pins fd as DIR/NAME, over a leftover of the same name. */
int pc_pin(const char *dir, const char *name, int fd, struct pc_err *e);
/* The id of the program DIR/NAME (a program, or the program a link runs); 0 if none. */
uint32_t pc_pin_prog_id(const char *dir, const char *name);
/* True for the pin of one of a generation's maps (not prog or eprog). */
bool pc_pin_is_map(const char *name);
/* Reads the target of the symlink DIR/NAME into buf; -1 (errno set) if none. */
int pc_pin_readlink(const char *dir, const char *name, char *buf, size_t len);
/* Creates the symlink DIR/NAME -> target, replacing one of that name atomically
 * (a temporary name, then rename). */
int pc_pin_symlink(const char *dir, const char *name, const char *target, struct pc_err *e);
/* Removes DIR and everything under it; missing is fine. */
void pc_pins_remove_dir(const char *dir);

#endif /* PC_KERN_PINS_H */
