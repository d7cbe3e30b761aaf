/*
 * CEF and LEEF headers, extensions, times and the common record mapping of
 * the CEF/LEEF parser family: see cef_lex.h.
 */
#include <stddef.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "cef_lex.h"
#include "lex.h"

/*
 * How far into a body "CEF:" or "LEEF:" is looked for: tags, relays, and
 * the RFC 5424 structured data that syslog_parse() leaves in the body.
 */
#define CEF_SIG_WINDOW 1024

struct cef_keydef {
	const char *name;
	unsigned char len;
	unsigned char id;
};

#define K(s, id)                                                               \
	{                                                                      \
		s, sizeof(s) - 1, id                                           \
	}

/* CEF short names, and the full names some senders write instead. */
static const struct cef_keydef cef_keys[] = {
    K("rt", CK_RT),
    K("src", CK_SRC),
    K("spt", CK_SPT),
    K("dst", CK_DST),
    K("dpt", CK_DPT),
    K("act", CK_ACT),
    K("app", CK_APP),
    K("in", CK_IN),
    K("out", CK_OUT),
    K("suser", CK_SUSER),
    K("duser", CK_DUSER),
    K("dhost", CK_DHOST),
    K("request", CK_URL),
    K("requestClientApplication", CK_UA),
    K("proto", CK_PROTO),
    K("start", CK_START),
    K("end", CK_END),
    K("dvchost", CK_DVCHOST),
    K("cs1", CK_CS1),
    K("cs2", CK_CS2),
    K("cs3", CK_CS3),
    K("cs4", CK_CS4),
    K("cs5", CK_CS5),
    K("cs6", CK_CS6),
    K("cs1Label", CK_CS1L),
    K("cs2Label", CK_CS2L),
    K("cs3Label", CK_CS3L),
    K("cs4Label", CK_CS4L),
    K("cs5Label", CK_CS5L),
    K("cs6Label", CK_CS6L),
    K("cat", CK_CAT),
    K("loginID", CK_LOGINID),
    K("deviceReceiptTime", CK_RT),
    K("startTime", CK_START),
    K("endTime", CK_END),
    K("sourceAddress", CK_SRC),
    K("sourcePort", CK_SPT),
    K("destinationAddress", CK_DST),
    K("destinationPort", CK_DPT),
    K("sourceUserName", CK_SUSER),
    K("destinationUserName", CK_DUSER),
    K("destinationHostName", CK_DHOST),
    K("requestUrl", CK_URL),
    K("applicationProtocol", CK_APP),
    K("transportProtocol", CK_PROTO),
    K("deviceAction", CK_ACT),
    K("bytesIn", CK_IN),
    K("bytesOut", CK_OUT),
    K("deviceHostName", CK_DVCHOST),
};

/*
 * LEEF predefined attributes (IBM LEEF 1.0/2.0), and the names Zscaler's
 * QRadar feed and Forcepoint's SIEM integration add.
 */
static const struct cef_keydef leef_keys[] = {
    K("src", CK_SRC),
    K("dst", CK_DST),
    K("srcPort", CK_SPT),
    K("dstPort", CK_DPT),
    K("usrName", CK_SUSER),
    K("devTime", CK_RT),
    K("devTimeFormat", CK_DEVTIMEFMT),
    K("url", CK_URL),
    K("proto", CK_PROTO),
    K("srcBytes", CK_OUT),
    K("dstBytes", CK_IN),
    K("totalBytes", CK_TOTAL),
    K("action", CK_ACT),
    K("cat", CK_CAT),
    K("userAgent", CK_UA),
    K("useragent", CK_UA),
    K("hostname", CK_DHOST),
    K("appproto", CK_APP),
    K("loginID", CK_LOGINID),
};

#undef K

/*
 * Key lookup through a small open-addressed hash over each table, built
 * once: an extension has dozens of keys, most of them unknown to us.
 */
#define CEF_SLOTS 256

struct cef_index {
	unsigned char slot[CEF_SLOTS]; /* entry + 1; 0 is empty */
};

static struct cef_index cef_keys_index, leef_keys_index;
static pthread_once_t cef_index_once = PTHREAD_ONCE_INIT;

static unsigned
cef_hash(const char *p, size_t n)
{
	return ((unsigned)n * 7 + (unsigned char)p[0] * 31u +
	        (unsigned char)p[n - 1] * 131u +
	        (unsigned char)p[n / 2] * 17u) &
	       (CEF_SLOTS - 1);
}

static void
cef_index_build(struct cef_index *x, const struct cef_keydef *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned h = cef_hash(t[i].name, t[i].len);

		while (x->slot[h] != 0)
			h = (h + 1) & (CEF_SLOTS - 1);
		x->slot[h] = (unsigned char)(i + 1);
	}
}

static void
cef_index_init(void)
{
	cef_index_build(&cef_keys_index, cef_keys,
	                sizeof(cef_keys) / sizeof(cef_keys[0]));
	cef_index_build(&leef_keys_index, leef_keys,
	                sizeof(leef_keys) / sizeof(leef_keys[0]));
}

static int
cef_lookup(const struct cef_keydef *t, const struct cef_index *x,
           struct slice key)
{
	unsigned h = cef_hash(key.p, key.len);

	while (x->slot[h] != 0) {
		const struct cef_keydef *e = &t[x->slot[h] - 1];

		if (e->len == key.len && memcmp(e->name, key.p, key.len) == 0)
			return e->id;
		h = (h + 1) & (CEF_SLOTS - 1);
	}
	return -1;
}

/* The characters of a CEF key: cs1Label, ad.field[0], ad.Error_,Code. */
static const unsigned char cef_keych[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1,
    0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* The next '|' of [p, end) not escaped by a backslash, or NULL. */
static const char *
cef_pipe(const char *p, const char *end)
{
	const char *q = p;

	while ((q = memchr(q, '|', (size_t)(end - q))) != NULL) {
		size_t bs = 0;

		while (q - bs > p && q[-1 - (ptrdiff_t)bs] == '\\')
			bs++;
		if (bs % 2 == 0)
			return q;
		q++;
	}
	return NULL;
}

/*
 * Where "sig" starts in the first bytes of b, at the start or after a
 * blank (a tag or relay text may come first), or NULL.
 */
static const char *
cef_find_sig(struct slice b, const char *sig)
{
	struct slice w = b;
	const char *q;

	if (w.len > CEF_SIG_WINDOW)
		w.len = CEF_SIG_WINDOW;
	while ((q = slice_find(w, sig)) != NULL) {
		if (q == b.p || q[-1] == ' ' || q[-1] == '\t')
			return q;
		w.len -= (size_t)(q + 1 - w.p);
		w.p = q + 1;
	}
	return NULL;
}

bool
cef_header(struct slice body, struct cef_hdr *h)
{
	const char *p = body.p, *end = body.p + body.len, *q;
	struct slice f[7];
	int nf = 0;

	memset(h, 0, sizeof(*h));
	if (body.p == NULL)
		return false;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p >= 2 && (unsigned)(*p - '0') <= 9 && p[1] == '|') {
		h->stripped = true;
	} else {
		q = (end - p >= 4 && memcmp(p, "CEF:", 4) == 0)
		        ? p
		        : cef_find_sig(slice_make(p, (size_t)(end - p)),
		                       "CEF:");
		if (q == NULL)
			return false;
		p = q + 4;
		if (p < end && *p == ' ')
			p++;
	}
	/* Version: one or two digits up to the first pipe (a third one
	 * stops the loop: a run of digits would overflow). */
	h->version = 0;
	for (q = p; q < end && q - p < 3 && (unsigned)(*q - '0') <= 9; q++)
		h->version = h->version * 10 + (*q - '0');
	if (q == p || q == end || *q != '|' || q - p > 2)
		return false;
	p = q + 1;
	while (nf < 6) {
		if ((q = cef_pipe(p, end)) == NULL)
			return false;
		f[nf] = slice_make(p, (size_t)(q - p));
		p = q + 1;
		/* Check Point "CEF:0||Check Point|": drop the empty field. */
		if (nf == 0 && f[0].len == 0 && end - p >= 12 &&
		    strncasecmp(p, "Check Point|", 12) == 0)
			continue;
		nf++;
	}
	h->vendor = f[0];
	h->product = f[1];
	h->dversion = f[2];
	h->sigid = f[3];
	h->name = f[4];
	h->severity = f[5];
	h->ext = slice_make(p, (size_t)(end - p));
	return h->vendor.len > 0;
}

/* A LEEF 2.0 delimiter field: "^", "x09", "0x5E", "" (tab). */
static bool
leef_delim(struct slice d, struct cef_hdr *h)
{
	const char *x = d.p;
	size_t n = d.len;
	unsigned v = 0;

	if (n == 0) {
		h->delim[0] = '\t';
		h->dlen = 1;
		return true;
	}
	if (n == 1) {
		h->delim[0] = d.p[0];
		h->dlen = 1;
		return d.p[0] != '=';
	}
	if (n >= 2 && x[0] == '0' && (x[1] == 'x' || x[1] == 'X')) {
		x += 2;
		n -= 2;
	} else if (x[0] == 'x' || x[0] == 'X') {
		x++;
		n--;
	} else
		return false;
	if (n < 1 || n > 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = x[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return false;
	}
	if (v == 0 || v == '=')
		return false;
	h->delim[0] = (char)v;
	h->dlen = 1;
	return true;
}

bool
leef_header(struct slice body, struct cef_hdr *h)
{
	const char *p = body.p, *end = body.p + body.len, *q;
	struct slice f[4];

	memset(h, 0, sizeof(*h));
	h->leef = true;
	if (body.p == NULL)
		return false;
	if ((q = cef_find_sig(body, "LEEF:")) == NULL)
		return false;
	p = q + 5;
	/* "1.0", "2.0", also a bare "1" or "2". */
	if (p == end || (*p != '1' && *p != '2'))
		return false;
	h->version = *p++ - '0';
	if (end - p >= 2 && p[0] == '.' && (unsigned)(p[1] - '0') <= 9)
		p += 2;
	if (p == end || *p++ != '|')
		return false;
	for (int i = 0; i < 4; i++) {
		if ((q = memchr(p, '|', (size_t)(end - p))) == NULL)
			return false;
		f[i] = slice_make(p, (size_t)(q - p));
		p = q + 1;
	}
	h->vendor = f[0];
	h->product = f[1];
	h->dversion = f[2];
	h->sigid = f[3];
	h->delim[0] = '\t';
	h->dlen = 1;
	if (h->version == 2) {
		/* An optional delimiter field: short, no '=', then '|'. */
		q = memchr(p, '|',
		           (size_t)(end - p) < 6 ? (size_t)(end - p) : 6);
		if (q != NULL && leef_delim(slice_make(p, (size_t)(q - p)), h))
			p = q + 1;
	}
	h->ext = slice_make(p, (size_t)(end - p));
	if (memchr(h->ext.p, h->delim[0], h->ext.len) == NULL) {
		/* rsyslog writes a tab as "#011"; relays turn it to spaces. */
		if (h->delim[0] == '\t' && slice_find(h->ext, "#011") != NULL) {
			memcpy(h->delim, "#011", 4);
			h->dlen = 4;
		} else
			h->dlen = 0;
	}
	return h->vendor.len > 0;
}

static void
cef_store(const struct cef_keydef *t, const struct cef_index *x,
          struct slice key, struct slice val, struct slice v[CK_NKEYS], int *n)
{
	int id = cef_lookup(t, x, key);

	if (id < 0 || v[id].p != NULL)
		return;
	v[id] = slice_trim(val); /* p stays set: present, maybe empty */
	(*n)++;
}

/*
 * CEF style: a value runs to the blank before the next "key=".  Keys are
 * found from their '=' (rarer than blanks in values): the run of key
 * characters before it must start the extension or follow a blank.  An
 * escaped "\=" never qualifies, a backslash being no key character.
 */
static int
cef_scan_spaces(struct slice ext, const struct cef_keydef *t,
                const struct cef_index *x, struct slice v[CK_NKEYS])
{
	const char *p = ext.p, *end = ext.p + ext.len, *q, *eq;
	const char *key = NULL, *val = NULL;
	size_t klen = 0;
	int n = 0;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (q = p; (eq = memchr(q, '=', (size_t)(end - q))) != NULL;
	     q = eq + 1) {
		const char *b = eq;

		while (b > p && cef_keych[(unsigned char)b[-1]])
			b--;
		if (b == eq || (b > p && b[-1] != ' '))
			continue;
		if (key != NULL)
			cef_store(t, x, slice_make(key, klen),
			          slice_make(val, (size_t)(b - val)), v, &n);
		key = b;
		klen = (size_t)(eq - b);
		val = eq + 1;
	}
	if (key != NULL)
		cef_store(t, x, slice_make(key, klen),
		          slice_make(val, (size_t)(end - val)), v, &n);
	return n;
}

/* LEEF style: attributes split by the delimiter. */
static int
cef_scan_delim(struct slice ext, const char *d, size_t dl,
               const struct cef_keydef *t, const struct cef_index *x,
               struct slice v[CK_NKEYS])
{
	const char *p = ext.p, *end = ext.p + ext.len;
	int n = 0;

	while (p < end) {
		const char *q = dl == 1 ? memchr(p, d[0], (size_t)(end - p))
		                        : memmem(p, (size_t)(end - p), d, dl);
		const char *fend = q ? q : end, *eq;

		eq = memchr(p, '=', (size_t)(fend - p));
		if (eq != NULL && eq > p)
			cef_store(
			    t, x, slice_trim(slice_make(p, (size_t)(eq - p))),
			    slice_make(eq + 1, (size_t)(fend - eq - 1)), v, &n);
		p = q ? q + dl : end;
	}
	return n;
}

int
cef_ext_scan(const struct cef_hdr *h, struct slice v[CK_NKEYS])
{
	const struct cef_keydef *t = h->leef ? leef_keys : cef_keys;
	const struct cef_index *x =
	    h->leef ? &leef_keys_index : &cef_keys_index;

	(void)pthread_once(&cef_index_once, cef_index_init);
	for (int i = 0; i < CK_NKEYS; i++)
		v[i] = SLICE_NULL;
	if (h->ext.len == 0)
		return 0;
	if (h->leef && h->dlen > 0)
		return cef_scan_delim(h->ext, h->delim, h->dlen, t, x, v);
	return cef_scan_spaces(h->ext, t, x, v);
}

struct slice
cef_value(struct slice s, struct arena *a)
{
	char *o;
	size_t n = 0;

	if (s.len == 0 || memchr(s.p, '\\', s.len) == NULL)
		return s;
	if ((o = arena_alloc(a, s.len)) == NULL)
		return SLICE_NULL;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];

		if (c == '\\' && i + 1 < s.len) {
			char e = s.p[i + 1];

			if (e == '=' || e == '\\' || e == '|') {
				c = e;
				i++;
			} else if (e == 'n' || e == 'r') {
				c = e == 'n' ? '\n' : '\r';
				i++;
			}
		}
		o[n++] = c;
	}
	return slice_make(o, n);
}

/* The Gregorian year of a UTC epoch-ms time. */
static int
cef_year_of(int64_t ms)
{
	int64_t z = ms / 86400000 + 719468, era, doe, yoe, y, doy, mp;

	if (ms < 0)
		z = (ms - 86399999) / 86400000 + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	return (int)(y + (mp >= 10));
}

/* Read n (1..n) digits; false when there is none. */
static bool
cef_num(const char **p, const char *end, int maxd, int *v)
{
	int x = 0, d = 0;

	while (*p < end && d < maxd && (unsigned)(**p - '0') <= 9) {
		x = x * 10 + (**p - '0');
		(*p)++;
		d++;
	}
	*v = x;
	return d > 0;
}

/* "MMM dd [yyyy] HH:mm:ss[.SSS] [zone]" */
static bool
cef_time_mmm(struct slice s, bool has_ref, int64_t ref_ms, int64_t *ms)
{
	const char *p = s.p, *end = s.p + s.len, *y0;
	int mon, d, y = 0, hh, mi, ss, frac = 0, off = 0, nd;

	if (s.len < 14 || (mon = time_month(slice_make(p, 3))) == 0)
		return false;
	p += 3;
	if (p == end || *p != ' ')
		return false;
	while (p < end && *p == ' ')
		p++;
	if (!cef_num(&p, end, 2, &d) || p == end || *p++ != ' ')
		return false;
	y0 = p;
	if (cef_num(&p, end, 4, &y) && p - y0 == 4 && p < end && *p == ' ')
		p++;
	else {
		p = y0;
		y = 0;
	}
	nd = 0;
	if (!cef_num(&p, end, 2, &hh) || p == end || *p++ != ':' ||
	    !cef_num(&p, end, 2, &mi) || p == end || *p++ != ':' ||
	    !cef_num(&p, end, 2, &ss))
		return false;
	if (p < end && p[0] == '.') {
		const char *f0 = ++p;

		while (p < end && (unsigned)(*p - '0') <= 9) {
			if (nd < 3)
				frac = frac * 10 + (*p - '0');
			nd++;
			p++;
		}
		if (p == f0)
			return false;
		for (; nd < 3; nd++)
			frac *= 10;
	}
	while (p < end && *p == ' ')
		p++;
	/* Zone: "UTC", "GMT", "GMT+00:00", "Z", "+0100"; names read as UTC. */
	if (end - p >= 3 &&
	    (strncasecmp(p, "UTC", 3) == 0 || strncasecmp(p, "GMT", 3) == 0))
		p += 3;
	if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p == '-' ? -1 : 1, oh, om = 0;
		const char *z0 = ++p;

		if (!cef_num(&p, end, 2, &oh) || p - z0 != 2)
			return false;
		if (p < end && *p == ':')
			p++;
		if (p < end && !cef_num(&p, end, 2, &om))
			return false;
		off = sign * (oh * 60 + om);
	}
	if (mon < 1 || d < 1 || d > 31 || hh > 23 || mi > 59 || ss > 60)
		return false;
	if (y == 0) {
		if (!has_ref)
			return false;
		y = cef_year_of(ref_ms);
		*ms = time_make(y, mon, d, hh, mi, ss, frac) -
		      (int64_t)off * 60000;
		if (*ms > ref_ms + 86400000)
			*ms = time_make(y - 1, mon, d, hh, mi, ss, frac) -
			      (int64_t)off * 60000;
		return true;
	}
	if (y < 1970)
		return false;
	*ms = time_make(y, mon, d, hh, mi, ss, frac) - (int64_t)off * 60000;
	return true;
}

bool
cef_time(struct slice s, bool has_ref, int64_t ref_ms, int64_t *ms)
{
	uint64_t n;

	s = slice_trim(s);
	if (slice_is_empty_value(s))
		return false;
	if (lex_u64(s, &n)) {
		/* Epoch: 13 digits are milliseconds, 10 seconds. */
		if (s.len >= 11 && s.len <= 13) {
			*ms = (int64_t)n;
			return true;
		}
		if (s.len >= 9 && s.len <= 10) {
			*ms = (int64_t)n * 1000;
			return true;
		}
		return false;
	}
	return time_epoch(s, ms) || time_iso(s, ms) ||
	       cef_time_mmm(s, has_ref, ref_ms, ms);
}

struct slice
cef_bare_url_host(struct slice url)
{
	size_t i = 0;

	if (slice_find(url, "://") != NULL || (url.len > 0 && url.p[0] == '/'))
		return SLICE_NULL;
	while (i < url.len && url.p[i] != '/' && url.p[i] != ':' &&
	       url.p[i] != '?')
		i++;
	return slice_make(url.p, i);
}

/* Does s start with the lower-case `lit`, ignoring case? */
static bool
cef_prefix(struct slice s, const char *lit)
{
	size_t i;

	for (i = 0; lit[i] != '\0'; i++) {
		unsigned char c;

		if (i == s.len)
			return false;
		c = (unsigned char)s.p[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != (unsigned char)lit[i])
			return false;
	}
	return true;
}

enum rec_action
cef_action(struct slice s)
{
	s = slice_trim(s);
	if (s.len == 0)
		return REC_ACTION_UNKNOWN;
	/* Dispatch on the first letter: this runs for every line. */
	switch (s.p[0] | 0x20) {
	case 'a':
		if (cef_prefix(s, "allow") || cef_prefix(s, "accept"))
			return REC_ACTION_ALLOW;
		break;
	case 'p':
		if (cef_prefix(s, "permit") || cef_prefix(s, "pass"))
			return REC_ACTION_ALLOW;
		if (cef_prefix(s, "prevent"))
			return REC_ACTION_DENY;
		break;
	case 'n':
		if (cef_prefix(s, "not blocked") ||
		    cef_prefix(s, "not-blocked"))
			return REC_ACTION_ALLOW;
		break;
	case 'b':
		if (cef_prefix(s, "block"))
			return REC_ACTION_DENY;
		break;
	case 'd':
		if (cef_prefix(s, "deny") || cef_prefix(s, "denied") ||
		    cef_prefix(s, "drop") || cef_prefix(s, "disallow"))
			return REC_ACTION_DENY;
		break;
	case 'r':
		if (cef_prefix(s, "reject") || cef_prefix(s, "reset") ||
		    cef_prefix(s, "refuse"))
			return REC_ACTION_DENY;
		break;
	default:
		break;
	}
	return REC_ACTION_UNKNOWN;
}

/* A value worth keeping: present, not "-", "N/A", "None"... */
static bool
cef_has(struct slice s)
{
	return s.p != NULL && !slice_is_empty_value(s);
}

bool
cef_fill(const struct slice v[CK_NKEYS], struct record *r, struct arena *a)
{
	bool has_ref = (r->has & REC_HAS_TIME) != 0, has_port;
	int64_t ref = r->time_ms, t;
	uint16_t port;
	uint64_t n;
	static const int tkeys[] = {CK_RT, CK_START, CK_END};

	for (size_t i = 0; i < sizeof(tkeys) / sizeof(tkeys[0]); i++) {
		if (cef_has(v[tkeys[i]]) &&
		    cef_time(v[tkeys[i]], has_ref, ref, &t)) {
			r->time_ms = t;
			r->has |= REC_HAS_TIME;
			break;
		}
	}
	if (cef_has(v[CK_SRC]) && lex_is_ip(v[CK_SRC]))
		r->src_ip = v[CK_SRC];
	if (cef_has(v[CK_DST]) && lex_is_ip(v[CK_DST]))
		r->dst_ip = v[CK_DST];
	if (cef_has(v[CK_SPT]) && lex_port(v[CK_SPT], &r->src_port))
		r->has |= REC_HAS_SRC_PORT;
	if (cef_has(v[CK_DPT]) && lex_port(v[CK_DPT], &r->dst_port))
		r->has |= REC_HAS_DST_PORT;
	if (cef_has(v[CK_SUSER]) &&
	    (r->user = cef_value(v[CK_SUSER], a)).p == NULL)
		goto full;
	if (cef_has(v[CK_URL]) && (r->url = cef_value(v[CK_URL], a)).p == NULL)
		goto full;
	if (cef_has(v[CK_DHOST])) {
		struct slice dh = cef_value(v[CK_DHOST], a);

		if (dh.p == NULL)
			goto full;
		r->dst_host = lex_hostport(dh, &port, &has_port);
	} else if (r->url.len > 0) {
		r->dst_host = lex_url_host(r->url, &port, &has_port);
		if (has_port && !(r->has & REC_HAS_DST_PORT)) {
			r->dst_port = port;
			r->has |= REC_HAS_DST_PORT;
		}
	}
	if (cef_has(v[CK_UA]) &&
	    (r->user_agent = cef_value(v[CK_UA], a)).p == NULL)
		goto full;
	if (cef_has(v[CK_APP]))
		r->proto = v[CK_APP];
	else if (cef_has(v[CK_PROTO]))
		r->proto = v[CK_PROTO];
	if (cef_has(v[CK_ACT]))
		r->action = cef_action(v[CK_ACT]);
	if (cef_has(v[CK_IN]) && lex_u64(v[CK_IN], &n)) {
		r->bytes_down = n;
		r->has |= REC_HAS_BYTES_DOWN;
	}
	if (cef_has(v[CK_OUT]) && lex_u64(v[CK_OUT], &n)) {
		r->bytes_up = n;
		r->has |= REC_HAS_BYTES_UP;
	}
	if (cef_has(v[CK_TOTAL]) && lex_u64(v[CK_TOTAL], &n)) {
		r->bytes_total = n;
		r->has |= REC_HAS_BYTES_TOTAL;
	}
	if (cef_has(v[CK_DVCHOST]))
		r->device = v[CK_DVCHOST];
	return true;
full:
	r->reason = "line too long to unescape";
	return false;
}

/* A cs label naming the field: "URL", "Request URL", "requestURL"... */
static bool
cef_label_is(struct slice l, const char *const *names)
{
	for (; *names != NULL; names++)
		if (slice_ieq(l, *names))
			return true;
	return false;
}

bool
cef_custom_strings(const struct slice v[CK_NKEYS], struct record *r,
                   struct arena *a)
{
	static const char *const url[] = {
	    "URL", "Request URL", "RequestURL", "Full URL", "url_full", NULL};
	static const char *const user[] = {
	    "User",       "UserName", "User Name", "Source User",
	    "SourceUser", "src_user", NULL};
	static const char *const ua[] = {"User Agent", "UserAgent",
	                                 "User-Agent", "http_user_agent", NULL};
	static const char *const host[] = {"Host",      "Hostname",
	                                   "Host Name", "Destination Host",
	                                   "http_host", NULL};
	bool has_port;
	uint16_t port;

	for (int i = 0; i < 6; i++) {
		struct slice l = v[CK_CS1L + i], s = v[CK_CS1 + i];
		struct slice *to = NULL;

		if (!cef_has(l) || !cef_has(s))
			continue;
		if (r->url.len == 0 && cef_label_is(l, url))
			to = &r->url;
		else if (r->user.len == 0 && cef_label_is(l, user))
			to = &r->user;
		else if (r->user_agent.len == 0 && cef_label_is(l, ua))
			to = &r->user_agent;
		else if (r->dst_host.len == 0 && cef_label_is(l, host))
			to = &r->dst_host;
		if (to == NULL)
			continue;
		if ((*to = cef_value(s, a)).p == NULL) {
			r->reason = "line too long to unescape";
			return false;
		}
	}
	if (r->dst_host.len == 0 && r->url.len > 0)
		r->dst_host = lex_url_host(r->url, &port, &has_port);
	return true;
}

enum parse_result
cef_verdict(struct record *r)
{
	if (r->src_ip.len == 0 && r->dst_ip.len == 0 && r->dst_host.len == 0 &&
	    r->url.len == 0) {
		r->reason = "no addresses: not a traffic event";
		return PARSE_SKIP;
	}
	if (r->dst_ip.len == 0 && r->dst_host.len == 0) {
		r->reason = "no destination";
		return PARSE_PARTIAL;
	}
	if (r->src_ip.len == 0) {
		r->reason = "no source address";
		return PARSE_PARTIAL;
	}
	if (!(r->has & REC_HAS_TIME)) {
		r->reason = "no event time";
		return PARSE_PARTIAL;
	}
	return PARSE_OK;
}

enum parse_result
cef_parse_line(struct slice line, bool leef, struct cef_hdr *h,
               struct slice v[CK_NKEYS], struct record *r, struct arena *a)
{
	line = slice_trim(line);
	if (line.len == 0)
		return PARSE_SKIP;
	if (!(leef ? leef_header(line, h) : cef_header(line, h))) {
		r->reason = leef ? "no LEEF header" : "no CEF header";
		return PARSE_REJECT;
	}
	cef_ext_scan(h, v);
	return cef_fill(v, r, a) ? PARSE_OK : PARSE_REJECT;
}

static int
cef_bid_line(struct slice body, bool leef, const struct cef_vendor *want)
{
	struct cef_hdr h;
	struct slice v[CK_NKEYS];
	int score, n;

	if (!(leef ? leef_header(body, &h) : cef_header(body, &h)))
		return 0;
	score = h.stripped ? 8 * 2 : 8 * 6; /* "0|" or "CEF:0|" */
	score += 8;                         /* a complete header */
	n = cef_ext_scan(&h, v);
	score += 8 * (n < 6 ? n : 6);
	if (want != NULL) {
		if (slice_ieq(h.vendor, want->vendor) ||
		    (want->vendor2 && slice_ieq(h.vendor, want->vendor2)))
			score += 8 * (int)h.vendor.len;
		else
			return 0;
		if (want->product && slice_ieq(h.product, want->product))
			score += 8 * (int)h.product.len;
	}
	return score;
}

int
cef_bid(const struct peek *pk, bool leef, const struct cef_vendor *want)
{
	int bid = 0;

	for (size_t i = 0; i < pk->nlines; i++)
		bid += cef_bid_line(pk->body[i], leef, want);
	return bid;
}
