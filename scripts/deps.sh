#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Installs what portcullis needs to build, test and run, from Debian's packages.
# Idempotent: installs only what is missing, and is quiet when nothing is.
set -euo pipefail

# command -> package that provides it
declare -A tools=(
	[clang]=clang [llc]=llvm [bpftool]=bpftool [pkg-config]=pkg-config
	[ip]=iproute2 [nsenter]=util-linux [make]=make [cc]=gcc [python3]=python3
	[tc]=iproute2 [ping]=iputils-ping [timeout]=coreutils [sysctl]=procps
	[ethtool]=ethtool [nft]=nftables [taskset]=util-linux
)
# files -> package
declare -A files=(
	[/usr/include/bpf/libbpf.h]=libbpf-dev [/usr/include/libelf.h]=libelf-dev
	[/usr/include/zlib.h]=zlib1g-dev [/etc/services]=netbase
	[/usr/include/linux/bpf.h]=linux-libc-dev
)

missing=()
for t in "${!tools[@]}"; do
	command -v "$t" >/dev/null 2>&1 || missing+=("${tools[$t]}")
done
for f in "${!files[@]}"; do
	[ -e "$f" ] || missing+=("${files[$f]}")
done
# libclang_rt: ASan/UBSan for the sanitizer build of the unit tests, libFuzzer for
# fuzz/ (both in the same package)
for rt in asan fuzzer; do
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.$rt-x86_64.a >/dev/null 2>&1 ||
		missing+=(libclang-rt-dev)
done

[ ${#missing[@]} -eq 0 ] && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages: ${missing[*]}; run as root or: apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
	apt-get install -y --no-install-recommends "${missing[@]}"
