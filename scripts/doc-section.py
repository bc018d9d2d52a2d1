#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Replaces the text between <!-- NAME:begin --> and <!-- NAME:end --> in DOC with the
contents of BODY, keeping everything else: how `make bench` and `make stress` write
their tables into docs/performance.md.

usage: doc-section.py DOC NAME BODY"""
import sys

if len(sys.argv) != 4:
    sys.exit(__doc__.rsplit("\n", 1)[-1])
doc, name, body = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
text = open(doc).read()
a, b = "<!-- %s:begin -->" % name, "<!-- %s:end -->" % name
if a not in text or b not in text:
    sys.exit("doc-section.py: %s has no %s ... %s markers" % (doc, a, b))
head, rest = text.split(a, 1)
open(doc, "w").write(head + a + "\n" + body + b + rest.split(b, 1)[1])
