#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The layers of user/ (user/README.md): the tree keeps their one direction, and
# scripts/layers.py finds each kind of breach, in a copy of user/ where one was made.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(tree_clean upward_include skeleton_outside_kern unlayered_include bad_guard
	file_outside_layer no_readme)
. tests/e2e/lib.sh

out=$(python3 scripts/layers.py 2>&1)
check tree_clean "scripts/layers.py on user/: $out" [ $? -eq 0 ]

# breach NAME EXPECTED-TEXT EDIT...: a fresh copy of user/, EDIT run in it, and the
# checker must fail naming the breach.
breach()
{
	local name=$1 want=$2 copy=$tmp/$1/user
	shift 2
	rm -rf "$tmp/$name" && mkdir -p "$tmp/$name" && cp -r user "$copy"
	(cd "$copy" && eval "$*")
	out=$(python3 scripts/layers.py "$copy" 2>&1)
	check "$name" "expected exit 1 and \"$want\", got: $out" \
		bash -c '[ $1 -ne 0 ] && grep -qF -- "$2" <<<"$3"' _ $? "$want" "$out"
}

breach upward_include "kern/ includes observe/stats.h, a layer above it" \
	"sed -i '0,/^#include \"kern\\/pins.h\"/s//#include \"observe\\/stats.h\"/' kern/pins.c"
breach skeleton_outside_kern "includes the skeleton portcullis.skel.h; only kern/ may" \
	"sed -i '1a #include \"portcullis.skel.h\"' observe/stats.c"
breach unlayered_include 'includes "pins.h" without its layer' \
	"sed -i '1a #include \"pins.h\"' kern/state.c"
breach bad_guard "its guard is not PC_CORE_ERROR_H" \
	"sed -i 's/PC_CORE_ERROR_H/PC_ERROR_H/g' core/error.h"
breach file_outside_layer "user/stray.c: outside every layer" "touch stray.c"
breach no_readme "user/cli/: no README.md" "rm cli/README.md"

finish
