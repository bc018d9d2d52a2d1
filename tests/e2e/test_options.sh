#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The option tables from the outside: `CMD --help` and `-h` for every command `portcullis help` lists (exit 0, the usage on stdout), `--help` and `--version`, a usage error (exit 2 with the usage line), options that exclude each other, one given twice, and the shared number and duration parsers.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(commands_listed help_every_command short_help_every_command help_command global_help
	version version_command usage_error_exit_2 unknown_option json_and_prometheus
	given_twice number_range duration_unit duration_bad synopsis_matches_man)
. tests/e2e/lib.sh

# run ARGS...: the CLI's exit status in rc, its output in $tmp/out and $tmp/err.
run()
{
	timeout 20 "$PC_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

mapfile -t cmds < <("$PC_BIN" --help | sed -n 's/^  portcullis \([a-z]*\).*/\1/p')
check commands_listed "portcullis --help lists ${#cmds[@]} commands: ${cmds[*]}" [ "${#cmds[@]}" -ge 12 ]

# help_each FLAG: FLAG after every command exits 0 with its usage on stdout, nothing on stderr.
help_each()
{
	local bad="" c

	for c in "${cmds[@]}"; do
		run "$c" "$1"
		if [ "$rc" -ne 0 ] || ! grep -q "^usage: portcullis $c" "$tmp/out" || [ -s "$tmp/err" ]; then
			bad+=" $c(exit $rc: $(head -c 100 "$tmp/err"))"
		fi
	done
	echo "$bad"
}
bad=$(help_each --help)
check help_every_command "CMD --help failed for:$bad" [ -z "$bad" ]
bad=$(help_each -h)
check short_help_every_command "CMD -h failed for:$bad" [ -z "$bad" ]

run help load
check help_command "portcullis help load exited $rc: $(head -c 200 "$tmp/out")" \
	eval '[ "$rc" -eq 0 ] && grep -q "^usage: portcullis load IFACE PROFILE" "$tmp/out" && grep -q -- "--confirm SECONDS" "$tmp/out"'
run --help
check global_help "portcullis --help exited $rc" \
	eval '[ "$rc" -eq 0 ] && grep -q "portcullis stats IFACE|--all \[--json | --prometheus\]" "$tmp/out"'

run --version
check version "portcullis --version exited $rc: $(cat "$tmp/out" "$tmp/err")" \
	eval '[ "$rc" -eq 0 ] && grep -qE "^portcullis [^ ]+$" "$tmp/out"'
v=$(cat "$tmp/out")
run version
check version_command "portcullis version printed '$(cat "$tmp/out")', --version '$v'" \
	eval '[ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "$v" ]'

run load
check usage_error_exit_2 "load without operands exited $rc: $(cat "$tmp/err")" \
	eval '[ "$rc" -eq 2 ] && grep -q "expected IFACE and PROFILE; usage: portcullis load IFACE PROFILE \[--mode native|generic\]" "$tmp/err"'
run stats lo --frobnicate
check unknown_option "stats --frobnicate exited $rc: $(cat "$tmp/err")" \
	eval '[ "$rc" -eq 2 ] && grep -q -- "unknown option --frobnicate; usage: portcullis stats" "$tmp/err"'
run stats lo --json --prometheus
check json_and_prometheus "stats --json --prometheus exited $rc: $(cat "$tmp/err")" \
	eval '[ "$rc" -eq 2 ] && grep -q -- "--json and --prometheus exclude each other" "$tmp/err"'
run load lo profiles/spammertrap.conf --mode native --mode generic
check given_twice "--mode twice exited $rc: $(cat "$tmp/err")" \
	eval '[ "$rc" -eq 2 ] && grep -q -- "--mode is given twice" "$tmp/err"'
run log lo --count -1
check number_range "log --count -1 exited $rc: $(cat "$tmp/err")" \
	eval '[ "$rc" -eq 2 ] && grep -q -- "--count takes a number 1-1000000000, not .-1." "$tmp/err"'
# A duration with a unit gets past the parser: the error is then that nothing is loaded.
run stats lo --watch 1m
check duration_unit "stats lo --watch 1m exited $rc: $(cat "$tmp/err")" \
	eval '[ "$rc" -eq 1 ] && grep -q "portcullis is not loaded on lo" "$tmp/err"'
run stats lo --watch 2d
check duration_bad "stats --watch 2d exited $rc: $(cat "$tmp/err")" \
	eval '[ "$rc" -eq 2 ] && grep -q -- "--watch takes seconds 1-86400" "$tmp/err"'

"$PC_BIN" --synopsis >"$tmp/syn"
sed -n '/^\.SH SYNOPSIS$/,/^\.SH /p' docs/portcullis.8 | sed '1d;$d' >"$tmp/man"
check synopsis_matches_man "docs/portcullis.8's SYNOPSIS differs from portcullis --synopsis: $(diff "$tmp/man" "$tmp/syn" | head -n 4 | tr '\n' ' ')" \
	cmp -s "$tmp/man" "$tmp/syn"
finish "not reached"
