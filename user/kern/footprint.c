// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A generation's footprint, from its pins: the maps' fdinfo, the flow table's keys,
 * the event ring's positions, mapped read-only, and the events lost to a full ring. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "core/mapmem.h"
#include "kern/footprint.h"
#include "kern/pins.h"
#include "portcullis.h"

/* What one event takes of the ring: its header and the event, rounded up to 8 bytes
 * as the kernel's bpf_ringbuf_reserve() does. */
#define EVENT_RECORD ((BPF_RINGBUF_HDR_SZ + sizeof(struct pc_log_event) + 7) / 8 * 8)

static void map_bytes(const char *gdir, DIR *d, struct pc_footprint *f)
{
	struct pc_err ignore;
	struct dirent *de;

	while ((de = readdir(d))) {
		struct bpf_map_info mi = {};
		uint32_t len = sizeof(mi);
		int fd;

		if (!pc_pin_is_map(de->d_name) || (fd = pc_pin_open(gdir, de->d_name, &ignore)) < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &mi, &len)) {
			uint64_t bytes = pc_map_kernel_bytes(fd, &mi);

			f->map_bytes += bytes;
			if (!strcmp(de->d_name, PC_PIN_FLOWS))
				f->flow_bytes = bytes;
		}
		close(fd);
	}
}

/* Every key, one system call each: the kernel keeps no count of an LRU hash. */
static void count_flows(const char *gdir, struct pc_footprint *f)
{
	struct pc_flow_key k, cur, *prev = NULL;
	struct pc_err ignore;
	int fd = pc_pin_open(gdir, PC_PIN_FLOWS, &ignore);

	if (fd < 0)
		return;
	f->has_flows = true;
	while (!bpf_map_get_next_key(fd, prev, &k)) {
		cur = k;
		prev = &cur;
		f->flows++;
	}
	close(fd);
}

/* The ring's consumer position is its first page, the producer's its second; both
 * may be mapped read-only by anyone who may open the map. The producer position only
 * grows, by one record per event reserved. */
static void ring_positions(const char *gdir, struct pc_footprint *f)
{
	long page = sysconf(_SC_PAGESIZE);
	struct pc_err ignore;
	int fd = pc_pin_open(gdir, PC_PIN_EVENTS, &ignore);
	volatile unsigned long *pos;
	unsigned long cons, prod;

	if (fd < 0)
		return;
	pos = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (pos == MAP_FAILED)
		return;
	cons = pos[0];
	prod = pos[page / sizeof(*pos)];
	munmap((void *)pos, 2 * page);
	f->log_events = prod / EVENT_RECORD;
	f->log_unread = prod > cons ? (prod - cons) / EVENT_RECORD : 0;
	f->has_events = true;
}

int pc_log_lost_sum(int budget_fd, uint64_t *lost)
{
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi), zero = 0;
	struct pc_log_budget *b = NULL;
	int ncpu, err = 0;

	*lost = 0;
	/* An older program's budget has no lost field: its values are shorter. */
	if (bpf_obj_get_info_by_fd(budget_fd, &mi, &len))
		err = -errno;
	else if (mi.value_size != sizeof(*b))
		err = -EPROTO;
	else if ((ncpu = libbpf_num_possible_cpus()) < 0)
		err = ncpu;
	else if (!(b = calloc(ncpu, sizeof(*b))))
		err = -ENOMEM;
	else if (bpf_map_lookup_elem(budget_fd, &zero, b))
		err = -errno;
	else
		for (int c = 0; c < ncpu; c++)
			*lost += b[c].lost;
	free(b);
	return err;
}

int pc_log_lost_read(const char *gdir, uint64_t *lost)
{
	struct pc_err ignore;
	int fd = pc_pin_open(gdir, PC_PIN_LOG_BUDGET, &ignore), err;

	*lost = 0;
	if (fd < 0)
		return -ENOENT;
	err = pc_log_lost_sum(fd, lost);
	close(fd);
	return err;
}

int pc_footprint_read(const char *gdir, struct pc_footprint *f, struct pc_err *e)
{
	DIR *d = opendir(gdir);

	memset(f, 0, sizeof(*f));
	if (!d)
		return pc_fail(e, errno, NULL, "reading %s", gdir);
	map_bytes(gdir, d, f);
	closedir(d);
	count_flows(gdir, f);
	ring_positions(gdir, f);
	f->has_lost = !pc_log_lost_read(gdir, &f->log_lost);
	return 0;
}
