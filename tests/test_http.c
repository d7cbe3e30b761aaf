/*
 * The upload plumbing without a network: the classification of every
 * outcome (tables), the retry schedule, the client-side rate limit and its
 * Retry-After gate, block ids and the Put Block List body, and the text
 * of the progress bar.
 */
#include <curl/curl.h>
#include <stdbool.h>
#include <string.h>

#include "blob.h"
#include "buf.h"
#include "http.h"
#include "limits.h"
#include "progress.h"
#include "ratelimit.h"
#include "test.h"

TEST(classify_status)
{
	static const struct {
		long status;
		enum http_result want;
	} t[] = {
	    {200, HTTP_OK},         {201, HTTP_OK},
	    {204, HTTP_OK},         {299, HTTP_OK},
	    {301, HTTP_REJECTED},   {304, HTTP_REJECTED},
	    {400, HTTP_REJECTED},   {401, HTTP_AUTH},
	    {403, HTTP_AUTH},       {404, HTTP_REJECTED},
	    {405, HTTP_REJECTED},   {408, HTTP_RETRY_HTTP},
	    {409, HTTP_REJECTED},   {411, HTTP_REJECTED},
	    {413, HTTP_REJECTED},   {429, HTTP_RETRY_HTTP},
	    {500, HTTP_RETRY_HTTP}, {501, HTTP_REJECTED},
	    {502, HTTP_RETRY_HTTP}, {503, HTTP_RETRY_HTTP},
	    {504, HTTP_RETRY_HTTP}, {505, HTTP_REJECTED},
	    {100, HTTP_REJECTED},   {0, HTTP_REJECTED},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		enum http_result got = http_classify(true, t[i].status);

		if (got != t[i].want)
			fprintf(stderr, "  status %ld\n", t[i].status);
		CHECK_INT_EQ(got, t[i].want);
	}
	/* No answer at all: the network. */
	CHECK_INT_EQ(http_classify(false, 0), HTTP_RETRY_NET);
	CHECK_INT_EQ(http_classify(false, 200), HTTP_RETRY_NET);
}

TEST(classify_transport)
{
	static const struct {
		CURLcode code;
		enum http_result want;
		bool tls;
	} t[] = {
	    {CURLE_OK, HTTP_OK, false},
	    {CURLE_COULDNT_CONNECT, HTTP_RETRY_NET, false},
	    {CURLE_COULDNT_RESOLVE_HOST, HTTP_RETRY_NET, false},
	    {CURLE_COULDNT_RESOLVE_PROXY, HTTP_RETRY_NET, false},
	    {CURLE_OPERATION_TIMEDOUT, HTTP_RETRY_NET, false},
	    {CURLE_GOT_NOTHING, HTTP_RETRY_NET, false},
	    {CURLE_SEND_ERROR, HTTP_RETRY_NET, false},
	    {CURLE_RECV_ERROR, HTTP_RETRY_NET, false},
	    {CURLE_PARTIAL_FILE, HTTP_RETRY_NET, false},
	    {CURLE_SSL_CONNECT_ERROR, HTTP_RETRY_NET, false},
	    {CURLE_PEER_FAILED_VERIFICATION, HTTP_REJECTED, true},
	    {CURLE_SSL_CACERT_BADFILE, HTTP_REJECTED, true},
	    {CURLE_SSL_CERTPROBLEM, HTTP_REJECTED, true},
	    {CURLE_SSL_PINNEDPUBKEYNOTMATCH, HTTP_REJECTED, true},
	    {CURLE_URL_MALFORMAT, HTTP_REJECTED, false},
	    {CURLE_UNSUPPORTED_PROTOCOL, HTTP_REJECTED, false},
	    {CURLE_READ_ERROR, HTTP_REJECTED, false},
	    {CURLE_ABORTED_BY_CALLBACK, HTTP_REJECTED, false},
	    {CURLE_OUT_OF_MEMORY, HTTP_REJECTED, false},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool tls = !t[i].tls;
		enum http_result got = http_classify_transport(t[i].code, &tls);

		if (got != t[i].want || tls != t[i].tls)
			fprintf(stderr, "  CURLcode %d\n", (int)t[i].code);
		CHECK_INT_EQ(got, t[i].want);
		CHECK_INT_EQ(tls, t[i].tls);
	}
	CHECK_INT_EQ(http_classify_transport(CURLE_COULDNT_CONNECT, NULL),
	             HTTP_RETRY_NET);
}

TEST(result_names)
{
	CHECK_STR_EQ(http_result_name(HTTP_OK), "ok");
	CHECK_STR_EQ(http_result_name(HTTP_RETRY_HTTP), "temporary error");
	CHECK_STR_EQ(http_result_name((enum http_result)99), "?");
}

TEST(retry_backoff_jitter_and_budget)
{
	struct http_retry rt;
	struct http_resp r = {0};
	int64_t step = RETRY_FIRST_MS;

	/* Each wait lies between half and all of a step that doubles. */
	http_retry_init(&rt, 100000);
	for (int i = 0; i < 8; i++) {
		int64_t w = http_retry_next(&rt, &r);

		CHECK(w >= step / 2 && w <= step);
		step = step * 2 > RETRY_CAP_MS ? RETRY_CAP_MS : step * 2;
	}
	/* The cap. */
	http_retry_init(&rt, 1000000);
	rt.backoff = RETRY_CAP_MS;
	CHECK(http_retry_next(&rt, &r) <= RETRY_CAP_MS);
	CHECK_INT_EQ(rt.backoff, RETRY_CAP_MS);
	/* Retry-After longer than the step wins. */
	http_retry_init(&rt, 100);
	r.retry_after = 7;
	CHECK_INT_EQ(http_retry_next(&rt, &r), 7000);
	/* ... shorter: the step stands. */
	http_retry_init(&rt, 100);
	rt.backoff = 16000;
	r.retry_after = 1;
	CHECK(http_retry_next(&rt, &r) >= 8000);
	/* No wait may end past the budget. */
	http_retry_init(&rt, 5);
	r.retry_after = 6;
	CHECK_INT_EQ(http_retry_next(&rt, &r), -1);
	http_retry_init(&rt, 0);
	r.retry_after = 0;
	CHECK_INT_EQ(http_retry_next(&rt, &r), -1);
}

TEST(ratelimit_window)
{
	struct ratelimit rl;
	int64_t t0, w;

	/* 3 requests in 300 ms: three leave at once, the fourth waits for
	 * the first to leave the window (plus the 2% margin). */
	ratelimit_init(&rl, 3, 300);
	t0 = mono_ms();
	for (int i = 0; i < 3; i++)
		CHECK(ratelimit_wait(&rl) < 50);
	w = ratelimit_wait(&rl);
	CHECK(w >= 250 && w <= 450);
	CHECK(mono_ms() - t0 >= 300);
	/* The 5th and 6th follow the 2nd and 3rd out of the window at
	 * once; the 7th waits for the 4th: never more than 3 in 300 ms. */
	CHECK(ratelimit_wait(&rl) < 50);
	CHECK(ratelimit_wait(&rl) < 50);
	w = ratelimit_wait(&rl);
	CHECK(w >= 250 && w <= 450);
	CHECK(mono_ms() - t0 >= 600);
}

TEST(ratelimit_clamps)
{
	struct ratelimit rl;

	ratelimit_init(&rl, 0, 0);
	CHECK_INT_EQ(rl.rpm, 1);
	CHECK_INT_EQ(rl.window_ms, 60000);
	ratelimit_init(&rl, 100000, 1000);
	CHECK_INT_EQ(rl.rpm, RATELIMIT_MAX_RPM);
}

TEST(ratelimit_retry_after_gate)
{
	struct ratelimit rl;
	int64_t w;

	/* The window has room, but the tenant asked for a pause: nothing
	 * leaves before it ends. */
	ratelimit_init(&rl, 30, 60000);
	CHECK(ratelimit_wait(&rl) < 50);
	ratelimit_close(&rl, 1);
	w = ratelimit_wait(&rl);
	CHECK(w >= 950 && w <= 1300);
	/* A shorter Retry-After does not shorten a running one. */
	ratelimit_close(&rl, 1);
	rl.closed_until += 500;
	ratelimit_close(&rl, 0);
	w = ratelimit_wait(&rl);
	CHECK(w >= 1400);
	/* Once it has passed, requests flow again. */
	CHECK(ratelimit_wait(&rl) < 50);
}

TEST(block_ids)
{
	char a[32], b[32];

	/* base64("00000000") and its URL-encoded form. */
	CHECK_STR_EQ(blob_block_id(0, 0, a, sizeof(a)), "MDAwMDAwMDA=");
	CHECK_STR_EQ(blob_block_id(0, 1, a, sizeof(a)), "MDAwMDAwMDA%3D");
	CHECK_STR_EQ(blob_block_id(1, 0, a, sizeof(a)), "MDAwMDAwMDE=");
	CHECK_STR_EQ(blob_block_id(49999, 0, a, sizeof(a)), "MDAwNDk5OTk=");
	/* Every id of a blob has the same length. */
	for (unsigned i = 0; i < BLOB_MAX_BLOCKS; i += 997) {
		CHECK_INT_EQ(strlen(blob_block_id(i, 0, a, sizeof(a))), 12);
		CHECK_INT_EQ(strlen(blob_block_id(i, 1, b, sizeof(b))), 14);
	}
	/* Distinct and in order. */
	blob_block_id(9, 0, a, sizeof(a));
	blob_block_id(10, 0, b, sizeof(b));
	CHECK(strcmp(a, b) != 0);
	/* A short buffer is cut, still terminated. */
	CHECK(strlen(blob_block_id(0, 1, a, 6)) < 6);
}

TEST(block_list_xml)
{
	struct buf b;

	buf_init(&b, 1 << 20);
	CHECK_OK(blob_block_list(2, &b));
	CHECK_STR_EQ(b.data, "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
	                     "<BlockList><Latest>MDAwMDAwMDA=</Latest>"
	                     "<Latest>MDAwMDAwMDE=</Latest></BlockList>\n");
	buf_free(&b);
	/* A list too long for its buffer fails, not overflows. */
	buf_init(&b, 100);
	CHECK_INT_EQ(blob_block_list(10, &b), -1);
	buf_free(&b);
}

TEST(progress_text)
{
	char out[512];
	struct progress_view v = {.read = 50 * 1048576,
	                          .read_total = 100 * 1048576,
	                          .kept = 12345,
	                          .elapsed_ms = 5000};

	progress_format(out, sizeof(out), &v, 200);
	CHECK_STR_EQ(out, "reading [##########..........]  50% 50.0 MiB of "
	                  "100.0 MiB  10.0 MiB/s  ETA 0:05  (12345 lines "
	                  "kept)");
	v.sending = true;
	v.read = v.read_total;
	v.sent = 3 * 1048576;
	v.send_total = 4 * 1048576;
	v.elapsed_ms = 3000;
	progress_format(out, sizeof(out), &v, 200);
	CHECK_STR_EQ(out, "sending [###############.....]  75% 3.0 MiB of 4.0 "
	                  "MiB  1.0 MiB/s  ETA 0:01  (read 100.0 MiB, 12345 "
	                  "lines kept)");
	/* The most important part fits 80 columns. */
	progress_format(out, sizeof(out), &v, 80);
	CHECK(strstr(out, "ETA 0:01") != NULL);
	/* Unknown size (stdin): no bar, no ETA. */
	v = (struct progress_view){.read = 2048, .kept = 3, .elapsed_ms = 1000};
	progress_format(out, sizeof(out), &v, 200);
	CHECK_STR_EQ(out, "reading 2.0 KiB  2.0 KiB/s  (3 lines kept)");
	/* Never wider than the terminal. */
	progress_format(out, sizeof(out), &v, 20);
	CHECK_INT_EQ(strlen(out), 19);
	/* Not a terminal: nothing happens, whatever is reported. */
	progress_init(true);
	progress_read(1);
	progress_send(10);
	progress_sent(5);
	progress_end();
}

TEST_MAIN("http", T(classify_status), T(classify_transport), T(result_names),
          T(retry_backoff_jitter_and_budget), T(ratelimit_window),
          T(ratelimit_clamps), T(ratelimit_retry_after_gate), T(block_ids),
          T(block_list_xml), T(progress_text))
