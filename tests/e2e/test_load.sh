#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: load the SpammerTrap profile onto a veth, send traffic, read the counters, survive a broken reload, load the Libraesva profile over it, unload.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary,
# PORTCULLIS overrides it.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
PROFILE=profiles/spammertrap.conf

CHECKS=(check_spammertrap check_libraesva topology load attached own_dns own_ntp own_smtp_out
	own_mysql_no_reply tcp_25_allowed
	tcp_2222_dropped ping_internet_dropped ping_lan_allowed stats_json rule_25_counted
	rule_icmp_lan_counted rule_icmp_internet_idle no_match_counted counter_invariant
	status_lists_iface status_counts_maps stats_prometheus stats_watch_rates
	broken_profile_exit_2 broken_profile_diagnostic broken_keeps_old_profile
	broken_keeps_counting explain_drop explain_pass explain_reply explain_non_ip
	explain_leaves_counters
	reload_exit_0 reload_carries_counters reload_reports_change
	reload_applies confirm_pending confirm_refuses_second_load rollback_restores
	rollback_keeps_counters confirm_keeps libraesva_loads libraesva_own_dns
	libraesva_own_smtp_out libraesva_no_ntp unload_exit_0 unload_detaches unload_removes_pins
	unload_lets_traffic_through)
. tests/e2e/lib.sh

# --- check: parse and compile only ----------------------------------------------------
"$PC_BIN" check "$PROFILE" >"$tmp/check1" 2>&1
rc=$?
check check_spammertrap "check $PROFILE exited $rc: $(grep -m 2 -E 'error|warning' "$tmp/check1" | tr '\n' ' ')" [ "$rc" -eq 0 ]
"$PC_BIN" check profiles/libraesva-esg.conf >"$tmp/check2" 2>&1
rc=$?
check check_libraesva "check profiles/libraesva-esg.conf exited $rc: $(grep -m 2 -E 'error|warning' "$tmp/check2" | tr '\n' ' ')" [ "$rc" -eq 0 ]

. scripts/netns.sh

set_up_or_finish topology eval 'topo_up && pc_listen 25 2222 &&
	pins=$(pc_state_dir "$PC_NS_APP" "$PC_IF_APP")'

xdp_attached() { ip -n "$PC_NS_APP" -d link show dev "$PC_IF_APP" | grep -q 'prog/xdp\|xdpgeneric\|xdp '; }
stats_json() { pc_cli stats "$PC_IF_APP" --json >"$1" 2>"$1.err" && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$1" 2>>"$1.err"; }

# --- load ------------------------------------------------------------------------------
load_or_finish "$PROFILE"
check attached "ip -d link show $PC_IF_APP shows no XDP program" xdp_attached

# --- the appliance's own traffic, state on (the shipped default) -------------------------
# One question of the appliance to the peer: check NAME, what was asked, the answer
# expected, then the pc_ask_* command.
asks() {
	local name=$1 what=$2 want=$3 a
	shift 3
	a=$("$@")
	check "$name" "$what got '$a', expected '$want'" [ "$a" = "$want" ]
}

if pc_peer_serve udp:53 udp:123 tcp:25 2>"$tmp/serve.err"; then
	asks own_dns "the appliance's DNS query" "answer:query" pc_ask_udp "$PC_PEER4" 53
	asks own_ntp "the appliance's NTP query over IPv6" "answer:query" pc_ask_udp "$PC_PEER6" 123
	asks own_smtp_out "the appliance's SMTP connection" "hello from 25" pc_ask_tcp "$PC_PEER4" 25
	asks own_mysql_no_reply "a connection to 3306 (no out rule)" failed pc_ask_tcp "$PC_PEER4" 3306
else
	fail own_dns "the peer's servers did not start: $(tr '\n' ' ' <"$tmp/serve.err")"
fi

# --- traffic -----------------------------------------------------------------------------
read -r tx0p tx0b < <(pc_tx_counters)
stats_json "$tmp/s0.json" || { fail stats_json "stats --json: $(head -c 300 "$tmp/s0.json.err")"; finish "no stats"; }
read -r tx1p tx1b < <(pc_tx_counters)

out=$(pc_tcp "$PC_APP4" 25 3 2>&1)
check tcp_25_allowed "connect $PC_PEER4 -> $PC_APP4:25 failed: $out" \
	[ "${out#220 }" != "$out" ]
pc_tcp "$PC_APP4" 2222 3 >/dev/null 2>&1
rc=$?
check tcp_2222_dropped "connect to $PC_APP4:2222 ended with status $rc, expected a timeout (124)" \
	[ "$rc" -eq 124 ]
pc_ping "$PC_APP4" 3 "$PC_PEER4" >"$tmp/ping_inet" 2>&1
rc=$?
check ping_internet_dropped "ping $PC_PEER4 -> $PC_APP4: $(tail -n 1 "$tmp/ping_inet")" [ "$rc" -eq 1 ]
pc_ping "$PC_APP4_LAN" 3 "$PC_PEER4_LAN" >"$tmp/ping_lan" 2>&1
rc=$?
check ping_lan_allowed "ping $PC_PEER4_LAN -> $PC_APP4_LAN: $(tail -n 1 "$tmp/ping_lan")" [ "$rc" -eq 0 ]
pc_udp "$PC_APP4" 161 5

read -r tx2p tx2b < <(pc_tx_counters)
if stats_json "$tmp/s1.json"; then
	ok stats_json
else
	fail stats_json "stats --json: $(head -c 300 "$tmp/s1.json.err")"
	finish "no stats"
fi
read -r tx3p tx3b < <(pc_tx_counters)

# Compares the two snapshots. Frame sizes: an ICMP echo of netns.sh is 14 + 20 + 8 + 10
# bytes, a UDP datagram 14 + 20 + 8 + 12, a SYN 14 + 20 + 40. The peer's tx counters
# bracket each snapshot, so the frames the program saw in between, which is the sum of
# all its counters, lie in [tx2 - tx1, tx3 - tx0].
python3 - "$tmp/s0.json" "$tmp/s1.json" "$tx0p" "$tx1p" "$tx2p" "$tx3p" \
	"$tx0b" "$tx1b" "$tx2b" "$tx3b" >"$tmp/cmp" 2>&1 <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
t = [int(x) for x in sys.argv[3:11]]
tp, tb = t[:4], t[4:]

def res(name, good, why):
    print(("PASS|%s|" % name) if good else ("FAIL|%s|%s" % (name, why)))

def find(s, **want):
    for r in s["rules"]:
        if all(str(r.get(k)) == v or (k == "match" and v in str(r.get(k))) for k, v in want.items()):
            return r
    return None

def delta(want, field="packets"):
    ra, rb = find(a, **want), find(b, **want)
    if ra is None or rb is None:
        return None
    return rb[field] - ra[field]

def total(s, field):
    return sum(r[field] for r in s["rules"]) + sum(v[field] for v in s["implicit"].values())

r25 = dict(direction="in", peer="internet", proto="tcp", match="port 25")
lan = dict(direction="in", peer="lan", proto="icmp", match="type")
inet = dict(direction="in", peer="internet", proto="icmp", match="type")
d = delta(r25)
res("rule_25_counted", d is not None and d >= 3,
    "rule %s not found" % r25 if d is None else
    "port-25 rule counted %d packets, expected >= 3 (SYN, ACK, FIN)" % d)
d, db = delta(lan), delta(lan, "bytes")
res("rule_icmp_lan_counted", d == 3 and db == 3 * 52,
    "rule %s not found" % lan if d is None else
    "lan ICMP rule counted %d packets / %d bytes, expected 3 / 156" % (d, db))
d = delta(inet)
res("rule_icmp_internet_idle", d == 0,
    "rule %s not found" % inet if d is None else
    "internet ICMP rule counted %d packets, expected 0 (echo-request is not allowed)" % d)
nm = b["implicit"]["no_match"]["packets"] - a["implicit"]["no_match"]["packets"]
nmb = b["implicit"]["no_match"]["bytes"] - a["implicit"]["no_match"]["bytes"]
# 3 pings and 5 datagrams exactly, at least one SYN to 2222.
res("no_match_counted", nm >= 9 and nmb >= 3 * 52 + 5 * 54 + 74,
    "no-match counted %d packets / %d bytes, expected >= 9 / >= %d"
    % (nm, nmb, 3 * 52 + 5 * 54 + 74))
dp, dbytes = total(b, "packets") - total(a, "packets"), total(b, "bytes") - total(a, "bytes")
# veth counts tx bytes after the Ethernet header has been pulled, XDP sees whole frames.
lo_b, hi_b = tb[2] - tb[1], tb[3] - tb[0]
bytes_ok = lo_b <= dbytes - 14 * dp <= hi_b or lo_b <= dbytes <= hi_b
res("counter_invariant", tp[2] - tp[1] <= dp <= tp[3] - tp[0] and bytes_ok,
    "counters grew by %d packets / %d bytes; the peer sent %d..%d packets / %d..%d bytes"
    " (+ 14 per frame)" % (dp, dbytes, tp[2] - tp[1], tp[3] - tp[0], lo_b, hi_b))
EOF
results "$tmp/cmp" counter_invariant

pc_cli stats "$PC_IF_APP" --prometheus >"$tmp/prom" 2>&1
check stats_prometheus "stats --prometheus is not the text exposition format: $(grep -vE '^# (HELP|TYPE) portcullis_|^portcullis_[a-z_]+\{[^}]*\} [0-9]+$' "$tmp/prom" | head -c 200)" \
	eval '! grep -qvE "^# (HELP|TYPE) portcullis_|^portcullis_[a-z_]+\{[^}]*\} [0-9]+$" "$tmp/prom" && grep -q "^portcullis_rule_packets_total{iface=\"$PC_IF_APP\",line=\"[0-9]*\",action=\"allow\",direction=\"in\",zone=\"internet\",proto=\"tcp\",match=\"port 25\",label=\"SMTP: receive email\"} [1-9]" "$tmp/prom" && grep -q "^portcullis_implicit_bytes_total{iface=\"$PC_IF_APP\",outcome=\"no-match\"} [1-9]" "$tmp/prom"'
timeout 2.5 nsenter --net="/run/netns/$PC_NS_APP" "$PC_BIN" stats "$PC_IF_APP" --watch 1 >"$tmp/watch" 2>&1
check stats_watch_rates "stats --watch 1 printed $(grep -c '^ line' "$tmp/watch") tables, the later ones without a pkt/s column" \
	eval '[ "$(grep -c "^ line" "$tmp/watch")" -ge 2 ] && [ "$(grep -c "^ line.*pkt/s" "$tmp/watch")" -eq "$(( $(grep -c "^ line" "$tmp/watch") - 1 ))" ]'
pc_cli status >"$tmp/status" 2>&1
check status_lists_iface "status does not mention $PC_IF_APP: $(head -c 200 "$tmp/status")" \
	grep -qw "$PC_IF_APP" "$tmp/status"
# Every pinned map counts: at least the two 256 KiB trie roots and the 256 KiB ring.
pc_cli status "$PC_IF_APP" --json >"$tmp/status.json" 2>&1
check status_counts_maps "status --json map_bytes: $(head -c 300 "$tmp/status.json")" \
	python3 -c 'import json, sys; s = json.load(open(sys.argv[1]))["interfaces"][0]; sys.exit(not (s["attached"] and s["map_bytes"] >= 3 * 262144 and 65536 * 24 <= s["flow_bytes"] < s["map_bytes"]))' "$tmp/status.json"

# --- a broken profile changes nothing ------------------------------------------------------
broken=$tmp/broken.conf
printf '%s\n' '# a typo on line 3' 'zone lan 10.0.0.0/8' 'alow in from lan tcp port 25' >"$broken"
pc_cli load "$PC_IF_APP" "$broken" >"$tmp/broken.out" 2>"$tmp/broken.err"
rc=$?
check broken_profile_exit_2 "load of a broken profile exited $rc, expected 2" [ "$rc" -eq 2 ]
check broken_profile_diagnostic "no '$broken:3:COL: error:' on stderr: $(head -n 2 "$tmp/broken.err" | tr '\n' ' ')" \
	grep -q "^$broken:3:[0-9]*: error:" "$tmp/broken.err"
stats_json "$tmp/s2.json"
check broken_keeps_old_profile "after the failed load, app0 has no XDP program or another profile" \
	eval 'xdp_attached && python3 -c "import json,sys; sys.exit(not json.load(open(sys.argv[1]))[\"profile\"].endswith(\"spammertrap.conf\"))" "$tmp/s2.json"'
pc_ping "$PC_APP4_LAN" 2 "$PC_PEER4_LAN" >/dev/null 2>&1
stats_json "$tmp/s3.json"
n=$(python3 -c '
import json, sys
def lan(p):
    for r in json.load(open(p))["rules"]:
        if r["direction"] == "in" and r["peer"] == "lan" and r["proto"] == "icmp":
            return r["packets"]
print(lan(sys.argv[2]) - lan(sys.argv[1]))' "$tmp/s2.json" "$tmp/s3.json" 2>&1)
check broken_keeps_counting "2 LAN pings after the failed load counted as: $n" [ "$n" = 2 ]

# --- explain: the running program's answer, without moving its counters --------------
stats_json "$tmp/e0.json"
pc_cli explain "$PC_IF_APP" tcp from "$PC_PEER4" to port 22 >"$tmp/explain22" 2>&1
check explain_drop "explain of ssh from the internet: $(tr '\n' ' ' <"$tmp/explain22")" \
	grep -q "^verdict  DROP" "$tmp/explain22"
pc_cli explain "$PC_IF_APP" tcp from "$PC_PEER4" to port 25 >"$tmp/explain25" 2>&1
check explain_pass "explain of smtp from the internet: $(tr '\n' ' ' <"$tmp/explain25")" \
	eval 'grep -q "^verdict  PASS" "$tmp/explain25" && grep -q "SMTP: receive email" "$tmp/explain25" && grep -q "spammertrap.conf:[0-9]" "$tmp/explain25"'
# The twin must run with the profile's settings: state on (a reply without a flow is
# a look-alike), the non-ip policy for ARP.
pc_cli explain "$PC_IF_APP" udp from "$PC_PEER4" port 53 to port 40000 >"$tmp/explain53" 2>&1
check explain_reply "explain of a DNS reply without a flow: $(tr '\n' ' ' <"$tmp/explain53")" \
	eval 'grep -q "^verdict  DROP" "$tmp/explain53" && grep -q "no flow the appliance opened" "$tmp/explain53"'
pc_cli explain "$PC_IF_APP" arp >"$tmp/explainarp" 2>&1
check explain_non_ip "explain of ARP: $(tr '\n' ' ' <"$tmp/explainarp")" \
	eval 'grep -q "^verdict  PASS" "$tmp/explainarp" && grep -q "non-ip" "$tmp/explainarp"'
stats_json "$tmp/e1.json"
n=$(python3 -c '
import json, sys
def smtp(p):
    return [r["packets"] for r in json.load(open(p))["rules"] if r["label"] == "SMTP: receive email"][0]
print(smtp(sys.argv[2]) - smtp(sys.argv[1]))' "$tmp/e0.json" "$tmp/e1.json" 2>&1)
check explain_leaves_counters "explain moved the SMTP rule's counter by: $n" [ "$n" = 0 ]

# --- reload: replace atomically, carry the counters of unchanged rules -------------------
sed 's/^allow in from internet tcp port 113 .*/allow in from internet tcp port 2222 "test: a new rule"/' \
	"$PROFILE" >"$tmp/reload.conf"
lan_before=$(python3 -c '
import json, sys
print([r["packets"] for r in json.load(open(sys.argv[1]))["rules"] if r["peer"] == "lan" and r["proto"] == "icmp"][0])' "$tmp/e1.json")
pc_cli load "$PC_IF_APP" "$tmp/reload.conf" >"$tmp/reload.out" 2>&1
rc=$?
check reload_exit_0 "reload exited $rc: $(tr '\n' ' ' <"$tmp/reload.out")" [ "$rc" -eq 0 ]
stats_json "$tmp/r1.json"
n=$(python3 -c '
import json, sys
print([r["packets"] for r in json.load(open(sys.argv[1]))["rules"] if r["peer"] == "lan" and r["proto"] == "icmp"][0])' "$tmp/r1.json" 2>&1)
check reload_carries_counters "lan ICMP counter was $lan_before before the reload, $n after" \
	[ "$n" = "$lan_before" ]
check reload_reports_change "load did not list the removed and the added rule: $(tr '\n' ' ' <"$tmp/reload.out")" \
	eval 'grep -q "^  - .*port 113" "$tmp/reload.out" && grep -q "^  + .*port 2222" "$tmp/reload.out"'
out=$(pc_tcp "$PC_APP4" 2222 3 2>&1)
check reload_applies "port 2222 still refused after the reload allowed it: $out" \
	[ "${out#220 }" != "$out" ]

# --- load --confirm: unconfirmed, the previous profile comes back by itself --------------
lan_icmp() {
	python3 -c '
import json, sys
print([r["packets"] for r in json.load(open(sys.argv[1]))["rules"] if r["peer"] == "lan" and r["proto"] == "icmp"][0])' "$1"
}
pc_cli load "$PC_IF_APP" "$PROFILE" --confirm 3 >"$tmp/confirm.out" 2>&1
pc_cli status "$PC_IF_APP" >"$tmp/confirm.status" 2>&1
check confirm_pending "status shows no pending confirmation: $(tr '\n' ' ' <"$tmp/confirm.status")" \
	grep -q "AWAITING CONFIRMATION" "$tmp/confirm.status"
pc_cli load "$PC_IF_APP" "$PROFILE" >"$tmp/second.out" 2>&1
rc=$?
check confirm_refuses_second_load "a second load during the confirm window exited $rc: $(tr '\n' ' ' <"$tmp/second.out")" \
	[ "$rc" -eq 2 ]
stats_json "$tmp/c0.json"
pc_ping "$PC_APP4_LAN" 2 "$PC_PEER4_LAN" >/dev/null 2>&1
sleep 4
stats_json "$tmp/c1.json"
check rollback_restores "after 4 s without confirm the profile is $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profile"])' "$tmp/c1.json" 2>&1), expected reload.conf back" \
	eval 'python3 -c "import json,sys; sys.exit(not json.load(open(sys.argv[1]))[\"profile\"].endswith(\"reload.conf\"))" "$tmp/c1.json" && ! grep -q AWAITING <(pc_cli status "$PC_IF_APP")'
a=$(lan_icmp "$tmp/c0.json") b=$(lan_icmp "$tmp/c1.json")
check rollback_keeps_counters "lan ICMP counter went from $a to $b across 2 pings and a rollback" \
	[ "$b" -eq $((a + 2)) ]
pc_cli load "$PC_IF_APP" "$PROFILE" --confirm 2 >/dev/null 2>&1
pc_cli confirm "$PC_IF_APP" >"$tmp/confirm2.out" 2>&1
sleep 3
stats_json "$tmp/c2.json"
check confirm_keeps "after confirm the profile is $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profile"])' "$tmp/c2.json" 2>&1): $(tr '\n' ' ' <"$tmp/confirm2.out")" \
	eval 'python3 -c "import json,sys; sys.exit(not json.load(open(sys.argv[1]))[\"profile\"].endswith(\"spammertrap.conf\"))" "$tmp/c2.json" && [ "$(ls -d "$pins"/g* | wc -l)" -eq 1 ]'

# --- the other seed profile, state on, onto the same appliance -----------------------------
# Libraesva's list has DNS and SMTP out but no NTP: the appliance's NTP query leaves
# (egress is open) and its answer, which no out rule expects, is dropped.
pc_cli load "$PC_IF_APP" profiles/libraesva-esg.conf >"$tmp/esg.out" 2>&1
rc=$?
check libraesva_loads "load profiles/libraesva-esg.conf exited $rc: $(head -n 3 "$tmp/esg.out" | tr '\n' ' ')" \
	eval '[ "$rc" -eq 0 ] && pc_cli status "$PC_IF_APP" | grep -q "state on"'
asks libraesva_own_dns "under libraesva-esg the appliance's DNS query" "answer:query" \
	pc_ask_udp "$PC_PEER4" 53
asks libraesva_own_smtp_out "under libraesva-esg the appliance's SMTP connection" "hello from 25" \
	pc_ask_tcp "$PC_PEER4" 25
asks libraesva_no_ntp "under libraesva-esg (no NTP rule) the NTP query" timeout \
	pc_ask_udp "$PC_PEER4" 123

# --- unload ------------------------------------------------------------------------------------
pc_cli unload "$PC_IF_APP" >"$tmp/unload" 2>&1
rc=$?
check unload_exit_0 "unload exited $rc: $(head -n 2 "$tmp/unload" | tr '\n' ' ')" [ "$rc" -eq 0 ]
check unload_detaches "ip -d link show $PC_IF_APP still shows an XDP program" eval '! xdp_attached'
check unload_removes_pins "pins remain: $(ls "$pins" 2>/dev/null | tr '\n' ' ')" \
	eval '[ -n "$pins" ] && [ ! -e "$pins" ]'
[ "$rc" -eq 0 ] && PC_LOADED=0
answered() { pc_ping "$@" >/dev/null 2>&1; }
check unload_lets_traffic_through "ping $PC_PEER4 -> $PC_APP4 still unanswered after unload" \
	answered "$PC_APP4" 1 "$PC_PEER4"

finish "not reached"
