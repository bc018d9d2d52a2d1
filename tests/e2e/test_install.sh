#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make install and uninstall into a DESTDIR: exactly the expected tree and nothing
# outside it; the installed binary, run from elsewhere, finds its default profile
# (bench) and checks the installed profiles; an edited /etc/portcullis file survives
# a re-install and an uninstall; uninstall leaves no file behind; both man pages render
# without a warning and point to no file of the source tree; the bash completion
# completes commands, options and their values; systemd-analyze verifies the units
# (portcullis@ and portcullis-exporter).
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root (bench runs BPF programs).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(install tree_exact nothing_outside default_profile installed_profiles man_clean
	man_no_source_docs completion_syntax completion_commands completion_options
	completion_values completion_ifaces unit_verify exporter_unit_verify etc_kept uninstall_empty
	uninstall_keeps_edited)
. tests/e2e/lib.sh

# mk ARGS...: make, without the MAKEFLAGS of a `make check` that runs this script.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory O="$O" "$@"; }
dest=$tmp/dest
prefix=/usr/local

mk DESTDIR="$dest" install >"$tmp/install.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	fail install "make install exited $rc: $(tail -c 300 "$tmp/install.out")"
	finish "make install failed"
fi
ok install

# The tree, files and symbolic links, as a sorted list of paths below DESTDIR.
tree() { (cd "$1" && find . ! -type d | sed 's|^\./|/|' | sort); }
{
	printf '%s\n' /etc/portcullis/README /etc/portcullis/example.conf \
		/etc/portcullis/fallback.conf \
		$prefix/sbin/portcullis \
		$prefix/libexec/portcullis/portcullis-unit \
		$prefix/lib/systemd/system/portcullis@.service \
		$prefix/lib/systemd/system/portcullis-refresh@.service \
		$prefix/lib/systemd/system/portcullis-refresh@.timer \
		$prefix/lib/systemd/system/portcullis-exporter.service \
		$prefix/share/bash-completion/completions/portcullis \
		$prefix/share/man/man5/portcullis.conf.5 \
		$prefix/share/man/man8/portcullis.8
	for p in profiles/*.conf; do echo "$prefix/share/portcullis/$p"; done
} | sort >"$tmp/expected"
tree "$dest" >"$tmp/got"
check tree_exact "the installed tree differs (< expected, > installed): $(diff "$tmp/expected" "$tmp/got" | grep '^[<>]' | tr '\n' ' ')" \
	cmp -s "$tmp/expected" "$tmp/got"

# Every absolute path make install would write to is below DESTDIR: the destination of
# each install command, read from make -n.
mk -n DESTDIR="$dest" install >"$tmp/install.n" 2>&1
outside=$(grep -E '^\s*(install|mkdir|cp|ln|mv|rm) ' "$tmp/install.n" |
	awk '{ print $NF }' | grep '^/' | grep -v "^$dest/" | sort -u | tr '\n' ' ')
check nothing_outside "make install writes outside DESTDIR: $outside" [ -z "$outside" ]

# The installed binary, from a directory that has no profiles/, with no source tree
# at hand: bench's default profile is an installed one.
bin=$dest$prefix/sbin/portcullis
(cd / && "$bin" bench --repeat 1000 --rounds 1) >"$tmp/bench.out" 2>&1
rc=$?
used=$(sed -nE 's/^profile +(.*): [0-9]+ rules.*/\1/p' "$tmp/bench.out")
check default_profile "installed bench exited $rc, profile '${used}': $(head -c 300 "$tmp/bench.out")" \
	eval '[ "$rc" -eq 0 ] && [[ $used == */share/portcullis/profiles/spammertrap.conf ]] &&
		[[ $used != "$PWD"/* ]]'

bad=
for p in "$dest$prefix"/share/portcullis/profiles/*.conf "$dest"/etc/portcullis/*.conf; do
	(cd / && "$bin" check "$p") >"$tmp/check.out" 2>&1 || bad+=" $p: $(head -c 200 "$tmp/check.out")"
done
check installed_profiles "installed check fails:$bad" [ -z "$bad" ]

bad=
for m in "$dest$prefix"/share/man/man*/*; do
	w=$( { groff -man -ww -z "$m"; MANWIDTH=80 man --warnings -l "$m" >/dev/null; } 2>&1)
	[ -z "$w" ] || bad+=" ${m##*/}: $w"
done
check man_clean "warnings:$bad" [ -z "$bad" ]
# As rendered: a comment of the source may name where the page comes from.
for m in "$dest$prefix"/share/man/man*/*; do MANWIDTH=200 man -l "$m" 2>/dev/null; done >"$tmp/man.txt"
check man_no_source_docs "an installed man page names a file of the source tree: $(grep -o 'docs/[a-z]*\.md' "$tmp/man.txt" | sort -u | tr '\n' ' ')" \
	eval '[ -s "$tmp/man.txt" ] && ! grep -q "docs/[a-z]*\.md" "$tmp/man.txt"'

# The completion, sourced into a bash that finds the installed binary in PATH.
comp=$dest$prefix/share/bash-completion/completions/portcullis
check completion_syntax "bash -n: $(bash -n "$comp" 2>&1)" bash -n "$comp"
# complete WORDS...: what the completion offers for the last word, on one line.
complete_()
{
	PATH=$dest$prefix/sbin:$PATH bash -c '. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _portcullis
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "' _ "$comp" "$@" 2>&1
}
got=$(complete_ portcullis '')
check completion_commands "portcullis <TAB>: $got" \
	eval '[[ " $got" == *" load "* && " $got" == *" unload "* && " $got" == *" stats "* &&
		" $got" == *" explain "* && " $got" == *" flows "* ]]'
got=$(complete_ portcullis load eth0 x.conf --)
check completion_options "portcullis load eth0 x.conf --<TAB>: $got" \
	[ "$got" = "--confirm --egress-hook --force --help --json --mode " ]
got=$(complete_ portcullis load eth0 x.conf --mode '')
got2=$(complete_ portcullis stats eth0 --)
check completion_values "--mode <TAB>: $got; stats --<TAB>: $got2" \
	eval '[ "$got" = "generic native " ] &&
		[ "$got2" = "--all --help --json --prometheus --textfile --watch " ]'
got=$(complete_ portcullis unload lo)
check completion_ifaces "portcullis unload lo<TAB>: $got" [ "$got" = "lo " ]

if ! command -v systemd-analyze >/dev/null; then
	skip unit_verify "systemd-analyze is not installed (systemd)"
	skip exporter_unit_verify "systemd-analyze is not installed (systemd)"
else
	MANPATH=$dest$prefix/share/man SYSTEMD_LOG_COLOR=0 systemd-analyze verify --root="$dest" \
		portcullis@eth0.service portcullis-refresh@eth0.service \
		portcullis-refresh@eth0.timer >"$tmp/verify.out" 2>&1
	rc=$?
	check unit_verify "systemd-analyze verify exited $rc: $(tr '\n' ' ' <"$tmp/verify.out" | head -c 400)" \
		eval '[ "$rc" -eq 0 ] && [ ! -s "$tmp/verify.out" ]'
	# The exporter keeps the default dependencies (sysinit.target and the rest):
	# verified in a copy of the tree that also holds this host's units.
	vroot=$tmp/vroot
	cp -a "$dest" "$vroot" && mkdir -p "$vroot/lib/systemd" &&
		cp -r /lib/systemd/system "$vroot/lib/systemd/"
	MANPATH=$vroot$prefix/share/man SYSTEMD_LOG_COLOR=0 systemd-analyze verify --root="$vroot" \
		portcullis-exporter.service >"$tmp/verify2.out" 2>&1
	rc=$?
	check exporter_unit_verify "systemd-analyze verify exited $rc: $(tr '\n' ' ' <"$tmp/verify2.out" | head -c 400)" \
		eval '[ "$rc" -eq 0 ] && [ ! -s "$tmp/verify2.out" ]'
fi

# Edited: a re-install keeps it, and so does uninstall.
echo '# mine' >>"$dest/etc/portcullis/fallback.conf"
cp "$dest/etc/portcullis/fallback.conf" "$tmp/edited"
mk DESTDIR="$dest" install >"$tmp/install2.out" 2>&1
check etc_kept "a re-install changed an edited fallback.conf: $(grep fallback "$tmp/install2.out")" \
	cmp -s "$tmp/edited" "$dest/etc/portcullis/fallback.conf"
mk DESTDIR="$dest" uninstall >"$tmp/uninstall.out" 2>&1
rc=$?
check uninstall_keeps_edited "uninstall exited $rc, left: $(tree "$dest" | tr '\n' ' ')" \
	eval '[ "$rc" -eq 0 ] && [ "$(tree "$dest")" = /etc/portcullis/fallback.conf ] &&
		cmp -s "$tmp/edited" "$dest/etc/portcullis/fallback.conf"'

# Unedited: nothing is left.
rm -rf "$dest"
mk DESTDIR="$dest" install >/dev/null 2>&1 && mk DESTDIR="$dest" uninstall >"$tmp/uninstall.out" 2>&1
rc=$?
check uninstall_empty "install then uninstall exited $rc, left: $(tree "$dest" | tr '\n' ' ')" \
	eval '[ "$rc" -eq 0 ] && [ -z "$(tree "$dest")" ]'

finish "not reached"
