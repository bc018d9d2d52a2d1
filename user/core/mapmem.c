// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Map memory from /proc/self/fdinfo: a hash map's elements, keys included, and the
 * LRU's bookkeeping are several times its values, so counting values alone made a
 * 2 GiB flow table look like 640 MiB. */
#include <stdbool.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "core/mapmem.h"

static uint64_t value_bytes(const struct bpf_map_info *mi)
{
	if (mi->type == BPF_MAP_TYPE_RINGBUF)
		return mi->max_entries; /* the ring's size in bytes */
	return (uint64_t)mi->max_entries * mi->value_size *
	       (mi->type == BPF_MAP_TYPE_PERCPU_ARRAY ? libbpf_num_possible_cpus() : 1);
}

uint64_t pc_map_kernel_bytes(int fd, const struct bpf_map_info *mi)
{
	unsigned long long v;
	char path[64], line[256];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return value_bytes(mi);
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "memlock: %llu", &v) == 1;
	fclose(f);
	return found && v ? v : value_bytes(mi);
}
