#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `portcullis bench`: the table it prints (every stream of the mix with its outcome, the weighted mix, the core's clock) and its errors. Times are printed, never asserted.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(bench_exit_0 bench_streams bench_outcomes bench_mix_row bench_floor bench_clock bench_text_clock
	bench_missing_profile bench_bad_rounds)
. tests/e2e/lib.sh
[ "$(id -u)" -eq 0 ] || finish "bench needs root for BPF_PROG_TEST_RUN"

"$PC_BIN" bench --profile profiles/spammertrap.conf --repeat 20000 --rounds 1 --markdown \
	>"$tmp/md" 2>"$tmp/err"
rc=$?
check bench_exit_0 "bench exited $rc: $(head -c 300 "$tmp/err")" [ "$rc" -eq 0 ]
# The built-in mix has 8 streams, each a row of 10 cells.
rows=$(grep -cE '^\| [a-z0-9-]+ \| [0-9]+ \| (PASS|DROP) ' "$tmp/md")
check bench_streams "bench printed $rows stream rows, expected 8: $(head -c 400 "$tmp/md")" [ "$rows" -eq 8 ]
check bench_outcomes "outcomes differ from the profile's: $(grep -E 'smtp-syn|tcp-denied|arp' "$tmp/md" | tr '\n' ' ')" \
	eval 'grep -qE "^\| smtp-syn \| 5 \| PASS line 38 \|" "$tmp/md" &&
		grep -qE "^\| tcp-denied \| 15 \| DROP no-match \|" "$tmp/md" &&
		grep -qE "^\| arp \| 5 \| PASS non-ip \|" "$tmp/md" &&
		grep -qE "^\| dns-reply \| 10 \| PASS line 51 \|" "$tmp/md"'
# The weighted row: every figure a number, portcullis's time the empty one's plus the added.
python3 - "$tmp/md" >"$tmp/mix" 2>&1 <<'PY'
import sys
row = [l for l in open(sys.argv[1]) if l.startswith("| **mix (weighted)**")]
if len(row) != 1:
    print("FAIL|bench_mix_row|%d weighted rows" % len(row)); sys.exit()
c = [x.strip() for x in row[0].split("|")[1:-1]]
empty, real, added = float(c[3]), float(c[4]), float(c[5])
ok = len(c) == 10 and c[1] == "100" and empty > 0 and real > 0 and abs(empty + added - real) < 0.5
print("PASS|bench_mix_row|" if ok else "FAIL|bench_mix_row|%s" % c)
# The floor: parsing and one counter cost something, less than portcullis's decisions
# on top of them, and the multiple is the quotient of the two figures (or "-").
floor, times = float(c[8]), c[9]
# Both were printed rounded to 0.1 ns, the multiple too.
lo = (added - 0.05) / (floor + 0.05) - 0.05 if floor >= 0.1 else 0
hi = (added + 0.05) / (floor - 0.05) + 0.05 if floor >= 0.1 else 0
ok = 0 < floor < added and (times == "-" if floor < 0.1 else lo <= float(times) <= hi)
print("PASS|bench_floor|" if ok else "FAIL|bench_floor|floor %s, multiple %s, added %s" % (c[8], times, added))
PY
results "$tmp/mix" bench_mix_row
ghz=$(sed -nE 's/.*core clock ([0-9.]+) GHz \(1 ns = ([0-9.]+) cycles\).*/\1/p' "$tmp/md")
check bench_clock "no core clock in the table's heading: $(head -n 1 "$tmp/md" | head -c 300)" \
	python3 -c 'import sys; sys.exit(not float(sys.argv[1]) > 0)' "${ghz:-0}"
"$PC_BIN" bench --profile profiles/libraesva-esg.conf --repeat 10000 --rounds 1 >"$tmp/txt" 2>&1
check bench_text_clock "the text table has no clock line: $(head -n 5 "$tmp/txt" | tr '\n' ' ')" \
	grep -qE '^clock +[0-9.]+ GHz: 1000 dependent additions take [0-9.]+ ns' "$tmp/txt"

"$PC_BIN" bench --profile "$tmp/none.conf" >"$tmp/e1" 2>&1
rc=$?
check bench_missing_profile "bench of a missing profile exited $rc: $(cat "$tmp/e1")" \
	eval '[ "$rc" -eq 2 ] && grep -q "cannot read the profile .*none.conf.*--profile" "$tmp/e1"'
"$PC_BIN" bench --rounds 0 >"$tmp/e2" 2>&1
rc=$?
check bench_bad_rounds "bench --rounds 0 exited $rc: $(cat "$tmp/e2")" \
	eval '[ "$rc" -eq 2 ] && grep -q -- "--rounds takes a number 1-1000" "$tmp/e2"'
finish "not reached"
