# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Sourced by the tests that send a frame to a loaded profile and read the counter it
# lands on: an addressed veth pair between two namespaces on which nothing else moves a
# counter between two snapshots (no IPv6, so no router or neighbour solicitations;
# permanent neighbours, so no ARP).
#
#   ip_pair_up NS PEER   creates the namespaces NS and PEER joined by x0 10.9.0.1/24 (in
#                        NS) <-> y0 10.9.0.2/24 (in PEER), both up; fails on the first
#                        step that fails. Deleting the namespaces is the caller's.

ip_pair_up()
{
	ip netns add "$1" && ip netns add "$2" &&
		ip link add x0 netns "$1" type veth peer name y0 netns "$2" &&
		for n in "$1" "$2"; do
			ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
				net.ipv6.conf.default.disable_ipv6=1 || return 1
		done &&
		ip -n "$1" addr add 10.9.0.1/24 dev x0 && ip -n "$2" addr add 10.9.0.2/24 dev y0 &&
		ip -n "$1" link set x0 up && ip -n "$2" link set y0 up &&
		ip -n "$1" neigh replace 10.9.0.2 dev x0 nud permanent \
			lladdr "$(ip -n "$2" -br link show y0 | awk '{ print $3 }')" &&
		ip -n "$2" neigh replace 10.9.0.1 dev y0 nud permanent \
			lladdr "$(ip -n "$1" -br link show x0 | awk '{ print $3 }')"
}
