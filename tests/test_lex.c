/*
 * Shared tokenizers, times and syslog headers.
 */
#include "lex.h"
#include "syslog.h"
#include "test.h"

#define NOW 1780272000000LL /* 2026-06-01T00:00:00Z */

static struct slice
S(const char *s) {
	return slice_make(s, strlen(s));
}

TEST(times)
{
	int64_t ms = 0;

	CHECK(time_epoch(S("1157689312.049"), &ms));
	CHECK_INT_EQ(ms, 1157689312049LL);
	CHECK(time_epoch(S("1726124251"), &ms));
	CHECK_INT_EQ(ms, 1726124251000LL);
	CHECK(time_epoch(S("1647479503.348215340"), &ms));
	CHECK_INT_EQ(ms, 1647479503348LL);
	CHECK(!time_epoch(S("644"), &ms));
	CHECK(!time_epoch(S("1157689312."), &ms));
	CHECK(time_iso(S("2024-03-01T12:00:00.123Z"), &ms));
	CHECK_INT_EQ(ms, 1709294400123LL);
	CHECK(time_iso(S("2024-03-01T13:00:00+01:00"), &ms));
	CHECK_INT_EQ(ms, 1709294400000LL);
	CHECK(time_iso(S("2024-03-01 12:00:00"), &ms));
	CHECK_INT_EQ(ms, 1709294400000LL);
	CHECK(!time_iso(S("2024-13-01T12:00:00Z"), &ms));
	CHECK(!time_iso(S("2023-01-13T12:10:16--5:00"), &ms));
	CHECK(time_clf(S("12/Sep/2024:12:38:20 +0530"), &ms));
	CHECK_INT_EQ(ms, 1726124900000LL);
	CHECK(!time_clf(S("12/Sept/2024:12:38:20 +0530"), &ms));
}

TEST(url_host)
{
	uint16_t port = 0;
	bool has;

	CHECK_SLICE_EQ(
	    lex_url_host(S("http://u:p@Www.X.com:8080/a?b"), &port, &has),
	    "Www.X.com");
	CHECK(has);
	CHECK_INT_EQ(port, 8080);
	CHECK_SLICE_EQ(lex_url_host(S("login.yahoo.com:443"), &port, &has),
	               "login.yahoo.com");
	CHECK_INT_EQ(port, 443);
	CHECK_SLICE_EQ(
	    lex_url_host(S("https://[2001:db8::1]:443/"), &port, &has),
	    "2001:db8::1");
	CHECK_SLICE_EQ(lex_url_host(S("/favicon.ico"), &port, &has), "");
	CHECK_SLICE_EQ(lex_url_host(S("error:transaction-end-before-headers"),
	                            &port, &has),
	               "");
	CHECK_SLICE_EQ(lex_url_host(S("http://a.com"), &port, &has), "a.com");
	CHECK(!has);
}

TEST(words_fields_kv)
{
	struct slice r = S("  a  b\tc "), w;
	struct slice k, v;
	bool q;

	CHECK(lex_word(&r, &w));
	CHECK_SLICE_EQ(w, "a");
	CHECK(lex_word(&r, &w));
	CHECK_SLICE_EQ(w, "b");
	CHECK(lex_word(&r, &w));
	CHECK_SLICE_EQ(w, "c");
	CHECK(!lex_word(&r, &w));
	r = S("x,,y");
	CHECK(lex_field(&r, ',', &w));
	CHECK_SLICE_EQ(w, "x");
	CHECK(lex_field(&r, ',', &w));
	CHECK_SLICE_EQ(w, "");
	CHECK(lex_field(&r, ',', &w));
	CHECK_SLICE_EQ(w, "y");
	CHECK(!lex_field(&r, ',', &w));
	r = S("a=1 b=\"x y\" c");
	CHECK(lex_kv(&r, &k, &v, &q));
	CHECK_SLICE_EQ(v, "1");
	CHECK(lex_kv(&r, &k, &v, &q));
	CHECK_SLICE_EQ(k, "b");
	CHECK_SLICE_EQ(v, "x y");
	CHECK(q);
	CHECK(!lex_kv(&r, &k, &v, &q));
	CHECK(lex_is_ip(S("::1")));
	CHECK(lex_is_ip(S("fe80::1%eth0")));
	CHECK(lex_is_ip(S("10.0.0.1")));
	CHECK(!lex_is_ip(S("10.0.0")));
	CHECK(!lex_is_ip(S("example.com")));
}

TEST(syslog_headers)
{
	struct syslog_hdr h;

	CHECK(syslog_parse(S("<134>1 2020-03-29T13:19:20Z gw CheckPoint 1930 "
	                     "- [action:\"Accept\"]"),
	                   NOW, &h));
	CHECK(h.rfc5424);
	CHECK_INT_EQ(h.pri, 134);
	CHECK_SLICE_EQ(h.host, "gw");
	CHECK_SLICE_EQ(h.app, "CheckPoint");
	CHECK_SLICE_EQ(h.body, "[action:\"Accept\"]");
	CHECK_INT_EQ(h.time_ms, 1585487960000LL);

	CHECK(syslog_parse(S("<14>1 2019-11-14T09:37:51.184+01:00 SRX RT_FLOW "
	                     "- RT_FLOW_SESSION_CREATE [junos@2636.1 a=\"]\"] "
	                     "msg text"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.msgid, "RT_FLOW_SESSION_CREATE");
	CHECK_SLICE_EQ(h.sd, "[junos@2636.1 a=\"]\"]");
	CHECK_SLICE_EQ(h.body, "msg text");
	CHECK(syslog_parse(S("<14>1 2024-01-01T00:00:00Z h app - - - "
	                     "1157689312.049 5 1.2.3.4"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.body, "1157689312.049 5 1.2.3.4");
	/* MSG-UTF8: the byte order mark is the RFC's, not the vendor's. */
	CHECK(syslog_parse(S("<14>1 2024-01-01T00:00:00Z h app - - - "
	                     "\xef\xbb\xbf"
	                     "CEF:0|V|P|1|1|n|3|src=1.2.3.4"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.body, "CEF:0|V|P|1|1|n|3|src=1.2.3.4");
	CHECK(syslog_parse(S("<14>1 2024-01-01T00:00:00Z h app - - "
	                     "[a@1 b=\"c\"] \xef\xbb\xbf"
	                     "x y"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.body, "x y");

	CHECK(syslog_parse(S("Oct 10 2018 12:34:56 localhost CiscoASA[999]: "
	                     "%ASA-6-302013: Built"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.host, "localhost");
	CHECK_SLICE_EQ(h.app, "CiscoASA[999]");
	CHECK_SLICE_EQ(h.body, "%ASA-6-302013: Built");
	CHECK_INT_EQ(h.time_ms, 1539174896000LL);

	CHECK(syslog_parse(S("Jul  1 09:27:13 216.160.83.56 : %ASA-4-106023: "
	                     "Deny"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.host, "216.160.83.56");
	CHECK_SLICE_EQ(h.body, "%ASA-4-106023: Deny");
	/* No year: the latest that is not in the future, 2025 here. */
	CHECK_INT_EQ(h.time_ms, 1751362033000LL);

	CHECK(syslog_parse(S("<189>date=2020-04-23 time=10:00:00 devname=x"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.body, "date=2020-04-23 time=10:00:00 devname=x");
	CHECK(!h.has_time);

	CHECK(syslog_parse(S("2019-08-15T16:03:31Z firepower  %FTD-1-430002: "
	                     "x"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.host, "firepower");
	CHECK_SLICE_EQ(h.body, "%FTD-1-430002: x");

	CHECK(syslog_parse(S("<14>Jan  2 03:04:05 proxy squid[42]: "
	                     "1157689312.049 5 1.2.3.4 TCP_MISS/200"),
	                   NOW, &h));
	CHECK_SLICE_EQ(h.body, "1157689312.049 5 1.2.3.4 TCP_MISS/200");

	/* A zone name applies its offset; a glued colon is no host. */
	CHECK(syslog_parse(S("Apr 15 2014 09:34:34 EDT: %ASA-5-106100: x"), NOW,
	                   &h));
	CHECK_INT_EQ(h.time_ms, 1397568874000LL);
	CHECK_SLICE_EQ(h.body, "%ASA-5-106100: x");
	CHECK(
	    syslog_parse(S("Apr 29 2013 12:59:50: %ASA-6-302013: y"), NOW, &h));
	CHECK_SLICE_EQ(h.host, "");
	CHECK_SLICE_EQ(h.body, "%ASA-6-302013: y");
	CHECK(syslog_parse(S("Mar  3 10:00:00 10.1.1.1: %ASA-6-302013: z"), NOW,
	                   &h));
	CHECK_SLICE_EQ(h.host, "10.1.1.1");
	CHECK_SLICE_EQ(h.body, "%ASA-6-302013: z");
	/* Meraki's RFC 5424 look-alike: the message starts after the host. */
	CHECK(syslog_parse(
	    S("<134>1 1647479503.348215340 MX84 urls src=1.2.3.4:1 "
	      "dst=5.6.7.8:443"),
	    NOW, &h));
	CHECK_SLICE_EQ(h.host, "MX84");
	CHECK_SLICE_EQ(h.body, "urls src=1.2.3.4:1 dst=5.6.7.8:443");
	CHECK_INT_EQ(h.time_ms, 1647479503348LL);

	CHECK(!syslog_parse(
	    S("1157689312.049   5006 10.105.21.199 TCP_MISS/200"), NOW, &h));
	CHECK(!syslog_parse(S("2005-05-04 17:16:12 1 45.110.2.82 - - "), NOW,
	                    &h));
	CHECK(!syslog_parse(S(""), NOW, &h));
	CHECK(!syslog_parse(S("<999>x"), NOW, &h));
}

TEST_MAIN("lex", T(times), T(url_host), T(words_fields_kv), T(syslog_headers))
