#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Runs the profile fuzzer for a while and prints the summary line tests/run.sh reads.
#
#   fuzz/run.sh BIN SEEDS SECONDS [DIR]
#
# Without DIR (make check): one process, a throw-away corpus grown from SEEDS.
# With DIR (make fuzz): one process per CPU, the corpus kept in DIR/corpus so that the
# next campaign starts where this one stopped, crashes kept in DIR/artifacts.
set -uo pipefail

bin=$1 seeds=$2 secs=$3 dir=${4:-}
if [ ! -x "$bin" ]; then
	echo "fuzz/run.sh: $bin does not exist: run make tests"
	echo "0 passed, 1 failed"
	exit 1
fi
kept=
if [ -n "$dir" ]; then
	corpus=$dir/corpus artifacts=$dir/artifacts kept=" (log: $dir/fuzz.log)"
	mode=(-fork="$(nproc)")
else
	dir=$(mktemp -d)
	trap 'rm -rf "$dir"' EXIT
	corpus=$dir/corpus artifacts=$dir/artifacts
	mode=()
fi
mkdir -p "$corpus" "$artifacts" || exit 1
# The fuzzer works in a private directory of its own: absolute paths only.
bin=$(realpath "$bin") seeds=$(realpath "$seeds")
corpus=$(realpath "$corpus") artifacts=$(realpath "$artifacts")

# -timeout: one input taking 10 s is a hang; -max_len: room for includes and long
# lines, well under the parser's 16 MiB limit, which its own tests cover.
log=$dir/fuzz.log
"$bin" "${mode[@]}" -max_total_time="$secs" -timeout=10 -max_len=65536 -rss_limit_mb=4096 \
	-print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$seeds" >"$log" 2>&1
rc=$?
# libFuzzer's progress lines and dictionary hints are noise here; its findings and its
# final statistics are not. The last progress line sums the run up.
grep -vE '^(#[0-9]+|INFO: |MERGE-|\[|"|#####|  NEW_FUNC)' "$log" | tail -n 40
grep -E '^#[0-9]+' "$log" | tail -n 1
found=$(find "$artifacts" -type f 2>/dev/null | head -n 5)
if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
	echo "FAIL fuzz_profile: exit $rc; inputs that fail:"
	keep=$(dirname "$bin")/artifacts
	mkdir -p "$keep" && cp $found "$keep/" 2>/dev/null && echo "  (copied to $keep)"
	for f in $found; do
		echo "  $f"
		od -c "$f" | head -n 8 | sed 's/^/    /'
	done
	echo "0 passed, 1 failed"
	exit 1
fi
echo "ok   fuzz_profile: ${secs} s, corpus of $(find "$corpus" -type f | wc -l) inputs$kept"
echo "1 passed, 0 failed"
