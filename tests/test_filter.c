/*
 * The filter chain: internal ranges (IPv4, IPv6, mapped, configured),
 * internal domains, the age limit, CIDR parsing errors, and the include
 * and exclude rules (match.h).
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

static void
set(struct slice *s, const char *v)
{
	*s = slice_make(v, strlen(v));
}

TEST(include_exclude)
{
	struct filter f = {.keep_internal = true};
	struct record r = rec_dst("8.8.8.8", "Download.WindowsUpdate.com");
	char err[256];

	set(&r.user_agent, "Microsoft-Delivery-Optimization/10.0");
	set(&r.raw, "a whole line with healthcheck in it");
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_KEEP);
	CHECK_INT_EQ(
	    match_add(&f.exclude, "dst_host windowsupdate", err, sizeof(err)),
	    0);
	/* Case-sensitive unless the pattern says otherwise. */
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_KEEP);
	CHECK_INT_EQ(match_add(&f.exclude,
	                       "dst_host (?i)\\.windowsupdate\\.com$", err,
	                       sizeof(err)),
	             0);
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_EXCLUDED);
	match_free(&f.exclude);
	/* A field the line lacks is the empty string. */
	CHECK_INT_EQ(match_add(&f.include, "user .", err, sizeof(err)), 0);
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_NOT_INCLUDED);
	set(&r.user, "alice");
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_KEEP);
	/* Any include rule will do; exclude wins over include. */
	CHECK_INT_EQ(match_add(&f.include, "src_ip ^10\\.", err, sizeof(err)),
	             0);
	r.user = (struct slice){0};
	set(&r.src_ip, "10.1.2.3");
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_KEEP);
	CHECK_INT_EQ(
	    match_add(&f.exclude, "line healthcheck", err, sizeof(err)), 0);
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_EXCLUDED);
	/* Invalid UTF-8 in a field is matched, not an error. */
	match_free(&f.exclude);
	set(&r.url, "http://x.example/\xff\xfe/bad");
	CHECK_INT_EQ(match_add(&f.exclude, "url /\\xff|bad$", err, sizeof(err)),
	             0);
	CHECK_INT_EQ(filter_apply(&f, &r), FILTER_EXCLUDED);
	filter_free(&f);
	CHECK_INT_EQ(f.include.n + f.exclude.n, 0);
}

TEST(include_exclude_errors)
{
	char err[256];

	CHECK_INT_EQ(match_check("usr x", err, sizeof(err)), -1);
	CHECK(strstr(err, "'usr' is not a field") != NULL);
	CHECK(strstr(err, "user_agent") != NULL);
	CHECK_INT_EQ(match_check("url", err, sizeof(err)), -1);
	CHECK(strstr(err, "no pattern") != NULL);
	CHECK_INT_EQ(match_check("url   ", err, sizeof(err)), -1);
	CHECK_INT_EQ(match_check("user (", err, sizeof(err)), -1);
	CHECK(strstr(err, "missing closing parenthesis at offset 1") != NULL);
	CHECK_INT_EQ(match_check("", err, sizeof(err)), -1);
	CHECK_INT_EQ(match_check("url\t^https:", err, sizeof(err)), 0);
}

TEST_MAIN("filter", T(rfc1918_and_friends), T(ipv6), T(configured_ranges),
          T(cidr_errors), T(domains), T(age), T(include_exclude),
          T(include_exclude_errors))
