# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Sourced helpers: a two-namespace veth topology for the demo and the end-to-end tests.
#
#   . scripts/netns.sh
#   pc_topo_up                 create the namespaces; an EXIT trap deletes them again
#   pc_app CMD...              run CMD in the appliance namespace (holds $PC_IF_APP)
#   pc_peer CMD...             run CMD in the peer namespace (holds $PC_IF_PEER)
#   pc_cli ARGS...             run "$PC_BIN ARGS" in the appliance namespace
#   pc_listen PORT...          TCP listeners in the appliance namespace (greet, close)
#   pc_tcp DST PORT [SECS]     connect from the peer; prints the greeting; 0 = connected
#   pc_udp DST PORT COUNT      send COUNT datagrams from the peer
#   pc_ping DST COUNT [SRC]    ICMP(v6) echo from the peer; 0 = every echo answered
#   pc_tx_counters             "packets bytes" the peer has sent to the appliance
#   pc_peer_serve SPEC...      servers in the peer namespace, for the appliance's own
#                              traffic: udp:PORT (echoes "answer:" + the datagram),
#                              tcp:PORT (greets, closes), late:PORT (greets, then once
#                              more when the file $PC_SERVE_GO exists)
#   pc_ask_udp DST PORT        a query from the appliance: the answer, or timeout/refused
#   pc_ask_tcp DST PORT        a connection from the appliance: the greeting, or failed
#   pc_topo_down               undo everything (idempotent; the trap calls it)
#   pc_state_dir NETNS IFACE   where portcullis keeps IFACE's state for a command run in
#                              the namespace NETNS (under /run/netns): keyed by the
#                              namespace's cookie (its inode before 5.14) and the ifindex
#
# Topology (all of it stays inside the two namespaces; addresses are documentation
# ranges, plus one 10.0.0.0/8 address so that `lan` zone rules can be exercised):
#
#   ns $PC_NS_APP                                 ns $PC_NS_PEER
#   app0 192.0.2.1/24  2001:db8::1/64   <-veth->   peer0 192.0.2.2/24  2001:db8::2/64
#        10.0.0.1/24                                     10.0.0.2/24    ("lan" address)
#
# The CLI runs under `nsenter --net`, not `ip netns exec`: the latter also enters a new
# mount namespace with its own /sys, so bpffs pins made there would vanish on exit.
# Every traffic helper is bounded in count and, through `timeout`, in time.

PC_NS_APP=${PC_NS_APP:-pc-app-$$}
PC_NS_PEER=${PC_NS_PEER:-pc-peer-$$}
PC_IF_APP=${PC_IF_APP:-app0}
PC_IF_PEER=${PC_IF_PEER:-peer0}
PC_APP4=192.0.2.1
PC_PEER4=192.0.2.2
PC_APP4_LAN=10.0.0.1
PC_PEER4_LAN=10.0.0.2
PC_APP6=2001:db8::1
PC_PEER6=2001:db8::2
PC_PIN_DIR=/sys/fs/bpf/portcullis
PC_BIN=${PC_BIN:-}
PC_LOADED=0       # set to 1 once a profile was loaded: pc_topo_down unloads it
PC_PIDS=()        # background helpers to stop on the way out

pc_app() { nsenter --net="/run/netns/$PC_NS_APP" "$@"; }

pc_state_dir()
{
	local cookie idx

	# As user/kern/state.c: the cookie, or before Linux 5.14 the namespace's inode number.
	cookie=$(nsenter --net="/run/netns/$1" python3 -c 'import os, socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    print(int.from_bytes(s.getsockopt(socket.SOL_SOCKET, 71, 8), "little"))
except OSError:
    print(os.stat("/proc/self/ns/net").st_ino)') || return 1
	idx=$(ip -n "$1" -o link show dev "$2" 2>/dev/null | cut -d: -f1)
	[ -n "$idx" ] && echo "$PC_PIN_DIR/net$cookie-if$idx"
}
pc_peer() { nsenter --net="/run/netns/$PC_NS_PEER" "$@"; }
pc_cli() { pc_app "$PC_BIN" "$@"; }

pc_topo_up()
{
	local ns

	trap pc_topo_down EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns add "$PC_NS_APP" || return 1
	ip netns add "$PC_NS_PEER" || return 1
	ip link add "$PC_IF_APP" netns "$PC_NS_APP" type veth \
		peer name "$PC_IF_PEER" netns "$PC_NS_PEER" || return 1
	for ns in "$PC_NS_APP" "$PC_NS_PEER"; do
		# No router solicitations: less background traffic for the counters.
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.all.router_solicitations=0 || return 1
		ip -n "$ns" link set lo up || return 1
	done
	ip -n "$PC_NS_APP" addr add "$PC_APP4/24" dev "$PC_IF_APP" &&
	ip -n "$PC_NS_APP" addr add "$PC_APP4_LAN/24" dev "$PC_IF_APP" &&
	ip -n "$PC_NS_APP" addr add "$PC_APP6/64" dev "$PC_IF_APP" nodad &&
	ip -n "$PC_NS_PEER" addr add "$PC_PEER4/24" dev "$PC_IF_PEER" &&
	ip -n "$PC_NS_PEER" addr add "$PC_PEER4_LAN/24" dev "$PC_IF_PEER" &&
	ip -n "$PC_NS_PEER" addr add "$PC_PEER6/64" dev "$PC_IF_PEER" nodad &&
	ip -n "$PC_NS_APP" link set "$PC_IF_APP" up &&
	ip -n "$PC_NS_PEER" link set "$PC_IF_PEER" up || return 1
	pc_wait_link || return 1
}

# Waits until the peer can reach the appliance over IPv4 and IPv6 (ten tries, each at
# most about 2 s; the first usually succeeds).
pc_wait_link()
{
	for _ in $(seq 1 10); do
		if pc_ping "$PC_APP4" 1 >/dev/null 2>&1 && pc_ping "$PC_APP6" 1 >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	echo "netns.sh: $PC_IF_PEER cannot reach $PC_IF_APP" >&2
	return 1
}

pc_topo_down()
{
	local pid dir

	for pid in "${PC_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	PC_PIDS=()
	if [ "$PC_LOADED" = 1 ] && [ -n "$PC_BIN" ] && [ -e "/run/netns/$PC_NS_APP" ]; then
		pc_cli unload "$PC_IF_APP" >/dev/null 2>&1
	fi
	# Pins a failed unload left behind are ours, and would hold their maps forever.
	if [ "$PC_LOADED" = 1 ] && [ -e "/run/netns/$PC_NS_APP" ]; then
		dir=$(pc_state_dir "$PC_NS_APP" "$PC_IF_APP") && rm -rf "$dir"
	fi
	PC_LOADED=0
	[ -e "/run/netns/$PC_NS_APP" ] && ip netns del "$PC_NS_APP"
	[ -e "/run/netns/$PC_NS_PEER" ] && ip netns del "$PC_NS_PEER"
	return 0
}

# TCP listeners in the appliance namespace: each accepted connection gets a one-line
# greeting and is closed. They live at most 10 minutes; pc_topo_down stops them.
pc_listen()
{
	local ready pid

	ready=$(mktemp)
	# Started directly, not through pc_app: $! is then nsenter, which execs timeout,
	# which passes the TERM of pc_topo_down on to python.
	nsenter --net="/run/netns/$PC_NS_APP" timeout 600 python3 -c '
import socket, sys, selectors
sel = selectors.DefaultSelector()
for p in sys.argv[2:]:
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, int(p)))
        s.listen(16)
        sel.register(s, selectors.EVENT_READ, p)
open(sys.argv[1], "w").write("ready\n")
while True:
    for key, _ in sel.select():
        c, _ = key.fileobj.accept()
        c.sendall(b"220 portcullis test listener on port %s\r\n" % key.data.encode())
        c.close()
' "$ready" "$@" </dev/null >/dev/null 2>&1 &
	pid=$!
	PC_PIDS+=("$pid")
	pc_wait_ready "$ready" "$pid" "the listener on port(s) $*"
}

# Waits (5 s at most) until process PID has written READY, then removes it.
pc_wait_ready()
{
	local ready=$1 pid=$2 rc

	for _ in $(seq 1 50); do
		[ -s "$ready" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$ready" ]
	rc=$?
	rm -f "$ready"
	[ $rc -eq 0 ] || echo "netns.sh: $3 did not start" >&2
	return $rc
}

# Connects from the peer to DST:PORT and prints the first line the server sends.
# Returns 0 when connected and greeted, non-zero on timeout or refusal.
pc_tcp()
{
	local dst=$1 port=$2 secs=${3:-3}

	pc_peer timeout "$secs" bash -c '
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		IFS= read -r -t "$3" line <&3 || exit 1
		printf "%s\n" "${line//[[:cntrl:]]/}"' pc_tcp "$dst" "$port" "$secs"
}

# Sends COUNT small UDP datagrams from the peer to DST:PORT (one frame each).
pc_udp()
{
	pc_peer timeout 10 python3 -c '
import socket, sys
dst, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
for i in range(count):
    s.sendto(b"portcullis %d" % i, (dst, port))
' "$1" "$2" "$3"
}

# ICMP (or ICMPv6 when DST is IPv6) echo from the peer, ping-style output, one echo
# every 0.2 s, one second to answer each. SRC picks the peer's source address.
# Returns 0 when every echo was answered, 1 when none was, 2 when some were.
pc_ping()
{
	local dst=$1 count=$2 src=${3:-}

	pc_peer timeout $((count * 2 + 5)) python3 -c '
import os, socket, struct, sys, time
dst, count, src = sys.argv[1], int(sys.argv[2]), sys.argv[3]
v6 = ":" in dst
if v6:
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    req, rep = 128, 129
else:
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    req, rep = 8, 0
if src:
    s.bind((src, 0))
ident = os.getpid() & 0xffff

def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff

got = 0
for seq in range(1, count + 1):
    body = struct.pack("!HH", ident, seq) + b"portcullis"
    hdr = struct.pack("!BBH", req, 0, 0)
    # The kernel fills in the ICMPv6 checksum (it covers a pseudo-header).
    pkt = hdr + body if v6 else struct.pack("!BBH", req, 0, csum(hdr + body)) + body
    t0 = time.monotonic()
    s.sendto(pkt, (dst, 0))
    ok = False
    while not ok:
        left = t0 + 1.0 - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, peer = s.recvfrom(2048)
        except socket.timeout:
            break
        icmp = data if v6 else data[(data[0] & 15) * 4:]
        if len(icmp) >= 8 and icmp[0] == rep and struct.unpack("!HH", icmp[4:8]) == (ident, seq):
            ok = True
    if ok:
        got += 1
        print("reply from %s: seq=%d time=%.2f ms" % (dst, seq, (time.monotonic() - t0) * 1000))
    else:
        print("no reply from %s: seq=%d" % (dst, seq))
    time.sleep(max(0.0, t0 + 0.2 - time.monotonic()))
print("%d echoes sent, %d answered" % (count, got))
sys.exit(0 if got == count else (1 if got == 0 else 2))
' "$dst" "$count" "$src"
}

# Frames and bytes the peer end has transmitted, i.e. what the appliance's XDP program
# has been offered. Prints "packets bytes".
pc_tx_counters()
{
	local d=/sys/class/net/$PC_IF_PEER/statistics

	# /sys shows the namespace it was mounted in: read it from a fresh mount there.
	ip netns exec "$PC_NS_PEER" sh -c "echo \$(cat $d/tx_packets) \$(cat $d/tx_bytes)"
}

# Servers in the peer namespace (IPv4 and IPv6) for traffic the appliance starts. They
# live at most 10 minutes; pc_topo_down stops them.
pc_peer_serve()
{
	local ready pid

	ready=$(mktemp)
	nsenter --net="/run/netns/$PC_NS_PEER" timeout 600 python3 -c '
import os, selectors, socket, sys, threading, time
ready, go = sys.argv[1], sys.argv[2]
sel = selectors.DefaultSelector()
for spec in sys.argv[3:]:
    kind, port = spec.split(":")
    for fam, addr in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        s = socket.socket(fam, socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind((addr, int(port)))
        if kind != "udp":
            s.listen(8)
        sel.register(s, selectors.EVENT_READ, (kind, int(port)))
def late(c):
    c.sendall(b"hello1\n")
    for _ in range(5400):  # 9 minutes: under emulation the checks take minutes
        if go and os.path.exists(go):
            break
        time.sleep(0.1)
    c.sendall(b"hello2\n")
    time.sleep(1)
    c.close()
open(ready, "w").write("ready\n")
while True:
    for key, _ in sel.select():
        kind, port = key.data
        if kind == "udp":
            data, src = key.fileobj.recvfrom(2048)
            key.fileobj.sendto(b"answer:" + data, src)
            continue
        c, _ = key.fileobj.accept()
        if kind == "late":
            threading.Thread(target=late, args=(c,), daemon=True).start()
        else:
            c.sendall(b"hello from %d\n" % port)
            c.close()
' "$ready" "${PC_SERVE_GO:-}" "$@" </dev/null >/dev/null 2>&1 &
	pid=$!
	PC_PIDS+=("$pid")
	pc_wait_ready "$ready" "$pid" "the peer's servers ($*)"
}

# A UDP query from the appliance to DST:PORT: prints the answer, "timeout" (nothing
# within 1.5 s) or "refused" (an ICMP port unreachable reached the socket).
pc_ask_udp()
{
	pc_app timeout 20 python3 -c '
import socket, sys
dst, port = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in dst else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.5)
s.connect((dst, port))
s.send(b"query")
try:
    print(s.recv(2048).decode())
except socket.timeout:
    print("timeout")
except ConnectionRefusedError:
    print("refused")
' "$1" "$2"
}

# A TCP connection from the appliance to DST:PORT: prints the first line the server
# sends, or "failed" (no connection within 2 s). The outer timeout only bounds a hang:
# python's start alone can take seconds on a loaded machine.
pc_ask_tcp()
{
	pc_app timeout 20 python3 -c '
import socket, sys
dst, port = sys.argv[1], int(sys.argv[2])
try:
    s = socket.create_connection((dst, port), timeout=2)
    print(s.makefile().readline().strip())
except OSError:
    print("failed")
' "$1" "$2"
}
