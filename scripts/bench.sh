#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make bench`: `portcullis bench` on the shipped profiles and on generated 10-rule and 10,000-rule profiles, the 10,000-rule profile's compile and load time and map memory, first loads and reloads onto a different profile at 10,000 and 32,766 rules, written into docs/performance.md.
#
#   scripts/bench.sh PORTCULLIS [DOC]
#
# The tables go to bench/performance-tables.md beside PORTCULLIS (build/bench/ for
# `make bench`); with DOC (`make bench DOC=docs/performance.md`) they also replace the
# text between <!-- bench:begin --> and <!-- bench:end --> in DOC, keeping the rest.
# REPEAT and ROUNDS (environment) are passed to `bench`. Timing, not a test: run it on a quiet machine.
set -uo pipefail

BIN=${1:-}
DOC=${2:-}
REPEAT=${REPEAT:-1000000}
ROUNDS=${ROUNDS:-5}
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	echo "usage: $0 PATH/TO/portcullis [DOC]   (or: make bench)" >&2
	exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "bench.sh: BPF_PROG_TEST_RUN and the load into a namespace need root" >&2
	exit 1
fi
out=$(dirname "$BIN")/bench
cd "$(dirname "$0")/.." || exit 1
BIN=$(realpath "$BIN")
mkdir -p "$out" || exit 1
tmp=$(mktemp -d)
ns=pcb-$$
cleanup()
{
	# The state is keyed by the namespace: unload there before the namespace goes.
	[ -e "/run/netns/$ns" ] && nsenter --net="/run/netns/$ns" "$BIN" unload pcb0 >/dev/null 2>&1
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

python3 scripts/gen-profile.py --rules 10 --prefixes 1000 >"$out/gen-10-rules.conf" &&
	python3 scripts/gen-profile.py --rules 10000 --prefixes 1000 >"$out/gen-10000-rules.conf" &&
	python3 scripts/gen-profile.py --rules 10000 --prefixes 1000 --seed 2 >"$out/gen-10000-rules-b.conf" &&
	python3 scripts/gen-profile.py --rules 32766 --prefixes 1000 >"$out/gen-32766-rules.conf" &&
	python3 scripts/gen-profile.py --rules 32766 --prefixes 1000 --seed 2 >"$out/gen-32766-rules-b.conf" ||
	exit 1

# bench_one NAME [REPEAT] ARGS...: one table, kept in $tmp/NAME.md; REPEAT (a number)
# replaces the default, since bench refuses an option given twice.
bench_one()
{
	local name=$1 repeat=$REPEAT
	shift
	if [[ ${1:-} =~ ^[0-9]+$ ]]; then
		repeat=$1
		shift
	fi
	echo "== bench --repeat $repeat $*" >&2
	"$BIN" bench --markdown --repeat "$repeat" --rounds "$ROUNDS" "$@" >"$tmp/$name.md" 2>"$tmp/$name.err" || {
		cat "$tmp/$name.err" >&2
		exit 1
	}
	cat "$tmp/$name.md"
	echo
}
# The weighted mix row: "empty portcullis added floor-added".
mix_row() { awk -F'|' '/mix \(weighted\)/ { gsub(/ /, ""); print $5, $6, $7, $10 }' "$tmp/$1.md"; }

bench_one spammertrap --profile profiles/spammertrap.conf
bench_one libraesva --profile profiles/libraesva-esg.conf
bench_one gen10 --profile "$out/gen-10-rules.conf"
bench_one gen10k --profile "$out/gen-10000-rules.conf"
bench_one cells $((REPEAT / 5)) --profile profiles/spammertrap.conf --mix profile

# Compile and load of the 10,000-rule profile onto a veth, and what status reports.
ip netns add "$ns" && ip -n "$ns" link add pcb0 type veth peer name pcb1 &&
	ip -n "$ns" link set pcb0 up && ip -n "$ns" link set pcb1 up || exit 1
# time_load PROFILE: milliseconds of one `load` onto pcb0 (a first load or a reload).
time_load()
{
	local start=${EPOCHREALTIME/[.,]/}

	echo "== load $1" >&2
	nsenter --net="/run/netns/$ns" "$BIN" load pcb0 "$1" >"$tmp/load.out" 2>&1 ||
		{ cat "$tmp/load.out" >&2; exit 1; }
	echo $(( (${EPOCHREALTIME/[.,]/} - start) / 1000 ))
}
load_ms=$(time_load "$out/gen-10000-rules.conf") || exit 1
nsenter --net="/run/netns/$ns" "$BIN" status pcb0 --json >"$tmp/status.json" || exit 1
# A reload onto a different profile of as many rules: it matches every rule's counter
# against the old ones and lists what changed, with the interface's lock held.
reload10k_ms=$(time_load "$out/gen-10000-rules-b.conf") || exit 1
nsenter --net="/run/netns/$ns" "$BIN" unload pcb0 >/dev/null
first32k_ms=$(time_load "$out/gen-32766-rules.conf") || exit 1
reload32k_ms=$(time_load "$out/gen-32766-rules-b.conf") || exit 1
nsenter --net="/run/netns/$ns" "$BIN" unload pcb0 >/dev/null
map_bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["map_bytes"])' "$tmp/status.json")
flow_bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["interfaces"][0]["flow_bytes"])' "$tmp/status.json")

read -r e10 p10 a10 f10 < <(mix_row gen10)
read -r e10k p10k a10k f10k < <(mix_row gen10k)
read -r es ps as fs < <(mix_row spammertrap)
ghz=$(sed -nE 's/.*core clock ([0-9.]+) GHz.*/\1/p' "$tmp/spammertrap.md")
python3 - "$p10" "$p10k" "$a10" "$a10k" "$load_ms" "$map_bytes" "$es" "$ps" "$as" "$flow_bytes" "${ghz:-0}" \
	"$reload10k_ms" "$first32k_ms" "$reload32k_ms" "$fs" "$f10k" >"$tmp/summary.md" <<'PY'
import sys
p10, p10k, a10, a10k = map(float, sys.argv[1:5])
load_ms, map_bytes = int(sys.argv[5]), int(sys.argv[6])
es, ps, adds = map(float, sys.argv[7:10])
flow_bytes = int(sys.argv[10])
ghz = float(sys.argv[11])
reload10k, first32k, reload32k = map(int, sys.argv[12:15])
fs, f10k = map(float, sys.argv[15:17])
def floor_times(added, floor):
    return "%.1f x (%.1f ns over %.1f ns)" % (added / floor, added, floor) if floor >= 0.1 else "unknown: the floor took no time"
print("| figure | measured | goal |")
print("|---|--:|--:|")
print("| SpammerTrap, built-in mix: added over the empty program | %.1f ns | at most 15 ns |" % adds)
if ghz > 0:
    print("| the same in cycles of this core (%.2f GHz, from 1,000 dependent additions) | %.0f cycles | |" % (ghz, adds * ghz))
else:
    print("| the same in cycles of this core | unknown: the timer could not tell the clock | |")
print("| SpammerTrap, built-in mix: added, as a multiple of the floor's (the parser and one per-CPU counter) | %s | at most 2 x |"
      % floor_times(adds, fs))
print("| 10,000 rules, the same | %s | at most 2 x |" % floor_times(a10k, f10k))
print("| SpammerTrap, built-in mix: portcullis per packet (empty program) | %.1f ns (%.1f ns) | |" % (ps, es))
print("| SpammerTrap, built-in mix: one core at that cost | %.1f Mpps | 14.88 Mpps (10GbE, 64 B) |" % (1e3 / ps))
print("| 10,000 rules vs 10 rules, both over 1,000 prefixes, per packet | %+.1f%% (%.1f vs %.1f ns) | within 5%% |"
      % ((p10k / p10 - 1) * 100, p10k, p10))
print("| 10,000 rules: maps of the profile (`status`, without the flow table) | %.1f MiB | at most 16 MiB |"
      % ((map_bytes - flow_bytes) / 1048576))
print("| the flow table beside them (`set flows`, default 65,536) | %.1f MiB | |" % (flow_bytes / 1048576))
print("| 10,000 rules: compile and load onto a veth (`load`) | %d ms | under 1 s |" % load_ms)
print("| 10,000 rules: reload onto a different 10,000-rule profile | %d ms (%.2f x the first load) | within 1.5 x |"
      % (reload10k, reload10k / load_ms))
print("| 32,766 rules: first load | %d ms | |" % first32k)
print("| 32,766 rules: reload onto a different 32,766-rule profile | %d ms (%.2f x the first load) | within 1.5 x |"
      % (reload32k, reload32k / first32k))
PY
{
	echo "Machine: $(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, Linux $(uname -r); $(date -u +%Y-%m-%d)."
	echo "Command: \`make bench\` (REPEAT=$REPEAT ROUNDS=$ROUNDS)."
	echo
	cat "$tmp/summary.md"
	for t in spammertrap libraesva gen10 gen10k cells; do
		echo
		cat "$tmp/$t.md"
	done
} >"$tmp/section.md"
echo "== summary"
cat "$tmp/summary.md"

cp "$tmp/section.md" "$out/performance-tables.md" || exit 1
echo "wrote the tables into $out/performance-tables.md"
if [ -n "$DOC" ]; then
	python3 scripts/doc-section.py "$DOC" bench "$tmp/section.md" || exit 1
	echo "wrote the tables into $DOC"
fi
