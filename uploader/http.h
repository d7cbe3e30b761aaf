/*
 * HTTP through libcurl: one easy handle per peer (the tenant's API, the
 * blob host), reused for keep-alive, with the classification of every
 * outcome and the retry loop of the curl tool.
 *
 * The blob handle never carries MDCA credentials: headers are given per
 * request, and only the API client adds Authorization.  Redirects are not
 * followed.  TLS verification is always on.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

struct http;

struct http_opts {
	const char *ca_file; /* extra CA bundle, or NULL */
	const char *proxy;   /* proxy URL, or NULL (curl reads https_proxy) */
	long connect_timeout_ms;
	long low_speed_time; /* s below 1 KiB/s before giving up */
	int retry_max_time;  /* s of retrying one request */
	bool insecure;       /* no certificate verification (--insecure) */
};

#define HTTP_RESULTS(X)                                                        \
	X(OK, "ok")                                                            \
	X(RETRY_NET, "network error")                                          \
	X(RETRY_HTTP, "temporary error")                                       \
	X(AUTH, "authentication or permission failure")                        \
	X(REJECTED, "rejected")

enum http_result {
#define X(n, s) HTTP_##n,
	HTTP_RESULTS(X)
#undef X
};

struct http_req {
	const char *method; /* GET, POST, PUT */
	const char *url;
	const char *const *headers; /* NULL-terminated, or NULL */
	const void *body;           /* in memory, or */
	size_t body_len;
	int body_fd; /* from a file when >= 0 */
	uint64_t body_off, body_size;
	/* Bytes of the body sent so far, now and then (NULL: none). */
	void (*sent_cb)(void *arg, uint64_t sent);
	void *sent_arg;
};

struct http_resp {
	long status;
	struct buf body;  /* capped at RESPONSE_MAX_BYTES */
	long retry_after; /* s, from Retry-After; 0 when absent */
	bool html;        /* the body is an HTML page */
	bool truncated;   /* the body passed RESPONSE_MAX_BYTES */
	char error[256];  /* transport error, for messages */
	bool tls;         /* the error is TLS verification (--ca-file) */
	int attempts;
	size_t max_body; /* set by the caller: cap instead of
	                    RESPONSE_MAX_BYTES (0: that) */
	int64_t date;    /* the Date header, epoch s; 0 when absent */
};

struct ratelimit;

struct http *http_new(const struct http_opts *o, char *err, size_t errlen);

/* Every attempt of http_request waits on `rl` first and reports its
 * Retry-After to it (borrowed; NULL: none). */
void http_set_ratelimit(struct http *h, struct ratelimit *rl);
void http_free(struct http *h);

/* One request, no retry.  Returns the class of the outcome; resp is reset
 * first and filled. */
enum http_result http_once(struct http *h, const struct http_req *rq,
                           struct http_resp *resp);

/*
 * The request with retries: network errors and 408/429/5xx are retried
 * with exponential backoff and jitter (1 s doubling, capped), honouring
 * Retry-After, until retry_max_time would pass.  Returns the last class.
 */
enum http_result http_request(struct http *h, const struct http_req *rq,
                              struct http_resp *resp);

/* Connect to the host of `url` (through the proxy, with the TLS
 * handshake and verification) and send nothing: HTTP_OK, or
 * HTTP_RETRY_NET with the reason in resp->error.  For `discolog doctor`. */
enum http_result http_connect(struct http *h, const char *url,
                              struct http_resp *resp);

/* Class of a finished exchange: for tests and callers. */
enum http_result http_classify(bool transport_ok, long status);

/*
 * Class of a transfer that failed below HTTP, by its CURLcode: connection
 * trouble is HTTP_RETRY_NET; what retrying cannot mend (a certificate that
 * does not verify, a bad URL, an unreadable body file) is HTTP_REJECTED,
 * and *tls (may be NULL) tells a TLS verification failure.
 */
enum http_result http_classify_transport(int curlcode, bool *tls);

/*
 * The retry schedule of one request (the curl tool's): waits start at
 * RETRY_FIRST_MS and double up to RETRY_CAP_MS, each drawn between half
 * and all of the step (jitter); a Retry-After longer than that wins; no
 * wait may end past retry_max_time seconds after the first attempt.
 */
struct http_retry {
	int64_t start, backoff, budget; /* ms */
};

void http_retry_init(struct http_retry *rt, int retry_max_time);

/* The ms to wait before the next attempt after `r`, or -1 when that would
 * pass the budget (give up). */
int64_t http_retry_next(struct http_retry *rt, const struct http_resp *r);

/*
 * One transfer on its own easy handle, for requests that run side by side
 * in a curl multi handle (the blocks of blob.c).  Same options, same
 * classification as http_once.
 */
struct http_xfer;

struct http_xfer *http_xfer_new(const struct http_opts *o, char *err,
                                size_t errlen);
void http_xfer_free(struct http_xfer *x);

/* Prepare x for rq, answer into resp (both borrowed until
 * http_xfer_finish).  Returns the CURL easy handle to add to a multi
 * handle, or NULL (call http_xfer_finish all the same). */
void *http_xfer_begin(struct http_xfer *x, const struct http_req *rq,
                      struct http_resp *resp);

/* The class of the transfer, once done with CURLcode `code`. */
enum http_result http_xfer_finish(struct http_xfer *x, int code,
                                  struct http_resp *resp);

const char *http_result_name(enum http_result);

void http_resp_free(struct http_resp *r);

/* The global libcurl init/cleanup (once per process). */
int http_global_init(void);
void http_global_cleanup(void);

#endif
