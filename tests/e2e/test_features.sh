#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: the kernel features portcullis probes at load (docs/kernels.md). load,
# status and stats report the same ones, in text and JSON, and they agree with
# bpftool's own probe of this kernel's XDP helpers; the egress hook follows the tcx
# probe, and --egress-hook tcx is honoured where the kernel has tcx and refused, naming
# the release that brings it, where it has not. `make vmtest` runs this on kernels with
# and without each feature.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

CHECKS=(topology bpftool_probe load load_reports_features status_text status_json stats_text
	stats_json egress_hook_follows_probe tcx_option reload_keeps_hook)
. tests/e2e/lib.sh
PC_IF_APP=pcf-app0 PC_IF_PEER=pcf-peer0
. scripts/netns.sh

cat >"$tmp/a.conf" <<'EOF2'
allow in tcp port 25 "SMTP in"
allow out udp port 53 "DNS"
EOF2

set_up_or_finish topology topo_up

# What bpftool finds, independently of portcullis: "true"/"false" per helper.
bpftool feature probe kernel -j >"$tmp/probe.json" 2>"$tmp/probe.err"
helper() {
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print("true" if sys.argv[2] in d["helpers"]["xdp_available_helpers"] else "false")' "$tmp/probe.json" "$1"
}
coarse=$(helper bpf_ktime_get_coarse_ns 2>/dev/null)
loadb=$(helper bpf_xdp_load_bytes 2>/dev/null)
if [ -z "$coarse" ] || [ -z "$loadb" ]; then
	fail bpftool_probe "bpftool feature probe: $(head -c 300 "$tmp/probe.err")"
	finish "no independent probe"
fi
ok bpftool_probe

# The text form of a feature as load/status/stats print it.
word() { if [ "$2" = true ]; then echo "$1"; else echo "no $1 (Linux"; fi; }
has_words() {
	grep -q "kernel features: " "$1" &&
		grep "kernel features: " "$1" | grep -qF "$(word coarse_clock "$coarse")" &&
		grep "kernel features: " "$1" | grep -qF "$(word xdp_load_bytes "$loadb")" &&
		{ [ "$coarse" = false ] || ! grep "kernel features: " "$1" | grep -q "no coarse_clock"; } &&
		{ [ "$loadb" = false ] || ! grep "kernel features: " "$1" | grep -q "no xdp_load_bytes"; }
}
# The JSON member, checked against bpftool; prints tcx's value.
json_features() {
	python3 -c 'import json,sys
doc = json.load(open(sys.argv[1]))
doc = doc["interfaces"][0] if "interfaces" in doc else doc
f = doc["kernel_features"]
want = {"coarse_clock": sys.argv[2] == "true", "xdp_load_bytes": sys.argv[3] == "true"}
bad = {k: f.get(k) for k in want if f.get(k) != want[k]}
if bad or set(f) != {"coarse_clock", "xdp_load_bytes", "tcx"}:
    sys.exit("kernel_features %r, expected %r and tcx" % (f, want))
print("true" if f["tcx"] else "false")' "$1" "$coarse" "$loadb"
}

load_or_finish "$tmp/a.conf"
check load_reports_features "load said: $(tr '\n' ' ' <"$tmp/load.out")" has_words "$tmp/load.out"
pc_cli status "$PC_IF_APP" >"$tmp/status" 2>&1
check status_text "status: $(tr '\n' ' ' <"$tmp/status")" has_words "$tmp/status"
pc_cli status "$PC_IF_APP" --json >"$tmp/status.json" 2>&1
tcx=$(json_features "$tmp/status.json" 2>"$tmp/status.err")
check status_json "$(cat "$tmp/status.err") $(head -c 400 "$tmp/status.json")" [ -n "$tcx" ]
pc_cli stats "$PC_IF_APP" >"$tmp/stats" 2>&1
check stats_text "stats: $(head -n 4 "$tmp/stats" | tr '\n' ' ')" has_words "$tmp/stats"
pc_cli stats "$PC_IF_APP" --json >"$tmp/stats.json" 2>&1
stcx=$(json_features "$tmp/stats.json" 2>"$tmp/stats.err")
check stats_json "$(cat "$tmp/stats.err") $(head -c 400 "$tmp/stats.json")" [ -n "$stcx" ] && [ "$stcx" = "$tcx" ]

hook=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["egress_hook"])' "$tmp/status.json" 2>/dev/null)
want=$([ "$tcx" = true ] && echo tcx || echo clsact)
check egress_hook_follows_probe "egress hook '$hook' with tcx=$tcx, expected $want" [ "$hook" = "$want" ]

pc_cli unload "$PC_IF_APP" >/dev/null 2>&1
pc_cli load "$PC_IF_APP" "$tmp/a.conf" --egress-hook tcx >"$tmp/tcx" 2>&1
rc=$?
if [ "$tcx" = true ]; then
	pc_cli status "$PC_IF_APP" >"$tmp/status2" 2>&1
	check tcx_option "tcx kernel: --egress-hook tcx exited $rc: $(cat "$tmp/tcx" "$tmp/status2" | tr '\n' ' ')" \
		eval '[ "$rc" -eq 0 ] && grep -q "egress hook tcx" "$tmp/status2"'
	other=clsact
else
	check tcx_option "no tcx: --egress-hook tcx exited $rc: $(tr '\n' ' ' <"$tmp/tcx")" \
		eval '[ "$rc" -eq 1 ] && grep -q "this kernel has no tcx (it comes with Linux 6.6)" "$tmp/tcx" &&
		! pc_cli status "$PC_IF_APP" >/dev/null 2>&1'
	pc_cli load "$PC_IF_APP" "$tmp/a.conf" >/dev/null 2>&1
	other=tcx
fi
# A reload cannot switch hooks: it says so, exit 1, and the running program stays.
prog() { pc_cli -j status "$PC_IF_APP" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["interfaces"][0]["prog_id"])'; }
before=$(prog)
pc_cli load "$PC_IF_APP" "$tmp/a.conf" --egress-hook "$other" >"$tmp/switch" 2>&1
rc=$?
after=$(prog)
check reload_keeps_hook "--egress-hook $other on a reload exited $rc, program $before -> $after: $(tr '\n' ' ' <"$tmp/switch")" \
	eval '[ "$rc" -eq 1 ] && grep -q "a reload keeps it" "$tmp/switch" && [ -n "$before" ] && [ "$before" = "$after" ]'

finish "an earlier step failed"
