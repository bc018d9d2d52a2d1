#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Compares what scripts/pktgen.sh sent with what the receiver's counters counted: for
# tests/vm/test_pktgen.sh, inside the guests of `make vmtest`.
#
#   pktgen-check.py NAME OUT ERR BEFORE.json AFTER.json --mix MIXFILE [--unseeded]
#   pktgen-check.py NAME OUT ERR BEFORE.json AFTER.json --counter KEY [--frame-bytes N]
#                   [--ignore ndp,non-ip]
#
# OUT and ERR are pktgen.sh's stdout (one "DEV@K: pkts-sofar: S errors: E Result: ..."
# line per pktgen device) and stderr (with --mix, "DEV@K: stream NAME, ..." lines).
# The counter each frame must land on comes from the mix's own "# PASS line 38" /
# "# DROP no-match" comments (the program's verdict, from `portcullis mix`), or is
# given as KEY ("line:N" or an implicit counter's name). Every counter must have moved
# by exactly the frames pktgen says it sent there (pkts-sofar), and no other counter
# may have moved, except those --ignore names (a topology with addresses has neighbour
# discovery and ARP of its own); with --frame-bytes, bytes too. Prints "PASS|NAME|" or
# "FAIL|NAME|why" for tests/e2e/lib.sh's results.
import json
import re
import sys


def counters(path):
    """counter key -> (packets, bytes): "line:N" for rules, the name for implicit ones
    as the text says it ("no-match"; the JSON key is no_match)."""
    stats = json.load(open(path))
    out = {}
    for r in stats["rules"]:
        out["line:%d" % r["line"]] = (r["packets"], r["bytes"])
    for name, c in stats["implicit"].items():
        out[name.replace("_", "-")] = (c["packets"], c["bytes"])
    return out


def devices(out_path):
    """pktgen device -> (pkts-sofar, errors, result line)."""
    devs = {}
    for line in open(out_path):
        m = re.match(r"^(\S+@\d+): pkts-sofar: (\d+) errors: (\d+) (.*)$", line.strip())
        if m:
            devs[m.group(1)] = (int(m.group(2)), int(m.group(3)), m.group(4))
    return devs


def mix_expectations(mix_path, err_path, unseeded):
    """pktgen device -> (stream name, counter key), from the mix and pktgen.sh's stderr.
    `portcullis mix` judges a reply stream (marked "reply") as the reply of a connection
    the appliance opened; with unseeded the receiver opened none (state on), so there
    it is a look-alike and counts on no-match."""
    verdict = {}
    for line in open(mix_path):
        if line.startswith("#") or "#" not in line:
            continue
        name = line.split()[0]
        comment = line.split("#", 1)[1].split()
        # "PASS line 38" or "DROP no-match"
        if unseeded and line.split()[2] == "reply":
            verdict[name] = "no-match"
        elif len(comment) >= 3 and comment[1] == "line":
            verdict[name] = "line:%s" % comment[2]
        elif len(comment) >= 2:
            verdict[name] = comment[1]
    out = {}
    for line in open(err_path):
        m = re.match(r"^pktgen\.sh: (\S+@\d+): stream (\S+),", line.strip())
        if m:
            out[m.group(1)] = (m.group(2), verdict.get(m.group(2)))
    return out


def main():
    name, out_path, err_path, before_path, after_path = sys.argv[1:6]
    opts = sys.argv[6:]
    devs = devices(out_path)
    if not devs:
        print("FAIL|%s|pktgen.sh reported no device: %s" % (name, open(err_path).read()[-300:].replace("\n", " ")))
        return
    bad_results = [d for d, v in devs.items() if not v[2].startswith("Result: OK")]
    if bad_results:
        print("FAIL|%s|pktgen did not finish on %s: %s" % (name, bad_results, devs[bad_results[0]][2]))
        return
    want = {}
    frame_bytes = None
    if "--mix" in opts:
        exp = mix_expectations(opts[opts.index("--mix") + 1], err_path, "--unseeded" in opts)
        for dev, (sofar, _, _) in devs.items():
            if dev not in exp or exp[dev][1] is None:
                print("FAIL|%s|no expected counter for %s (%s)" % (name, dev, exp.get(dev)))
                return
            want[exp[dev][1]] = want.get(exp[dev][1], 0) + sofar
    else:
        key = opts[opts.index("--counter") + 1]
        want[key] = sum(v[0] for v in devs.values())
        if "--frame-bytes" in opts:
            frame_bytes = int(opts[opts.index("--frame-bytes") + 1])
    ignore = opts[opts.index("--ignore") + 1].split(",") if "--ignore" in opts else []
    b, a = counters(before_path), counters(after_path)
    missing = [k for k in want if k not in a]
    if missing:
        print("FAIL|%s|counters %s are not on the receiver" % (name, missing))
        return
    bad = []
    for k in a:
        got = a[k][0] - b.get(k, (0, 0))[0]
        gotb = a[k][1] - b.get(k, (0, 0))[1]
        exp = want.get(k, 0)
        if k in ignore and k not in want:
            continue
        if got != exp:
            bad.append("%s: %d counted, pktgen sent %d" % (k, got, exp))
        elif frame_bytes is not None and k in want and gotb != exp * frame_bytes:
            bad.append("%s: %d bytes counted, pktgen sent %d x %d" % (k, gotb, exp, frame_bytes))
    errors = sum(v[1] for v in devs.values())
    sent = sum(v[0] for v in devs.values())
    if bad:
        print("FAIL|%s|%d counters differ (pktgen: %d frames on %d devices, errors %d): %s"
              % (name, len(bad), sent, len(devs), errors, "; ".join(bad[:6])))
    else:
        print("PASS|%s|" % name)


main()
