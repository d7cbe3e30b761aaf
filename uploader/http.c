/*
 * HTTP through libcurl: see http.h.
 */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "limits.h"
#include "log.h"
#include "ratelimit.h"
#include "version.h"

/* The body of a PUT read from a file, from an offset. */
struct body_src {
	int fd;
	uint64_t off, left;
	const char *mem;
	size_t memleft;
};

struct http_xfer {
	CURL *c;
	struct http_opts o;
	struct curl_slist *hdrs;
	struct body_src src;
	const struct http_req *rq;
	CURLcode setup; /* a failure while preparing */
	char errbuf[CURL_ERROR_SIZE];
};

struct http {
	struct http_xfer x;
	struct ratelimit *rl; /* borrowed; NULL: no limit */
};

const char *
http_result_name(enum http_result r)
{
	static const char *const names[] = {
#define X(n, s) s,
	    HTTP_RESULTS(X)
#undef X
	};

	return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

int
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

static int
xfer_init(struct http_xfer *x, const struct http_opts *o, char *err,
          size_t errlen)
{
	if ((x->c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	x->o = *o;
	if (x->o.connect_timeout_ms <= 0)
		x->o.connect_timeout_ms = HTTP_CONNECT_TIMEOUT_MS;
	if (x->o.low_speed_time <= 0)
		x->o.low_speed_time = HTTP_LOW_SPEED_TIME;
	return 0;
}

struct http_xfer *
http_xfer_new(const struct http_opts *o, char *err, size_t errlen)
{
	struct http_xfer *x = calloc(1, sizeof(*x));

	if (x == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (xfer_init(x, o, err, errlen) == -1) {
		free(x);
		return NULL;
	}
	return x;
}

void
http_xfer_free(struct http_xfer *x)
{
	if (x == NULL)
		return;
	curl_slist_free_all(x->hdrs);
	curl_easy_cleanup(x->c);
	free(x);
}

struct http *
http_new(const struct http_opts *o, char *err, size_t errlen)
{
	struct http *h = calloc(1, sizeof(*h));

	if (h == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (xfer_init(&h->x, o, err, errlen) == -1) {
		free(h);
		return NULL;
	}
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_slist_free_all(h->x.hdrs);
	curl_easy_cleanup(h->x.c);
	free(h);
}

void
http_set_ratelimit(struct http *h, struct ratelimit *rl)
{
	h->rl = rl;
}

void
http_resp_free(struct http_resp *r)
{
	buf_free(&r->body);
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;

	/*
	 * Past the cap the transfer stops (a short count ends it with
	 * CURLE_WRITE_ERROR, taken as complete below): a 1 GiB answer, or
	 * one trickling in forever, is neither held nor waited for.
	 */
	if (buf_add(&r->body, p, size * n) == -1) {
		r->truncated = true;
		return 0;
	}
	return size * n;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_resp *r = arg;
	size_t len = size * n;

	if (len > 13 && strncasecmp(p, "content-type:", 13) == 0) {
		for (size_t i = 13; i + 9 <= len; i++)
			if (strncasecmp(p + i, "text/html", 9) == 0)
				r->html = true;
	}
	if (len > 5 && len < 128 && strncasecmp(p, "date:", 5) == 0) {
		char d[128];
		time_t t;

		snprintf(d, sizeof(d), "%.*s", (int)(len - 5), p + 5);
		if ((t = curl_getdate(d, NULL)) > 0)
			r->date = (int64_t)t;
	}
	return len;
}

static size_t
on_read(char *p, size_t size, size_t n, void *arg)
{
	struct body_src *s = arg;
	size_t want = size * n;
	ssize_t got;

	if (s->mem != NULL) {
		if (want > s->memleft)
			want = s->memleft;
		memcpy(p, s->mem, want);
		s->mem += want;
		s->memleft -= want;
		return want;
	}
	if (want > s->left)
		want = (size_t)s->left;
	if (want == 0)
		return 0;
	do
		got = pread(s->fd, p, want, (off_t)s->off);
	while (got == -1 && errno == EINTR);
	if (got <= 0)
		return CURL_READFUNC_ABORT;
	s->off += (uint64_t)got;
	s->left -= (uint64_t)got;
	return (size_t)got;
}

enum http_result
http_classify(bool transport_ok, long status)
{
	if (!transport_ok)
		return HTTP_RETRY_NET;
	if (status >= 200 && status < 300)
		return HTTP_OK;
	switch (status) {
	case 401: /* Unauthorized */
	case 403: /* Forbidden */
		return HTTP_AUTH;
	case 408: /* Request Timeout */
	case 429: /* Too Many Requests */
	case 500: /* Internal Server Error */
	case 502: /* Bad Gateway */
	case 503: /* Service Unavailable */
	case 504: /* Gateway Timeout */
		return HTTP_RETRY_HTTP;
	default:
		return HTTP_REJECTED;
	}
}

enum http_result
http_classify_transport(int curlcode, bool *tls)
{
	bool t = false;
	enum http_result res;

	switch ((CURLcode)curlcode) {
	case CURLE_OK:
		res = HTTP_OK;
		break;
	/* The peer's certificate or our CA bundle: retrying cannot help,
	 * and a retry storm against a wrong host helps nobody. */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		t = true;
		res = HTTP_REJECTED;
		break;
	/* Our side: configuration, memory, the body file. */
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_FAILED_INIT:
	case CURLE_URL_MALFORMAT:
	case CURLE_NOT_BUILT_IN:
	case CURLE_OUT_OF_MEMORY:
	case CURLE_READ_ERROR:
	case CURLE_ABORTED_BY_CALLBACK:
	case CURLE_BAD_FUNCTION_ARGUMENT:
	case CURLE_UNKNOWN_OPTION:
	case CURLE_FILESIZE_EXCEEDED:
	case CURLE_TOO_MANY_REDIRECTS:
		res = HTTP_REJECTED;
		break;
	/* Connect, DNS, proxy, timeouts, resets, a TLS handshake cut short:
	 * all may pass. */
	default:
		res = HTTP_RETRY_NET;
		break;
	}
	if (tls != NULL)
		*tls = t;
	return res;
}

static int
on_xferinfo(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
            curl_off_t ulnow)
{
	const struct http_req *rq = arg;

	(void)dltotal, (void)dlnow, (void)ultotal;
	rq->sent_cb(rq->sent_arg, (uint64_t)ulnow);
	return 0;
}

/*
 * TLS and proxy, the same for every handle: verification on (only an
 * explicit --insecure turns it off, and cli.c warns on every run), TLS 1.2
 * at least, --ca-file adds a bundle; --proxy, else libcurl reads
 * https_proxy and no_proxy.
 */
static CURLcode
set_tls_proxy(CURL *c, const struct http_opts *o)
{
	CURLcode e;

	e = curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, o->insecure ? 0L : 1L);
	if (e == CURLE_OK)
		e = curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST,
		                     o->insecure ? 0L : 2L);
	if (e == CURLE_OK)
		e = curl_easy_setopt(c, CURLOPT_SSLVERSION,
		                     (long)CURL_SSLVERSION_TLSv1_2);
	if (e == CURLE_OK && o->ca_file != NULL)
		e = curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file);
	if (e == CURLE_OK && o->proxy != NULL)
		e = curl_easy_setopt(c, CURLOPT_PROXY, o->proxy);
	return e;
}

/* Set every option of one request; CURLE_OK or the first failure. */
static CURLcode
set_request(struct http_xfer *x, const struct http_req *rq, struct http_resp *r)
{
	CURL *c = x->c;
	CURLcode e = CURLE_OK;

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (e == CURLE_OK)                                             \
			e = curl_easy_setopt(c, opt, val);                     \
	} while (0)
	curl_easy_reset(c);
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_ERRORBUFFER, x->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	/* Timeouts: connect, then a floor on the speed instead of a total
	 * time, so a 5 GB body is not cut but a dead peer is. */
	SET(CURLOPT_CONNECTTIMEOUT_MS, x->o.connect_timeout_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1024L);
	SET(CURLOPT_LOW_SPEED_TIME, x->o.low_speed_time);
	if (e == CURLE_OK)
		e = set_tls_proxy(c, &x->o);
	SET(CURLOPT_USERAGENT, "discolog/" DISCOLOG_VERSION);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, r);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, r);
	SET(CURLOPT_HTTPHEADER, x->hdrs);
	if (rq->sent_cb != NULL) {
		SET(CURLOPT_XFERINFOFUNCTION, on_xferinfo);
		SET(CURLOPT_XFERINFODATA, (void *)rq);
		SET(CURLOPT_NOPROGRESS, 0L);
	}
	if (strcmp(rq->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(rq->method, "PUT") == 0) {
		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_READFUNCTION, on_read);
		SET(CURLOPT_READDATA, &x->src);
		SET(CURLOPT_INFILESIZE_LARGE,
		    (curl_off_t)(rq->body_fd >= 0 ? rq->body_size
		                                  : rq->body_len));
	} else {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		if (strcmp(rq->method, "POST") != 0)
			SET(CURLOPT_CUSTOMREQUEST, rq->method);
	}
#undef SET
	return e;
}

void *
http_xfer_begin(struct http_xfer *x, const struct http_req *rq,
                struct http_resp *r)
{
	struct curl_slist *t;
	int attempts = r->attempts;
	size_t max = r->max_body;

	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
	r->attempts = attempts + 1;
	r->max_body = max;
	buf_init(&r->body, max > 0 ? max : RESPONSE_MAX_BYTES);
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	x->rq = rq;
	x->src =
	    (struct body_src){.fd = rq->body_fd,
	                      .off = rq->body_off,
	                      .left = rq->body_size,
	                      .mem = rq->body_fd < 0 ? rq->body : NULL,
	                      .memleft = rq->body_fd < 0 ? rq->body_len : 0};
	x->errbuf[0] = '\0';
	x->setup = CURLE_OUT_OF_MEMORY;
	/* No "Expect: 100-continue" wait: one round trip less per PUT. */
	if ((t = curl_slist_append(x->hdrs, "Expect:")) == NULL)
		return NULL;
	x->hdrs = t;
	for (size_t i = 0; rq->headers && rq->headers[i]; i++) {
		if ((t = curl_slist_append(x->hdrs, rq->headers[i])) == NULL)
			return NULL;
		x->hdrs = t;
	}
	if ((x->setup = set_request(x, rq, r)) != CURLE_OK)
		return NULL;
	return x->c;
}

enum http_result
http_xfer_finish(struct http_xfer *x, int code, struct http_resp *r)
{
	CURLcode e = x->setup != CURLE_OK ? x->setup : (CURLcode)code;
	curl_off_t ra = 0;
	enum http_result res;

	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	x->rq = NULL;
	/* Stopped at the cap by on_body: judge the answer by its status. */
	if (e == CURLE_WRITE_ERROR && r->truncated)
		e = CURLE_OK;
	if (e != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s",
		         x->errbuf[0] ? x->errbuf : curl_easy_strerror(e));
		res = http_classify_transport(e, &r->tls);
		x->setup = CURLE_OK;
		return res;
	}
	curl_easy_getinfo(x->c, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(x->c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		r->retry_after = (long)ra;
	if (!r->html && r->body.len > 0 && r->body.data[0] == '<' &&
	    r->body.len > 1 && r->body.data[1] != '?')
		r->html = true; /* an HTML page, not an XML error */
	return http_classify(true, r->status);
}

enum http_result
http_once(struct http *h, const struct http_req *rq, struct http_resp *r)
{
	CURL *c = http_xfer_begin(&h->x, rq, r);
	CURLcode e = c != NULL ? curl_easy_perform(c) : CURLE_FAILED_INIT;

	return http_xfer_finish(&h->x, e, r);
}

void
http_retry_init(struct http_retry *rt, int retry_max_time)
{
	rt->start = mono_ms();
	rt->backoff = RETRY_FIRST_MS;
	rt->budget = (int64_t)retry_max_time * 1000;
}

int64_t
http_retry_next(struct http_retry *rt, const struct http_resp *r)
{
	int64_t wait;

	/* Jitter on the upper half: between b/2 and b. */
	wait = rt->backoff / 2 + (int64_t)(random() % (rt->backoff / 2 + 1));
	if (r->retry_after > 0 && r->retry_after * 1000 > wait)
		wait = r->retry_after * 1000;
	if (mono_ms() + wait - rt->start > rt->budget)
		return -1;
	rt->backoff =
	    rt->backoff * 2 > RETRY_CAP_MS ? RETRY_CAP_MS : rt->backoff * 2;
	return wait;
}

enum http_result
http_connect(struct http *h, const char *url, struct http_resp *r)
{
	CURLcode e = CURLE_OK;

	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
	r->attempts = 1;
	h->x.errbuf[0] = '\0';
	curl_easy_reset(h->x.c);
#define SET(opt, val)                                                          \
	do {                                                                   \
		if (e == CURLE_OK)                                             \
			e = curl_easy_setopt(h->x.c, opt, val);                \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_ERRORBUFFER, h->x.errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECT_ONLY, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_CONNECTTIMEOUT_MS, h->x.o.connect_timeout_ms);
#undef SET
	if (e == CURLE_OK)
		e = set_tls_proxy(h->x.c, &h->x.o);
	if (e == CURLE_OK)
		e = curl_easy_perform(h->x.c);
	if (e != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s",
		         h->x.errbuf[0] ? h->x.errbuf : curl_easy_strerror(e));
		return HTTP_RETRY_NET;
	}
	return HTTP_OK;
}

enum http_result
http_request(struct http *h, const struct http_req *rq, struct http_resp *r)
{
	struct http_retry rt;
	enum http_result res;

	http_retry_init(&rt, h->x.o.retry_max_time);
	for (;;) {
		int64_t wait;

		if (h->rl != NULL)
			ratelimit_wait(h->rl);
		res = http_once(h, rq, r);
		if (h->rl != NULL && r->retry_after > 0)
			ratelimit_close(h->rl, r->retry_after);
		if (res != HTTP_RETRY_NET && res != HTTP_RETRY_HTTP)
			return res;
		if ((wait = http_retry_next(&rt, r)) < 0)
			return res;
		if (res == HTTP_RETRY_NET)
			log_verbose("%s: %s; retrying in %.1f s", rq->method,
			            r->error, (double)wait / 1000);
		else
			log_verbose("%s: HTTP %ld%s; retrying in %.1f s",
			            rq->method, r->status,
			            r->retry_after > 0 ? " (Retry-After)" : "",
			            (double)wait / 1000);
		sleep_ms(wait);
	}
}
