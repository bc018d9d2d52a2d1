#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end, state on: the appliance's own flows come back through the egress hook's
# flow table, look-alikes from the same ports do not, ICMP errors about its flows
# arrive, sessions opened before the load survive it, and `egress enforce` stops what
# no out rule allows.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

CHECKS=(topology early_session load load_reports_seed egress_hook_in_status dns_reply
	dns_reply_v6 dns_reply_counted tcp_out tcp_out_v6 unsolicited_udp_53_dropped
	unsolicited_udp_53_counted tcp_ack_2703_dropped icmp_unreachable_reaches_socket
	icmp_unreachable_counted icmp_unreachable_unrelated_dropped ping_out
	early_session_survives early_session_flow_from_socket flows_json explain_flow_reply
	flows_table
	reload_carries_egress_counts reload_keeps_flows enforce_blocks enforce_counts enforce_keeps_dns
	enforce_keeps_inbound_smtp unload_removes_egress_hook)
. tests/e2e/lib.sh
. scripts/netns.sh

# A mail appliance that receives SMTP and opens DNS, Razor, NTP, submission and pings;
# no in rule admits ICMP, so ICMP errors reach it only through the flow table.
cat >"$tmp/state.conf" <<'EOF'
allow in tcp port 25                  "SMTP in"
allow out tcp,udp port 53             "DNS"
allow out tcp port 2703               "Razor"
allow out udp port 123                "NTP"
allow out tcp port 587                "submission"
allow out icmp type echo-request      "pings"
allow out icmp6 type echo-request     "pings6"
EOF
{ cat "$tmp/state.conf"; echo "set egress enforce"; } >"$tmp/enforce.conf"
line_of() { grep -n "\"$1\"" "$tmp/state.conf" | cut -d: -f1; }

pc_topo_up 2>"$tmp/topo.err"
rc=$?
trap 'pc_topo_down; rm -rf "$tmp"' EXIT
if [ "$rc" -ne 0 ] || ! pc_listen 25 2>>"$tmp/topo.err"; then
	fail topology "$(tr '\n' ' ' <"$tmp/topo.err")"
	finish "no topology"
fi

# The peer's services: a DNS-style UDP echo on 53, greeting TCP servers on 2703 and
# 8080, and on 587 one that greets, then speaks again only once $tmp/go exists.
if ! PC_SERVE_GO=$tmp/go pc_peer_serve udp:53 tcp:2703 late:587 tcp:8080 2>"$tmp/peer.err"; then
	fail topology "$(tr '\n' ' ' <"$tmp/peer.err")"
	finish "no topology"
fi
ok topology

# Runs python code in the appliance namespace, bounded in time.
app_py() { local secs=$1; shift; pc_app timeout "$secs" python3 -c "$@"; }

# stats --json, one number out of it: a rule's (by line) or an implicit counter (its
# JSON key: no_match).
stat() {
	pc_cli stats "$PC_IF_APP" --json | python3 -c '
import json, sys
d, what, side = json.load(sys.stdin), sys.argv[1], sys.argv[2]
if what.isdigit():
    r = [r for r in d["rules"] if r["line"] == int(what)][0]
    print((r["egress"] if side == "egress" else r)["packets"])
else:
    print((d["egress_implicit"] if side == "egress" else d["implicit"])[what]["packets"])
' "$1" "${2:-ingress}"
}

# --- a session opened before the load ---------------------------------------------
# The second line comes once every check up to "the session opened before the load"
# has run: minutes under emulation (make vmtest), so the wait is long but bounded.
app_py 600 '
import socket, sys
s = socket.create_connection(("192.0.2.2", 587), timeout=3)
f = s.makefile()
first = f.readline().strip()
open(sys.argv[1], "w").write(first + "\n")
s.settimeout(540)
try:
    second = f.readline().strip()
except OSError as e:
    second = "error: %s" % e
open(sys.argv[2], "w").write(second + "\n")
' "$tmp/early.1" "$tmp/early.2" >/dev/null 2>&1 &
PC_PIDS+=("$!")
wait_file "$tmp/early.1"
check early_session "the session to port 587 did not start: $(cat "$tmp/early.1" 2>/dev/null)" \
	grep -q hello1 "$tmp/early.1"

# --- load ------------------------------------------------------------------------------
load_or_finish "$tmp/state.conf"
check load_reports_seed "load did not report the open connection: $(tr '\n' ' ' <"$tmp/load.out")" \
	grep -q "open connections: [1-9][0-9]* recorded as flows" "$tmp/load.out"
pc_cli status "$PC_IF_APP" >"$tmp/status" 2>&1
check egress_hook_in_status "status does not name the egress hook: $(tr '\n' ' ' <"$tmp/status")" \
	grep -qE "egress hook (tcx \(link|clsact \(program) id [1-9]" "$tmp/status"

# --- the appliance's own flows ---------------------------------------------------------
dns_before=$(stat "$(line_of DNS)")
a=$(pc_ask_udp "$PC_PEER4" 53)
check dns_reply "the DNS query got '$a'" [ "$a" = "answer:query" ]
a=$(pc_ask_udp "$PC_PEER6" 53)
check dns_reply_v6 "the DNS query over IPv6 got '$a'" [ "$a" = "answer:query" ]
dns_after=$(stat "$(line_of DNS)")
check dns_reply_counted "the DNS rule counted $dns_before -> $dns_after, expected 2 replies" \
	[ "$((dns_after - dns_before))" -eq 2 ]
a=$(pc_ask_tcp "$PC_PEER4" 2703)
check tcp_out "the connection to 2703 got '$a'" [ "$a" = "hello from 2703" ]
a=$(pc_ask_tcp "$PC_PEER6" 2703)
check tcp_out_v6 "the connection to [2001:db8::2]:2703 got '$a'" [ "$a" = "hello from 2703" ]

# --- look-alikes from the same ports ------------------------------------------------
app_py 10 '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 40053))
s.settimeout(2)
open(sys.argv[1], "w").write("ready\n")
n = 0
try:
    while True:
        s.recv(100)
        n += 1
except socket.timeout:
    pass
open(sys.argv[2], "w").write("%d\n" % n)
' "$tmp/uns.ready" "$tmp/uns.count" &
listener=$!
wait_file "$tmp/uns.ready"
nm_before=$(stat no_match)
pc_peer timeout 5 python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.2", 53))
for i in range(3):
    s.sendto(b"unsolicited", ("192.0.2.1", 40053))
'
wait "$listener"
check unsolicited_udp_53_dropped "the appliance received $(cat "$tmp/uns.count" 2>/dev/null) unsolicited datagrams from port 53" \
	[ "$(cat "$tmp/uns.count" 2>/dev/null)" = 0 ]
nm_after=$(stat no_match)
check unsolicited_udp_53_counted "no-match went $nm_before -> $nm_after, expected +3 or more" \
	[ "$((nm_after - nm_before))" -ge 3 ]

razor_before=$(stat "$(line_of Razor)")
nm_before=$(stat no_match)
pc_peer timeout 5 python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
# source port 2703, destination 40000, ACK only: what a static firewall lets in
s.sendto(struct.pack("!HHIIBBHHH", 2703, 40000, 1, 1, 5 << 4, 0x10, 65535, 0, 0),
         ("192.0.2.1", 0))
'
sleep 0.3
razor_after=$(stat "$(line_of Razor)")
nm_after=$(stat no_match)
check tcp_ack_2703_dropped "Razor rule $razor_before -> $razor_after, no-match $nm_before -> $nm_after: the ACK was not dropped as no-match" \
	eval '[ "$razor_after" = "$razor_before" ] && [ "$((nm_after - nm_before))" -ge 1 ]'

# --- ICMP errors about the appliance's flows ------------------------------------------
ntp_before=$(stat "$(line_of NTP)")
a=$(pc_ask_udp "$PC_PEER4" 123)
check icmp_unreachable_reaches_socket "the connected UDP socket to port 123 got '$a', expected refused" \
	[ "$a" = refused ]
ntp_after=$(stat "$(line_of NTP)")
check icmp_unreachable_counted "the NTP rule counted $ntp_before -> $ntp_after, expected the ICMP error" \
	[ "$((ntp_after - ntp_before))" -eq 1 ]
a=$(pc_ask_udp "$PC_PEER4" 5353)
check icmp_unreachable_unrelated_dropped "a socket to 5353 (no out rule) got '$a', expected timeout" \
	[ "$a" = timeout ]
ping_peer() { pc_app timeout 5 ping -c 1 -W 2 "$PC_PEER4" >/dev/null 2>&1; }
check ping_out "ping from the appliance to the peer (echo-request out rule) failed" ping_peer

# --- the session opened before the load ---------------------------------------------
touch "$tmp/go"
wait_file "$tmp/early.2"
check early_session_survives "after the load the early session read '$(cat "$tmp/early.2" 2>/dev/null)'" \
	grep -q hello2 "$tmp/early.2"

pc_cli flows "$PC_IF_APP" --json >"$tmp/flows.json" 2>&1
flows_has() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
want = dict(a.split("=", 1) for a in sys.argv[2:])
def match(f):
    for k, v in want.items():
        x = f["rule"]["line"] if k == "line" and f["rule"] else f.get(k)
        if str(x) != v:
            return False
    return True
sys.exit(0 if any(match(f) for f in d["flows"]) else 1)
' "$tmp/flows.json" "$@"
}
check early_session_flow_from_socket "flows --json has no socket-origin flow to 587: $(head -c 400 "$tmp/flows.json")" \
	flows_has proto=tcp peer_port=587 origin=socket "line=$(line_of submission)"
check flows_json "flows --json has no open DNS flow on its rule: $(head -c 400 "$tmp/flows.json")" \
	flows_has proto=udp peer_port=53 peer=192.0.2.2 state=open "line=$(line_of DNS)"
# "Why did this pass?" for a real reply: explain runs the program with the live flows.
dns_port=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([f["local_port"] for f in d["flows"] if f["proto"] == "udp" and f["peer_port"] == 53
       and f["peer"] == "192.0.2.2"][0])
' "$tmp/flows.json" 2>/dev/null)
pc_cli explain "$PC_IF_APP" udp from "$PC_PEER4" port 53 to port "${dns_port:-0}" >"$tmp/explain" 2>&1
check explain_flow_reply "explain of the DNS answer to port ${dns_port:-?}: $(tr '\n' ' ' <"$tmp/explain")" \
	eval 'grep -q "^verdict  PASS" "$tmp/explain" && grep -q "a reply of a flow the appliance opened" "$tmp/explain"'
pc_cli flows "$PC_IF_APP" >"$tmp/flows.txt" 2>&1
check flows_table "the flows table lacks the Razor flow: $(head -n 5 "$tmp/flows.txt" | tr '\n' ' ')" \
	grep -q "^tcp .*192.0.2.2:2703 .*line $(line_of Razor): allow out" "$tmp/flows.txt"

# --- reload with egress enforce ---------------------------------------------------------
eg_before=$(stat "$(line_of DNS)" egress)
if pc_cli load "$PC_IF_APP" "$tmp/enforce.conf" >"$tmp/reload.out" 2>&1; then
	eg_after=$(stat "$(line_of DNS)" egress)
	check reload_carries_egress_counts "the DNS rule's egress count went $eg_before -> $eg_after across the reload" \
		eval '[ "$eg_before" -ge 2 ] && [ "$eg_after" -ge "$eg_before" ]'
	pc_cli flows "$PC_IF_APP" --json >"$tmp/flows.json" 2>&1
	check reload_keeps_flows "after the reload the DNS flow is gone or lost its rule: $(head -c 400 "$tmp/flows.json")" \
		flows_has proto=udp peer_port=53 peer=192.0.2.2 "line=$(line_of DNS)"
	enf_before=$(stat no_match egress)
	a=$(pc_ask_tcp "$PC_PEER4" 8080)
	check enforce_blocks "the connection to 8080 (no out rule) got '$a' under egress enforce" \
		[ "$a" = failed ]
	enf_after=$(stat no_match egress)
	check enforce_counts "egress no-match went $enf_before -> $enf_after, expected the SYNs" \
		[ "$((enf_after - enf_before))" -ge 1 ]
	a=$(pc_ask_udp "$PC_PEER4" 53)
	check enforce_keeps_dns "under enforce the DNS query got '$a'" [ "$a" = "answer:query" ]
	smtp_in() { pc_tcp "$PC_APP4" 25 >/dev/null 2>&1; }
	check enforce_keeps_inbound_smtp "under enforce the peer could not talk to port 25" smtp_in
else
	fail reload_keeps_flows "reload with egress enforce failed: $(tail -n 3 "$tmp/reload.out" | tr '\n' ' ')"
fi

pc_cli unload "$PC_IF_APP" >/dev/null 2>&1
PC_LOADED=0
check unload_removes_egress_hook "the egress hook is still attached after unload" \
	bash -c "! nsenter --net=/run/netns/$PC_NS_APP bpftool net show dev $PC_IF_APP | grep -q tcx"

finish "an earlier step failed"
