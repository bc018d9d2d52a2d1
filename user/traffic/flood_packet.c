// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* `flood` through an AF_PACKET socket. Protocol 0: the socket sends and never receives,
 * so nothing is queued to it however busy the interface is. The qdisc is bypassed
 * because a flood's job is to reach the driver: what the driver then drops, it counts
 * (`ethtool -S`, `ip -s link`). */
#include <errno.h>
#include <linux/if_packet.h>
#include <sched.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "traffic/flood_packet.h"

int pc_packet_tx_open(int ifindex, const char *ifname, struct pc_err *e)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
	int one = 1, fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return pc_fail(e, errno, errno == EPERM ? "run as root (CAP_NET_RAW)" : NULL,
			       "opening a packet socket to send on %s (socket AF_PACKET)", ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one))) {
		int err = errno;

		close(fd);
		return pc_fail(e, err, NULL, "binding a packet socket to %s", ifname);
	}
	return fd;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Lays out the next k frames of the schedule; returns k. */
static unsigned fill_batch(const struct pc_packet_tx *t, struct mmsghdr *msgs, struct iovec *iov,
			   unsigned k)
{
	uint32_t pos = t->pos;

	for (unsigned i = 0; i < k; i++) {
		const struct pc_stream *s = &t->m->s[t->schedule[pos]];

		iov[i] = (struct iovec){ .iov_base = (void *)s->frame, .iov_len = s->len };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_iov = &iov[i], .msg_iovlen = 1 } };
		pos = pos + 1 < t->schedule_len ? pos + 1 : 0;
	}
	return k;
}

/* Counts the first k frames from the current position as sent and moves past them. */
static void advance(struct pc_packet_tx *t, unsigned k)
{
	for (unsigned i = 0; i < k; i++) {
		t->sent[t->schedule[t->pos]]++;
		t->pos = t->pos + 1 < t->schedule_len ? t->pos + 1 : 0;
	}
}

long long pc_packet_tx_send(struct pc_packet_tx *t, unsigned long long n,
			    const volatile sig_atomic_t *stop, const char *ifname, struct pc_err *e)
{
	struct mmsghdr msgs[PC_PACKET_BATCH_MAX];
	struct iovec iov[PC_PACKET_BATCH_MAX];
	unsigned long long done = 0;
	double stalled = 0;

	while (done < n && !*stop) {
		unsigned k = n - done < t->batch ? (unsigned)(n - done) : t->batch;
		int r = sendmmsg(t->fd, msgs, fill_batch(t, msgs, iov, k), 0);

		if (r > 0) {
			advance(t, (unsigned)r);
			done += (unsigned)r;
			stalled = 0;
			continue;
		}
		/* A full device queue clears as the receiver drains it; anything else, or
		 * a second without progress, ends the flood. */
		if (r < 0 && errno != ENOBUFS && errno != EAGAIN && errno != EINTR)
			return pc_fail(e, errno,
				       errno == ENETDOWN || errno == ENXIO
					       ? "bring the interface up: ip link set dev IFACE up"
					       : NULL,
				       "sending on %s (sendmmsg, packet socket)", ifname);
		if (!stalled)
			stalled = mono_s();
		else if (mono_s() - stalled > 1.0)
			return pc_fail(e, r < 0 ? errno : EAGAIN, "is the link up at both ends?",
				       "sending on %s: the interface took no frame for a second",
				       ifname);
		sched_yield();
	}
	return (long long)done;
}
