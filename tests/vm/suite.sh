#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The tests `make vmtest` runs inside each guest: the BPF verdict tests
# (BPF_PROG_TEST_RUN), the end-to-end essentials on veth pairs, and real pktgen runs.
#
# One line per test ("ok   NAME ..." or "FAIL NAME ..."), each test's output in
# $VMTEST_LOGS/NAME.log, and last the total "N passed, N failed[, N skipped]", read
# the way tests/run.sh reads them: a test that crashes, times out or prints no summary
# counts as one failure. VMTEST_ONLY (an extended regex) picks tests by name;
# VMTEST_TEST_TIMEOUT bounds each (default 900 s: software emulation is slow).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
LOGS=${VMTEST_LOGS:-$O/vmtest-logs}
TIMEOUT=${VMTEST_TEST_TIMEOUT:-900}
ONLY=${VMTEST_ONLY:-.}
mkdir -p "$LOGS" || exit 1

# The end-to-end tests of tests/e2e that make the essentials: load, status, stats,
# explain, the broken profile, --confirm rollback, reload with carry-over, unload (load);
# flows and the egress hook, tcx or clsact, whichever the kernel has (state); log.
# Under emulation each program load costs seconds, so the others stay with make check
# unless VMTEST_E2E names them (test_clsact, clsact where tcx exists; test_attach;
# test_errors: together about two minutes more per kernel).
read -r -a E2E <<<"${VMTEST_E2E:-test_load test_state test_log}"

total_p=0 total_f=0 total_s=0

# summary_of LOG: "P F S" from the last summary line of LOG, or nothing.
summary_of()
{
	grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" | tail -n 1 |
		sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/'
}

# run NAME CMD...: runs one test under a timeout, prints its line, adds up its summary.
run()
{
	local name=$1 log start rc p f s status
	shift
	[[ $name =~ $ONLY ]] || return 0
	log=$LOGS/${name//\//-}.log
	start=$SECONDS
	timeout -k 10 "$TIMEOUT" "$@" >"$log" 2>&1 </dev/null
	rc=$?
	read -r p f s <<<"$(summary_of "$log")"
	s=${s:-0}
	if [ -z "$p" ]; then
		p=0 f=1 status="exit $rc and no summary line"
		[ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && status="timed out after $TIMEOUT s"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 status="$p passed, 0 failed, but exit $rc"
	else
		status="$p passed, $f failed, $s skipped"
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	if [ "$f" -gt 0 ]; then
		printf 'FAIL %-24s %s (%d s)\n' "$name" "$status" $((SECONDS - start))
		# The failed checks, or else the end of the log.
		if grep -qE '^(FAIL |  [^ ].*:[0-9]+: )' "$log"; then
			grep -E '^(FAIL |  [^ ].*:[0-9]+: )' "$log" | head -n 20 | sed 's/^/     | /'
		else
			tail -n 12 "$log" | sed 's/^/     | /'
		fi
	else
		printf 'ok   %-24s %s (%d s)\n' "$name" "$status" $((SECONDS - start))
	fi
}

# Under software emulation a frame costs about 50 times what it costs natively and a
# program load some seconds: the differential test runs a tenth of its frames over 8
# profiles (both shipped, 4 random, 2 with state on) unless told. VMTEST_ACCEL is
# qemu's accelerator, set by scripts/vmtest/run.sh.
if [ "${VMTEST_ACCEL:-tcg}" = tcg ]; then
	export DIFF_FRAMES=${DIFF_FRAMES:-20000} DIFF_PROFILES=${DIFF_PROFILES:-4}
	export DIFF_STATE_PROFILES=${DIFF_STATE_PROFILES:-2}
fi

# Not a test (the tests below count a program that does not load): when the kernel
# refuses the program, its verifier's last words, for the report.
diagnose_load()
{
	local log=$LOGS/verifier.log

	timeout 600 "$O/portcullis" -v explain --profile profiles/spammertrap.conf \
		tcp from 198.51.100.7 to port 25 >"$log.full" 2>&1 </dev/null && { rm -f "$log.full"; return 0; }
	tail -n 200 "$log.full" >"$log"
	rm -f "$log.full"
	echo "note the program does not load on $(uname -r); the end of the verifier log ($log):"
	grep -vE '^(libbpf|portcullis):' "$log" | grep -v '^ *$' | tail -n 4 | sed 's/^/     | /'
	grep -E '^portcullis: error' "$log" | tail -n 1 | sed 's/^/     | /'
}
[[ verifier =~ $ONLY ]] && diagnose_load

for bin in "$O"/tests/bpf/*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	run "bpf/$(basename "$bin")" "$bin"
done
for t in "${E2E[@]}"; do
	O=$O run "e2e/$t" bash "tests/e2e/$t.sh"
done
for t in tests/vm/test_*.sh; do
	[ -f "$t" ] || continue
	O=$O run "vm/$(basename "$t" .sh)" bash "$t"
done

summary="$total_p passed, $total_f failed"
[ "$total_s" -gt 0 ] && summary+=", $total_s skipped"
echo "$summary"
[ "$total_f" -eq 0 ]
