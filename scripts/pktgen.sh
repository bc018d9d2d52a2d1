#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The kernel's pktgen (/proc/net/pktgen), driven from a second host towards the appliance's NIC: one UDP flow with ranges of ports and addresses, or the UDP streams of a portcullis mix.
#
#   scripts/pktgen.sh -i DEV -d DST_IP -m DST_MAC [-t THREADS] [-n COUNT] [-s SIZE]
#                     [-p DPORT[-DPORT]] [-q SPORT[-SPORT]] [-r SRC[-SRC]] [-v VLAN]
#                     [--mix FILE] [--dry-run]
#   scripts/pktgen.sh -i DEV --report
#
#   -i DEV      interface to send from               -t N     threads (kpktgend_0..N-1), 1
#   -d DST_IP   the appliance's address (v4 or v6)   -n N     frames per thread, 0 = until ^C;
#   -m DST_MAC  the appliance NIC's MAC                       with --mix, per stream and weight
#   -s SIZE     frame size with the FCS, 64          -p/-q    UDP destination/source ports
#   -r SRC      source address or range              -v VLAN  802.1Q tag
#   --mix FILE  a mix (`portcullis mix ... > FILE`): one pktgen device per UDP stream, with
#               its addresses, ports and tag, over the threads; pktgen builds UDP only,
#               so the other streams are listed and skipped (send them with
#               `portcullis flood`)
#   --dry-run   print what would be written to /proc/net/pktgen, touch nothing
#   --report    print what DEV's pktgen devices counted in their last run, send nothing
#
# After a run, one line per pktgen device: pkts-sofar (frames the device took) and
# errors (frames it refused, which pkts-sofar does not count), with a warning when
# errors is not zero.
#
# In the style of the kernel's samples/pktgen: pg_ctrl, pg_thread and pg_set write one
# command each, and every write is checked ("Result: OK" in the file). PKTGEN_PROC
# overrides /proc/net/pktgen (tests).
set -uo pipefail

PROC=${PKTGEN_PROC:-/proc/net/pktgen}
DEV= DST= MAC= THREADS=1 COUNT=0 SIZE=64 DPORT= SPORT= SRC= VLAN= MIX= DRY=0 REPORT=0

err() { echo "pktgen.sh: error: $*" >&2; exit "${ERR_STATUS:-1}"; }
warn() { echo "pktgen.sh: warning: $*" >&2; }
info() { echo "pktgen.sh: $*" >&2; }
usage() { sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2; ERR_STATUS=2 err "$*"; }

while [ $# -gt 0 ]; do
	case $1 in
	-i) DEV=${2:-}; shift 2 ;;
	-d) DST=${2:-}; shift 2 ;;
	-m) MAC=${2:-}; shift 2 ;;
	-t) THREADS=${2:-}; shift 2 ;;
	-n) COUNT=${2:-}; shift 2 ;;
	-s) SIZE=${2:-}; shift 2 ;;
	-p) DPORT=${2:-}; shift 2 ;;
	-q) SPORT=${2:-}; shift 2 ;;
	-r) SRC=${2:-}; shift 2 ;;
	-v) VLAN=${2:-}; shift 2 ;;
	--mix) MIX=${2:-}; shift 2 ;;
	--dry-run) DRY=1; shift ;;
	--report) REPORT=1; shift ;;
	-h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) usage "unknown argument: $1" ;;
	esac
done
# validate: the arguments of a run (--report needs only -i).
validate()
{
	local r

	if [ "$REPORT" = 1 ]; then
		[ -n "$DEV" ] || usage "--report needs -i DEV"
		[ -d "$PROC" ] || err "no $PROC: pktgen is not loaded, so there is nothing to report"
		return 0
	fi
	[ -n "$DEV" ] && [ -n "$DST" ] && [ -n "$MAC" ] || usage "-i DEV, -d DST_IP and -m DST_MAC are required"
	[[ $THREADS =~ ^[1-9][0-9]*$ ]] || usage "-t takes a number of threads, at least 1"
	[[ $COUNT =~ ^[0-9]+$ ]] || usage "-n takes a number of frames (0: until interrupted)"
	[[ $SIZE =~ ^[0-9]+$ ]] && [ "$SIZE" -ge 64 ] || usage "-s takes a frame size of 64 bytes or more"
	[[ $MAC =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ ]] || usage "-m takes a MAC address, aa:bb:cc:dd:ee:ff"
	[ -z "$VLAN" ] || [[ $VLAN =~ ^[0-9]+$ ]] && [ "${VLAN:-0}" -le 4095 ] || usage "-v takes a VLAN id, 0-4095"
	for r in "$DPORT" "$SPORT"; do
		[ -z "$r" ] || [[ $r =~ ^[0-9]+(-[0-9]+)?$ ]] || usage "-p and -q take a port or a range LO-HI"
	done
	[ -z "$MIX" ] || [ -r "$MIX" ] || ERR_STATUS=2 err "cannot read the mix $MIX"
}
validate

# --- the pktgen interface ----------------------------------------------------------------
check_pktgen()
{
	[ "$DRY" = 1 ] && return 0
	if [ ! -d "$PROC" ] && [ "$PROC" = /proc/net/pktgen ]; then
		modprobe pktgen 2>/dev/null
	fi
	[ -d "$PROC" ] || err "the kernel has no pktgen ($PROC is missing, and modprobe pktgen" \
		"failed): load the module with \`modprobe pktgen\` (CONFIG_NET_PKTGEN; Debian ships it" \
		"with its kernels), or send from this host with \`portcullis flood $DEV --dst-mac $MAC" \
		"--mix profile --profile PROFILE\`"
	[ "$(id -u)" -eq 0 ] || err "writing to $PROC needs root"
	ip link show "$DEV" >/dev/null 2>&1 || err "no interface $DEV here: check \`ip link\`"
}

# pg_write FILE CMD: one command, checked as the kernel's samples do.
pg_write()
{
	local file=$PROC/$1 cmd=$2

	if [ "$DRY" = 1 ]; then
		echo "echo \"$cmd\" > $file"
		return 0
	fi
	echo "$cmd" >"$file" || err "writing \"$cmd\" to $file failed"
	grep -q "Result: OK" "$file" 2>/dev/null || [ "$1" = pgctrl ] ||
		err "pktgen refused \"$cmd\" in $file: $(grep Result: "$file")"
}
pg_ctrl() { pg_write pgctrl "$1"; }
pg_thread() { pg_write "kpktgend_$1" "$2"; }
pg_set() { pg_write "$1" "$2"; }

# range FLAG LO-HI: the min and max commands of a pktgen range.
set_range()
{
	local dev=$1 what=$2 range=$3 lo hi

	lo=${range%-*} hi=${range#*-}
	pg_set "$dev" "${what}_min $lo"
	pg_set "$dev" "${what}_max $hi"
}

# flow DEV SRC SPORT DST DPORT VLAN COUNT: one pktgen device's frames.
flow()
{
	local dev=$1 src=$2 sport=$3 dst=$4 dport=$5 vlan=$6 count=$7 v6=0

	[[ $dst == *:* ]] && v6=1
	pg_set "$dev" "flag QUEUE_MAP_CPU"
	pg_set "$dev" "count $count"
	pg_set "$dev" "clone_skb 0"
	pg_set "$dev" "pkt_size $((SIZE - 4))"
	pg_set "$dev" "delay 0"
	pg_set "$dev" "flag NO_TIMESTAMP"
	pg_set "$dev" "dst_mac $MAC"
	if [ "$v6" = 1 ]; then
		pg_set "$dev" "flag IPV6"
		pg_set "$dev" "dst6 $dst"
		[ -z "$src" ] || pg_set "$dev" "src6 ${src%-*}"
	else
		pg_set "$dev" "dst $dst"
		[ -z "$src" ] || set_range "$dev" src "$src"
		[[ $src == *-* ]] && pg_set "$dev" "flag IPSRC_RND"
	fi
	[ -z "$dport" ] || set_range "$dev" udp_dst "$dport"
	[[ $dport == *-* ]] && pg_set "$dev" "flag UDPDST_RND"
	[ -z "$sport" ] || set_range "$dev" udp_src "$sport"
	[[ $sport == *-* ]] && pg_set "$dev" "flag UDPSRC_RND"
	[ -z "$vlan" ] || pg_set "$dev" "vlan_id $vlan"
}

# mix_streams FILE: "name weight src sport dst dport vlan" per UDP stream; the
# others are reported on stderr.
mix_streams()
{
	local line name weight kind w src sport dst dport vlan to

	while IFS= read -r line; do
		line=${line%%#*}
		read -r -a w <<<"$line"
		[ ${#w[@]} -ge 3 ] || continue
		name=${w[0]} weight=${w[1]}
		[ "${w[2]}" = reply ] && w=("${w[@]:0:2}" "${w[@]:3}")
		kind=${w[2]}
		if [ "$kind" != udp ]; then
			info "skipped $name: pktgen sends UDP only ($kind); send it with portcullis flood"
			continue
		fi
		src= sport=40000 dst=$DST dport= vlan= to=0
		for ((i = 3; i < ${#w[@]}; i++)); do
			case ${w[i]} in
			from) src=${w[i + 1]}; i=$((i + 1)) ;;
			to) to=1; [[ ${w[i + 1]:-} =~ ^[0-9a-fA-F.:]+$ ]] && [ "${w[i + 1]}" != port ] && { dst=${w[i + 1]}; i=$((i + 1)); } ;;
			port) if [ "$to" = 1 ]; then dport=${w[i + 1]}; else sport=${w[i + 1]}; fi; i=$((i + 1)) ;;
			vlan) vlan=${w[i + 1]}; i=$((i + 1)) ;;
			esac
		done
		echo "$name $weight $src $sport $dst $dport ${vlan:--}"
	done <"$1"
}

# report: per device, the frames the device took (pkts-sofar) and those it refused
# (errors: a full queue or ring, a device that was down; they are not in pkts-sofar),
# and pktgen's result line. A warning when any device had errors: fewer frames reached
# the receiver than were asked for, and its counters will show it.
report()
{
	local f sofar errors total_err=0 devs=()

	[ "$DRY" = 1 ] && return 0
	for f in "$PROC/$DEV"@*; do
		[ -e "$f" ] || continue
		sofar=$(grep -m 1 -o 'pkts-sofar: [0-9]*' "$f" | grep -o '[0-9]*$')
		errors=$(grep -m 1 -o 'errors: [0-9]*' "$f" | grep -o '[0-9]*$')
		echo "$(basename "$f"): pkts-sofar: ${sofar:-?} errors: ${errors:-?} $(grep -m 1 'Result:' "$f" | sed 's/^ *//')"
		if [ "${errors:-0}" != 0 ]; then
			total_err=$((total_err + errors)) devs+=("$(basename "$f")")
		fi
	done
	[ "$total_err" -eq 0 ] ||
		warn "$total_err frames were refused by the device (errors: on ${devs[*]}): they were not" \
			"sent and are not in pkts-sofar; slow down (fewer threads, a delay) or enlarge the queue"
}

stop()
{
	pg_ctrl "stop"
	report
	exit 0
}

if [ "$REPORT" = 1 ]; then
	report
	exit 0
fi
check_pktgen
for ((t = 0; t < THREADS; t++)); do
	pg_thread "$t" "rem_device_all"
done
pg_ctrl "reset"
if [ -z "$MIX" ]; then
	for ((t = 0; t < THREADS; t++)); do
		pg_thread "$t" "add_device $DEV@$t"
		flow "$DEV@$t" "$SRC" "$SPORT" "$DST" "$DPORT" "$VLAN" "$COUNT"
	done
else
	k=0
	while read -r name weight src sport dst dport vlan; do
		[ "$vlan" = - ] && vlan=
		pg_thread $((k % THREADS)) "add_device $DEV@$k"
		flow "$DEV@$k" "$src" "$sport" "$dst" "$dport" "$vlan" $((COUNT * weight))
		info "$DEV@$k: stream $name, udp $src:$sport -> $dst:$dport${vlan:+ vlan $vlan}, $((COUNT * weight)) frames"
		k=$((k + 1))
	done < <(mix_streams "$MIX")
	[ "$k" -gt 0 ] || err "the mix $MIX has no UDP stream for pktgen"
fi
trap stop INT TERM
info "sending from $DEV to $MAC ($DST) on $THREADS thread(s); ^C stops"
pg_ctrl "start"
report
