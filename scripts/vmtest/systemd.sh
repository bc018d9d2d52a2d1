#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make vmtest-systemd`: the package's portcullis@eth0.service under a real systemd, in
# a Debian 12 guest booted under qemu with a NIC (docs/testing.md, "The unit, for real").
#
#   scripts/vmtest/systemd.sh [DEB]
#
# DEB is the package to install (default: the newest O/deb/portcullis_*.deb, which
# `make vmtest-systemd` builds first with `make deb`). Steps:
#
# 1. the kernel: Debian 12's own (VMTEST_SYSTEMD_KERNEL, bookworm:linux-image-amd64),
#    through scripts/vmtest/kernel.sh;
# 2. the root: scripts/debroot.sh's minbase tarball with systemd-sysv, udev, iproute2
#    and a few tools apt-get installs in a chroot, the kernel's modules, systemd-networkd
#    for eth0 (DHCP); cached as VMTEST_CACHE/systemd-root-KEY.tar, KEY a hash of what it
#    is made of (the debroot tarball, the package list, the kernel, this recipe);
# 3. the disk: that root with DEB installed (dpkg -i in a chroot without network),
#    tests/vm/systemd/'s profiles, checks and units, portcullis@eth0 enabled; an ext4
#    image made by mkfs.ext4 -d (no loop mount), cached as
#    VMTEST_CACHE/systemd-disk-KEY.img (the newest only), KEY adding DEB and
#    tests/vm/systemd/; each run boots a copy in O/vmtest-systemd/;
# 4. the initramfs: tests/vm/systemd/init, the host's sh, mount, insmod and
#    switch_root, and the modules the root needs (virtio_pci, virtio_blk, crc32c, ext4);
# 5. the boots: `-kernel` with `net.ifnames=0`, the disk on virtio, a virtio NIC on qemu's
#    user network (SLIRP: its DHCP server answers; nothing leaves this machine), console
#    on the first serial port, the checks' lines on the second. tests/vm/systemd/check.sh
#    runs after each boot and powers the VM off; the next boot of the same disk is the
#    reboot. Boot 1: the unit before the network, real frames counted and dropped,
#    reload, the confirm timer, systemd-analyze verify; boot 2: a broken eth0.conf;
#    boot 3: no last good copy either.
#
# Prints every check's line and last "N passed, N failed, N skipped"; exits 1 when a
# check failed or a boot did not end. Logs in O/vmtest-systemd/: console-N.log,
# results-N.log (the checks with their diagnostics), build.log.
#
# Settings: VMTEST_CACHE (/var/cache/portcullis-vmtest), VMTEST_SYSTEMD_KERNEL,
# VMTEST_SYSTEMD_BOOTS (3), VMTEST_SYSTEMD_TIMEOUT (seconds per boot, 300), VMTEST_MEM
# (MiB, 1024), VMTEST_CPUS (2), VMTEST_SYSTEMD_APPEND (added to the kernel's command
# line; vmcheck.confirm=run runs the confirm check without settle), O (build).
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
O=${O:-build}
OUT=$O/vmtest-systemd
CACHE=${VMTEST_CACHE:-/var/cache/portcullis-vmtest}
KERNEL=${VMTEST_SYSTEMD_KERNEL:-bookworm:linux-image-amd64}
BOOTS=${VMTEST_SYSTEMD_BOOTS:-3}
TIMEOUT=${VMTEST_SYSTEMD_TIMEOUT:-300}
MEM=${VMTEST_MEM:-1024}
CPUS=${VMTEST_CPUS:-2}
# What the root gets on top of minbase: systemd as init, udev for the device unit the
# unit binds to, kmod (the kernel's modprobe: without it nothing is loaded on demand,
# tcp_diag among them, and load fails listing sockets), dbus (systemd-run and
# transient units; any real install has it), the tools the checks use.
PACKAGES=(systemd-sysv udev kmod dbus iproute2 iputils-ping procps jq)
# Units of the root that cost boot time under emulation and play no part here.
MASKED=(systemd-logind.service getty@tty1.service e2scrub_reap.service apt-daily.timer
	apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer fstrim.timer)
# The modules the initramfs loads to mount the root; ext4 wants crc32c (a softdep).
INITRD_MODULES=(virtio_pci virtio_blk crc32c_generic ext4)

say() { echo "vmtest-systemd: $*" >&2; }
die() { say "error: $*"; exit 1; }

deps()
{
	local missing=()

	command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
	command -v cpio >/dev/null || missing+=(cpio)
	command -v insmod >/dev/null || missing+=(kmod)
	command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
	command -v switch_root >/dev/null || missing+=(util-linux)
	command -v debootstrap >/dev/null || missing+=(debootstrap)
	[ ${#missing[@]} -eq 0 ] && return 0
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		-o DPkg::Lock::Timeout=600 "${missing[@]}" >"$OUT/apt.log" 2>&1 ||
		die "apt-get install ${missing[*]} failed: $(tail -n 3 "$OUT/apt.log")"
}

# in_root ROOT CMD...: CMD chrooted into ROOT, with /proc, /sys and /dev mounted in a
# mount namespace of its own (they go when it ends; nothing stays mounted here), and
# with IN_ROOT_NONET set in a network namespace of its own too (no network).
in_root()
{
	local root=$1
	shift
	unshare --mount --propagation private ${IN_ROOT_NONET:+--net} -- sh -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount -t sysfs sysfs "$r/sys" &&
			mount --rbind /dev "$r/dev" || exit 1
		exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
			DEBIAN_FRONTEND=noninteractive "$@"' sh "$root" "$@"
}

# make_root ROOT KDIR KREL: the Debian 12 root with systemd, without portcullis.
make_root()
{
	local root=$1 kdir=$2 krel=$3

	bash scripts/debroot.sh "$root" || return 1
	cp /etc/resolv.conf "$root/etc/resolv.conf" || return 1
	# Nothing starts in the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d" && chmod 755 "$root/usr/sbin/policy-rc.d"
	in_root "$root" apt-get -q update || return 1
	in_root "$root" apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" || return 1
	in_root "$root" apt-get clean
	rm -rf "$root"/var/lib/apt/lists/* "$root/usr/sbin/policy-rc.d"
	# The kernel's modules, as its package would have put them.
	mkdir -p "$root/usr/lib/modules" && cp -a "$kdir/lib/modules/$krel" "$root/usr/lib/modules/" || return 1
	printf '/dev/vda / ext4 rw,errors=remount-ro 0 0\n' >"$root/etc/fstab"
	echo vmtest >"$root/etc/hostname"
	printf '127.0.0.1 localhost\n127.0.1.1 vmtest\n::1 localhost\n' >"$root/etc/hosts"
	# A machine id: without one systemd takes the boot for a first boot (firstboot
	# prompts on the console).
	tr -dc 0-9a-f </dev/urandom | head -c 32 >"$root/etc/machine-id" && echo >>"$root/etc/machine-id"
	passwd -R "$root" -d root >/dev/null
	# The journal on disk, to read a boot from the next one.
	mkdir -p "$root/var/log/journal"
	in_root "$root" systemctl enable systemd-networkd.service || return 1
	# What takes seconds under emulation and nothing here needs: logins, a VT, the
	# periodic jobs.
	in_root "$root" systemctl mask "${MASKED[@]}" || return 1
	: >"$root/etc/resolv.conf"
}

# make_disk ROOT DEB IMG: the package and the checks in ROOT, then ROOT as an ext4 image.
make_disk()
{
	local root=$1 deb=$2 img=$3 t=tests/vm/systemd size

	cp "$deb" "$root/tmp/portcullis.deb" || return 1
	# Offline, as on an appliance: the package needs nothing that is not there.
	IN_ROOT_NONET=1 in_root "$root" dpkg -i /tmp/portcullis.deb || return 1
	rm -f "$root/tmp/portcullis.deb"
	install -m 0644 "$t/eth0.conf" "$root/etc/portcullis/eth0.conf" &&
		install -m 0644 "$t/other.conf" "$root/etc/portcullis/other.conf" &&
		install -D -m 0644 "$t/eth0.network" "$root/etc/systemd/network/20-eth0.network" &&
		install -D -m 0755 "$t/check.sh" "$root/usr/local/libexec/vmcheck/check.sh" &&
		install -D -m 0644 "$t/vmcheck.service" "$root/etc/systemd/system/vmcheck.service" || return 1
	in_root "$root" systemctl enable portcullis@eth0.service vmcheck.service || return 1
	# The files' size and room for the journal and the checks.
	size=$(($(du -sm "$root" | cut -f 1) + 512))
	rm -f "$img"
	mkfs.ext4 -q -F -L vmtest -d "$root" "$img" "${size}M"
}

# make_initramfs KDIR KREL OUT: /init, the tools it runs and the root's modules.
make_initramfs()
{
	local kdir=$1 krel=$2 out=$3 root moddir m p d bins

	moddir=$kdir/lib/modules/$krel
	root=$(mktemp -d) || return 1
	mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,proc,sys,dev,modules} || return 1
	for d in bin sbin lib lib64; do
		ln -s "usr/$d" "$root/$d"
	done
	bins=(/usr/bin/dash /usr/bin/mount /usr/sbin/insmod /usr/bin/sleep /usr/sbin/switch_root /usr/bin/mkdir)
	{
		printf '%s\n' "${bins[@]}"
		ldd "${bins[@]}" 2>/dev/null | grep -oE '/[^ ]+ \(0x' | sed 's/ (0x$//'
	} | sed 's|^/lib|/usr/lib|' | sort -u | sed 's|^/||' |
		tar -C / -chf - --files-from - | tar -C "$root" -xf - || return 1
	ln -s dash "$root/usr/bin/sh"
	install -m 0755 tests/vm/systemd/init "$root/init" || return 1
	# Each module after what it depends on: modules.dep lists a module's dependencies
	# so that loading them from the last to the first works (as modprobe does).
	for m in "${INITRD_MODULES[@]}"; do
		p=$(awk -F: -v n="$m" '{ b = $1; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b)
			gsub(/-/, "_", b); if (b == n) { print $1; exit } }' "$moddir/modules.dep")
		[ -n "$p" ] || { grep -q "/$m.ko" "$moddir/modules.builtin" && continue; say "no module $m in $krel"; return 1; }
		grep -m 1 "^$p:" "$moddir/modules.dep" | cut -d: -f2 | tr ' ' '\n' | sed '/^$/d' | tac
		echo "$p"
	done | awk '!seen[$0]++' >"$root/modules/paths"
	while read -r p; do
		cp "$moddir/$p" "$root/modules/" || return 1
		basename "$p"
	done <"$root/modules/paths" >"$root/modules/order"
	rm -f "$root/modules/paths"
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) >"$out"
	rm -rf "$root"
}

# boot N: one boot of the disk, to its end or the timeout.
boot()
{
	local n=$1 accel=tcg,thread=multi cpu=max

	[ -w /dev/kvm ] && accel=kvm cpu=host
	rm -f "$OUT/console-$n.log" "$OUT/results-$n.log"
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 -nodefaults -no-reboot -display none \
		-accel "$accel" -cpu "$cpu" -smp "$CPUS" -m "$MEM" \
		-kernel "$KDIR/vmlinuz" -initrd "$OUT/initramfs.cpio" \
		-append "console=ttyS0 root=/dev/vda rw net.ifnames=0 panic=-1 loglevel=4 mitigations=off ${VMTEST_SYSTEMD_APPEND:-}" \
		-drive "file=$OUT/disk.img,format=raw,if=virtio,cache=unsafe" \
		-nic user,model=virtio-net-pci \
		-serial "file:$OUT/console-$n.log" -serial "file:$OUT/results-$n.log" -monitor none \
		</dev/null >"$OUT/qemu-$n.log" 2>&1
}

[ "$(id -u)" -eq 0 ] || die "needs root (chroot, dpkg in the image's root, the cache in $CACHE)"
mkdir -p "$OUT" "$CACHE" || exit 1
deps
start=$SECONDS

DEB=${1:-$(ls -t "$O"/deb/portcullis_*.deb 2>/dev/null | head -n 1)}
[ -n "$DEB" ] && [ -s "$DEB" ] || die "no package in $O/deb/: run make deb (make vmtest-systemd does)"

read -r KPKG KVER KREL KDIR < <(bash scripts/vmtest/kernel.sh "$KERNEL" 2>"$OUT/kernel.log") ||
	die "the kernel $KERNEL: $(tail -n 3 "$OUT/kernel.log")"
[ -n "${KDIR:-}" ] || die "the kernel $KERNEL: $(tail -n 3 "$OUT/kernel.log")"
say "$KPKG $KVER ($KREL), $(basename "$DEB")"

# The caches, keyed by what goes into them.
# The root test_deb installs in, with the package's libraries (its cache is named
# after their list, so a new library makes a new one).
debroot=$(bash scripts/debroot.sh --tarball 2>"$OUT/build.log") ||
	die "scripts/debroot.sh failed: $(tail -n 3 "$OUT/build.log")"
root_key=$({ sha256sum <"$debroot"; echo "${PACKAGES[*]} ${MASKED[*]} $KPKG $KVER"; declare -f make_root in_root; } | sha256sum | cut -c 1-16)
root_tar=$CACHE/systemd-root-$root_key.tar
disk_key=$({ echo "$root_key"; sha256sum <"$DEB"; cat tests/vm/systemd/*; declare -f make_disk; } | sha256sum | cut -c 1-16)
disk_img=$CACHE/systemd-disk-$disk_key.img

exec 9>"$CACHE/systemd.lock"
flock 9 || die "cannot lock $CACHE/systemd.lock"
: >"$OUT/build.log"
if [ ! -s "$root_tar" ]; then
	t=$SECONDS
	say "making the Debian 12 root with systemd ($(basename "$root_tar"); once per kernel and package list)"
	work=$(mktemp -d "$CACHE/.root.XXXXXX") || exit 1
	if ! make_root "$work/root" "$KDIR" "$KREL" >>"$OUT/build.log" 2>&1; then
		rm -rf "$work"
		die "making the root failed; $OUT/build.log: $(tail -n 5 "$OUT/build.log")"
	fi
	tar -C "$work/root" -cf "$root_tar.tmp" . && mv "$root_tar.tmp" "$root_tar" || die "writing $root_tar failed"
	rm -rf "$work"
	for f in "$CACHE"/systemd-root-*.tar; do [ "$f" = "$root_tar" ] || rm -f "$f"; done
	say "root made in $((SECONDS - t)) s"
fi
if [ ! -s "$disk_img" ]; then
	t=$SECONDS
	say "making the disk image ($(basename "$disk_img"))"
	work=$(mktemp -d "$CACHE/.disk.XXXXXX") || exit 1
	if ! { mkdir "$work/root" && tar -C "$work/root" -xf "$root_tar" &&
		make_disk "$work/root" "$DEB" "$work/disk.img"; } >>"$OUT/build.log" 2>&1; then
		rm -rf "$work"
		die "making the disk failed; $OUT/build.log: $(tail -n 5 "$OUT/build.log")"
	fi
	mv "$work/disk.img" "$disk_img" && rm -rf "$work"
	# The newest disk only: each is a GiB or so.
	for f in "$CACHE"/systemd-disk-*.img; do [ "$f" = "$disk_img" ] || rm -f "$f"; done
	say "disk made in $((SECONDS - t)) s"
fi
make_initramfs "$KDIR" "$KREL" "$OUT/initramfs.cpio" >>"$OUT/build.log" 2>&1 ||
	die "the initramfs: $(tail -n 3 "$OUT/build.log")"
cp --sparse=always "$disk_img" "$OUT/disk.img" || die "copying $disk_img failed"
flock -u 9
say "image ready in $((SECONDS - start)) s; booting it $BOOTS times ($([ -w /dev/kvm ] && echo KVM || echo TCG), $CPUS CPUs, $MEM MiB, at most $TIMEOUT s each)"

passed=0 failed=0 skipped=0
for n in $(seq 1 "$BOOTS"); do
	t=$SECONDS
	boot "$n"
	rc=$?
	tr -d '\r' <"$OUT/results-$n.log" 2>/dev/null | grep -E '^(ok|FAIL|skip) ' >"$OUT/checks-$n"
	cat "$OUT/checks-$n"
	passed=$((passed + $(grep -c '^ok ' "$OUT/checks-$n")))
	failed=$((failed + $(grep -c '^FAIL ' "$OUT/checks-$n")))
	skipped=$((skipped + $(grep -c '^skip ' "$OUT/checks-$n")))
	if ! tr -d '\r' <"$OUT/results-$n.log" 2>/dev/null | grep -qx "end boot$n"; then
		echo "FAIL boot$n: did not end (qemu exit $rc$([ "$rc" -eq 124 ] && echo ", timed out after $TIMEOUT s")); see $OUT/console-$n.log"
		tr -d '\r' <"$OUT/console-$n.log" 2>/dev/null | tail -n 5 | sed 's/^/     | /'
		failed=$((failed + 1))
		rm -f "$OUT/checks-$n"
		break
	fi
	rm -f "$OUT/checks-$n"
	say "boot $n: $((SECONDS - t)) s"
done
# The disk of a run that failed stays, to look into (debugfs, or boot it again).
[ "$failed" -eq 0 ] && rm -f "$OUT/disk.img"
say "total $((SECONDS - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
