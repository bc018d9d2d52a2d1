#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Every error a user can cause from the command line: its exit status (1 runtime, 2 usage or profile) and a message that says what to do.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(unknown_command no_args bad_mode bad_ifname missing_iface not_loaded_stats
	not_loaded_unload not_loaded_status no_confirm_pending missing_profile
	broken_check explain_bad_packet explain_missing_port help)
. tests/e2e/lib.sh

# expect NAME STATUS PATTERN ARGS...: runs the CLI, checks its exit status and that
# stderr (or stdout for help) matches PATTERN.
expect()
{
	local name=$1 want=$2 pattern=$3 rc
	shift 3
	"$PC_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "portcullis $* exited $rc, expected $want: $(head -c 300 "$tmp/err")"
	elif ! grep -qE -- "$pattern" "$tmp/err" "$tmp/out"; then
		fail "$name" "portcullis $*: no /$pattern/ in: $(head -c 300 "$tmp/err")"
	else
		ok "$name"
	fi
}

if="pc-none-$$"
expect unknown_command 2 "unknown command 'frobnicate'; run .portcullis help." frobnicate
expect no_args 2 "usage: portcullis" 
expect bad_mode 2 "--mode takes native or generic" load lo profiles/spammertrap.conf --mode turbo
expect bad_ifname 2 "not an interface name" stats "../etc"
expect missing_iface 1 "interface $if \(if_nametoindex\): No such device.*ip link" \
	load "$if" profiles/spammertrap.conf
# An interface that exists (lo, of this namespace) with nothing loaded; one that does
# not exist is missing_iface's error for every command.
expect not_loaded_stats 1 "portcullis is not loaded on lo.*portcullis load lo PROFILE" stats lo
expect not_loaded_unload 1 "portcullis is not loaded on lo" unload lo
expect not_loaded_status 1 "portcullis is not loaded on lo" status lo
expect no_confirm_pending 1 "portcullis is not loaded on lo" confirm lo
expect missing_profile 2 "no-such.conf.*No such file" check "$tmp/no-such.conf"
printf 'set state off\nallow in tcp port 99999\n' >"$tmp/bad.conf"
expect broken_check 2 "bad.conf:2:19: error: .*port" check "$tmp/bad.conf"
expect explain_bad_packet 2 "unknown protocol: sctp; a packet is written" \
	explain --profile profiles/spammertrap.conf sctp from 192.0.2.1
expect explain_missing_port 2 "needs its destination port" \
	explain --profile profiles/spammertrap.conf tcp from 192.0.2.1
expect help 0 "portcullis explain" help
finish "not reached"
