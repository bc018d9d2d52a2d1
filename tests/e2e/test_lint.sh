#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: the lint through the CLI. check prints each warning compiler style with
# its id, the line and a caret, and ends with the duties; check --strict exits 2 with
# the warnings as errors and no matrix; the shipped profiles pass --strict; load prints
# the warnings and loads all the same.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root (for the load); O (default build) locates
# the binary, PORTCULLIS overrides it.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(strict_spammertrap strict_libraesva check_warns_exit_0 check_warning_format
	check_every_id check_prints_duties strict_exit_2 strict_errors_with_id strict_says_why
	strict_no_matrix topology load_warns_and_loads)
. tests/e2e/lib.sh

# --- The shipped profiles have nothing to warn of ---------------------------------------
for p in spammertrap libraesva-esg; do
	name=strict_${p%%-*}
	timeout 20 "$PC_BIN" check --strict "profiles/$p.conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check "$name" "check --strict profiles/$p.conf exited $rc: $(head -c 300 "$tmp/err")" \
		eval '[ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ]'
done

# --- One profile with every finding of the lint ---------------------------------------
cat >"$tmp/lint.conf" <<'EOF'
set non-ip drop
set default pass
set state off
zone lan 10.0.0.0/8
zone dmz 10.0.0.0/15, 172.16.0.0/12
zone mx mx.example.invalid
drop in icmp6 type 135
allow in from any tcp port 22
allow in from mx tcp port 25
allow in from 2001:db8::/32 icmp type 3
allow in from lan tcp port 25
allow in from internet tcp port 25
EOF
# The id of each finding, at FILE:LINE:COL.
want=("lint.conf:1:12: warning: .*\[non-ip-drop\]$"
	"lint.conf:2:13: warning: .*\[default-pass\]$"
	"lint.conf:5:6: warning: zone 'dmz' shares addresses with 'lan' \(line 4\): 10.0.0.0/15.*\[zone-overlap\]$"
	"lint.conf:6:9: warning: host name 'mx.example.invalid' resolves to no address \(.*\[unresolved-host\]$"
	"lint.conf:7:20: warning: ICMPv6 type 135 .*\[ndp-rule\]$"
	"lint.conf:8:15: warning: this rule opens tcp port 22 to every address.*\[open-to-all\]$"
	"lint.conf:9:15: warning: zone 'mx' has no address.*\[never-matches\]$"
	"lint.conf:10:15: warning: icmp is IPv4 only.*\[never-matches\]$")
timeout 20 "$PC_BIN" check "$tmp/lint.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
check check_warns_exit_0 "check exited $rc: $(head -c 300 "$tmp/err")" [ "$rc" -eq 0 ]
# The header, the line as written and a caret under the column.
check check_warning_format "no header, line and caret for non-ip-drop: $(head -c 400 "$tmp/err")" \
	eval 'grep -A2 "lint.conf:1:12: warning: .set non-ip drop. drops ARP" "$tmp/err" |
		sed -n "2,3p" | tr "\n" "|" | grep -qx "set non-ip drop|           ^|"'
missing=
for w in "${want[@]}"; do
	grep -qE -- "$w" "$tmp/err" || missing+=" /$w/"
done
check check_every_id "not found in check's output:$missing" [ -z "$missing" ]
check check_prints_duties "no duties after the matrix: $(tail -n 6 "$tmp/out" | tr '\n' ' ')" \
	eval 'grep -q "^Duties of a mail appliance" "$tmp/out" &&
		grep -qE "^  NTP out \(udp 123\) +note: no rule allows it" "$tmp/out"'

timeout 20 "$PC_BIN" check --strict "$tmp/lint.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
check strict_exit_2 "check --strict exited $rc, expected 2" [ "$rc" -eq 2 ]
missing=
for w in "${want[@]}"; do
	grep -qE -- "${w/warning:/error:}" "$tmp/err" || missing+=" /${w/warning:/error:}/"
done
check strict_errors_with_id "not found in check --strict's output:$missing" \
	eval '[ -z "$missing" ] && ! grep -q "warning:" "$tmp/err"'
check strict_says_why "no summary line: $(tail -n 1 "$tmp/err")" \
	grep -q "lint.conf has 8 warnings, errors under --strict" "$tmp/err"
check strict_no_matrix "check --strict printed the matrix: $(head -c 200 "$tmp/out")" \
	[ ! -s "$tmp/out" ]

# --- load prints the warnings and loads -------------------------------------------------
. scripts/netns.sh

pc_topo_up 2>"$tmp/topo.err"
rc=$?
# pc_topo_up installs its own EXIT trap; this one also removes $tmp.
trap 'pc_topo_down; rm -rf "$tmp"' EXIT
if [ "$rc" -ne 0 ]; then
	fail topology "$(head -c 300 "$tmp/topo.err")"
	finish "no topology"
fi
ok topology
printf 'allow in from any tcp port 22,25\nallow out tcp,udp port 53\n' >"$tmp/open.conf"
pc_cli load "$PC_IF_APP" "$tmp/open.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
PC_LOADED=1
check load_warns_and_loads "load exited $rc: $(head -c 300 "$tmp/err")" \
	eval '[ "$rc" -eq 0 ] && grep -q "open.conf:1:15: warning: .*\[open-to-all\]" "$tmp/err"'
finish "done"
