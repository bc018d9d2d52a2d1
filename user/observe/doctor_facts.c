// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Gathering what `doctor` judges: sysctls, probes, the interface's driver, offloads,
 * queues, the programs on its hooks and portcullis's pins for it. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <linux/magic.h>

#include "kern/confirm.h"
#include "kern/kernel_features.h"
#include "kern/netdev.h"
#include "kern/pins.h"
#include "kern/state.h"
#include "kern/tinyprog.h"
#include "observe/doctor_facts.h"

/* The kernel's XDP_PACKET_HEADROOM and, on 64-bit, sizeof(struct skb_shared_info)
 * rounded to a cache line: what a driver keeps of each receive page. */
#define XDP_HEADROOM 256
#define SHARED_INFO 320
#define ETH_AND_TWO_TAGS (14 + 2 * 4)

uint32_t pc_doctor_mtu_xdp_max(long page_size)
{
	return (uint32_t)(page_size - XDP_HEADROOM - SHARED_INFO - ETH_AND_TWO_TAGS);
}

static int read_int(const char *path)
{
	FILE *f = fopen(path, "r");
	int v;

	if (!f)
		return errno == ENOENT ? -1 : -2;
	if (fscanf(f, "%d", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* A tiny program, loaded to see whether programs load and whether the kernel
 * compiled it: the sysctls exist only in the initial network namespace. */
static int bpf_loads(bool *jited)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	struct pc_err ignore;
	int fd = pc_tinyprog_load(XDP_PASS, "pc_doctor", &ignore);

	if (fd < 0)
		return errno ? errno : EPERM;
	*jited = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.jited_prog_len;
	close(fd);
	return 0;
}

/* One batch lookup on a one-entry per-CPU array (5.10 answers ENOTSUPP). */
static int percpu_batch(void)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	int ncpu = libbpf_num_possible_cpus();
	uint64_t vals[1024];
	uint32_t keys[1], out, count = 1;
	int fd, err;

	if (ncpu <= 0 || ncpu > 1024)
		return -1;
	fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "pc_doctor", 4, 8, 1, NULL);
	if (fd < 0)
		return -1;
	err = bpf_map_lookup_batch(fd, NULL, &out, keys, vals, &count, &opts) ? errno : 0;
	close(fd);
	return !err || err == ENOENT;
}

void pc_doctor_sys_read(struct pc_doctor_sys *s)
{
	struct statfs fs;
	struct stat st;

	memset(s, 0, sizeof(*s));
	s->jit_enable = read_int("/proc/sys/net/core/bpf_jit_enable");
	s->jit_harden = read_int("/proc/sys/net/core/bpf_jit_harden");
	s->bpffs = !statfs("/sys/fs/bpf", &fs) && fs.f_type == BPF_FS_MAGIC;
	s->btf = !stat("/sys/kernel/btf/vmlinux", &st);
	s->percpu_batch = -1;
	s->bpf_errno = bpf_loads(&s->jited);
	if (s->bpf_errno)
		return; /* every probe would say "absent" */
	s->ringbuf = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL) == 1;
	s->percpu_batch = percpu_batch();
	s->features = pc_features_probe();
}

static void prog_name(uint32_t id, char *name)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = id ? bpf_prog_get_fd_by_id(id) : -1;

	name[0] = 0;
	if (fd < 0)
		return;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len))
		snprintf(name, BPF_OBJ_NAME_LEN, "%s", info.name);
	close(fd);
}

static void read_xdp(struct pc_doctor_if *f)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint8_t mode;

	if (bpf_xdp_query((int)f->ifindex, 0, &q))
		return;
	f->xdp_mode = q.attach_mode;
	f->xdp_drv_id = q.drv_prog_id;
	f->xdp_skb_id = q.skb_prog_id;
	f->xdp_hw_id = q.hw_prog_id;
	prog_name(q.drv_prog_id, f->xdp_name[0]);
	prog_name(q.skb_prog_id, f->xdp_name[1]);
	prog_name(q.hw_prog_id, f->xdp_name[2]);
	/* Several programs at once: native is what matters to the probe. */
	mode = q.drv_prog_id || q.hw_prog_id ? XDP_ATTACHED_DRV : q.attach_mode;
	pc_xdp_native(f->ifindex, mode, &f->native);
}

static void read_offloads(struct pc_doctor_if *f)
{
	struct pc_ethtool_feature want[] = { { .name = "rx-vlan-hw-parse" },
					     { .name = "rx-vlan-stag-hw-parse" },
					     { .name = "rx-lro" } };

	f->ethtool_features = !pc_ethtool_features(f->name, want, 3);
	f->rxvlan = want[0];
	f->rxvlan_stag = want[1];
	f->lro = want[2];
}

static void read_queues(struct pc_doctor_if *f, const struct pc_netdev_link *l)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	f->cpus = cpus > 0 ? (unsigned)cpus : 1;
	if (pc_ethtool_rx_channels(f->name, &f->rx_queues, &f->rx_queues_max)) {
		f->rx_queues = l->rx_queues;
		f->rx_queues_max = 0;
	}
}

/* What portcullis's pins say about the interface. Read without the lock and without
 * settling: doctor changes nothing, and a switch under way shows as what it was. */
static void read_own(struct pc_doctor_if *f)
{
	char gdir[PATH_MAX];
	struct pc_pending p;
	struct pc_iface i;
	struct pc_err ignore;

	f->confirm_left = -1;
	if (pc_iface_resolve(f->name, false, &i, &ignore) ||
	    pc_gen_current(&i, gdir, sizeof(gdir)) || pc_gen_load_info(gdir, &f->load, &ignore))
		return;
	f->loaded = true;
	f->own_xdp_id = pc_pin_prog_id(i.dir, PC_PIN_LINK);
	f->own_egress_id = f->load.egress_hook == PC_HOOK_TCX ? pc_pin_prog_id(i.dir, PC_PIN_ELINK)
							      : pc_pin_prog_id(gdir, PC_PIN_EPROG);
	if (!pc_pending_read(gdir, &p)) {
		f->confirm_left = (long long)p.deadline - (long long)time(NULL);
		if (f->confirm_left < 0)
			f->confirm_left = 0;
	}
}

static void read_peer(struct pc_doctor_if *f, const struct pc_netdev_link *l)
{
	struct pc_netdev_link peer;

	if (strcmp(f->driver, "veth"))
		return;
	f->peer = -1;
	if (l->link && !l->link_elsewhere && !pc_netdev_link(l->link, &peer) &&
	    if_indextoname(l->link, f->peer_name)) {
		f->peer = 1;
		f->peer_mtu = peer.mtu;
	}
}

void pc_doctor_if_read(const char *name, unsigned ifindex, unsigned features,
		       struct pc_doctor_if *f)
{
	struct pc_netdev_link l;

	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->ifindex = ifindex;
	pc_ethtool_driver(name, f->driver, sizeof(f->driver), f->version, sizeof(f->version));
	read_xdp(f);
	read_offloads(f);
	pc_netdev_link(ifindex, &l);
	f->mtu = l.mtu;
	read_peer(f, &l);
	f->mtu_xdp_max = pc_doctor_mtu_xdp_max(sysconf(_SC_PAGESIZE));
	read_queues(f, &l);
	pc_tc_progs(ifindex, features & PC_FEAT_TCX, f->tc, PC_DOCTOR_TC_MAX, &f->n_tc);
	read_own(f);
}
