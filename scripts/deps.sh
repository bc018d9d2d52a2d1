#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Installs what portcullis needs to build, test and run, from Debian's packages.
#
#   scripts/deps.sh          install what is missing (root), saying what and why
#   scripts/deps.sh --list   print what is checked, "WHAT PACKAGE" a line, install nothing
#
# `make deps` (which all, check and demo depend on) runs it and records --list in a stamp
# file. Idempotent: installs only what is missing, and says nothing when nothing is. An
# apt failure ends it with apt's own message and a non-zero status, which stops make.
set -euo pipefail

# command -> package that provides it: the build, then what tests/ and scripts/ run
declare -A tools=(
	[clang]=clang [llc]=llvm [bpftool]=bpftool [pkg-config]=pkg-config [make]=make
	[cc]=gcc [ar]=binutils [clang-format]=clang-format [python3]=python3
	[ip]=iproute2 [tc]=iproute2 [nsenter]=util-linux [unshare]=util-linux
	[taskset]=util-linux [setpriv]=util-linux [mount]=mount [ping]=iputils-ping
	[timeout]=coreutils [sysctl]=procps [ethtool]=ethtool [nft]=nftables
	[strace]=strace [modprobe]=kmod [cmp]=diffutils
	# a DNS server the refresh test controls (TTLs), no service of its own
	[dnsmasq]=dnsmasq-base
	# the installed tree, the unit and the package (test_install, test_deb, make deb)
	[groff]=groff-base [man]=man-db [systemd-analyze]=systemd
	[dpkg-buildpackage]=dpkg-dev [dh]=debhelper [lintian]=lintian [debootstrap]=debootstrap
	# captures: log --pcapng read back, explain --pcap fed (test_capture)
	[tshark]=tshark [tcpdump]=tcpdump
	# the exporter's exposition and a real server scraping it (test_exporter); the
	# package also installs, and on a booted Debian enables, its own prometheus.service,
	# which the tests do not use
	[promtool]=prometheus [prometheus]=prometheus [curl]=curl
)
# file -> package
declare -A files=(
	[/usr/include/bpf/libbpf.h]=libbpf-dev [/usr/include/libelf.h]=libelf-dev
	[/usr/include/zlib.h]=zlib1g-dev [/etc/services]=netbase
	[/usr/include/linux/bpf.h]=linux-libc-dev [/usr/include/pcap/pcap.h]=libpcap-dev
	[/usr/include/json-c/json.h]=libjson-c-dev
	# res_query and ns_parserr (libresolv): the TTLs of host names
	[/usr/include/resolv.h]=libc6-dev
	# the JSON schemas of tests/schema/ (tests/e2e/test_json.sh)
	[/usr/lib/python3/dist-packages/jsonschema/__init__.py]=python3-jsonschema
	# the SHA-256 of a loaded profile; the exporter's HTTP server
	[/usr/include/nettle/sha2.h]=nettle-dev [/usr/include/microhttpd.h]=libmicrohttpd-dev
)
# libclang_rt: ASan/UBSan for the sanitizer build of the unit tests, libFuzzer for
# fuzz/ (both in the same package)
rt_glob=/usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt
runtimes=(asan fuzzer)

if [ "${1:-}" = --list ]; then
	{
		for t in "${!tools[@]}"; do echo "$t ${tools[$t]}"; done
		for f in "${!files[@]}"; do echo "$f ${files[$f]}"; done
		for rt in "${runtimes[@]}"; do echo "$rt_glob.$rt-x86_64.a libclang-rt-dev"; done
	} | sort
	exit 0
elif [ $# -gt 0 ]; then
	echo "usage: $0 [--list]" >&2
	exit 2
fi

# missing: "PACKAGE (for WHAT)" lines
missing=()
for t in "${!tools[@]}"; do
	command -v "$t" >/dev/null 2>&1 || missing+=("${tools[$t]} (for $t)")
done
for f in "${!files[@]}"; do
	[ -e "$f" ] || missing+=("${files[$f]} (for $f)")
done
for rt in "${runtimes[@]}"; do
	compgen -G "$rt_glob.$rt-x86_64.a" >/dev/null || missing+=("libclang-rt-dev (for libclang_rt.$rt)")
done

[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t why < <(printf '%s\n' "${missing[@]}" | sort -u)
mapfile -t pkgs < <(printf '%s\n' "${missing[@]}" | cut -d' ' -f1 | sort -u)
echo "deps.sh: missing, and the Debian package that provides it:" >&2
printf '  %s\n' "${why[@]}" >&2
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: run as root, or: apt-get install --no-install-recommends ${pkgs[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# tshark's wireshark-common asks whether non-root users may capture: no, and never ask.
if printf '%s\n' "${pkgs[@]}" | grep -qx tshark && command -v debconf-set-selections >/dev/null; then
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
fi
echo "deps.sh: apt-get update" >&2
apt-get update
echo "deps.sh: apt-get install ${pkgs[*]}" >&2
apt-get install -y --no-install-recommends "${pkgs[@]}"
echo "deps.sh: installed ${pkgs[*]}" >&2
