#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Two network namespaces with an interface of the same name: state is keyed by the
# namespace and the ifindex, so every command run in one (load, reload, confirm,
# status, stats, unload) leaves the other's program, pins, counters and verdicts
# exactly as they were, and a command in a third namespace touches neither. An
# interface that vanished under a loaded profile is reported, with a non-zero exit.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(topology load_a a_verdicts load_b b_runs_its_own a_after_load_b status_b_only_own
	status_all_both reload_b a_after_reload_b stats_b_own a_after_stats_b confirm_b
	a_after_confirm_b unload_b a_after_unload_b unload_elsewhere_refused
	a_after_unload_elsewhere a_verdicts_at_end vanished_status_fails vanished_unload
	a_after_vanished)
. tests/e2e/lib.sh
. scripts/netns.sh
. tests/e2e/ip_pair.sh

sfx=$$
nsa=pcn-a-$sfx pa=pcn-pa-$sfx nsb=pcn-b-$sfx pb=pcn-pb-$sfx nsc=pcn-c-$sfx
cleanup()
{
	for pid in "${PC_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
	for n in "$nsa" "$nsb" "$nsc"; do
		[ -e "/run/netns/$n" ] && nsenter --net="/run/netns/$n" "$PC_BIN" unload x0 >/dev/null 2>&1
	done
	for n in "$nsa" "$pa" "$nsb" "$pb" "$nsc"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
in_ns() { local n=$1; shift; nsenter --net="/run/netns/$n" "$@"; }
side() # side NS PEER: makes netns.sh's helpers talk to that pair
{
	PC_NS_APP=$1 PC_NS_PEER=$2 PC_IF_APP=x0 PC_IF_PEER=y0
}

cat >"$tmp/p25.conf" <<'P'
allow in tcp port 25 "SMTP"
set state off
P
cat >"$tmp/p2222.conf" <<'P'
allow in tcp port 2222 "other"
set state off
P

set_up_or_finish topology eval 'ip_pair_up "$nsa" "$pa" && ip_pair_up "$nsb" "$pb" &&
	ip netns add "$nsc" && side "$nsa" "$pa" && pc_listen 25 2222 && side "$nsb" "$pb" && pc_listen 25 2222 &&
	dir_a=$(pc_state_dir "$nsa" x0)'

# A's whole observable state: program, every pin and where current points, counters.
snap_a()
{
	{
		echo "xdp $(xdp_prog "$nsa" x0)"
		(cd "$dir_a" 2>/dev/null && find . | sort && readlink current)
		# less the time of reading, which is all that may change
		in_ns "$nsa" "$PC_BIN" stats x0 --json | sed 's/"timestamp":"[^"]*",//'
	} 2>&1
}
verdicts() # verdicts NS PEER: which of 25 and 2222 connect
{
	side "$1" "$2"
	echo "25:$(pc_tcp 10.9.0.1 25 1 >/dev/null 2>&1 && echo pass || echo drop)" \
		"2222:$(pc_tcp 10.9.0.1 2222 1 >/dev/null 2>&1 && echo pass || echo drop)"
}
untouched() # untouched CHECK: A exactly as in $tmp/a.ref
{
	snap_a >"$tmp/a.now"
	check "$1" "A changed: $(diff "$tmp/a.ref" "$tmp/a.now" | head -n 6 | tr '\n' ' ')" \
		cmp -s "$tmp/a.ref" "$tmp/a.now"
}

in_ns "$nsa" "$PC_BIN" load x0 "$tmp/p25.conf" >"$tmp/out" 2>&1
check load_a "load in A: $(tr '\n' ' ' <"$tmp/out")" eval '[ -n "$(xdp_prog "$nsa" x0)" ]'
v=$(verdicts "$nsa" "$pa")
check a_verdicts "A's verdicts: $v" [ "$v" = "25:pass 2222:drop" ]
snap_a >"$tmp/a.ref"

in_ns "$nsb" "$PC_BIN" load x0 "$tmp/p2222.conf" >"$tmp/out" 2>&1
rc=$?
check load_b "load in B exited $rc: $(tr '\n' ' ' <"$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && ! grep -q replaced "$tmp/out"'
v=$(verdicts "$nsb" "$pb")
check b_runs_its_own "B's verdicts: $v, xdp id '$(xdp_prog "$nsb" x0)'" \
	eval '[ "$v" = "25:drop 2222:pass" ] && [ -n "$(xdp_prog "$nsb" x0)" ]'
untouched a_after_load_b

in_ns "$nsb" "$PC_BIN" status >"$tmp/status" 2>&1
check status_b_only_own "status in B: $(tr '\n' ' ' <"$tmp/status")" \
	eval '[ "$(grep -c "^x0" "$tmp/status")" -eq 1 ] && grep -q p2222.conf "$tmp/status" &&
	! grep -q p25.conf "$tmp/status"'
in_ns "$nsa" "$PC_BIN" status --all >"$tmp/status" 2>&1
check status_all_both "status --all in A: $(tr '\n' ' ' <"$tmp/status")" \
	eval '[ "$(grep -c "^x0 (ifindex [0-9]*, namespace net:\[[0-9]*\]" "$tmp/status")" -eq 2 ] &&
	grep -q "this one): attached" "$tmp/status" && ! grep -q "run .portcullis unload" "$tmp/status"'

in_ns "$nsb" "$PC_BIN" load x0 "$tmp/p25.conf" >"$tmp/out" 2>&1
rc=$?
check reload_b "reload in B exited $rc: $(tr '\n' ' ' <"$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && grep -q "replaced the running profile" "$tmp/out"'
untouched a_after_reload_b
in_ns "$nsb" "$PC_BIN" stats x0 --json >"$tmp/out" 2>&1
check stats_b_own "stats in B: $(head -c 200 "$tmp/out")" grep -q '"profile":".*p25.conf"' "$tmp/out"
untouched a_after_stats_b
in_ns "$nsb" "$PC_BIN" load x0 "$tmp/p2222.conf" --confirm 60 >"$tmp/out" 2>&1 &&
	in_ns "$nsb" "$PC_BIN" confirm x0 >>"$tmp/out" 2>&1
rc=$?
check confirm_b "load --confirm and confirm in B exited $rc: $(tr '\n' ' ' <"$tmp/out")" [ "$rc" -eq 0 ]
untouched a_after_confirm_b
in_ns "$nsb" "$PC_BIN" unload x0 >"$tmp/out" 2>&1
rc=$?
check unload_b "unload in B exited $rc, xdp id '$(xdp_prog "$nsb" x0)': $(tr '\n' ' ' <"$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && [ -z "$(xdp_prog "$nsb" x0)" ]'
untouched a_after_unload_b

# A namespace without x0: nothing to unload there, and A's x0 is not its business.
in_ns "$nsc" "$PC_BIN" unload x0 >"$tmp/out" 2>&1
rc=$?
check unload_elsewhere_refused "unload in C exited $rc: $(tr '\n' ' ' <"$tmp/out")" [ "$rc" -ne 0 ]
untouched a_after_unload_elsewhere
v=$(verdicts "$nsa" "$pa")
check a_verdicts_at_end "A's verdicts: $v" [ "$v" = "25:pass 2222:drop" ]
snap_a >"$tmp/a.ref"

# x0 vanishes in C under a loaded profile: status says so and fails; unload by its
# name cleans up.
ip -n "$nsc" link add x0 type veth peer name x0p && ip -n "$nsc" link set x0 up
in_ns "$nsc" "$PC_BIN" load x0 "$tmp/p25.conf" >/dev/null 2>&1
ip -n "$nsc" link del x0
in_ns "$nsc" "$PC_BIN" status >"$tmp/status" 2>"$tmp/err"
rc=$?
check vanished_status_fails "status in C after x0 vanished exited $rc: $(cat "$tmp/status" "$tmp/err" | tr '\n' ' ')" \
	eval '[ "$rc" -eq 1 ] && grep -q "^x0: DETACHED" "$tmp/status" && grep -q "gone" "$tmp/err"'
in_ns "$nsc" "$PC_BIN" unload x0 >"$tmp/out" 2>&1
rc=$?
in_ns "$nsc" "$PC_BIN" status >"$tmp/status" 2>&1
rc2=$?
check vanished_unload "unload of the vanished x0 exited $rc, then status $rc2: $(cat "$tmp/out" "$tmp/status" | tr '\n' ' ')" \
	eval '[ "$rc" -eq 0 ] && [ "$rc2" -eq 0 ] && grep -q "not loaded" "$tmp/status"'
untouched a_after_vanished

finish "an earlier step failed"
