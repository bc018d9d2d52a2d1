/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The programs' settings: const volatile globals the loader writes through
 * skel->rodata before load. The verifier sees their values, so branches on them cost
 * nothing at run time. Both hooks are one object and share them. */
#ifndef PC_CONFIG_H
#define PC_CONFIG_H

#include <linux/types.h>

#include "portcullis.h"

const volatile __u8 cfg_non_ip_pass = 1;
const volatile __u8 cfg_fragments = PC_FRAG_TRACK; /* enum pc_frag_policy */
const volatile __u8 cfg_default_pass = 0;
const volatile __u8 cfg_state = 1;	    /* flows; 0: out rules read statelessly */
const volatile __u8 cfg_egress_enforce = 0; /* the egress hook drops what no rule allows */
const volatile __u16 cfg_eph_lo = 1024;
const volatile __u16 cfg_eph_hi = 65535;
/* Drop events per second per CPU (the loader divides the profile's total by the
 * online CPUs); 0: logging off, and the verifier removes the code. */
const volatile __u32 cfg_log_rate = 0;
/* Rules of this profile: a flow's rule index is checked against it. */
const volatile __u32 cfg_n_rules = 0;
/* This program's load generation, and the one it replaced (0: none); see flow_remap. */
const volatile __u32 cfg_gen = 1;
const volatile __u32 cfg_gen_prev = 0;
/* Idle timeouts of flows, nanoseconds. */
const volatile __u64 cfg_timeout_tcp_ns = PC_TIMEOUT_TCP * 1000000000ULL;
const volatile __u64 cfg_timeout_udp_ns = PC_TIMEOUT_UDP * 1000000000ULL;
const volatile __u64 cfg_timeout_icmp_ns = PC_TIMEOUT_ICMP * 1000000000ULL;

#endif /* PC_CONFIG_H */
