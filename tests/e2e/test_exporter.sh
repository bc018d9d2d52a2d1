#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Prometheus: `stats --prometheus --all` and a scrape of `portcullis exporter` pass
# promtool, with each family's HELP and TYPE once for two interfaces; --textfile
# replaces its file whole; a real Prometheus server scraping the exporter sees the
# exact count of the frames the test sent; a reload that keeps a rule keeps its series
# and its count (no reset), and profile_info names the new text's sha256; scrapes
# during reloads are each whole and of one profile; an interface that is gone is
# portcullis_up 0 with nothing else; an address in use is exit 1 with what to do;
# SIGTERM stops the exporter cleanly; with only CAP_BPF and CAP_DAC_OVERRIDE on a
# read-only bpffs (the unit's sandbox) it still reads, and without CAP_DAC_OVERRIDE
# a scrape is an HTTP 500 that says why.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root, promtool and prometheus (Debian's
# prometheus package; scripts/deps.sh).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(topology load load_second stats_all_promtool stats_all_help_once textfile_promtool
	textfile_atomic exporter_starts scrape_promtool scrape_index_404 port_in_use
	prometheus_ready prometheus_exact_count reload_same_series reload_no_reset
	reload_profile_info reload_scrapes_whole iface_gone_up0 sigterm_clean caps_reads
	caps_missing_500)
. tests/e2e/lib.sh
for t in promtool prometheus; do
	command -v "$t" >/dev/null || finish "$t is not installed (bash scripts/deps.sh)"
done
. scripts/netns.sh

EXP_PID= PROM_PID=
pc_topo_up 2>"$tmp/topo.err"
rc=$?
cleanup()
{
	local p
	for p in $EXP_PID $PROM_PID; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	pc_cli unload x1 >/dev/null 2>&1
	pc_topo_down
	rm -rf "$tmp"
}
trap cleanup EXIT
if [ "$rc" -ne 0 ] || ! ip -n "$PC_NS_APP" link add x1 type veth peer name y1 2>>"$tmp/topo.err" ||
	! ip -n "$PC_NS_APP" link set x1 up || ! ip -n "$PC_NS_APP" link set y1 up; then
	fail topology "$(tr '\n' ' ' <"$tmp/topo.err")"
	finish "no topology"
fi
ok topology

# A: the rule the frames hit, and one more; A2: the same, and a rule added at the end.
PROBE=47111
cat >"$tmp/a.conf" <<EOF
allow in tcp port 25 "smtp"
drop in udp port $PROBE "probe"
EOF
{ cat "$tmp/a.conf"; echo 'allow in tcp port 587 "submission"'; } >"$tmp/a2.conf"
printf 'allow in tcp port 22 "ssh"\n' >"$tmp/b.conf"
load_or_finish "$tmp/a.conf"
pc_cli load x1 "$tmp/b.conf" >"$tmp/load2.out" 2>&1
check load_second "load x1: $(tail -n 3 "$tmp/load2.out" | tr '\n' ' ')" [ $? -eq 0 ]

# promtool_ok FILE: promtool's checks (and lint) pass on FILE.
promtool_ok() { promtool check metrics <"$1" >"$1.promtool" 2>&1; }

pc_cli stats --all --prometheus >"$tmp/all.prom" 2>"$tmp/all.err"
rc=$?
check stats_all_promtool "stats --all --prometheus exited $rc ($(head -c 200 "$tmp/all.err")); promtool: $(head -c 300 "$tmp/all.prom.promtool" 2>/dev/null)" \
	eval '[ "$rc" -eq 0 ] && promtool_ok "$tmp/all.prom"'
helps=$(grep -c '^# HELP portcullis_rule_packets_total ' "$tmp/all.prom")
dups=$(grep -E '^# (HELP|TYPE) ' "$tmp/all.prom" | sort | uniq -d | head -n 3 | tr '\n' ' ')
check stats_all_help_once "HELP of rule_packets_total $helps times, duplicated: '$dups'" \
	eval '[ "$helps" -eq 1 ] && [ -z "$dups" ] &&
		grep -q "^portcullis_rule_packets_total{iface=\"app0\",.*match=\"port $PROBE\"" "$tmp/all.prom" &&
		grep -q "^portcullis_rule_packets_total{iface=\"x1\",.*match=\"port 22\"" "$tmp/all.prom"'

# --textfile: the file, and only it, in the directory, passing promtool.
mkdir "$tmp/tf"
pc_cli stats --all --textfile "$tmp/tf" >"$tmp/tf.out" 2>&1
rc=$?
check textfile_promtool "stats --textfile exited $rc: $(head -c 200 "$tmp/tf.out"); files: $(ls -A "$tmp/tf" | tr '\n' ' '); promtool: $(head -c 200 "$tmp/tf/portcullis.prom.promtool" 2>/dev/null)" \
	eval '[ "$rc" -eq 0 ] && [ "$(ls -A "$tmp/tf")" = portcullis.prom ] &&
		cp "$tmp/tf/portcullis.prom" "$tmp/tf.prom" && promtool_ok "$tmp/tf.prom"'
# Atomic: a reader polling the file while it is rewritten only ever sees a
# whole exposition (it ends with the last family's samples of both interfaces).
# (15 rewrites: a file written in place is seen half-written within a few.)
pc_app timeout 20 python3 -c '
import os, sys, time
path, stop = sys.argv[1], sys.argv[2]
reads = bad = 0
open(stop + ".ready", "w").write("1")
while not os.path.exists(stop):
    try:
        with open(path) as f:
            t = f.read()
    except FileNotFoundError:
        bad += 1
        continue
    reads += 1
    tail = t.rsplit("# TYPE portcullis_map_bytes gauge\n", 1)
    if len(tail) != 2 or tail[1].count("\n") != 2 or not t.endswith("\n"):
        bad += 1
print(reads, bad)
' "$tmp/tf/portcullis.prom" "$tmp/tf.stop" >"$tmp/tf.reader" 2>&1 &
reader=$!
wait_file "$tmp/tf.stop.ready" || touch "$tmp/tf.stop.ready"
for _ in $(seq 1 15); do pc_cli stats --all --textfile "$tmp/tf" >/dev/null 2>&1; done
touch "$tmp/tf.stop"
wait "$reader"
read -r reads bad <"$tmp/tf.reader"
check textfile_atomic "the reader saw $bad partial files in $reads reads ($(head -c 200 "$tmp/tf.reader")); left: $(ls -A "$tmp/tf" | tr '\n' ' ')" \
	eval '[ "${reads:-0}" -gt 0 ] && [ "${bad:-1}" -eq 0 ] && [ "$(ls -A "$tmp/tf")" = portcullis.prom ]'

# --- the exporter --------------------------------------------------------------------
# http URL OUT: GET URL from the appliance's namespace, body to OUT; prints the status
# (000: no answer within 5 s).
http() { pc_app curl -s -o "$2" -w '%{http_code}' --max-time 5 "$1"; }
# exporter ARGS...: the exporter in the appliance's namespace, in the background, its
# output in $tmp/exp.out; waits (5 s at most) for it to say where it listens.
start_exporter()
{
	: >"$tmp/exp.out"
	nsenter --net="/run/netns/$PC_NS_APP" "$PC_BIN" exporter "$@" >"$tmp/exp.out" 2>&1 &
	EXP_PID=$!
	wait_said "$EXP_PID" "$tmp/exp.out" "listening on"
}
# The appliance's namespace is the test's own: the default port is free there.
port=9737
start_exporter
check exporter_starts "exporter: $(head -c 300 "$tmp/exp.out")" [ $? -eq 0 ]
URL=http://127.0.0.1:$port
code=$(http "$URL/metrics" "$tmp/scrape.prom")
check scrape_promtool "GET /metrics: $code; promtool: $(head -c 300 "$tmp/scrape.prom.promtool" 2>/dev/null)" \
	eval '[ "$code" = 200 ] && promtool_ok "$tmp/scrape.prom" &&
		grep -q "^portcullis_up{iface=\"app0\"} 1$" "$tmp/scrape.prom" &&
		grep -q "^portcullis_up{iface=\"x1\"} 1$" "$tmp/scrape.prom"'
c1=$(http "$URL/" "$tmp/index.html")
c2=$(http "$URL/nope" "$tmp/nope")
check scrape_index_404 "GET /: $c1 ($(head -c 100 "$tmp/index.html")), GET /nope: $c2" \
	eval '[ "$c1" = 200 ] && grep -q "href=\"/metrics\"" "$tmp/index.html" && [ "$c2" = 404 ]'

pc_app timeout 10 "$PC_BIN" exporter --listen "127.0.0.1:$port" >"$tmp/inuse.out" 2>&1
rc=$?
check port_in_use "a second exporter on $port exited $rc: $(head -c 300 "$tmp/inuse.out")" \
	eval '[ "$rc" -eq 1 ] && grep -q "127.0.0.1:$port: Address already in use" "$tmp/inuse.out" &&
		grep -q -- "--listen" "$tmp/inuse.out"'

# --- a real Prometheus scraping it ---------------------------------------------------------
pport=9090
cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: portcullis
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
nsenter --net="/run/netns/$PC_NS_APP" prometheus --config.file="$tmp/prometheus.yml" \
	--storage.tsdb.path="$tmp/tsdb" --web.listen-address="127.0.0.1:$pport" \
	>"$tmp/prometheus.log" 2>&1 &
PROM_PID=$!
PURL=http://127.0.0.1:$pport
ready=
for _ in $(seq 1 100); do
	[ "$(http "$PURL/-/ready" /dev/null)" = 200 ] && ready=1 && break
	kill -0 "$PROM_PID" 2>/dev/null || break
	sleep 0.2
done
check prometheus_ready "prometheus is not ready: $(tail -n 3 "$tmp/prometheus.log" | tr '\n' ' ' | head -c 300)" [ -n "$ready" ]
# query EXPR: the value of EXPR's single sample ("" if none, "many" if several), from
# Prometheus's HTTP API (/api/v1/query, which promtool calls).
query()
{
	pc_app timeout 10 promtool query instant "$PURL" "$1" 2>/dev/null |
		sed -n 's/.* => \([^ ]*\) @.*/\1/p' | awk 'NR > 1 { print "many"; exit } { v = $0 } END { if (NR == 1) print v }'
}
# wait_query EXPR WANT: until EXPR is WANT, 20 s at most; prints the last value.
wait_query()
{
	local v=
	for _ in $(seq 1 40); do
		v=$(query "$1")
		[ "$v" = "$2" ] && break
		sleep 0.5
	done
	echo "$v"
}
SERIES="portcullis_rule_packets_total{iface=\"$PC_IF_APP\",match=\"port $PROBE\"}"
N=7
pc_udp "$PC_APP4" "$PROBE" "$N"
got=$(wait_query "$SERIES" "$N")
check prometheus_exact_count "Prometheus has $SERIES = '$got', expected $N" [ "$got" = "$N" ]

# --- a reload that keeps the rule -----------------------------------------------------------
# rule_line FILE: the probe rule's sample line of app0.
rule_line() { grep "^portcullis_rule_packets_total{iface=\"$PC_IF_APP\",.*match=\"port $PROBE\"" "$1"; }
http "$URL/metrics" "$tmp/before.prom" >/dev/null
pc_cli load "$PC_IF_APP" "$tmp/a2.conf" >"$tmp/reload.out" 2>&1
rc=$?
pc_udp "$PC_APP4" "$PROBE" 1
http "$URL/metrics" "$tmp/after.prom" >/dev/null
b=$(rule_line "$tmp/before.prom") a=$(rule_line "$tmp/after.prom")
check reload_same_series "reload exited $rc; before: '$b', after: '$a'" \
	eval '[ "$rc" -eq 0 ] && [ -n "$b" ] && [ "${b% *}" = "${a% *}" ] && [ "${a##* }" -eq $((N + 1)) ]'
# Prometheus saw the series go on without a reset, across scrapes of both profiles.
got=$(wait_query "$SERIES" $((N + 1)))
resets=$(query "resets(${SERIES}[1m])")
check reload_no_reset "after the reload Prometheus has '$got' (expected $((N + 1))), resets '$resets'" \
	eval '[ "$got" = $((N + 1)) ] && [ "$resets" = 0 ]'
sum=$(sha256sum "$tmp/a2.conf" | cut -d' ' -f1)
check reload_profile_info "profile_info after the reload: $(grep "^portcullis_profile_info{iface=\"$PC_IF_APP\"" "$tmp/after.prom"); sha256sum: $sum" \
	grep -q "^portcullis_profile_info{iface=\"$PC_IF_APP\",path=\"[^\"]*/a2.conf\",sha256=\"$sum\"} 1$" "$tmp/after.prom"

# Scrapes while app0 is reloaded back and forth: each one a whole exposition of one
# profile (as many rule samples as its portcullis_profile_rules says).
pc_app timeout 40 bash -c 'for i in $(seq 1 3); do "$1" load "$2" "$3" && "$1" load "$2" "$4"; done' _ \
	"$PC_BIN" "$PC_IF_APP" "$tmp/a.conf" "$tmp/a2.conf" >"$tmp/flip.out" 2>&1 &
flipper=$!
scrapes=0 bad=
while kill -0 "$flipper" 2>/dev/null && [ "$scrapes" -lt 200 ]; do
	code=$(http "$URL/metrics" "$tmp/flip.prom")
	scrapes=$((scrapes + 1))
	n=$(grep -c "^portcullis_rule_packets_total{iface=\"$PC_IF_APP\"," "$tmp/flip.prom")
	want=$(sed -n "s/^portcullis_profile_rules{iface=\"$PC_IF_APP\"} //p" "$tmp/flip.prom")
	if [ "$code" != 200 ] || [ "$n" != "$want" ] || ! tail -n 1 "$tmp/flip.prom" | grep -q '^portcullis_map_bytes{iface="x1"} [0-9]*$'; then
		bad="scrape $scrapes: HTTP $code, $n rule samples, profile_rules '$want'"
		break
	fi
done
wait "$flipper"
rc=$?
check reload_scrapes_whole "$scrapes scrapes during 6 reloads (exit $rc): ${bad:-} $(tail -c 200 "$tmp/flip.out")" \
	eval '[ "$rc" -eq 0 ] && [ -z "$bad" ] && [ "$scrapes" -gt 1 ]'

# --- an interface that is gone --------------------------------------------------------------
ip -n "$PC_NS_APP" link del x1
code=$(http "$URL/metrics" "$tmp/gone.prom")
check iface_gone_up0 "GET /metrics: $code; x1: $(grep 'iface="x1"' "$tmp/gone.prom" | head -n 3 | tr '\n' ' ')" \
	eval '[ "$code" = 200 ] && grep -q "^portcullis_up{iface=\"x1\"} 0$" "$tmp/gone.prom" &&
		[ "$(grep -c "iface=\"x1\"" "$tmp/gone.prom")" -eq 1 ] &&
		grep -q "^portcullis_up{iface=\"app0\"} 1$" "$tmp/gone.prom" && promtool_ok "$tmp/gone.prom"'

kill -TERM "$EXP_PID"
rc=
for _ in $(seq 1 50); do
	kill -0 "$EXP_PID" 2>/dev/null || { wait "$EXP_PID"; rc=$?; break; }
	sleep 0.1
done
[ -n "$rc" ] && EXP_PID=
check sigterm_clean "after SIGTERM the exporter exited '${rc:-still running}': $(tail -n 2 "$tmp/exp.out" | tr '\n' ' ')" \
	eval '[ "$rc" = 0 ] && grep -q "stopped" "$tmp/exp.out"'

# --- the unit's sandbox: nobody with CAP_BPF and CAP_DAC_OVERRIDE, bpffs read-only ----------
# sandboxed CAPS: the exporter so, on $port, in the background.
sandboxed()
{
	local caps=-all,$1
	: >"$tmp/exp.out"
	unshare -m --propagation private sh -c 'mount -o remount,bind,ro /sys/fs/bpf && exec "$@"' _ \
		nsenter --net="/run/netns/$PC_NS_APP" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps="$caps" --ambient-caps="$caps" --bounding-set="$caps" \
		"$PC_BIN" exporter --listen "127.0.0.1:$port" >"$tmp/exp.out" 2>&1 &
	EXP_PID=$!
	wait_said "$EXP_PID" "$tmp/exp.out" "listening on"
}
stop_exporter() { kill "$EXP_PID" 2>/dev/null; wait "$EXP_PID" 2>/dev/null; EXP_PID=; }
sandboxed +bpf,+dac_override
code=$(http "$URL/metrics" "$tmp/caps.prom")
check caps_reads "with CAP_BPF and CAP_DAC_OVERRIDE: $(head -c 200 "$tmp/exp.out"); GET /metrics: $code $(head -c 200 "$tmp/caps.prom")" \
	eval '[ "$code" = 200 ] && grep -q "^portcullis_up{iface=\"app0\"} 1$" "$tmp/caps.prom" &&
		rule_line "$tmp/caps.prom" >/dev/null'
stop_exporter
sandboxed +bpf
code=$(http "$URL/metrics" "$tmp/nocaps.prom")
check caps_missing_500 "with CAP_BPF alone: GET /metrics: $code $(head -c 300 "$tmp/nocaps.prom")" \
	eval '[ "$code" = 500 ] && grep -q "Permission denied" "$tmp/nocaps.prom"'
stop_exporter

finish "not reached"
