/*
 * Include and exclude rules of the filter chain: "FIELD PATTERN", a PCRE2
 * pattern matched against one field of a parsed line.
 *
 *	exclude = user_agent ^Microsoft-Delivery-Optimization/
 *	exclude = dst_host (?i)\.windowsupdate\.com$
 *	include = src_ip ^10\.20\.
 *
 * FIELD is one of src_ip, dst_ip, dst_host, url, user, user_agent, proto,
 * device, or line (the whole line as read).  A field the line does not
 * have is matched as the empty string.  The pattern is unanchored (use ^
 * and $), case-sensitive unless it says (?i), and read as UTF-8 that may
 * be invalid.
 */
#ifndef MATCH_H
#define MATCH_H

#include <stdbool.h>
#include <stddef.h>

struct record;
struct match_rule;

struct match_set {
	struct match_rule *v;
	size_t n;
};

/* Compile "FIELD PATTERN" into s.  0, or -1 with the reason in err. */
int match_add(struct match_set *s, const char *spec, char *err, size_t errlen);

/* Is "FIELD PATTERN" a rule?  0, or -1 with the reason (for conf.c). */
int match_check(const char *spec, char *err, size_t errlen);

/* Does any rule of s match r?  False when s is empty.  Not for two
 * threads at once: the rules hold their match data. */
bool match_any(const struct match_set *s, const struct record *r);

void match_free(struct match_set *s);

/* The field names, space-separated, for messages. */
extern const char match_fields[];

#endif
