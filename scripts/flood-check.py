#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Compares what `portcullis flood --json --profile P` sent per stream with what the
# receiver's counters (`portcullis stats IFACE --json`, before and after) counted:
# every counter must have moved by exactly the frames and bytes of the streams the
# program puts on it, and no other counter may have moved. flood predicts a reply
# stream (`"seeded": true`) as the reply of a connection the appliance opened; the
# receiver opened none, so there it is a look-alike and counts on no_match.
#
#   flood-check.py FLOOD.json BEFORE.json AFTER.json [--table]
#
# Prints "PASS|counters_match|" or "FAIL|counters_match|why" (tests/e2e/lib.sh reads
# these) and, with --table, one line per counter that moved or should have.
import json
import sys


def counters(stats):
    """counter key -> (packets, bytes, description) from stats --json."""
    out = {}
    for i, r in enumerate(stats["rules"]):
        desc = "line %d %s %s %s %s %s" % (r["line"], r["action"], r["direction"],
                                         r["peer"], r["proto"], r["match"] or "")
        out[("rule", i)] = (r["packets"], r["bytes"], desc.strip())
    for name, c in stats["implicit"].items():
        out[("implicit", name)] = (c["packets"], c["bytes"], name)
    return out


def main():
    flood, before, after = (json.load(open(p)) for p in sys.argv[1:4])
    table = "--table" in sys.argv[4:]
    b, a = counters(before), counters(after)
    want = {k: [0, 0] for k in a}
    unjudged = 0
    for s in flood["streams"]:
        if s["counter"] is None:
            unjudged += 1
            continue
        key = ("rule", s["rule_index"]) if s["counter"] == "rule" else ("implicit", s["counter"])
        if s["seeded"]:
            key = ("implicit", "no_match")
        if key not in want:
            print("FAIL|counters_match|stream %s: counter %s is not on the receiver" % (s["name"], key))
            return
        want[key][0] += s["frames"]
        want[key][1] += s["bytes"]
    if unjudged:
        print("FAIL|counters_match|%d streams have no expected counter: run flood with --profile" % unjudged)
        return
    bad = []
    if table:
        print("%-60s %14s %14s" % ("counter", "sent", "counted"))
    for k in a:
        got = (a[k][0] - b.get(k, (0, 0))[0], a[k][1] - b.get(k, (0, 0))[1])
        exp = tuple(want[k])
        if table and (got[0] or exp[0]):
            print("%-60s %14d %14d%s" % (a[k][2][:60], exp[0], got[0], "" if got == exp else "   <-- differs"))
        if got != exp:
            bad.append("%s: %d packets, %d bytes counted, %d, %d sent" % (a[k][2], got[0], got[1], exp[0], exp[1]))
    if bad:
        print("FAIL|counters_match|%d counters differ: %s" % (len(bad), "; ".join(bad[:5])))
    else:
        print("PASS|counters_match|")


main()
