// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The HTTP side of the exporter. The listening socket is ours (bound before the
 * server starts, so that "address in use" is reported with its errno and what to
 * do); libmicrohttpd serves it from one thread of its own, one request at a time.
 * Each scrape reads the pins afresh and builds the whole exposition in memory before
 * a byte of it is sent: a reload meanwhile gives a whole old or new generation
 * (kern/snapshot.h), never a mix and never half a response. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "observe/exporter.h"
#include "observe/prom.h"
#include "observe/scrape.h"

#define LISTEN_ADVICE                                                                              \
	"give another with --listen ADDR:PORT, or stop what listens there (`ss -ltnp` names "      \
	"it)"

static const char index_page[] =
	"<html><head><title>portcullis exporter</title></head><body>\n"
	"<h1>portcullis exporter</h1>\n"
	"<p><a href=\"/metrics\">/metrics</a>: the counters of every interface of this "
	"network namespace that portcullis is loaded on.</p>\n"
	"</body></html>\n";

/* "ADDR:PORT" or "[ADDR6]:PORT", numeric only: a name would make where it listens
 * depend on the resolver. */
static int parse_listen(const char *addr, struct addrinfo **ai, struct pc_err *e)
{
	const struct addrinfo hints = { .ai_family = AF_UNSPEC,
					.ai_socktype = SOCK_STREAM,
					.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	char host[256];
	const char *colon = strrchr(addr, ':'), *h = addr;
	size_t hl;
	int rc;

	if (!colon || !colon[1])
		return pc_usage(
			e, "--listen %s: expected ADDR:PORT (e.g. 127.0.0.1:9737 or [::1]:9737)",
			addr);
	hl = (size_t)(colon - addr);
	if (hl >= 2 && addr[0] == '[' && colon[-1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return pc_usage(e, "--listen %s: the address is too long", addr);
	memcpy(host, h, hl);
	host[hl] = 0;
	rc = getaddrinfo(hl ? host : NULL, colon + 1, &hints, ai);
	if (rc)
		return pc_usage(e, "--listen %s: %s; expected ADDR:PORT with a numeric address",
				addr, gai_strerror(rc));
	return 0;
}

static int listen_socket(const char *addr, struct pc_err *e)
{
	struct addrinfo *ai;
	int fd, one = 1, err;

	if (parse_listen(addr, &ai, e))
		return -1;
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		err = errno;
		freeaddrinfo(ai);
		return pc_fail(e, err, NULL, "socket for %s", addr);
	}
	/* A restart must not wait out the last run's TIME_WAIT; a live listener on the
	 * address still makes bind fail. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		err = errno;
		freeaddrinfo(ai);
		close(fd);
		return pc_fail(e, err,
			       err == EADDRINUSE || err == EADDRNOTAVAIL ? LISTEN_ADVICE : NULL,
			       "listening on %s", addr);
	}
	freeaddrinfo(ai);
	return fd;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
			       void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO; /* MHD closes the connection */
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *msg)
{
	return respond(c, status, "text/plain; charset=utf-8", (void *)msg, strlen(msg),
		       MHD_RESPMEM_PERSISTENT);
}

/* One scrape, whole, or a 500 that says why. */
static enum MHD_Result metrics(struct MHD_Connection *c)
{
	struct pc_scrape sc;
	struct pc_err e = { 0 };
	char *buf = NULL, *msg;
	size_t len = 0;
	int err = pc_scrape_all(false, &sc, &e);

	if (!err)
		err = pc_prom_render(&sc, &buf, &len, &e);
	pc_scrape_free(&sc);
	if (!err)
		return respond(c, MHD_HTTP_OK, PC_PROM_CONTENT_TYPE, buf, len,
			       MHD_RESPMEM_MUST_FREE);
	fprintf(stderr, "portcullis exporter: error: %s\n", e.msg);
	if (asprintf(&msg, "portcullis exporter: %s\n", e.msg) < 0)
		return text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "portcullis exporter: error\n");
	return respond(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", msg,
		       strlen(msg), MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	(void)cls;
	(void)version;
	(void)upload;
	/* A body (of a method we refuse anyway) is dropped as it comes. */
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	if (!strcmp(url, "/metrics"))
		return metrics(c);
	if (!strcmp(url, "/"))
		return respond(c, MHD_HTTP_OK, "text/html; charset=utf-8", (void *)index_page,
			       sizeof(index_page) - 1, MHD_RESPMEM_PERSISTENT);
	return text(c, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	fputs("portcullis exporter: http: ", stderr);
	vfprintf(stderr, fmt, ap);
}

int pc_exporter_run(const char *addr, struct pc_err *e)
{
	struct MHD_Daemon *d;
	sigset_t stop;
	int fd, sig = 0;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	/* Blocked before the server's thread starts, which inherits the mask: only
	 * sigwait below takes them. A client that goes away must not kill us. */
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((fd = listen_socket(addr, e)) < 0)
		return -1;
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     handle, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			     MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, 64,
			     MHD_OPTION_CONNECTION_TIMEOUT, 30, MHD_OPTION_END);
	if (!d) {
		close(fd);
		return pc_fail(e, 0, NULL, "starting the HTTP server on %s (libmicrohttpd)", addr);
	}
	printf("portcullis exporter: listening on http://%s/metrics\n", addr);
	fflush(stdout);
	while (sigwait(&stop, &sig) == EINTR)
		;
	/* The listening socket is ours: stop the server, then close it. */
	MHD_stop_daemon(d);
	close(fd);
	printf("portcullis exporter: stopped (%s)\n", strsignal(sig));
	return 0;
}
