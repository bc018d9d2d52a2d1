#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `portcullis doctor`: the kernel's lines without IFACE; on a veth pair in a namespace of its own, native XDP reported supported, an XDP program of another tool reported by id and mode and left attached, portcullis's own program and egress hook named (native and generic, tcx and clsact), the test attach of kernels without xdp-features (forced here) removed again and never made over another program, VLAN offload, LRO, the peer's MTU and RX queues against CPUs each as ethtool and ip set them; --json with the same statuses; an unknown interface is a usage error.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
PROFILE=profiles/spammertrap.conf
CHECKS=(setup kernel_lines kernel_exit unknown_iface too_many native_supported json_matches_text
	foreign_native_reported foreign_left_attached foreign_generic_reported
	probe_supported probe_leaves_nothing probe_spares_foreign own_native own_egress_tcx
	own_generic own_egress_clsact rx_vlan_on rx_vlan_off lro_as_ethtool mtu_peer_too_big
	mtu_peer_ok rx_queues_few rx_queues_enough)
. tests/e2e/lib.sh

ns=pc-doctor-$$
cleanup()
{
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
run() { nsenter --net="/run/netns/$ns" "$PC_BIN" "$@"; }
# doctor IFACE... into $tmp/out (stdout) and $tmp/err; the exit status in rc.
doc() { run doctor "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }
line() { grep -E "^(ok|warn|fail) +$1:" "$tmp/out"; }
says() { line "$1" | grep -qE "^$2 +$1: .*$3"; }
shown() { line "$1" | head -c 400; }
xdp_id() { ip -n "$ns" -d link show "$1" | grep -oE 'prog/xdp id [0-9]+' | grep -oE '[0-9]+$'; }
# mkpair QUEUES: the veth pair a0 (under test) and b0, both in $ns, up, with QUEUES
# queues each way on both ends (veth has native XDP only while a0 has as many RX
# queues as b0 has TX queues).
mkpair()
{
	local q="numrxqueues $1 numtxqueues $1"

	ip -n "$ns" link del a0 2>/dev/null
	# shellcheck disable=SC2086 # $q is two options and their values
	ip -n "$ns" link add a0 $q type veth peer name b0 $q &&
		ip -n "$ns" link set a0 up && ip -n "$ns" link set b0 up
}

if ! ip netns add "$ns" || ! mkpair 1; then
	fail setup "cannot create namespace $ns with a veth pair"
	finish "no topology"
fi
ok setup

# The kernel alone: every line of the kernel's checks, and a summary.
doc
kernel_lines()
{
	for c in jit jit_harden bpffs btf bpf ringbuf coarse_clock xdp_load_bytes tcx live_frames; do
		line "$c" >/dev/null || return 1
	done
	grep -qE "^[0-9]+ ok, [0-9]+ warn, [0-9]+ fail$" "$tmp/out"
}
check kernel_lines "$(tr '\n' ' ' <"$tmp/out" | head -c 600)" kernel_lines
check kernel_exit "exit $rc, but fail lines: $(grep -c '^fail' "$tmp/out")" eval \
	'{ [ "$rc" -eq 0 ] && ! grep -q "^fail" "$tmp/out"; } || { [ "$rc" -eq 1 ] && grep -q "^fail" "$tmp/out"; }'

doc nosuch0
check unknown_iface "exit $rc: $(cat "$tmp/err")" eval \
	'[ "$rc" -eq 2 ] && grep -q "no interface nosuch0 in this network namespace" "$tmp/err" && [ ! -s "$tmp/out" ]'
doc a0 b0
check too_many "exit $rc: $(cat "$tmp/err")" eval '[ "$rc" -eq 2 ] && grep -q "usage: portcullis doctor" "$tmp/err"'

# veth has native XDP; nothing is attached yet.
doc a0
check native_supported "$(shown xdp_native) $(shown xdp_program)" eval \
	'says xdp_native ok "supported \(xdp-features: basic" && says xdp_program ok "none attached"'
cp "$tmp/out" "$tmp/text"
text_rc=$rc
run doctor a0 --json >"$tmp/json" 2>/dev/null
json_rc=$?
python3 - "$tmp/json" "$tmp/text" >"$tmp/cmp" 2>&1 <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
text = {}
for l in open(sys.argv[2]):
    m = re.match(r"^(ok|warn|fail) +([a-z_]+): ", l)
    if m:
        text[m.group(2)] = m.group(1)
js = {c["name"]: c["status"] for c in doc["checks"]}
counts = {s: sum(1 for v in js.values() if v == s) for s in ("ok", "warn", "fail")}
if doc["interface"] != "a0" or js != text or any(doc[s] != counts[s] for s in counts):
    sys.exit("json %r, text %r" % (js, text))
PY
check json_matches_text "exit $json_rc (text $text_rc): $(head -c 400 "$tmp/cmp")" eval \
	'[ -s "$tmp/json" ] && [ ! -s "$tmp/cmp" ] && [ "$json_rc" -eq "$text_rc" ]'

# Another tool's program, native then generic: named by id, name and mode, a failure
# (portcullis cannot load over it), and still there afterwards.
ip -n "$ns" link set dev a0 xdpdrv obj "$O/xdp_drop.bpf.o" sec xdp 2>"$tmp/ip.err"
foreign=$(xdp_id a0)
doc a0
check foreign_native_reported "exit $rc, foreign '$foreign': $(shown xdp_program)" eval \
	'[ -n "$foreign" ] && [ "$rc" -eq 1 ] && says xdp_program fail "program id $foreign \(xdp_drop\) in native mode" &&
	grep -q "check failed: xdp_program" "$tmp/err"'
check foreign_left_attached "the foreign program $foreign became '$(xdp_id a0)' after: $(shown xdp_program)" eval \
	'[ -n "$foreign" ] && [ "$(xdp_id a0)" = "$foreign" ] && says xdp_program fail "program id $foreign "'
ip -n "$ns" link set dev a0 xdpdrv off
ip -n "$ns" link set dev a0 xdpgeneric obj "$O/xdp_drop.bpf.o" sec xdp 2>>"$tmp/ip.err"
foreign=$(xdp_id a0)
doc a0
check foreign_generic_reported "foreign '$foreign': $(shown xdp_program)" eval \
	'[ -n "$foreign" ] && says xdp_program fail "program id $foreign \(xdp_drop\) in generic mode"'

# Kernels before 6.3 have no xdp-features: doctor then tries a native attach, but only
# where no program is attached, and removes it.
PC_TEST_NO_XDP_FEATURES=1 run doctor a0 >"$tmp/out" 2>"$tmp/err"
check probe_spares_foreign "$(shown xdp_native); foreign $foreign now '$(xdp_id a0)'" eval \
	'says xdp_native warn "unknown: no xdp-features" && [ "$(xdp_id a0)" = "$foreign" ]'
ip -n "$ns" link set dev a0 xdpgeneric off
PC_TEST_NO_XDP_FEATURES=1 run doctor a0 >"$tmp/out" 2>"$tmp/err"
check probe_supported "$(shown xdp_native)" says xdp_native ok "test attach of an XDP_PASS program in native mode worked"
check probe_leaves_nothing "after the probe: xdp id '$(xdp_id a0)'; $(shown xdp_native)" eval \
	'[ -z "$(xdp_id a0)" ] && says xdp_native ok "test attach"'

# portcullis's own programs, native with tcx, then generic with clsact.
prog_id() { run status a0 --json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["interfaces"][0]["prog_id"])'; }
run load a0 "$PROFILE" >"$tmp/load" 2>&1
own=$(prog_id)
doc a0
check own_native "program '$own': $(shown xdp_program) $(shown portcullis)" eval \
	'[ -n "$own" ] && says xdp_program ok "portcullis \(program id $own, portcullis_xdp\), native mode" &&
	says portcullis ok "loaded: .*spammertrap.conf, [0-9]+ rules, native mode, egress hook tcx"'
check own_egress_tcx "$(shown tc_programs)" says tc_programs ok "tcx egress: program id [0-9]+ \(portcullis_egre\), portcullis's"
run unload a0 >/dev/null 2>&1
run load a0 "$PROFILE" --mode generic --egress-hook clsact >"$tmp/load" 2>&1
own=$(prog_id)
doc a0
check own_generic "program '$own': $(shown xdp_program)" eval \
	'[ -n "$own" ] && says xdp_program warn "portcullis \(program id $own\) in generic mode, though the driver has native XDP"'
check own_egress_clsact "$(shown tc_programs)" says tc_programs ok "clsact egress: program id [0-9]+ \(portcullis_egre\), portcullis's"
run unload a0 >/dev/null 2>&1

# Offloads, as ethtool sets and reports them (veth: VLAN offload on by default, LRO
# fixed off).
if command -v ethtool >/dev/null; then
	e() { ip netns exec "$ns" ethtool "$@"; }
	doc a0
	check rx_vlan_on "$(shown rx_vlan)" says rx_vlan warn "rx-vlan-hw-parse.* on: .*ethtool -K a0 rx-vlan-hw-parse off"
	e -K a0 rxvlan off rx-vlan-stag-hw-parse off >/dev/null 2>&1
	doc a0
	check rx_vlan_off "$(shown rx_vlan)" says rx_vlan ok "rx-vlan-hw-parse off"
	lro=$(e -k a0 | sed -n 's/^large-receive-offload: \([a-z]*\).*/\1/p')
	if [ "$lro" = on ]; then
		check lro_as_ethtool "ethtool: lro $lro; $(shown lro)" says lro warn "rx-lro on: .*ethtool -K a0 rx-lro off"
	else
		check lro_as_ethtool "ethtool: lro '$lro'; $(shown lro)" says lro ok "rx-lro off"
	fi
else
	for c in rx_vlan_on rx_vlan_off lro_as_ethtool; do skip "$c" "ethtool is not installed"; done
fi

# veth refuses native XDP by its peer's MTU: b0's counts for a0.
ip -n "$ns" link set b0 mtu 4000
doc a0
check mtu_peer_too_big "$(shown mtu)" says mtu warn "its veth peer's 4000 .*ip link set dev b0 mtu"
ip -n "$ns" link set b0 mtu 1500
ip -n "$ns" link set a0 mtu 4000
doc a0
check mtu_peer_ok "$(shown mtu)" says mtu ok "4000, its veth peer's 1500"

cpus=$(nproc)
if [ "$cpus" -gt 1 ]; then
	doc a0
	check rx_queues_few "$(shown rx_queues)" says rx_queues warn "1 RX queue for $cpus CPUs"
else
	skip rx_queues_few "one CPU: no interface has fewer queues"
fi
mkpair "$cpus"
doc a0
check rx_queues_enough "$(shown rx_queues)" says rx_queues ok "$cpus RX queues? for $cpus CPUs?"
finish "not reached"
