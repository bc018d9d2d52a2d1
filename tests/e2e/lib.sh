# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What every end-to-end script shares: the check/ok/FAIL/skip reporting, the summary
# line tests/run.sh reads, and the preconditions (root, tools, the binary).
#
# Source it from the repository root after setting CHECKS=(names...). It defines
# PC_BIN (O or PORTCULLIS locate the binary) and tmp (removed on exit).

O=${O:-build}
PC_BIN=$(realpath -m "${PORTCULLIS:-$O/portcullis}")
passed=0 failed=0 skipped=0
declare -A done_=()

ok() { echo "ok   $1"; passed=$((passed + 1)); done_[$1]=1; }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); done_[$1]=1; }
skip() { echo "skip $1: $2"; skipped=$((skipped + 1)); done_[$1]=1; }
# check NAME WHY-IF-FALSE CONDITION...: runs the condition, records ok or FAIL.
check() { local n=$1 why=$2; shift 2; if "$@"; then ok "$n"; else fail "$n" "$why"; fi; }
# results FILE NAME: reports the "PASS|name|" / "FAIL|name|why" lines a python
# checker wrote to FILE; anything else there is a failure of check NAME.
results()
{
	local verdict name why

	while IFS='|' read -r verdict name why; do
		case $verdict in
		PASS) ok "$name" ;;
		FAIL) fail "$name" "$why" ;;
		*) fail "$2" "reading the checker's output: $verdict $name $why" ;;
		esac
	done <"$1"
}
# load_or_finish PROFILE [ARGS...]: loads PROFILE onto the appliance's interface (netns.sh)
# and reports check "load"; a failed load ends the script. Either way what the load
# left behind is the topology's to clean up.
load_or_finish()
{
	local rc

	pc_cli load "$PC_IF_APP" "$@" >"$tmp/load.out" 2>&1
	rc=$?
	PC_LOADED=1
	if [ "$rc" -eq 0 ]; then
		ok load
		return 0
	fi
	fail load "exit $rc: $(tail -n 3 "$tmp/load.out" | tr '\n' ' ')"
	finish "load failed"
}
# set_up_or_finish CHECK CMD...: runs the set-up CMD (eval '...' for more than one) with
# its errors in $tmp/CHECK.err and reports CHECK (mostly "topology"); no other check can
# run without what it sets up, so a failed set-up ends the script.
set_up_or_finish()
{
	local check=$1
	shift

	if ! "$@" 2>"$tmp/$check.err"; then
		fail "$check" "$(tr '\n' ' ' <"$tmp/$check.err")"
		finish "no $check"
	fi
	ok "$check"
}
# topo_up: netns.sh's pc_topo_up for a test. Its EXIT trap would leave $tmp behind: this
# one takes down the topology and $tmp, and is set even when pc_topo_up fails, which may
# have made half of it.
topo_up()
{
	local rc

	pc_topo_up
	rc=$?
	trap 'pc_topo_down; rm -rf "$tmp"' EXIT
	return "$rc"
}
# xdp_prog NETNS IFACE: the id of the XDP program on IFACE, empty when none: which
# program runs is how a test tells one generation (or none) from another.
xdp_prog() { ip -n "$1" -d link show "$2" 2>/dev/null | grep -oE 'prog/xdp id [0-9]+' | grep -oE '[0-9]+$'; }
# wait_file FILE: until FILE has content, 5 s at most.
wait_file()
{
	for _ in $(seq 1 50); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
# wait_said PID FILE PATTERN: until the background process PID has written a line
# matching PATTERN to FILE (it says it is ready), 5 s at most; fails at once when PID
# has ended.
wait_said()
{
	for _ in $(seq 1 50); do
		grep -q "$3" "$2" && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
# Everything not yet reported is skipped, with a reason; then the summary.
finish()
{
	local c

	for c in "${CHECKS[@]}"; do
		[ -n "${done_[$c]:-}" ] || skip "$c" "$1"
	done
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

[ "$(id -u)" -eq 0 ] || finish "needs root (network namespaces, XDP)"
for t in ip nsenter python3 timeout; do
	command -v "$t" >/dev/null || finish "$t is not installed (bash scripts/deps.sh)"
done
if [ ! -x "$PC_BIN" ]; then
	fail topology "$PC_BIN does not exist: run make"
	finish "no binary"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
