#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make demo`: load the SpammerTrap profile onto a veth in a private namespace, send allowed and denied traffic, show the counters.
set -uo pipefail

BIN=${1:-}
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	echo "usage: $0 PATH/TO/portcullis   (or: make demo)" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: the demo creates network namespaces and attaches XDP programs: run it as root (sudo make demo)" >&2
	exit 1
fi

cd "$(dirname "$0")/.." || exit 1
PC_BIN=$(realpath "$BIN")
PROFILE=profiles/spammertrap.conf
. scripts/netns.sh

unexpected=0
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# result EXPECTED(pass|drop) GOT(pass|drop) WHAT
result()
{
	if [ "$1" = "$2" ]; then
		printf '   %-6s %s\n' "$2" "$3"
	else
		printf '   %-6s %s   <-- UNEXPECTED, the profile says %s\n' "$2" "$3" "$1"
		unexpected=$((unexpected + 1))
	fi
}
tcp() # EXPECTED DST PORT WHAT
{
	if pc_tcp "$2" "$3" 2 >/dev/null 2>&1; then result "$1" pass "$4"; else result "$1" drop "$4"; fi
}
ping_from() # EXPECTED DST SRC WHAT
{
	if pc_ping "$2" 2 "$3" >/dev/null 2>&1; then result "$1" pass "$4"; else result "$1" drop "$4"; fi
}

cat <<EOF
portcullis demo: two network namespaces joined by a veth pair.
  appliance  $PC_IF_APP   $PC_APP4 (Internet side), $PC_APP4_LAN (LAN side), $PC_APP6
  peer       $PC_IF_PEER  $PC_PEER4 ("internet"), $PC_PEER4_LAN ("lan"), $PC_PEER6
Profile: $PROFILE. Nothing leaves the two namespaces; both are deleted at the end.
EOF

step "Building the topology"
pc_topo_up || exit 1
pc_listen 25 22 3306 || exit 1
echo "   listeners on the appliance: TCP 25, 22, 3306 (each answers with a greeting)"
echo "   without a firewall every one of them answers:"
tcp pass "$PC_APP4" 22 "TCP $PC_PEER4 -> $PC_APP4:22 (ssh) connects"

step "$BIN load $PC_IF_APP $PROFILE"
if ! pc_cli load "$PC_IF_APP" "$PROFILE"; then
	echo "demo.sh: load failed (see above)" >&2
	exit 1
fi
PC_LOADED=1

step "$BIN stats $PC_IF_APP   (before)"
pc_cli stats "$PC_IF_APP"

step "Traffic from the peer namespace"
echo "   allowed by the profile:"
tcp pass "$PC_APP4" 25 "TCP $PC_PEER4 -> $PC_APP4:25 (SMTP from the Internet)"
ping_from pass "$PC_APP4_LAN" "$PC_PEER4_LAN" "ping $PC_PEER4_LAN -> $PC_APP4_LAN (from the LAN)"
echo "   denied by the profile:"
tcp drop "$PC_APP4" 22 "TCP $PC_PEER4 -> $PC_APP4:22 (ssh from the Internet)"
tcp drop "$PC_APP4" 3306 "TCP $PC_PEER4 -> $PC_APP4:3306 (MySQL from the Internet)"
pc_udp "$PC_APP4" 161 3 &&
	printf '   %-6s %s\n' sent "UDP $PC_PEER4 -> $PC_APP4:161 (SNMP), 3 datagrams: no answer expected, see no-match"
ping_from drop "$PC_APP4" "$PC_PEER4" "ping $PC_PEER4 -> $PC_APP4 (pings from the Internet)"

step "The appliance's own traffic (state on: replies come back as flows)"
if pc_peer_serve udp:53 udp:123 tcp:25; then
	own() # EXPECTED(pass|drop) ANSWER WHAT
	{
		case $2 in timeout | failed | refused | "") result "$1" drop "$3" ;; *) result "$1" pass "$3" ;; esac
	}
	own pass "$(pc_ask_udp "$PC_PEER4" 53)" "DNS query $PC_APP4 -> $PC_PEER4:53 gets its answer"
	own pass "$(pc_ask_udp "$PC_PEER6" 123)" "NTP query $PC_APP6 -> [$PC_PEER6]:123 gets its answer"
	own pass "$(pc_ask_tcp "$PC_PEER4" 25)" "SMTP $PC_APP4 -> $PC_PEER4:25 (sending mail) connects"
	own drop "$(pc_ask_tcp "$PC_PEER4" 3306)" "TCP $PC_APP4 -> $PC_PEER4:3306 (no out rule): no reply gets back"
fi
step "$BIN flows $PC_IF_APP"
pc_cli flows "$PC_IF_APP"
step "$BIN explain $PC_IF_APP udp from $PC_PEER4 port 53 to port 40053   (a look-alike)"
pc_cli explain "$PC_IF_APP" udp from "$PC_PEER4" port 53 to port 40053

step "$BIN stats $PC_IF_APP   (after)"
pc_cli stats "$PC_IF_APP"

step "$BIN unload $PC_IF_APP"
pc_cli unload "$PC_IF_APP" && PC_LOADED=0
echo "   deleting the namespaces"
pc_topo_down

echo
if [ "$unexpected" -eq 0 ]; then
	echo "Demo done: every packet was passed or dropped as $PROFILE says."
else
	echo "Demo done, with $unexpected unexpected result(s): see the lines marked UNEXPECTED."
	exit 1
fi
