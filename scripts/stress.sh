#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make stress`: flood a veth into the SpammerTrap profile at full speed, check the per-rule counters against what was sent, then measure the receive rate per core of portcullis beside XDP drop-all and nftables on the same pair.
#
#   scripts/stress.sh PORTCULLIS [--duration SECONDS] [--rounds N] [--profile PROFILE] [--doc FILE]
#
# Topology (namespaces and names of its own, so that the tests' app0/peer0 can run
# beside it), IPv6 off so that nothing but the flood is on the wire:
#
#   ns pcs-gen  pcsg0  <-veth->  pcsa0  ns pcs-app  (the appliance: the filter under test)
#
# 1. Counters. `flood --mix profile` (a stream per matrix cell, allowed and denied) runs
#    for --duration seconds on one CPU; the receiving veth's NAPI runs on that CPU too,
#    between the sender's batches, so its ring never overflows. Every counter of
#    `portcullis stats` must then have moved by exactly the frames flood sent of the
#    streams the program puts on it (scripts/flood-check.py), and the receiver's XDP
#    program must have run on every frame: nothing lost, nothing misattributed. Exit
#    status 1 otherwise. flood uses live frames where the kernel allows them and a
#    packet socket where it refuses them (both are exact per stream).
# 2. Receive rate. The frames the matrix denies are flooded from CPU A into each
#    receiver in turn, --rounds times (default 3) for --duration seconds in all: XDP
#    drop-all, portcullis, and an nftables netdev ingress chain with the same matrix
#    (scripts/spammertrap.nft), so that a change in the machine's load spreads over
#    all three. The
#    receiver's NAPI runs threaded, pinned to CPU B; its CPU time (schedstat) and the
#    frames it took (the veth's rx_queue_0_xdp_packets) give frames per CPU-second:
#    Mpps per core. The sender outruns every receiver (a packet socket needs a second
#    sender, on CPU B, to do so), so each one works flat out, and what a busy machine
#    or the second sender takes from it is not counted against it.
# The tables go to stress/performance-tables.md beside PORTCULLIS (build/stress/ for
# `make stress`); with --doc FILE they also replace the text between
# <!-- stress:begin --> and <!-- stress:end --> in FILE. Every loop is bounded; the
# namespaces go on exit.
set -uo pipefail

BIN=${1:-}
shift || true
DURATION=5
ROUNDS=3
PROFILE=profiles/spammertrap.conf
DOC=
while [ $# -gt 0 ]; do
	case $1 in
	--duration) DURATION=$2; shift 2 ;;
	--rounds) ROUNDS=$2; shift 2 ;;
	--profile) PROFILE=$2; shift 2 ;;
	--doc) DOC=$2; shift 2 ;;
	*) echo "stress.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	echo "usage: $0 PATH/TO/portcullis [--duration SECONDS] [--rounds N] [--profile PROFILE] [--doc FILE]   (or: make stress)" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "stress.sh: the stress test creates network namespaces and attaches XDP programs: run it as root" >&2
	exit 1
fi
for t in ip nsenter ethtool nft taskset python3; do
	command -v "$t" >/dev/null || { echo "stress.sh: $t is missing: run bash scripts/deps.sh" >&2; exit 1; }
done
[[ $DURATION =~ ^[1-9][0-9]*$ ]] && [ "$DURATION" -le 3600 ] || { echo "stress.sh: --duration takes 1-3600 seconds" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "stress.sh: --rounds takes 1-99" >&2; exit 2; }
# Each receiver gets DURATION seconds in all, over the rounds.
RATE_SECONDS=$(( (DURATION + ROUNDS - 1) / ROUNDS ))
cd "$(dirname "$0")/.." || exit 1
BIN=$(realpath "$BIN")
DROP_OBJ=$(dirname "$BIN")/xdp_drop.bpf.o
[ -f "$DROP_OBJ" ] || { echo "stress.sh: $DROP_OBJ is missing: run make stress" >&2; exit 1; }

NS_GEN=pcs-gen NS_APP=pcs-app IF_GEN=pcsg0 IF_APP=pcsa0
tmp=$(mktemp -d)
loaded=0

cleanup()
{
	[ "$loaded" = 1 ] && app "$BIN" unload "$IF_APP" >/dev/null 2>&1
	ip netns del "$NS_GEN" 2>/dev/null
	ip netns del "$NS_APP" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

gen() { nsenter --net="/run/netns/$NS_GEN" "$@"; }
app() { nsenter --net="/run/netns/$NS_APP" "$@"; }
# ethtool -S counter of an interface: ethstat NS IFACE NAME
ethstat() { nsenter --net="/run/netns/$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'; }
info() { printf '%s\n' "$*"; }

if [ -e "/run/netns/$NS_APP" ]; then
	echo "stress.sh: $NS_APP exists: another stress run is going on, or one was killed" \
		"(ip netns del $NS_APP; ip netns del $NS_GEN)" >&2
	trap - EXIT
	exit 1
fi

# The first two CPUs this script may use: the sender's and the receiver's.
mapfile -t cpus < <(python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))')
CPU_GEN=${cpus[0]}
CPU_RX=${cpus[1]:-${cpus[0]}}
[ "$CPU_GEN" = "$CPU_RX" ] && info "warning: one CPU only: sender and receiver share it, the rates are not per core"

ip netns add "$NS_GEN" && ip netns add "$NS_APP" || exit 1
for ns in "$NS_GEN" "$NS_APP"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 || exit 1
done
ip link add "$IF_GEN" netns "$NS_GEN" type veth peer name "$IF_APP" netns "$NS_APP" &&
	ip -n "$NS_GEN" link set "$IF_GEN" up && ip -n "$NS_APP" link set "$IF_APP" up || exit 1
# A packet socket's frames are skbs: without TSO on the sending end the veth hands them
# to the receiver's NAPI (with GRO on, as for nftables) instead of its backlog, so that
# every receiver does its work in the NAPI thread that is measured.
ip netns exec "$NS_GEN" ethtool -K "$IF_GEN" tso off >/dev/null || exit 1
MAC=$(ip -n "$NS_APP" -br link show "$IF_APP" | awk '{ print $3 }')

info "== portcullis stress: $PROFILE, $DURATION s per run, sender on CPU $CPU_GEN, receiver on CPU $CPU_RX"
info "   kernel $(uname -r), $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs"

# --- 1. counters -----------------------------------------------------------------------
loaded=1
app "$BIN" load "$IF_APP" "$PROFILE" >"$tmp/load.out" 2>&1 || { cat "$tmp/load.out"; exit 1; }
app "$BIN" stats "$IF_APP" --json >"$tmp/before.json" || exit 1
# What the receiver's XDP program ran on, whichever way flood sent it (live frames or,
# where the kernel refuses them, a packet socket); nothing else is on the wire.
x0=$(ethstat "$NS_APP" "$IF_APP" rx_queue_0_xdp_packets)
gen taskset -c "$CPU_GEN" "$BIN" flood "$IF_GEN" --dst-mac "$MAC" --profile "$PROFILE" --mix profile \
	--duration "$DURATION" --json >"$tmp/flood.json" 2>"$tmp/flood.err" || { cat "$tmp/flood.err" >&2; exit 1; }
x1=$(ethstat "$NS_APP" "$IF_APP" rx_queue_0_xdp_packets)
app "$BIN" stats "$IF_APP" --json >"$tmp/after.json" || exit 1
read -r sent secs nstreams via < <(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(f["frames"], f["seconds"], len(f["streams"]), f["via"])' "$tmp/flood.json")
python3 scripts/flood-check.py "$tmp/flood.json" "$tmp/before.json" "$tmp/after.json" --table >"$tmp/check"
took=$((x1 - x0)) lost=$((sent - took))
verdict=$(grep -E '^(PASS|FAIL)\|' "$tmp/check")
info ""
[ "$via" = live ] || info "   (flood sends through a packet socket: $(head -c 200 "$tmp/flood.err"))"
info "== 1. counters: flood --mix profile via $via, $nstreams streams, $sent frames in $(printf '%.2f' "$secs") s ($(python3 -c "print('%.2f' % ($sent / $secs / 1e6))") Mpps, one sender, receiver on the same CPU)"
grep -vE '^(PASS|FAIL)\|' "$tmp/check" | sed 's/^/   /'
status=0
if [ "$took" -eq "$sent" ]; then
	info "   nothing lost: the receiver judged all $took frames"
else
	info "   LOST: flood sent $sent frames, the receiver judged $took"
	status=1
fi
if [ "${verdict%%|*}" = PASS ]; then
	info "   nothing misattributed: every counter moved by exactly what was sent to it"
else
	info "   MISATTRIBUTED: ${verdict#*|counters_match|}"
	status=1
fi

# --- 2. receive rate ----------------------------------------------------------------------
"$BIN" mix --profile "$PROFILE" --mix profile | grep -E '# DROP' >"$tmp/denied.mix"
ndenied=$(wc -l <"$tmp/denied.mix")

napi_pids() { pgrep "^napi/$IF_APP-"; }
napi_ns() { local p t=0; for p in $(napi_pids); do t=$((t + $(cut -d' ' -f1 "/proc/$p/schedstat"))); done; echo "$t"; }

# measure NAME: floods the denied mix into the receiver as configured; prints
# "NAME frames cpu_ns offered".
measure()
{
	local name=$1 p f0 f1 c0 c1 offered

	ip netns exec "$NS_APP" sh -c "echo 1 > /sys/class/net/$IF_APP/threaded" || return 1
	for p in $(napi_pids); do taskset -pc "$CPU_RX" "$p" >/dev/null || return 1; done
	[ -n "$(napi_pids)" ] || { echo "stress.sh: no NAPI thread for $IF_APP" >&2; return 1; }
	f0=$(ethstat "$NS_APP" "$IF_APP" rx_queue_0_xdp_packets) c0=$(napi_ns)
	offered=$(gen taskset -c "$SEND_CPUS" "$BIN" flood "$IF_GEN" --dst-mac "$MAC" --mix "$tmp/denied.mix" \
		--threads "$SEND_THREADS" --duration "$RATE_SECONDS" 2>>"$tmp/rate.err" | awk '/^sent/ { print $2 }')
	f1=$(ethstat "$NS_APP" "$IF_APP" rx_queue_0_xdp_packets) c1=$(napi_ns)
	echo "$name $((f1 - f0)) $((c1 - c0)) ${offered:-0}"
}

: >"$tmp/rates"
# receiver NAME on|off: sets up or removes one receiver on the appliance's end.
receiver()
{
	case $1-$2 in
	portcullis-on) app "$BIN" load "$IF_APP" "$PROFILE" >/dev/null && loaded=1 ;;
	portcullis-off) app "$BIN" unload "$IF_APP" >/dev/null && loaded=0 ;;
	xdp-drop-all-on) ip -n "$NS_APP" link set dev "$IF_APP" xdpdrv obj "$DROP_OBJ" sec xdp ;;
	xdp-drop-all-off) ip -n "$NS_APP" link set dev "$IF_APP" xdpdrv off ;;
	# Without an XDP program a veth runs NAPI only with GRO on.
	nftables-on)
		ip netns exec "$NS_APP" ethtool -K "$IF_APP" gro on >/dev/null &&
			sed "s/DEVICE/$IF_APP/" scripts/spammertrap.nft | ip netns exec "$NS_APP" nft -f - ;;
	nftables-off)
		ip netns exec "$NS_APP" nft delete table netdev pcs_stress &&
			ip netns exec "$NS_APP" ethtool -K "$IF_APP" gro off >/dev/null ;;
	esac
}

# The receiver must work flat out, or its NAPI thread's wake-ups are what is measured.
# One live-frames sender outruns it; a packet socket does not, so then a second sender
# runs on the receiver's CPU too (what it takes from the receiver is not counted: the
# rate is per CPU-second of the NAPI thread).
SEND_CPUS=$CPU_GEN SEND_THREADS=1
[ "$via" = live ] || [ "$CPU_GEN" = "$CPU_RX" ] || SEND_CPUS=$CPU_GEN,$CPU_RX SEND_THREADS=2

# Rounds of one run per receiver, so that a change in the machine's load spreads over
# all three; each receiver's rate is its frames over its CPU time in all rounds.
app "$BIN" unload "$IF_APP" >/dev/null && loaded=0
for round in $(seq 1 "$ROUNDS"); do
	for r in xdp-drop-all portcullis nftables; do
		receiver "$r" on || { echo "stress.sh: cannot set up $r" >&2; exit 1; }
		measure "$r" >>"$tmp/rates" || exit 1
		receiver "$r" off || { echo "stress.sh: cannot remove $r" >&2; exit 1; }
	done
done

python3 - "$tmp/rates" "$ndenied" "$RATE_SECONDS" "$SEND_CPUS" "$CPU_RX" "$ROUNDS" "$via" >"$tmp/rates.md" <<'PY'
import sys
r = {}
for n, f, c, o in (l.split() for l in open(sys.argv[1])):
    t = r.get(n, (0, 0, 0))
    r[n] = (t[0] + int(f), t[1] + int(c), t[2] + int(o))
def mpps(n):
    f, c, _ = r[n]
    return f / c * 1e3 if c else 0.0
print("Denied frames of the profile's matrix (%s streams), %s rounds of %s s per receiver, flood via %s, "
      "senders on CPU %s, receiver NAPI threaded on CPU %s.\n" % (sys.argv[2], sys.argv[6], sys.argv[3], sys.argv[7],
                                                          sys.argv[4], sys.argv[5]))
print("| receiver | frames offered | frames judged | receiver CPU s | ns per frame | Mpps per core |")
print("|---|--:|--:|--:|--:|--:|")
for n in ("xdp-drop-all", "portcullis", "nftables"):
    f, c, o = r[n]
    print("| %s | %d | %d | %.3f | %.1f | %.2f |" % (n, o, f, c / 1e9, c / f if f else 0, mpps(n)))
d, p, t = mpps("xdp-drop-all"), mpps("portcullis"), mpps("nftables")
ns = lambda n: r[n][1] / r[n][0] if r[n][0] else 0.0
print("\nportcullis: **%.0f%%** of XDP drop-all (%+.1f ns per frame), **%.1f x** nftables."
      % (p / d * 100 if d else 0, ns("portcullis") - ns("xdp-drop-all"), p / t if t else 0))
PY
info ""
info "== 2. receive rate per core"
sed 's/^/   /' "$tmp/rates.md"

out=$(dirname "$BIN")/stress
python3 - "$tmp/check" "$tmp/rates.md" "$nstreams" "$sent" "$secs" "$took" "$lost" "$via" >"$tmp/section.md" <<'PY' || exit 1
import sys
check, rates = open(sys.argv[1]).read(), open(sys.argv[2]).read()
n, sent, secs, took, lost, via = sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7], sys.argv[8]
lines = [l for l in check.splitlines() if not l.startswith(("PASS|", "FAIL|"))]
verdict = "every counter moved by exactly what was sent to it" if "PASS|" in check else "COUNTERS DIFFER"
body = ("Counters: `flood --mix profile` (via %s), %s streams, %d frames in %.2f s (%.2f Mpps); the receiver "
        "judged %s, lost %s; %s.\n\n```\n%s\n```\n\n%s" % (via, n, sent, secs, sent / secs / 1e6, took, lost, verdict,
                                                 "\n".join(lines), rates))
sys.stdout.write(body)
PY
mkdir -p "$out" && cp "$tmp/section.md" "$out/performance-tables.md" || exit 1
info ""
info "wrote the tables into $out/performance-tables.md"
if [ -n "$DOC" ]; then
	python3 scripts/doc-section.py "$DOC" stress "$tmp/section.md" || exit 1
	info "wrote the tables into $DOC"
fi
exit "$status"
