/*
 * The storage side of an upload: see blob.h.
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "limits.h"
#include "log.h"
#include "ratelimit.h"

/* The service version asked for: Put Blob up to 5000 MiB, blocks up to
 * 4000 MiB (mdca-api.md §3.2); MDCA's own SAS carry sv=2019-12-12 too. */
#define STORAGE_VERSION "x-ms-version: 2019-12-12"

/* The largest Put Block List body: 50,000 ids of 12 characters. */
#define BLOCK_LIST_MAX_BYTES (2u * 1024 * 1024)

enum blk_state { BLK_TODO, BLK_FLIGHT, BLK_WAIT, BLK_DONE };

struct blk {
	enum blk_state state;
	int attempts;
	int64_t due; /* BLK_WAIT: not before this (mono ms) */
	struct http_retry rt;
};

/* One transfer in flight. */
struct slot {
	struct http_xfer *x;
	struct http_resp resp;
	struct http_req rq;
	CURL *easy; /* x's handle, while busy */
	char *url;
	unsigned block;
	bool busy;
};

struct blob {
	struct blob_conf c;
	struct http *h; /* Put Blob, Put Block List, aws */
	CURLM *multi;   /* the blocks */
	struct slot slots[BLOB_PARALLEL_MAX];
	blob_sent_cb *cb;
	void *cb_arg;
};

static const char *const put_block_hdrs[] = {STORAGE_VERSION, NULL};

struct blob *
blob_new(const struct blob_conf *c, char *err, size_t errlen)
{
	struct blob *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->c = *c;
	if (b->c.parallel <= 0)
		b->c.parallel = BLOB_PARALLEL;
	if (b->c.parallel > BLOB_PARALLEL_MAX)
		b->c.parallel = BLOB_PARALLEL_MAX;
	if (b->c.block_bytes == 0)
		b->c.block_bytes = BLOB_BLOCK_BYTES;
	if (b->c.block_bytes > BLOB_BLOCK_MAX_BYTES)
		b->c.block_bytes = BLOB_BLOCK_MAX_BYTES;
	if (b->c.put_blob_max == 0 || b->c.put_blob_max > PUT_BLOB_MAX_BYTES)
		b->c.put_blob_max = PUT_BLOB_MAX_BYTES;
	if ((b->h = http_new(&b->c.http, err, errlen)) == NULL)
		goto fail;
	if ((b->multi = curl_multi_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		goto fail;
	}
	for (int i = 0; i < b->c.parallel; i++)
		if ((b->slots[i].x = http_xfer_new(&b->c.http, err, errlen)) ==
		    NULL)
			goto fail;
	return b;
fail:
	blob_free(b);
	return NULL;
}

void
blob_free(struct blob *b)
{
	if (b == NULL)
		return;
	for (int i = 0; i < BLOB_PARALLEL_MAX; i++) {
		http_xfer_free(b->slots[i].x);
		http_resp_free(&b->slots[i].resp);
		free(b->slots[i].url);
	}
	if (b->multi != NULL)
		curl_multi_cleanup(b->multi);
	http_free(b->h);
	free(b);
}

void
blob_set_progress(struct blob *b, blob_sent_cb *cb, void *arg)
{
	b->cb = cb;
	b->cb_arg = arg;
}

char *
blob_block_id(unsigned n, int escaped, char *out, size_t outlen)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char raw[12];
	char enc[16];
	size_t len, k = 0, o = 0;

	/* Eight digits: every id of a blob has the same length, as Azure
	 * requires, and 50,000 blocks fit. */
	len = (size_t)snprintf((char *)raw, sizeof(raw), "%08u", n);
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)raw[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)raw[i + 1] << 8;
		if (i + 2 < len)
			v |= raw[i + 2];
		enc[k++] = b64[(v >> 18) & 63];
		enc[k++] = b64[(v >> 12) & 63];
		enc[k++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		enc[k++] = i + 2 < len ? b64[v & 63] : '=';
	}
	/* '+', '/' and '=' mean something else in a query string. */
	for (size_t i = 0; i < k && o + 4 < outlen; i++) {
		char ch = enc[i];

		if (escaped && (ch == '+' || ch == '/' || ch == '=')) {
			snprintf(out + o, outlen - o, "%%%02X", ch);
			o += 3;
		} else
			out[o++] = ch;
	}
	if (outlen > 0)
		out[o < outlen ? o : outlen - 1] = '\0';
	return out;
}

int
blob_block_list(unsigned n, struct buf *out)
{
	char id[32];

	if (buf_adds(out, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	                  "<BlockList>") == -1)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (buf_addf(out, "<Latest>%s</Latest>",
		             blob_block_id(i, 0, id, sizeof(id))) == -1)
			return -1;
	return buf_adds(out, "</BlockList>\n");
}

/* The <Code> of an Azure XML error, or "" into out. */
static const char *
storage_code(const struct http_resp *r, char *out, size_t outlen)
{
	const char *p, *e;

	out[0] = '\0';
	if (r->body.len == 0 || (p = strstr(r->body.data, "<Code>")) == NULL)
		return out;
	p += 6;
	if ((e = strstr(p, "</Code>")) != NULL && e - p < 128)
		snprintf(out, outlen, "%.*s", (int)(e - p), p);
	return out;
}

/* One sentence for the admin about a failed storage request. */
static void
explain(const char *shown, const char *what, enum http_result res,
        const struct http_resp *r, char *err, size_t errlen)
{
	char code[160];

	storage_code(r, code, sizeof(code));
	switch (res) {
	case HTTP_RETRY_NET:
		snprintf(err, errlen,
		         "upload to %s: %s: cannot reach the storage host, "
		         "still after %d attempts: %s",
		         shown, what, r->attempts, r->error);
		break;
	case HTTP_RETRY_HTTP:
		snprintf(err, errlen,
		         "upload to %s: %s: the storage host is busy or "
		         "failing (HTTP %ld%s%s), still after %d attempts",
		         shown, what, r->status, code[0] ? " " : "", code,
		         r->attempts);
		break;
	case HTTP_AUTH:
		snprintf(
		    err, errlen,
		    "upload to %s: %s: the storage host refused the upload "
		    "URL (HTTP %ld%s%s): it expired or was not accepted; "
		    "check this machine's clock",
		    shown, what, r->status, code[0] ? " " : "", code);
		break;
	case HTTP_REJECTED:
		if (r->tls)
			snprintf(
			    err, errlen,
			    "upload to %s: the storage host's TLS "
			    "certificate does not verify (%s): give its CA "
			    "with --ca-file",
			    shown, r->error);
		else if (r->status == 0)
			snprintf(err, errlen, "upload to %s: %s: %s", shown,
			         what, r->error);
		else
			snprintf(
			    err, errlen,
			    "upload to %s: %s: the storage host refused it "
			    "(HTTP %ld%s%s)",
			    shown, what, r->status, code[0] ? " " : "", code);
		break;
	case HTTP_OK:
	default:
		snprintf(err, errlen, "upload to %s: ok", shown);
		break;
	}
}

/* A URL with more query parameters after the SAS; caller frees. */
static char *
url_with(const char *url, const char *params)
{
	size_t n = strlen(url) + strlen(params) + 2;
	char *u = malloc(n);

	if (u != NULL)
		snprintf(u, n, "%s%c%s", url, strchr(url, '?') ? '&' : '?',
		         params);
	return u;
}

static void
sent_one(void *arg, uint64_t sent)
{
	struct blob *b = arg;

	b->cb(b->cb_arg, sent);
}

/* One request with retries on the blob handle (Put Blob, list, aws). */
static enum http_result
put_single(struct blob *b, const char *url, const char *const *hdrs,
           const void *body, size_t body_len, int fd, uint64_t size,
           const char *shown, const char *what, char *err, size_t errlen)
{
	struct http_resp r = {0};
	enum http_result res;

	res = http_request(
	    b->h,
	    &(struct http_req){.method = "PUT",
	                       .url = url,
	                       .headers = hdrs,
	                       .body = body,
	                       .body_len = body_len,
	                       .body_fd = fd,
	                       .body_size = size,
	                       .sent_cb = b->cb && fd >= 0 ? sent_one : NULL,
	                       .sent_arg = b},
	    &r);
	log_debug("PUT %s (%s): HTTP %ld", shown, what, r.status);
	if (res != HTTP_OK)
		explain(shown, what, res, &r, err, errlen);
	http_resp_free(&r);
	return res;
}

/* Start block k in slot s; 0 or -1 (out of memory). */
static int
start_block(struct blob *b, struct slot *s, const char *url, int fd,
            struct blk *blk, unsigned k, uint64_t bs, uint64_t size)
{
	char id[32], params[64];
	CURL *easy;

	blob_block_id(k, 1, id, sizeof(id));
	snprintf(params, sizeof(params), "comp=block&blockid=%s", id);
	free(s->url);
	if ((s->url = url_with(url, params)) == NULL)
		return -1;
	if (blk->state == BLK_TODO)
		http_retry_init(&blk->rt, b->c.http.retry_max_time);
	s->rq = (struct http_req){.method = "PUT",
	                          .url = s->url,
	                          .headers = put_block_hdrs,
	                          .body_fd = fd,
	                          .body_off = (uint64_t)k * bs,
	                          .body_size = (uint64_t)k * bs + bs > size
	                                           ? size - (uint64_t)k * bs
	                                           : bs};
	s->block = k;
	s->resp.attempts = blk->attempts;
	easy = http_xfer_begin(s->x, &s->rq, &s->resp);
	blk->attempts = s->resp.attempts;
	if (easy == NULL ||
	    curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)s) != CURLE_OK ||
	    curl_multi_add_handle(b->multi, easy) != CURLM_OK) {
		http_xfer_finish(s->x, CURLE_FAILED_INIT, &s->resp);
		return -1;
	}
	blk->state = BLK_FLIGHT;
	s->easy = easy;
	s->busy = true;
	return 0;
}

/* The next block to start: a retry that is due, else a fresh one; -1. */
static long
pick(struct blk *blk, unsigned n, unsigned *next, unsigned nwait, int64_t now)
{
	for (unsigned i = 0; nwait > 0 && i < n; i++)
		if (blk[i].state == BLK_WAIT && blk[i].due <= now)
			return (long)i;
	if (*next < n)
		return (long)(*next)++;
	return -1;
}

/* Stop every block in flight (a failure elsewhere decided the file). */
static void
abort_all(struct blob *b)
{
	for (int i = 0; i < b->c.parallel; i++) {
		struct slot *s = &b->slots[i];

		if (!s->busy)
			continue;
		curl_multi_remove_handle(b->multi, s->easy);
		http_xfer_finish(s->x, CURLE_ABORTED_BY_CALLBACK, &s->resp);
		s->busy = false;
	}
}

/* Put Block for every block, `parallel` at a time, each retried on its
 * own; then Put Block List. */
static enum http_result
put_blocks(struct blob *b, const char *url, int fd, uint64_t size,
           const char *shown, char *err, size_t errlen)
{
	static const char *const list_hdrs[] = {
	    STORAGE_VERSION, "Content-Type: application/xml",
	    "x-ms-blob-content-type: application/gzip", NULL};
	uint64_t bs = b->c.block_bytes, done_bytes = 0;
	unsigned n, ndone = 0, next = 0, nwait = 0;
	int64_t hold = 0;
	struct blk *blk;
	struct buf list;
	enum http_result res = HTTP_OK;
	char *list_url = NULL, what[64];

	while ((size + bs - 1) / bs > BLOB_MAX_BLOCKS)
		bs *= 2;
	n = (unsigned)((size + bs - 1) / bs);
	buf_init(&list, BLOCK_LIST_MAX_BYTES);
	if ((blk = calloc(n ? n : 1, sizeof(*blk))) == NULL)
		goto nomem;
	log_verbose("upload to %s: %u blocks of %llu bytes, %d at a time",
	            shown, n, (unsigned long long)bs, b->c.parallel);
	while (ndone < n) {
		int64_t now = mono_ms(), timeout = PROGRESS_INTERVAL_MS;
		int running = 0, left;
		bool idle = false;
		CURLMsg *msg;

		for (int i = 0; i < b->c.parallel && now >= hold; i++) {
			struct slot *s = &b->slots[i];
			long k;

			if (s->busy)
				continue;
			if ((k = pick(blk, n, &next, nwait, now)) < 0) {
				idle = true;
				break;
			}
			if (blk[k].state == BLK_WAIT)
				nwait--;
			if (start_block(b, s, url, fd, &blk[k], (unsigned)k, bs,
			                size) == -1)
				goto nomem;
		}
		if (curl_multi_perform(b->multi, &running) != CURLM_OK) {
			snprintf(err, errlen, "upload to %s: libcurl failed",
			         shown);
			res = HTTP_REJECTED;
			goto fail;
		}
		while ((msg = curl_multi_info_read(b->multi, &left)) != NULL) {
			struct slot *s = NULL;
			enum http_result r;
			struct blk *bk;
			int64_t wait;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			                  (char **)&s);
			curl_multi_remove_handle(b->multi, msg->easy_handle);
			r = http_xfer_finish(s->x, msg->data.result, &s->resp);
			s->busy = false;
			bk = &blk[s->block];
			snprintf(what, sizeof(what), "block %u of %u",
			         s->block + 1, n);
			switch (r) {
			case HTTP_OK:
				bk->state = BLK_DONE;
				ndone++;
				done_bytes += s->rq.body_size;
				break;
			case HTTP_RETRY_NET:
			case HTTP_RETRY_HTTP:
				if ((wait = http_retry_next(&bk->rt,
				                            &s->resp)) < 0) {
					explain(shown, what, r, &s->resp, err,
					        errlen);
					res = r;
					goto fail;
				}
				/* The host asked for a pause: no new block
				 * before it ends either. */
				if (s->resp.retry_after > 0 &&
				    mono_ms() + s->resp.retry_after * 1000 >
				        hold)
					hold = mono_ms() +
					       s->resp.retry_after * 1000;
				if (r == HTTP_RETRY_NET)
					log_verbose(
					    "%s: %s; retrying in %.1f s", what,
					    s->resp.error, (double)wait / 1000);
				else
					log_verbose("%s: HTTP %ld; retrying in "
					            "%.1f s",
					            what, s->resp.status,
					            (double)wait / 1000);
				bk->state = BLK_WAIT;
				bk->due = mono_ms() + wait;
				nwait++;
				break;
			case HTTP_AUTH:
			case HTTP_REJECTED:
			default:
				explain(shown, what, r, &s->resp, err, errlen);
				res = r;
				goto fail;
			}
		}
		if (b->cb != NULL) {
			uint64_t sent = done_bytes;

			for (int i = 0; i < b->c.parallel; i++) {
				curl_off_t up = 0;

				if (b->slots[i].busy &&
				    curl_easy_getinfo(b->slots[i].easy,
				                      CURLINFO_SIZE_UPLOAD_T,
				                      &up) == CURLE_OK)
					sent += (uint64_t)up;
			}
			b->cb(b->cb_arg, sent);
		}
		if (ndone == n)
			break;
		/* Sleep until a transfer has news, or a retry is due. */
		now = mono_ms();
		if (hold > now && hold - now < timeout)
			timeout = hold - now;
		for (unsigned i = 0; idle && nwait > 0 && i < n; i++)
			if (blk[i].state == BLK_WAIT &&
			    blk[i].due - now < timeout)
				timeout =
				    blk[i].due > now ? blk[i].due - now : 0;
		curl_multi_poll(b->multi, NULL, 0, (int)timeout, NULL);
	}
	if (blob_block_list(n, &list) == -1 ||
	    (list_url = url_with(url, "comp=blocklist")) == NULL)
		goto nomem;
	res = put_single(b, list_url, list_hdrs, list.data, list.len, -1, 0,
	                 shown, "Put Block List", err, errlen);
	goto done;
nomem:
	snprintf(err, errlen, "upload to %s: out of memory", shown);
	res = HTTP_REJECTED;
fail:
	abort_all(b);
done:
	free(list_url);
	buf_free(&list);
	free(blk);
	return res;
}

enum http_result
blob_put(struct blob *b, const char *url, const char *provider, int fd,
         uint64_t size, char *err, size_t errlen)
{
	static const char *const azure[] = {
	    "x-ms-blob-type: BlockBlob", STORAGE_VERSION,
	    "Content-Type: application/gzip", NULL};
	char shown[1024];

	log_redact_url(url, shown, sizeof(shown));
	if (size > BATCH_MAX_BYTES_CEILING) {
		snprintf(err, errlen,
		         "upload to %s: %llu bytes is more than one upload "
		         "takes (5 GB)",
		         shown, (unsigned long long)size);
		return HTTP_REJECTED;
	}
	if (strcmp(provider, "aws") == 0) {
		/* A pre-signed S3 PUT: the bytes and nothing else (its
		 * signature may cover the headers). */
		log_debug("PUT %s (aws, %llu bytes)", shown,
		          (unsigned long long)size);
		return put_single(b, url, NULL, NULL, 0, fd, size, shown, "PUT",
		                  err, errlen);
	}
	if (strcmp(provider, "azure") != 0)
		log_verbose("upload_url: provider '%s' is not known: treated "
		            "as azure",
		            provider);
	if (size <= b->c.put_blob_max) {
		log_debug("PUT %s (Put Blob, %llu bytes)", shown,
		          (unsigned long long)size);
		return put_single(b, url, azure, NULL, 0, fd, size, shown,
		                  "Put Blob", err, errlen);
	}
	return put_blocks(b, url, fd, size, shown, err, errlen);
}
