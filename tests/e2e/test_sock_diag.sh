#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A kernel without socket diagnostics for UDP (udp_diag neither built in nor loadable,
# imitated by the LD_PRELOAD no_udp_diag.c): under `set state on` a load cannot list the
# open connections it must keep, so it fails with the failing step and what to do
# (modprobe, or `set state off`), leaving the interface as it was: nothing attached on
# a first load, the running profile on a reload. Under `set state off` nothing is
# listed, and the load goes through.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root and a C compiler (for the preload).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(topology preload_built first_load_refused first_load_says_what_to_do
	first_load_leaves_nothing state_off_loads reload_refused reload_keeps_running)
. tests/e2e/lib.sh
. scripts/netns.sh
. tests/e2e/one_ns_pair.sh
one_ns_pair_up pcp-d

cc -shared -fPIC -Wall -Wextra -Werror -o "$tmp/no_udp_diag.so" tests/e2e/no_udp_diag.c -ldl \
	2>"$tmp/cc.err"
check preload_built "cc: $(head -c 300 "$tmp/cc.err")" [ -s "$tmp/no_udp_diag.so" ]
[ -s "$tmp/no_udp_diag.so" ] || finish "no preload"
# pc_no_diag ARGS...: portcullis in the namespace, on a kernel without udp_diag.
pc_no_diag() { nsenter --net="/run/netns/$ns" env LD_PRELOAD="$tmp/no_udp_diag.so" "$PC_BIN" "$@"; }

printf 'allow in tcp port 25 "smtp"\nallow out udp port 53 "dns"\n' >"$tmp/on.conf"
printf 'set state off\nallow in tcp port 25 "smtp"\nallow out udp port 53 "dns"\n' >"$tmp/off.conf"

# --- a first load, state on ----------------------------------------------------------------
pc_no_diag load x0 "$tmp/on.conf" >"$tmp/first.out" 2>&1
rc=$?
check first_load_refused "load exited $rc: $(head -c 300 "$tmp/first.out")" \
	eval '[ "$rc" -eq 1 ] && grep -q "listing UDP sockets (sock_diag).*No such file or directory" "$tmp/first.out"'
check first_load_says_what_to_do "no advice in: $(head -c 400 "$tmp/first.out")" \
	eval 'grep -q "modprobe inet_diag tcp_diag udp_diag" "$tmp/first.out" &&
		grep -q "set state off" "$tmp/first.out"'
check first_load_leaves_nothing "after the failed load: xdp '$(xdp_id)', state $(ls -A "$dir" 2>&1 | tr '\n' ' ')" \
	eval '[ -z "$(xdp_id)" ] && [ ! -e "$dir/current" ]'

# --- state off: nothing to list ------------------------------------------------------------
pc_no_diag load x0 "$tmp/off.conf" >"$tmp/off.out" 2>&1
rc=$?
off_id=$(xdp_id)
check state_off_loads "load of a state-off profile exited $rc: $(head -c 300 "$tmp/off.out")" \
	eval '[ "$rc" -eq 0 ] && [ -n "$off_id" ]'

# --- a reload onto state on: refused, the running profile stays ------------------------------
pc stats x0 --json >"$tmp/before.json" 2>&1
pc_no_diag load x0 "$tmp/on.conf" >"$tmp/reload.out" 2>&1
rc=$?
check reload_refused "reload exited $rc: $(head -c 300 "$tmp/reload.out")" \
	eval '[ "$rc" -eq 1 ] && grep -q "listing UDP sockets (sock_diag)" "$tmp/reload.out"'
pc stats x0 --json >"$tmp/after.json" 2>&1
check reload_keeps_running "xdp '$(xdp_id)' (was $off_id); profile $(grep -o '"profile": *"[^"]*"' "$tmp/after.json")" \
	eval '[ "$(xdp_id)" = "$off_id" ] && grep -q "off.conf" "$tmp/after.json" &&
		pc load x0 "$tmp/on.conf" >/dev/null 2>&1'
finish "not reached"
