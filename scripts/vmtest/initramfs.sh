#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Builds the initramfs `make vmtest` boots: this machine's userspace for the tests, the
# build tree, and one kernel package's modules.
#
#   scripts/vmtest/initramfs.sh base OUT            userspace and build tree (all kernels)
#   scripts/vmtest/initramfs.sh modules KDIR KREL OUT   the modules of one kernel, /init's env
#
# The kernel unpacks concatenated cpio archives in order, so the base archive is built
# once per run and each kernel's initramfs is `cat base modules`. Archives are
# uncompressed newc: under software emulation gunzip in the guest costs more than
# qemu's copy of a larger file.
#
# base holds: /init (tests/vm/init), the repository's scripts, tests and profiles with
# build/portcullis and build/tests/bpf/* under /pc (from O, default build), the executables of the packages the tests use with the shared libraries they
# load (ldd), python3 with its standard library, and /etc files for port and host names.
# modules holds the modules tests/vm/modules lists, with every module they depend on
# (modules.dep), plus the kernel's modules.* indexes so that modprobe works in the guest.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
# Packages whose executables the guest gets: the shell, the tools tests/e2e and
# scripts/ call, kmod for modules, bpftool, python3 for netns.sh's helpers.
PACKAGES=(bash dash coreutils grep sed mawk findutils util-linux mount procps iproute2 kmod
	bpftool diffutils ethtool iputils-ping python3.11-minimal gzip)
# /etc files: port names for profiles, localhost for host-name rules.
ETC_FILES=(/etc/services /etc/protocols /etc/hosts /etc/nsswitch.conf /etc/passwd /etc/group
	/etc/ethertypes /etc/iproute2)

die() { echo "initramfs.sh: error: $*" >&2; exit 1; }

# usr_path PATH: where PATH lives in a merged-/usr tree (/bin, /sbin, /lib* are links).
usr_path()
{
	case $1 in
	/bin/* | /sbin/* | /lib/* | /lib64/*) echo "/usr$1" ;;
	*) echo "$1" ;;
	esac
}

# put ROOT: copies the files named on stdin (links followed) to the same paths under
# ROOT, in one tar (a cp per file takes a minute on a busy machine).
put()
{
	local f

	while read -r f; do
		f=$(usr_path "$f")
		[ -e "$f" ] && echo "${f#/}"
	done | sort -u | tar -C / -chf - --files-from - | tar -C "$1" -xf -
}

# libs_of FILE...: the shared libraries and loader the files need (ldd), one a line.
libs_of()
{
	# ldd fails on the shell scripts among the executables: not an error here.
	{ ldd "$@" 2>/dev/null || true; } | grep -oE '(=> )?/[^ ]+ \(0x' | sed -E 's/^=> //; s/ \(0x$//' | sort -u
}

# skeleton ROOT: the directories, and the merged-/usr links Debian 12 has too.
skeleton()
{
	local d

	mkdir -p "$1"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,tmp,run,etc,root,var} || return 1
	for d in bin sbin lib lib64; do
		ln -sfn "usr/$d" "$1/$d"
	done
	ln -sfn ../run "$1/var/run"
	chmod 1777 "$1/tmp"
}

# executables ROOT: every executable of PACKAGES, and their libraries.
executables()
{
	local root=$1 p f bins=()

	for p in "${PACKAGES[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || { echo "initramfs.sh: $p is not installed; the guest goes without it" >&2; continue; }
		while read -r f; do
			[ -f "$f" ] && [ -x "$f" ] && bins+=("$f")
		done < <(dpkg -L "$p" | grep -E '^(/usr)?/s?bin/[^/]+$')
	done
	printf '%s\n' "${bins[@]}" | put "$root" || return 1
	# Debian makes these through alternatives, which the copy does not see.
	ln -sfn dash "$root/usr/bin/sh"
	ln -sfn mawk "$root/usr/bin/awk"
	ln -sfn python3.11 "$root/usr/bin/python3"
	libs_of "${bins[@]}" "$O/portcullis" "$O"/tests/bpf/* /usr/lib/python3.11/lib-dynload/*.so | put "$root"
}

# python ROOT: the standard library, without what no test imports (GUI, test suites).
python_stdlib()
{
	mkdir -p "$1/usr/lib" &&
		tar -C /usr/lib -cf - --exclude=test --exclude=tests --exclude=idlelib --exclude=tkinter \
			--exclude=turtledemo --exclude=ensurepip --exclude=lib2to3 --exclude='config-3.*' \
			--exclude=site-packages --exclude=dist-packages python3.11 |
		tar -C "$1/usr/lib" -xf -
}

# tree ROOT: the repository's scripts, tests and profiles, and the build's binaries.
tree()
{
	local pc=$1/pc

	# In the guest the build tree is always build/, whatever O is here.
	mkdir -p "$pc/build/tests" || return 1
	cp -r scripts tests profiles "$pc/" || return 1
	cp "$O/portcullis" "$pc/build/" || return 1
	cp -r "$O/tests/bpf" "$pc/build/tests/" || return 1
	# Objects and dependency files are not needed in the guest.
	find "$pc/build" -name '*.[od]' -delete
	cp tests/vm/init "$1/init" && chmod 755 "$1/init"
}

# cpio_of ROOT OUT: ROOT as an uncompressed newc archive.
cpio_of()
{
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$2"
}

base()
{
	local out=$1 root

	[ -x "$O/portcullis" ] || die "$O/portcullis does not exist: run make first"
	root=$(mktemp -d) || exit 1
	skeleton "$root" && executables "$root" && python_stdlib "$root" && tree "$root" ||
		{ rm -rf "$root"; die "assembling the base tree failed"; }
	for f in "${ETC_FILES[@]}"; do
		[ -e "$f" ] && cp -rL "$f" "$root/etc/"
	done
	cpio_of "$root" "$out" || { rm -rf "$root"; die "cpio failed"; }
	rm -rf "$root"
}

# mod_closure MODDIR NAME...: the paths (relative to MODDIR) of the modules and all they
# depend on; names that are built in print nothing, unknown names a warning.
mod_closure()
{
	local dir=$1 name n path
	shift
	declare -A seen=()
	local todo=()

	for name in "$@"; do
		n=${name//-/_}
		path=$(awk -F: -v n="$n" '{ m = $1; sub(/.*\//, "", m); sub(/\.ko(\.[a-z]+)?$/, "", m);
			gsub(/-/, "_", m); if (m == n) { print $1; exit } }' "$dir/modules.dep")
		if [ -n "$path" ]; then
			todo+=("$path")
		elif ! grep -qE "/${name}\.ko$|/${n}\.ko$" "$dir/modules.builtin" 2>/dev/null; then
			echo "initramfs.sh: warning: no module $name in $(basename "$dir")" >&2
		fi
	done
	while [ ${#todo[@]} -gt 0 ]; do
		path=${todo[0]} todo=("${todo[@]:1}")
		[ -n "${seen[$path]:-}" ] && continue
		seen[$path]=1
		echo "$path"
		# shellcheck disable=SC2207 # module paths have no spaces
		todo+=($(grep -m 1 "^$path:" "$dir/modules.dep" | cut -d: -f2))
	done
}

modules()
{
	local kdir=$1 krel=$2 out=$3 root moddir dst p

	moddir=$kdir/lib/modules/$krel
	[ -e "$moddir/modules.dep" ] || die "$moddir/modules.dep is missing"
	root=$(mktemp -d) || exit 1
	dst=$root/usr/lib/modules/$krel
	mkdir -p "$dst" && cp "$moddir"/modules.* "$dst/" || die "copying $moddir's indexes failed"
	while read -r p; do
		mkdir -p "$dst/$(dirname "$p")" && cp "$moddir/$p" "$dst/$p" || die "copying $p failed"
	done < <(mod_closure "$moddir" $(grep -v '^#' tests/vm/modules))
	# The modules /init loads: those of the list this kernel has as modules (the others
	# are built in, or missing, which mod_closure said).
	mkdir -p "$root/etc"
	for p in $(grep -v '^#' tests/vm/modules); do
		awk -F: -v n="${p//-/_}" '{ m = $1; sub(/.*\//, "", m); sub(/\.ko(\.[a-z]+)?$/, "", m);
			gsub(/-/, "_", m); if (m == n) { found = 1; exit } } END { exit !found }' "$moddir/modules.dep" &&
			echo "$p"
	done >"$root/etc/vmtest.modules"
	# What /init needs to know about the run; VMTEST_* and DIFF_* settings pass through.
	{
		printf 'VMTEST_KREL=%q\n' "$krel"
		env | grep -E '^(VMTEST_(ACCEL|ONLY|E2E|TEST_TIMEOUT|PKTGEN_COUNT)|DIFF_[A-Z_]+)=' |
			while IFS='=' read -r k v; do printf '%s=%q\n' "$k" "$v"; done
	} >"$root/etc/vmtest.env"
	cpio_of "$root" "$out" || die "cpio failed"
	rm -rf "$root"
}

case ${1:-} in
base) [ $# -eq 2 ] || die "usage: $0 base OUT"; base "$2" ;;
modules) [ $# -eq 4 ] || die "usage: $0 modules KDIR KREL OUT"; modules "$2" "$3" "$4" ;;
*) die "usage: $0 base OUT | modules KDIR KREL OUT" ;;
esac
