# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Sourced after tests/e2e/lib.sh and scripts/netns.sh by the tests that flood a loaded
# profile (flood, pktgen's mix) and count what it judged: a quiet veth pair between a
# generator namespace and an appliance namespace, no IPv6 and no addresses, so that the
# only frames on the wire are the flood's.
#
#   flood_pair_up PREFIX [CHECK]  creates PREFIX-gen-$$ / PREFIX-app-$$ joined by
#                          PREFIX-gen0 / PREFIX-app0, reports CHECK (default "topology";
#                          finishing on failure), sets ns_gen ns_app if_gen if_app mac pins;
#                          an EXIT trap unloads (when loaded=1) and deletes both namespaces
#   flood_pair_load PROFILE [CHECK]  loads PROFILE onto if_app (loaded=1), reports CHECK
#                          (default "load"; finishing on failure)
#   flood_pinned ARGS...   `flood` from if_gen to mac, on the CPU it starts on
#   gen CMD... / app CMD...  run CMD in either namespace
#   judged                 frames the receiver's XDP program was run on, however sent
#   frames FLOOD.json      the frames `flood --json` sent

loaded=0 pins=
flood_pair_cleanup()
{
	[ "$loaded" = 1 ] && nsenter --net="/run/netns/$ns_app" "$PC_BIN" unload "$if_app" >/dev/null 2>&1
	[ "$loaded" = 1 ] && [ -n "$pins" ] && rm -rf "$pins"
	ip netns del "$ns_gen" 2>/dev/null
	ip netns del "$ns_app" 2>/dev/null
	rm -rf "$tmp"
}
gen() { nsenter --net="/run/netns/$ns_gen" "$@"; }
app() { nsenter --net="/run/netns/$ns_app" "$@"; }
judged() { app ethtool -S "$if_app" | awk '$1 == "rx_queue_0_xdp_packets:" { print $2 }'; }
frames() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["frames"])' "$1" 2>/dev/null; }

flood_pair_up()
{
	ns_gen=$1-gen-$$ ns_app=$1-app-$$ if_gen=$1-gen0 if_app=$1-app0
	trap flood_pair_cleanup EXIT
	set_up_or_finish "${2:-topology}" eval 'ip netns add "$ns_gen" && ip netns add "$ns_app" &&
		ip netns exec "$ns_gen" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
		ip netns exec "$ns_app" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 &&
		ip link add "$if_gen" netns "$ns_gen" type veth peer name "$if_app" netns "$ns_app" &&
		ip -n "$ns_gen" link set "$if_gen" up && ip -n "$ns_app" link set "$if_app" up &&
		pins=$(pc_state_dir "$ns_app" "$if_app")'
	mac=$(ip -n "$ns_app" -br link show "$if_app" | awk '{ print $3 }')
}

# Nothing is flooded into no filter: a failed load ends the script.
flood_pair_load()
{
	local check=${2:-load}

	loaded=1
	if ! app "$PC_BIN" load "$if_app" "$1" >"$tmp/$check.out" 2>&1; then
		fail "$check" "$(tail -n 3 "$tmp/$check.out" | tr '\n' ' ')"
		finish "not loaded"
	fi
	ok "$check"
}

# One sender on the CPU it starts on: the receiving veth's NAPI then runs on the same CPU
# between the sender's batches, and its ring cannot overflow.
flood_pinned()
{
	local cpu

	cpu=$(cut -d' ' -f39 /proc/self/stat)
	gen taskset -c "$cpu" "$PC_BIN" flood "$if_gen" --dst-mac "$mac" "$@"
}
