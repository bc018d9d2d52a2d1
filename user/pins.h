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
/* Opens a pinned object of IFACE; the error says when portcullis is not loaded. */
int pc_pin_open(const char *ifname, const char *name, struct pc_err *e);

#endif /* PC_PINS_H */
