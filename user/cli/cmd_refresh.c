// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `portcullis refresh IFACE [--every SECONDS]`: the running profile's host names
 * resolved again, and when an answer changed, the same profile reloaded atomically
 * with the new addresses.
 *
 * A refresh is a reload of the very text that was loaded: the profile is read again
 * from the path load_info records, and its digest must be the one recorded with the
 * generation (kern/host_record.h), or the refresh refuses (an edit is `load`'s to
 * apply, with its report). The same text compiles to the same rules, so the reload
 * carries every counter and keeps every flow; only the address maps differ. A name
 * that stopped resolving keeps the addresses recorded for it. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "compile/compile.h"
#include "core/iface.h"
#include "kern/attach.h"
#include "kern/confirm.h"
#include "kern/host_record.h"
#include "kern/pins.h"
#include "kern/snapshot.h"
#include "kern/state.h"
#include "profile/host_ttl.h"
#include "profile/hosts.h"

/* Another command may switch generations between the read and the lock: start over
 * on the new one, this many times at most. */
#define RETRIES 3

struct refresh {
	struct pc_iface i;
	char gdir[PATH_MAX]; /* the generation this refresh started from */
	struct pc_load_info li;
	struct pc_hosts last;	       /* what its host names resolved to */
	uint8_t sha256[PC_SHA256_LEN]; /* of its profile's text */
	struct pc_profile p;	       /* the profile read again, resolved now */
	struct pc_diags d;
	struct pc_image img;
};

static void refresh_free(struct refresh *r)
{
	pc_hosts_free(&r->last);
	pc_image_free(&r->img);
	pc_profile_free(&r->p);
	pc_diags_free(&r->d);
}

/* The committed generation, its load_info and its host names' record. */
static int read_running(struct refresh *r, struct pc_err *e)
{
	const char *n = r->i.name;

	if (pc_gen_current(&r->i, r->gdir, sizeof(r->gdir)))
		return pc_fail(e, 0, NULL,
			       "portcullis is not loaded on %s; load a profile with `portcullis "
			       "load %s PROFILE`",
			       n, n);
	if (pc_gen_load_info(r->gdir, &r->li, e))
		return -1;
	if (!pc_host_record_read(r->gdir, &r->last, r->sha256, e))
		return 0;
	if (errno == ENOENT || errno == EINVAL)
		return pc_usage(e,
				"the profile on %s was loaded without a record of its host names "
				"(by an older portcullis); run `portcullis load %s %s` once",
				n, n, r->li.profile);
	return -1;
}

/* The recorded profile, read and resolved again; refused when its text changed. */
static int read_again(struct refresh *r, struct pc_err *e)
{
	const char *n = r->i.name, *path = r->li.profile;
	int err = pc_profile_parse_keeping(path, &r->last, &r->p, &r->d);

	if (!err && !memcmp(r->p.sha256, r->sha256, PC_SHA256_LEN))
		return 0;
	if (err)
		pc_diags_print(&r->d, stderr);
	return pc_usage(e,
			"%s: the profile changed since it was loaded; run `portcullis load %s %s` "
			"to load it as it is now (nothing was changed on %s)",
			path, n, path, n);
}

/* Says what a name that resolves to nothing matches now; true when any answer
 * differs from the recorded one. */
static bool compare(const struct refresh *r)
{
	bool changed = false;

	for (size_t k = 0; k < r->p.hosts.n; k++) {
		const struct pc_host *h = &r->p.hosts.v[k], *was = pc_hosts_find(&r->last, h->name);
		const char *why = h->gai_err ? gai_strerror(h->gai_err) : "no A or AAAA record";
		char addrs[1024];

		if (h->kept)
			fprintf(stderr,
				"portcullis: warning: host name '%s' resolves to no address now "
				"(%s); it keeps its last addresses, %s\n",
				h->name, why, pc_host_addrs(h, addrs, sizeof(addrs)));
		else if (!h->n)
			fprintf(stderr,
				"portcullis: warning: host name '%s' still resolves to no address "
				"(%s); it matches nothing\n",
				h->name, why);
		if (!was || !pc_host_same(h, was))
			changed = true;
	}
	return changed;
}

/* The new image names its files as the loaded one did (a relative path stays one):
 * the same text, read through the absolute path load_info records. */
static void keep_file_names(struct refresh *r)
{
	struct pc_file_name *old = NULL;
	struct pc_err ignore;
	uint32_t n = 0;
	int fd = pc_pin_open(r->gdir, PC_PIN_FILES, &ignore);

	if (fd < 0)
		return;
	if (!pc_files_read(fd, &old, &n, &ignore) && n == r->img.n_files)
		memcpy(r->img.files, old, n * sizeof(*old));
	free(old);
	close(fd);
}

static void print_changes(const struct refresh *r)
{
	for (size_t k = 0; k < r->p.hosts.n; k++) {
		const struct pc_host *h = &r->p.hosts.v[k], *was = pc_hosts_find(&r->last, h->name);
		char a[1024], b[1024];

		if (was && pc_host_same(h, was))
			continue;
		printf("  %s: %s -> %s\n", h->name, was ? pc_host_addrs(was, a, sizeof(a)) : "-",
		       pc_host_addrs(h, b, sizeof(b)));
	}
}

static void report(const struct refresh *r, const struct pc_attach_result *res)
{
	const char *from = strrchr(r->gdir, '/') + 1;

	printf("portcullis: refreshed %s (%s -> %s): %u rule%s, counters carried over", r->i.name,
	       from, res->gen, res->carried_rules, res->carried_rules == 1 ? "" : "s");
	if (r->p.opt.state)
		printf(", %u flow%s kept", res->flows_kept, res->flows_kept == 1 ? "" : "s");
	printf("\n");
	print_changes(r);
	/* The text is the same: a rule added or removed would be a bug, not news. */
	if (res->n_added || res->n_removed)
		fprintf(stderr,
			"portcullis: warning: the refresh added %u and removed %u rules of the "
			"same text; please report this\n",
			res->n_added, res->n_removed);
}

/* Under the lock: the generation must still be the one read, and not await a
 * confirmation (whose rollback target a refresh would confuse). 1: start over. */
static int swap_locked(struct refresh *r, struct pc_err *e)
{
	struct pc_attach_opts ao = { .mode = PC_MODE_AUTO };
	struct pc_attach_result res = { 0 };
	char cur[PATH_MAX];
	struct pc_pending pend;
	int err;

	if (pc_settle(&r->i, e))
		return -1;
	if (pc_gen_current(&r->i, cur, sizeof(cur)) || strcmp(cur, r->gdir))
		return 1;
	if (!pc_pending_read(cur, &pend))
		return pc_usage(e,
				"the last load on %s awaits confirmation: run `portcullis confirm "
				"%s` first, or wait for the rollback; nothing was changed",
				r->i.name, r->i.name);
	err = pc_attach(&r->i, r->li.profile, &ao, &r->p, &r->img, &res, e);
	if (!err)
		report(r, &res);
	pc_attach_result_free(&res);
	return err;
}

/* What --every waits for: the smallest TTL of the names' DNS answers, and whose. */
struct ttl {
	bool known;
	uint32_t secs;
	char name[256];
};

static void shortest_ttl(const struct pc_hosts *h, struct ttl *t)
{
	for (size_t k = 0; k < h->n; k++) {
		uint32_t secs;

		if (pc_host_ttl(h->v[k].name, &secs) || (t->known && secs >= t->secs))
			continue;
		t->secs = secs;
		snprintf(t->name, sizeof(t->name), "%s", h->v[k].name);
		t->known = true;
	}
}

/* One refresh; 1 in *again when the generation moved under it. */
static int refresh_try(struct refresh *r, int *again, struct pc_err *e)
{
	int lock, err;

	*again = 0;
	pc_settle_if_idle(&r->i);
	if (read_running(r, e))
		return -1;
	if (!r->last.n) {
		printf("no change: the profile on %s names no host\n", r->i.name);
		return 0;
	}
	if (read_again(r, e))
		return -1;
	if (!compare(r)) {
		printf("no change\n");
		return 0;
	}
	if (pc_compile(&r->p, &r->img, &r->d)) {
		pc_diags_print(&r->d, stderr);
		return pc_usage(e,
				"%s no longer compiles with the new addresses; nothing was "
				"changed on %s",
				r->li.profile, r->i.name);
	}
	keep_file_names(r);
	if ((lock = pc_iface_lock(&r->i, false, e)) < 0)
		return -1;
	err = swap_locked(r, e);
	pc_iface_unlock(&r->i, lock);
	if (err == 1)
		*again = 1;
	return err < 0 ? -1 : 0;
}

/* A refresh; with ttl (not NULL), the shortest TTL of the names' answers. */
static int refresh_once(const char *ifname, struct ttl *ttl, struct pc_err *e)
{
	int again = 1, err = -1;

	for (int tries = 0; again && tries < RETRIES; tries++) {
		struct refresh r = { 0 };

		if (pc_iface_resolve(ifname, false, &r.i, e)) {
			refresh_free(&r);
			return -1;
		}
		err = refresh_try(&r, &again, e);
		if (!err && !again && ttl)
			shortest_ttl(&r.last, ttl);
		refresh_free(&r);
	}
	if (!err && again)
		return pc_fail(e, 0, NULL, "%s was reloaded %d times during the refresh; try again",
			       ifname, RETRIES);
	return err;
}

/* A switch in progress finishes before a signal ends the process: SIGINT and
 * SIGTERM wait while a refresh runs, and act in the sleep between two. */
static void hold_signals(bool hold)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &s, NULL);
}

static void sleep_s(uint64_t secs)
{
	struct timespec t = { .tv_sec = (time_t)secs };

	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

/* --every: refresh, sleep, again, until a signal; a failed refresh is reported and
 * the next one tried (the interface may be reloaded or loaded meanwhile). */
static int every(const char *ifname, uint64_t secs)
{
	for (;;) {
		struct pc_err e = { 0 };
		struct ttl ttl = { 0 };
		uint64_t delay;

		hold_signals(true);
		if (refresh_once(ifname, &ttl, &e))
			fprintf(stderr, "portcullis: error: %s\n", e.msg);
		hold_signals(false);
		delay = pc_refresh_delay(secs, ttl.known, ttl.secs);
		if (delay > secs)
			printf("next refresh in %" PRIu64 " s: the TTL of %s\n", delay, ttl.name);
		else
			printf("next refresh in %" PRIu64 " s\n", delay);
		fflush(stdout);
		sleep_s(delay);
	}
	return 0;
}

int pc_cli_refresh(int argc, char **argv, struct pc_err *e)
{
	struct pc_opt_value v[PC_OPTS_MAX];
	int op, err = pc_opts_parse(&pc_cmd_refresh, argc, argv, v, &op, e);

	if (err)
		return PC_CLI_DONE(err);
	if (argc - op != 1)
		return pc_cli_usage(&pc_cmd_refresh, e, "expected IFACE");
	if (pc_iface_check(argv[op], PC_IFACE_PRESENT, e))
		return -1;
	if (v[REFRESH_EVERY].set)
		return every(argv[op], v[REFRESH_EVERY].num);
	return refresh_once(argv[op], NULL, e);
}
