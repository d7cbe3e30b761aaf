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

struct http {
	CURL *c;
	struct ratelimit *rl; /* borrowed; NULL: no limit */
	struct http_opts o;
	char errbuf[CURL_ERROR_SIZE];
};

/* The body of a PUT read from a file, from an offset. */
struct body_src {
	int fd;
	uint64_t off, left;
	const char *mem;
	size_t memleft;
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

struct http *
http_new(const struct http_opts *o, char *err, size_t errlen)
{
	struct http *h = calloc(1, sizeof(*h));

	if (h == NULL || (h->c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		free(h);
		return NULL;
	}
	h->o = *o;
	if (h->o.connect_timeout_ms <= 0)
		h->o.connect_timeout_ms = HTTP_CONNECT_TIMEOUT_MS;
	if (h->o.low_speed_time <= 0)
		h->o.low_speed_time = HTTP_LOW_SPEED_TIME;
	return h;
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->c);
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

	/* Past the cap the body is cut: error pages are not read whole. */
	if (buf_add(&r->body, p, size * n) == -1)
		r->truncated = true;
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

/* Set every option of one request; CURLE_OK or the first failure. */
static CURLcode
set_request(struct http *h, const struct http_req *rq, struct http_resp *r,
            struct body_src *src, struct curl_slist *hdrs)
{
	CURL *c = h->c;
	CURLcode e = CURLE_OK;

#define SET(opt, val)                                                          \
	do {                                                                   \
		if (e == CURLE_OK)                                             \
			e = curl_easy_setopt(c, opt, val);                     \
	} while (0)
	curl_easy_reset(c);
	SET(CURLOPT_URL, rq->url);
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1024L);
	SET(CURLOPT_LOW_SPEED_TIME, h->o.low_speed_time);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->o.ca_file != NULL)
		SET(CURLOPT_CAINFO, h->o.ca_file);
	if (h->o.proxy != NULL)
		SET(CURLOPT_PROXY, h->o.proxy);
	SET(CURLOPT_USERAGENT, "discolog/" DISCOLOG_VERSION);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, r);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, r);
	SET(CURLOPT_HTTPHEADER, hdrs);
	if (strcmp(rq->method, "GET") == 0) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(rq->method, "PUT") == 0) {
		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_READFUNCTION, on_read);
		SET(CURLOPT_READDATA, src);
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

enum http_result
http_once(struct http *h, const struct http_req *rq, struct http_resp *r)
{
	struct curl_slist *hdrs = NULL, *t;
	struct body_src src = {.fd = rq->body_fd,
	                       .off = rq->body_off,
	                       .left = rq->body_size,
	                       .mem = rq->body_fd < 0 ? rq->body : NULL,
	                       .memleft = rq->body_fd < 0 ? rq->body_len : 0};
	CURLcode e;
	curl_off_t ra = 0;
	int attempts = r->attempts;
	size_t max = r->max_body;

	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
	r->attempts = attempts + 1;
	r->max_body = max;
	buf_init(&r->body, max > 0 ? max : RESPONSE_MAX_BYTES);
	/* No "Expect: 100-continue" wait: one round trip less per PUT. */
	if ((t = curl_slist_append(hdrs, "Expect:")) == NULL)
		goto nomem;
	hdrs = t;
	for (size_t i = 0; rq->headers && rq->headers[i]; i++) {
		if ((t = curl_slist_append(hdrs, rq->headers[i])) == NULL)
			goto nomem;
		hdrs = t;
	}
	h->errbuf[0] = '\0';
	e = set_request(h, rq, r, &src, hdrs);
	if (e == CURLE_OK)
		e = curl_easy_perform(h->c);
	curl_slist_free_all(hdrs);
	if (e != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s",
		         h->errbuf[0] ? h->errbuf : curl_easy_strerror(e));
		return HTTP_RETRY_NET;
	}
	curl_easy_getinfo(h->c, CURLINFO_RESPONSE_CODE, &r->status);
	if (curl_easy_getinfo(h->c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		r->retry_after = (long)ra;
	if (!r->html && r->body.len > 0 && r->body.data[0] == '<')
		r->html = true;
	return http_classify(true, r->status);
nomem:
	curl_slist_free_all(hdrs);
	snprintf(r->error, sizeof(r->error), "out of memory");
	return HTTP_RETRY_NET;
}

enum http_result
http_connect(struct http *h, const char *url, struct http_resp *r)
{
	CURLcode e = CURLE_OK;

	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
	r->attempts = 1;
	h->errbuf[0] = '\0';
	curl_easy_reset(h->c);
#define SET(opt, val)                                                          \
	do {                                                                   \
		if (e == CURLE_OK)                                             \
			e = curl_easy_setopt(h->c, opt, val);                  \
	} while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_ERRORBUFFER, h->errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECT_ONLY, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_CONNECTTIMEOUT_MS, h->o.connect_timeout_ms);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->o.ca_file != NULL)
		SET(CURLOPT_CAINFO, h->o.ca_file);
	if (h->o.proxy != NULL)
		SET(CURLOPT_PROXY, h->o.proxy);
#undef SET
	if (e == CURLE_OK)
		e = curl_easy_perform(h->c);
	if (e != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s",
		         h->errbuf[0] ? h->errbuf : curl_easy_strerror(e));
		return HTTP_RETRY_NET;
	}
	return HTTP_OK;
}

enum http_result
http_request(struct http *h, const struct http_req *rq, struct http_resp *r)
{
	int64_t start = mono_ms(), backoff = RETRY_FIRST_MS;
	int64_t budget = (int64_t)h->o.retry_max_time * 1000;
	enum http_result res;

	for (;;) {
		int64_t wait;

		if (h->rl != NULL)
			ratelimit_wait(h->rl);
		res = http_once(h, rq, r);
		if (h->rl != NULL && r->retry_after > 0)
			ratelimit_close(h->rl, r->retry_after);
		if (res != HTTP_RETRY_NET && res != HTTP_RETRY_HTTP)
			return res;
		/* Full jitter on the upper half: between b/2 and b. */
		wait = backoff / 2 + (int64_t)(random() % (backoff / 2 + 1));
		if (r->retry_after > 0 && r->retry_after * 1000 > wait)
			wait = r->retry_after * 1000;
		if (mono_ms() + wait - start > budget)
			return res;
		if (res == HTTP_RETRY_NET)
			log_verbose("%s %s: %s; retrying in %.1f s", rq->method,
			            "request", r->error, (double)wait / 1000);
		else
			log_verbose("%s: HTTP %ld; retrying in %.1f s",
			            rq->method, r->status, (double)wait / 1000);
		sleep_ms(wait);
		backoff =
		    backoff * 2 > RETRY_CAP_MS ? RETRY_CAP_MS : backoff * 2;
	}
}
