#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# flood over a veth into the SpammerTrap profile: exactly N frames per stream, none lost on the way, and the receiver's per-rule counters match what was sent.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
PROFILE=profiles/spammertrap.conf
N=2000
CHECKS=(topology load flood_exit_0 flood_exact flood_all_streams flood_predicts_replies via_said
	veth_no_loss counters_match packet_exit_0 packet_exact packet_no_loss packet_counters_match
	live_refused_or_sent duration_bounds default_mix_counts usage_no_dst_mac usage_via
	missing_iface)
. tests/e2e/lib.sh
. scripts/netns.sh
command -v ethtool >/dev/null || finish "ethtool is not installed (bash scripts/deps.sh)"

# Names of its own (pcf-): other tests use app0/peer0 at the same time.
. tests/e2e/flood_pair.sh
flood_pair_up pcf

flood_pair_load "$PROFILE"

app "$PC_BIN" stats "$if_app" --json >"$tmp/before.json"
x0=$(judged)
flood_pinned --profile "$PROFILE" --mix profile --count "$N" --json \
	>"$tmp/flood.json" 2>"$tmp/flood.err"
rc=$?
check flood_exit_0 "flood exited $rc: $(head -c 300 "$tmp/flood.err")" [ "$rc" -eq 0 ]
x1=$(judged)
app "$PC_BIN" stats "$if_app" --json >"$tmp/after.json"

python3 - "$tmp/flood.json" "$N" "$PROFILE" "$PC_BIN" >"$tmp/exact" 2>&1 <<'PY'
import json, subprocess, sys
f = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
wrong = [s["name"] for s in f["streams"] if s["frames"] != n]
print("FAIL|flood_exact|%d streams did not send %d: %s" % (len(wrong), n, wrong[:5]) if wrong
      else "PASS|flood_exact|")
mix = subprocess.run([sys.argv[4] if len(sys.argv) > 4 else "build/portcullis", "mix", "--profile",
                      sys.argv[3], "--mix", "profile"], capture_output=True, text=True).stdout
names = [l.split()[0] for l in mix.splitlines() if l and not l.startswith("#")]
got = [s["name"] for s in f["streams"]]
print("PASS|flood_all_streams|" if names == got and len(got) > 60
      else "FAIL|flood_all_streams|flood sent %d streams, mix lists %d" % (len(got), len(names)))
# Under state on a reply stream passes on its out rule: its flow is seeded, as bench seeds it.
dns = [s for s in f["streams"] if s["name"] == "l51-udp-53-reply"]
print("PASS|flood_predicts_replies|" if dns and dns[0].get("action") == "pass" and
      dns[0].get("line") == 51 else "FAIL|flood_predicts_replies|the DNS reply stream: %s" % dns)
PY
results "$tmp/exact" flood_exact
# --via auto takes live frames where the kernel allows them and says so when it falls
# back to the packet socket.
via=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["via"])' "$tmp/flood.json" 2>/dev/null)
check via_said "flood said via=${via:-?}, stderr: $(head -c 300 "$tmp/flood.err")" \
	eval '[ "$via" = live ] || { [ "$via" = packet ] && grep -q "refuses live frames.*packet socket" "$tmp/flood.err"; }'
total=$(frames "$tmp/flood.json")
check veth_no_loss "the receiver judged $((x1 - x0)) of ${total:-?} frames" [ "$((x1 - x0))" = "${total:-x}" ]
python3 scripts/flood-check.py "$tmp/flood.json" "$tmp/before.json" "$tmp/after.json" >"$tmp/cmp" 2>&1
results "$tmp/cmp" counters_match

# The packet socket, chosen outright: the same exact counts, the same counters.
x0=$(judged)
app "$PC_BIN" stats "$if_app" --json >"$tmp/before.json"
flood_pinned --profile "$PROFILE" --mix profile --count 7 --via packet --json \
	>"$tmp/packet.json" 2>"$tmp/packet.err"
rc=$?
check packet_exit_0 "flood --via packet exited $rc: $(head -c 300 "$tmp/packet.err")" [ "$rc" -eq 0 ]
x1=$(judged)
app "$PC_BIN" stats "$if_app" --json >"$tmp/after.json"
python3 - "$tmp/packet.json" <<'PY' >"$tmp/pexact" 2>&1
import json, sys
f = json.load(open(sys.argv[1]))
wrong = [s["name"] for s in f["streams"] if s["frames"] != 7]
print("FAIL|packet_exact|%s, %d streams did not send 7: %s" % (f["via"], len(wrong), wrong[:5])
      if wrong or f["via"] != "packet" or len(f["streams"]) < 60 else "PASS|packet_exact|")
PY
results "$tmp/pexact" packet_exact
total=$(frames "$tmp/packet.json")
check packet_no_loss "the receiver judged $((x1 - x0)) of ${total:-?} frames" [ "$((x1 - x0))" = "${total:-x}" ]
python3 scripts/flood-check.py "$tmp/packet.json" "$tmp/before.json" "$tmp/after.json" >"$tmp/pcmp" 2>&1
sed -i 's/|counters_match|/|packet_counters_match|/' "$tmp/pcmp"
results "$tmp/pcmp" packet_counters_match

# --via live either sends or ends in an error that names the way out.
gen "$PC_BIN" flood "$if_gen" --dst-mac "$mac" --count 1 --via live >"$tmp/live.out" 2>&1
rc=$?
check live_refused_or_sent "flood --via live exited $rc: $(head -c 300 "$tmp/live.out")" \
	eval '{ [ "$rc" -eq 0 ] && grep -q "live frames" "$tmp/live.out"; } ||
		{ [ "$rc" -eq 1 ] && grep -q "refuses live frames.*--via packet" "$tmp/live.out"; }'

# Without --count, --duration bounds the run (and SIGINT would, between runs): flood
# stops by itself (timeout only catches one that would not), says it ran about the
# second it was given, and the rate caps what it sent. How much a loaded machine
# manages to send in that second is not judged.
start=$SECONDS
gen timeout 30 "$PC_BIN" flood "$if_gen" --dst-mac "$mac" --duration 1 --rate 100000 >"$tmp/dur.out" 2>&1
rc=$? secs=$((SECONDS - start))
sent=$(awk '/^sent/ { print $2 }' "$tmp/dur.out")
took=$(sed -nE 's/^sent .* in ([0-9.]+) s:.*/\1/p' "$tmp/dur.out")
check duration_bounds "flood --duration 1 --rate 100000 exited $rc after ${secs} s (its own figure: ${took:-?} s), sent ${sent:-?}" \
	eval '[ "$rc" -eq 0 ] && [ "${sent:-0}" -ge 1 ] && [ "${sent:-0}" -le 100000 ] &&
		python3 -c "import sys; sys.exit(not 0.9 <= float(sys.argv[1]) <= 5)" "${took:-0}"'
gen "$PC_BIN" flood "$if_gen" --dst-mac "$mac" --count 3 >"$tmp/def.out" 2>&1
check default_mix_counts "the default mix's weights x 3: $(tr '\n' ' ' <"$tmp/def.out" | head -c 300)" \
	eval 'grep -qE "^smtp-established +120 " "$tmp/def.out" && grep -qE "^arp +15 " "$tmp/def.out" && grep -q "^sent     300 frames" "$tmp/def.out"'

gen "$PC_BIN" flood "$if_gen" >"$tmp/u.out" 2>&1
rc=$?
check usage_no_dst_mac "flood without --dst-mac exited $rc: $(cat "$tmp/u.out")" \
	eval '[ "$rc" -eq 2 ] && grep -q -- "--dst-mac is required" "$tmp/u.out"'
gen "$PC_BIN" flood "$if_gen" --dst-mac "$mac" --via pigeon >"$tmp/v.out" 2>&1
rc=$?
check usage_via "flood --via pigeon exited $rc: $(cat "$tmp/v.out")" \
	eval '[ "$rc" -eq 2 ] && grep -q -- "--via takes auto, live or packet" "$tmp/v.out"'
gen "$PC_BIN" flood pcf-none0 --dst-mac "$mac" >"$tmp/m.out" 2>&1
rc=$?
check missing_iface "flood on a missing interface exited $rc: $(cat "$tmp/m.out")" \
	eval '[ "$rc" -eq 2 ] && grep -q "no interface pcf-none0 in this network namespace; .ip link. lists" "$tmp/m.out"'
finish "not reached"
