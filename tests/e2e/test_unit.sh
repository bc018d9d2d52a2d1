#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What portcullis@IFACE.service runs (deploy/portcullis-unit.sh), with the real binary on
# a veth in a namespace of its own: start loads CONFDIR/IFACE.conf and saves it as the
# last good copy; a profile that does not load fails the start with the compiler's
# message but leaves the interface filtered, by the last good copy or else by
# fallback.conf; reload replaces atomically and keeps the running profile when the new
# one does not load; stop unloads.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(topology start_good saved_good start_broken_fails start_broken_message
	start_broken_last_good start_include_last_good start_fallback reload_good
	reload_broken_keeps stop_unloads bad_name)
. tests/e2e/lib.sh

ns=pcu-$$
cleanup()
{
	nsenter --net="/run/netns/$ns" "$PC_BIN" unload u0 >/dev/null 2>&1
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# unit ARGS...: the helper as make install writes it, in the namespace, with its
# binary, configuration and state directory in tmp.
helper=$tmp/portcullis-unit
sed -e "s|@SBINDIR@|/nonexistent|" -e "s|@SYSCONFDIR@|/nonexistent|" \
	deploy/portcullis-unit.sh >"$helper" && chmod +x "$helper"
unit()
{
	PORTCULLIS=$PC_BIN PORTCULLIS_CONFDIR=$tmp/etc STATE_DIRECTORY=$tmp/state \
		nsenter --net="/run/netns/$ns" "$helper" "$@"
}
status() { nsenter --net="/run/netns/$ns" "$PC_BIN" status u0 2>&1; }
xdp_id() { ip -n "$ns" -d link show u0 2>/dev/null | grep -oE 'prog/xdp id [0-9]+' | grep -oE '[0-9]+$'; }
# running FILE: status names FILE as u0's profile.
running() { status | grep -qF "$1"; }

if ! { ip netns add "$ns" && ip -n "$ns" link add u0 type veth peer name u1 &&
	ip -n "$ns" link set u0 up && ip -n "$ns" link set u1 up; } 2>"$tmp/topo.err"; then
	fail topology "$(tr '\n' ' ' <"$tmp/topo.err")"
	finish "no topology"
fi
ok topology

mkdir -p "$tmp/etc" "$tmp/state"
cp deploy/etc/fallback.conf "$tmp/etc/"
printf 'zone lan 10.0.0.0/8\nallow in from lan tcp port 25 "a"\n' >"$tmp/etc/zones.conf"
printf 'include zones.conf\n' >"$tmp/etc/u0.conf"

unit start u0 >"$tmp/out" 2>&1
rc=$?
check start_good "start exited $rc: $(tr '\n' ' ' <"$tmp/out" | head -c 300)" \
	eval '[ "$rc" -eq 0 ] && running "$tmp/etc/u0.conf"'
check saved_good "no last good copy of the configuration: $(ls -R "$tmp/state" 2>&1 | tr '\n' ' ')" \
	eval 'cmp -s "$tmp/etc/u0.conf" "$tmp/state/u0/u0.conf" &&
		cmp -s "$tmp/etc/zones.conf" "$tmp/state/u0/zones.conf"'

# A reboot (bpffs is memory: nothing is loaded) into a typo: start fails, with the
# compiler's message, and u0 runs the last good copy, its include read from the copy.
# pcunload: what a reboot leaves of u0's profile, nothing.
pcunload() { nsenter --net="/run/netns/$ns" "$PC_BIN" unload u0 >/dev/null 2>&1; }
pcunload
printf 'include zones.conf\nallow in from lna tcp port 26 "b"\n' >"$tmp/etc/u0.conf"
printf 'zone lan 10.0.0.0/8\nallow in from lan tcp port 99 "c"\n' >"$tmp/etc/zones.conf"
unit start u0 >"$tmp/out" 2>&1
rc=$?
check start_broken_fails "start of a broken profile exited $rc, not 2" [ "$rc" -eq 2 ]
check start_broken_message "no compiler message: $(head -c 300 "$tmp/out")" \
	grep -q "u0.conf:2:15: error: unknown zone 'lna'" "$tmp/out"
check start_broken_last_good "u0 does not run the last good copy (xdp '$(xdp_id)'): $(status | tr '\n' ' ' | head -c 300)" \
	eval '[ -n "$(xdp_id)" ] && running "$tmp/state/u0/u0.conf"'
nsenter --net="/run/netns/$ns" "$PC_BIN" stats u0 >"$tmp/stats" 2>&1
check start_include_last_good "the last good copy's include was not the saved zones.conf: $(grep -E 'port (25|99)' "$tmp/stats" | head -c 300)" \
	eval 'grep -q "port 25" "$tmp/stats" && ! grep -q "port 99" "$tmp/stats"'

# No last good copy: fallback.conf, and still a failed start.
rm -rf "$tmp/state/u0"
pcunload
unit start u0 >"$tmp/out" 2>&1
rc=$?
check start_fallback "start exited $rc; u0: $(status | tr '\n' ' ' | head -c 300)" \
	eval '[ "$rc" -eq 2 ] && [ -n "$(xdp_id)" ] && running "$tmp/etc/fallback.conf" &&
		grep -q "loading the management profile" "$tmp/out"'

printf 'allow in tcp port 25 "a"\n' >"$tmp/etc/u0.conf"
unit reload u0 >"$tmp/out" 2>&1
rc=$?
check reload_good "reload exited $rc: $(tr '\n' ' ' <"$tmp/out" | head -c 300)" \
	eval '[ "$rc" -eq 0 ] && running "$tmp/etc/u0.conf" &&
		grep -q "replaced the running profile" "$tmp/out" &&
		cmp -s "$tmp/etc/u0.conf" "$tmp/state/u0/u0.conf"'
id=$(xdp_id)
printf 'allow in tcp port 2x5 "a"\n' >"$tmp/etc/u0.conf"
unit reload u0 >"$tmp/out" 2>&1
rc=$?
check reload_broken_keeps "reload of a broken profile exited $rc; xdp $(xdp_id) (was $id); saved: $(cat "$tmp/state/u0/u0.conf")" \
	eval '[ "$rc" -eq 2 ] && [ "$(xdp_id)" = "$id" ] && running "$tmp/etc/u0.conf" &&
		grep -q "port 25 " "$tmp/state/u0/u0.conf"'

unit stop u0 >"$tmp/out" 2>&1
rc=$?
check stop_unloads "stop exited $rc, xdp '$(xdp_id)': $(tr '\n' ' ' <"$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && [ -z "$(xdp_id)" ]'

unit start ../u0 >"$tmp/out" 2>&1
rc=$?
check bad_name "start ../u0 exited $rc: $(tr '\n' ' ' <"$tmp/out")" \
	eval '[ "$rc" -eq 2 ] && [ ! -e "$tmp/u0" ] && grep -q usage "$tmp/out"'

finish "not reached"
