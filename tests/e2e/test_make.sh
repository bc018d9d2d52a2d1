#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The Makefile: clean and help install nothing, the deps target installs (and an apt failure stops make with apt's message), the user's CFLAGS keep the project's, BPF objects rebuild for the headers they include, bench and stress leave docs/performance.md alone unless asked, and help lists every target.
#
# It builds in a copy of the tree (only the BPF objects), so that touching a header
# there moves nothing in the repository's own build. A fake apt-get and dpkg, first in
# a PATH without clang, bpftool and pkg-config, record every call.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(clean_no_apt help_no_apt clean_plain help_targets all_runs_deps apt_failure_stops
	cflags_keep_project bpf_own_headers deps_stamp deps_list_changed bench_no_doc
	stress_no_doc bench_doc_asked format_check)
. tests/e2e/lib.sh

# mk ARGS...: make, without the MAKEFLAGS of a `make check` that runs this script.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }

# A PATH without the build tools, so that a Makefile that installs when they are missing
# would; apt-get, apt and dpkg log their arguments and fail (APT_FAIL) or do nothing.
fake=$tmp/fakebin
mkdir -p "$fake"
for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
	[ -d "$d" ] || continue
	for f in "$d"/*; do
		b=${f##*/}
		case $b in
		clang* | llc* | bpftool* | pkg-config* | *-pkg-config | apt* | dpkg*) continue ;;
		esac
		[ -e "$fake/$b" ] || ln -s "$f" "$fake/$b"
	done
done
for b in apt-get apt dpkg; do
	cat >"$fake/$b" <<EOF
#!/bin/bash
echo "$b \$*" >>"$tmp/apt.log"
if [ -n "\${APT_FAIL:-}" ]; then
	echo "E: $b failed on purpose (test_make.sh)" >&2
	exit 100
fi
exit 0
EOF
	chmod +x "$fake/$b"
done
: >"$tmp/apt.log"

# no_apt NAME TARGET: make TARGET in the fake PATH calls no apt and no deps.sh.
no_apt()
{
	local rc
	: >"$tmp/apt.log"
	PATH=$fake mk O="$tmp/o-$2" "$2" >"$tmp/$2.out" 2>&1
	rc=$?
	if [ -s "$tmp/apt.log" ]; then
		fail "$1" "make $2 ran: $(tr '\n' ';' <"$tmp/apt.log")"
	elif grep -qE 'deps\.sh: |bash scripts/deps\.sh' "$tmp/$2.out"; then
		fail "$1" "make $2 ran scripts/deps.sh: $(head -c 300 "$tmp/$2.out")"
	elif [ "$rc" -ne 0 ]; then
		fail "$1" "make $2 exited $rc: $(tail -c 300 "$tmp/$2.out")"
	else
		ok "$1"
	fi
}
no_apt clean_no_apt clean
no_apt help_no_apt help

mk -n O="$tmp/o-n" clean >"$tmp/clean.n" 2>&1
check clean_plain "make -n clean does more than remove O: $(head -c 300 "$tmp/clean.n")" \
	[ "$(cat "$tmp/clean.n")" = "rm -rf $tmp/o-n" ]

# Every .PHONY target has its line in make help (FORCE is no target to ask for).
mk help >"$tmp/help" 2>&1
missing=
for t in $(sed -n 's/^\.PHONY: *//p' Makefile); do
	[ "$t" = FORCE ] && continue
	grep -qE "make (\[$t\]|$t)( |$)" "$tmp/help" || missing+=" $t"
done
check help_targets "make help does not list:$missing" [ -z "$missing" ]

# all goes through deps: with clang missing, deps.sh comes first and calls apt.
mk -n O="$tmp/o-all" all >"$tmp/all.n" 2>&1
check all_runs_deps "make -n all does not run scripts/deps.sh before compiling" \
	awk '/deps\.sh/ && !d { d = NR } /clang .*-c |cc .*-c / && !c { c = NR }
		END { exit !(d && c && d < c) }' "$tmp/all.n"

: >"$tmp/apt.log"
PATH=$fake APT_FAIL=1 mk O="$tmp/o-fail" all >"$tmp/fail.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
	fail apt_failure_stops "make all succeeded although apt-get failed"
elif ! grep -q 'E: apt-get failed on purpose' "$tmp/fail.out"; then
	fail apt_failure_stops "apt's message is not in make's output: $(tail -c 300 "$tmp/fail.out")"
elif grep -qE '^  (BPF|CC) ' "$tmp/fail.out" || compgen -G "$tmp/o-fail/deps-*.stamp" >/dev/null; then
	fail apt_failure_stops "make went on after the failed install, or left a stamp"
elif ! grep -q 'missing, and the Debian package' "$tmp/fail.out"; then
	fail apt_failure_stops "deps.sh did not say what it installs: $(head -c 300 "$tmp/fail.out")"
else
	ok apt_failure_stops
fi

# make CFLAGS=-O0: the user's flags, and the project's still there.
mk -n O="$tmp/o-cf" CFLAGS=-O0 all >"$tmp/cf.n" 2>&1
line=$(grep -E ' -c user/cli/main\.c' "$tmp/cf.n")
bad=
for f in -O0 -Werror -Iinclude -MMD -std=gnu11; do
	[[ " $line " == *" $f "* ]] || bad+=" $f"
done
check cflags_keep_project "make CFLAGS=-O0 compiles user/cli/main.c without$bad: $line" [ -z "$bad" ]

# A copy of the tree: build the BPF objects, touch bpf/parse.h, see what make would redo.
src=$tmp/src
mkdir -p "$src" && tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$src"
objs=(build/portcullis.bpf.o build/xdp_drop.bpf.o build/flood_tx.bpf.o)
if ! (cd "$src" && mk O=build "${objs[@]}") >"$tmp/bpf.out" 2>&1; then
	fail bpf_own_headers "building the BPF objects failed: $(tail -c 300 "$tmp/bpf.out")"
else
	sleep 1 && touch "$src/bpf/parse.h"
	(cd "$src" && mk -n O=build "${objs[@]}") >"$tmp/bpf.n" 2>&1
	redo=$(grep -oE 'bpf/[a-z_]+\.bpf\.c' "$tmp/bpf.n" | sort -u | tr '\n' ' ')
	check bpf_own_headers "after touching bpf/parse.h make would compile: ${redo:-nothing}" \
		[ "$redo" = "bpf/portcullis.bpf.c " ]
fi

# The stamp records deps.sh's checksum and what it checks; a changed list runs it again.
stamp=$(compgen -G "$src/build/deps-*.stamp" | head -n 1)
check deps_stamp "no stamp, or one without the checksum and the package list: ${stamp:-none}" \
	eval '[ -n "$stamp" ] && grep -q "^scripts/deps.sh cksum [0-9]" "$stamp" &&
		grep -q "libbpf-dev" "$stamp" && grep -q "^nft nftables" "$stamp"'
echo "# changed" >>"$src/scripts/deps.sh"
touch -d '-1 day' "$src/scripts/deps.sh"
(cd "$src" && mk -n O=build deps) >"$tmp/deps.n" 2>&1
check deps_list_changed "a changed deps.sh did not run again: $(head -c 300 "$tmp/deps.n")" \
	grep -q 'bash scripts/deps.sh' "$tmp/deps.n"

mk -n O="$tmp/o-b" bench >"$tmp/bench.n" 2>&1
check bench_no_doc "make bench would write docs/performance.md, or run no bench.sh: $(grep bench.sh "$tmp/bench.n")" \
	eval 'grep -q "scripts/bench.sh" "$tmp/bench.n" && ! grep -q "docs/performance.md" "$tmp/bench.n"'
mk -n O="$tmp/o-s" stress >"$tmp/stress.n" 2>&1
check stress_no_doc "make stress would write docs/performance.md, or run no stress.sh: $(grep stress.sh "$tmp/stress.n")" \
	eval 'grep -q "scripts/stress.sh" "$tmp/stress.n" && ! grep -q "docs/performance.md" "$tmp/stress.n"'
mk -n O="$tmp/o-b" bench DOC=docs/performance.md >"$tmp/bench-doc.n" 2>&1
mk -n O="$tmp/o-s" stress UPDATE_DOC=1 >"$tmp/stress-doc.n" 2>&1
check bench_doc_asked "DOC= or UPDATE_DOC=1 does not reach bench.sh and stress.sh" \
	eval 'grep -q "scripts/bench.sh .* docs/performance.md" "$tmp/bench-doc.n" &&
		grep -q "scripts/stress.sh .*--doc docs/performance.md" "$tmp/stress-doc.n"'

mk -n format-check >"$tmp/format.n" 2>&1
check format_check "make format-check is not a clang-format dry run: $(head -c 200 "$tmp/format.n")" \
	eval 'grep -q "clang-format --dry-run --Werror .*bpf/portcullis.bpf.c" "$tmp/format.n" &&
		! grep -qE "clang-format( .*)? -i " "$tmp/format.n"'

finish "not reached"
