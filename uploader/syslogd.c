/*
 * The syslog receiver: see syslogd.h.
 *
 * Everything runs in the daemon's loop thread.  A listener is a UDP or
 * listening TCP socket in the loop; every accepted connection is another
 * fd in the loop with its own framing decoder (and TLS session).  Reads
 * are non-blocking and bounded per callback, so one busy sender cannot
 * hold the loop.  A sweep timer closes idle connections (no whole message
 * for syslog_idle_timeout, however many bytes came) and unfinished TLS
 * handshakes.
 */
#include <arpa/inet.h>
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "filter.h"
#include "limits.h"
#include "log.h"
#include "loop.h"
#include "secret.h"
#include "syslogd.h"

enum { SF_START, SF_COUNT, SF_OCTETS, SF_LINE };
enum sl_kind { SL_UDP, SL_TCP, SL_TLS };
enum sl_auth { SL_AUTH_NONE, SL_AUTH_OPTIONAL, SL_AUTH_REQUIRE };

#define SL_READ_BYTES      16384 /* one read(2) or SSL_read */
#define SL_READS_PER_TURN  16    /* per connection and callback */
#define SL_DGRAMS_PER_TURN 256   /* per UDP socket and callback */
#define SL_SWEEP_MS        1000
#define SL_DENIED_SLOTS    64 /* refused addresses remembered for logs */
#define SL_DENIED_LOG_MS   60000
#define SL_HANDSHAKE_MS    10000 /* a TLS handshake must end within */

/* ---- framing ---- */

void
syslogd_frame_init(struct syslogd_frame *f, size_t max)
{
	memset(f, 0, sizeof(*f));
	f->max = max;
	f->state = SF_START;
}

void
syslogd_frame_free(struct syslogd_frame *f)
{
	free(f->msg);
	f->msg = NULL;
	f->len = 0;
	f->state = SF_START;
}

/* One message is one line: no trailing newline, none inside. */
static struct slice
one_line(char *p, size_t len)
{
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\n' || p[i] == '\r')
			p[i] = ' ';
	return (struct slice){p, len};
}

static void
deliver(struct syslogd_frame *f, syslogd_msg_cb *cb, void *arg)
{
	struct slice m = one_line(f->msg, f->len);

	if (m.len > 0 || f->truncated)
		cb(arg, m, f->truncated);
	f->len = 0;
	f->truncated = false;
	f->state = SF_START;
}

/* Keep one byte of a newline-framed message, up to the maximum. */
static void
keep_byte(struct syslogd_frame *f, char c)
{
	if (f->len < f->max)
		f->msg[f->len++] = c;
	else
		f->truncated = true;
}

int
syslogd_frame_feed(struct syslogd_frame *f, const char *p, size_t n,
                   syslogd_msg_cb *cb, void *arg, char *err, size_t errlen)
{
	const char *end = p + n;

	if (f->msg == NULL && n > 0 && (f->msg = malloc(f->max + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while (p < end) {
		switch (f->state) {
		case SF_START:
			/* Blank lines (and CRs) between frames. */
			if (*p == '\n' || *p == '\r') {
				p++;
				break;
			}
			f->len = 0;
			f->truncated = false;
			if (*p >= '1' && *p <= '9') {
				f->state = SF_COUNT;
				f->count = 0;
			} else
				f->state = SF_LINE;
			break;
		case SF_COUNT:
			if (*p >= '0' && *p <= '9') {
				if (f->count <= UINT64_MAX / 100)
					f->count = f->count * 10 +
					           (uint64_t)(*p - '0');
				keep_byte(f, *p++);
				if (f->truncated)
					f->state = SF_LINE;
				break;
			}
			if (*p != ' ') {
				/* Digits not a count: a newline-framed line
				 * that starts with them. */
				f->state = SF_LINE;
				break;
			}
			p++;
			if (f->count > f->max) {
				snprintf(err, errlen,
				         "octet count %llu%s is larger than "
				         "syslog_max_message (%zu)",
				         (unsigned long long)f->count,
				         f->count > UINT64_MAX / 100 ? "..."
				                                     : "",
				         f->max);
				f->len = 0;
				f->state = SF_START;
				return -1;
			}
			f->len = 0;
			f->want = (size_t)f->count;
			f->state = SF_OCTETS;
			break;
		case SF_OCTETS: {
			size_t k = (size_t)(end - p) < f->want
			               ? (size_t)(end - p)
			               : f->want;

			memcpy(f->msg + f->len, p, k);
			f->len += k;
			f->want -= k;
			p += k;
			if (f->want == 0)
				deliver(f, cb, arg);
			break;
		}
		case SF_LINE: {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *stop = nl ? nl : end;
			size_t k = (size_t)(stop - p), room = f->max - f->len;

			if (k > room) {
				f->truncated = true;
				k = room;
			}
			memcpy(f->msg + f->len, p, k);
			f->len += k;
			p = stop;
			if (nl != NULL) {
				p++;
				deliver(f, cb, arg);
			}
			break;
		}
		default:
			f->state = SF_START;
			break;
		}
	}
	return 0;
}

bool
syslogd_frame_end(struct syslogd_frame *f, syslogd_msg_cb *cb, void *arg)
{
	bool any = false;

	if ((f->state == SF_LINE || f->state == SF_COUNT) &&
	    (f->len > 0 || f->truncated)) {
		deliver(f, cb, arg);
		any = true;
	}
	f->len = 0;
	f->truncated = false;
	f->state = SF_START;
	return any;
}

/* ---- the receiver ---- */

struct sl_stats {
	uint64_t messages, bytes, oversize, dropped_paused, kernel_drops;
	uint64_t rejected_senders, framing_errors, tls_failures;
	uint64_t connections_total, connections_refused, idle_closed;
	unsigned connections;
};

struct sl_listener {
	struct syslogd *sd;
	char *url; /* as configured */
	enum sl_kind kind;
	int fd;
	bool polling;
	void *stream; /* the daemon's */
	char *dgram;  /* UDP: max_message + 1 */
	struct sl_stats st;
};

struct sl_conn {
	struct sl_listener *l;
	int fd;
	SSL *ssl;
	bool handshaking;
	short events; /* what the loop watches; 0: not watched */
	int64_t last_ms, started_ms;
	char peer[INET6_ADDRSTRLEN + 8];
	struct syslogd_frame fr;
	struct sl_conn *next;
};

struct sl_denied {
	unsigned char addr[16];
	int family;
	int64_t logged_ms;
};

struct syslogd {
	char *name;
	struct loop *loop;
	syslogd_line_cb *line;
	void *arg;
	struct sl_listener *ls;
	size_t nls;
	struct sl_conn *conns;
	unsigned nconns, max_conns;
	struct cidr *allow;
	size_t nallow;
	SSL_CTX *ctx;
	size_t max_message;
	int64_t idle_ms;
	int timer;
	bool paused;
	struct sl_denied denied[SL_DENIED_SLOTS];
};

/* "udp://HOST:PORT": the kind, and the host and port (into h and s). */
static int
split_url(const char *url, enum sl_kind *kind, char *h, size_t hlen, char *s,
          size_t slen, char *err, size_t errlen)
{
	static const struct {
		const char *prefix;
		enum sl_kind kind;
	} schemes[] = {
	    {"udp://", SL_UDP},
	    {"tcp://", SL_TCP},
	    {"tls://", SL_TLS},
	};
	const char *p = NULL, *colon, *hs, *he;
	char *end;
	long port;

	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(url, schemes[i].prefix, 6) == 0) {
			*kind = schemes[i].kind;
			p = url + 6;
		}
	if (p == NULL)
		goto bad;
	if (*p == '[') {
		hs = p + 1;
		if ((he = strchr(hs, ']')) == NULL || he[1] != ':')
			goto bad;
		colon = he + 1;
	} else {
		hs = p;
		if ((colon = strrchr(p, ':')) == NULL)
			goto bad;
		he = colon;
	}
	if (he == hs || (size_t)(he - hs) >= hlen)
		goto bad;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || end == colon + 1 || *end != '\0' || port < 1 ||
	    port > 65535)
		goto bad;
	memcpy(h, hs, (size_t)(he - hs));
	h[he - hs] = '\0';
	snprintf(s, slen, "%ld", port);
	return 0;
bad:
	snprintf(err, errlen,
	         "syslog: '%s' is not udp://HOST:PORT, tcp://HOST:PORT or "
	         "tls://HOST:PORT (an IPv6 address in brackets)",
	         url);
	return -1;
}

static struct addrinfo *
resolve(const char *url, enum sl_kind *kind, char *err, size_t errlen)
{
	struct addrinfo hints = {0}, *res = NULL;
	char host[256], serv[8];
	int r;

	if (split_url(url, kind, host, sizeof(host), serv, sizeof(serv), err,
	              errlen) == -1)
		return NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = *kind == SL_UDP ? SOCK_DGRAM : SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((r = getaddrinfo(host, serv, &hints, &res)) != 0) {
		snprintf(err, errlen, "syslog: %s: %s", url, gai_strerror(r));
		return NULL;
	}
	return res;
}

/* A file the daemon must read: present and readable now. */
static int
check_file(const char *key, const char *path, bool secret, char *err,
           size_t errlen)
{
	struct stat st;

	if (stat(path, &st) == -1 || access(path, R_OK) == -1) {
		snprintf(err, errlen, "%s: %s: %s", key, path, strerror(errno));
		return -1;
	}
	if (secret) {
		char why[512];

		if (secret_mode_refused(path, &st, why, sizeof(why))) {
			snprintf(err, errlen, "%s: %s", key, why);
			return -1;
		}
	}
	return 0;
}

static int
auth_of(const struct conf_source *cs, enum sl_auth *a, char *err, size_t errlen)
{
	const char *v = cs->tls_client_auth;

	if (v == NULL || *v == '\0')
		*a = cs->tls_ca != NULL ? SL_AUTH_OPTIONAL : SL_AUTH_NONE;
	else if (strcmp(v, "none") == 0)
		*a = SL_AUTH_NONE;
	else if (strcmp(v, "optional") == 0)
		*a = SL_AUTH_OPTIONAL;
	else if (strcmp(v, "require") == 0)
		*a = SL_AUTH_REQUIRE;
	else {
		snprintf(err, errlen,
		         "tls_client_auth: '%s' is not none, optional or "
		         "require",
		         v);
		return -1;
	}
	if (*a != SL_AUTH_NONE && cs->tls_ca == NULL) {
		snprintf(err, errlen,
		         "tls_client_auth = %s needs tls_ca (the CA that "
		         "signs the senders' certificates)",
		         v);
		return -1;
	}
	return 0;
}

int
syslogd_check(const struct conf_source *cs, char *err, size_t errlen)
{
	bool tls = false;
	enum sl_auth a;

	for (size_t i = 0; i < cs->nsyslog; i++) {
		char host[256], serv[8];
		enum sl_kind kind;

		if (split_url(cs->syslog[i], &kind, host, sizeof(host), serv,
		              sizeof(serv), err, errlen) == -1)
			return -1;
		if (kind == SL_TLS)
			tls = true;
		for (size_t k = 0; k < i; k++)
			if (strcmp(cs->syslog[k], cs->syslog[i]) == 0) {
				snprintf(err, errlen,
				         "syslog: '%s' given twice",
				         cs->syslog[i]);
				return -1;
			}
	}
	if (cs->syslog_max_message > LINE_MAX_BYTES) {
		snprintf(err, errlen,
		         "syslog_max_message: at most %dK (the longest line "
		         "discolog parses)",
		         LINE_MAX_BYTES / 1024);
		return -1;
	}
	if (!tls) {
		if (cs->tls_cert || cs->tls_key || cs->tls_ca ||
		    cs->tls_client_auth) {
			snprintf(
			    err, errlen,
			    "tls_cert, tls_key, tls_ca and tls_client_auth "
			    "need a tls:// listener in syslog =");
			return -1;
		}
		return 0;
	}
	if (cs->tls_cert == NULL || cs->tls_key == NULL) {
		snprintf(err, errlen,
		         "a tls:// listener needs tls_cert and tls_key (PEM "
		         "files)");
		return -1;
	}
	if (auth_of(cs, &a, err, errlen) == -1 ||
	    check_file("tls_cert", cs->tls_cert, false, err, errlen) == -1 ||
	    check_file("tls_key", cs->tls_key, true, err, errlen) == -1 ||
	    (cs->tls_ca != NULL &&
	     check_file("tls_ca", cs->tls_ca, false, err, errlen) == -1))
		return -1;
	return 0;
}

/* OpenSSL's last error as text (and the queue cleared). */
static const char *
ssl_error(char *buf, size_t len)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, len, "unknown TLS error");
	else
		ERR_error_string_n(e, buf, len);
	ERR_clear_error();
	return buf;
}

static SSL_CTX *
tls_context(const struct conf_source *cs, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	enum sl_auth a;
	char e[256];

	if (ctx == NULL) {
		snprintf(err, errlen, "TLS: %s", ssl_error(e, sizeof(e)));
		return NULL;
	}
	if (auth_of(cs, &a, err, errlen) == -1)
		goto fail_quiet;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx, cs->tls_cert) != 1) {
		snprintf(err, errlen, "tls_cert: %s: %s", cs->tls_cert,
		         ssl_error(e, sizeof(e)));
		goto fail_quiet;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, cs->tls_key, SSL_FILETYPE_PEM) !=
	        1 ||
	    SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(err, errlen, "tls_key: %s: %s", cs->tls_key,
		         ssl_error(e, sizeof(e)));
		goto fail_quiet;
	}
	if (cs->tls_ca != NULL) {
		STACK_OF(X509_NAME) * names;

		if (SSL_CTX_load_verify_locations(ctx, cs->tls_ca, NULL) != 1) {
			snprintf(err, errlen, "tls_ca: %s: %s", cs->tls_ca,
			         ssl_error(e, sizeof(e)));
			goto fail_quiet;
		}
		if ((names = SSL_load_client_CA_file(cs->tls_ca)) != NULL)
			SSL_CTX_set_client_CA_list(ctx, names);
	}
	switch (a) {
	case SL_AUTH_REQUIRE:
		SSL_CTX_set_verify(
		    ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
		    NULL);
		break;
	case SL_AUTH_OPTIONAL:
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
		break;
	case SL_AUTH_NONE:
	default:
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
		break;
	}
	return ctx;
fail_quiet:
	SSL_CTX_free(ctx);
	return NULL;
}

/* The address, v4-mapped IPv6 seen as IPv4. */
static void
addr_of(const struct sockaddr_storage *ss, int *family, unsigned char a[16])
{
	memset(a, 0, 16);
	if (ss->ss_family == AF_INET) {
		*family = AF_INET;
		memcpy(a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct in6_addr *v6 =
		    &((const struct sockaddr_in6 *)ss)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(v6)) {
			*family = AF_INET;
			memcpy(a, v6->s6_addr + 12, 4);
		} else {
			*family = AF_INET6;
			memcpy(a, v6->s6_addr, 16);
		}
	} else
		*family = AF_UNSPEC;
}

static void
addr_text(const struct sockaddr_storage *ss, char *out, size_t len)
{
	unsigned char a[16];
	int family;

	addr_of(ss, &family, a);
	if (family == AF_UNSPEC ||
	    inet_ntop(family, a, out, (socklen_t)len) == NULL)
		snprintf(out, len, "?");
}

static bool
cidr_has(const struct cidr *c, int family, const unsigned char *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->family != family)
		return false;
	if (memcmp(c->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((c->addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* Is the sender allowed?  When not: counted, logged once a minute. */
static bool
allowed(struct sl_listener *l, const struct sockaddr_storage *ss)
{
	struct syslogd *sd = l->sd;
	struct sl_denied *slot = &sd->denied[0];
	unsigned char a[16];
	char text[INET6_ADDRSTRLEN];
	int64_t now;
	int family;

	if (sd->nallow == 0)
		return true;
	addr_of(ss, &family, a);
	for (size_t i = 0; i < sd->nallow; i++)
		if (cidr_has(&sd->allow[i], family, a))
			return true;
	l->st.rejected_senders++;
	now = loop_now_ms();
	for (size_t i = 0; i < SL_DENIED_SLOTS; i++) {
		struct sl_denied *d = &sd->denied[i];

		if (d->family == family && memcmp(d->addr, a, 16) == 0) {
			slot = d;
			break;
		}
		if (d->logged_ms < slot->logged_ms)
			slot = d;
	}
	if (slot->family == family && memcmp(slot->addr, a, 16) == 0 &&
	    slot->logged_ms != 0 && now - slot->logged_ms < SL_DENIED_LOG_MS)
		return false;
	slot->family = family;
	memcpy(slot->addr, a, 16);
	slot->logged_ms = now;
	addr_text(ss, text, sizeof(text));
	log_warnx("%s: syslog %s: sender %s is not in allow =: refused "
	          "(logged once a minute)",
	          sd->name, l->url, text);
	return false;
}

/* A message to the daemon, counted. */
static void
on_message(void *arg, struct slice msg, bool truncated)
{
	struct sl_listener *l = arg;

	l->st.messages++;
	l->st.bytes += msg.len;
	if (truncated)
		l->st.oversize++;
	l->sd->line(l->sd->arg, &l->stream, l->url, msg, truncated);
}

/* ---- UDP ---- */

static void
udp_read(int fd, short revents, void *arg)
{
	struct sl_listener *l = arg;
	struct syslogd *sd = l->sd;

	(void)revents;
	for (int i = 0; i < SL_DGRAMS_PER_TURN; i++) {
		struct sockaddr_storage ss;
		union {
			struct cmsghdr h;
			char b[CMSG_SPACE(sizeof(uint32_t))];
		} cm;
		struct iovec iov = {l->dgram, sd->max_message + 1};
		struct msghdr mh = {
		    .msg_name = &ss,
		    .msg_namelen = sizeof(ss),
		    .msg_iov = &iov,
		    .msg_iovlen = 1,
		    .msg_control = cm.b,
		    .msg_controllen = sizeof(cm.b),
		};
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);
		bool truncated;

		if (n == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("%s: syslog %s: recvmsg", sd->name,
				         l->url);
			return;
		}
		/* The kernel's count of datagrams it dropped on this
		 * socket, as of this one (SO_RXQ_OVFL). */
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c != NULL;
		     c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SO_RXQ_OVFL) {
				uint32_t drops;

				memcpy(&drops, CMSG_DATA(c), sizeof(drops));
				if (drops > l->st.kernel_drops)
					l->st.kernel_drops = drops;
			}
		if (!allowed(l, &ss))
			continue;
		if (sd->paused) {
			l->st.dropped_paused++;
			continue;
		}
		truncated =
		    (mh.msg_flags & MSG_TRUNC) || (size_t)n > sd->max_message;
		if (truncated)
			n = (ssize_t)sd->max_message;
		{
			struct slice m = one_line(l->dgram, (size_t)n);

			if (m.len > 0 || truncated)
				on_message(l, m, truncated);
		}
	}
}

/* ---- TCP and TLS connections ---- */

static void conn_io(int fd, short revents, void *arg);

/* Watch the connection for `events` (0: not at all). */
static void
conn_watch(struct sl_conn *c, short events)
{
	struct loop *loop = c->l->sd->loop;

	if (c->events == events)
		return;
	if (c->events != 0)
		loop_remove_fd(loop, c->fd);
	c->events = 0;
	if (events != 0 && loop_add_fd(loop, c->fd, events, conn_io, c) == 0)
		c->events = events;
}

static void
conn_close(struct sl_conn *c, const char *why)
{
	struct syslogd *sd = c->l->sd;

	if (why != NULL)
		log_verbose("%s: syslog %s: %s: %s", sd->name, c->l->url,
		            c->peer, why);
	conn_watch(c, 0);
	for (struct sl_conn **pp = &sd->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (c->ssl != NULL) {
		if (!c->handshaking)
			(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	close(c->fd);
	syslogd_frame_free(&c->fr);
	c->l->st.connections--;
	sd->nconns--;
	free(c);
}

/* The sender closed: a last line without its LF is still a message. */
static void
conn_eof(struct sl_conn *c, const char *why)
{
	syslogd_frame_end(&c->fr, on_message, c->l);
	conn_close(c, why);
}

/* Feed what was read; false when the connection was closed. */
static bool
conn_feed(struct sl_conn *c, const char *buf, size_t n)
{
	char err[256];
	uint64_t before = c->l->st.messages;
	bool between = c->fr.state == SF_START;

	if (syslogd_frame_feed(&c->fr, buf, n, on_message, c->l, err,
	                       sizeof(err)) == -1) {
		c->l->st.framing_errors++;
		log_warnx("%s: syslog %s: %s: %s: connection closed",
		          c->l->sd->name, c->l->url, c->peer, err);
		conn_close(c, NULL);
		return false;
	}
	/*
	 * Idle means no whole message, not no byte: a sender that trickles
	 * a message a byte at a time holds a connection no longer than a
	 * silent one.  The clock starts again when a message ends, or when
	 * one begins after a pause.
	 */
	if (between || c->l->st.messages != before)
		c->last_ms = loop_now_ms();
	return true;
}

static void
tls_handshake(struct sl_conn *c)
{
	char e[256];
	int r = SSL_accept(c->ssl), x;

	if (r == 1) {
		c->handshaking = false;
		c->last_ms = loop_now_ms();
		log_debug("%s: syslog %s: %s: TLS %s", c->l->sd->name,
		          c->l->url, c->peer, SSL_get_version(c->ssl));
		conn_watch(c, POLLIN);
		return;
	}
	switch ((x = SSL_get_error(c->ssl, r))) {
	case SSL_ERROR_WANT_READ:
		conn_watch(c, POLLIN);
		return;
	case SSL_ERROR_WANT_WRITE:
		conn_watch(c, POLLOUT);
		return;
	default:
		c->l->st.tls_failures++;
		log_warnx("%s: syslog %s: %s: TLS handshake failed: %s",
		          c->l->sd->name, c->l->url, c->peer,
		          x == SSL_ERROR_SYSCALL && ERR_peek_error() == 0
		              ? "connection closed by the sender"
		              : ssl_error(e, sizeof(e)));
		ERR_clear_error();
		conn_close(c, NULL);
		return;
	}
}

static void
tls_read(struct sl_conn *c)
{
	char buf[SL_READ_BYTES], e[256];

	for (int i = 0; i < SL_READS_PER_TURN || SSL_pending(c->ssl) > 0; i++) {
		int r = SSL_read(c->ssl, buf, sizeof(buf)), x;

		if (r > 0) {
			if (!conn_feed(c, buf, (size_t)r))
				return;
			continue;
		}
		switch ((x = SSL_get_error(c->ssl, r))) {
		case SSL_ERROR_WANT_READ:
			conn_watch(c, POLLIN);
			return;
		case SSL_ERROR_WANT_WRITE:
			conn_watch(c, POLLOUT);
			return;
		case SSL_ERROR_ZERO_RETURN:
			conn_eof(c, "closed");
			return;
		default:
			if (x == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)
				conn_eof(c, "closed without TLS close");
			else
				conn_close(c, ssl_error(e, sizeof(e)));
			ERR_clear_error();
			return;
		}
	}
	conn_watch(c, POLLIN);
}

static void
tcp_read(struct sl_conn *c)
{
	char buf[SL_READ_BYTES];

	for (int i = 0; i < SL_READS_PER_TURN; i++) {
		ssize_t n = read(c->fd, buf, sizeof(buf));

		if (n > 0) {
			if (!conn_feed(c, buf, (size_t)n))
				return;
			continue;
		}
		if (n == 0) {
			conn_eof(c, "closed");
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			conn_close(c, strerror(errno));
		return;
	}
}

static void
conn_io(int fd, short revents, void *arg)
{
	struct sl_conn *c = arg;

	(void)fd, (void)revents;
	if (c->l->sd->paused && !c->handshaking) {
		conn_watch(c, 0);
		return;
	}
	if (c->ssl == NULL)
		tcp_read(c);
	else if (c->handshaking)
		tls_handshake(c);
	else
		tls_read(c);
}

static void
tcp_accept(int fd, short revents, void *arg)
{
	struct sl_listener *l = arg;
	struct syslogd *sd = l->sd;

	(void)revents;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct sl_conn *c;
		int cfd = accept4(fd, (struct sockaddr *)&ss, &sl,
		                  SOCK_NONBLOCK | SOCK_CLOEXEC);
		char peer[INET6_ADDRSTRLEN];

		if (cfd == -1) {
			if (errno == EMFILE || errno == ENFILE)
				log_warn("%s: syslog %s: accept", sd->name,
				         l->url);
			return;
		}
		if (!allowed(l, &ss)) {
			close(cfd);
			continue;
		}
		addr_text(&ss, peer, sizeof(peer));
		if (sd->nconns >= sd->max_conns) {
			l->st.connections_refused++;
			if (l->st.connections_refused == 1 ||
			    l->st.connections_refused % 100 == 0)
				log_warnx("%s: syslog %s: %s: already %u "
				          "connections "
				          "(syslog_max_connections): refused",
				          sd->name, l->url, peer, sd->nconns);
			close(cfd);
			continue;
		}
		if ((c = calloc(1, sizeof(*c))) == NULL) {
			close(cfd);
			return;
		}
		c->l = l;
		c->fd = cfd;
		c->last_ms = c->started_ms = loop_now_ms();
		snprintf(c->peer, sizeof(c->peer), "%s", peer);
		syslogd_frame_init(&c->fr, sd->max_message);
		c->next = sd->conns;
		sd->conns = c;
		sd->nconns++;
		l->st.connections++;
		l->st.connections_total++;
		if (l->kind == SL_TLS) {
			if ((c->ssl = SSL_new(sd->ctx)) == NULL ||
			    SSL_set_fd(c->ssl, cfd) != 1) {
				conn_close(c, "out of memory");
				continue;
			}
			c->handshaking = true;
			tls_handshake(c);
		} else
			conn_watch(c, POLLIN);
		log_debug("%s: syslog %s: connection from %s", sd->name, l->url,
		          peer);
	}
}

/* Close idle connections and slow handshakes. */
static void
sweep(void *arg)
{
	struct syslogd *sd = arg;
	int64_t now = loop_now_ms();

	for (struct sl_conn *c = sd->conns, *next; c != NULL; c = next) {
		next = c->next;
		if (c->handshaking && now - c->started_ms > SL_HANDSHAKE_MS) {
			c->l->st.tls_failures++;
			conn_close(c, "TLS handshake too slow: closed");
		} else if (sd->idle_ms > 0 && !sd->paused &&
		           now - c->last_ms > sd->idle_ms) {
			c->l->st.idle_closed++;
			conn_close(c, "idle: closed");
		}
	}
}

/* ---- listeners ---- */

static void
listener_watch(struct sl_listener *l, bool on)
{
	struct loop *loop = l->sd->loop;

	if (l->polling == on || l->fd == -1)
		return;
	if (on)
		l->polling =
		    loop_add_fd(loop, l->fd, POLLIN,
		                l->kind == SL_UDP ? udp_read : tcp_accept,
		                l) == 0;
	else {
		loop_remove_fd(loop, l->fd);
		l->polling = false;
	}
}

static int
listener_open(struct sl_listener *l, char *err, size_t errlen)
{
	struct addrinfo *res, *ai;
	int one = 1, fd = -1;

	if ((res = resolve(l->url, &l->kind, err, errlen)) == NULL)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family,
		            ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd == -1)
			continue;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		                 sizeof(one));
		if (l->kind == SL_UDP)
			(void)setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one,
			                 sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
		    (l->kind == SL_UDP || listen(fd, SOMAXCONN) == 0))
			break;
		snprintf(err, errlen, "syslog %s: %s", l->url, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1) {
		if (ai == NULL && err[0] == '\0')
			snprintf(err, errlen, "syslog %s: no address", l->url);
		return -1;
	}
	l->fd = fd;
	if (l->kind == SL_UDP &&
	    (l->dgram = malloc(l->sd->max_message + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct syslogd *
syslogd_new(const struct syslogd_conf *sc, char *err, size_t errlen)
{
	const struct conf_source *cs = sc->cs;
	struct syslogd *sd = calloc(1, sizeof(*sd));
	bool tls = false;

	err[0] = '\0';
	if (sd == NULL || (sd->name = strdup(cs->name)) == NULL)
		goto nomem;
	sd->loop = sc->loop;
	sd->line = sc->line;
	sd->arg = sc->arg;
	sd->timer = -1;
	sd->max_message = cs->syslog_max_message ? cs->syslog_max_message
	                                         : SYSLOG_MAX_MESSAGE_DEFAULT;
	if (sd->max_message > LINE_MAX_BYTES)
		sd->max_message = LINE_MAX_BYTES;
	sd->max_conns = cs->syslog_max_connections > 0
	                    ? (unsigned)cs->syslog_max_connections
	                    : SYSLOG_MAX_CONNECTIONS_DEFAULT;
	sd->idle_ms = (int64_t)cs->syslog_idle_timeout * 1000;
	if (syslogd_check(cs, err, errlen) == -1)
		goto fail;
	if (cs->nallow > 0 &&
	    (sd->allow = calloc(cs->nallow, sizeof(*sd->allow))) == NULL)
		goto nomem;
	for (size_t i = 0; i < cs->nallow; i++)
		if (cidr_parse(cs->allow[i], &sd->allow[sd->nallow++], err,
		               errlen) == -1)
			goto fail;
	if ((sd->ls = calloc(cs->nsyslog, sizeof(*sd->ls))) == NULL)
		goto nomem;
	for (size_t i = 0; i < cs->nsyslog; i++) {
		struct sl_listener *l = &sd->ls[sd->nls++];

		l->sd = sd;
		l->fd = -1;
		if ((l->url = strdup(cs->syslog[i])) == NULL)
			goto nomem;
		if (strncmp(l->url, "tls://", 6) == 0)
			tls = true;
	}
	if (tls && (sd->ctx = tls_context(cs, err, errlen)) == NULL)
		goto fail;
	for (size_t i = 0; i < sd->nls; i++)
		if (listener_open(&sd->ls[i], err, errlen) == -1)
			goto fail;
	for (size_t i = 0; i < sd->nls; i++) {
		listener_watch(&sd->ls[i], true);
		log_info("%s: syslog: listening on %s", sd->name,
		         sd->ls[i].url);
	}
	if ((sd->timer = loop_timer_add(sd->loop, SL_SWEEP_MS, SL_SWEEP_MS,
	                                sweep, sd)) == -1)
		goto nomem;
	return sd;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	syslogd_free(sd);
	return NULL;
}

void
syslogd_pause(struct syslogd *sd, bool paused)
{
	if (sd == NULL || sd->paused == paused)
		return;
	sd->paused = paused;
	log_info("%s: syslog: %s", sd->name,
	         paused ? "spool at its quota: TCP senders held back, UDP "
	                  "datagrams dropped"
	                : "spool below its quota: reading again");
	for (size_t i = 0; i < sd->nls; i++)
		if (sd->ls[i].kind != SL_UDP)
			listener_watch(&sd->ls[i], !paused);
	for (struct sl_conn *c = sd->conns; c != NULL; c = c->next) {
		if (c->handshaking)
			continue;
		if (!paused)
			c->last_ms = loop_now_ms(); /* no idle close at once */
		conn_watch(c, paused ? 0 : POLLIN);
	}
}

struct cJSON *
syslogd_status(const struct syslogd *sd)
{
	cJSON *a = cJSON_CreateArray();

	if (a == NULL)
		return NULL;
	for (size_t i = 0; i < sd->nls; i++) {
		const struct sl_listener *l = &sd->ls[i];
		const struct sl_stats *s = &l->st;
		cJSON *o = cJSON_CreateObject();
		static const char *kinds[] = {"udp", "tcp", "tls"};

		if (o == NULL)
			break;
		cJSON_AddStringToObject(o, "listener", l->url);
		cJSON_AddStringToObject(o, "transport", kinds[l->kind]);
		cJSON_AddNumberToObject(o, "messages", (double)s->messages);
		cJSON_AddNumberToObject(o, "bytes", (double)s->bytes);
		cJSON_AddNumberToObject(o, "oversize", (double)s->oversize);
		cJSON_AddNumberToObject(o, "dropped_paused",
		                        (double)s->dropped_paused);
		cJSON_AddNumberToObject(o, "kernel_drops",
		                        (double)s->kernel_drops);
		cJSON_AddNumberToObject(o, "rejected_senders",
		                        (double)s->rejected_senders);
		cJSON_AddNumberToObject(o, "framing_errors",
		                        (double)s->framing_errors);
		cJSON_AddNumberToObject(o, "tls_failures",
		                        (double)s->tls_failures);
		cJSON_AddNumberToObject(o, "connections",
		                        (double)s->connections);
		cJSON_AddNumberToObject(o, "connections_total",
		                        (double)s->connections_total);
		cJSON_AddNumberToObject(o, "connections_refused",
		                        (double)s->connections_refused);
		cJSON_AddNumberToObject(o, "idle_closed",
		                        (double)s->idle_closed);
		cJSON_AddBoolToObject(o, "paused", sd->paused);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

void
syslogd_free(struct syslogd *sd)
{
	if (sd == NULL)
		return;
	while (sd->conns != NULL)
		conn_close(sd->conns, NULL);
	if (sd->timer != -1)
		loop_timer_cancel(sd->loop, sd->timer);
	for (size_t i = 0; i < sd->nls; i++) {
		struct sl_listener *l = &sd->ls[i];

		listener_watch(l, false);
		if (l->fd != -1)
			close(l->fd);
		free(l->dgram);
		free(l->url);
	}
	free(sd->ls);
	free(sd->allow);
	SSL_CTX_free(sd->ctx);
	free(sd->name);
	free(sd);
}
