/*
 * The filter chain: internal ranges (IPv4, IPv6, mapped, configured),
 * internal domains, the age limit, and CIDR parsing errors.
 */
#include "filter.h"
#include "lex.h"
#include "test.h"

static struct record
rec_dst(const char *ip, const char *host)
{
	struct record r = {0};

	if (ip)
		r.dst_ip = slice_make(ip, strlen(ip));
	if (host)
		r.dst_host = slice_make(host, strlen(host));
	return r;
}

static int
verdict(const struct filter *f, const char *ip, const char *host)
{
	struct record r = rec_dst(ip, host);

	return filter_apply(f, &r);
}

TEST(rfc1918_and_friends)
{
	struct filter f = {0};

	CHECK_INT_EQ(verdict(&f, "10.1.2.3", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "172.16.0.1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "172.31.255.255", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "172.32.0.1", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, "172.15.255.255", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, "192.168.0.1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "192.169.0.1", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, "127.0.0.1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "169.254.10.1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "8.8.8.8", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, "11.0.0.1", NULL), FILTER_KEEP);
}

TEST(ipv6)
{
	struct filter f = {0};

	CHECK_INT_EQ(verdict(&f, "::1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "fd12:3456::1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "fc00::1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "fe80::1%eth0", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "febf::1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "fec0::1", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, "2a00:1450:4001::200e", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, "::ffff:10.0.0.1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "::ffff:8.8.8.8", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, NULL, "[::1]"), FILTER_INTERNAL);
}

TEST(configured_ranges)
{
	struct filter f = {0};
	char err[128];

	CHECK_OK(filter_add_cidr(&f, "203.0.113.0/24", err, sizeof(err)));
	CHECK_OK(filter_add_cidr(&f, "2001:db8::/32", err, sizeof(err)));
	CHECK_OK(filter_add_cidr(&f, "198.51.100.7", err, sizeof(err)));
	CHECK_INT_EQ(verdict(&f, "203.0.113.200", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "203.0.114.1", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, "2001:db8:ffff::1", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "2001:db9::1", NULL), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, "198.51.100.7", NULL), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, "198.51.100.8", NULL), FILTER_KEEP);
	f.keep_internal = true;
	CHECK_INT_EQ(verdict(&f, "10.0.0.1", NULL), FILTER_KEEP);
	filter_free(&f);
}

TEST(cidr_errors)
{
	struct cidr c;
	char err[128];

	CHECK_INT_EQ(cidr_parse("10.0.0.0/33", &c, err, sizeof(err)), -1);
	CHECK(strstr(err, "0-32") != NULL);
	CHECK_INT_EQ(cidr_parse("10.0.0/8", &c, err, sizeof(err)), -1);
	CHECK_INT_EQ(cidr_parse("::/129", &c, err, sizeof(err)), -1);
	CHECK_INT_EQ(cidr_parse("10.0.0.0/", &c, err, sizeof(err)), -1);
	CHECK_INT_EQ(cidr_parse("10.0.0.0/8x", &c, err, sizeof(err)), -1);
	CHECK_OK(cidr_parse("0.0.0.0/0", &c, err, sizeof(err)));
	CHECK_INT_EQ(c.bits, 0);
}

TEST(domains)
{
	struct filter f = {0};

	CHECK_OK(filter_add_domain(&f, ".Corp.Example.com"));
	CHECK_INT_EQ(verdict(&f, NULL, "corp.example.com"), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, NULL, "wiki.CORP.example.com"),
	             FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, NULL, "notcorp.example.com"), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, NULL, "corp.example.com.evil.io"),
	             FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, NULL, "intranet"), FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, NULL, "www.dropbox.com"), FILTER_KEEP);
	CHECK_INT_EQ(verdict(&f, NULL, "10.2.3.4"), FILTER_INTERNAL);
	/* An internal address wins over a public-looking name. */
	CHECK_INT_EQ(verdict(&f, "10.9.9.9", "intranet.example.org"),
	             FILTER_INTERNAL);
	CHECK_INT_EQ(verdict(&f, NULL, NULL), FILTER_KEEP);
	filter_free(&f);
}

TEST(age)
{
	struct filter f = {0};
	struct record r = rec_dst("8.8.8.8", NULL);

	f.max_age_days = 90;
	f.now_ms = 1780272000000LL;
	r.has = REC_HAS_TIME;
	r.time_ms = f.now_ms - 89LL * 86400000;
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_KEEP);
	r.time_ms = f.now_ms - 91LL * 86400000;
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_TOO_OLD);
	r.has = 0; /* no time: cannot be judged, kept */
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_KEEP);
	f.max_age_days = 0;
	r.has = REC_HAS_TIME;
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_KEEP);
}

TEST_MAIN("filter", T(rfc1918_and_friends), T(ipv6), T(configured_ranges),
          T(cidr_errors), T(domains), T(age))
