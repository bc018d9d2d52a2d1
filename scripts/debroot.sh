#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# A minimal Debian 12 root to install the package in (tests/e2e/test_deb.sh), made once
# with debootstrap and kept as a tarball:
#
#   scripts/debroot.sh DIR   unpack the root into DIR (empty or absent), making the
#                            tarball first when it is not in the cache
#   scripts/debroot.sh --tarball   make the tarball if missing; print its path
#
# The cache is DEBROOT_CACHE (default /var/cache/portcullis-vmtest/debroot-bookworm-SUM.tar,
# SUM the checksum of the runtime libraries' list, so that a new library makes a new root).
# The mirror is the one apt uses here (its first Debian URI), else deb.debian.org. The
# root is minbase with the package's runtime libraries, so that dpkg -i needs no network.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 DIR | --tarball" >&2; exit 2; }
dir=$1
# The libraries the binary links (debian/control's Depends come from them, at run time).
libs=libbpf1,libelf1,zlib1g,libpcap0.8,libjson-c5,libnettle8,libmicrohttpd12
cache=${DEBROOT_CACHE:-/var/cache/portcullis-vmtest/debroot-bookworm-$(echo "$libs" | cksum | cut -d' ' -f1).tar}

mirror()
{
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
		2>/dev/null | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n 1)
	echo "${m:-http://deb.debian.org/debian}" | tr -d ' '
}

if [ ! -s "$cache" ]; then
	command -v debootstrap >/dev/null || { echo "debroot.sh: debootstrap is not installed" >&2; exit 1; }
	mkdir -p "$(dirname "$cache")"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	echo "debroot.sh: debootstrap bookworm from $(mirror) (once; cached in $cache)" >&2
	debootstrap --variant=minbase --include="$libs" bookworm "$work/root" \
		"$(mirror)" >"$work/log" 2>&1 || {
		tail -n 20 "$work/log" >&2
		exit 1
	}
	# The packages debootstrap downloaded are in the root already.
	rm -f "$work/root"/var/cache/apt/archives/*.deb
	tar -C "$work/root" -cf "$cache.tmp" . && mv "$cache.tmp" "$cache"
fi
if [ "$dir" = --tarball ]; then
	echo "$cache"
	exit 0
fi
mkdir -p "$dir"
tar -C "$dir" -xf "$cache"
