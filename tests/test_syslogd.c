/*
 * The syslog receiver's RFC 6587 framing decoder: octet counting across
 * reads, newline framing, a count split across reads, a count over the
 * maximum (closes, allocates nothing by it), NUL bytes, over-long lines,
 * lines that start with digits; and the metrics text rendered from a
 * status object.  No socket: bytes are fed by hand.
 */
#include <arpa/inet.h>
#include <cJSON.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conf.h"
#include "loop.h"
#include "metrics.h"
#include "syslogd.h"
#include "test.h"

#define MAXMSG 64

/* What the decoder handed on. */
static struct got {
	char msg[16][MAXMSG + 1];
	size_t len[16];
	bool truncated[16];
	int n;
} got;

static void
collect(void *arg, struct slice m, bool truncated)
{
	(void)arg;
	if (got.n >= 16)
		return;
	memcpy(got.msg[got.n], m.p, m.len);
	got.msg[got.n][m.len] = '\0';
	got.len[got.n] = m.len;
	got.truncated[got.n] = truncated;
	got.n++;
}

/* Feed s in pieces of `step` bytes (0: at once).  The feed's result. */
static int
feed(struct syslogd_frame *f, const char *s, size_t len, size_t step, char *err,
     size_t errlen)
{
	size_t off = 0;

	if (step == 0)
		step = len;
	while (off < len) {
		size_t k = len - off < step ? len - off : step;

		if (syslogd_frame_feed(f, s + off, k, collect, NULL, err,
		                       errlen) == -1)
			return -1;
		off += k;
	}
	return 0;
}

static void
reset(struct syslogd_frame *f, size_t max)
{
	memset(&got, 0, sizeof(got));
	syslogd_frame_init(f, max);
}

TEST(octet_counting_across_reads)
{
	static const char in[] = "11 <13>1 hello12 <13>1 a\nb\nc\n";
	struct syslogd_frame f;
	char err[128];

	for (size_t step = 0; step <= 4; step++) {
		reset(&f, MAXMSG);
		CHECK_OK(feed(&f, in, sizeof(in) - 1, step, err, sizeof(err)));
		CHECK_INT_EQ(got.n, 2);
		CHECK_STR_EQ(got.msg[0], "<13>1 hello");
		/* A line break inside: a space; the trailing one: gone. */
		CHECK_STR_EQ(got.msg[1], "<13>1 a b c");
		CHECK(!got.truncated[0] && !got.truncated[1]);
		syslogd_frame_free(&f);
	}
}

TEST(newline_framing)
{
	static const char in[] = "<13>one\n<14>two\r\n\n\r\n<15>three\n<16>par";
	struct syslogd_frame f;
	char err[128];

	reset(&f, MAXMSG);
	CHECK_OK(feed(&f, in, sizeof(in) - 1, 3, err, sizeof(err)));
	CHECK_INT_EQ(got.n, 3);
	CHECK_STR_EQ(got.msg[0], "<13>one");
	CHECK_STR_EQ(got.msg[1], "<14>two");
	CHECK_STR_EQ(got.msg[2], "<15>three");
	/* The sender closed without a last LF. */
	CHECK(syslogd_frame_end(&f, collect, NULL));
	CHECK_INT_EQ(got.n, 4);
	CHECK_STR_EQ(got.msg[3], "<16>par");
	syslogd_frame_free(&f);
}

TEST(count_split_across_reads)
{
	struct syslogd_frame f;
	char err[128];

	reset(&f, MAXMSG);
	CHECK_OK(
	    syslogd_frame_feed(&f, "1", 1, collect, NULL, err, sizeof(err)));
	CHECK_OK(
	    syslogd_frame_feed(&f, "0", 1, collect, NULL, err, sizeof(err)));
	CHECK_INT_EQ(got.n, 0);
	CHECK_OK(syslogd_frame_feed(&f, " 01234", 6, collect, NULL, err,
	                            sizeof(err)));
	CHECK_INT_EQ(got.n, 0);
	CHECK_OK(syslogd_frame_feed(&f, "56789<1", 7, collect, NULL, err,
	                            sizeof(err)));
	CHECK_INT_EQ(got.n, 1);
	CHECK_STR_EQ(got.msg[0], "0123456789");
	/* The next message, newline framed, on the same connection. */
	CHECK_OK(syslogd_frame_feed(&f, "3>x\n", 4, collect, NULL, err,
	                            sizeof(err)));
	CHECK_INT_EQ(got.n, 2);
	CHECK_STR_EQ(got.msg[1], "<13>x");
	/* An unfinished counted message at the end is not handed on. */
	CHECK_OK(syslogd_frame_feed(&f, "9 abc", 5, collect, NULL, err,
	                            sizeof(err)));
	CHECK(!syslogd_frame_end(&f, collect, NULL));
	CHECK_INT_EQ(got.n, 2);
	syslogd_frame_free(&f);
}

TEST(huge_count_closes)
{
	static const char in[] = "99999999999999999999999999 <13>x";
	struct syslogd_frame f;
	char err[128] = "";

	reset(&f, MAXMSG);
	CHECK_INT_EQ(feed(&f, in, sizeof(in) - 1, 0, err, sizeof(err)), -1);
	CHECK(strstr(err, "larger than syslog_max_message") != NULL);
	CHECK_INT_EQ(got.n, 0);
	syslogd_frame_free(&f);
	/* Just over the maximum, split: refused as well. */
	reset(&f, MAXMSG);
	CHECK_INT_EQ(feed(&f, "65 <13>", 7, 1, err, sizeof(err)), -1);
	syslogd_frame_free(&f);
	/* Exactly the maximum: taken. */
	reset(&f, 8);
	CHECK_OK(feed(&f, "8 12345678", 10, 0, err, sizeof(err)));
	CHECK_INT_EQ(got.n, 1);
	CHECK_STR_EQ(got.msg[0], "12345678");
	syslogd_frame_free(&f);
}

TEST(nul_is_data)
{
	static const char in[] = "<13>a\0b\n6 <1>\0z\n";
	struct syslogd_frame f;
	char err[128];

	reset(&f, MAXMSG);
	CHECK_OK(feed(&f, in, sizeof(in) - 1, 0, err, sizeof(err)));
	CHECK_INT_EQ(got.n, 2);
	CHECK_INT_EQ(got.len[0], 7);
	CHECK(memcmp(got.msg[0], "<13>a\0b", 7) == 0);
	CHECK_INT_EQ(got.len[1], 5);
	CHECK(memcmp(got.msg[1], "<1>\0z", 5) == 0);
	syslogd_frame_free(&f);
}

TEST(long_line_truncated)
{
	char in[3 * MAXMSG];
	struct syslogd_frame f;
	char err[128];

	memset(in, 'x', sizeof(in));
	in[0] = '<';
	in[2 * MAXMSG] = '\n';
	memcpy(in + 2 * MAXMSG + 1, "<13>ok\n", 7);
	reset(&f, MAXMSG);
	CHECK_OK(feed(&f, in, 2 * MAXMSG + 8, 7, err, sizeof(err)));
	CHECK_INT_EQ(got.n, 2);
	CHECK(got.truncated[0]);
	CHECK_INT_EQ(got.len[0], MAXMSG);
	CHECK(!got.truncated[1]);
	CHECK_STR_EQ(got.msg[1], "<13>ok");
	syslogd_frame_free(&f);
}

TEST(digits_without_space_are_a_line)
{
	static const char in[] = "1795896696.033 27520 10.0.0.1 TCP_MISS/200\n"
	                         "12345\n";
	struct syslogd_frame f;
	char err[128];

	reset(&f, MAXMSG);
	CHECK_OK(feed(&f, in, sizeof(in) - 1, 2, err, sizeof(err)));
	CHECK_INT_EQ(got.n, 2);
	CHECK_STR_EQ(got.msg[0], "1795896696.033 27520 10.0.0.1 TCP_MISS/200");
	CHECK_STR_EQ(got.msg[1], "12345");
	syslogd_frame_free(&f);
}

TEST(metrics_render_families)
{
	static const char js[] =
	    "{\"started\": 100, \"spool\": {\"bytes\": 5, \"quota\": 10,"
	    " \"batches\": 1, \"dropped_batches\": 0, \"dropped_lines\": 0},"
	    " \"sources\": [{\"name\": \"a\\\"b\", \"lines\": {\"read\": 7,"
	    " \"kept\": 6, \"rejected\": 1, \"skipped\": 0, \"dropped\":"
	    " {\"internal\": 2}}, \"healthy\": true, \"syslog\": ["
	    "{\"listener\": \"udp://127.0.0.1:1\", \"transport\": \"udp\","
	    " \"messages\": 3, \"kernel_drops\": 4}]}]}";
	cJSON *o = cJSON_Parse(js);
	size_t len;
	char *t = metrics_render(o, &len);

	CHECK(t != NULL);
	if (t == NULL)
		return;
	CHECK(strstr(t, "discolog_up 1\n") != NULL);
	CHECK(strstr(t, "discolog_spool_bytes 5\n") != NULL);
	CHECK(strstr(t, "discolog_lines_read_total{source=\"a\\\"b\"} 7\n") !=
	      NULL);
	CHECK(strstr(t, "discolog_lines_dropped_total{source=\"a\\\"b\","
	                "reason=\"internal\"} 2\n") != NULL);
	CHECK(strstr(t, "discolog_source_healthy{source=\"a\\\"b\"} 1\n") !=
	      NULL);
	CHECK(strstr(t, "discolog_syslog_dropped_total{source=\"a\\\"b\","
	                "listener=\"udp://127.0.0.1:1\",transport=\"udp\","
	                "reason=\"kernel\"} 4\n") != NULL);
	/* One HELP per family, even with several rows. */
	CHECK(strstr(t, "# TYPE discolog_syslog_dropped_total counter") !=
	      NULL);
	CHECK(strstr(strstr(t, "# TYPE discolog_syslog_dropped_total") + 1,
	             "# TYPE discolog_syslog_dropped_total") == NULL);
	CHECK_INT_EQ(strlen(t), len);
	free(t);
	cJSON_Delete(o);
}

/* ---- the receiver in a real loop, on loopback ---- */

static int lines_seen;

static void
on_line(void *arg, void **stream, const char *listener, struct slice msg,
        bool too_long)
{
	(void)arg, (void)stream, (void)listener, (void)too_long;
	if (msg.len > 0)
		lines_seen++;
}

static int
free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) == -1)
		port = 0;
	else
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static int
dial(int type, int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int fd = socket(AF_INET, type, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
spin(struct loop *l, int turns)
{
	for (int i = 0; i < turns; i++)
		loop_run_once(l, 20);
}

static double
stat_of(struct syslogd *sd, int i, const char *key)
{
	cJSON *a = syslogd_status(sd);
	double v =
	    cJSON_GetObjectItem(cJSON_GetArrayItem(a, i), key)->valuedouble;

	cJSON_Delete(a);
	return v;
}

TEST(pause_stops_reading_tcp_and_drops_udp)
{
	struct loop *l = loop_new();
	char u0[64], u1[64], *urls[2] = {u0, u1}, err[256];
	struct conf_source cs = {.name = "t",
	                         .syslog = urls,
	                         .nsyslog = 2,
	                         .syslog_max_message = 4096,
	                         .syslog_max_connections = 4,
	                         .syslog_idle_timeout = 300};
	struct syslogd_conf sc = {.cs = &cs, .loop = l, .line = on_line};
	struct syslogd *sd;
	int port = free_port(), t, u;

	snprintf(u0, sizeof(u0), "tcp://127.0.0.1:%d", port);
	snprintf(u1, sizeof(u1), "udp://127.0.0.1:%d", port);
	sd = syslogd_new(&sc, err, sizeof(err));
	CHECK(sd != NULL);
	if (sd == NULL) {
		fprintf(stderr, "  %s\n", err);
		loop_free(l);
		return;
	}
	lines_seen = 0;
	t = dial(SOCK_STREAM, port);
	u = dial(SOCK_DGRAM, port);
	CHECK(t != -1 && u != -1);
	CHECK(write(t, "<13>a\n5 <1>", 11) == 11);
	spin(l, 5);
	CHECK_INT_EQ(lines_seen, 1);
	syslogd_pause(sd, true);
	CHECK(write(t, "b\n<13>c\n", 9) == 9);
	CHECK(send(u, "<13>udp", 7, 0) == 7);
	spin(l, 5);
	/* Paused: TCP waits in the socket, UDP is read and dropped. */
	CHECK_INT_EQ(lines_seen, 1);
	CHECK_INT_EQ(stat_of(sd, 1, "dropped_paused"), 1);
	CHECK_INT_EQ(stat_of(sd, 0, "connections"), 1);
	syslogd_pause(sd, false);
	spin(l, 5);
	CHECK_INT_EQ(lines_seen, 3);
	CHECK_INT_EQ(stat_of(sd, 0, "messages"), 3);
	close(t);
	spin(l, 5);
	CHECK_INT_EQ(stat_of(sd, 0, "connections"), 0);
	close(u);
	syslogd_free(sd);
	loop_free(l);
}

TEST_MAIN("syslogd", T(octet_counting_across_reads), T(newline_framing),
          T(count_split_across_reads), T(huge_count_closes), T(nul_is_data),
          T(long_line_truncated), T(digits_without_space_are_a_line),
          T(metrics_render_families), T(pause_stops_reading_tcp_and_drops_udp))
