/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What `doctor` looks at, gathered apart from what it concludes (doctor.h), so that
 * the conclusions can be tested on facts made up by a test. Gathering reads only,
 * except for the test attach of xdp_native.h. */
#ifndef PC_OBSERVE_DOCTOR_FACTS_H
#define PC_OBSERVE_DOCTOR_FACTS_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "kern/ethtool.h"
#include "kern/tc_progs.h"
#include "kern/xdp_native.h"
#include "portcullis.h"

#define PC_DOCTOR_TC_MAX 16

/* The kernel. Numbers read from /proc are -1 where the file is missing (the bpf_jit
 * sysctls are only in the initial network namespace), -2 where it may not be read. */
struct pc_doctor_sys {
	int bpf_errno; /* loading a two-instruction XDP program: 0, or why it failed */
	bool jited;    /* that program was JIT-compiled */
	int jit_enable;
	int jit_harden;
	bool bpffs; /* bpffs mounted at /sys/fs/bpf */
	bool btf;   /* /sys/kernel/btf/vmlinux */
	bool ringbuf;
	int percpu_batch;  /* batch lookup of per-CPU arrays: 1, 0, -1 not probed */
	unsigned features; /* PC_FEAT_* found by kernel_features.c */
};

/* One interface of this namespace. */
struct pc_doctor_if {
	char name[IF_NAMESIZE];
	unsigned ifindex;
	char driver[32], version[32]; /* "": the driver answers no ethtool -i */
	/* XDP now: bpf_xdp_query */
	uint8_t xdp_mode; /* XDP_ATTACHED_* */
	uint32_t xdp_drv_id, xdp_skb_id, xdp_hw_id;
	char xdp_name[3][BPF_OBJ_NAME_LEN]; /* of the drv, skb and hw programs */
	struct pc_native_result native;
	/* offloads: rx-vlan-hw-parse, rx-vlan-stag-hw-parse, rx-lro */
	bool ethtool_features; /* the driver answered ethtool -k */
	struct pc_ethtool_feature rxvlan, rxvlan_stag, lro;
	uint32_t mtu;
	/* A veth receives what its peer sends, so its peer's MTU bounds the frames (and
	 * veth refuses native XDP by it): 1 peer_mtu known, -1 the peer is in another
	 * namespace, 0 not a veth. */
	int peer;
	uint32_t peer_mtu;
	char peer_name[IF_NAMESIZE];
	uint32_t mtu_xdp_max;		   /* the largest MTU one page holds for XDP */
	unsigned rx_queues, rx_queues_max; /* max 0: unknown */
	unsigned cpus;
	struct pc_tc_prog tc[PC_DOCTOR_TC_MAX];
	unsigned n_tc;
	/* portcullis's own state for the interface */
	bool loaded;
	struct pc_load_info load;
	uint32_t own_xdp_id, own_egress_id; /* the programs its pins run, 0: none */
	long long confirm_left;		    /* -1: not awaiting confirmation */
};

void pc_doctor_sys_read(struct pc_doctor_sys *s);
/* For ifindex, which the caller found in this namespace. */
void pc_doctor_if_read(const char *name, unsigned ifindex, unsigned features,
		       struct pc_doctor_if *f);

/* The largest MTU whose frames fit one XDP buffer of a page of page_size bytes:
 * headroom, the shared info at its end, the Ethernet header and two VLAN tags
 * taken out (3498 for 4 KiB pages). */
uint32_t pc_doctor_mtu_xdp_max(long page_size);

#endif /* PC_OBSERVE_DOCTOR_FACTS_H */
