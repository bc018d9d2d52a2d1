#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The checks of `make vmtest-systemd` (scripts/vmtest/systemd.sh, docs/testing.md),
# inside a Debian 12 guest with systemd as PID 1, the package installed and
# portcullis@eth0 enabled. vmcheck.service runs it once the boot is done; it counts the
# boots of the disk image in /var/lib/vmcheck/boot and checks what that boot must show:
#
#   boot 1  the unit active before the network: eth0's DHCP replies counted, a ping's
#           replies dropped; reload carries the counters over; the confirm timer under
#           systemd; systemd-analyze verify and the sandbox; then a broken eth0.conf
#   boot 2  the unit failed with the compiler's message in its journal, eth0 filtered
#           by the last good copy; then the last good copy deleted
#   boot 3  eth0 filtered by fallback.conf; then eth0.conf fixed and the unit restarted
#
# One line per check on the second serial port (/dev/ttyS1), "ok   bootN/NAME",
# "FAIL bootN/NAME: why" or "skip bootN/NAME: why", diagnostics as "  | " lines, and
# last "end bootN"; then the VM powers off. The host reads and counts them.
set -uo pipefail
export LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin

STATE=/var/lib/vmcheck
UNIT=portcullis@eth0.service
CONF=/etc/portcullis/eth0.conf
GOOD=/var/lib/portcullis/eth0
mkdir -p "$STATE"
boot=$(($(cat "$STATE/boot" 2>/dev/null || echo 0) + 1))
echo "$boot" >"$STATE/boot"
sync

results=/dev/ttyS1
stty -F "$results" raw -echo 2>/dev/null
exec 3>"$results"

# Whatever happens, the VM ends: the host counts a boot without "end" as a failure.
finish()
{
	echo "end boot$boot" >&3
	sync
	systemctl start poweroff.target --job-mode=replace-irreversibly --no-block
}
trap finish EXIT

emit() { echo "$*" >&3; echo "vmcheck: $*"; }
ok() { emit "ok   boot$boot/$1"; }
# fail NAME WHY: the why on one line, shortened.
fail() { emit "FAIL boot$boot/$1: $(echo "$2" | tr '\n' ' ' | cut -c 1-400)"; }
skip() { emit "skip boot$boot/$1: $2"; }
# note TEXT...: diagnostics for the results file, not counted.
note() { printf '%s\n' "$@" | sed 's/^/  | /' >&3; }
# check NAME WHY CONDITION...: CONDITION (often eval '...') sees the caller's variables,
# so check's own are named to shadow none of them.
check() { local check_name_=$1 check_why_=$2; shift 2; if "$@"; then ok "$check_name_"; else fail "$check_name_" "$check_why_"; fi; }

prop() { systemctl show -p "$2" --value "$1"; }
# packets LABEL: the packets of the rule labelled LABEL on eth0, or -1.
packets()
{
	portcullis stats eth0 --json 2>/dev/null |
		jq -r --arg l "$1" '[.rules[] | select(.label == $l) | .packets] | if length == 0 then -1 else add end' 2>/dev/null ||
		echo -1
}
# wait_address: until eth0 has an IPv4 address (DHCP), 90 s at most.
wait_address()
{
	local _
	for _ in $(seq 1 90); do
		ip -4 -o addr show dev eth0 | grep -q ' inet ' && return 0
		sleep 1
	done
	return 1
}
# usec_of_journal UNIT REGEX: the monotonic time in µs of the first journal line of
# this boot of UNIT matching REGEX, or nothing.
usec_of_journal()
{
	journalctl -b -u "$1" -o short-monotonic --no-pager 2>/dev/null | grep -m 1 -E "$2" |
		sed -nE 's/^\[ *([0-9]+)\.([0-9]{6})\].*/\1\2/p' | sed 's/^0*//'
}
# ping_dropped LABEL: a ping of qemu's gateway gets no reply, and LABEL's counter
# counts the three replies the filter dropped.
ping_dropped()
{
	local name=$1 label=$2 before after out
	before=$(packets "$label")
	out=$(ping -c 3 -i 0.5 -W 2 10.0.2.2 2>&1)
	after=$(packets "$label")
	note "ping 10.0.2.2: $(echo "$out" | grep -E 'transmitted')" "'$label': $before -> $after"
	check "$name" "the replies were not dropped on '$label': $before -> $after packets; ping: $(echo "$out" | tail -n 2)" \
		eval '[ "$before" -ge 0 ] && [ "$after" -ge $((before + 3)) ] && echo "$out" | grep -q " 0 received"'
}
unit_journal() { journalctl -b -u "$UNIT" --no-pager -o cat 2>/dev/null; }

emit "# boot $boot: kernel $(uname -r), systemd $(systemctl --version | head -n 1 | awk '{ print $2 }'), $(portcullis --version 2>&1)"

boot1()
{
	local st p t n a out rc label before

	check unit_active "$UNIT is $(systemctl is-active "$UNIT"): $(unit_journal | tail -n 5)" \
		eval '[ "$(systemctl is-active "$UNIT")" = active ]'
	st=$(portcullis status eth0 2>&1)
	note "portcullis status eth0:" "$st"
	check status_profile "portcullis status eth0 does not name $CONF: $st" \
		eval 'echo "$st" | grep -qF "$CONF"'
	check last_good_saved "$GOOD/eth0.conf is not $CONF: $(ls -la "$GOOD" 2>&1)" cmp -s "$GOOD/eth0.conf" "$CONF"

	wait_address
	check dhcp_address "eth0 has no IPv4 address after 90 s: $(ip -4 addr show dev eth0)" \
		eval 'ip -4 -o addr show dev eth0 | grep -q " inet "'
	# The filter came before the network: active before network-pre.target, before
	# systemd-networkd started, before the DHCP address.
	p=$(prop "$UNIT" ActiveEnterTimestampMonotonic)
	t=$(prop network-pre.target ActiveEnterTimestampMonotonic)
	n=$(prop systemd-networkd.service InactiveExitTimestampMonotonic)
	a=$(usec_of_journal systemd-networkd.service 'eth0: DHCPv4 address')
	note "monotonic µs: $UNIT active $p, network-pre.target $t, systemd-networkd started $n, eth0's DHCPv4 address ${a:-none}"
	check before_network "$UNIT active at $p µs, network-pre.target at $t, systemd-networkd started at $n, DHCPv4 address at ${a:-never}" \
		eval '[ "$p" -gt 0 ] && [ "$t" -ge "$p" ] && [ "$n" -gt "$p" ] && [ -n "$a" ] && [ "$a" -gt "$p" ]'

	label="vmtest: DHCP replies"
	before=$(packets "$label")
	note "stats eth0:" "$(portcullis stats eth0 2>&1)"
	check dhcp_counted "'$label' counted $before packets" eval '[ "$before" -gt 0 ]'
	ping_dropped ping_dropped "vmtest: echo replies"

	# Reload with a rule added: the others' counters carry over, the new one is there.
	local dhcp0 echo0 dhcp1 echo1 added
	dhcp0=$(packets "vmtest: DHCP replies") echo0=$(packets "vmtest: echo replies")
	cp "$CONF" "$STATE/eth0.conf.good"
	echo 'allow in from lan tcp port 2525              "vmtest: added by the reload"' >>"$CONF"
	cp "$CONF" "$STATE/eth0.conf.reloaded"
	out=$(systemctl reload "$UNIT" 2>&1)
	rc=$?
	dhcp1=$(packets "vmtest: DHCP replies") echo1=$(packets "vmtest: echo replies")
	added=$(packets "vmtest: added by the reload")
	note "reload: exit $rc $out" "DHCP $dhcp0 -> $dhcp1, echo replies $echo0 -> $echo1, added rule $added" \
		"journal:" "$(unit_journal | tail -n 8)"
	check reload "systemctl reload exited $rc: $out $(unit_journal | tail -n 5)" \
		eval '[ "$rc" -eq 0 ] && [ "$(systemctl is-active "$UNIT")" = active ]'
	check reload_new_rule "the added rule is not on eth0 (packets $added)" eval '[ "$added" -ge 0 ]'
	check reload_counters_kept "counters reset by the reload: DHCP $dhcp0 -> $dhcp1, echo replies $echo0 -> $echo1" \
		eval '[ "$dhcp0" -gt 0 ] && [ "$dhcp1" -ge "$dhcp0" ] && [ "$echo0" -gt 0 ] && [ "$echo1" -ge "$echo0" ]'
	check reload_last_good "$GOOD/eth0.conf is not the reloaded profile" cmp -s "$GOOD/eth0.conf" "$CONF"

	confirm_timer

	# --man=no: the image has no man-db to look the Documentation= pages up with.
	out=$(systemd-analyze verify --man=no "$UNIT" 2>&1)
	rc=$?
	note "systemd-analyze verify --man=no $UNIT: exit $rc" "$out"
	check analyze_verify "systemd-analyze verify exited $rc: $out" \
		eval '[ "$rc" -eq 0 ] && ! echo "$out" | grep -qi portcullis'
	out=$(systemctl show -p CapabilityBoundingSet,AmbientCapabilities,ProtectSystem,ReadWritePaths,StateDirectory,LimitMEMLOCK "$UNIT")
	note "$out"
	check sandbox "systemctl show: $out" eval '
		caps=$(echo "$out" | sed -n "s/^CapabilityBoundingSet=//p" | tr " " "\n" | sort | tr "\n" " ")
		[ "$caps" = "cap_bpf cap_dac_override cap_net_admin cap_perfmon " ] &&
		echo "$out" | grep -qx "ProtectSystem=strict" &&
		echo "$out" | grep -qx "LimitMEMLOCK=infinity"'

	# For boot 2: a profile that does not compile.
	cp "$STATE/eth0.conf.reloaded" "$CONF"
	echo 'allow in from lna tcp port 25                "vmtest: broken"' >>"$CONF"
	wc -l <"$CONF" >"$STATE/broken-line"
	sync
}

# The confirmation timer of issue 11, part 3: a transient systemd timer that outlives
# every portcullis process and rolls back on time without any command's help.
confirm_timer()
{
	local idx d before after final timers timers2 rc out j

	# vmcheck.confirm=run on the kernel's command line (VMTEST_SYSTEMD_APPEND) runs it
	# anyway: to see what it says of the timer of a tree without settle.
	if ! portcullis settle --help >/dev/null 2>&1 && ! grep -qw 'vmcheck.confirm=run' /proc/cmdline; then
		skip confirm_timer "portcullis settle --help fails: this tree has no settle command yet (issue 11, part 3, the transient systemd timer)"
		return
	fi
	idx=$(cat /sys/class/net/eth0/ifindex)
	d=$(ls -d /sys/fs/bpf/portcullis/net*-if"$idx" 2>/dev/null | head -n 1)
	before=$(readlink "$d/current")
	out=$(portcullis load --confirm 30 eth0 /etc/portcullis/other.conf 2>&1)
	rc=$?
	local t0=$SECONDS late=
	after=$(readlink "$d/current")
	timers=$(systemctl list-timers --all --no-legend 'portcullis-confirm-*' 2>&1)
	# Nothing named portcullis may survive this; the timer must.
	pkill -9 -f 'portcullis|pc-confirm'
	sleep 1
	timers2=$(systemctl list-timers --all --no-legend 'portcullis-confirm-*' 2>&1)
	note "load --confirm 30: exit $rc: $out" "current: $before -> $after" "timers:" "$timers" "after pkill:" "$timers2"
	check confirm_load "load --confirm exited $rc, current $before -> $after: $out" \
		eval '[ "$rc" -eq 0 ] && [ -n "$before" ] && [ -n "$after" ] && [ "$after" != "$before" ]'
	check confirm_transient_timer "no portcullis-confirm-*.timer: $timers" \
		eval 'echo "$timers" | grep -q "portcullis-confirm-.*\.timer"'
	check confirm_timer_survives_pkill "gone after pkill -9: $timers2" \
		eval 'echo "$timers2" | grep -q "portcullis-confirm-.*\.timer"'
	# The deadline and 10 s more, with no portcullis command: one would roll back itself.
	# Then up to 30 s more, only to say how late a late rollback was.
	sleep $((40 - (SECONDS - t0)))
	final=$(readlink "$d/current")
	while [ "$final" != "$before" ] && [ $((SECONDS - t0)) -lt 70 ]; do
		sleep 1
		final=$(readlink "$d/current")
		[ "$final" = "$before" ] && late=$((SECONDS - t0 - 30))
	done
	j=$(journalctl -b -u 'portcullis-confirm-*' --no-pager -o cat 2>&1)
	rc=$?
	note "current at the end: $final${late:+ (rolled back only $late s after the deadline)}" \
		"journal of portcullis-confirm-*:" "$j"
	check confirm_rolled_back "current is not $before (before the load) 10 s after the deadline${late:+: it was back $late s after it}" \
		eval '[ -n "$final" ] && [ "$final" = "$before" ] && [ -z "$late" ]'
	check confirm_journal "no journal of the transient unit (journalctl exited $rc): $j" \
		eval '[ "$rc" -eq 0 ] && [ -n "$j" ] && ! echo "$j" | grep -q "No entries"'
}

# A broken eth0.conf at boot: failed unit, the message, the last good copy on eth0.
boot2()
{
	local line j st

	line=$(cat "$STATE/broken-line" 2>/dev/null)
	check unit_failed "$UNIT is $(systemctl is-active "$UNIT"), not failed" \
		eval '[ "$(systemctl is-failed "$UNIT")" = failed ]'
	j=$(unit_journal)
	note "journalctl -u $UNIT:" "$j"
	check journal_compiler_error "no '$CONF:$line:COL: error' in the unit's journal" \
		eval 'echo "$j" | grep -qE "^$CONF:$line:[0-9]+: error: "'
	st=$(portcullis status eth0 2>&1)
	note "portcullis status eth0:" "$st"
	# Failed (the last good copy loaded) before the network was started.
	local f t
	f=$(prop "$UNIT" InactiveEnterTimestampMonotonic)
	t=$(prop network-pre.target ActiveEnterTimestampMonotonic)
	note "monotonic µs: $UNIT failed $f, network-pre.target $t"
	check failed_before_network "$UNIT failed at $f µs, network-pre.target reached at $t" \
		eval '[ "$f" -gt 0 ] && [ "$t" -ge "$f" ]'
	check last_good_loaded "portcullis status eth0 does not name $GOOD/eth0.conf: $st" \
		eval 'echo "$st" | grep -qF "$GOOD/eth0.conf"'
	check last_good_is_reloaded "the added rule of the reload is not on eth0" \
		eval '[ "$(packets "vmtest: added by the reload")" -ge 0 ]'
	wait_address
	check dhcp_address "eth0 has no IPv4 address after 90 s: $(ip -4 addr show dev eth0)" \
		eval 'ip -4 -o addr show dev eth0 | grep -q " inet "'
	check dhcp_counted "'vmtest: DHCP replies' counted nothing" eval '[ "$(packets "vmtest: DHCP replies")" -gt 0 ]'
	ping_dropped ping_dropped "vmtest: echo replies"
	# For boot 3: no last good copy.
	rm -rf "$GOOD" "$GOOD".*
	sync
}

# Neither eth0.conf nor a last good copy: fallback.conf; then the fix and a restart.
boot3()
{
	local j st out rc

	check unit_failed "$UNIT is $(systemctl is-active "$UNIT"), not failed" \
		eval '[ "$(systemctl is-failed "$UNIT")" = failed ]'
	j=$(unit_journal)
	note "journalctl -u $UNIT:" "$j"
	check journal_fallback "the journal does not say fallback.conf was loaded" \
		eval 'echo "$j" | grep -q "loading the management profile /etc/portcullis/fallback.conf"'
	st=$(portcullis status eth0 2>&1)
	note "portcullis status eth0:" "$st"
	check fallback_loaded "portcullis status eth0 does not name /etc/portcullis/fallback.conf: $st" \
		eval 'echo "$st" | grep -qF /etc/portcullis/fallback.conf'
	wait_address
	check dhcp_address "eth0 has no IPv4 address after 90 s: $(ip -4 addr show dev eth0)" \
		eval 'ip -4 -o addr show dev eth0 | grep -q " inet "'
	check fallback_dhcp_counted "'fallback: DHCP client' counted nothing" \
		eval '[ "$(packets "fallback: DHCP client")" -gt 0 ]'
	# docs/operations.md: fix the file and restart; the load replaces the fallback.
	cp "$STATE/eth0.conf.good" "$CONF"
	out=$(systemctl restart "$UNIT" 2>&1)
	rc=$?
	st=$(portcullis status eth0 2>&1)
	note "restart: exit $rc $out" "$st"
	check fixed_restart "systemctl restart exited $rc ($out), the unit is $(systemctl is-active "$UNIT"): $st" \
		eval '[ "$rc" -eq 0 ] && [ "$(systemctl is-active "$UNIT")" = active ] && echo "$st" | grep -qF "$CONF"'
	check fixed_last_good "$GOOD/eth0.conf was not saved again" cmp -s "$GOOD/eth0.conf" "$CONF"
}

case $boot in
1) boot1 ;;
2) boot2 ;;
3) boot3 ;;
*) fail boot "boot $boot of the image: the host boots it at most 3 times" ;;
esac
# Where the boot's time went (systemd-analyze has nothing to say before the boot ends,
# and this runs as part of it).
note "journalctl -b -u $UNIT:" "$(unit_journal)" "the boot:" \
	"$(journalctl -b -o short-monotonic --no-pager 2>/dev/null | grep -E 'Run /init|Reached target (sysinit|basic|network-pre|multi-user)|Found device .*eth0|(Starting|Started|Failed to start) portcullis|DHCPv4 address' | cut -c 1-120)"
