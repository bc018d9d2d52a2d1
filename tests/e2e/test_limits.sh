#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The limits, end to end: the largest profile the loader accepts, one past each limit, a map that would overflow, multi-megabyte and binary files, include cycles and depth, host names that do not resolve, bpffs missing, no privileges. Each failure exits per docs/semantics.md §4.1 with a message that says what to do, and leaves the NIC untouched (no XDP program, no pins).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(setup largest_check largest_loads largest_reload largest_explain largest_unloads
	largest_classes_loads too_many_rules too_many_zones map_overflow map_overflow_classes
	map_overflow_trie multi_mb_loads over_16_mib device_file include_cycle
	include_depth binary_garbage unresolved_host_warns unresolved_host_loads
	bpffs_mounted_by_load bpffs_cannot_mount unprivileged_load unprivileged_unload
	unprivileged_status unprivileged_check)
. tests/e2e/lib.sh
. scripts/netns.sh

# Names of our own: other suites use app0/peer0 on this machine at the same time.
ns=pcl-lim-$$
app=pcl-app0
pins=
cleanup()
{
	ip netns del "$ns" 2>/dev/null
	[ -n "$pins" ] && [ -d "$pins" ] && rm -rf "$pins"
	rm -rf "$tmp"
}
trap cleanup EXIT
run() { nsenter --net="/run/netns/$ns" "$PC_BIN" "$@"; }
xdp_id() { ip -n "$ns" -d link show "$app" 2>/dev/null | grep -oE 'prog/xdp id [0-9]+' | grep -oE '[0-9]+$'; }
untouched() { [ ! -e "$pins" ] && [ -z "$(xdp_id)" ]; }
state() { echo "pins: $(ls "$pins" 2>/dev/null | tr '\n' ' ')xdp id: '$(xdp_id)'"; }
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
first() { head -c 400 "$1" | tr '\n' ' '; }

# expect_fail NAME STATUS PATTERN ARGS...: the CLI exits STATUS, stderr matches
# PATTERN, and the NIC is as it was: nothing loaded.
expect_fail()
{
	local name=$1 want=$2 pattern=$3 rc
	shift 3
	timeout 60 nsenter --net="/run/netns/$ns" "$PC_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "portcullis $* exited $rc, expected $want: $(first "$tmp/err")"
	elif ! grep -qE -- "$pattern" "$tmp/err"; then
		fail "$name" "no /$pattern/ in: $(first "$tmp/err")"
	elif ! untouched; then
		fail "$name" "the NIC was touched: $(state)"
	else
		ok "$name"
	fi
}

if ! ip netns add "$ns" ||
	! ip -n "$ns" link add "$app" type veth peer name pcl-peer0 ||
	! ip -n "$ns" link set "$app" up || ! ip -n "$ns" link set pcl-peer0 up ||
	! pins=$(pc_state_dir "$ns" "$app"); then
	fail setup "cannot create namespace $ns with $app"
	finish "no topology"
fi
if ! untouched; then
	fail setup "$app is loaded before the test: $(state)"
	finish "not a clean start"
fi
ok setup

# --- The largest profile: PC_MAX_RULES rules over the most zones, each zone an IPv4
# and an IPv6 prefix (4097 address classes, 32767 pages of port tables).
python3 - "$tmp" <<'EOF'
import itertools
import random
import sys
d = sys.argv[1]
def largest(path, zones, rules, label="rule"):
    with open(path, "w") as f:
        f.write("set state off\n")
        for z in range(zones):
            f.write(f"zone z{z} 10.{z // 256}.{z % 256}.0/24, fd00:{z:x}::/32\n")
        for i in range(rules):
            f.write(f"allow in from z{i % 4096} tcp port {1 + i} \"{label} {i}\"\n")
largest(f"{d}/largest.conf", 4096, 32766)
# As large, and no rule's text the same: a reload that carries no counter.
largest(f"{d}/largest-b.conf", 4096, 32766, "other")
largest(f"{d}/rules.conf", 4096, 32767)
largest(f"{d}/zones.conf", 4097, 1)
# Every page of the port tables distinct: 1200 zones x 17 rules x 15 pages each.
with open(f"{d}/overflow.conf", "w") as f:
    f.write("set state off\n")
    for z in range(1200):
        f.write(f"zone z{z} 10.{z // 256}.{z % 256}.0/24\n")
    for j in range(17):
        for z in range(1200):
            ports = ",".join(str(257 * k) for k in range(j * 15, j * 15 + 15))
            f.write(f"allow in from z{z} tcp port {ports}\n")
# IPv6 hosts that share little: over 262144 chunks of the address trie.
rnd = random.Random(5)
with open(f"{d}/trie.conf", "w") as f:
    f.write("set state off\n")
    for z in range(4096):
        hosts = ", ".join("2001:db8:%x:%x:%x:%x:%x:%x" % tuple(rnd.randrange(65536) for _ in range(6))
                          for _ in range(7))
        f.write(f"zone z{z} {hosts}\n")
    f.write("allow in from z1 tcp port 25\n")
# Address classes: n hosts, each listed by a pair of zones of its own, make n owner
# sets and n + 1 classes.
def classes(path, n):
    zones = [[] for _ in range(400)]
    pairs = itertools.combinations(range(400), 2)
    for j in range(n):
        a, b = next(pairs)
        addr = f"10.{j >> 16}.{(j >> 8) & 255}.{j & 255}"
        zones[a].append(addr)
        zones[b].append(addr)
    with open(path, "w") as f:
        f.write("set state off\n")
        for z in range(400):
            f.write(f"zone z{z} " + ", ".join(zones[z] or ["192.0.2.1"]) + "\n")
        f.write("allow in from z1 tcp port 25\n")
classes(f"{d}/classes.conf", 65535)
classes(f"{d}/classes-over.conf", 65537)
# Several megabytes: a shipped profile under 8 MiB of comments.
with open(f"{d}/mb.conf", "w") as f:
    f.write("# padding\n" * (800 * 1024))
    f.write(open("profiles/spammertrap.conf").read())
with open(f"{d}/huge.conf", "w") as f:
    f.write("#" * (16 * 1024 * 1024) + "\nset state off\n")
# Includes: a cycle, and a chain one deeper than allowed.
open(f"{d}/a.conf", "w").write("set state off\ninclude b.conf\n")
open(f"{d}/b.conf", "w").write("include a.conf\n")
for i in range(18):
    open(f"{d}/deep{i}.conf", "w").write(f"include deep{i + 1}.conf\n")
open(f"{d}/deep18.conf", "w").write("set state off\n")
open(f"{d}/host.conf", "w").write(
    "set state off\nzone mx mx.portcullis.invalid, 192.0.2.25\n"
    "allow in from mx tcp port 25\nallow in from gone.invalid tcp port 26\n")
EOF

start=$EPOCHREALTIME
run check "$tmp/largest.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
check largest_check "check of 32766 rules and 4096 zones exited $rc: $(first "$tmp/err")" \
	eval '[ "$rc" -eq 0 ] && grep -q "Compiled: 32766 rules, 4097 address classes" "$tmp/out"'
t0=${EPOCHREALTIME/[.,]/}
run load "$app" "$tmp/largest.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
first_ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
run status "$app" >"$tmp/status" 2>&1
check largest_loads "load of the largest profile exited $rc: $(first "$tmp/err") $(first "$tmp/status")" \
	eval '[ "$rc" -eq 0 ] && grep -q "32766 rules" "$tmp/status" && [ -n "$(xdp_id)" ]'
# The last rule decides its port from its zone (z4093: 10.15.253.0/24).
run explain "$app" tcp from 10.15.253.9 to port 32766 >"$tmp/explain" 2>&1
check largest_explain "explain on the largest profile: $(first "$tmp/explain")" \
	grep -q 'rule     line 36863: allow in from z4093 tcp port 32766 "rule 32765"' "$tmp/explain"
# A reload onto another profile of 32766 rules: every rule replaced, listed and matched
# for its counter. How long it takes against a first load is `make bench`'s to show
# (docs/performance.md), not a test's: the times below are printed, not judged.
t0=${EPOCHREALTIME/[.,]/}
run load "$app" "$tmp/largest-b.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
reload_ms=$(( (${EPOCHREALTIME/[.,]/} - t0) / 1000 ))
echo "     (largest profile: first load $first_ms ms, reload onto another $reload_ms ms)"
check largest_reload "reload exited $rc in $reload_ms ms, first load $first_ms ms: $(first "$tmp/err")" \
	eval '[ "$rc" -eq 0 ] &&
	grep -q "0 rules unchanged (counters carried over), 32766 added, 32766 removed" "$tmp/out"'
run unload "$app" >/dev/null 2>&1
check largest_unloads "after unload: $(state)" untouched
echo "     (largest profile: check, load, explain, unload in $(( (${EPOCHREALTIME/[.,]/} - ${start/[.,]/}) / 1000 )) ms)"

# The most address classes (65536): 512 MiB of port-table directories in the kernel.
if [ "$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)" -lt 2048 ]; then
	skip largest_classes_loads "under 2 GiB of memory available for a 512 MiB map"
else
	run load "$app" "$tmp/classes.conf" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	run status "$app" >"$tmp/status" 2>&1
	check largest_classes_loads "load of 65536 address classes exited $rc: $(first "$tmp/err")" \
		eval '[ "$rc" -eq 0 ] && [ -n "$(xdp_id)" ]'
	run unload "$app" >/dev/null 2>&1
fi

# --- One past each limit, and a map that would overflow: profile errors, exit 2.
expect_fail too_many_rules 2 "rules.conf:36864:1: error: more than 32766 rules; merge rules" \
	load "$app" "$tmp/rules.conf"
expect_fail too_many_zones 2 "zones.conf:4098:6: error: more than 4096 zones; merge some" \
	load "$app" "$tmp/zones.conf"
expect_fail map_overflow 2 "overflow.conf:1:1: error: the profile needs more than the program's tables hold: more than 262144 pages .*merge port ranges" \
	load "$app" "$tmp/overflow.conf"
expect_fail map_overflow_classes 2 "needs more than the program's tables hold: more than 65536 address classes \(so far 65538 address classes.*merge zones" \
	load "$app" "$tmp/classes-over.conf"
expect_fail map_overflow_trie 2 "needs more than the program's tables hold: more than 262144 trie chunks .*fewer prefixes, or shorter ones" \
	load "$app" "$tmp/trie.conf"

# --- Files: several megabytes load; past 16 MiB, devices and binaries do not.
run load "$app" "$tmp/mb.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
check multi_mb_loads "load of an 8 MiB profile exited $rc: $(first "$tmp/err")" \
	eval '[ "$rc" -eq 0 ] && [ -n "$(xdp_id)" ]'
run unload "$app" >/dev/null 2>&1
expect_fail over_16_mib 2 "cannot read profile '.*huge.conf': it is larger than 16 MiB; is it a profile\?" \
	load "$app" "$tmp/huge.conf"
expect_fail device_file 2 "cannot read profile '/dev/zero': it is a character device; a profile and the files it includes must be regular files" \
	load "$app" /dev/zero
expect_fail include_cycle 2 "b.conf:1:9: error: include cycle: .*a.conf -> .*b.conf -> .*a.conf; remove one" \
	load "$app" "$tmp/a.conf"
expect_fail include_depth 2 "deep16.conf:1:9: error: includes nest more than 16 deep" \
	load "$app" "$tmp/deep0.conf"
# The binary itself as a profile: an error at the first byte, and a bounded report
# (long lines are cut around the caret, at most 20 errors).
expect_fail binary_garbage 2 "portcullis:1:1: error: control character 0x7f; remove it \(a profile is UTF-8 text\)" \
	load "$app" "$PC_BIN"
if [ "$(wc -c <"$tmp/err")" -gt 12000 ]; then
	fail binary_garbage "the report on a binary is $(wc -c <"$tmp/err") bytes"
fi

# --- A host name that resolves to nothing is a warning, not an error: the rest of
# the profile loads, the name matches nothing.
run check "$tmp/host.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
check unresolved_host_warns "check with unresolvable names exited $rc: $(first "$tmp/err")" \
	eval '[ "$rc" -eq 0 ] &&
	grep -q "host.conf:2:9: warning: host name .mx.portcullis.invalid. resolves to no address" "$tmp/err" &&
	grep -q "host.conf:4:1: warning: rule matches no address: .gone.invalid. resolved to nothing" "$tmp/err"'
run load "$app" "$tmp/host.conf" >/dev/null 2>&1
rc=$?
run explain "$app" tcp from 192.0.2.25 to port 25 >"$tmp/explain" 2>&1
check unresolved_host_loads "load exited $rc; explain: $(first "$tmp/explain")" \
	eval '[ "$rc" -eq 0 ] && grep -q "verdict  PASS" "$tmp/explain"'
run unload "$app" >/dev/null 2>&1

# --- bpffs not mounted: load mounts it (in a mount namespace of our own, so the
# host's bpffs stays as it is); without CAP_SYS_ADMIN it cannot, and says so.
unshare -m --propagation private bash -c '
	umount -R /sys/fs/bpf 2>/dev/null
	[ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ] || exit 3
	nsenter --net="/run/netns/$1" "$2" load "$3" profiles/spammertrap.conf || exit 4
	[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] || exit 5
	[ -e "$4/link" ] || exit 6
	nsenter --net="/run/netns/$1" "$2" unload "$3" || exit 7' \
	_ "$ns" "$PC_BIN" "$app" "$pins" >"$tmp/out" 2>&1
rc=$?
check bpffs_mounted_by_load "load without bpffs: step $rc failed: $(first "$tmp/out"); $(state)" \
	eval '[ "$rc" -eq 0 ] && untouched'
unshare -m --propagation private bash -c '
	umount -R /sys/fs/bpf 2>/dev/null
	nsenter --net="/run/netns/$1" setpriv --bounding-set=-sys_admin "$2" load "$3" \
		profiles/spammertrap.conf' _ "$ns" "$PC_BIN" "$app" >"$tmp/out" 2>"$tmp/err"
rc=$?
check bpffs_cannot_mount "exit $rc: $(first "$tmp/err"); $(state)" \
	eval '[ "$rc" -eq 1 ] && untouched &&
	grep -q "bpffs is not mounted on /sys/fs/bpf, and mounting it failed: Operation not permitted.*mount -t bpf bpf /sys/fs/bpf" "$tmp/err"'

# --- No privileges: a clear "run as root", exit 1, and nothing changed.
# (nsenter itself needs root: enter first, then drop.)
nsenter --net="/run/netns/$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PC_BIN" load "$app" profiles/spammertrap.conf >"$tmp/out" 2>"$tmp/err"
rc=$?
check unprivileged_load "load as nobody exited $rc: $(first "$tmp/err"); $(state)" \
	eval '[ "$rc" -eq 1 ] && grep -q "Permission denied.*; run as root" "$tmp/err" && untouched'
run load "$app" profiles/spammertrap.conf >/dev/null 2>&1
before=$(xdp_id)
nsenter --net="/run/netns/$ns" setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$PC_BIN" unload "$app" >"$tmp/out" 2>"$tmp/err"
rc=$?
check unprivileged_unload "unload as nobody exited $rc: $(first "$tmp/err"); xdp id $before -> $(xdp_id)" \
	eval '[ "$rc" -eq 1 ] && grep -q "; run as root" "$tmp/err" && [ -n "$before" ] && [ "$(xdp_id)" = "$before" ]'
nobody "$PC_BIN" status >"$tmp/out" 2>"$tmp/err"
rc=$?
check unprivileged_status "status as nobody exited $rc: $(first "$tmp/out") $(first "$tmp/err")" \
	eval '[ "$rc" -eq 1 ] && grep -q "reading /sys/fs/bpf/portcullis: Permission denied.*; run as root" "$tmp/err"'
run unload "$app" >/dev/null 2>&1
nobody "$PC_BIN" check profiles/spammertrap.conf >"$tmp/out" 2>"$tmp/err"
rc=$?
check unprivileged_check "check as nobody exited $rc: $(first "$tmp/err")" \
	eval '[ "$rc" -eq 0 ] && grep -q "Compiled: 27 rules" "$tmp/out"'

finish "not reached"
