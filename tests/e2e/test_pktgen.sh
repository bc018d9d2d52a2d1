#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# scripts/pktgen.sh without sending: the /proc/net/pktgen commands of a flow and of a mix (--dry-run), its report of pkts-sofar and errors (from a fake /proc/net/pktgen), the clear error when the kernel has no pktgen, and its usage errors.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(flow_commands flow_per_thread mix_udp_streams mix_skips_others mix_counts_weights
	report_sofar_and_errors report_warns_on_errors report_quiet_without_errors
	missing_module usage_required usage_bad_mac)
. tests/e2e/lib.sh

pg() { bash scripts/pktgen.sh "$@"; }
has() { grep -qxF -- "$1" "$2"; }

pg --dry-run -i eth9 -d 192.0.2.1 -m 52:54:00:12:34:56 -t 2 -n 1000 -s 128 -p 1-1024 \
	-q 5000 -r 198.51.100.1-198.51.100.9 -v 7 >"$tmp/flow" 2>"$tmp/flow.err"
p=/proc/net/pktgen
check flow_commands "missing commands in: $(tr '\n' ';' <"$tmp/flow" | head -c 600)" eval '
	has "echo \"rem_device_all\" > $p/kpktgend_0" "$tmp/flow" &&
	has "echo \"add_device eth9@0\" > $p/kpktgend_0" "$tmp/flow" &&
	has "echo \"count 1000\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"pkt_size 124\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"dst_mac 52:54:00:12:34:56\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"dst 192.0.2.1\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"src_min 198.51.100.1\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"src_max 198.51.100.9\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"udp_dst_min 1\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"udp_dst_max 1024\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"flag UDPDST_RND\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"udp_src_min 5000\" > $p/eth9@0" "$tmp/flow" &&
	has "echo \"vlan_id 7\" > $p/eth9@0" "$tmp/flow" &&
	[ "$(tail -n 1 "$tmp/flow")" = "echo \"start\" > $p/pgctrl" ]'
check flow_per_thread "expected a device on each of 2 threads: $(grep add_device "$tmp/flow" | tr '\n' ';')" eval '
	has "echo \"add_device eth9@1\" > $p/kpktgend_1" "$tmp/flow" &&
	[ "$(grep -c add_device "$tmp/flow")" -eq 2 ]'

"$PC_BIN" mix --profile profiles/spammertrap.conf --mix profile >"$tmp/cells.mix" 2>&1
printf 'heavy 3 reply udp from 2001:db8::53 port 53 to 2001:db8::1 port 40000 vlan 5\n' >>"$tmp/cells.mix"
pg --dry-run -i eth9 -d 192.0.2.1 -m 52:54:00:12:34:56 -t 2 -n 10 --mix "$tmp/cells.mix" \
	>"$tmp/mix" 2>"$tmp/mix.err"
udp=$(grep -cE '^[^#]* udp ' "$tmp/cells.mix")
devs=$(grep -c add_device "$tmp/mix")
check mix_udp_streams "$udp UDP streams in the mix, $devs pktgen devices; $(head -c 300 "$tmp/mix.err")" \
	eval '[ "$udp" -ge 10 ] && [ "$devs" -eq "$udp" ] && grep -q "udp_src_min 53" "$tmp/mix"'
check mix_skips_others "no skipped TCP/ICMP/ARP streams reported: $(head -c 300 "$tmp/mix.err")" eval '
	grep -qE "skipped l[0-9]+-tcp-25: pktgen sends UDP only \(tcp\)" "$tmp/mix.err" &&
	grep -q "skipped arp: pktgen sends UDP only (arp)" "$tmp/mix.err"'
last=$((devs - 1))
check mix_counts_weights "the weight-3 IPv6 stream: $(grep "eth9@$last\"*$" "$tmp/mix" | tr '\n' ';' | head -c 400)" eval '
	has "echo \"count 30\" > $p/eth9@$last" "$tmp/mix" &&
	has "echo \"flag IPV6\" > $p/eth9@$last" "$tmp/mix" &&
	has "echo \"dst6 2001:db8::1\" > $p/eth9@$last" "$tmp/mix" &&
	has "echo \"vlan_id 5\" > $p/eth9@$last" "$tmp/mix" &&
	has "echo \"count 10\" > $p/eth9@0" "$tmp/mix"'

# A device file as pktgen writes it after a run (net/core/pktgen.c, pktgen_if_show):
# errors counts the frames the device refused, which pkts-sofar leaves out; the
# result's second line repeats an errors field that must not be taken instead.
pg_result() # SOFAR ERRORS
{
	cat <<EOF
Params: count 1000  min_pkt_size: 60  max_pkt_size: 60
     frags: 0  delay: 0  clone_skb: 0  ifname: eth9@0
     Flags: NO_TIMESTAMP  QUEUE_MAP_CPU
Current:
     pkts-sofar: $1  errors: $2
     started: 1000us  stopped: 5000us idle: 10us
     seq_num: $(($1 + 1))  cur_dst_mac_offset: 0  cur_src_mac_offset: 0
Result: OK: 4000(c3990+d10) usec, $1 (60byte,0frags)
  250000pps 120Mb/sec (120000000bps) errors: 99
EOF
}
fake=$tmp/fake-pktgen
mkdir -p "$fake"
pg_result 1000 0 >"$fake/eth9@0"
pg_result 983 17 >"$fake/eth9@1"
PKTGEN_PROC=$fake pg -i eth9 --report >"$tmp/rep" 2>"$tmp/rep.err"
rc=$?
check report_sofar_and_errors "exit $rc: $(cat "$tmp/rep" "$tmp/rep.err" | tr '\n' ';' | head -c 500)" eval '
	[ "$rc" -eq 0 ] &&
	grep -q "^eth9@0: pkts-sofar: 1000 errors: 0 Result: OK: 4000" "$tmp/rep" &&
	grep -q "^eth9@1: pkts-sofar: 983 errors: 17 Result: OK: 4000" "$tmp/rep"'
check report_warns_on_errors "no warning about the 17 errors of eth9@1: $(head -c 300 "$tmp/rep.err")" \
	grep -q "warning: 17 frames were refused by the device (errors: on eth9@1)" "$tmp/rep.err"
rm "$fake/eth9@1"
PKTGEN_PROC=$fake pg -i eth9 --report >"$tmp/rep0" 2>"$tmp/rep0.err"
check report_quiet_without_errors "with errors 0: $(cat "$tmp/rep0" "$tmp/rep0.err" | tr '\n' ';' | head -c 300)" \
	eval '[ ! -s "$tmp/rep0.err" ] && [ "$(wc -l <"$tmp/rep0")" -eq 1 ]'

PKTGEN_PROC=$tmp/no-pktgen pg -i eth9 -d 192.0.2.1 -m 52:54:00:12:34:56 >"$tmp/nomod" 2>&1
rc=$?
check missing_module "exit $rc: $(cat "$tmp/nomod")" eval '[ "$rc" -eq 1 ] &&
	grep -q "the kernel has no pktgen.*modprobe pktgen.*portcullis flood eth9" "$tmp/nomod"'
pg -i eth9 -d 192.0.2.1 >"$tmp/u1" 2>&1
rc=$?
check usage_required "exit $rc: $(tail -n 1 "$tmp/u1")" eval '[ "$rc" -eq 2 ] && grep -q "are required" "$tmp/u1"'
pg -i eth9 -d 192.0.2.1 -m 52:54:00:12:34 --dry-run >"$tmp/u2" 2>&1
rc=$?
check usage_bad_mac "exit $rc: $(tail -n 1 "$tmp/u2")" eval '[ "$rc" -eq 2 ] && grep -q "takes a MAC address" "$tmp/u2"'
finish "not reached"
