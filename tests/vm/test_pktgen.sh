#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The kernel's pktgen, for real, through scripts/pktgen.sh into a loaded filter on a veth
# pair: an allowed and a denied UDP flow, the replies of a flow the appliance recorded
# (state on: its DNS query, then pktgen answering from port 53), and the UDP streams of
# the SpammerTrap profile's mix. Every counter must move by exactly pktgen's pkts-sofar.
#
# Runs in the guests of `make vmtest` (tests/vm/suite.sh); needs pktgen.ko, which the
# development machine may lack. Frames per flow: VMTEST_PKTGEN_COUNT (default 2000);
# per mix stream and weight, a tenth of it. Every pktgen run is bounded by its count
# and by a timeout.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
N=${VMTEST_PKTGEN_COUNT:-2000}
MIXN=$(((N + 9) / 10))
CHECKS=(pktgen_present topology load allowed_sent allowed_counted denied_sent denied_counted
	dns_query flow_recorded reply_sent reply_counted mix_topology mix_load mix_sent
	mix_counted)
. tests/e2e/lib.sh

[ -d /proc/net/pktgen ] || modprobe pktgen 2>"$tmp/modprobe.err"
if [ ! -d /proc/net/pktgen ]; then
	fail pktgen_present "no /proc/net/pktgen: $(cat "$tmp/modprobe.err")"
	finish "no pktgen"
fi
ok pktgen_present

# A profile with one rule for each single flow; state on (the default) for the reply. The
# peer's kernel sends multicast listener reports of its own when its addresses come up
# and again once DAD ends, seconds later under emulation and so at times during a flow:
# they get a rule of their own, which the comparisons ignore, so that no-match still
# holds pktgen's frames alone.
cat >"$tmp/flows.conf" <<'EOF'
# tests/vm/test_pktgen.sh: one rule per pktgen flow
allow in from internet udp port 5353   "pktgen: the allowed flow"
drop in from internet udp port 9       "pktgen: the denied flow"
allow out to internet udp port 53      "DNS: the appliance's own queries"
allow in icmp6 type 130-132,143        "MLD: the peer kernel's listener reports"
EOF
line_of() { grep -n "$1" "$tmp/flows.conf" | cut -d: -f1; }

# send NAME PKTGEN-ARGS...: pktgen.sh from the peer's namespace towards app0, bounded in
# time; its stdout and stderr land in $tmp/NAME.out and .err.
send()
{
	local name=$1
	shift
	pc_peer timeout 120 bash scripts/pktgen.sh -i "$PC_IF_PEER" -m "$mac" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
}
# sent_ok NAME COUNT: exit 0 was recorded, every device answered OK, and the devices
# together took COUNT frames.
sent_ok()
{
	local sofar

	sofar=$(awk '{ for (i = 1; i < NF; i++) if ($i == "pkts-sofar:") s += $(i + 1) } END { print s + 0 }' "$tmp/$1.out")
	[ "$(cat "$tmp/$1.rc")" -eq 0 ] && [ "$sofar" -eq "$2" ] &&
		! grep -v 'Result: OK' "$tmp/$1.out" | grep -q pkts-sofar
}
why_sent() { echo "exit $(cat "$tmp/$1.rc"): $(tr '\n' ' ' <"$tmp/$1.out" | head -c 300) $(tail -n 2 "$tmp/$1.err" | tr '\n' ' ')"; }
stats() { pc_cli stats "$PC_IF_APP" --json >"$tmp/$1.json" 2>&1; }

# flow NAME COUNTER PKTGEN-ARGS...: one flow of N frames, its checks NAME_sent and
# NAME_counted.
flow()
{
	local name=$1 counter=$2
	shift 2
	stats "$name-before"
	send "$name" -d "$PC_APP4" -r "$PC_PEER4" -n "$N" "$@"
	echo $? >"$tmp/$name.rc"
	stats "$name-after"
	check "${name}_sent" "$(why_sent "$name")" sent_ok "$name" "$N"
	python3 tests/vm/pktgen-check.py "${name}_counted" "$tmp/$name.out" "$tmp/$name.err" \
		"$tmp/$name-before.json" "$tmp/$name-after.json" --counter "$counter" \
		--frame-bytes 60 --ignore "ndp,non-ip,line:$(line_of 'MLD:')" >"$tmp/$name.cmp" 2>&1
	results "$tmp/$name.cmp" "${name}_counted"
}

# --- single flows on the netns.sh topology ------------------------------------------------
. scripts/netns.sh
set_up_or_finish topology topo_up
# Not from /sys: it shows the namespace it was mounted in.
mac=$(ip -n "$PC_NS_APP" -br link show "$PC_IF_APP" | awk '{ print $3 }')
load_or_finish "$tmp/flows.conf"

flow allowed "line:$(line_of 'allowed flow')" -p 5353 -q 40000
flow denied "line:$(line_of 'denied flow')" -p 9 -q 40000

# The appliance asks the peer's DNS server; its egress hook records the flow, and
# pktgen then sends replies to the query's port from port 53.
pc_peer_serve udp:53 2>"$tmp/serve.err"
answer=$(pc_ask_udp "$PC_PEER4" 53)
check dns_query "the appliance's DNS query got: $answer $(cat "$tmp/serve.err")" [ "$answer" = "answer:query" ]
pc_cli flows "$PC_IF_APP" --json >"$tmp/flows.json" 2>&1
port=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print([f["local_port"] for f in d["flows"] if f["proto"] == "udp" and f["peer_port"] == 53
       and f["peer"] == sys.argv[2]][0])
' "$tmp/flows.json" "$PC_PEER4" 2>/dev/null)
if [ -n "$port" ]; then
	ok flow_recorded
	flow reply "line:$(line_of 'DNS:')" -p "$port" -q 53
else
	fail flow_recorded "no UDP flow to $PC_PEER4:53 in flows --json: $(head -c 300 "$tmp/flows.json")"
fi
pc_topo_down

# --- the SpammerTrap mix on a quiet pair: no addresses, no IPv6, no frame but pktgen's --
. tests/e2e/flood_pair.sh
flood_pair_up pcv mix_topology
flood_pair_load profiles/spammertrap.conf mix_load

"$PC_BIN" mix --profile profiles/spammertrap.conf --mix profile >"$tmp/spammertrap.mix" 2>&1
app "$PC_BIN" stats "$if_app" --json >"$tmp/mix-before.json" 2>&1
gen timeout 300 bash scripts/pktgen.sh -i "$if_gen" -d 192.0.2.1 -m "$mac" -n "$MIXN" \
	--mix "$tmp/spammertrap.mix" >"$tmp/mix.out" 2>"$tmp/mix.err"
echo $? >"$tmp/mix.rc"
app "$PC_BIN" stats "$if_app" --json >"$tmp/mix-after.json" 2>&1
# What the mix asks for: each UDP stream's weight times MIXN.
want=$(awk -v n="$MIXN" '!/^#/ && ($3 == "udp" || ($3 == "reply" && $4 == "udp")) { s += $2 * n } END { print s + 0 }' "$tmp/spammertrap.mix")
streams=$(grep -c 'pkts-sofar' "$tmp/mix.out")
check mix_sent "$streams pktgen devices; $(why_sent mix)" \
	eval '[ "$streams" -ge 10 ] && sent_ok mix "$want"'
python3 tests/vm/pktgen-check.py mix_counted "$tmp/mix.out" "$tmp/mix.err" \
	"$tmp/mix-before.json" "$tmp/mix-after.json" --mix "$tmp/spammertrap.mix" --unseeded >"$tmp/mix.cmp" 2>&1
results "$tmp/mix.cmp" mix_counted
echo "pktgen, the mix: $(cat "$tmp/mix.out" | tr '\n' ';' | head -c 2000)"
finish "not reached"
