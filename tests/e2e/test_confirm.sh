#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A rollback that always comes. `load --confirm` records the deadline with the trial
# generation; a watcher re-spawns a timer that dies; when both die, or the load is
# killed before its timer starts, the next portcullis command carries the overdue
# rollback out (or, before the deadline, starts a timer again). No process is ever
# signalled by pid: an unrelated process that took a dead timer's pid survives
# `confirm`. And `confirm` killed at each system call that changes state leaves the
# trial profile running, whole, and confirmable.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root and strace; O locates the binary.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(topology timer_killed_respawned timer_killed_rolls_back all_killed_next_command
	killed_before_timer_respawn killed_before_timer_rolls_back killed_before_timer_overdue
	settle_before_deadline settle_rolls_back settle_not_loaded
	pid_reuse_not_signalled confirm_kills_consistent confirm_kills_confirmable)
. tests/e2e/lib.sh
. scripts/netns.sh
command -v strace >/dev/null || finish "strace is not installed (bash scripts/deps.sh)"

. tests/e2e/one_ns_pair.sh
one_ns_pair_up pcc-c
# The confirmation processes of this test's namespace: watcher (wd) or timer (tmr).
procs() { for p in $(ip netns pids "$ns"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "pc-confirm-$1" ] && echo "$p"; done; }
kill_procs() { local p; for p in $(procs "$1"); do kill -KILL "$p"; done; }
profile() { pc status x0 --json 2>/dev/null | grep -o '"profile":"[^"]*"' | grep -o '[ab]\.conf'; }

printf 'allow in tcp port 25 "a"\n' >"$tmp/a.conf"
printf 'allow in tcp port 26 "b"\n' >"$tmp/b.conf"

# trial SECS: a loaded, then b with --confirm SECS; sets a_id (a's XDP program).
trial()
{
	pc unload x0 >/dev/null 2>&1
	pc load x0 "$tmp/a.conf" >/dev/null 2>&1
	a_id=$(xdp_id)
	pc load x0 "$tmp/b.conf" --confirm "$1" >"$tmp/trial" 2>&1
	for _ in $(seq 1 50); do [ -n "$(procs tmr)" ] && return 0; sleep 0.1; done
	echo "no timer after: $(tr '\n' ' ' <"$tmp/trial")"
	return 1
}

# --- the timer dies: its watcher starts another, which rolls back on time ------------
trial 3 >"$tmp/why"
trial_err=$(cat "$tmp/why")
old=$(procs tmr)
kill_procs tmr
new=
for _ in $(seq 1 30); do
	new=$(procs tmr | grep -vx "$old")
	[ -n "$new" ] && break
	sleep 0.1
done
check timer_killed_respawned "$trial_err timer '$old' killed; timers now: '$new', watcher '$(procs wd)'" \
	eval '[ -n "$old" ] && [ -n "$new" ]'
sleep 4 # no portcullis command meanwhile: only the timer can roll back
check timer_killed_rolls_back "$trial_err after the deadline XDP runs $(xdp_id), a ran $a_id" \
	eval '[ -z "$trial_err" ] && [ "$(xdp_id)" = "$a_id" ] && [ "$(profile)" = a.conf ]'

# --- watcher and timer killed: the first command after the deadline rolls back ---------
trial 2 >"$tmp/why"
trial_err=$(cat "$tmp/why")
kill_procs wd
kill_procs tmr
sleep 3
pc status x0 >"$tmp/status" 2>&1
check all_killed_next_command "$trial_err XDP runs $(xdp_id) (a ran $a_id) after status: $(tr '\n' ' ' <"$tmp/status")" \
	eval '[ -z "$trial_err" ] && [ "$(xdp_id)" = "$a_id" ] && grep -q "a.conf" "$tmp/status" && ! grep -q AWAITING "$tmp/status"'

# --- load --confirm killed before its timer starts (at the pipe it starts it with) ---------
# Before the deadline, the next command starts a timer, which rolls back on time.
trial_killed()
{
	pc unload x0 >/dev/null 2>&1
	pc load x0 "$tmp/a.conf" >/dev/null 2>&1
	a_id=$(xdp_id)
	nsenter --net="/run/netns/$ns" strace -f -qq -o /dev/null \
		-e inject=pipe,pipe2:signal=KILL:when=1 \
		"$PC_BIN" load x0 "$tmp/b.conf" --confirm "$1" >/dev/null 2>&1
}
trial_killed 3
timers=$(procs tmr)
before=$(profile) # a command: it finds no timer alive, and starts one
pc status x0 >/dev/null 2>&1
sleep 0.3
check killed_before_timer_respawn "killed load left profile '$before' and timers '$timers'; after status: timers '$(procs tmr)'" \
	eval '[ "$before" = b.conf ] && [ -z "$timers" ] && [ -n "$(procs tmr)" ]'
sleep 4
check killed_before_timer_rolls_back "after the deadline XDP runs $(xdp_id), a ran $a_id" \
	[ "$(xdp_id)" = "$a_id" ]
# After the deadline, the next command rolls back before doing anything else.
trial_killed 1
sleep 2
pc stats x0 --json >"$tmp/stats" 2>"$tmp/err"
check killed_before_timer_overdue "XDP runs $(xdp_id) (a ran $a_id); stats: $(head -c 120 "$tmp/stats") $(cat "$tmp/err")" \
	eval '[ "$(xdp_id)" = "$a_id" ] && grep -q a.conf "$tmp/stats"'

# --- settle: what the systemd timer runs at the deadline (kern/systemd_timer.h) ----------
# Before the deadline it keeps the trial (and starts a timer, as any command does);
# after it, it rolls back.
# A deadline far enough that the timer the first settle starts is killed before it
# comes, even on a loaded machine.
trial_killed 6
pc settle x0 >"$tmp/settle" 2>&1
rc=$?
check settle_before_deadline "settle exit $rc: $(cat "$tmp/settle"); profile $(profile), timers '$(procs tmr)'" \
	eval '[ $rc -eq 0 ] && [ "$(profile)" = b.conf ] && [ -n "$(procs tmr)" ]'
kill_procs wd
kill_procs tmr
sleep 7
pc settle x0 >"$tmp/settle" 2>&1
rc=$?
check settle_rolls_back "settle exit $rc: $(cat "$tmp/settle"); XDP runs $(xdp_id), a ran $a_id" \
	eval '[ $rc -eq 0 ] && [ "$(xdp_id)" = "$a_id" ] && grep -q "not confirmed in time" "$tmp/settle"'
pc unload x0 >/dev/null 2>&1
pc settle x0 >"$tmp/settle" 2>&1
rc=$?
check settle_not_loaded "settle on an interface without portcullis: exit $rc: $(cat "$tmp/settle")" \
	eval '[ $rc -eq 0 ] && [ ! -s "$tmp/settle" ] && [ -z "$(xdp_id)" ]'

# --- a dead timer's pid, taken by an unrelated process, is not signalled by confirm ------
# In a pid namespace of its own, where ns_last_pid hands that pid to a bystander.
pc unload x0 >/dev/null 2>&1
pc load x0 "$tmp/a.conf" >/dev/null 2>&1
unshare --pid --fork --mount-proc bash -c '
	pc() { nsenter --net="/run/netns/$1" "$2" "${@:3}"; }
	pc "$1" "$2" load x0 "$3" --confirm 30 >/dev/null 2>&1 || exit 3
	for _ in $(seq 1 20); do victim=$(pgrep -x pc-confirm-tmr) && break; sleep 0.1; done
	[ -n "$victim" ] || exit 4
	kill -KILL $(pgrep -x pc-confirm-wd) "$victim"
	sleep 0.2
	echo $((victim - 1)) >/proc/sys/kernel/ns_last_pid || exit 5
	sleep 60 &
	[ "$!" = "$victim" ] || exit 6
	pc "$1" "$2" confirm x0 >/dev/null 2>&1
	sleep 0.3
	kill -0 "$victim" || exit 1
	kill "$victim"' _ "$ns" "$PC_BIN" "$tmp/b.conf" >"$tmp/pidns" 2>&1
rc=$?
if [ "$rc" -ge 3 ]; then
	skip pid_reuse_not_signalled "step $rc of the pid namespace set-up failed: $(tr '\n' ' ' <"$tmp/pidns")"
else
	check pid_reuse_not_signalled "the process that took the dead timer's pid is gone after confirm" \
		[ "$rc" -eq 0 ]
fi

# --- confirm killed at each system call that changes state --------------------------------
trial 60
nsenter --net="/run/netns/$ns" strace -f -qq -o "$tmp/confirm.trace" "$PC_BIN" confirm x0 >/dev/null 2>&1
PY=$(python3 -c 'import sys; print(sys.executable)')
"$PY" tests/e2e/killpoints.py "$tmp/confirm.trace" >"$tmp/points"
: >"$tmp/bad" >"$tmp/badc"
tried=0
while read -r name n; do
	[ "$name" = total ] && continue
	tried=$((tried + 1))
	trial 60
	b_id=$(xdp_id)
	nsenter --net="/run/netns/$ns" strace -f -qq -o /dev/null -e "inject=$name:signal=KILL:when=$n" \
		"$PC_BIN" confirm x0 >/dev/null 2>&1
	pc status x0 >"$tmp/status" 2>&1
	gens=$(ls -d "$dir"/g* | wc -l)
	if ! grep -q b.conf "$tmp/status" || [ "$(xdp_id)" != "$b_id" ] ||
		{ grep -q AWAITING "$tmp/status" && [ "$gens" -ne 2 ]; } ||
		{ ! grep -q AWAITING "$tmp/status" && [ "$gens" -ne 1 ]; }; then
		echo "$name#$n: xdp $(xdp_id) (b: $b_id), $gens generations, $(tr '\n' ' ' <"$tmp/status")" >>"$tmp/bad"
	fi
	if grep -q AWAITING "$tmp/status" && ! pc confirm x0 >/dev/null 2>&1; then
		echo "$name#$n: confirm again failed" >>"$tmp/badc"
	fi
	if [ "$(ls -d "$dir"/g* | wc -l)" -ne 1 ]; then
		echo "$name#$n: after confirm $(ls "$dir" | tr '\n' ' ')" >>"$tmp/badc"
	fi
done <"$tmp/points"
echo "confirm: $tried kill points tried ($(head -n 1 "$tmp/points" | cut -d' ' -f2) system calls in the command)"
check confirm_kills_consistent "$(wc -l <"$tmp/bad") of $tried: $(head -n 3 "$tmp/bad" | tr '\n' ' ')" \
	eval '[ "$tried" -gt 3 ] && [ ! -s "$tmp/bad" ]'
check confirm_kills_confirmable "$(head -n 3 "$tmp/badc" | tr '\n' ' ')" [ ! -s "$tmp/badc" ]

finish "an earlier step failed"
