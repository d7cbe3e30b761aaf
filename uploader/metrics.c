/*
 * Prometheus metrics from the daemon's status: see metrics.h.
 *
 * Rendering walks a table of families over the status object, so a
 * family's samples are together under one HELP and TYPE, as the text
 * format wants.  The HTTP side is a connection list in the loop: read
 * the request head (capped), answer from the last rendered text, close.
 */
#include <arpa/inet.h>
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "limits.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"

#define METRICS_TEXT_MAX (64u * 1024 * 1024)

/* ---- rendering ---- */

enum fam_scope { F_GLOBAL, F_SOURCE, F_SYSLOG };

/*
 * One row: a sample taken from `path` ("a.b" into the global, source or
 * syslog-listener object), with an optional fixed label.  Rows of one
 * name follow each other.  A path ending in ".*" is an object whose
 * members are samples, their key the value of label `key`.
 */
static const struct fam_row {
	enum fam_scope scope;
	const char *name, *type, *help;
	const char *path;
	const char *key, *value; /* extra label, or NULL */
} rows[] = {
    {F_GLOBAL, "discolog_up", "gauge", "1 while discolog run runs", NULL, NULL,
     NULL},
    {F_GLOBAL, "discolog_start_time_seconds", "gauge",
     "when discolog run started (epoch s)", "started", NULL, NULL},
    {F_GLOBAL, "discolog_spool_bytes", "gauge", "bytes of batches in the spool",
     "spool.bytes", NULL, NULL},
    {F_GLOBAL, "discolog_spool_quota_bytes", "gauge", "the spool's byte quota",
     "spool.quota", NULL, NULL},
    {F_GLOBAL, "discolog_spool_batches", "gauge", "batches in the spool",
     "spool.batches", NULL, NULL},
    {F_GLOBAL, "discolog_spool_dropped_batches_total", "counter",
     "batches dropped at the spool quota", "spool.dropped_batches", NULL, NULL},
    {F_GLOBAL, "discolog_spool_dropped_lines_total", "counter",
     "lines of the batches dropped at the spool quota", "spool.dropped_lines",
     NULL, NULL},
    {F_SOURCE, "discolog_lines_read_total", "counter", "lines read",
     "lines.read", NULL, NULL},
    {F_SOURCE, "discolog_lines_kept_total", "counter", "lines kept for upload",
     "lines.kept", NULL, NULL},
    {F_SOURCE, "discolog_lines_rejected_total", "counter",
     "lines not in the detected format (or too long)", "lines.rejected", NULL,
     NULL},
    {F_SOURCE, "discolog_lines_skipped_total", "counter",
     "lines that are no record (headers, comments)", "lines.skipped", NULL,
     NULL},
    {F_SOURCE, "discolog_lines_dropped_total", "counter",
     "lines dropped by a filter, by reason", "lines.dropped.*", "reason", NULL},
    {F_SOURCE, "discolog_bytes_read_total", "counter",
     "bytes of the lines read", "bytes_read", NULL, NULL},
    {F_SOURCE, "discolog_batches_total", "counter", "batches by stage",
     "batches_sealed", "stage", "sealed"},
    {F_SOURCE, "discolog_batches_total", NULL, NULL, "batches_uploaded",
     "stage", "uploaded"},
    {F_SOURCE, "discolog_batches_total", NULL, NULL, "batches_rejected",
     "stage", "rejected"},
    {F_SOURCE, "discolog_batches_total", NULL, NULL, "batches_dropped", "stage",
     "dropped"},
    {F_SOURCE, "discolog_batches_pending", "gauge",
     "batches waiting in the spool", "batches_pending", NULL, NULL},
    {F_SOURCE, "discolog_lines_uploaded_total", "counter",
     "lines of the batches uploaded", "lines_uploaded", NULL, NULL},
    {F_SOURCE, "discolog_quota_dropped_lines_total", "counter",
     "lines of the batches dropped at the spool quota", "lines_dropped", NULL,
     NULL},
    {F_SOURCE, "discolog_uploads_total", "counter",
     "upload steps by result (ok: a batch finalized)", "batches_uploaded",
     "result", "ok"},
    {F_SOURCE, "discolog_uploads_total", NULL, NULL, "upload_failures",
     "result", "failed"},
    {F_SOURCE, "discolog_last_upload_timestamp_seconds", "gauge",
     "when a batch was last finalized (epoch s; 0: never)", "last_upload", NULL,
     NULL},
    {F_SOURCE, "discolog_source_healthy", "gauge",
     "1 when the source is healthy (discolog status)", "healthy", NULL, NULL},
    {F_SOURCE, "discolog_source_paused", "gauge",
     "1 while the inputs wait for the spool quota", "paused", NULL, NULL},
    {F_SYSLOG, "discolog_syslog_messages_total", "counter",
     "syslog messages received", "messages", NULL, NULL},
    {F_SYSLOG, "discolog_syslog_bytes_total", "counter",
     "bytes of the syslog messages received", "bytes", NULL, NULL},
    {F_SYSLOG, "discolog_syslog_dropped_total", "counter",
     "syslog messages lost, by reason (kernel: UDP socket buffer full)",
     "kernel_drops", "reason", "kernel"},
    {F_SYSLOG, "discolog_syslog_dropped_total", NULL, NULL, "dropped_paused",
     "reason", "paused"},
    {F_SYSLOG, "discolog_syslog_dropped_total", NULL, NULL, "oversize",
     "reason", "oversize"},
    {F_SYSLOG, "discolog_syslog_dropped_total", NULL, NULL, "framing_errors",
     "reason", "framing"},
    {F_SYSLOG, "discolog_syslog_rejected_senders_total", "counter",
     "datagrams and connections refused by allow =", "rejected_senders", NULL,
     NULL},
    {F_SYSLOG, "discolog_syslog_tls_failures_total", "counter",
     "TLS handshakes that failed", "tls_failures", NULL, NULL},
    {F_SYSLOG, "discolog_syslog_connections", "gauge",
     "TCP/TLS connections open", "connections", NULL, NULL},
    {F_SYSLOG, "discolog_syslog_connections_total", "counter",
     "TCP/TLS connections accepted", "connections_total", NULL, NULL},
    {F_SYSLOG, "discolog_syslog_connections_refused_total", "counter",
     "connections refused at syslog_max_connections", "connections_refused",
     NULL, NULL},
    {F_SYSLOG, "discolog_syslog_idle_closed_total", "counter",
     "connections closed for being idle", "idle_closed", NULL, NULL},
};

struct out {
	struct buf b;
	bool failed;
};

static void put(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct out *o, const char *fmt, ...)
{
	char small[512], *p = small;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = true;
		return;
	}
	if ((size_t)n >= sizeof(small)) {
		if ((p = malloc((size_t)n + 1)) == NULL) {
			o->failed = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (buf_add(&o->b, p, (size_t)n) == -1)
		o->failed = true;
	if (p != small)
		free(p);
}

/* A label value with \, " and newline escaped (the text format's rule). */
static void
put_label(struct out *o, const char *k, const char *v, bool first)
{
	put(o, "%s%s=\"", first ? "" : ",", k);
	for (; *v; v++) {
		if (*v == '\\')
			put(o, "\\\\");
		else if (*v == '"')
			put(o, "\\\"");
		else if (*v == '\n')
			put(o, "\\n");
		else if (buf_add(&o->b, v, 1) == -1)
			o->failed = true;
	}
	put(o, "\"");
}

/* The item at "a.b.c" in o, or NULL. */
static const cJSON *
at(const cJSON *o, const char *path)
{
	char key[64];

	while (o != NULL && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = cJSON_GetObjectItemCaseSensitive(o, key);
		path += n + (dot ? 1 : 0);
	}
	return o;
}

static bool
value_of(const cJSON *v, double *d)
{
	if (cJSON_IsNumber(v))
		*d = v->valuedouble;
	else if (cJSON_IsBool(v))
		*d = cJSON_IsTrue(v) ? 1 : 0;
	else
		return false;
	return true;
}

static void
put_value(struct out *o, double d)
{
	if (d >= -9007199254740992.0 && d <= 9007199254740992.0 &&
	    d == (double)(long long)d)
		put(o, " %lld\n", (long long)d);
	else
		put(o, " %.17g\n", d);
}

/* One sample: name{labels of the scope, the row's label} value. */
static void
sample(struct out *o, const struct fam_row *r, const cJSON *src,
       const cJSON *sl, const char *k2, const char *v2, double d)
{
	bool first = true;

	put(o, "%s", r->name);
	if (src != NULL || k2 != NULL)
		put(o, "{");
	if (src != NULL) {
		const cJSON *n = at(src, "name");

		put_label(o, "source", cJSON_IsString(n) ? n->valuestring : "",
		          true);
		first = false;
	}
	if (sl != NULL) {
		const cJSON *l = at(sl, "listener"), *t = at(sl, "transport");

		put_label(o, "listener",
		          cJSON_IsString(l) ? l->valuestring : "", first);
		put_label(o, "transport",
		          cJSON_IsString(t) ? t->valuestring : "", false);
		first = false;
	}
	if (k2 != NULL)
		put_label(o, k2, v2, first);
	if (src != NULL || k2 != NULL)
		put(o, "}");
	put_value(o, d);
}

/* The samples of one row in one object (a source, a listener, ...). */
static void
row_in(struct out *o, const struct fam_row *r, const cJSON *obj,
       const cJSON *src, const cJSON *sl)
{
	double d;
	size_t n;

	if (r->path == NULL) {
		sample(o, r, src, sl, r->key, r->value, 1);
		return;
	}
	n = strlen(r->path);
	if (n > 2 && strcmp(r->path + n - 2, ".*") == 0) {
		char p[64];
		const cJSON *m;

		snprintf(p, sizeof(p), "%.*s", (int)(n - 2), r->path);
		cJSON_ArrayForEach(m, at(obj, p))
		{
			if (m->string != NULL && value_of(m, &d))
				sample(o, r, src, sl, r->key, m->string, d);
		}
		return;
	}
	if (value_of(at(obj, r->path), &d))
		sample(o, r, src, sl, r->key, r->value, d);
}

char *
metrics_render(const cJSON *status, size_t *len)
{
	struct out o;
	const cJSON *sources = at(status, "sources"), *src, *sl;

	buf_init(&o.b, METRICS_TEXT_MAX);
	o.failed = false;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct fam_row *r = &rows[i];

		if (r->help != NULL)
			put(&o, "# HELP %s %s\n# TYPE %s %s\n", r->name,
			    r->help, r->name, r->type);
		switch (r->scope) {
		case F_GLOBAL:
			row_in(&o, r, status, NULL, NULL);
			break;
		case F_SOURCE:
			cJSON_ArrayForEach(src, sources)
			{
				row_in(&o, r, src, src, NULL);
			}
			break;
		case F_SYSLOG:
			cJSON_ArrayForEach(src, sources)
			{
				cJSON_ArrayForEach(sl, at(src, "syslog"))
				{
					row_in(&o, r, sl, src, sl);
				}
			}
			break;
		default:
			break;
		}
	}
	if (o.failed) {
		buf_free(&o.b);
		return NULL;
	}
	if (o.b.data == NULL && buf_add(&o.b, "", 0) == -1)
		return NULL;
	return buf_take(&o.b, len);
}

/* ---- the listener ---- */

struct mconn {
	struct metrics *m;
	int fd;
	char req[METRICS_REQUEST_MAX_BYTES];
	size_t len;
	char *out; /* the response, once known */
	size_t outlen, off;
	int64_t started;
	struct mconn *next;
};

struct metrics {
	struct loop *loop;
	char *file;
	int fd; /* the listener, or -1 */
	int timer;
	char *text; /* the last rendering */
	size_t textlen;
	char health[1024]; /* "" while healthy, else the reasons */
	char file_error[512];
	struct mconn *conns;
	unsigned nconns;
};

/* "HOST:PORT" (HOST an address literal, [v6], or localhost). */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl,
             bool *loopback, char *err, size_t errlen)
{
	char host[128];
	const char *colon, *hs, *he;
	struct addrinfo hints = {0}, *res;
	char *end;
	long port;

	if (*s == '[') {
		hs = s + 1;
		if ((he = strchr(hs, ']')) == NULL || he[1] != ':')
			goto bad;
		colon = he + 1;
	} else {
		hs = s;
		if ((colon = strrchr(s, ':')) == NULL)
			goto bad;
		he = colon;
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(host))
		goto bad;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 ||
	    port > 65535)
		goto bad;
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		goto bad;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sl = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_port = htons((uint16_t)port);
		*loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_port = htons((uint16_t)port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
	}
	return 0;
bad:
	snprintf(err, errlen,
	         "metrics_listen: '%s' is not ADDRESS:PORT (an IP address, "
	         "[IPv6] or localhost)",
	         s);
	return -1;
}

int
metrics_check(const struct conf *c, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	bool lo;

	if (c->metrics_file != NULL && c->metrics_file[0] != '/') {
		snprintf(err, errlen,
		         "metrics_file: '%s' is not an absolute "
		         "path",
		         c->metrics_file);
		return -1;
	}
	if (c->metrics_listen == NULL)
		return 0;
	if (parse_listen(c->metrics_listen, &ss, &sl, &lo, err, errlen) == -1)
		return -1;
	if (!lo && !c->metrics_remote) {
		snprintf(err, errlen,
		         "metrics_listen: %s is not a loopback address: the "
		         "endpoint has no authentication; set metrics_remote "
		         "= yes to bind it anyway",
		         c->metrics_listen);
		return -1;
	}
	return 0;
}

static void mconn_io(int fd, short revents, void *arg);

static void
mconn_close(struct mconn *c)
{
	struct metrics *m = c->m;

	loop_remove_fd(m->loop, c->fd);
	close(c->fd);
	for (struct mconn **pp = &m->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	m->nconns--;
	free(c->out);
	free(c);
}

/* The whole response into c->out. */
static void
respond(struct mconn *c, int code, const char *reason, const char *type,
        const char *extra, const char *body, size_t bodylen)
{
	char head[512];
	int n = snprintf(head, sizeof(head),
	                 "HTTP/1.0 %d %s\r\n"
	                 "Content-Type: %s\r\n"
	                 "Content-Length: %zu\r\n"
	                 "Cache-Control: no-store\r\n"
	                 "%s"
	                 "Connection: close\r\n\r\n",
	                 code, reason, type, bodylen, extra);

	if (n < 0 || (size_t)n >= sizeof(head) ||
	    (c->out = malloc((size_t)n + bodylen)) == NULL) {
		c->outlen = 0;
		return;
	}
	memcpy(c->out, head, (size_t)n);
	memcpy(c->out + n, body, bodylen);
	c->outlen = (size_t)n + bodylen;
	c->off = 0;
}

static void
answer(struct mconn *c)
{
	struct metrics *m = c->m;
	char *sp1, *sp2, *q, body[1100];

	c->req[c->len < sizeof(c->req) ? c->len : sizeof(c->req) - 1] = '\0';
	sp1 = strchr(c->req, ' ');
	sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
	if (sp1 == NULL || sp2 == NULL) {
		respond(c, 400, "Bad Request", "text/plain", "",
		        "bad request\n", 12);
		return;
	}
	*sp1 = *sp2 = '\0';
	if ((q = strchr(sp1 + 1, '?')) != NULL)
		*q = '\0';
	if (strcmp(c->req, "GET") != 0)
		respond(c, 405, "Method Not Allowed", "text/plain",
		        "Allow: GET\r\n", "only GET\n", 9);
	else if (strcmp(sp1 + 1, "/metrics") == 0)
		respond(c, 200, "OK",
		        "text/plain; version=0.0.4; charset=utf-8", "",
		        m->text ? m->text : "", m->text ? m->textlen : 0);
	else if (strcmp(sp1 + 1, "/health") == 0) {
		if (m->health[0] == '\0')
			respond(c, 200, "OK", "text/plain", "", "ok\n", 3);
		else {
			int n = snprintf(body, sizeof(body), "unhealthy: %s\n",
			                 m->health);

			respond(c, 503, "Service Unavailable", "text/plain", "",
			        body,
			        n < (int)sizeof(body) ? (size_t)n
			                              : sizeof(body) - 1);
		}
	} else
		respond(c, 404, "Not Found", "text/plain", "",
		        "not found: try /metrics or /health\n", 35);
}

static void
mconn_io(int fd, short revents, void *arg)
{
	struct mconn *c = arg;

	(void)revents;
	if (c->out == NULL) {
		ssize_t n = read(fd, c->req + c->len, sizeof(c->req) - c->len);

		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			mconn_close(c);
			return;
		}
		if (n < 0)
			return;
		c->len += (size_t)n;
		if (memmem(c->req, c->len, "\r\n\r\n", 4) == NULL &&
		    memmem(c->req, c->len, "\n\n", 2) == NULL) {
			if (c->len < sizeof(c->req))
				return;
			respond(c, 431, "Request Header Fields Too Large",
			        "text/plain", "", "request too large\n", 18);
		} else
			answer(c);
		if (c->out == NULL) {
			mconn_close(c);
			return;
		}
		loop_remove_fd(c->m->loop, fd);
		if (loop_add_fd(c->m->loop, fd, POLLOUT, mconn_io, c) == -1) {
			mconn_close(c);
			return;
		}
	}
	while (c->off < c->outlen) {
		ssize_t n = send(fd, c->out + c->off, c->outlen - c->off,
		                 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			break;
		}
		c->off += (size_t)n;
	}
	mconn_close(c);
}

static void
on_accept(int fd, short revents, void *arg)
{
	struct metrics *m = arg;

	(void)revents;
	for (int i = 0; i < 16; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct mconn *c;

		if (cfd == -1)
			return;
		if (m->nconns >= METRICS_MAX_CONNECTIONS ||
		    (c = calloc(1, sizeof(*c))) == NULL) {
			close(cfd);
			continue;
		}
		c->m = m;
		c->fd = cfd;
		c->started = loop_now_ms();
		if (loop_add_fd(m->loop, cfd, POLLIN, mconn_io, c) == -1) {
			close(cfd);
			free(c);
			continue;
		}
		c->next = m->conns;
		m->conns = c;
		m->nconns++;
	}
}

/* Clients too slow to ask or to read go. */
static void
sweep(void *arg)
{
	struct metrics *m = arg;
	int64_t now = loop_now_ms();

	for (struct mconn *c = m->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (now - c->started > METRICS_TIMEOUT_MS)
			mconn_close(c);
	}
}

struct metrics *
metrics_new(const struct conf *c, struct loop *loop, char *err, size_t errlen)
{
	struct metrics *m = calloc(1, sizeof(*m));
	struct sockaddr_storage ss;
	socklen_t sl;
	bool lo;
	int one = 1;

	if (m == NULL)
		goto nomem;
	m->loop = loop;
	m->fd = m->timer = -1;
	if (metrics_check(c, err, errlen) == -1)
		goto fail;
	if (c->metrics_file != NULL &&
	    (m->file = strdup(c->metrics_file)) == NULL)
		goto nomem;
	if (c->metrics_listen == NULL)
		return m;
	if (parse_listen(c->metrics_listen, &ss, &sl, &lo, err, errlen) == -1)
		goto fail;
	if ((m->fd = socket(ss.ss_family,
	                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) ==
	        -1 ||
	    setsockopt(m->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	        -1 ||
	    bind(m->fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(m->fd, 16) == -1) {
		snprintf(err, errlen, "metrics_listen: %s: %s",
		         c->metrics_listen, strerror(errno));
		goto fail;
	}
	if (loop_add_fd(loop, m->fd, POLLIN, on_accept, m) == -1 ||
	    (m->timer = loop_timer_add(loop, 1000, 1000, sweep, m)) == -1)
		goto nomem;
	log_info("metrics: serving /metrics and /health on %s",
	         c->metrics_listen);
	return m;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	metrics_free(m);
	return NULL;
}

/* Write the textfile: a temp file beside it, renamed over it. */
static void
write_file(struct metrics *m)
{
	char tmp[4200], e[512];
	int fd;
	ssize_t n = 0;
	size_t off = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", m->file) >= (int)sizeof(tmp))
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd != -1) {
		/* The umask may have taken bits node_exporter needs. */
		(void)fchmod(fd, 0644);
		while (off < m->textlen &&
		       ((n = write(fd, m->text + off, m->textlen - off)) > 0 ||
		        (n == -1 && errno == EINTR)))
			off += n > 0 ? (size_t)n : 0;
		if (close(fd) == -1 || off < m->textlen || rename(tmp, m->file))
			fd = -1;
	}
	if (fd == -1) {
		snprintf(e, sizeof(e), "%s", strerror(errno));
		unlink(tmp);
		if (strcmp(e, m->file_error) != 0)
			log_warnx("metrics_file: %s: %s", m->file, e);
		snprintf(m->file_error, sizeof(m->file_error), "%s", e);
		return;
	}
	m->file_error[0] = '\0';
}

void
metrics_update(struct metrics *m, const cJSON *status)
{
	const cJSON *src;
	size_t len, hl = 0;
	char *t;

	if (m == NULL || (m->file == NULL && m->fd == -1))
		return;
	if ((t = metrics_render(status, &len)) != NULL) {
		free(m->text);
		m->text = t;
		m->textlen = len;
	}
	m->health[0] = '\0';
	cJSON_ArrayForEach(src, at(status, "sources"))
	{
		const cJSON *n = at(src, "name"), *why = at(src, "unhealthy");

		if (cJSON_IsTrue(at(src, "healthy")) || hl >= sizeof(m->health))
			continue;
		hl += (size_t)snprintf(
		    m->health + hl, sizeof(m->health) - hl, "%s%s: %s",
		    hl ? "; " : "", cJSON_IsString(n) ? n->valuestring : "?",
		    cJSON_IsString(why) ? why->valuestring : "unhealthy");
	}
	if (m->file != NULL && m->text != NULL)
		write_file(m);
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	while (m->conns != NULL)
		mconn_close(m->conns);
	if (m->timer != -1)
		loop_timer_cancel(m->loop, m->timer);
	if (m->fd != -1) {
		loop_remove_fd(m->loop, m->fd);
		close(m->fd);
	}
	free(m->text);
	free(m->file);
	free(m);
}
