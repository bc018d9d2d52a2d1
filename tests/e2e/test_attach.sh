#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Attaching to interfaces that are not the happy veth: no native XDP (a bridge), another tool's XDP program, an interface deleted and re-created under a loaded profile.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
PROFILE=profiles/spammertrap.conf
CHECKS=(setup fallback_generic fallback_warns native_refused native_leaves_nothing
	generic_explicit foreign_refused foreign_untouched deleted_shows_detached
	deleted_unload_cleans recreated_loads)
. tests/e2e/lib.sh

ns=pc-attach-$$
br=pcbr$$
br=${br:0:15}
pins=/sys/fs/bpf/portcullis/$br
cleanup()
{
	ip netns del "$ns" 2>/dev/null
	rm -rf "$pins" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
run() { nsenter --net="/run/netns/$ns" "$PC_BIN" "$@"; }
mkbridge() { ip -n "$ns" link add "$br" type bridge && ip -n "$ns" link set "$br" up; }
xdp_prog_id() { ip -n "$ns" -d link show "$br" | grep -oE 'prog/xdp id [0-9]+' | grep -oE '[0-9]+$'; }

if ! ip netns add "$ns" || ! mkbridge; then
	fail setup "cannot create namespace $ns with bridge $br"
	finish "no topology"
fi
ok setup

# A bridge has no native XDP: the default mode falls back, with a warning.
run load "$br" "$PROFILE" >"$tmp/load.out" 2>"$tmp/load.err"
rc=$?
run status "$br" >"$tmp/status" 2>&1
check fallback_generic "load on a bridge exited $rc; status: $(tr '\n' ' ' <"$tmp/status")" \
	eval '[ "$rc" -eq 0 ] && grep -q "generic mode" "$tmp/status"'
check fallback_warns "no warning about native XDP: $(tr '\n' ' ' <"$tmp/load.err")" \
	grep -q "refused native XDP.*--mode native" "$tmp/load.err"
run unload "$br" >/dev/null 2>&1

run load "$br" "$PROFILE" --mode native >"$tmp/native.out" 2>&1
rc=$?
check native_refused "--mode native on a bridge exited $rc: $(tr '\n' ' ' <"$tmp/native.out")" \
	eval '[ "$rc" -eq 1 ] && grep -q "try --mode generic" "$tmp/native.out"'
check native_leaves_nothing "after the refused load: pins $(ls "$pins" 2>/dev/null | tr '\n' ' '), xdp id $(xdp_prog_id)" \
	eval '[ ! -e "$pins" ] && [ -z "$(xdp_prog_id)" ]'

run load "$br" "$PROFILE" --mode generic >/dev/null 2>&1
run status "$br" >"$tmp/status" 2>&1
check generic_explicit "--mode generic: $(tr '\n' ' ' <"$tmp/status")" grep -q "generic mode" "$tmp/status"
run unload "$br" >/dev/null 2>&1

# Another tool's program: refused, and left exactly as it was.
ip -n "$ns" link set dev "$br" xdpgeneric obj "$O/portcullis.bpf.o" sec xdp 2>"$tmp/ip.err"
foreign=$(xdp_prog_id)
run load "$br" "$PROFILE" >"$tmp/foreign.out" 2>&1
rc=$?
check foreign_refused "load over a foreign XDP program exited $rc: $(tr '\n' ' ' <"$tmp/foreign.out")" \
	eval '[ -n "$foreign" ] && [ "$rc" -eq 1 ] && grep -q "program id $foreign is already attached.*xdp off" "$tmp/foreign.out"'
check foreign_untouched "the foreign program $foreign became '$(xdp_prog_id)', pins: $(ls "$pins" 2>/dev/null | tr '\n' ' ')" \
	eval '[ "$(xdp_prog_id)" = "$foreign" ] && [ ! -e "$pins" ]'
ip -n "$ns" link set dev "$br" xdpgeneric off

# The interface goes away under a loaded profile, and comes back.
run load "$br" "$PROFILE" >/dev/null 2>&1
ip -n "$ns" link del "$br"
run status "$br" >"$tmp/status" 2>&1
check deleted_shows_detached "status after deleting the interface: $(tr '\n' ' ' <"$tmp/status")" \
	grep -q "DETACHED" "$tmp/status"
mkbridge
run load "$br" "$PROFILE" >"$tmp/again.out" 2>&1
rc=$?
check recreated_loads "load on the re-created interface exited $rc: $(tr '\n' ' ' <"$tmp/again.out")" \
	eval '[ "$rc" -eq 0 ] && [ -n "$(xdp_prog_id)" ]'
ip -n "$ns" link del "$br"
run unload "$br" >"$tmp/unload.out" 2>&1
rc=$?
check deleted_unload_cleans "unload of a deleted interface exited $rc, pins: $(ls "$pins" 2>/dev/null | tr '\n' ' ')" \
	eval '[ "$rc" -eq 0 ] && [ ! -e "$pins" ]'
finish "not reached"
