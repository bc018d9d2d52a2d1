// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Streams sampled drop events from the pinned ring buffer, naming the rule that
 * dropped each frame and decoding its first bytes. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "core/iface.h"
#include "core/json.h"
#include "core/rule_text.h"
#include "kern/footprint.h"
#include "kern/pins.h"
#include "kern/snapshot.h"
#include "kern/state.h"
#include "observe/decode.h"
#include "observe/log.h"
#include "observe/outcome.h"
#include "observe/pcapng.h"

/* How often to look whether a reload replaced the program (and its ring). */
#define RELOAD_CHECK_NS 1000000000LL
#define POLL_MS 250

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* What one interface's pins say: the ring, and the rules to name counters with. */
struct source {
	int events_fd;
	uint32_t events_id;
	char gdir[PATH_MAX];
	uint64_t lost; /* events lost to a full ring, as last read */
	bool has_lost; /* the program counts them */
	struct pc_load_info load;
	struct pc_rule_info *rules;
	uint32_t n_rules;
};

struct follower {
	const char *ifname;
	struct pc_iface iface;
	const struct pc_log_opts *opts;
	FILE *out;
	struct source src;
	long seen;
	long long real_minus_mono; /* converts bpf_ktime_get_ns() to wall time */
	long long start_mono;	   /* events from before this are backlog */
	int write_err;		   /* -errno of a failed pcapng write: stop */
};

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void source_close(struct source *s)
{
	if (s->events_fd >= 0)
		close(s->events_fd);
	free(s->rules);
	memset(s, 0, sizeof(*s));
	s->events_fd = -1;
}

static int map_id(int fd, uint32_t *id)
{
	struct bpf_map_info mi = {};
	uint32_t len = sizeof(mi);

	if (bpf_obj_get_info_by_fd(fd, &mi, &len))
		return -errno;
	*id = mi.id;
	return 0;
}

static int source_open(const struct pc_iface *i, struct source *s, struct pc_err *e)
{
	const char *ifname = i->name;
	char gdir[PATH_MAX];
	int err = -1;

	memset(s, 0, sizeof(*s));
	s->events_fd = -1;
	if (pc_gen_current(i, gdir, sizeof(gdir))) {
		pc_fail(e, 0, NULL,
			"portcullis is not loaded on %s; load a profile with `portcullis load %s "
			"PROFILE`",
			ifname, ifname);
		goto out;
	}
	if (pc_gen_rules_read(gdir, &s->load, &s->rules, e))
		goto out;
	s->n_rules = s->load.n_rules;
	snprintf(s->gdir, sizeof(s->gdir), "%s", gdir);
	s->has_lost = !pc_log_lost_read(gdir, &s->lost);
	s->events_fd = pc_pin_open(gdir, PC_PIN_EVENTS, e);
	if (s->events_fd < 0)
		goto out;
	if ((err = map_id(s->events_fd, &s->events_id))) {
		pc_fail(e, -err, NULL, "reading the id of the events map of %s", ifname);
		goto out;
	}
	err = 0;
out:
	if (err)
		source_close(s);
	return err ? -1 : 0;
}

/* "no-match", or `line 42 drop in from internet tcp port 22 "ssh"`. */
static void counter_text(uint32_t counter, const struct pc_rule_info *rules, uint32_t n_rules,
			 char *buf, size_t n)
{
	const struct pc_rule_info *r;
	char text[512];
	uint32_t id;

	if (counter < PC_CNT_IMPLICIT) {
		snprintf(buf, n, "%s", pc_implicit_name(counter));
		return;
	}
	id = counter - PC_CNT_IMPLICIT;
	if (id >= n_rules) {
		snprintf(buf, n, "rule %u", id); /* the pins changed under us */
		return;
	}
	r = &rules[id];
	snprintf(buf, n, "line %u %s", r->line, pc_rule_text(r, text, sizeof(text)));
}

static void time_text(long long wall_ns, char *buf, size_t n)
{
	time_t t = (time_t)(wall_ns / 1000000000LL);
	int ms = (int)(wall_ns % 1000000000LL / 1000000);
	char date[40];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, n, "%s.%03d", date, ms);
}

/* A decoded field, or null where the frame has none. */
static struct json_object *int_or_null(bool has, int v)
{
	return has ? json_object_new_int(v) : NULL;
}

/* The event's members of o, after its timestamp and interface. */
static void event_json(struct json_object *o, const struct pc_log_event *ev, uint32_t snap,
		       const struct pc_rule_info *rules, uint32_t n_rules, const char *frame,
		       const struct pc_decoded *d)
{
	struct json_object *vlan = json_object_new_array();
	bool rule = ev->counter >= PC_CNT_IMPLICIT && ev->counter - PC_CNT_IMPLICIT < n_rules;
	char hex[2 * PC_LOG_SNAP + 1];

	pc_json_add_str(o, "counter",
			ev->counter < PC_CNT_IMPLICIT ? pc_implicit_key(ev->counter) : "rule");
	pc_json_add(o, "rule", rule ? pc_rule_json(&rules[ev->counter - PC_CNT_IMPLICIT]) : NULL);
	pc_json_add_str(o, "action", ev->action == XDP_DROP ? "drop" : "pass");
	pc_json_add_u64(o, "len", ev->len);
	pc_json_add_u64(o, "snap_len", snap);
	pc_json_add_str(o, "frame", frame);
	pc_json_add(o, "proto", pc_json_string_or_null(d->proto));
	pc_json_add(o, "src", pc_json_string_or_null(d->proto[0] ? d->src : ""));
	pc_json_add(o, "dst", pc_json_string_or_null(d->proto[0] ? d->dst : ""));
	pc_json_add(o, "src_port", int_or_null(d->sport >= 0, d->sport));
	pc_json_add(o, "dst_port", int_or_null(d->sport >= 0, d->dport));
	pc_json_add(o, "icmp_type", int_or_null(d->icmp_type >= 0, d->icmp_type));
	pc_json_add(o, "icmp_code", int_or_null(d->icmp_type >= 0, d->icmp_code));
	for (int i = 0; i < d->n_vlan && i < 2; i++)
		json_object_array_add(vlan, json_object_new_int(d->vlan[i]));
	pc_json_add(o, "vlan", vlan);
	for (uint32_t i = 0; i < snap; i++)
		snprintf(hex + 2 * i, 3, "%02x", ev->data[i]);
	hex[2 * snap] = 0;
	pc_json_add_str(o, "data", hex);
}

void pc_log_format(const struct pc_log_event *ev, size_t size, const struct pc_rule_info *rules,
		   uint32_t n_rules, long long wall_ns, bool json, const char *ifname, FILE *out)
{
	char when[64], who[512], frame[512];
	struct json_object *o = NULL;
	struct pc_decoded d;
	uint32_t snap = 0;

	if (size >= sizeof(*ev)) {
		/* The ring is shared with the kernel: believe no length beyond the buffer. */
		snap = ev->snap_len < PC_LOG_SNAP ? ev->snap_len : PC_LOG_SNAP;
		pc_decode(ev->data, snap, ev->len, frame, sizeof(frame), &d);
	}
	if (json) {
		o = json_object_new_object();
		pc_json_add(o, "timestamp", pc_json_time(wall_ns));
		pc_json_add_str(o, "interface", ifname);
		if (size >= sizeof(*ev)) {
			event_json(o, ev, snap, rules, n_rules, frame, &d);
		} else {
			pc_json_add_str(o, "error", "short event");
			pc_json_add_u64(o, "size", size);
		}
		pc_json_print(out, o);
		return;
	}
	if (size < sizeof(*ev)) {
		fprintf(out, "(short event of %zu bytes)\n", size);
		return;
	}
	time_text(wall_ns, when, sizeof(when));
	counter_text(ev->counter, rules, n_rules, who, sizeof(who));
	fprintf(out, "%s  %s  %s  len %u\n", when, who, frame, ev->len);
}

/* One event as a pcapng packet: the snapshot, the frame's real length and the
 * outcome as its comment. */
static int write_packet(struct follower *f, const struct pc_log_event *ev, size_t size)
{
	char comment[600];
	uint32_t snap;

	if (size < sizeof(*ev))
		return 0; /* nothing a packet could hold */
	snap = ev->snap_len < PC_LOG_SNAP ? ev->snap_len : PC_LOG_SNAP;
	if (snap > ev->len)
		snap = ev->len;
	pc_outcome_text(ev->action, ev->counter, f->src.rules, f->src.n_rules, comment,
			sizeof(comment));
	return pc_pcapng_packet(f->out, 0, ev->ts_ns + f->real_minus_mono, ev->data, snap, ev->len,
				comment);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct follower *f = ctx;
	const struct pc_log_event *ev = data;

	if (f->opts->count && f->seen >= f->opts->count)
		return 0; /* the rest of this batch is past --count */
	/* The ring keeps what no one read, since the load: show what happens from now
	 * on, like tcpdump. bpf_ktime_get_ns() is CLOCK_MONOTONIC. */
	if (size >= sizeof(*ev) && (long long)ev->ts_ns < f->start_mono)
		return 0;
	if (f->opts->pcapng) {
		/* A reader that went away (EPIPE) ends the log, as it ends tcpdump -w -. */
		f->write_err = write_packet(f, ev, size);
		if (f->write_err)
			return f->write_err;
		f->seen++;
		return 0;
	}
	pc_log_format(ev, size, f->src.rules, f->src.n_rules,
		      size >= sizeof(*ev) ? (long long)ev->ts_ns + f->real_minus_mono : 0,
		      f->opts->json, f->ifname, f->out);
	fflush(f->out); /* a pipe or file reader sees each event as it comes */
	f->seen++;
	return 0;
}

static void banner(const struct follower *f)
{
	fprintf(stderr, "portcullis: logging drops on %s (%s, at most %u events/s); %s\n",
		f->ifname, f->src.load.profile, f->src.load.log_rate,
		f->opts->count || f->opts->timeout ? "Ctrl-C stops early" : "Ctrl-C stops");
}

/* Events the full ring had no room for since the last look: said on stderr, so that a
 * quiet log is not taken for a quiet interface. */
static void report_lost(struct follower *f)
{
	uint64_t lost;

	if (!f->src.has_lost || pc_log_lost_read(f->src.gdir, &lost) || lost <= f->src.lost)
		return;
	fprintf(stderr,
		"portcullis: warning: %llu drop events lost on %s: the event ring was full "
		"(this reader fell behind); the counters still count every drop\n",
		(unsigned long long)(lost - f->src.lost), f->ifname);
	f->src.lost = lost;
}

/* A `load` replaced the program, and the ring with it: follow the new one. Returns
 * 1 when it did, 0 when nothing changed, -1 when the interface is no longer loaded. */
static int follow_reload(struct follower *f, struct ring_buffer **rb, struct pc_err *e)
{
	struct source next;
	struct pc_err ignore;
	uint32_t id = 0;
	char gdir[PATH_MAX];
	int fd, changed;

	if (pc_gen_current(&f->iface, gdir, sizeof(gdir))) {
		ring_buffer__consume(*rb);
		return pc_fail(e, 0, NULL, "stopped: portcullis was unloaded from %s", f->ifname);
	}
	/* A generation that a reload removes right now: look again next time. */
	if ((fd = pc_pin_open(gdir, PC_PIN_EVENTS, &ignore)) < 0)
		return 0;
	changed = !map_id(fd, &id) && id != f->src.events_id;
	close(fd);
	if (!changed || source_open(&f->iface, &next, &ignore))
		return 0;
	ring_buffer__consume(*rb); /* the old program's last events */
	ring_buffer__free(*rb);
	*rb = ring_buffer__new(next.events_fd, on_event, f, NULL);
	if (!*rb) {
		int err = errno;

		source_close(&next);
		return pc_fail(e, err, NULL, "following the reloaded program on %s", f->ifname);
	}
	source_close(&f->src);
	f->src = next;
	fprintf(stderr, "portcullis: %s was reloaded (%s); following the new program\n", f->ifname,
		f->src.load.profile);
	if (!f->src.load.log_rate)
		fprintf(stderr, "portcullis: warning: the new profile has `set log off`\n");
	return 1;
}

/* The pcapng file's section and its one interface: the frames are Ethernet, cut at
 * the snapshot the program takes. */
static int write_header(struct follower *f, struct pc_err *e)
{
	int err = pc_pcapng_section(f->out, "portcullis log");

	if (!err)
		err = pc_pcapng_interface(f->out, f->ifname, PC_LOG_SNAP);
	if (!err && fflush(f->out))
		err = -errno;
	return err ? pc_fail(e, -err, NULL, "writing the pcapng capture") : 0;
}

int pc_log_run(const char *ifname, const struct pc_log_opts *opts, FILE *out, struct pc_err *e)
{
	struct follower f = { .ifname = ifname, .opts = opts, .out = out };
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	long long start, deadline, next_check;
	struct ring_buffer *rb = NULL;
	int err = -1;

	f.src.events_fd = -1;
	f.start_mono = clock_ns(CLOCK_MONOTONIC);
	if (pc_iface_check(ifname, PC_IFACE_PRESENT, e) ||
	    pc_iface_resolve(ifname, false, &f.iface, e) || pc_bpffs_ensure(e))
		return -1;
	pc_settle_if_idle(&f.iface);
	if (source_open(&f.iface, &f.src, e))
		return -1;
	if (!f.src.load.log_rate) {
		pc_fail(e, 0, NULL,
			"drop logging is off on %s (`set log off` in %s); set a rate such as "
			"`set log 100/s` and load the profile again",
			ifname, f.src.load.profile);
		goto out;
	}
	rb = ring_buffer__new(f.src.events_fd, on_event, &f, NULL);
	if (!rb) {
		pc_fail(e, errno, "run as root", "opening the events ring of %s", ifname);
		goto out;
	}
	if (opts->pcapng && (write_header(&f, e)))
		goto out;
	/* No SA_RESTART: the signal ends epoll_wait with EINTR, then the loop stops. */
	stop = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	f.real_minus_mono = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	start = clock_ns(CLOCK_MONOTONIC);
	/* The backlog goes unprinted (see on_event), but out of the ring at once. */
	ring_buffer__consume(rb);
	deadline = start + opts->timeout * 1000000000LL;
	next_check = start + RELOAD_CHECK_NS;
	banner(&f);
	err = 0;
	while (!stop && !(opts->count && f.seen >= opts->count)) {
		long long now = clock_ns(CLOCK_MONOTONIC);
		int ms = POLL_MS, n;

		if (opts->timeout) {
			if (now >= deadline)
				break;
			if ((deadline - now) / 1000000 < ms)
				ms = (int)((deadline - now) / 1000000) + 1;
		}
		n = ring_buffer__poll(rb, ms);
		if (f.write_err) {
			err = pc_fail(e, -f.write_err, NULL, "writing the pcapng capture");
			break;
		}
		if (n < 0 && n != -EINTR) {
			err = pc_fail(e, -n, NULL, "reading the events ring of %s (epoll_wait)",
				      ifname);
			break;
		}
		if (clock_ns(CLOCK_MONOTONIC) >= next_check) {
			next_check = clock_ns(CLOCK_MONOTONIC) + RELOAD_CHECK_NS;
			report_lost(&f);
			if (follow_reload(&f, &rb, e) < 0) {
				err = -1;
				break;
			}
		}
	}
	report_lost(&f);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	ring_buffer__free(rb);
	source_close(&f.src);
	return err;
}
