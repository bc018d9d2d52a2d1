#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `mix --profile` predicts where each stream lands from the test bed bench and flood use: under state on (the default) a reply stream passes on its out rule, its flow seeded as bench seeds it.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1
PROFILE=profiles/spammertrap.conf
CHECKS=(mix_exit_0 mix_dns_reply mix_replies_pass default_mix_dns_reply state_off_replies)
. tests/e2e/lib.sh
[ "$(id -u)" -eq 0 ] || finish "mix --profile needs root for BPF_PROG_TEST_RUN"

"$PC_BIN" mix --profile "$PROFILE" --mix profile >"$tmp/mix" 2>"$tmp/err"
rc=$?
check mix_exit_0 "mix exited $rc: $(head -c 300 "$tmp/err")" [ "$rc" -eq 0 ]
check mix_dns_reply "the DNS reply stream: $(grep '^l51-udp-53-reply ' "$tmp/mix")" \
	grep -qE '^l51-udp-53-reply +1 reply .*# PASS line 51$' "$tmp/mix"
# Every reply stream passes on the out rule of its line (lNN: the rule's line).
bad=$(awk '$3 == "reply" { split($1, l, "-"); if ($0 !~ ("# PASS line " substr(l[1], 2) "$")) print $1 }' "$tmp/mix")
replies=$(awk '$3 == "reply"' "$tmp/mix" | wc -l)
check mix_replies_pass "$replies reply streams, these not passed on their rule: $(echo $bad | head -c 300)" \
	eval '[ "$replies" -ge 10 ] && [ -z "$bad" ]'

"$PC_BIN" mix --profile "$PROFILE" >"$tmp/default" 2>&1
check default_mix_dns_reply "the default mix's dns-reply: $(grep '^dns-reply ' "$tmp/default")" \
	grep -qE '^dns-reply +10 reply .*# PASS line 51$' "$tmp/default"

# With state off the out rules pass replies by themselves: nothing to seed.
sed 's/^set state on/set state off/' "$PROFILE" >"$tmp/off.conf"
grep -q '^set state off' "$tmp/off.conf" || echo 'set state off' >>"$tmp/off.conf"
"$PC_BIN" mix --profile "$tmp/off.conf" --mix profile >"$tmp/off" 2>&1
check state_off_replies "state off, the DNS reply stream: $(grep '^l51-udp-53-reply ' "$tmp/off" | head -c 300)" \
	grep -qE '^l51-udp-53-reply +1 reply .*# PASS line 51$' "$tmp/off"
finish
