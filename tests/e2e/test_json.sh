#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The JSON convention (docs/portcullis.8, JSON OUTPUT): every command with JSON output, run on a loaded veth, prints what tests/schema/NAME.json says (python3-jsonschema; every key snake_case, strict UTF-8), one object an invocation, streams one a line with a timestamp; -j, -jp and CMD --json alike; a profile whose path is not UTF-8 and whose labels hold quotes, backslashes and tabs comes out valid and intact; a command without JSON output refuses -j.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary,
# PORTCULLIS overrides it.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
SCHEMA=tests/schema

CHECKS=(version_schema check_schema check_error_schema doctor_schema topology load_schema
	load_first_no_changes status_schema status_iface_schema status_all_schema stats_schema
	stats_pretty_schema stats_synonym_same stats_watch_lines stats_watch_timestamps
	flows_schema flows_has_dns log_schema log_names_no_match explain_schema
	explain_profile_schema reload_schema reload_changes flood_schema labels_intact
	path_not_utf8 refuses_j)
. tests/e2e/lib.sh
# Debian's python3-jsonschema (deps.sh) is /usr/bin/python3's; a python3 earlier in PATH
# (pyenv's, say) sees it only if it has its own.
PY=python3
/usr/bin/python3 -c 'import jsonschema' 2>/dev/null && PY=/usr/bin/python3
"$PY" -c 'import jsonschema' 2>/dev/null || finish "python3-jsonschema is not installed (bash scripts/deps.sh)"
. scripts/netns.sh

# valid CHECK NAME FILE [--lines]: FILE against tests/schema/NAME.json.
valid()
{
	"$PY" "$SCHEMA/validate.py" "$@" >"$tmp/valid.out" 2>&1
	results "$tmp/valid.out" "$1"
}
# py CHECK WHY FILE EXPR: EXPR, a Python expression of d (FILE's JSON), must be true.
py()
{
	check "$1" "$2: $(head -c 300 "$3")" python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(not eval(sys.argv[2]))' "$3" "$4"
}

# --- without an interface --------------------------------------------------------------
"$PC_BIN" -j version >"$tmp/version.json" 2>&1
valid version_schema version "$tmp/version.json"
"$PC_BIN" -j check profiles/spammertrap.conf >"$tmp/check.json" 2>"$tmp/check.err"
valid check_schema check "$tmp/check.json"
printf 'allow in from internet tcp port 99999\n' >"$tmp/bad.conf"
"$PC_BIN" check --json "$tmp/bad.conf" >"$tmp/checkbad.json" 2>/dev/null
rc=$?
if [ "$rc" -eq 2 ]; then
	valid check_error_schema check "$tmp/checkbad.json"
else
	fail check_error_schema "check of a broken profile exited $rc, expected 2"
fi
"$PC_BIN" -j doctor >"$tmp/doctor.json" 2>/dev/null
valid doctor_schema doctor "$tmp/doctor.json"

# --- a profile no script would like: its path is not UTF-8, its labels quote ------------
dir=$tmp/$'we"ird\\dir\xff'
mkdir -p "$dir"
prof=$dir/p.conf
cp profiles/spammertrap.conf "$prof"
label='say "hi" \ to	tabs'
printf 'allow in from internet tcp port 2525 "%s"\n' 'say \"hi\" \\ to	tabs' >>"$prof"

pc_topo_up 2>"$tmp/topo.err"
rc=$?
trap 'pc_topo_down; rm -rf "$tmp"' EXIT
if [ "$rc" -ne 0 ] || ! pc_peer_serve udp:53 2>>"$tmp/topo.err"; then
	fail topology "$(tr '\n' ' ' <"$tmp/topo.err")"
	finish "no topology"
fi
ok topology

pc_cli -j load "$PC_IF_APP" "$prof" >"$tmp/load.json" 2>"$tmp/load.err"
rc=$?
PC_LOADED=1
[ "$rc" -eq 0 ] || { fail load_schema "load exited $rc: $(head -c 300 "$tmp/load.err")"; finish "not loaded"; }
valid load_schema load "$tmp/load.json"
py load_first_no_changes "a first load reports no changes" "$tmp/load.json" \
	'd["replaced"] is False and d["changes"] is None and d["rules"] > 10'

# --- status, stats: one object each, -j, -jp and --json alike -------------------------------
pc_cli -j status >"$tmp/status.json" 2>&1
valid status_schema status "$tmp/status.json"
pc_cli -j status "$PC_IF_APP" >"$tmp/status1.json" 2>&1
valid status_iface_schema status "$tmp/status1.json"
pc_cli status --all --json >"$tmp/statusall.json" 2>&1
valid status_all_schema status "$tmp/statusall.json"
pc_cli -j stats "$PC_IF_APP" >"$tmp/stats.json" 2>&1
valid stats_schema stats "$tmp/stats.json"
pc_cli -jp stats "$PC_IF_APP" >"$tmp/statsp.json" 2>&1
valid stats_pretty_schema stats "$tmp/statsp.json"
pc_cli stats "$PC_IF_APP" --json >"$tmp/statsj.json" 2>&1
check stats_synonym_same "stats --json and -j stats differ in shape: $(head -c 200 "$tmp/statsj.json")" \
	python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(not (len(a) == len(b) and a.keys() == b.keys() and len(a["rules"]) == len(b["rules"])))' \
	"$tmp/stats.json" "$tmp/statsj.json"

# --- stats --watch: one object a line, each with its timestamp ------------------------------
pc_app timeout 3.5 "$PC_BIN" -j stats "$PC_IF_APP" --watch 1 >"$tmp/watch.json" 2>/dev/null
valid stats_watch_lines stats "$tmp/watch.json" --lines
check stats_watch_timestamps "stats --watch lines: $(head -c 300 "$tmp/watch.json")" python3 -c '
import json, sys
ts = [json.loads(l)["timestamp"] for l in open(sys.argv[1]) if l.strip()]
sys.exit(not (len(ts) >= 2 and len(set(ts)) == len(ts)))' "$tmp/watch.json"

# --- flows: the appliance asks DNS ----------------------------------------------------------
a=$(pc_ask_udp "$PC_PEER4" 53)
[ "$a" = "answer:query" ] || echo "DNS query: $a" >>"$tmp/topo.err"
pc_cli -j flows "$PC_IF_APP" >"$tmp/flows.json" 2>&1
valid flows_schema flows "$tmp/flows.json"
py flows_has_dns "no UDP flow to $PC_PEER4:53 with its rule" "$tmp/flows.json" \
	'any(f["proto"] == "udp" and f["peer_port"] == 53 and f["rule"] and f["echo_id"] is None for f in d["flows"])'

# --- log: a stream, one object a line ---------------------------------------------------
nsenter --net="/run/netns/$PC_NS_APP" "$PC_BIN" -j log "$PC_IF_APP" --count 1 --timeout 10 \
	>"$tmp/log.json" 2>"$tmp/log.err" &
log_pid=$!
PC_PIDS+=("$log_pid")
wait_said "$log_pid" "$tmp/log.err" 'logging drops'
for _ in 1 2 3; do
	pc_tcp "$PC_APP4" 22 0.5 >/dev/null 2>&1
	[ -s "$tmp/log.json" ] && break
done
for _ in $(seq 1 50); do
	kill -0 "$log_pid" 2>/dev/null || break
	sleep 0.1
done
valid log_schema log "$tmp/log.json" --lines
check log_names_no_match "log line: $(head -c 300 "$tmp/log.json")" python3 -c '
import json, sys
e = json.loads(open(sys.argv[1]).readline())
sys.exit(not (e["counter"] == "no_match" and e["dst_port"] == 22 and e["rule"] is None))' "$tmp/log.json"

# --- explain: the verdict ----------------------------------------------------------------
pc_cli -j explain "$PC_IF_APP" tcp from 198.51.100.7 to port 2525 >"$tmp/explain.json" 2>&1
valid explain_schema explain "$tmp/explain.json"
"$PC_BIN" explain --json --profile "$prof" tcp from 198.51.100.7 to port 22 >"$tmp/explainp.json" 2>&1
valid explain_profile_schema explain "$tmp/explainp.json"

# --- a reload: what it changed ------------------------------------------------------------
grep -v 'port 2525' "$prof" >"$tmp/reload.conf"
echo 'set log 50/s' >>"$tmp/reload.conf"
pc_cli -j load "$PC_IF_APP" "$tmp/reload.conf" >"$tmp/reload.json" 2>"$tmp/reload.err"
valid reload_schema load "$tmp/reload.json"
py reload_changes "the reload's changes" "$tmp/reload.json" \
	'd["replaced"] and [r["match"] for r in d["changes"]["rules_removed"]] == ["port 2525"] and d["changes"]["rules_added"] == [] and {"setting": "log", "old": "100/s", "new": "50/s"} in d["changes"]["settings"]'

# --- flood from the peer --------------------------------------------------------------------
mac=$(ip -n "$PC_NS_APP" link show dev "$PC_IF_APP" 2>/dev/null | awk '/link\/ether/ { print $2 }')
pc_peer "$PC_BIN" -j flood "$PC_IF_PEER" --dst-mac "$mac" --profile "$prof" --mix profile \
	--count 1 >"$tmp/flood.json" 2>"$tmp/flood.err"
valid flood_schema flood "$tmp/flood.json"

# --- what the operator wrote comes out intact, and valid UTF-8 -----------------------------
check labels_intact "the label with quotes, backslash and tab: $(head -c 300 "$tmp/explain.json")" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(not (d["rule"]["label"] == sys.argv[2]))' "$tmp/explain.json" "$label"
check path_not_utf8 "the profile path in stats: $(head -c 300 "$tmp/stats.json")" python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(not d["profile"].endswith("we\"ird\\dir\ufffd/p.conf"))' "$tmp/stats.json"

# --- a command without JSON output --------------------------------------------------------
pc_cli -j confirm "$PC_IF_APP" >"$tmp/confirm.out" 2>"$tmp/confirm.err"
rc=$?
check refuses_j "-j confirm exited $rc: $(cat "$tmp/confirm.err")" \
	eval '[ "$rc" -eq 2 ] && grep -q "confirm has no JSON output" "$tmp/confirm.err" && [ ! -s "$tmp/confirm.out" ]'

finish
