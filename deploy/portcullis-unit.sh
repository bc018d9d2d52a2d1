#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# What portcullis@IFACE.service runs (deploy/portcullis@.service.in): the profile of
# an interface at boot, and what the interface gets when that profile does not load.
#
#   portcullis-unit start IFACE    load CONFDIR/IFACE.conf; on success save it as the
#                                  last good one; on failure load the last good one,
#                                  else CONFDIR/fallback.conf, and exit non-zero
#   portcullis-unit reload IFACE   load CONFDIR/IFACE.conf over the running profile (an
#                                  atomic replace); on failure the running one stays
#   portcullis-unit stop IFACE     unload
#
# A profile that does not load must not leave the interface open: a boot that stops
# at a typo would otherwise expose every port until someone looks. So the unit fails
# (with the compiler's messages in the journal) but the interface is filtered, by the
# profile that last loaded or, on a first boot, by the management profile.
#
# The last good profile is a copy of CONFDIR as it was when IFACE.conf loaded
# (STATEDIR/IFACE/, loaded as STATEDIR/IFACE/IFACE.conf), so that its relative
# includes come along; an absolute include still reads the file where it is now.
# Environment (the defaults are what make install wrote): PORTCULLIS, the binary;
# PORTCULLIS_CONFDIR; STATE_DIRECTORY, which systemd sets from StateDirectory=.
set -u

PC=${PORTCULLIS:-@SBINDIR@/portcullis}
CONFDIR=${PORTCULLIS_CONFDIR:-@SYSCONFDIR@/portcullis}
# systemd may pass several, separated by colons; the unit names one.
STATEDIR=${STATE_DIRECTORY:-/var/lib/portcullis}
STATEDIR=${STATEDIR%%:*}

say() { echo "portcullis-unit: $*" >&2; }

usage()
{
	echo "usage: portcullis-unit start|reload|stop IFACE" >&2
	exit 2
}

[ $# -eq 2 ] || usage
cmd=$1 iface=$2
# portcullis checks the name itself before it touches a file; this is for the paths
# built from it here, which must stay inside CONFDIR and STATEDIR.
case $iface in
'' | . | .. | */* | -*) usage ;;
esac
profile=$CONFDIR/$iface.conf
good=$STATEDIR/$iface

# save: CONFDIR, as it loaded, becomes the last good copy. Written beside and renamed,
# so that a crash leaves the old copy or the new one, never half of one.
save()
{
	rm -rf "$good.new" "$good.old" &&
		mkdir -p "$good.new" &&
		cp -R "$CONFDIR/." "$good.new/" &&
		{ [ ! -e "$good" ] || mv "$good" "$good.old"; } &&
		mv "$good.new" "$good" &&
		rm -rf "$good.old" ||
		say "could not save $profile as the last good profile in $good"
}

case $cmd in
start)
	"$PC" load "$iface" "$profile"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		save
		exit 0
	fi
	say "$profile did not load (exit $rc): the interface must not stay open"
	# A crash between the two renames of save() leaves only the .old copy.
	for g in "$good" "$good.old"; do
		[ -f "$g/$iface.conf" ] || continue
		say "loading the last profile that loaded, saved in $g/$iface.conf"
		"$PC" load "$iface" "$g/$iface.conf" && exit "$rc"
	done
	if [ -f "$CONFDIR/fallback.conf" ]; then
		say "loading the management profile $CONFDIR/fallback.conf"
		"$PC" load "$iface" "$CONFDIR/fallback.conf" && exit "$rc"
	fi
	say "nothing loaded on $iface: it is as it was before this start"
	exit "$rc"
	;;
reload)
	"$PC" load "$iface" "$profile" || exit
	save
	;;
stop)
	exec "$PC" unload "$iface"
	;;
*)
	usage
	;;
esac
