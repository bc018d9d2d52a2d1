/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a map costs the kernel, as the kernel counts it. */
#ifndef PC_CORE_MAPMEM_H
#define PC_CORE_MAPMEM_H

#include <stdint.h>

#include <bpf/bpf.h>

/* The kernel's own figure for the map behind fd (the "memlock" line of its fdinfo:
 * values, keys, hash elements and per-CPU copies); where a kernel does not give it,
 * the values alone from mi, which is less. */
uint64_t pc_map_kernel_bytes(int fd, const struct bpf_map_info *mi);

/* What the flow table of `set flows` entries costs, as measured on Linux 6.18 (128
 * bytes an entry: the LRU hash element, key and value), for `check`, which loads
 * nothing to ask the kernel. */
#define PC_FLOW_ENTRY_BYTES 128u

#endif /* PC_CORE_MAPMEM_H */
