#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Readers read one generation: `stats --json` and `status --json`, run in a loop
# while 100 reloads switch between two profiles, never fail and never show one
# profile's name with the other's rules.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root; O (default build) locates the binary.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(topology reloads stats_reads stats_consistent status_consistent)
. tests/e2e/lib.sh

. scripts/netns.sh
. tests/e2e/one_ns_pair.sh
one_ns_pair_up pcr-r
# The readers, too, stop on exit.
trap 'for p in ${readers:-}; do kill "$p" 2>/dev/null; done; one_ns_pair_cleanup' EXIT
PY=$(python3 -c 'import sys; print(sys.executable)')

# a: 20 rules labelled a-N; b: 30 labelled b-N.
for k in $(seq 1 20); do echo "allow in tcp port $((1000 + k)) \"a-$k\""; done >"$tmp/a.conf"
for k in $(seq 1 30); do echo "allow in udp port $((2000 + k)) \"b-$k\""; done >"$tmp/b.conf"
pc load x0 "$tmp/a.conf" >/dev/null 2>&1

# reader N CMD: runs CMD --json until $tmp/stop exists; one file per read.
reader()
{
	local i=0 n=$1
	shift
	mkdir -p "$tmp/r$n"
	while [ ! -e "$tmp/stop" ]; do
		i=$((i + 1))
		pc "$@" --json >"$tmp/r$n/$i" 2>&1 || echo "exit $?" >>"$tmp/r$n/$i"
	done
}
reader 1 stats x0 &
readers=$!
reader 3 status x0 &
readers="$readers $!"
failed_loads=0
for k in $(seq 1 50); do
	pc load x0 "$tmp/b.conf" >/dev/null 2>&1 || failed_loads=$((failed_loads + 1))
	pc load x0 "$tmp/a.conf" >/dev/null 2>&1 || failed_loads=$((failed_loads + 1))
done
touch "$tmp/stop"
wait $readers
readers=
check reloads "$failed_loads of 100 reloads failed" [ "$failed_loads" -eq 0 ]

"$PY" - "$tmp" >"$tmp/verdicts" <<'PYEOF'
import json, os, sys
tmp = sys.argv[1]
reads, bad_stats, bad_status, errors = 0, [], [], []
for r in ("r1", "r3"):
    for f in sorted(os.listdir(os.path.join(tmp, r)), key=int):
        text = open(os.path.join(tmp, r, f)).read()
        reads += 1
        try:
            d = json.loads(text)
        except ValueError:
            errors.append(text.strip().replace("\n", " ")[:160])
            continue
        if r == "r3":
            d = d["interfaces"][0]
        name = d["profile"].rsplit("/", 1)[-1][0]
        want = {"a": 20, "b": 30}[name]
        if r == "r3":
            if d["rules"] != want:
                bad_status.append("%s with %s rules" % (name, d["rules"]))
            continue
        labels = {x["label"][0] for x in d["rules"]}
        if len(d["rules"]) != want or labels != {name}:
            bad_stats.append("%s with %d rules labelled %s" % (name, len(d["rules"]), labels))
print("reads|%d" % reads)
print("errors|%d|%s" % (len(errors), "; ".join(errors[:3])))
print("stats|%d|%s" % (len(bad_stats), "; ".join(bad_stats[:3])))
print("status|%d|%s" % (len(bad_status), "; ".join(bad_status[:3])))
PYEOF
field() { grep "^$1|" "$tmp/verdicts" | cut -d'|' -f"$2"; }
echo "$(field reads 2) reads during 100 reloads"
check stats_reads "$(field errors 2) of $(field reads 2) reads failed: $(field errors 3)" \
	eval '[ "$(field reads 2)" -gt 100 ] && [ "$(field errors 2)" = 0 ]'
check stats_consistent "$(field stats 2) stats reads mixed two profiles: $(field stats 3)" \
	[ "$(field stats 2)" = 0 ]
check status_consistent "$(field status 2) status reads mixed two profiles: $(field status 3)" \
	[ "$(field status 2)" = 0 ]
finish "an earlier step failed"
