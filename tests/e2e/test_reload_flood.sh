#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Reloads under a flood: while `flood` sends the SpammerTrap profile's mix into the
# loaded filter, the profile is replaced again and again by one with an extra rule that
# no stream matches, and back. Every frame must be judged and counted once, on the rule
# it belongs to, across every switch: the counters after equal the counters before
# plus what was sent, stream by stream (carry-over of unchanged rules included).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
PROFILE=profiles/spammertrap.conf
N=${RELOAD_FLOOD_N:-1500}
RATE=${RELOAD_FLOOD_RATE:-15000}
CHECKS=(topology load flood_exit_0 reloads_ok reloads_during_flood no_loss counters_match)
. tests/e2e/lib.sh
command -v ethtool >/dev/null || finish "ethtool is not installed (bash scripts/deps.sh)"

. scripts/netns.sh
. tests/e2e/flood_pair.sh
flood_pair_up prf
# The other profile: the same rules and one more that no stream of the mix matches
# (a port the profile never names, from a documentation prefix).
cp "$PROFILE" "$tmp/a.conf"
{ cat "$PROFILE"; echo 'allow in from 203.0.113.0/24 tcp port 9 "reload marker"'; } >"$tmp/b.conf"

flood_pair_load "$tmp/a.conf"

app "$PC_BIN" stats "$if_app" --json >"$tmp/before.json"
x0=$(judged)
flood_pinned --profile "$PROFILE" --mix profile --count "$N" --rate "$RATE" --via packet --json \
	>"$tmp/flood.json" 2>"$tmp/flood.err" &
flood=$!
reloads=0 bad=0 next=b
# Bounded: the flood ends by itself after N frames per stream at RATE; 120 s at most.
for _ in $(seq 1 600); do
	kill -0 "$flood" 2>/dev/null || break
	if app "$PC_BIN" load "$if_app" "$tmp/$next.conf" >"$tmp/reload.out" 2>&1; then
		reloads=$((reloads + 1))
	else
		bad=$((bad + 1))
		cp "$tmp/reload.out" "$tmp/reload.bad"
	fi
	next=$([ "$next" = b ] && echo a || echo b)
	sleep 0.1
done
wait "$flood"
rc=$?
check flood_exit_0 "flood exited $rc: $(head -c 300 "$tmp/flood.err")" [ "$rc" -eq 0 ]
# End on the profile we started with, so that the rules line up one for one.
[ "$next" = b ] || app "$PC_BIN" load "$if_app" "$tmp/a.conf" >"$tmp/last.out" 2>&1 || bad=$((bad + 1))
x1=$(judged)
app "$PC_BIN" stats "$if_app" --json >"$tmp/after.json"
check reloads_ok "$bad of $((reloads + bad)) reloads failed: $(cat "$tmp/reload.bad" 2>/dev/null | tr '\n' ' ' | head -c 300)" [ "$bad" -eq 0 ]
check reloads_during_flood "only $reloads reloads while the flood ran (lower RELOAD_FLOOD_RATE?)" [ "$reloads" -ge 5 ]
total=$(frames "$tmp/flood.json")
check no_loss "the receiver judged $((x1 - x0)) of ${total:-?} frames" [ "$((x1 - x0))" = "${total:-x}" ]
python3 scripts/flood-check.py "$tmp/flood.json" "$tmp/before.json" "$tmp/after.json" >"$tmp/cmp" 2>&1
results "$tmp/cmp" counters_match
echo "($reloads reloads during $total frames)"
finish "not reached"
