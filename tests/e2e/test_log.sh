#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: `portcullis log` streams the drops of a loaded veth, names their counter and frame, and stops on --count, --timeout and SIGTERM.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary,
# PORTCULLIS overrides it.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
PROFILE=profiles/spammertrap.conf

CHECKS=(not_loaded_error topology load log_ready log_exit_0 log_three_events
	log_events_no_match log_events_port_22 text_line sigterm_stops_cleanly
	lost_load lost_log_ready lost_frames lost_counted lost_log_says)
. tests/e2e/lib.sh

. scripts/netns.sh

# Starts `portcullis log IFACE ARGS...` in the appliance namespace in the background
# (PC_PIDS stops it on the way out) and waits until it has opened the ring, which it
# says on stderr. Sets log_pid.
start_log()
{
	local out=$1 err=$2
	shift 2
	# nsenter directly, not through the pc_cli function: $! is then portcullis
	# itself (nsenter execs it), not a subshell, and gets the signals we send.
	nsenter --net="/run/netns/$PC_NS_APP" "$PC_BIN" log "$PC_IF_APP" "$@" >"$out" 2>"$err" &
	log_pid=$!
	PC_PIDS+=("$log_pid")
	wait_said "$log_pid" "$err" 'logging drops'
}

# Waits up to $2 seconds for pid $1 to end; its exit status in wait_rc (124: still runs).
wait_for()
{
	local pid=$1 secs=$2

	for _ in $(seq 1 $((secs * 10))); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		wait_rc=124
	else
		wait "$pid"
		wait_rc=$?
	fi
}

# One SYN from the peer to DST:PORT: the connect gives up before the first
# retransmission (1 s).
syn_once() { pc_tcp "$1" "$2" 0.5 >/dev/null 2>&1; }

pc_topo_up 2>"$tmp/topo.err"
rc=$?
trap 'pc_topo_down; rm -rf "$tmp"' EXIT

# --- not loaded: the pin error ----------------------------------------------------------
if [ "$rc" -eq 0 ]; then
	pc_cli log "$PC_IF_APP" --count 1 --timeout 1 >"$tmp/nl.out" 2>"$tmp/nl.err"
	nrc=$?
	check not_loaded_error "log on an unloaded interface: exit $nrc, $(head -c 200 "$tmp/nl.err")" \
		eval "[ $nrc -eq 1 ] && grep -q 'portcullis is not loaded on $PC_IF_APP' '$tmp/nl.err'"
fi

# The peer's IPv6 multicast listener reports (ICMPv6 143) are drops too, and keep
# coming for seconds after the link is up. This test needs no IPv6: turn it off on
# the peer before loading, so that the only drops the log sees are the test's own.
if [ "$rc" -eq 0 ]; then
	ip netns exec "$PC_NS_PEER" sysctl -qw "net.ipv6.conf.$PC_IF_PEER.disable_ipv6=1" \
		2>>"$tmp/topo.err" || rc=1
fi
if [ "$rc" -ne 0 ] || ! pc_listen 25 2>>"$tmp/topo.err"; then
	fail topology "$(tr '\n' ' ' <"$tmp/topo.err")"
	finish "no topology"
fi
ok topology

load_or_finish "$PROFILE"

# --- --json --count 3: three denied SYNs, allowed traffic around them ------------------------
if ! start_log "$tmp/log.json" "$tmp/log.err" --count 3 --timeout 10 --json; then
	fail log_ready "log did not start: $(head -c 300 "$tmp/log.err")"
	finish "no log"
fi
ok log_ready
pc_tcp "$PC_APP4" 25 3 >/dev/null 2>&1
for _ in 1 2 3; do
	syn_once "$PC_APP4" 22
done
pc_tcp "$PC_APP4" 25 3 >/dev/null 2>&1
wait_for "$log_pid" 12
check log_exit_0 "log --count 3 ended with status $wait_rc: $(head -c 300 "$tmp/log.err")" \
	[ "$wait_rc" -eq 0 ]

python3 - "$tmp/log.json" >"$tmp/cmp" 2>&1 <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
def res(name, good, why):
    print(("PASS|%s|" % name) if good else ("FAIL|%s|%s" % (name, why)))
try:
    ev = [json.loads(l) for l in lines]
except ValueError as e:
    res("log_three_events", False, "not JSON lines: %s: %r" % (e, lines[:3]))
    sys.exit()
res("log_three_events", len(ev) == 3, "%d events: %r" % (len(ev), lines))
res("log_events_no_match", ev and all(e["counter"] == "no_match" and e["rule"] is None for e in ev),
    "counters: %r" % [e.get("counter") for e in ev])
res("log_events_port_22",
    ev and all(e.get("proto") == "tcp" and e.get("dst_port") == 22 and ":22 [S]" in e["frame"]
               and e["action"] == "drop" and e["len"] == e["snap_len"] for e in ev),
    "frames: %r" % [e.get("frame") for e in ev])
EOF
results "$tmp/cmp" log_three_events

# --- the text form ------------------------------------------------------------------------
if start_log "$tmp/log.txt" "$tmp/log2.err" --count 1 --timeout 10; then
	syn_once "$PC_APP4" 22
	wait_for "$log_pid" 12
	check text_line "log printed: $(head -c 300 "$tmp/log.txt") (status $wait_rc)" \
		grep -qE '^[0-9-]{10} [0-9:]{8}\.[0-9]{3}  no-match  tcp [0-9.]+:[0-9]+ -> 192\.0\.2\.1:22 \[S\]  len [0-9]+$' \
		"$tmp/log.txt"
else
	fail text_line "log did not start: $(head -c 300 "$tmp/log2.err")"
fi

# --- no limits: runs until SIGTERM, then exits 0 --------------------------------------------
if start_log "$tmp/log3.txt" "$tmp/log3.err"; then
	kill -TERM "$log_pid"
	wait_for "$log_pid" 3
	check sigterm_stops_cleanly "after SIGTERM, log ended with status $wait_rc" [ "$wait_rc" -eq 0 ]
else
	fail sigterm_stops_cleanly "log did not start: $(head -c 300 "$tmp/log3.err")"
fi

# --- a full ring: the reader stopped while drops come in; what finds no room is lost -----
# A rate no CPU reaches, so that every drop is an event or a lost one; one kind of drop.
cat >"$tmp/lost.conf" <<'EOF'
# test_log.sh: drops to port 9, logged without a practical limit
set log 1000000/s
set default pass
drop in from internet udp port 9 "discard"
EOF
pc_cli load "$PC_IF_APP" "$tmp/lost.conf" >"$tmp/lost-load.out" 2>&1
check lost_load "load: $(tail -n 3 "$tmp/lost-load.out")" grep -q 'loaded' "$tmp/lost-load.out"
if start_log "$tmp/lost.txt" "$tmp/lost.err"; then
	ok lost_log_ready
	kill -STOP "$log_pid"
	# Over twice what the 256 KiB ring holds (about 1,500 events).
	pc_udp "$PC_APP4" 9 4000 2>"$tmp/udp.err"
	check lost_frames "the peer could not send: $(head -c 200 "$tmp/udp.err")" [ $? -eq 0 ]
	kill -CONT "$log_pid"
	# log looks once a second and once more as it ends (on SIGTERM); the counters are
	# read after that, when the veth has long judged the last frame.
	sleep 1.5
	kill -TERM "$log_pid"
	wait_for "$log_pid" 5
	pc_cli stats "$PC_IF_APP" --json >"$tmp/lost-stats.json" 2>&1
	pc_cli stats "$PC_IF_APP" --prometheus >"$tmp/lost.prom" 2>&1
	python3 - "$tmp/lost-stats.json" "$tmp/lost.prom" "$tmp/lost.err" >"$tmp/lost.cmp" 2>&1 <<'EOF'
import json, re, sys
st = json.load(open(sys.argv[1]))
prom = open(sys.argv[2]).read()
err = open(sys.argv[3]).read()
def res(name, good, why):
    print(("PASS|%s|" % name) if good else ("FAIL|%s|%s" % (name, why)))
def metric(name):
    m = re.search(r"^%s\{iface=\"[^\"]+\"\} (\d+)$" % name, prom, re.M)
    return int(m.group(1)) if m else None
drops = sum(r["packets"] for r in st["rules"] if r["action"] == "drop")
drops += st["implicit"]["malformed"]["packets"]
events, lost = metric("portcullis_log_events_total"), metric("portcullis_log_events_lost_total")
res("lost_counted", events is not None and lost is not None and lost > 0 and events + lost == drops,
    "%s drops, %s events and %s lost: every drop within the rate is an event or lost" % (drops, events, lost))
said = sum(int(n) for n in re.findall(r"warning: (\d+) drop events lost on ", err))
res("lost_log_says", lost is not None and said == lost,
    "log said %d lost, the program counted %s: %r" % (said, lost, err[-400:]))
EOF
	results "$tmp/lost.cmp" lost_counted
else
	fail lost_log_ready "log did not start: $(head -c 300 "$tmp/lost.err")"
fi

finish "not reached"
