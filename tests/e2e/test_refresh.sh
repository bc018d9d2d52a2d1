#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: `refresh IFACE` resolves the running profile's host names again and, when an answer changed, swaps the addresses in atomically with counters and flows carried; "no change" touches nothing; a name that stops resolving keeps its addresses; an edited profile is refused; --every repeats, no sooner than the DNS TTL.
#
# The names resolve from a hosts file and a dnsmasq the test controls: both are
# bind-mounted over /etc/hosts and /etc/resolv.conf in a mount namespace of the test's
# own. Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -eq 0 ] && [ -z "${PC_REFRESH_PRIVATE:-}" ]; then
	PC_REFRESH_PRIVATE=1 exec unshare -m --propagation private bash "$0" "$@"
fi

CHECKS=(topology load named_passes other_drops no_change no_change_same_gen
	no_change_same_prog refresh_exit_0 refresh_prints_change refresh_new_gen
	counters_carried flows_kept links_kept new_name_passes old_name_drops explain_new
	gone_exit_0 gone_warns gone_keeps_addresses gone_same_gen edited_refused
	edited_same_gen every_repeats ttl_load ttl_bounds_every)
. tests/e2e/lib.sh

RULE_LABEL="DCC: the name's addresses"
hosts_is() { printf '%s\n' "$@" >"$tmp/hosts"; }
hosts_is "127.0.0.1 localhost"
# The resolver asks 127.0.0.1 of the appliance's namespace: nobody at first (an
# immediate refusal, never a timeout), the test's dnsmasq later.
echo "nameserver 127.0.0.1" >"$tmp/resolv.conf"
if ! mount --bind "$tmp/hosts" /etc/hosts || ! mount --bind "$tmp/resolv.conf" /etc/resolv.conf; then
	fail topology "cannot bind-mount the test's /etc/hosts and /etc/resolv.conf"
	finish "no resolver of the test's own"
fi

. scripts/netns.sh

pc_topo_up 2>"$tmp/topo.err"
rc=$?
trap 'pc_topo_down; rm -rf "$tmp"' EXIT
hosts_is "127.0.0.1 localhost" "$PC_PEER4 dcc.test"
if [ "$rc" -ne 0 ] || ! pc_listen 2222 2>>"$tmp/topo.err" ||
	! pc_peer_serve udp:53 2>>"$tmp/topo.err" ||
	! pins=$(pc_state_dir "$PC_NS_APP" "$PC_IF_APP"); then
	fail topology "$(tr '\n' ' ' <"$tmp/topo.err")"
	finish "no topology"
fi
ok topology

cat >"$tmp/dcc.conf" <<EOF
zone dcc dcc.test
allow in from dcc tcp port 2222 "$RULE_LABEL"
allow out to any udp port 53 "DNS"
EOF
cp "$tmp/dcc.conf" "$tmp/dcc.orig"
load_or_finish "$tmp/dcc.conf"

gen() { readlink "$pins/current"; }
# "5946: xdp  prog 85357": the link's id, and the program's.
link_id() { bpftool link show pinned "$pins/$1" 2>/dev/null | sed -n '1s/^\([0-9]*\):.*/\1/p'; }
prog_id() { bpftool link show pinned "$pins/link" 2>/dev/null | sed -n '1s/.* prog \([0-9]*\).*/\1/p'; }
# The greeting of the listener on port 2222 of DST, or the status of a silent end.
greets() { pc_tcp "$1" 2222 2 2>/dev/null | grep -q '^220 '; }
rule_packets()
{
	pc_cli stats "$PC_IF_APP" --json | python3 -c '
import json, sys
print([r["packets"] for r in json.load(sys.stdin)["rules"] if r["label"] == sys.argv[1]][0])' "$RULE_LABEL"
}
flow_count() { pc_cli flows "$PC_IF_APP" --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["flows"]))'; }

# From the peer, 192.0.2.1 is reached from 192.0.2.2 (dcc.test) and 10.0.0.1 from
# 10.0.0.2 (no name).
check named_passes "$PC_PEER4 (dcc.test) was not let in to port 2222" greets "$PC_APP4"
check other_drops "$PC_PEER4_LAN (no name) was let in to port 2222" eval '! greets "$PC_APP4_LAN"'
# An open flow of the appliance's own, which a refresh must keep.
pc_ask_udp "$PC_PEER4" 53 >/dev/null

# --- no answer changed: nothing happens -------------------------------------------------
gen0=$(gen) prog0=$(prog_id)
pc_cli refresh "$PC_IF_APP" >"$tmp/r0.out" 2>&1
rc=$?
check no_change "refresh with the same answers: exit $rc, $(tr '\n' ' ' <"$tmp/r0.out")" \
	eval '[ "$rc" -eq 0 ] && grep -qx "no change" "$tmp/r0.out"'
check no_change_same_gen "the generation went from $gen0 to $(gen)" [ "$(gen)" = "$gen0" ]
check no_change_same_prog "the XDP program went from $prog0 to $(prog_id)" [ "$(prog_id)" = "$prog0" ]

# --- dcc.test moves to 10.0.0.2 ------------------------------------------------------------
packets0=$(rule_packets) flows0=$(flow_count) link0=$(link_id link) elink0=$(link_id elink)
hosts_is "127.0.0.1 localhost" "$PC_PEER4_LAN dcc.test"
pc_cli refresh "$PC_IF_APP" >"$tmp/r1.out" 2>&1
rc=$?
check refresh_exit_0 "refresh: exit $rc, $(tr '\n' ' ' <"$tmp/r1.out")" [ "$rc" -eq 0 ]
check refresh_prints_change "refresh did not print dcc.test's old and new address: $(tr '\n' ' ' <"$tmp/r1.out")" \
	grep -qx "  dcc.test: $PC_PEER4 -> $PC_PEER4_LAN" "$tmp/r1.out"
check refresh_new_gen "the generation stayed $gen0" [ "$(gen)" != "$gen0" ]
packets1=$(rule_packets) flows1=$(flow_count)
check counters_carried "the rule counted $packets0 packets before the refresh and $packets1 after" \
	eval '[ "$packets0" -gt 0 ] && [ "$packets1" = "$packets0" ]'
check flows_kept "flows: $flows0 before, $flows1 after; $(grep refreshed "$tmp/r1.out")" \
	eval '[ "$flows0" -ge 1 ] && [ "$flows1" = "$flows0" ] && grep -q "$flows0 flows\? kept" "$tmp/r1.out"'
check links_kept "links: XDP $link0 -> $(link_id link), egress $elink0 -> $(link_id elink)" \
	eval '[ -n "$link0" ] && [ "$(link_id link)" = "$link0" ] && [ "$(link_id elink)" = "$elink0" ]'
check new_name_passes "$PC_PEER4_LAN (dcc.test now) was not let in" greets "$PC_APP4_LAN"
check old_name_drops "$PC_PEER4 (dcc.test no more) was let in" eval '! greets "$PC_APP4"'
pc_cli explain "$PC_IF_APP" tcp from "$PC_PEER4_LAN" to port 2222 >"$tmp/explain" 2>&1
check explain_new "explain from $PC_PEER4_LAN: $(tr '\n' ' ' <"$tmp/explain")" \
	grep -q "^verdict  PASS" "$tmp/explain"

# --- dcc.test stops resolving: it keeps 10.0.0.2 ------------------------------------------
gen1=$(gen)
hosts_is "127.0.0.1 localhost"
pc_cli refresh "$PC_IF_APP" >"$tmp/r2.out" 2>"$tmp/r2.err"
rc=$?
check gone_exit_0 "refresh of a name that stopped resolving: exit $rc, $(cat "$tmp/r2.out" "$tmp/r2.err" | tr '\n' ' ')" \
	eval '[ "$rc" -eq 0 ] && grep -qx "no change" "$tmp/r2.out"'
check gone_warns "no warning: $(tr '\n' ' ' <"$tmp/r2.err")" \
	grep -q "warning: host name 'dcc.test' resolves to no address now .*keeps its last addresses, $PC_PEER4_LAN" "$tmp/r2.err"
pc_cli explain "$PC_IF_APP" tcp from "$PC_PEER4_LAN" to port 2222 >"$tmp/explain2" 2>&1
check gone_keeps_addresses "explain from $PC_PEER4_LAN: $(tr '\n' ' ' <"$tmp/explain2")" \
	grep -q "^verdict  PASS" "$tmp/explain2"
check gone_same_gen "the generation went from $gen1 to $(gen)" [ "$(gen)" = "$gen1" ]

# --- the profile was edited since the load: refused -----------------------------------------
hosts_is "127.0.0.1 localhost" "$PC_PEER4 dcc.test"
echo "# an edit nobody loaded" >>"$tmp/dcc.conf"
pc_cli refresh "$PC_IF_APP" >"$tmp/r3.out" 2>&1
rc=$?
check edited_refused "refresh of an edited profile: exit $rc, $(tr '\n' ' ' <"$tmp/r3.out")" \
	eval '[ "$rc" -eq 2 ] && grep -q "the profile changed since it was loaded; run .portcullis load $PC_IF_APP" "$tmp/r3.out"'
check edited_same_gen "the generation went from $gen1 to $(gen)" [ "$(gen)" = "$gen1" ]
cp "$tmp/dcc.orig" "$tmp/dcc.conf"

# --- --every: again and again; names of a hosts file set no TTL -----------------------------
hosts_is "127.0.0.1 localhost" "$PC_PEER4_LAN dcc.test"
pc_app timeout 3.5 "$PC_BIN" refresh --every 1 "$PC_IF_APP" >"$tmp/every.out" 2>&1
runs=$(grep -cx "no change" "$tmp/every.out")
check every_repeats "refresh --every 1 refreshed $runs times in 3.5 s: $(tr '\n' ' ' <"$tmp/every.out")" \
	eval '[ "$runs" -ge 2 ] && grep -qx "next refresh in 1 s" "$tmp/every.out"'

# --- a DNS answer's TTL: no refresh before it expires ----------------------------------------
echo "$PC_PEER4 ttl.test" >"$tmp/dns-hosts"
pc_app dnsmasq --keep-in-foreground --conf-file=/dev/null --user=root --pid-file= \
	--no-hosts --no-resolv --addn-hosts="$tmp/dns-hosts" --local-ttl=30 \
	--listen-address=127.0.0.1 --bind-interfaces --port=53 >"$tmp/dnsmasq.log" 2>&1 &
PC_PIDS+=("$!")
for _ in $(seq 1 50); do
	pc_app getent ahostsv4 ttl.test >/dev/null 2>&1 && break
	sleep 0.1
done
sed 's/dcc\.test/ttl.test/' "$tmp/dcc.orig" >"$tmp/ttl.conf"
pc_cli load "$PC_IF_APP" "$tmp/ttl.conf" >"$tmp/ttl.load" 2>&1
rc=$?
check ttl_load "loading a profile naming ttl.test (dnsmasq): exit $rc, $(cat "$tmp/ttl.load" "$tmp/dnsmasq.log" | tr '\n' ' ')" \
	[ "$rc" -eq 0 ]
pc_app timeout 3 "$PC_BIN" refresh --every 1 "$PC_IF_APP" >"$tmp/ttl.out" 2>&1
runs=$(grep -cx "no change" "$tmp/ttl.out")
check ttl_bounds_every "refresh --every 1 of a name with a 30 s TTL refreshed $runs times in 3 s: $(tr '\n' ' ' <"$tmp/ttl.out")" \
	eval '[ "$runs" -eq 1 ] && grep -Eqx "next refresh in (29|30) s: the TTL of ttl.test" "$tmp/ttl.out"'

finish "not reached"
