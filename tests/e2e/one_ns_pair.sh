# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Sourced by the tests of the CLI's own state (after tests/e2e/lib.sh and scripts/netns.sh):
# one namespace holding both ends of a veth pair, x0 and y0, up and nothing more, since
# such a test loads, reloads and unloads but sends no traffic.
#
#   one_ns_pair_up PREFIX   creates the namespace PREFIX-$$ (ns) with x0 <-> y0, reports
#                           check "topology" (finishing on failure), sets dir (x0's
#                           state, pc_state_dir); an EXIT trap unloads x0 and deletes
#                           the namespace
#   pc ARGS...              portcullis, as root, in the namespace
#   xdp_id                  the XDP program on x0, empty when none

one_ns_pair_cleanup()
{
	pc unload x0 >/dev/null 2>&1
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
pc() { nsenter --net="/run/netns/$ns" "$PC_BIN" "$@"; }
xdp_id() { xdp_prog "$ns" x0; }

one_ns_pair_up()
{
	ns=$1-$$
	trap one_ns_pair_cleanup EXIT
	set_up_or_finish topology eval 'ip netns add "$ns" && ip -n "$ns" link add x0 type veth peer name y0 &&
		ip -n "$ns" link set x0 up && ip -n "$ns" link set y0 up && dir=$(pc_state_dir "$ns" x0)'
}
