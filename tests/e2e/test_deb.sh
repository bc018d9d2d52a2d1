#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The Debian package: make deb builds it from a copy of the tree; lintian has nothing
# to say; in a minimal Debian 12 root (scripts/debroot.sh, debootstrapped once and
# cached) dpkg -i installs it without the network, portcullis --version runs, the unit
# is installed but not enabled, /etc/portcullis is conffiles; dpkg --purge leaves the
# root as it was before the install.
#
# Prints "ok   NAME", "FAIL NAME: why" or "skip NAME: why" per check and, last,
# "N passed, N failed, N skipped". Needs root (chroot).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
CHECKS=(deb_builds lintian_clean root dpkg_install version unit_not_enabled conffiles
	purge_clean)
. tests/e2e/lib.sh

mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }
command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null ||
	finish "dpkg-buildpackage or debhelper is not installed (bash scripts/deps.sh)"

mk O="$tmp/o" deb >"$tmp/deb.out" 2>&1
rc=$?
deb=$(compgen -G "$tmp/o/deb/portcullis_*.deb" | head -n 1)
if [ "$rc" -ne 0 ] || [ -z "$deb" ]; then
	fail deb_builds "make deb exited $rc: $(tail -c 400 "$tmp/deb.out")"
	finish "no package"
fi
ok deb_builds
version=$(dpkg-deb -f "$deb" Version)

if ! command -v lintian >/dev/null; then
	skip lintian_clean "lintian is not installed (bash scripts/deps.sh)"
else
	lintian --pedantic -I -E "$tmp"/o/deb/*.changes >"$tmp/lintian.out" 2>&1
	rc=$?
	tags=$(grep -E '^[EWIPXCO]: ' "$tmp/lintian.out" | tr '\n' ' ')
	check lintian_clean "lintian exited $rc: $tags" eval '[ "$rc" -eq 0 ] && [ -z "$tags" ]'
fi

root=$tmp/root
if ! bash scripts/debroot.sh "$root" >"$tmp/root.out" 2>&1; then
	fail root "scripts/debroot.sh: $(tail -c 400 "$tmp/root.out")"
	finish "no Debian root"
fi
ok root
# in_root CMD...: CMD in the root, with no network namespace of the host's to reach.
in_root() { unshare --net chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
# The root's files, apart from dpkg's own records and logs.
files()
{
	(cd "$root" && find . -xdev | grep -vE '^\./(var/lib/dpkg|var/log|var/cache/debconf|tmp)(/|$)' | sort)
}
files >"$tmp/before"

cp "$deb" "$root/tmp/"
in_root dpkg -i "/tmp/${deb##*/}" >"$tmp/dpkg.out" 2>&1
rc=$?
check dpkg_install "dpkg -i exited $rc: $(tail -c 400 "$tmp/dpkg.out")" [ "$rc" -eq 0 ]
out=$(in_root portcullis --version 2>&1)
check version "portcullis --version: $out (the package is $version)" \
	eval '[[ $out == *"$version"* ]]'
check unit_not_enabled "the unit is missing, or enabled: $(find "$root/etc/systemd" -name 'portcullis*' 2>/dev/null)" \
	eval '[ -f "$root/lib/systemd/system/portcullis@.service" ] &&
		[ -z "$(find "$root/etc/systemd" -name "portcullis*" 2>/dev/null)" ]'
conf=$(in_root dpkg-query -W -f='${Conffiles}' portcullis 2>&1 | awk '{ print $1 }' | sort | tr '\n' ' ')
check conffiles "conffiles: $conf" \
	[ "$conf" = "/etc/portcullis/README /etc/portcullis/example.conf /etc/portcullis/fallback.conf " ]

rm -f "$root/tmp/${deb##*/}"
in_root dpkg --purge portcullis >"$tmp/purge.out" 2>&1
rc=$?
files >"$tmp/after"
check purge_clean "dpkg --purge exited $rc; left (> ) or removed (< ): $(diff "$tmp/before" "$tmp/after" | grep '^[<>]' | head -n 20 | tr '\n' ' ')" \
	eval '[ "$rc" -eq 0 ] && cmp -s "$tmp/before" "$tmp/after"'

finish "not reached"
