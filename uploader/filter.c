/*
 * The filter chain: see filter.h.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "arena.h"
#include "filter.h"
#include "parser.h"
#include "secret.h"
#include "lex.h"

const char *
filter_reason_name(enum filter_reason r)
{
	static const char *const names[] = {
#define X(n, s) s,
	    FILTER_REASONS(X)
#undef X
	};

	if ((unsigned)r >= FILTER_NREASONS)
		return "?";
	return names[r];
}

/* Ranges that are never the Internet (RFC 1918, 1122, 3927, 4193, 4291). */
static const struct {
	const char *cidr;
} builtin[] = {
    {"10.0.0.0/8"},     {"172.16.0.0/12"}, {"192.168.0.0/16"}, {"127.0.0.0/8"},
    {"169.254.0.0/16"}, {"0.0.0.0/8"},     {"::1/128"},        {"::/128"},
    {"fc00::/7"},       {"fe80::/10"},
};

static struct cidr builtin_cidrs[sizeof(builtin) / sizeof(builtin[0])];
/* The IPv4 ones as network and mask: the test every line takes. */
static struct {
	uint32_t net, mask;
} builtin_v4[sizeof(builtin) / sizeof(builtin[0])];
static size_t nbuiltin_v4;
static bool builtin_ready;

int
cidr_parse(const char *s, struct cidr *c, char *err, size_t errlen)
{
	char tmp[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	unsigned max;

	memset(c, 0, sizeof(*c));
	if (n == 0 || n >= sizeof(tmp)) {
		snprintf(err, errlen, "'%s' is not an address or CIDR range",
		         s);
		return -1;
	}
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, tmp, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		snprintf(err, errlen, "'%s' is not an address or CIDR range",
		         s);
		return -1;
	}
	c->bits = max;
	if (slash != NULL) {
		char *end;
		long v;

		v = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || v < 0 ||
		    v > (long)max) {
			snprintf(err, errlen,
			         "'%s': prefix length must be 0-%u", s, max);
			return -1;
		}
		c->bits = (unsigned)v;
	}
	return 0;
}

static bool
cidr_contains(const struct cidr *c, int family, const unsigned char *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->family != family)
		return false;
	if (memcmp(c->addr, a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((c->addr[full] ^ a[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void
builtin_init(void)
{
	char err[128];

	if (builtin_ready)
		return;
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (cidr_parse(builtin[i].cidr, &builtin_cidrs[i], err,
		               sizeof(err)) == -1)
			abort(); /* a typo in the table above */
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++) {
		const struct cidr *c = &builtin_cidrs[i];

		if (c->family != AF_INET)
			continue;
		builtin_v4[nbuiltin_v4].mask =
		    c->bits == 0 ? 0 : ~0u << (32 - c->bits);
		builtin_v4[nbuiltin_v4].net =
		    be32(c->addr) & builtin_v4[nbuiltin_v4].mask;
		nbuiltin_v4++;
	}
	builtin_ready = true;
}

int
filter_add_cidr(struct filter *f, const char *s, char *err, size_t errlen)
{
	struct cidr c, *v;

	if (cidr_parse(s, &c, err, errlen) == -1)
		return -1;
	v = realloc(f->cidrs, (f->ncidrs + 1) * sizeof(*v));
	if (v == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	v[f->ncidrs++] = c;
	f->cidrs = v;
	return 0;
}

int
filter_add_domain(struct filter *f, const char *suffix)
{
	char **v, *d;

	while (*suffix == '.')
		suffix++;
	if ((d = strdup(suffix)) == NULL)
		return -1;
	for (char *p = d; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p + 32);
	v = realloc(f->domains, (f->ndomains + 1) * sizeof(*v));
	if (v == NULL) {
		free(d);
		return -1;
	}
	v[f->ndomains++] = d;
	f->domains = v;
	return 0;
}

/* Parse an address literal; IPv4-mapped IPv6 becomes IPv4. */
static bool
addr_of(struct slice s, int *family, unsigned char a[16])
{
	char tmp[64];
	char *pct;

	if (s.len == 0 || s.len >= sizeof(tmp))
		return false;
	if (s.p[0] == '[' && s.p[s.len - 1] == ']') {
		s.p++;
		s.len -= 2;
	}
	/* IPv4 parsed in place; a host name fails at its first letter
	 * (the host of every line comes here; inet_pton on a copy showed
	 * in the profile).  IPv6 has a colon, and starts with one or with
	 * a hex digit. */
	if (lex_ipv4(s, a)) {
		*family = AF_INET;
		return true;
	}
	if (!((unsigned)(s.p[0] - '0') <= 9 ||
	      (unsigned)((s.p[0] | 0x20) - 'a') < 6 || s.p[0] == ':'))
		return false;
	if (memchr(s.p, ':', s.len) == NULL)
		return false;
	memcpy(tmp, s.p, s.len);
	tmp[s.len] = '\0';
	if (inet_pton(AF_INET, tmp, a) == 1) {
		*family = AF_INET;
		return true;
	}
	if ((pct = strchr(tmp, '%')) != NULL)
		*pct = '\0';
	if (inet_pton(AF_INET6, tmp, a) != 1)
		return false;
	*family = AF_INET6;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0,    0,
	                                         0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a, mapped, 12) == 0) {
		memmove(a, a + 12, 4);
		*family = AF_INET;
	}
	return true;
}

/* An IPv4 address in a range: one mask, no loop over bytes. */
static bool
v4_in(const struct cidr *c, uint32_t a)
{
	uint32_t mask = c->bits == 0 ? 0 : ~0u << (32 - c->bits);

	return c->family == AF_INET && ((be32(c->addr) ^ a) & mask) == 0;
}

bool
filter_ip_internal(const struct filter *f, struct slice ip)
{
	unsigned char a[16];
	int family;

	if (!addr_of(ip, &family, a))
		return false;
	builtin_init();
	if (family == AF_INET) {
		uint32_t v = be32(a);

		for (size_t i = 0; i < nbuiltin_v4; i++)
			if ((v & builtin_v4[i].mask) == builtin_v4[i].net)
				return true;
		for (size_t i = 0; i < f->ncidrs; i++)
			if (v4_in(&f->cidrs[i], v))
				return true;
		return false;
	}
	for (size_t i = 0; i < sizeof(builtin_cidrs) / sizeof(builtin_cidrs[0]);
	     i++)
		if (cidr_contains(&builtin_cidrs[i], family, a))
			return true;
	for (size_t i = 0; i < f->ncidrs; i++)
		if (cidr_contains(&f->cidrs[i], family, a))
			return true;
	return false;
}

/* A host name inside an internal domain, or one with no dot at all. */
static bool
host_internal(const struct filter *f, struct slice h)
{
	while (h.len > 0 && h.p[h.len - 1] == '.')
		h.len--;
	if (h.len == 0)
		return false;
	/* "intranet", "wpad", "localhost": no public cloud app has such a
	 * name. */
	if (memchr(h.p, '.', h.len) == NULL && memchr(h.p, ':', h.len) == NULL)
		return true;
	for (size_t i = 0; i < f->ndomains; i++) {
		const char *d = f->domains[i];
		size_t n = strlen(d);

		if (h.len < n || strncasecmp(h.p + h.len - n, d, n) != 0)
			continue;
		if (h.len == n || h.p[h.len - n - 1] == '.')
			return true;
	}
	return false;
}

enum filter_reason
filter_apply(const struct filter *f, const struct record *r)
{
	if (!f->keep_internal) {
		if (r->dst_ip.len > 0 && filter_ip_internal(f, r->dst_ip))
			return FILTER_INTERNAL;
		if (r->dst_host.len > 0 &&
		    (filter_ip_internal(f, r->dst_host) ||
		     host_internal(f, r->dst_host)))
			return FILTER_INTERNAL;
	}
	if (f->max_age_days > 0 && (r->has & REC_HAS_TIME) &&
	    r->time_ms < f->now_ms - (int64_t)f->max_age_days * 86400000)
		return FILTER_TOO_OLD;
	if (match_any(&f->exclude, r))
		return FILTER_EXCLUDED;
	if (f->include.n > 0 && !match_any(&f->include, r))
		return FILTER_NOT_INCLUDED;
	return FILTER_KEEP;
}

int
filter_load_pseudonym_key(struct filter *f, const char *path, char *err,
                          size_t errlen)
{
	char *k = secret_load(path, NULL, err, errlen);

	if (k == NULL) {
		if (err[0] == '\0')
			snprintf(err, errlen, "%s: no key", path);
		return -1;
	}
	if (strlen(k) < 16) {
		snprintf(
		    err, errlen,
		    "%s: a pseudonymisation key of at least 16 characters, "
		    "please (e.g. `openssl rand -hex 32`)",
		    path);
		secret_free(k);
		return -1;
	}
	f->pkey_len = strlen(k);
	f->pkey = (unsigned char *)k;
	return 0;
}

/* Where `needle` stands in `hay`, from `from`; NULL when nowhere. */
static const char *
find_from(struct slice hay, const char *from, struct slice needle)
{
	size_t off = (size_t)(from - hay.p);

	if (off > hay.len || hay.len - off < needle.len)
		return NULL;
	return memmem(from, hay.len - off, needle.p, needle.len);
}

int
filter_pseudonymize(const struct filter *f, struct record *r, struct arena *a)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char pseud[5 + 16];
	struct slice line = record_upload_bytes(r), u = r->user;
	const char *p, *q;
	char *out, *o;
	size_t n = 0, cap;

	if (f->pkey == NULL || u.len == 0)
		return 0;
	if (HMAC(EVP_sha256(), f->pkey, (int)f->pkey_len,
	         (const unsigned char *)u.p, u.len, mac, &maclen) == NULL ||
	    maclen < 8)
		return -1;
	memcpy(pseud, "anon-", 5);
	for (int i = 0; i < 8; i++) {
		pseud[5 + 2 * i] = hex[mac[i] >> 4];
		pseud[5 + 2 * i + 1] = hex[mac[i] & 15];
	}
	/*
	 * A short name ("ab") would also match inside other words: only its
	 * own field is replaced, and only when the parser's slice lies in
	 * the line.  A longer one is replaced wherever it stands (a name
	 * logged twice, in a URL, in a group field), so none is left.
	 */
	if (u.len < 3) {
		if (!(u.p >= line.p && u.p + u.len <= line.p + line.len))
			return -1;
		n = 1;
	} else {
		for (p = line.p; (q = find_from(line, p, u)) != NULL;
		     p = q + u.len)
			n++;
		if (n == 0)
			return -1; /* the name is not in the line as logged */
	}
	cap = line.len + n * sizeof(pseud);
	if ((out = arena_alloc(a, cap)) == NULL)
		return -1;
	o = out;
	p = line.p;
	while ((q = u.len < 3 ? (p <= u.p ? u.p : NULL)
	                      : find_from(line, p, u)) != NULL) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, pseud, sizeof(pseud));
		o += sizeof(pseud);
		p = q + u.len;
	}
	memcpy(o, p, (size_t)(line.p + line.len - p));
	o += line.p + line.len - p;
	r->upload = (struct slice){out, (size_t)(o - out)};
	if ((o = arena_alloc(a, sizeof(pseud))) == NULL)
		return -1;
	memcpy(o, pseud, sizeof(pseud));
	r->user = (struct slice){o, sizeof(pseud)};
	return 0;
}

void
filter_free(struct filter *f)
{
	if (f->pkey != NULL) {
		explicit_bzero(f->pkey, f->pkey_len);
		free(f->pkey);
		f->pkey = NULL;
		f->pkey_len = 0;
	}
	for (size_t i = 0; i < f->ndomains; i++)
		free(f->domains[i]);
	free(f->domains);
	free(f->cidrs);
	f->domains = NULL;
	f->cidrs = NULL;
	f->ndomains = f->ncidrs = 0;
	match_free(&f->include);
	match_free(&f->exclude);
}
