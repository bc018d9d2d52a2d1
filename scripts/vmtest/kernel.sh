#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Resolves one kernel of `make vmtest` to an exact Debian package and version, downloads
# it with `apt-get download` and unpacks it into the cache, once per exact version.
#
#   scripts/vmtest/kernel.sh [RELEASE:]PACKAGE
#
# PACKAGE is a package name or a glob (`linux-image-6.12.*+deb12-amd64`: the newest
# match); a package that depends on a `linux-image-*` package (the metapackage
# `linux-image-amd64`) stands for that one. RELEASE is bullseye, bookworm or trixie
# (Debian 11, 12, 13); without it the first of bookworm, trixie, bullseye that has the
# package is taken. Each release is read with its -security and -updates suites, as an
# appliance that takes updates runs it; RELEASE-backports (trixie-backports) reads that
# suite alone.
#
# The release's package lists live in a private apt state under the cache, passed with
# apt's -o options: this never touches the system's apt configuration, and works for
# suites the machine is not configured for. Lists are refreshed when older than
# VMTEST_LISTS_AGE minutes (default 360); when the archive cannot be reached, the lists
# and packages already cached are used.
#
# Prints one line on stdout: PACKAGE VERSION KERNEL-RELEASE DIR, where DIR holds
# vmlinuz, config and lib/modules/KERNEL-RELEASE. Progress goes to stderr. VMTEST_CACHE
# (default /var/cache/portcullis-vmtest) is the cache.
set -uo pipefail

CACHE=${VMTEST_CACHE:-/var/cache/portcullis-vmtest}
MIRROR=${VMTEST_MIRROR:-http://deb.debian.org/debian}
SECURITY_MIRROR=${VMTEST_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
RELEASES=(bookworm trixie bullseye)

say() { echo "kernel.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

# apt_opts RELEASE: the -o options that point apt at the release's private state.
apt_opts()
{
	local d=$CACHE/apt/$1

	APT_OPTS=(-o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/parts"
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache"
		-o "Dir::State::status=$d/status" -o "APT::Architecture=amd64")
}

# keyring_covers RELEASE: whether debian-archive-keyring holds the release's keys. apt
# would refuse the lists anyway; this says why, and what to install.
keyring_covers()
{
	[ -e "/usr/share/keyrings/debian-archive-$1-stable.gpg" ] && return 0
	say "error: $KEYRING does not cover $1 (no /usr/share/keyrings/debian-archive-$1-stable.gpg):" \
		"install a newer debian-archive-keyring (apt-get install debian-archive-keyring)"
	return 1
}

# lists_fresh RELEASE: the release's lists exist and are younger than VMTEST_LISTS_AGE.
lists_fresh()
{
	local stamp=$CACHE/apt/$1/updated

	[ -e "$stamp" ] && [ -z "$(find "$stamp" -mmin +"${VMTEST_LISTS_AGE:-360}")" ]
}

# update_lists RELEASE: writes the private sources list and refreshes the lists.
update_lists()
{
	local rel=$1 d=$CACHE/apt/$1 s

	lists_fresh "$rel" && return 0
	keyring_covers "${rel%-backports}" || return 1
	mkdir -p "$d/parts" "$d/lists/partial" "$d/cache/archives/partial" || return 1
	touch "$d/status"
	if [[ $rel == *-backports ]]; then
		# Alone: beside its release, apt would never take a backport as candidate.
		echo "deb [signed-by=$KEYRING] $MIRROR $rel main" >"$d/sources.list"
	else
		{
			for s in "$rel" "$rel-updates"; do
				echo "deb [signed-by=$KEYRING] $MIRROR $s main"
			done
			echo "deb [signed-by=$KEYRING] $SECURITY_MIRROR $rel-security main"
		} >"$d/sources.list"
	fi
	apt_opts "$rel"
	say "reading the package lists of $rel ($(awk '{ printf "%s%s", sep, $4; sep = ", " }' "$d/sources.list"))"
	if apt-get "${APT_OPTS[@]}" -q update >"$d/update.log" 2>&1 &&
		! grep -qE '^(W|E): ' "$d/update.log"; then
		touch "$d/updated"
		return 0
	fi
	if [ -e "$d/updated" ]; then
		say "warning: could not refresh $rel's lists ($(grep -m 1 -E '^(W|E): ' "$d/update.log")); using the cached ones"
		return 0
	fi
	say "error: could not read $rel's package lists:"
	grep -E '^(W|E|Err):? ' "$d/update.log" | head -n 5 >&2
	return 1
}

# candidate RELEASE PACKAGE: the version apt would install from the release, or nothing.
candidate()
{
	apt_opts "$1"
	apt-cache "${APT_OPTS[@]}" policy "$2" 2>/dev/null |
		sed -n 's/^ *Candidate: //p' | grep -v '(none)'
}

# newest_match RELEASE GLOB: the package matching GLOB with the newest candidate version.
newest_match()
{
	local rel=$1 glob=$2 prefix name ver best= bestv=

	apt_opts "$rel"
	prefix=${glob%%[*?[]*}
	while read -r name; do
		# shellcheck disable=SC2053 # GLOB is a pattern on purpose
		[[ $name == $glob ]] || continue
		ver=$(candidate "$rel" "$name")
		[ -n "$ver" ] || continue
		if [ -z "$best" ] || dpkg --compare-versions "$ver" gt "$bestv"; then
			best=$name bestv=$ver
		fi
	done < <(apt-cache "${APT_OPTS[@]}" pkgnames "$prefix" 2>/dev/null)
	[ -n "$best" ] && echo "$best"
}

# image_of RELEASE PACKAGE: the linux-image package PACKAGE depends on (a metapackage's
# kernel), or PACKAGE itself.
image_of()
{
	local dep

	apt_opts "$1"
	dep=$(apt-cache "${APT_OPTS[@]}" show "$2=$(candidate "$1" "$2")" 2>/dev/null |
		sed -n 's/^Depends: //p' | head -n 1 | tr ',' '\n' |
		sed -n 's/^ *\(linux-image-[^ |]*\).*/\1/p' | head -n 1)
	echo "${dep:-$2}"
}

# resolve SPEC: sets REL, PKG, VER.
resolve()
{
	local spec=$1 rels rel name

	if [[ $spec == *:* ]]; then
		rels=("${spec%%:*}") name=${spec#*:}
	else
		rels=("${RELEASES[@]}") name=$spec
	fi
	for rel in "${rels[@]}"; do
		case $rel in
		bullseye | bookworm | trixie | bullseye-backports | bookworm-backports | trixie-backports) ;;
		*) die "unknown release '$rel' in '$spec': use bullseye, bookworm or trixie (or RELEASE-backports)" ;;
		esac
		update_lists "$rel" || continue
		PKG=$name
		[[ $name == *[*?[]* ]] && PKG=$(newest_match "$rel" "$name")
		[ -n "$PKG" ] && [ -n "$(candidate "$rel" "$PKG")" ] || continue
		PKG=$(image_of "$rel" "$PKG")
		VER=$(candidate "$rel" "$PKG")
		[ -n "$VER" ] || continue
		REL=$rel
		return 0
	done
	die "no package '$name' in ${rels[*]} (amd64, main); list candidates with" \
		"apt-cache pkgnames linux-image- on a machine configured for that release"
}

# parts: PKG, and the packages newer kernels split it into (linux-binary-*, the image,
# and linux-modules-*), which the image package depends on at its own version.
parts()
{
	apt_opts "$REL"
	echo "$PKG"
	apt-cache "${APT_OPTS[@]}" show "$PKG=$VER" 2>/dev/null | sed -n 's/^Depends: //p' | head -n 1 |
		tr ',' '\n' | sed -n 's/^ *\(linux-\(binary\|modules\)-[^ |]*\) (= .*/\1/p'
}

# fetch: downloads each part at VER into the cache unless it is there. Sets DEBS.
fetch()
{
	local part deb tmpd

	DEBS=()
	mkdir -p "$CACHE/debs" || return 1
	for part in $(parts); do
		deb=$CACHE/debs/${part}_${VER//:/%3a}_amd64.deb
		DEBS+=("$deb")
		[ -s "$deb" ] && continue
		tmpd=$(mktemp -d "$CACHE/debs/.dl.XXXXXX") || return 1
		# apt downloads as the unprivileged _apt user: let it write there.
		chown _apt "$tmpd" 2>/dev/null
		apt_opts "$REL"
		say "downloading $part $VER from $REL"
		(cd "$tmpd" && apt-get "${APT_OPTS[@]}" -q download "$part=$VER") >"$tmpd/log" 2>&1 || {
			say "error: apt-get download $part=$VER failed:"
			tail -n 5 "$tmpd/log" >&2
			rm -rf "$tmpd"
			return 1
		}
		mv "$tmpd"/*.deb "$deb" && rm -rf "$tmpd" || return 1
	done
}

# unpack: the kernel image and its modules, once per exact version. Sets DIR, KREL.
unpack()
{
	local tmpd deb

	DIR=$CACHE/kernels/${PKG}_$VER
	if [ ! -e "$DIR/.done" ]; then
		rm -rf "$DIR" && mkdir -p "$DIR" || return 1
		tmpd=$DIR/.x
		for deb in "${DEBS[@]}"; do
			say "unpacking $(basename "$deb")"
			dpkg-deb -x "$deb" "$tmpd" || return 1
		done
		mv "$tmpd"/boot/vmlinuz-* "$DIR/vmlinuz" 2>/dev/null ||
			mv "$tmpd"/usr/lib/linux*/vmlinuz* "$DIR/vmlinuz" 2>/dev/null ||
			mv "$(find "$tmpd" -name 'vmlinuz*' -type f | head -n 1)" "$DIR/vmlinuz" || return 1
		# The configuration, to look up what the kernel was built with.
		mv "$(find "$tmpd" -name 'config-*' -type f | head -n 1)" "$DIR/config" 2>/dev/null
		mkdir -p "$DIR/lib" && mv "$tmpd"/lib/modules "$DIR/lib/" 2>/dev/null ||
			mv "$tmpd"/usr/lib/modules "$DIR/lib/" || return 1
		rm -rf "$tmpd"
		KREL=$(basename "$(ls -d "$DIR"/lib/modules/*/ | head -n 1)")
		# The package leaves modules.dep to its postinst: make it as depmod would there.
		depmod -b "$DIR" "$KREL" || return 1
		touch "$DIR/.done"
	fi
	KREL=$(basename "$(ls -d "$DIR"/lib/modules/*/ | head -n 1)")
	[ -n "$KREL" ] && [ -s "$DIR/vmlinuz" ] && [ -s "$DIR/lib/modules/$KREL/modules.dep" ]
}

[ $# -eq 1 ] || die "usage: $0 [RELEASE:]PACKAGE"
mkdir -p "$CACHE" || die "cannot create $CACHE"
# One at a time: parallel VMs resolve their kernels through the same apt state.
exec 9>"$CACHE/lock"
flock 9 || die "cannot lock $CACHE/lock"
resolve "$1"
fetch || exit 1
unpack || die "unpacking ${DEBS[*]} failed"
echo "$PKG $VER $KREL $DIR"
