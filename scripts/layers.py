#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""The rooms of user/ and the one direction of their doors (user/README.md).

Checks every file under user/: it includes headers of its own layer or of layers
below it, never above; only kern/ includes a generated BPF skeleton; only cli/
includes the generated version.h and paths.h; each header's guard is
PC_<LAYER>_<NAME>_H; each layer has its README.md. Prints one line per breach with FILE:LINE and exits 1 if
there is one. `--list` prints the layers, lowest first.
"""
import os
import re
import sys

# Lowest first: a layer may include its own headers and those of the layers before it.
LAYERS = ["core", "profile", "compile", "kern", "traffic", "observe", "cli"]
# Headers that are not in user/: the ABI shared with bpf/ (include/) and generated ones.
SHARED = {"portcullis.h", "flood_tx.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def check_file(root, layer, name, breaches):
    rank = LAYERS.index(layer)
    path = os.path.join(root, layer, name)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, line in enumerate(lines, 1):
        m = INCLUDE.match(line)
        if not m:
            continue
        inc = m.group(1)
        where = f"user/{layer}/{name}:{n}"
        if "/" in inc:
            dep = inc.split("/", 1)[0]
            if dep not in LAYERS:
                breaches.append(f"{where}: includes {inc}, which is in no layer")
            elif LAYERS.index(dep) > rank:
                breaches.append(f"{where}: {layer}/ includes {inc}, a layer above it "
                                f"(the order is {' < '.join(LAYERS)})")
        elif inc.endswith(".skel.h"):
            if layer != "kern":
                breaches.append(f"{where}: includes the skeleton {inc}; only kern/ may")
        elif inc in ("version.h", "paths.h"):
            if layer != "cli":
                breaches.append(f"{where}: includes the generated {inc}; only cli/ may")
        elif inc not in SHARED:
            breaches.append(f'{where}: includes "{inc}" without its layer '
                            f'("LAYER/{inc}")')
    if name.endswith(".h"):
        guard = f"PC_{layer.upper()}_{name[:-2].upper()}_H"
        if not any(l.strip() == f"#ifndef {guard}" for l in lines):
            breaches.append(f"user/{layer}/{name}:1: its guard is not {guard}")


def main():
    root = "user"
    if sys.argv[1:] == ["--list"]:
        print(" ".join(LAYERS))
        return 0
    if len(sys.argv) > 1:
        root = sys.argv[1]
    breaches = []
    for entry in sorted(os.listdir(root)):
        path = os.path.join(root, entry)
        if not os.path.isdir(path):
            if entry != "README.md":
                breaches.append(f"user/{entry}: outside every layer; move it into one of "
                                f"{', '.join(LAYERS)}")
            continue
        if entry not in LAYERS:
            breaches.append(f"user/{entry}/: not a layer; the layers are "
                            f"{', '.join(LAYERS)} (scripts/layers.py)")
            continue
        if not os.path.isfile(os.path.join(path, "README.md")):
            breaches.append(f"user/{entry}/: no README.md saying what lives there")
        for name in sorted(os.listdir(path)):
            if name.endswith((".c", ".h")):
                check_file(root, entry, name, breaches)
    for b in breaches:
        print(b)
    print(f"{len(breaches)} breaches of the layers")
    return 1 if breaches else 0


if __name__ == "__main__":
    sys.exit(main())
