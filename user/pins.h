/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Where the state of a loaded interface lives: /sys/fs/bpf/portcullis/IFACE/, on a
 * bpffs that is mounted here when missing. */
#ifndef PC_PINS_H
#define PC_PINS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Mounts bpffs at /sys/fs/bpf unless one is there. */
int pc_bpffs_ensure(struct pc_err *e);
/* Rejects names that are not interface names (and could escape the pin dir). */
int pc_ifname_check(const char *ifname, struct pc_err *e);
/* PC_PIN_ROOT/IFACE[/NAME] into buf. */
int pc_pin_path(char *buf, size_t len, const char *ifname, const char *name);
/* True when IFACE has a pinned link, i.e. portcullis is loaded there. */
bool pc_is_loaded(const char *ifname);
/* IFACE has a pin of that name. */
bool pc_pin_exists(const char *ifname, const char *name);
/* Opens a pinned object of IFACE; the error says when portcullis is not loaded. */
int pc_pin_open(const char *ifname, const char *name, struct pc_err *e);

/* Pin name prefixes (bpffs refuses names with a dot): a new program's pins before
 * it runs, and the previous program's while a load awaits confirmation. */
#define STAGE_PREFIX "staged-"
#define ROLLBACK_PREFIX "rollback-"

/* Renames IFACE's pins named FROM+X to TO+X, over existing ones. FROM "" means the
 * live pins: no prefix, and never the link. */
int pc_pins_move(const char *ifname, const char *from, const char *to, struct pc_err *e);
/* True for the pin of one of the running program's maps (not the link, the
 * program, or a staged or rollback pin). */
bool pc_pin_is_map(const char *name);
/* Unlinks IFACE's pins whose name starts with prefix. */
void pc_pins_drop(const char *ifname, const char *prefix);
/* Unlinks every pin of IFACE and its directory. */
void pc_pins_remove_all(const char *ifname);

#endif /* PC_PINS_H */
