#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Validates a command's JSON output against tests/schema/NAME.json (python3-jsonschema,
# JSON Schema 2020-12), and checks the convention of docs/portcullis.8 (JSON OUTPUT)
# that no schema can say alone: strict UTF-8, no NaN or Infinity, every key snake_case.
#
#   validate.py CHECK NAME FILE [--lines]
#
# FILE holds one JSON object, or with --lines one per line (JSON Lines: log, stats
# --watch). Prints "PASS|CHECK|" or "FAIL|CHECK|why", as tests/e2e/lib.sh reads them.
import json
import os
import re
import sys

import jsonschema

HERE = os.path.dirname(os.path.abspath(__file__))
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def schemas():
    """$id -> schema, for every file here: common.json's definitions are referenced."""
    out = {}
    for f in sorted(os.listdir(HERE)):
        if f.endswith(".json"):
            s = json.load(open(os.path.join(HERE, f)))
            out[s["$id"]] = s
    return out


def validator(cls, schema, store):
    """A validator that finds the other schemas here, never on the network: through
    `referencing` where jsonschema has it (4.18 on), else RefResolver (Debian 12's 4.10)."""
    try:
        import referencing
    except ImportError:
        return cls(schema, resolver=jsonschema.RefResolver.from_schema(schema, store=store))
    registry = referencing.Registry().with_resources(
        (uri, referencing.Resource.from_contents(s)) for uri, s in store.items())
    return cls(schema, registry=registry)


def bad_keys(v, path="$"):
    """The keys anywhere in v that are not snake_case, with where they are."""
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            if not SNAKE.match(k):
                out.append("%s.%s" % (path, k))
            out += bad_keys(x, "%s.%s" % (path, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += bad_keys(x, "%s[%d]" % (path, i))
    return out


def no_constant(c):
    raise ValueError("%s is not JSON" % c)


def check(name, path, lines):
    store = schemas()
    schema = store["https://portcullis.example/schema/%s.json" % name]
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    v = validator(cls, schema, store)
    text = open(path, "rb").read().decode("utf-8")  # strict: not UTF-8 fails here
    docs = [l for l in text.split("\n") if l] if lines else [text]
    if not docs:
        return "no output"
    for i, d in enumerate(docs):
        where = "line %d: " % (i + 1) if lines else ""
        try:
            doc = json.loads(d, parse_constant=no_constant)
        except ValueError as e:
            return "%snot JSON: %s" % (where, e)
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if errs:
            e = errs[0]
            return "%s%s: %s" % (where, "/".join(map(str, e.absolute_path)) or "(top)", e.message[:300])
        keys = bad_keys(doc)
        if keys:
            return "%skeys not snake_case: %s" % (where, ", ".join(keys[:5]))
    return None


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: validate.py CHECK NAME FILE [--lines]")
    label, name, path = sys.argv[1:4]
    try:
        why = check(name, path, "--lines" in sys.argv[4:])
    except (OSError, UnicodeDecodeError, jsonschema.SchemaError) as e:
        why = str(e)
    print("FAIL|%s|%s" % (label, why.replace("\n", " ")) if why else "PASS|%s|" % label)


main()
