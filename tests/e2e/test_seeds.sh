#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: each scope word of the vendor seeds, tried with real connections from and to both zones (lan 10.0.0.2 and internet 192.0.2.2) through both shipped profiles.
#
# The seeds say who may be reached: Libraesva's "any host" (80, Razor2 2703, Pyzor
# 24441), "unrestricted" (443, and 25 both ways), "only on this port" (2703, 24441),
# "(outbound)" (no one connects in), and the DCC servers by name; SpammerTrap's headings
# "SpammerTrap to Internet", "SpammerTrap to LAN", "Internet to SpammerTrap" and "LAN to
# SpammerTrap". A profile that writes `to internet` for "any host" cuts off a proxy or
# mirror on a private address: these checks see it as a failed connection.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(topology esg_load
	esg_any_host_80_internet esg_any_host_80_lan
	esg_unrestricted_443_internet esg_unrestricted_443_lan
	esg_unrestricted_25_out_internet esg_unrestricted_25_out_lan
	esg_unrestricted_25_in_internet esg_unrestricted_25_in_lan
	esg_any_host_razor_internet esg_any_host_razor_lan
	esg_any_host_pyzor_internet esg_any_host_pyzor_lan
	esg_only_this_port_razor_internet esg_only_this_port_razor_lan
	esg_only_this_port_pyzor_internet esg_only_this_port_pyzor_lan
	esg_outbound_80_internet esg_outbound_80_lan esg_outbound_2703_internet
	esg_outbound_2703_lan esg_dcc_servers_internet esg_dcc_servers_not_lan
	st_load st_to_internet_80_internet st_to_internet_80_not_lan
	st_to_lan_110_lan st_to_lan_110_not_internet st_both_53_internet st_both_53_lan
	st_internet_to_113_internet st_internet_to_113_not_lan st_both_25_in_internet
	st_both_25_in_lan)
. tests/e2e/lib.sh
. scripts/netns.sh

set_up_or_finish topology eval 'topo_up && pc_listen 25 80 113 2703 &&
	pc_peer_serve tcp:25 tcp:80 tcp:110 tcp:443 tcp:2703 tcp:2704 udp:53 udp:6277 \
		udp:24441 udp:24442'

# out NAME DST tcp|udp PORT yes|no: the appliance opens a connection (or sends a query)
# to the peer's DST; yes when the answer must come back.
out()
{
	local name=$1 dst=$2 proto=$3 port=$4 want=$5 a good

	if [ "$proto" = tcp ]; then
		a=$(pc_ask_tcp "$dst" "$port")
		good="hello from $port"
	else
		a=$(pc_ask_udp "$dst" "$port")
		good="answer:query"
	fi
	# On a busy machine the asking python may not finish within its 5 s (it then
	# prints nothing): ask once more. A dropped answer is dropped twice.
	if [ "$want" = yes ] && [ "$a" != "$good" ]; then
		if [ "$proto" = tcp ]; then
			a=$(pc_ask_tcp "$dst" "$port")
		else
			a=$(pc_ask_udp "$dst" "$port")
		fi
	fi
	if [ "$want" = yes ]; then
		check "$name" "the appliance's $proto to $dst:$port got '$a', expected '$good'" \
			[ "$a" = "$good" ]
	else
		check "$name" "the appliance's $proto to $dst:$port got '$a', expected no answer" \
			[ "$a" != "$good" ]
	fi
}

# into NAME DST PORT yes|no: the peer connects to the appliance's DST:PORT (from its
# address of the same zone); yes when the connection must succeed.
into()
{
	local name=$1 dst=$2 port=$3 want=$4 rc

	pc_tcp "$dst" "$port" 2 >/dev/null 2>&1
	rc=$?
	if [ "$want" = yes ]; then
		check "$name" "the peer's connection to $dst:$port failed" [ "$rc" -eq 0 ]
	else
		check "$name" "the peer's connection to $dst:$port succeeded" [ "$rc" -ne 0 ]
	fi
}

NET=$PC_PEER4 LAN=$PC_PEER4_LAN

# --- Libraesva ESG ----------------------------------------------------------------------
load_esg() { pc_cli load "$PC_IF_APP" profiles/libraesva-esg.conf >"$tmp/esg.out" 2>&1; }
check esg_load "load profiles/libraesva-esg.conf: $(head -c 300 "$tmp/esg.out" 2>/dev/null)" load_esg
PC_LOADED=1
out esg_any_host_80_internet "$NET" tcp 80 yes
out esg_any_host_80_lan "$LAN" tcp 80 yes
out esg_unrestricted_443_internet "$NET" tcp 443 yes
out esg_unrestricted_443_lan "$LAN" tcp 443 yes
out esg_unrestricted_25_out_internet "$NET" tcp 25 yes
out esg_unrestricted_25_out_lan "$LAN" tcp 25 yes
into esg_unrestricted_25_in_internet "$PC_APP4" 25 yes
into esg_unrestricted_25_in_lan "$PC_APP4_LAN" 25 yes
out esg_any_host_razor_internet "$NET" tcp 2703 yes
out esg_any_host_razor_lan "$LAN" tcp 2703 yes
out esg_any_host_pyzor_internet "$NET" udp 24441 yes
out esg_any_host_pyzor_lan "$LAN" udp 24441 yes
out esg_only_this_port_razor_internet "$NET" tcp 2704 no
out esg_only_this_port_razor_lan "$LAN" tcp 2704 no
out esg_only_this_port_pyzor_internet "$NET" udp 24442 no
out esg_only_this_port_pyzor_lan "$LAN" udp 24442 no
into esg_outbound_80_internet "$PC_APP4" 80 no
into esg_outbound_80_lan "$PC_APP4_LAN" 80 no
into esg_outbound_2703_internet "$PC_APP4" 2703 no
into esg_outbound_2703_lan "$PC_APP4_LAN" 2703 no
# DCC: "to the servers above", dcc1/dcc2.esvacloud.com, on the Internet.
out esg_dcc_servers_internet "$NET" udp 6277 yes
out esg_dcc_servers_not_lan "$LAN" udp 6277 no

# --- SECNAP SpammerTrap: the headings are the scope -------------------------------------
load_st() { pc_cli load "$PC_IF_APP" profiles/spammertrap.conf >"$tmp/st.out" 2>&1; }
check st_load "load profiles/spammertrap.conf: $(head -c 300 "$tmp/st.out" 2>/dev/null)" load_st
out st_to_internet_80_internet "$NET" tcp 80 yes
out st_to_internet_80_not_lan "$LAN" tcp 80 no
out st_to_lan_110_lan "$LAN" tcp 110 yes
out st_to_lan_110_not_internet "$NET" tcp 110 no
out st_both_53_internet "$NET" udp 53 yes
out st_both_53_lan "$LAN" udp 53 yes
into st_internet_to_113_internet "$PC_APP4" 113 yes
into st_internet_to_113_not_lan "$PC_APP4_LAN" 113 no
into st_both_25_in_internet "$PC_APP4" 25 yes
into st_both_25_in_lan "$PC_APP4_LAN" 25 yes

finish "not reached"
