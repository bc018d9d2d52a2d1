#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The suite runner behind `make check`: unit (plain and sanitized), BPF, fuzz, format and e2e tests, one line each, then the total.
#
# O (default build) is the build directory. Each test binary or script runs with a
# timeout, its output goes to $O/test-logs/NAME.log, and its last
# "N passed, N failed[, N skipped]" line is added to the total. One that crashes, times
# out, exits non-zero with no failure reported, or prints no such line counts as one
# failure. The last line is the total; the exit status is 1 when anything failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1
O=${O:-build}
TIMEOUT=${TEST_TIMEOUT:-300}
LOGS=$O/test-logs
mkdir -p "$LOGS" || exit 1

total_p=0 total_f=0 total_s=0

# run NAME CMD...: runs one test, prints its line, adds up its summary.
run()
{
	local name=$1 log start secs rc line p f s status
	shift
	log=$LOGS/${name//\//-}.log
	start=${EPOCHREALTIME/[.,]/}
	# The subshell keeps bash's "Segmentation fault" notice off the terminal.
	(timeout -k 10 "$TIMEOUT" "$@" >"$log" 2>&1 </dev/null; exit $?) 2>/dev/null
	rc=$?
	secs=$(( (${EPOCHREALTIME/[.,]/} - start) / 100000 ))
	secs=$((secs / 10)).$((secs % 10))
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$log" | tail -n 1)
	if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
	else
		p=0 f=0 s=0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		f=$((f + 1)) status="timed out after ${TIMEOUT} s"
	elif [ "$rc" -gt 128 ]; then
		f=$((f + 1)) status="killed by SIG$(kill -l $((rc - 128)) 2>/dev/null || echo $((rc - 128)))"
		echo "run.sh: killed by signal $((rc - 128))" >>"$log"
	elif [ -z "$line" ]; then
		f=$((f + 1)) status="exit $rc and no summary line"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1 status="$line, but exit $rc"
	else
		status=$line
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
	if [ "$f" -gt 0 ]; then
		printf 'FAIL %-32s %s (%s s)\n' "$name" "$status" "$secs"
		# The harness's failure lines, or else the end of the log.
		if grep -qE '^(FAIL |  [^ ].*:[0-9]+: )' "$log"; then
			grep -E '^(FAIL |  [^ ].*:[0-9]+: )' "$log" | head -n 40 | sed 's/^/     | /'
		else
			tail -n 20 "$log" | sed 's/^/     | /'
		fi
		echo "     (full log: $log)"
	else
		printf 'ok   %-32s %s (%s s)\n' "$name" "$status" "$secs"
	fi
}

# run_dir PREFIX DIR: every executable file in DIR.
run_dir()
{
	local prefix=$1 dir=$2 bin

	[ -d "$dir" ] || return 0
	for bin in "$dir"/*; do
		[ -f "$bin" ] && [ -x "$bin" ] || continue
		run "$prefix/$(basename "$bin")" "$bin"
	done
}

run_dir unit "$O/tests/unit"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	run_dir san/unit "$O/san/tests/unit"
run_dir bpf "$O/tests/bpf"
# A short libFuzzer run on the profile language (make fuzz runs a long one).
[ -x "$O/fuzz/fuzz_profile" ] &&
	run fuzz/fuzz_profile bash fuzz/run.sh "$O/fuzz/fuzz_profile" "$O/fuzz/seeds" \
		"${FUZZ_CHECK_SECONDS:-15}"
# The sources as clang-format writes them (make format fixes them).
run format/clang-format bash -c 'make -s --no-print-directory format-check &&
	echo "1 passed, 0 failed" || { echo "0 passed, 1 failed"; exit 1; }'
for t in tests/e2e/test_*.sh; do
	[ -f "$t" ] || continue
	O=$O run "e2e/$(basename "$t" .sh)" bash "$t"
done

summary="$total_p passed, $total_f failed"
[ "$total_s" -gt 0 ] && summary+=", $total_s skipped"
echo "$summary"
[ "$total_f" -eq 0 ]
