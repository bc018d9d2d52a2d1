// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* doctor's conclusions on facts made up here, so that each branch is reached on any
 * kernel: which status a finding earns, that its advice names the interface and the
 * command that helps, and that the JSON report carries the same statuses. */
#include <stdlib.h>

#include <linux/if_link.h>

#include "harness.h"
#include "kern/netdev.h"
#include "observe/doctor.h"

static const struct pc_check *find(const struct pc_doctor *d, const char *name)
{
	for (unsigned i = 0; i < d->n; i++)
		if (!strcmp(d->v[i].name, name))
			return &d->v[i];
	pc_test_fail(__FILE__, __LINE__, "no check %s", name);
	return NULL;
}

#define HAS(s, sub) EXPECT_TRUE((s) && strstr((s), (sub)) != NULL)
#define STATUS(d, name, st)                                                                        \
	do {                                                                                       \
		const struct pc_check *_c = find(d, name);                                         \
		if (_c)                                                                            \
			EXPECT_STR(pc_check_status_name(_c->status), st);                          \
	} while (0)

/* A kernel with everything portcullis uses. */
static struct pc_doctor_sys good_sys(void)
{
	return (struct pc_doctor_sys){ .jited = true,
				       .jit_enable = 1,
				       .jit_harden = 0,
				       .bpffs = true,
				       .btf = true,
				       .ringbuf = true,
				       .percpu_batch = 1,
				       .features = PC_FEAT_COARSE_CLOCK | PC_FEAT_XDP_LOAD_BYTES |
						   PC_FEAT_TCX | PC_FEAT_LIVE_FRAMES };
}

/* A NIC portcullis suits: native XDP, nothing attached, offloads off, 4 queues. */
static struct pc_doctor_if good_if(void)
{
	struct pc_doctor_if f = { .name = "eth0",
				  .driver = "ixgbe",
				  .ethtool_features = true,
				  .rxvlan = { .name = "rx-vlan-hw-parse", .known = true },
				  .rxvlan_stag = { .name = "rx-vlan-stag-hw-parse" },
				  .lro = { .name = "rx-lro", .known = true },
				  .mtu = 1500,
				  .mtu_xdp_max = 3498,
				  .rx_queues = 4,
				  .rx_queues_max = 64,
				  .cpus = 4,
				  .confirm_left = -1 };

	f.native = (struct pc_native_result){ .native = PC_NATIVE_YES,
					      .how = PC_NATIVE_BY_FEATURES,
					      .have_features = true,
					      .features = PC_XDP_ACT_BASIC | PC_XDP_ACT_REDIRECT };
	return f;
}

TEST(a_good_kernel_and_nic_are_all_ok)
{
	struct pc_doctor_sys s = good_sys();
	struct pc_doctor_if f = good_if();
	struct pc_doctor d = { 0 };

	pc_doctor_judge_sys(&s, &d);
	pc_doctor_judge_if(&f, &d);
	for (unsigned i = 0; i < d.n; i++)
		if (d.v[i].status != PC_CHECK_OK)
			pc_test_fail(__FILE__, __LINE__, "%s: %s", d.v[i].name, d.v[i].found);
	EXPECT_EQ(pc_doctor_worst(&d), PC_CHECK_OK);
	HAS(find(&d, "xdp_native")->found, "xdp-features: basic, redirect");
}

TEST(no_jit_fails_and_says_how_to_turn_it_on)
{
	struct pc_doctor_sys s = good_sys();
	struct pc_doctor d = { 0 };

	s.jited = false;
	s.jit_enable = 0;
	pc_doctor_judge_sys(&s, &d);
	STATUS(&d, "jit", "fail");
	HAS(find(&d, "jit")->found, "bpf_jit_enable = 0");
	HAS(find(&d, "jit")->advice, "sysctl -w net.core.bpf_jit_enable=1");
	EXPECT_EQ(pc_doctor_worst(&d), PC_CHECK_FAIL);
}

TEST(jit_seen_from_a_namespace_without_the_sysctls)
{
	struct pc_doctor_sys s = good_sys();
	struct pc_doctor d = { 0 };

	s.jit_enable = s.jit_harden = -1;
	pc_doctor_judge_sys(&s, &d);
	STATUS(&d, "jit", "ok");
	HAS(find(&d, "jit")->found, "not visible in this network namespace");
	STATUS(&d, "jit_harden", "ok");
}

TEST(hardening_every_program_warns)
{
	struct pc_doctor_sys s = good_sys();
	struct pc_doctor d = { 0 };

	s.jit_harden = 2;
	s.jit_enable = 2;
	pc_doctor_judge_sys(&s, &d);
	STATUS(&d, "jit_harden", "warn");
	HAS(find(&d, "jit_harden")->advice, "bpf_jit_harden=1");
	STATUS(&d, "jit", "warn");
	EXPECT_EQ(pc_doctor_worst(&d), PC_CHECK_WARN);
}

TEST(bpffs_absent_warns_that_portcullis_mounts_it)
{
	struct pc_doctor_sys s = good_sys();
	struct pc_doctor d = { 0 };

	s.bpffs = false;
	s.btf = false;
	pc_doctor_judge_sys(&s, &d);
	STATUS(&d, "bpffs", "warn");
	HAS(find(&d, "bpffs")->found, "portcullis mounts it itself");
	STATUS(&d, "btf", "ok");
	HAS(find(&d, "btf")->found, "needs none");
}

TEST(missing_features_warn_with_their_fallback_and_no_ringbuf_fails)
{
	struct pc_doctor_sys s = good_sys();
	struct pc_doctor d = { 0 };

	s.features = PC_FEAT_COARSE_CLOCK;
	s.ringbuf = false;
	s.percpu_batch = 0;
	pc_doctor_judge_sys(&s, &d);
	STATUS(&d, "coarse_clock", "ok");
	STATUS(&d, "tcx", "warn");
	HAS(find(&d, "tcx")->found, "Linux 6.6");
	HAS(find(&d, "tcx")->found, "clsact");
	STATUS(&d, "live_frames", "warn");
	HAS(find(&d, "live_frames")->found, "packet socket");
	STATUS(&d, "xdp_load_bytes", "warn");
	STATUS(&d, "percpu_batch", "warn");
	STATUS(&d, "ringbuf", "fail");
}

TEST(no_bpf_at_all_fails_once_and_skips_the_probes)
{
	struct pc_doctor_sys s = good_sys();
	struct pc_doctor d = { 0 };

	s.bpf_errno = 1; /* EPERM */
	s.jit_enable = -2;
	pc_doctor_judge_sys(&s, &d);
	STATUS(&d, "bpf", "fail");
	HAS(find(&d, "bpf")->advice, "run as root");
	STATUS(&d, "jit", "warn");
	for (unsigned i = 0; i < d.n; i++)
		EXPECT_TRUE(strcmp(d.v[i].name, "tcx") && strcmp(d.v[i].name, "ringbuf"));
}

TEST(a_foreign_xdp_program_fails_by_id_and_mode)
{
	struct pc_doctor_if f = good_if();
	struct pc_doctor d = { 0 };

	f.xdp_mode = XDP_ATTACHED_SKB;
	f.xdp_skb_id = 42;
	strcpy(f.xdp_name[1], "xdp_dispatcher");
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "xdp_program", "fail");
	HAS(find(&d, "xdp_program")->found, "program id 42 (xdp_dispatcher) in generic mode");
	HAS(find(&d, "xdp_program")->advice, "ip link set dev eth0 xdpgeneric off");
}

TEST(portcullis_own_program_is_named_and_generic_warns_where_native_works)
{
	struct pc_doctor_if f = good_if();
	struct pc_doctor d = { 0 };

	f.loaded = true;
	f.own_xdp_id = f.xdp_drv_id = 7;
	f.xdp_mode = XDP_ATTACHED_DRV;
	strcpy(f.xdp_name[0], "portcullis_xdp");
	strcpy(f.load.profile, "/etc/portcullis/st.conf");
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "xdp_program", "ok");
	HAS(find(&d, "xdp_program")->found, "portcullis (program id 7, portcullis_xdp), native");
	STATUS(&d, "portcullis", "ok");
	HAS(find(&d, "portcullis")->found, "/etc/portcullis/st.conf");

	d.n = 0;
	f.xdp_drv_id = 0;
	f.xdp_skb_id = 7;
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "xdp_program", "warn");
	HAS(find(&d, "xdp_program")->advice, "portcullis unload eth0");

	d.n = 0;
	f.xdp_skb_id = 0; /* pinned, not attached */
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "portcullis", "fail");
}

TEST(native_xdp_missing_or_untested)
{
	struct pc_doctor_if f = good_if();
	struct pc_doctor d = { 0 };

	f.native.native = PC_NATIVE_NO;
	f.native.features = 0;
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "xdp_native", "warn");
	HAS(find(&d, "xdp_native")->found, "xdp-features: none");

	d.n = 0;
	f.native = (struct pc_native_result){ .native = PC_NATIVE_YES, .how = PC_NATIVE_BY_TEST };
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "xdp_native", "ok");
	HAS(find(&d, "xdp_native")->found, "test attach");

	d.n = 0;
	f.native = (struct pc_native_result){ .native = PC_NATIVE_UNKNOWN,
					      .how = PC_NATIVE_NOT_TESTED };
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "xdp_native", "warn");
}

TEST(vlan_offload_and_lro_warn_with_the_ethtool_command)
{
	struct pc_doctor_if f = good_if();
	struct pc_doctor d = { 0 };

	f.rxvlan.active = true;
	f.lro.active = true;
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "rx_vlan", "warn");
	HAS(find(&d, "rx_vlan")->advice, "ethtool -K eth0 rx-vlan-hw-parse off");
	STATUS(&d, "lro", "warn");
	HAS(find(&d, "lro")->advice, "ethtool -K eth0 rx-lro off");

	d.n = 0;
	f.lro.fixed = true;
	pc_doctor_judge_if(&f, &d);
	HAS(find(&d, "lro")->advice, "does not let it change");
}

TEST(mtu_beyond_one_buffer_warns_and_veth_looks_at_its_peer)
{
	struct pc_doctor_if f = good_if();
	struct pc_doctor d = { 0 };

	EXPECT_EQ(pc_doctor_mtu_xdp_max(4096), 3498);
	f.mtu = 9000;
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "mtu", "warn");
	HAS(find(&d, "mtu")->advice, "ip link set dev eth0 mtu 3498");
	HAS(find(&d, "mtu")->found, "no multi-buffer XDP");

	d.n = 0;
	f.peer = 1;
	f.peer_mtu = 1500;
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "mtu", "ok");

	d.n = 0;
	f.mtu = 1500;
	f.peer_mtu = 9000;
	strcpy(f.peer_name, "veth1");
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "mtu", "warn");
	HAS(find(&d, "mtu")->advice, "ip link set dev veth1 mtu");
}

TEST(fewer_queues_than_cpus_warns)
{
	struct pc_doctor_if f = good_if();
	struct pc_doctor d = { 0 };

	f.rx_queues = 1;
	f.rx_queues_max = 2;
	pc_doctor_judge_if(&f, &d);
	STATUS(&d, "rx_queues", "warn");
	HAS(find(&d, "rx_queues")->found, "1 RX queue for 4 CPUs");
	HAS(find(&d, "rx_queues")->advice, "ethtool -L eth0 combined 2");
}

TEST(tc_programs_are_listed_and_portcullis_egress_is_named)
{
	struct pc_doctor_if f = good_if();
	struct pc_doctor d = { 0 };

	f.loaded = true;
	f.own_egress_id = 9;
	f.tc[0] =
		(struct pc_tc_prog){ .hook = PC_TC_TCX_EGRESS, .id = 9, .name = "portcullis_egre" };
	f.tc[1] = (struct pc_tc_prog){ .hook = PC_TC_CLSACT_INGRESS, .id = 11, .name = "other" };
	f.n_tc = 2;
	pc_doctor_judge_if(&f, &d);
	HAS(find(&d, "tc_programs")->found,
	    "tcx egress: program id 9 (portcullis_egre), portcullis's, clsact ingress: program "
	    "id 11 (other)");
}

TEST(json_carries_the_statuses_and_escapes)
{
	struct pc_doctor d = { 0 };
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	d.v[0] = (struct pc_check){ .status = PC_CHECK_WARN, .name = "mtu", .found = "a \"b\"" };
	d.v[1] = (struct pc_check){ .status = PC_CHECK_OK, .name = "jit", .found = "x" };
	d.n = 2;
	pc_doctor_print(&d, "eth0", true, out);
	fclose(out);
	HAS(buf, "{\"interface\":\"eth0\",\"checks\":[{\"name\":\"mtu\",\"status\":\"warn\","
		 "\"found\":\"a \\\"b\\\"\",\"advice\":null}");
	HAS(buf, "\"ok\":1,\"warn\":1,\"fail\":0}");
	free(buf);
}
