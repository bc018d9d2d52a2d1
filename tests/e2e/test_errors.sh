#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Every error a user can cause from the command line: its exit status (1 runtime, 2 usage or profile) and a message that says what to do.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(unknown_command no_args bad_mode bad_ifname missing_iface not_loaded_stats
	not_loaded_unload not_loaded_status no_confirm_pending missing_profile
	broken_check explain_bad_packet explain_missing_port help
	iface_escape iface_escape_no_file iface_empty iface_dot iface_dotdot iface_long
	iface_slash iface_space iface_missing_unload_ok iface_explain iface_flows iface_log
	include_fifo_check include_fifo_load include_dev_zero profile_dir empty_profile
	bom_profile comment_profile rules_none_loads_nothing_else flows_too_big
	explain_ndp_passes explain_to_twice explain_vlan_thrice explain_type_on_tcp)
. tests/e2e/lib.sh

# expect_isolated NAME STATUS PATTERN load lo ...: the same in a network namespace of its
# own, for a profile that must be refused: should it load after all, it lands on the
# lo of a namespace that ends with the command, never on this one's.
expect_isolated() { PC_WRAP="unshare -n" expect "$@"; }
# expect NAME STATUS PATTERN ARGS...: runs the CLI, checks its exit status and that
# stderr (or stdout for help) matches PATTERN.
expect()
{
	local name=$1 want=$2 pattern=$3 rc
	shift 3
	# A hang is a failure too (timeout exits 124), not a stuck suite.
	timeout 20 ${PC_WRAP:-} "$PC_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
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
expect missing_iface 2 "no interface $if in this network namespace; .ip link. lists" \
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

# IFACE is checked before anything uses it: it names files under /run/portcullis and
# /sys/fs/bpf/portcullis, so `load ../../tmp/x` once created /tmp/x.lock as root.
esc="../../tmp/pc-escape-$$"
expect iface_escape 2 "'$esc' is not an interface name: it contains '/'" \
	load "$esc" profiles/spammertrap.conf
check iface_escape_no_file "/tmp/pc-escape-$$.lock was created" \
	test ! -e "/tmp/pc-escape-$$.lock" -a ! -e "/tmp/pc-escape-$$"
expect iface_empty 2 "the interface name is empty" load "" profiles/spammertrap.conf
expect iface_dot 2 "'\.' is not an interface name" unload .
expect iface_dotdot 2 "'\.\.' is not an interface name" load .. profiles/spammertrap.conf
expect iface_long 2 "it has 300 characters, an interface name at most 15" \
	load "$(printf 'x%.0s' $(seq 300))" profiles/spammertrap.conf
expect iface_slash 2 "'a/b' is not an interface name: it contains '/'" \
	load a/b profiles/spammertrap.conf
expect iface_space 2 "is not an interface name: it contains byte 0x20" stats "a b"
# unload reaches the state of an interface that is gone: only the name is checked.
expect iface_missing_unload_ok 1 "portcullis is not loaded on $if" unload "$if"
expect iface_explain 2 "no interface $if in this network namespace" \
	explain "$if" tcp from 192.0.2.1 to port 25
expect iface_flows 2 "no interface $if in this network namespace" flows "$if"
expect iface_log 2 "no interface $if in this network namespace" log "$if" --count 1

# Includes: only regular files, an error at FILE:LINE:COL, never a hang (timeout makes
# a hang exit 124).
mkfifo "$tmp/fifo"
printf 'allow in tcp port 25\ninclude fifo\n' >"$tmp/fifo.conf"
expect include_fifo_check 2 "fifo.conf:2:9: error: cannot read '.*fifo': it is a FIFO" \
	check "$tmp/fifo.conf"
expect_isolated include_fifo_load 2 "fifo.conf:2:9: error: .*it is a FIFO" \
	load lo "$tmp/fifo.conf"
printf 'allow in tcp port 25\ninclude /dev/zero\n' >"$tmp/zero.conf"
expect include_dev_zero 2 "zero.conf:2:9: error: cannot read '/dev/zero': it is a character device" \
	check "$tmp/zero.conf"
expect profile_dir 2 "cannot read profile '$tmp': it is a directory" check "$tmp"

# No rules: every IP frame would be dropped without a word, unless the profile says so.
: >"$tmp/empty.conf"
expect_isolated empty_profile 2 "empty.conf:1:1: error: the profile has no rules, so it would drop every IP frame.*set rules none" \
	load lo "$tmp/empty.conf"
printf '\xef\xbb\xbf' >"$tmp/bom.conf"
expect bom_profile 2 "bom.conf:1:1: error: the profile has no rules" check "$tmp/bom.conf"
printf '# SpammerTrap\nzone lan 10.0.0.0/8\n' >"$tmp/comment.conf"
expect comment_profile 2 "comment.conf:1:1: error: the profile has no rules" check "$tmp/comment.conf"
printf 'set rules none\n' >"$tmp/none.conf"
expect rules_none_loads_nothing_else 0 "Everything else: drop" check "$tmp/none.conf"
printf 'allow in tcp port 25\nset flows 16777216\n' >"$tmp/flows.conf"
# explain: neighbour discovery as the wire carries it (hop limit 255), which the
# program passes; every word once, and only the words of the packet's protocol.
expect explain_ndp_passes 0 "rule     none: ndp" explain --profile profiles/spammertrap.conf \
	icmp6 from fe80::1 to fe80::2 type nd-neighbor-solicit
expect explain_to_twice 2 "'to' is written twice" explain --profile profiles/spammertrap.conf \
	tcp from 192.0.2.7 to port 25 to port 26
expect explain_vlan_thrice 2 "a third 'vlan': explain builds two VLAN tags at most" explain --profile profiles/spammertrap.conf \
	tcp from 192.0.2.7 to port 25 vlan 1 vlan 2 vlan 3
expect explain_type_on_tcp 2 "'type' goes with icmp and icmp6; a tcp packet has ports" \
	explain --profile profiles/spammertrap.conf tcp from 192.0.2.7 to port 25 type 8
expect flows_too_big 2 "flows.conf:2:11: error: .*from 1024 to 1048576 \(the kernel allocates it whole" \
	check "$tmp/flows.conf"
finish "not reached"
