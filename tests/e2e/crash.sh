#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Crash consistency, sourced by test_crash_first.sh and test_crash_reload.sh with
# CRASH_MODE first or reload: `load` (a first load, or a reload) killed with SIGKILL
# at each system call that changes state, in turn (strace -e inject=SYSCALL:signal=KILL:when=N;
# tests/e2e/killpoints.py says which). After every kill: the NIC runs the old or the
# new profile wholly (XDP and egress programs of one generation), status and stats
# name that one, a frame gets that profile's verdict and lands on its counter, no
# staged state is left over, and the next unload and load work.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped"; the number of kill points tried is printed before.
# Needs root and strace; O (default build) locates the binary.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
mode=${CRASH_MODE:?}
CHECKS=(topology trace "${mode}_consistent" "${mode}_next_load_unload")
. tests/e2e/lib.sh
. scripts/netns.sh
. tests/e2e/ip_pair.sh
command -v strace >/dev/null || finish "strace is not installed (bash scripts/deps.sh)"
command -v bpftool >/dev/null || finish "bpftool is not installed (bash scripts/deps.sh)"

ns=pck-a-$$ peer=pck-p-$$
cleanup()
{
	nsenter --net="/run/netns/$ns" "$PC_BIN" unload x0 >/dev/null 2>&1
	ip netns del "$ns" 2>/dev/null
	ip netns del "$peer" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
app() { nsenter --net="/run/netns/$ns" "$@"; }
pc() { app "$PC_BIN" "$@"; }
xdp_id() { xdp_prog "$ns" x0; }
tcx_links() { app bpftool -j net show dev x0 2>/dev/null | grep -o '"tcx_egress":\[[^]]*\]' | grep -c '"prog_id"'; }

set_up_or_finish topology eval 'ip_pair_up "$ns" "$peer" && dir=$(pc_state_dir "$ns" x0)'

# Profile a allows UDP 25, b UDP 26; each drops the other.
printf 'allow in udp port 25 "a"\n' >"$tmp/a.conf"
printf 'allow in udp port 26 "b"\n' >"$tmp/b.conf"

# pyenv's python3 is a shell script; the checks below call python many times.
PY=$(python3 -c 'import sys; print(sys.executable)')
send_25() { ip netns exec "$peer" bash -c 'echo x >/dev/udp/10.9.0.1/25'; }

# consistent WANT: after a kill, the state is one profile's, whole; WANT lists the
# profiles it may be ("- a": none or a). Prints what is wrong, nothing when all is well.
consistent()
{
	local rc gdir want=$1

	pc status x0 --json >"$tmp/st" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		if [[ $want == *-* ]] && grep -q "not loaded" "$tmp/st"; then
			[ -z "$(xdp_id)" ] || echo "status says not loaded, XDP runs $(xdp_id)"
			[ "$(tcx_links)" = 0 ] || echo "status says not loaded, a tcx link is left"
			[ ! -e "$dir" ] || echo "status says not loaded, $dir: $(ls "$dir" | tr '\n' ' ')"
			return
		fi
		echo "status exited $rc: $(tr '\n' ' ' <"$tmp/st")"
		return
	fi
	gdir=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["pins"])' "$tmp/st")
	{
		echo "xdp=$(xdp_id)"
		echo "prog=$(bpftool -j prog show pinned "$gdir/prog" 2>&1)"
		echo "elink=$(bpftool -j link show pinned "$dir/elink" 2>&1)"
		echo "eprog=$(bpftool -j prog show pinned "$gdir/eprog" 2>&1)"
		echo "ls=$(ls "$dir" | tr '\n' ' ')"
	} >"$tmp/ids"
	pc stats x0 --json >"$tmp/s0" 2>&1
	send_25
	sleep 0.05
	pc stats x0 --json >"$tmp/s1" 2>&1
	"$PY" - "$tmp/st" "$tmp/ids" "$tmp/s0" "$tmp/s1" "$want" <<'PYEOF'
import json, sys
st = json.load(open(sys.argv[1]))["interfaces"][0]
ids = dict(l.rstrip("\n").split("=", 1) for l in open(sys.argv[2]))
def js(k):
    try:
        return json.loads(ids[k])
    except ValueError:
        return {}
prof = st["profile"].rsplit("/", 1)[-1][0]
gen = st["pins"].rsplit("/", 1)[-1]
if prof not in sys.argv[5].split():
    print("status names profile %s, expected one of %s" % (prof, sys.argv[5]))
if ids["xdp"] != str(js("prog").get("id")):
    print("XDP runs %s, status's generation %s has prog %s" % (ids["xdp"], gen, js("prog").get("id")))
if js("elink").get("prog_id") != js("eprog").get("id"):
    print("egress runs %s, generation %s has %s" % (js("elink").get("prog_id"), gen, js("eprog").get("id")))
if ids["ls"] != "current elink %s link name netns " % gen:
    print("left over: " + ids["ls"])
def frames(path):
    try:
        d = json.load(open(path))
    except ValueError:
        print("stats failed: " + open(path).read().strip())
        return None
    n = sum(r["packets"] for r in d["rules"]) + sum(v["packets"] for v in d["implicit"].values())
    return d["profile"].rsplit("/", 1)[-1][0], n, d["rules"][0]["packets"]
a, b = frames(sys.argv[3]), frames(sys.argv[4])
if a and b:
    if a[0] != prof or b[0] != prof:
        print("stats name %s/%s, status %s" % (a[0], b[0], prof))
    # The frame to port 25 is seen (the veth may carry another, never one fewer).
    if b[1] < a[1] + 1:
        print("the frame to port 25 was not counted: %d -> %d" % (a[1], b[1]))
    elif prof == "a" and b[2] != a[2] + 1:
        print("under a, rule a did not count the frame to port 25")
    elif prof == "b" and b[2] != a[2]:
        print("under b, rule b counted the frame to port 25")
PYEOF
}

# next_works: the next unload (when loaded) and load work; then the state each
# kill starts from: nothing for a first load, a loaded for a reload.
next_works()
{
	local out

	if [ -e "$dir/current" ] && ! out=$(pc unload x0 2>&1); then echo "unload: $out"; fi
	out=$(pc load x0 "$tmp/a.conf" 2>&1) || echo "load: $out"
	if [ "$mode" = first ] && ! out=$(pc unload x0 2>&1); then echo "unload: $out"; fi
}

# The reference trace: the calls of the command, unharmed.
pc unload x0 >/dev/null 2>&1
[ "$mode" = reload ] && pc load x0 "$tmp/a.conf" >/dev/null 2>&1
app strace -f -qq -o "$tmp/trace" "$PC_BIN" load x0 "$tmp/b.conf" >/dev/null 2>&1
"$PY" tests/e2e/killpoints.py "$tmp/trace" >"$tmp/points"
check trace "no kill points in the trace: $(head -c 300 "$tmp/trace")" [ "$(wc -l <"$tmp/points")" -gt 10 ]
next_works >/dev/null

want="- b"
[ "$mode" = reload ] && want="a b"
: >"$tmp/bad" >"$tmp/badn"
tried=0
# The budget keeps the run within run.sh's limit on a busy machine; on a quiet one
# every kill point fits. MIN_POINTS are tried however long they take, so that a loaded
# machine tries fewer, never too few.
MIN_POINTS=16
deadline=$((SECONDS + ${CRASH_SECONDS:-100}))
while read -r name n; do
	[ "$name" = total ] && continue
	# At least MIN_POINTS whatever the machine's load, then as many as the time allows.
	[ "$tried" -lt "$MIN_POINTS" ] || [ "$SECONDS" -lt "$deadline" ] || break
	tried=$((tried + 1))
	app strace -f -qq -o /dev/null -e "inject=$name:signal=KILL:when=$n" \
		"$PC_BIN" load x0 "$tmp/b.conf" >/dev/null 2>&1
	what=$(consistent "$want")
	[ -n "$what" ] && echo "$name#$n: $(tr '\n' ';' <<<"$what")" >>"$tmp/bad"
	out=$(next_works)
	[ -n "$out" ] && echo "$name#$n: $(tr '\n' ';' <<<"$out")" >>"$tmp/badn"
done <"$tmp/points"
echo "$mode: $tried of $(($(wc -l <"$tmp/points") - 1)) kill points tried ($(head -n 1 "$tmp/points" | cut -d' ' -f2) system calls in the command)"
check "${mode}_consistent" "$(wc -l <"$tmp/bad") of $tried kill points: $(head -n 3 "$tmp/bad" | tr '\n' ' ')" \
	eval '[ "$tried" -ge "$MIN_POINTS" ] && [ ! -s "$tmp/bad" ]'
check "${mode}_next_load_unload" "$(head -n 3 "$tmp/badn" | tr '\n' ' ')" [ ! -s "$tmp/badn" ]
finish "an earlier step failed"
