/*
 * The filter chain: which parsed lines go to Cloud Discovery.
 *
 * Run in order, each drop counted by its reason:
 *   internal  the destination is inside a private, loopback, link-local or
 *             ULA range, a configured internal CIDR, or a configured
 *             internal domain (internal traffic is not shadow IT);
 *   too_old   the event is older than max_age days (MDCA ignores it);
 *   excluded  an exclude rule matches (match.h);
 *   not_included  there are include rules and none matches;
 *   user_not_pseudonymized  pseudonymisation is on and the name could not
 *             be replaced safely (filter_pseudonymize).
 * Only pseudonymisation changes a kept line.
 */
#ifndef FILTER_H
#define FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "match.h"
#include "record.h"

#define FILTER_REASONS(X)                                                      \
	X(KEEP, "kept")                                                        \
	X(INTERNAL, "internal")                                                \
	X(TOO_OLD, "too_old")                                                  \
	X(EXCLUDED, "excluded")                                                \
	X(NOT_INCLUDED, "not_included")                                        \
	X(PSEUDONYM, "user_not_pseudonymized")

enum filter_reason {
#define X(n, s) FILTER_##n,
	FILTER_REASONS(X)
#undef X
	    FILTER_NREASONS
};

struct cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned bits;
};

struct filter {
	bool keep_internal;
	struct cidr *cidrs; /* configured internal ranges, owned */
	size_t ncidrs;
	char **domains; /* internal domain suffixes, lower case, owned */
	size_t ndomains;
	int max_age_days;                  /* 0: no age limit */
	struct match_set include, exclude; /* owned */
	int64_t now_ms;
	unsigned char *pkey; /* pseudonymisation HMAC key, owned, wiped */
	size_t pkey_len;
};

const char *filter_reason_name(enum filter_reason);

/*
 * Parse "10.0.0.0/8", "2001:db8::/32" or a bare address into *c.
 * Returns 0, or -1 with a reason in err.
 */
int cidr_parse(const char *s, struct cidr *c, char *err, size_t errlen);

/* Add a range or a domain suffix ("corp.example.com").  0 or -1 (ENOMEM,
 * or a bad CIDR with the reason in err). */
int filter_add_cidr(struct filter *f, const char *s, char *err, size_t errlen);
int filter_add_domain(struct filter *f, const char *suffix);

/* Is `ip` (an address literal) internal under f?  False for non-addresses. */
bool filter_ip_internal(const struct filter *f, struct slice ip);

/* The verdict for one record: FILTER_KEEP or the reason to drop it. */
enum filter_reason filter_apply(const struct filter *f, const struct record *r);

struct arena;

/*
 * Pseudonymise user names with the key in the file `path` (a secret: read
 * like the token, refused when others can read it).  0, or -1 with the
 * reason in err.
 */
int filter_load_pseudonym_key(struct filter *f, const char *path, char *err,
                              size_t errlen);

/*
 * Replace the user name of a kept record, wherever it stands in the line
 * to upload, with "anon-" and 16 hex digits of HMAC-SHA-256(key, name):
 * the same name always gives the same pseudonym, and the name never
 * leaves.  The record's upload bytes and user then point into the arena.
 * Returns 0 (also when there is no key or no user), or -1 when the name
 * cannot be replaced safely: the line must then not be uploaded.
 */
int filter_pseudonymize(const struct filter *f, struct record *r,
                        struct arena *a);

/* Release what f owns; safe on a zeroed filter. */
void filter_free(struct filter *f);

#endif
