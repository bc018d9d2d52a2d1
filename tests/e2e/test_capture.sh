#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# End-to-end: `log --pcapng` writes the drops of a loaded veth as pcapng that tshark reads
# without a warning (each frame's outcome as its comment, its real length, the snapshot,
# its time), also streamed to a pipe; `explain IFACE --pcap` judges that capture, and a
# tcpdump capture (pcap, Linux cooked) of the same frames, as the live program did,
# frame by frame, without moving the live counters.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root, tshark and tcpdump; O (default build)
# locates the binary, PORTCULLIS overrides it.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

CHECKS=(topology load log_ready log_exit_0 tshark_clean pcapng_frames pcapng_comments
	pcapng_lengths pcapng_times stream_to_pipe explain_agrees explain_summary
	live_counters_still pcap_cooked_agrees)
. tests/e2e/lib.sh
for t in tshark tcpdump; do
	command -v "$t" >/dev/null || finish "$t is not installed (bash scripts/deps.sh)"
done
. scripts/netns.sh

# The frames the peer sends, in this order, each dropped: by a rule (SSH from the
# internet; UDP probes, one of them cut by the snapshot, one a datagram of three
# fragments whose later two the fragments policy drops) or by no rule.
cat >"$tmp/capture.conf" <<'EOF'
set log 1000/s
zone lan 10.0.0.0/8
allow in from lan tcp port 22 "ssh from the lan"
drop in from internet tcp port 22 "ssh from the internet"
drop in from any udp port 5000-5010 "udp probes"
allow in tcp port 25 "smtp"
EOF
line_of() { grep -n "$1" "$tmp/capture.conf" | cut -d: -f1; }
SSH_LINE=$(line_of '"ssh from the internet"')
UDP_LINE=$(line_of '"udp probes"')
SSH="drop: line $SSH_LINE drop in from internet tcp port 22 \"ssh from the internet\""
UDP="drop: line $UDP_LINE drop in from any udp port 5000-5010 \"udp probes\""
NOMATCH="drop: no-match (default drop)"
# One expected comment a frame, in order, and each frame's length on the wire:
# Ethernet 14 + IPv4 20 + the rest (TCP SYN with the kernel's 20 bytes of options).
EXPECT=("$SSH" "$UDP" "$UDP" "$UDP" "drop: fragment" "drop: fragment" "$NOMATCH" "$NOMATCH")
N=${#EXPECT[@]}

send_frames()
{
	pc_peer timeout 10 python3 - "$PC_APP4" <<'EOF'
import socket, subprocess, sys, time
dst = sys.argv[1]
def syn(port):
    s = socket.socket()
    s.settimeout(0.3)  # gives up before the first retransmission (1 s)
    try:
        s.connect((dst, port))
    except OSError:
        pass
    s.close()
    time.sleep(0.05)
def udp(port, n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b"x" * n, (dst, port))
    s.close()
    time.sleep(0.05)
syn(22)
udp(5000, 10)
udp(5001, 1000)      # 1042 bytes: the snapshot holds 128
udp(5002, 3000)      # three fragments: the first on the rule, the others on "fragment"
syn(23)
subprocess.run(["ping", "-c", "1", "-W", "1", "-s", "300", dst], stdout=subprocess.DEVNULL)
EOF
}
FRAME_LENS=(74 52 1042 1514 1514 82 74 342)

pc_topo_up 2>"$tmp/topo.err"
rc=$?
trap 'pc_topo_down; rm -rf "$tmp"' EXIT
# MLD reports from the peer would be drops too: no IPv6 on the peer.
if [ "$rc" -eq 0 ]; then
	pc_peer sysctl -qw "net.ipv6.conf.$PC_IF_PEER.disable_ipv6=1" 2>>"$tmp/topo.err" || rc=1
fi
[ "$rc" -eq 0 ] || { fail topology "$(tr '\n' ' ' <"$tmp/topo.err")"; finish "no topology"; }
ok topology
load_or_finish "$tmp/capture.conf"
# ARP first, so that the frames below are the only IPv4 ones and none waits for it.
pc_peer ping -c 1 -W 1 "$PC_APP4" >/dev/null 2>&1

# --- log --pcapng FILE, with tcpdump capturing the same frames on the peer ---------------
pc_peer timeout 20 tcpdump -i any -U -w "$tmp/peer.pcap" -c "$N" "ip and dst host $PC_APP4" \
	2>"$tmp/tcpdump.err" &
tcpdump_pid=$!
PC_PIDS+=("$tcpdump_pid")
nsenter --net="/run/netns/$PC_NS_APP" "$PC_BIN" log "$PC_IF_APP" --pcapng "$tmp/drops.pcapng" \
	--count "$N" --timeout 15 >"$tmp/log.out" 2>"$tmp/log.err" &
log_pid=$!
PC_PIDS+=("$log_pid")
for _ in $(seq 1 50); do
	grep -q 'logging drops' "$tmp/log.err" && grep -q 'listening on' "$tmp/tcpdump.err" && break
	sleep 0.1
done
if ! grep -q 'logging drops' "$tmp/log.err"; then
	fail log_ready "log did not start: $(head -c 300 "$tmp/log.err")"
	finish "no log"
fi
ok log_ready
t0=$(date +%s.%N)
send_frames
t1=$(date +%s.%N)
for _ in $(seq 1 50); do kill -0 "$log_pid" 2>/dev/null || break; sleep 0.1; done
wait "$log_pid"
log_rc=$?
check log_exit_0 "log --pcapng ended with status $log_rc: $(head -c 300 "$tmp/log.err")" \
	[ "$log_rc" -eq 0 ]
for _ in $(seq 1 30); do kill -0 "$tcpdump_pid" 2>/dev/null || break; sleep 0.1; done

# --- tshark reads it back ---------------------------------------------------------------------
tshark -r "$tmp/drops.pcapng" -T fields -E separator='|' -e frame.number -e frame.comment \
	-e frame.len -e frame.cap_len -e frame.time_epoch >"$tmp/fields" 2>"$tmp/tshark.err"
trc=$?
# As root tshark says so, and that is about the user, not the file.
grep -v '^Running as user "root"' "$tmp/tshark.err" >"$tmp/tshark.warn"
check tshark_clean "tshark exit $trc: $(head -c 300 "$tmp/tshark.warn")" \
	eval "[ $trc -eq 0 ] && [ ! -s '$tmp/tshark.warn' ]"
check pcapng_frames "$(wc -l <"$tmp/fields") frames, expected $N: $(head -c 400 "$tmp/fields")" \
	[ "$(wc -l <"$tmp/fields")" -eq "$N" ]

python3 - "$tmp/fields" "$t0" "$t1" "${FRAME_LENS[*]}" "${EXPECT[@]}" >"$tmp/cmp" 2>&1 <<'EOF'
import sys
rows = [l.rstrip("\n").split("|") for l in open(sys.argv[1])]
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
lens = [int(x) for x in sys.argv[4].split()]
want = sys.argv[5:]
def res(name, good, why):
    print(("PASS|%s|" % name) if good else ("FAIL|%s|%s" % (name, why)))
comments = [r[1] for r in rows]
res("pcapng_comments", comments == want,
    "comments %r, expected %r" % (comments, want))
got = [(int(r[2]), int(r[3])) for r in rows]
expect = [(n, min(n, 128)) for n in lens]
res("pcapng_lengths", got == expect, "(len, cap_len) %r, expected %r" % (got, expect))
times = [float(r[4]) for r in rows]
res("pcapng_times", len(times) == len(want) and all(t0 <= t <= t1 for t in times)
    and times == sorted(times), "times %r outside [%f, %f]" % (times, t0, t1))
EOF
results "$tmp/cmp" pcapng_comments

# --- streamed to a pipe: tshark sees each frame as it comes, log still running ----------
mkfifo "$tmp/pipe"
tshark -l -r - -T fields -e frame.comment <"$tmp/pipe" >"$tmp/stream.out" 2>/dev/null &
PC_PIDS+=("$!")
nsenter --net="/run/netns/$PC_NS_APP" "$PC_BIN" log "$PC_IF_APP" --pcapng - --timeout 15 \
	>"$tmp/pipe" 2>"$tmp/stream.err" &
stream_pid=$!
PC_PIDS+=("$stream_pid")
wait_said "$stream_pid" "$tmp/stream.err" 'logging drops'
pc_peer python3 -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", (sys.argv[1], 5003))' "$PC_APP4"
for _ in $(seq 1 50); do [ -s "$tmp/stream.out" ] && break; sleep 0.1; done
streamed()
{
	kill -0 "$stream_pid" 2>/dev/null && [ "$(head -n 1 "$tmp/stream.out")" = "$UDP" ]
}
check stream_to_pipe "tshark -r - read '$(head -c 200 "$tmp/stream.out")' while log ran: $(head -c 200 "$tmp/stream.err")" \
	streamed
kill -TERM "$stream_pid" 2>/dev/null
wait "$stream_pid" 2>/dev/null

# --- explain IFACE --pcap: the same verdicts, frame by frame, live counters still ----------
# The counters, without the time the reading was taken at.
pc_cli stats "$PC_IF_APP" --json 2>&1 | sed 's/"timestamp":"[^"]*",//' >"$tmp/stats1"
pc_cli explain "$PC_IF_APP" --pcap "$tmp/drops.pcapng" >"$tmp/explain.out" 2>"$tmp/explain.err"
erc=$?
pc_cli stats "$PC_IF_APP" --json 2>&1 | sed 's/"timestamp":"[^"]*",//' >"$tmp/stats2"
python3 - "$tmp/fields" "$tmp/explain.out" "$erc" "$tmp/explain.err" "$SSH" "$UDP" "$NOMATCH" \
	>"$tmp/cmp2" 2>&1 <<'EOF'
import re, sys
comments = [l.rstrip("\n").split("|")[1] for l in open(sys.argv[1])]
out = open(sys.argv[2]).read().splitlines()
rc, err = int(sys.argv[3]), open(sys.argv[4]).read()[:300]
ssh, udp, nomatch = sys.argv[5:8]
def res(name, good, why):
    print(("PASS|%s|" % name) if good else ("FAIL|%s|%s" % (name, why)))
frames = [re.match(r"^frame (\d+)  .*  =>  (.*)$", l) for l in out if l.startswith("frame ")]
got = [m.group(2) if m else None for m in frames]
nums = [int(m.group(1)) if m else None for m in frames]
res("explain_agrees", rc == 0 and got == comments and nums == list(range(1, len(comments) + 1)),
    "exit %d %s; explain said %r, the live program %r" % (rc, err, got, comments))
summary = [l for l in out if re.match(r"^ +\d+  ", l) or l.startswith("summary")]
want = ["summary  8 frames: 0 passed, 8 dropped", "        2  drop: fragment",
        "        2  %s" % nomatch, "        1  %s" % ssh, "        3  %s" % udp]
res("explain_summary", summary == want, "summary %r, expected %r" % (summary, want))
EOF
results "$tmp/cmp2" explain_agrees
# Where explain's frames would land if it counted on the live program: the ingress
# counters of the rules they hit (ssh, udp) and of the fragments. The rest may move
# with what the peer's kernel sends on the link meanwhile, which explain has nothing
# to do with: router solicitations (ndp), and multicast listener reports, which no
# rule allows (no_match).
python3 - "$tmp/stats1" "$tmp/stats2" >"$tmp/still" 2>&1 <<'EOF'
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
moved = ["line %d: %d -> %d" % (r["line"], r["packets"], s["packets"])
         for r, s in zip(a["rules"], b["rules"]) if r["packets"] != s["packets"]]
moved += ["%s: %d -> %d" % (k, a["implicit"][k]["packets"], b["implicit"][k]["packets"])
          for k in ("fragment", "malformed")
          if a["implicit"][k]["packets"] != b["implicit"][k]["packets"]]
print("; ".join(moved) if moved else "", end="")
EOF
check live_counters_still "counters moved during explain: $(cat "$tmp/still")" [ ! -s "$tmp/still" ]

# --- a pcap of tcpdump's, Linux cooked (SLL2), whole frames: the same verdicts -------------
pc_cli explain "$PC_IF_APP" --pcap "$tmp/peer.pcap" >"$tmp/cooked.out" 2>"$tmp/cooked.err"
crc=$?
python3 - "$tmp/fields" "$tmp/cooked.out" "$crc" "$tmp/cooked.err" "${FRAME_LENS[*]}" \
	>"$tmp/cmp3" 2>&1 <<'EOF'
import re, sys
comments = [l.rstrip("\n").split("|")[1] for l in open(sys.argv[1])]
out = open(sys.argv[2]).read()
rc, err = int(sys.argv[3]), open(sys.argv[4]).read()[:300]
lens = [int(x) for x in sys.argv[5].split()]
frames = re.findall(r"^frame \d+  .*  len (\d+)  =>  (.*)$", out, re.M)
good = (rc == 0 and "(LINUX_SLL" in out and [f[1] for f in frames] == comments
        and [int(f[0]) for f in frames] == lens)
print("PASS|pcap_cooked_agrees|" if good else
      "FAIL|pcap_cooked_agrees|exit %d %s; explain said %r, the live program %r; output %r"
      % (rc, err, frames, comments, out[:300]))
EOF
results "$tmp/cmp3" pcap_cooked_agrees

finish "not reached"
