#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: the egress hook as a clsact filter, what kernels without tcx (before 6.6,
# Debian 12's own 6.1 among them) get. Load, replace, roll back and unload must treat
# it as they treat the tcx link.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

CHECKS=(topology bad_hook_is_usage load status_names_clsact filter_installed dns_reply
	stats_names_clsact reload_swaps_in_place reload_dns_reply rollback_restores rollback_dns_reply
	unload_removes_filter)
. tests/e2e/lib.sh
PC_IF_APP=pcc-app0 PC_IF_PEER=pcc-peer0
. scripts/netns.sh

cat >"$tmp/a.conf" <<'EOF'
allow in tcp port 25 "SMTP in"
allow out udp port 53 "DNS"
EOF
{ cat "$tmp/a.conf"; echo 'allow out tcp port 2703 "Razor"'; } >"$tmp/b.conf"

set_up_or_finish topology eval 'topo_up && pc_peer_serve udp:53'

pc_cli load "$PC_IF_APP" "$tmp/a.conf" --egress-hook sctp >"$tmp/bad" 2>&1
rc=$?
check bad_hook_is_usage "--egress-hook sctp exited $rc: $(tr '\n' ' ' <"$tmp/bad")" \
	eval '[ "$rc" -eq 2 ] && grep -q "tcx or clsact" "$tmp/bad"'

# Our filter's program id, from tc's own view of the egress hook.
filter_prog() {
	pc_app tc filter show dev "$PC_IF_APP" egress 2>/dev/null |
		sed -n 's/.*portcullis_egr.* id \([0-9]*\).*/\1/p' | head -n 1
}
dns() { [ "$(pc_ask_udp "$PC_PEER4" 53)" = "answer:query" ]; }

load_or_finish "$tmp/a.conf" --egress-hook clsact
pc_cli status "$PC_IF_APP" >"$tmp/status" 2>&1
check status_names_clsact "status: $(tr '\n' ' ' <"$tmp/status")" grep -q "egress hook clsact" "$tmp/status"
id1=$(filter_prog)
check filter_installed "tc shows no portcullis filter on $PC_IF_APP egress" [ -n "$id1" ]
check dns_reply "the DNS answer did not come back through the clsact-recorded flow" dns

pc_cli stats "$PC_IF_APP" >"$tmp/stats" 2>&1
pc_cli stats "$PC_IF_APP" --json >"$tmp/stats.json" 2>&1
check stats_names_clsact "stats: $(grep -i egress "$tmp/stats" | head -n 2 | tr '\n' ' ') $(grep -o '"egress_hook":"[a-z]*"' "$tmp/stats.json")" \
	eval 'grep -q "^egress (clsact, open)" "$tmp/stats" && grep -q "\"egress_hook\":\"clsact\"" "$tmp/stats.json"'

pc_cli load "$PC_IF_APP" "$tmp/b.conf" >"$tmp/reload" 2>&1
id2=$(filter_prog)
check reload_swaps_in_place "after the reload the filter runs program '$id2' (was $id1): $(tr '\n' ' ' <"$tmp/reload")" \
	eval '[ -n "$id2" ] && [ "$id2" != "$id1" ] && [ "$(pc_app tc filter show dev "$PC_IF_APP" egress | grep -c portcullis_egr)" -eq 1 ]'
check reload_dns_reply "after the reload the DNS answer did not come back" dns

pc_cli load "$PC_IF_APP" "$tmp/a.conf" --confirm 1 >"$tmp/trial" 2>&1
for _ in $(seq 1 50); do
	pc_cli status "$PC_IF_APP" | grep -q "AWAITING CONFIRMATION" || break
	sleep 0.1
done
id3=$(filter_prog)
check rollback_restores "after the rollback the filter runs program '$id3', expected $id2: $(tr '\n' ' ' <"$tmp/trial")" \
	[ "$id3" = "$id2" ]
check rollback_dns_reply "after the rollback the DNS answer did not come back" dns

pc_cli unload "$PC_IF_APP" >/dev/null 2>&1
PC_LOADED=0
check unload_removes_filter "a portcullis filter is left on $PC_IF_APP egress (program $(filter_prog))" \
	[ -z "$(filter_prog)" ]

finish "an earlier step failed"
