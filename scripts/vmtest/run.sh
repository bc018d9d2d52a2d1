#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make vmtest`: boots Debian's own kernels under qemu and runs tests/vm/suite.sh in each
# (docs/testing.md, "Other kernels").
#
#   KERNELS="[RELEASE:]PACKAGE ..." scripts/vmtest/run.sh
#
# For each kernel: scripts/vmtest/kernel.sh resolves and fetches the package (cached by
# exact version under VMTEST_CACHE), scripts/vmtest/initramfs.sh adds its modules to the
# build's initramfs, qemu boots it (KVM where /dev/kvm exists, software emulation
# otherwise; no network device), and the guest's results come back on a serial port.
# Prints one line per kernel and, last, the total "N passed, N failed"; exits 1 when a
# test failed or a kernel could not be booted. Logs: $O/vmtest/KERNEL-RELEASE.log (every
# test's output, in order) and $O/vmtest/KERNEL-RELEASE/ (console.log, the guest's
# console; NAME.log per test; summary.log, the guest's lines).
#
# Settings: KERNELS; VMTEST_CACHE (/var/cache/portcullis-vmtest); VMTEST_JOBS, VMs at a
# time (default 2 under emulation: see docs/testing.md); VMTEST_TIMEOUT, seconds per VM
# (1500); VMTEST_MEM, MiB per VM (2048); VMTEST_CPUS, CPUs per VM (2); VMTEST_ONLY, a
# regex of test names; O, the build directory (build).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
# Debian 11, 12 and 13's own kernels (their linux-image-amd64). Debian 12's 6.12
# backport is Debian 13's version: KERNELS adds it when wanted (docs/testing.md).
DEFAULT_KERNELS="bullseye:linux-image-amd64 bookworm:linux-image-amd64 trixie:linux-image-amd64"
KERNELS=${KERNELS:-$DEFAULT_KERNELS}
OUT=$O/vmtest
TIMEOUT=${VMTEST_TIMEOUT:-1500}
MEM=${VMTEST_MEM:-2048}
CPUS=${VMTEST_CPUS:-2}

say() { echo "vmtest: $*" >&2; }

# deps: qemu, cpio and kmod (modprobe for the guest) come from Debian's packages, here
# rather than in scripts/deps.sh: only vmtest needs them.
deps()
{
	local missing=()

	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	command -v cpio >/dev/null || missing+=(cpio)
	command -v modprobe >/dev/null || missing+=(kmod)
	command -v dpkg-deb >/dev/null || missing+=(dpkg)
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "${missing[@]}" >"$OUT/apt.log" 2>&1 || {
		say "error: apt-get install ${missing[*]} failed:"
		tail -n 5 "$OUT/apt.log" >&2
		return 1
	}
}

ACCEL=tcg
[ -w /dev/kvm ] && ACCEL=kvm
JOBS=${VMTEST_JOBS:-2}

# boot KDIR IMG DIR: runs one VM to its end (or the timeout); its serial ports land in
# DIR/console.log and DIR/results.raw.
boot()
{
	local kdir=$1 img=$2 dir=$3 cpu=max accel=tcg,thread=multi

	[ "$ACCEL" = kvm ] && cpu=host accel=kvm
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -nodefaults -no-reboot -display none \
		-accel "$accel" -cpu "$cpu" -smp "$CPUS" -m "$MEM" -nic none \
		-kernel "$kdir/vmlinuz" -initrd "$img" \
		-append "console=ttyS0 panic=-1 loglevel=4 rdinit=/init ${VMTEST_APPEND:-mitigations=off}" \
		-serial "file:$dir/console.log" -serial "file:$dir/results.raw" -monitor none \
		</dev/null >"$dir/qemu.log" 2>&1
}

# split DIR: the "==> NAME <==" sections of DIR/results.raw as DIR/NAME.log.
split_results()
{
	awk -v dir="$1" '
		{ sub(/\r$/, "") }
		/^==> .* <==$/ { name = substr($0, 5, length($0) - 8); gsub("/", "-", name)
			if (f) close(f); f = dir "/" name ".log"; printf "" > f; next }
		f { print > f }' "$1/results.raw"
	rm -f "$1/end.log"
}

# wait_base: until the base archive exists (0) or its build failed (1).
wait_base()
{
	while [ ! -e "$OUT/base.cpio" ]; do
		[ -e "$OUT/base.failed" ] && return 1
		sleep 1
	done
}

# one SPEC: fetch, build the initramfs, boot, collect. Writes DIR/result: the kernel's
# line for the report and its "P F" on the last line.
one()
{
	local spec=$1 line pkg ver krel kdir dir start p f s status

	start=$SECONDS
	if ! line=$(bash scripts/vmtest/kernel.sh "$spec" 2>"$OUT/fetch-${spec//[^a-zA-Z0-9.+-]/_}.log"); then
		cat "$OUT/fetch-${spec//[^a-zA-Z0-9.+-]/_}.log" >&2
		printf 'FAIL %-24s could not fetch %s\n0 1\n' "$spec" "$spec" >"$OUT/${spec//[^a-zA-Z0-9.+-]/_}.result"
		return
	fi
	read -r pkg ver krel kdir <<<"$line"
	dir=$OUT/$krel
	rm -rf "$dir" && mkdir -p "$dir"
	RESULT=$OUT/${spec//[^a-zA-Z0-9.+-]/_}.result
	if ! VMTEST_ACCEL=$ACCEL bash scripts/vmtest/initramfs.sh modules "$kdir" "$krel" "$dir/modules.cpio" 2>"$dir/initramfs.log"; then
		printf 'FAIL %-24s initramfs: %s\n0 1\n' "$krel" "$(tail -n 1 "$dir/initramfs.log")" >"$RESULT"
		return
	fi
	if ! wait_base; then
		printf 'FAIL %-24s the base initramfs could not be built: %s\n0 1\n' "$krel" \
			"$(tail -n 1 "$OUT/base.log")" >"$RESULT"
		return
	fi
	cat "$OUT/base.cpio" "$dir/modules.cpio" >"$dir/initramfs.cpio" && rm -f "$dir/modules.cpio"
	boot "$kdir" "$dir/initramfs.cpio" "$dir"
	local rc=$? again=
	# A guest kernel that dies before the suite starts is booted once more (seen once
	# under multi-threaded TCG: an int3 Oops in early boot, before /init). A panic once
	# the suite has begun is a result, never retried. The first console is kept.
	if ! grep -q '^==> ' "$dir/results.raw" 2>/dev/null &&
		grep -q 'Kernel panic' "$dir/console.log" 2>/dev/null; then
		mv "$dir/console.log" "$dir/console-first-boot.log"
		boot "$kdir" "$dir/initramfs.cpio" "$dir"
		rc=$? again=", booted twice: the first boot panicked before the suite (console-first-boot.log)"
	fi
	rm -f "$dir/initramfs.cpio"
	split_results "$dir"
	mv "$dir/results.raw" "$OUT/$krel.log"
	read -r p f s <<<"$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$dir/summary.log" 2>/dev/null | tail -n 1 |
		sed -E 's/^([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/')"
	if [ -z "$p" ]; then
		p=0 f=1
		status="no results: qemu exit $rc$([ "$rc" -eq 124 ] && echo ", timed out after $TIMEOUT s"); see $dir/console.log"
	elif [ "$((p + f))" -eq 0 ] && [ -z "${VMTEST_ONLY:-}" ]; then
		f=1 status="no test ran; see $dir/console.log"
	else
		status="$p passed, $f failed${s:+, $s skipped}$again"
	fi
	{
		printf '%s %-24s %s %s: %s (%d s)\n' "$([ "$f" -eq 0 ] && echo 'ok  ' || echo FAIL)" \
			"$krel" "$pkg" "$ver" "$status" $((SECONDS - start))
		# The failed tests' lines from the guest's summary, each with its first reasons.
		awk '/^(FAIL|note) / { n = 0; print; next } /^     \| / && n < 5 { n++; print }' \
			"$dir/summary.log" 2>/dev/null | sed 's/^/     /'
		echo "     (log: $OUT/$krel.log; console and one log per test: $dir/)"
		echo "$p $f"
	} >"$RESULT"
}

mkdir -p "$OUT" || exit 1
[ "$(id -u)" -eq 0 ] || { say "error: needs root (apt-get, the cache in ${VMTEST_CACHE:-/var/cache/portcullis-vmtest})"; exit 1; }
deps || exit 1
[ -x "$O/portcullis" ] || { say "error: $O/portcullis does not exist: run make tests first"; exit 1; }
say "$ACCEL, $CPUS CPUs and $MEM MiB per VM, $JOBS at a time; kernels: $(echo $KERNELS)"
# The base archive is built while the first kernels are fetched (a minute each on a
# busy machine); each VM waits for it before booting.
rm -f "$OUT/base.cpio" "$OUT/base.failed"
{
	bash scripts/vmtest/initramfs.sh base "$OUT/base.tmp" 2>"$OUT/base.log" &&
		mv "$OUT/base.tmp" "$OUT/base.cpio" || touch "$OUT/base.failed"
} &
base_pid=$!
# VMs running, not counting the base builder.
vms() { jobs -rp | grep -cvx "$base_pid"; }

# The VMs, JOBS at a time; each writes its own result file.
rm -f "$OUT"/*.result
specs=($KERNELS)
for spec in "${specs[@]}"; do
	while [ "$(vms)" -ge "$JOBS" ]; do
		wait -n
	done
	one "$spec" &
done
wait

total_p=0 total_f=0
for spec in "${specs[@]}"; do
	r=$OUT/${spec//[^a-zA-Z0-9.+-]/_}.result
	if [ ! -s "$r" ]; then
		printf 'FAIL %-24s no result\n' "$spec"
		total_f=$((total_f + 1))
		continue
	fi
	head -n -1 "$r"
	read -r p f < <(tail -n 1 "$r")
	total_p=$((total_p + p)) total_f=$((total_f + f))
done
[ -e "$OUT/base.failed" ] && cat "$OUT/base.log" >&2
rm -f "$OUT/base.cpio" "$OUT/base.failed"
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ]
