/*
 * The local side of the pull commands: the block script's domain list
 * (parsing untrusted lines, host name checks), every renderer, the atomic
 * write with change detection, appliance names, and the table and CSV
 * output (alignment, quoting, terminal-safe cells).
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blockscript.h"
#include "table.h"
#include "test.h"

static const char script[] = ".dropbox.com\n"
                             ".www.dropbox.com\n" /* under dropbox.com */
                             ".Reddit.COM\n"
                             "\n"
                             "# a comment\n"
                             "; another\n"
                             "  .mega.nz  \r\n"
                             ".dropbox.com\n" /* duplicate */
                             "*.wetransfer.com\n"
                             "tiktok.com.\n"
                             ".com\n"             /* a TLD alone */
                             ".10.1.2.3\n"        /* an address */
                             ".evil.com;rm -rf\n" /* not a name */
                             ".-bad.com\n"
                             ".bad-.com\n"
                             ".under_score.com\n"
                             ".$(reboot).com\n"
                             "http://x.com/\n"
                             ".xn--bcher-kva.example"; /* no newline */

static char *
render_str(enum blockscript_render r, bool banned)
{
	struct blockscript_domains d = {0};
	struct buf b;
	size_t dropped;

	buf_init(&b, 1 << 20);
	if (blockscript_domains_parse(&d, script, strlen(script), &dropped) ==
	        -1 ||
	    blockscript_render(r, &d, banned, &b) == -1 || buf_addc(&b, 0))
		CHECK(!"render failed");
	blockscript_domains_free(&d);
	return buf_take(&b, NULL);
}

TEST(parse_domains)
{
	struct blockscript_domains d = {0};
	size_t dropped = 0;
	static const char *const want[] = {
	    "dropbox.com",
	    "mega.nz",
	    "reddit.com",
	    "tiktok.com",
	    "wetransfer.com",
	    "www.dropbox.com",
	    "xn--bcher-kva.example",
	};

	CHECK_OK(
	    blockscript_domains_parse(&d, script, strlen(script), &dropped));
	CHECK_INT_EQ(d.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < d.n && i < sizeof(want) / sizeof(want[0]); i++)
		CHECK_STR_EQ(d.v[i], want[i]);
	CHECK_INT_EQ(dropped, 8);
	blockscript_domains_free(&d);
	CHECK_OK(blockscript_domains_parse(&d, "", 0, &dropped));
	CHECK_INT_EQ(d.n, 0);
	CHECK_INT_EQ(dropped, 0);
	blockscript_domains_free(&d);
}

TEST(hostname_check)
{
#define OK(s)  CHECK(blockscript_hostname_ok(s, strlen(s)))
#define BAD(s) CHECK(!blockscript_hostname_ok(s, strlen(s)))
	OK("a.b");
	OK("example.com");
	OK("a-b.example.com");
	OK("1password.com");
	OK("xn--80ak6aa92e.com");
	BAD("");
	BAD("com");
	BAD("1.2.3.4");
	BAD("example..com");
	BAD(".example.com");
	BAD("example.com.");
	BAD("-a.com");
	BAD("a-.com");
	BAD("Example.com");
	BAD("a b.com");
	BAD("a_b.com");
	BAD("a.com/x");
	BAD("a.com\n");
	/* 63 is the longest label, 253 the longest name. */
	char l[80], n[300];

	memset(l, 'a', 63);
	memcpy(l + 63, ".com", 5);
	OK(l);
	memset(l, 'a', 64);
	memcpy(l + 64, ".com", 5);
	BAD(l);
	for (int i = 0; i < 63; i++)
		memcpy(n + i * 4, "abc.", 4);
	memcpy(n + 252, "d", 2); /* 253 characters */
	OK(n);
	memcpy(n + 252, "de", 3);
	BAD(n);
#undef OK
#undef BAD
}

TEST(render_domains)
{
	char *s = render_str(BS_DOMAINS, true);

	/* Every name, subdomains too: the list is for anyone. */
	CHECK_STR_EQ(s, "dropbox.com\nmega.nz\nreddit.com\ntiktok.com\n"
	                "wetransfer.com\nwww.dropbox.com\n"
	                "xn--bcher-kva.example\n");
	free(s);
}

TEST(render_paloalto_edl)
{
	char *s = render_str(BS_PALOALTO_EDL, true);

	CHECK(strncmp(s, "dropbox.com/\n*.dropbox.com/\nmega.nz/\n", 37) == 0);
	CHECK(strstr(s, "www.dropbox.com") == NULL); /* under *.dropbox.com */
	CHECK(strstr(s, "*.xn--bcher-kva.example/\n") != NULL);
	CHECK(strchr(s, '#') == NULL); /* an EDL has no comments */
	free(s);
}

TEST(render_squid)
{
	char *s = render_str(BS_SQUID_ACL, true), *t;

	CHECK(strncmp(s, "# ", 2) == 0);
	CHECK(strstr(s, "\nacl mdca_banned dstdomain .dropbox.com\n"
	                "acl mdca_banned dstdomain .mega.nz\n") != NULL);
	/* Squid rejects a subdomain of a listed ".domain". */
	CHECK(strstr(s, "www.dropbox.com") == NULL);
	free(s);
	t = render_str(BS_SQUID_ACL, false);
	CHECK(strstr(t, "acl mdca_allowed dstdomain .reddit.com\n") != NULL);
	CHECK(strstr(t, "mdca_banned") == NULL);
	free(t);
}

TEST(render_dns)
{
	char *s = render_str(BS_DNSMASQ, true);

	CHECK(strstr(s, "\naddress=/dropbox.com/0.0.0.0\n"
	                "address=/mega.nz/0.0.0.0\n") != NULL);
	CHECK(strstr(s, "www.dropbox.com") == NULL);
	free(s);
	s = render_str(BS_UNBOUND, true);
	CHECK(strstr(s, "\nserver:\n\tlocal-zone: \"dropbox.com.\" "
	                "always_nxdomain\n") != NULL);
	CHECK(strstr(s, "\tlocal-zone: \"tiktok.com.\" always_nxdomain\n") !=
	      NULL);
	free(s);
	s = render_str(BS_HOSTS, true);
	/* hosts has no wildcard: every name stays. */
	CHECK(strstr(s, "\n0.0.0.0 dropbox.com\n0.0.0.0 mega.nz\n") != NULL);
	CHECK(strstr(s, "\n0.0.0.0 www.dropbox.com\n") != NULL);
	free(s);
}

TEST(render_stable)
{
	char *a = render_str(BS_UNBOUND, true),
	     *b = render_str(BS_UNBOUND, true);

	CHECK_STR_EQ(a, b); /* no date: -o change detection relies on it */
	free(a);
	free(b);
}

TEST(render_names)
{
	CHECK_INT_EQ(blockscript_render_find("domains"), BS_DOMAINS);
	CHECK_INT_EQ(blockscript_render_find("paloalto-edl"), BS_PALOALTO_EDL);
	CHECK_INT_EQ(blockscript_render_find("squid-acl"), BS_SQUID_ACL);
	CHECK_INT_EQ(blockscript_render_find("dnsmasq"), BS_DNSMASQ);
	CHECK_INT_EQ(blockscript_render_find("unbound"), BS_UNBOUND);
	CHECK_INT_EQ(blockscript_render_find("hosts"), BS_HOSTS);
	CHECK_INT_EQ(blockscript_render_find("bind"), -1);
	CHECK_INT_EQ(blockscript_appliance("bluecoat"), 102);
	CHECK_INT_EQ(blockscript_appliance("cisco-asa"), 104);
	CHECK_INT_EQ(blockscript_appliance("FortiGate"), 108);
	CHECK_INT_EQ(blockscript_appliance("paloalto"), 112);
	CHECK_INT_EQ(blockscript_appliance("zscaler"), 120);
	CHECK_INT_EQ(blockscript_appliance("juniper-srx"), 129);
	CHECK_INT_EQ(blockscript_appliance("websense"), 135);
	CHECK_INT_EQ(blockscript_appliance("202"), 202);
	CHECK_INT_EQ(blockscript_appliance("0"), -1);
	CHECK_INT_EQ(blockscript_appliance("12x"), -1);
	CHECK_INT_EQ(blockscript_appliance("checkpoint"), -1);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s = calloc(1, 4096);

	if (f != NULL) {
		if (fread(s, 1, 4095, f) == 0)
			s[0] = '\0';
		fclose(f);
	}
	return s;
}

TEST(atomic_write)
{
	char dir[] = "/tmp/discolog-test-XXXXXX", path[256], err[512];
	struct stat st;
	bool changed = false;
	char *s;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/block.txt", dir);
	CHECK_OK(
	    blockscript_write(path, "one\n", 4, &changed, err, sizeof(err)));
	CHECK(changed); /* a first write is a change */
	CHECK_OK(stat(path, &st));
	CHECK_INT_EQ(st.st_mode & 07777, 0640);
	CHECK_OK(
	    blockscript_write(path, "one\n", 4, &changed, err, sizeof(err)));
	CHECK(!changed);
	CHECK_OK(blockscript_write(path, "one\ntwo\n", 8, &changed, err,
	                           sizeof(err)));
	CHECK(changed);
	s = slurp(path);
	CHECK_STR_EQ(s, "one\ntwo\n");
	free(s);
	/* Same length, other bytes. */
	CHECK_OK(blockscript_write(path, "one\nTWO\n", 8, &changed, err,
	                           sizeof(err)));
	CHECK(changed);
	/* Empty content is content too. */
	CHECK_OK(blockscript_write(path, "", 0, &changed, err, sizeof(err)));
	CHECK(changed);
	CHECK_OK(blockscript_write(path, "", 0, &changed, err, sizeof(err)));
	CHECK(!changed);
	/* No temporary file left behind. */
	CHECK_OK(unlink(path));
	CHECK_OK(rmdir(dir));
	/* A directory that is not there: an error, with the path. */
	CHECK_INT_EQ(blockscript_write("/nonexistent-dir/x", "a", 1, &changed,
	                               err, sizeof(err)),
	             -1);
	CHECK(strstr(err, "/nonexistent-dir/x") != NULL);
}

static char *
csv_of(const char *s)
{
	struct buf b;

	buf_init(&b, 4096);
	if (table_csv_field(&b, s) == -1 || buf_addc(&b, 0) == -1)
		CHECK(!"csv field");
	return buf_take(&b, NULL);
}

TEST(csv_quoting)
{
	static const struct {
		const char *in, *out;
	} t[] = {
	    {"plain", "plain"},
	    {"", ""},
	    {"a,b", "\"a,b\""},
	    {"say \"hi\"", "\"say \"\"hi\"\"\""},
	    {"two\nlines", "\"two\nlines\""},
	    {"cr\rhere", "\"cr\rhere\""},
	    {" lead", "\" lead\""},
	    {"trail ", "\"trail \""},
	    {"in side", "in side"},
	    {"caf\xc3\xa9", "caf\xc3\xa9"},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char *s = csv_of(t[i].in);

		CHECK_STR_EQ(s, t[i].out);
		free(s);
	}
}

/* A table written to a string. */
static char *
table_str(const struct table *t, enum table_mode mode)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	if (f == NULL)
		return NULL;
	CHECK_OK(table_write(t, mode, f));
	fclose(f);
	return s;
}

static const struct table_col cols[] = {
    {"NAME", "name", 0},
    {"N", "n", TABLE_RIGHT},
    {"", "id", TABLE_CSV_ONLY},
    {"NOTE", "", TABLE_TEXT_ONLY},
};

TEST(table_text_and_csv)
{
	struct table *t = table_new(cols, 4);
	const char *r1[] = {"Dropbox", "12", "1", "x"};
	const char *r2[] = {"Box, Inc.", "7", "2", NULL};
	const char *r3[] = {"caf\xc3\xa9", "1234", "3", "y"};
	char *s;

	CHECK_OK(table_add(t, r1));
	CHECK_OK(table_add(t, r2));
	CHECK_OK(table_add(t, r3));
	CHECK_INT_EQ(table_rows(t), 3);
	s = table_str(t, TABLE_TEXT);
	/* Widths count characters, not bytes; no trailing blanks. */
	CHECK_STR_EQ(s, "NAME          N  NOTE\n"
	                "Dropbox      12  x\n"
	                "Box, Inc.     7\n"
	                "caf\xc3\xa9       1234  y\n");
	free(s);
	s = table_str(t, TABLE_CSV);
	CHECK_STR_EQ(s, "name,n,id\n"
	                "Dropbox,12,1\n"
	                "\"Box, Inc.\",7,2\n"
	                "caf\xc3\xa9,1234,3\n");
	free(s);
	table_free(t);
}

TEST(text_cells_are_safe)
{
	struct buf b;
	char longer[100];

	buf_init(&b, 4096);
	/* ESC ] 0 ; title BEL: a terminal would retitle its window. */
	CHECK_INT_EQ(table_text_cell(&b, "a\x1b]0;pwned\x07z"), 12);
	CHECK_STR_EQ(b.data, "a?]0;pwned?z");
	buf_reset(&b);
	/* C1 CSI (U+009B), DEL, a stray continuation byte, a cut
	 * sequence, an overlong '/'. */
	CHECK_INT_EQ(table_text_cell(&b, "\xc2\x9b\x7f\x80\xe2\x82\xc0\xaf"),
	             7);
	CHECK_STR_EQ(b.data, "???????");
	buf_reset(&b);
	CHECK_INT_EQ(table_text_cell(&b, "\xe2\x82\xac \xf0\x9f\x98\x80"), 3);
	CHECK_STR_EQ(b.data, "\xe2\x82\xac \xf0\x9f\x98\x80");
	buf_reset(&b);
	memset(longer, 'x', 99);
	longer[99] = '\0';
	CHECK_INT_EQ(table_text_cell(&b, longer), TABLE_CELL_MAX);
	CHECK(strcmp(b.data + TABLE_CELL_MAX - 3, "...") == 0);
	buf_free(&b);
}

TEST_MAIN("render", T(parse_domains), T(hostname_check), T(render_domains),
          T(render_paloalto_edl), T(render_squid), T(render_dns),
          T(render_stable), T(render_names), T(atomic_write), T(csv_quoting),
          T(table_text_and_csv), T(text_cells_are_safe))
