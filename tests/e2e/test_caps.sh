#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Not root, with exactly the capabilities portcullis(8) lists (CAP_BPF, CAP_NET_ADMIN,
# CAP_PERFMON, CAP_DAC_OVERRIDE; bpffs is mounted already): status, stats, a reload
# of what root loaded, unload, and a first load all work; without one of them
# (CAP_PERFMON) a reload fails with exit 1 and leaves the running profile, its pins
# and its program exactly as they were.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root (to drop it) and setpriv.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(topology root_load caps_status caps_stats caps_reload caps_reload_runs caps_unload
	caps_first_load caps_missing_fails caps_missing_untouched)
. tests/e2e/lib.sh
. scripts/netns.sh
command -v setpriv >/dev/null || finish "setpriv is not installed (util-linux)"

. tests/e2e/one_ns_pair.sh
one_ns_pair_up pcp-c
CAPS=+bpf,+net_admin,+perfmon,+dac_override
# as CAPS CMD...: CMD in the namespace as nobody, with only CAPS (inherited through exec);
# pc runs it as root.
as()
{
	local caps=-all,$1
	shift
	nsenter --net="/run/netns/$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps" "$PC_BIN" "$@"
}
look() { echo "xdp $(xdp_id)"; (cd "$dir" 2>/dev/null && find . | sort && readlink current); }

chmod 755 "$tmp"
printf 'allow in tcp port 25 "a"\n' >"$tmp/a.conf"
printf 'allow in tcp port 26 "b"\n' >"$tmp/b.conf"
chmod 644 "$tmp"/*.conf

pc load x0 "$tmp/a.conf" >"$tmp/out" 2>&1
a_id=$(xdp_id)
check root_load "root's load: $(tr '\n' ' ' <"$tmp/out")" [ -n "$a_id" ]

as "$CAPS" status >"$tmp/out" 2>&1
rc=$?
check caps_status "status exited $rc: $(tr '\n' ' ' <"$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && grep -q "x0: attached" "$tmp/out"'
as "$CAPS" stats x0 --json >"$tmp/out" 2>&1
rc=$?
check caps_stats "stats exited $rc: $(head -c 300 "$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && grep -q "a.conf" "$tmp/out"'
as "$CAPS" load x0 "$tmp/b.conf" >"$tmp/out" 2>&1
rc=$?
check caps_reload "reload exited $rc: $(tr '\n' ' ' <"$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && grep -q "replaced the running profile" "$tmp/out"'
pc status x0 >"$tmp/status" 2>&1
check caps_reload_runs "XDP runs $(xdp_id) (a: $a_id): $(tr '\n' ' ' <"$tmp/status")" \
	eval '[ -n "$(xdp_id)" ] && [ "$(xdp_id)" != "$a_id" ] && grep -q b.conf "$tmp/status"'
as "$CAPS" unload x0 >"$tmp/out" 2>&1
rc=$?
check caps_unload "unload exited $rc, xdp '$(xdp_id)', $dir: $(ls "$dir" 2>&1 | tr '\n' ' ')" \
	eval '[ "$rc" -eq 0 ] && [ -z "$(xdp_id)" ] && [ ! -e "$dir" ]'
as "$CAPS" load x0 "$tmp/a.conf" >"$tmp/out" 2>&1
rc=$?
check caps_first_load "first load exited $rc: $(tr '\n' ' ' <"$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && [ -n "$(xdp_id)" ]'

# One capability short: the load fails before it changes anything.
look >"$tmp/before"
as +bpf,+net_admin,+dac_override load x0 "$tmp/b.conf" >"$tmp/out" 2>&1
rc=$?
check caps_missing_fails "reload without CAP_PERFMON exited $rc: $(tr '\n' ' ' <"$tmp/out")" [ "$rc" -eq 1 ]
look >"$tmp/after"
check caps_missing_untouched "changed: $(diff "$tmp/before" "$tmp/after" | tr '\n' ' ')" \
	cmp -s "$tmp/before" "$tmp/after"
finish "an earlier step failed"
