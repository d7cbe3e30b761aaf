/*
 * Include and exclude rules: see match.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "record.h"

enum match_field {
	MF_SRC_IP,
	MF_DST_IP,
	MF_DST_HOST,
	MF_URL,
	MF_USER,
	MF_USER_AGENT,
	MF_PROTO,
	MF_DEVICE,
	MF_LINE,
	MF_N
};

static const char *const match_names[MF_N] = {"src_ip", "dst_ip", "dst_host",
                                              "url",    "user",   "user_agent",
                                              "proto",  "device", "line"};

const char match_fields[] =
    "src_ip dst_ip dst_host url user user_agent proto device line";

struct match_rule {
	enum match_field field;
	pcre2_code *re;
	pcre2_match_data *md;
};

static struct slice
match_value(const struct record *r, enum match_field f)
{
	switch (f) {
	case MF_SRC_IP:
		return r->src_ip;
	case MF_DST_IP:
		return r->dst_ip;
	case MF_DST_HOST:
		return r->dst_host;
	case MF_URL:
		return r->url;
	case MF_USER:
		return r->user;
	case MF_USER_AGENT:
		return r->user_agent;
	case MF_PROTO:
		return r->proto;
	case MF_DEVICE:
		return r->device;
	case MF_LINE:
	default:
		return r->raw;
	}
}

/* Read "FIELD PATTERN" into *m.  0, or -1 with the reason in err. */
static int
match_compile(const char *spec, struct match_rule *m, char *err, size_t errlen)
{
	size_t n = strcspn(spec, " \t");
	const char *pat = spec + n;
	int ecode;
	PCRE2_SIZE eoff;

	memset(m, 0, sizeof(*m));
	pat += strspn(pat, " \t");
	for (m->field = 0; m->field < MF_N; m->field++)
		if (strlen(match_names[m->field]) == n &&
		    strncmp(spec, match_names[m->field], n) == 0)
			break;
	if (m->field == MF_N) {
		snprintf(err, errlen,
		         "'%.*s' is not a field (FIELD PATTERN, FIELD one of: "
		         "%s)",
		         (int)(n > 40 ? 40 : n), spec, match_fields);
		return -1;
	}
	if (*pat == '\0') {
		snprintf(err, errlen, "%s: no pattern after the field name",
		         match_names[m->field]);
		return -1;
	}
	m->re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	                      PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &ecode,
	                      &eoff, NULL);
	if (m->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(ecode, msg, sizeof(msg));
		snprintf(err, errlen, "%s: pattern: %s at offset %zu",
		         match_names[m->field], (char *)msg, (size_t)eoff);
		return -1;
	}
	(void)pcre2_jit_compile(m->re, PCRE2_JIT_COMPLETE);
	if ((m->md = pcre2_match_data_create(1, NULL)) == NULL) {
		pcre2_code_free(m->re);
		m->re = NULL;
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static void
match_rule_free(struct match_rule *m)
{
	pcre2_match_data_free(m->md);
	pcre2_code_free(m->re);
}

int
match_check(const char *spec, char *err, size_t errlen)
{
	struct match_rule m;

	if (match_compile(spec, &m, err, errlen) == -1)
		return -1;
	match_rule_free(&m);
	return 0;
}

int
match_add(struct match_set *s, const char *spec, char *err, size_t errlen)
{
	struct match_rule m, *v;

	if (match_compile(spec, &m, err, errlen) == -1)
		return -1;
	if ((v = realloc(s->v, (s->n + 1) * sizeof(*v))) == NULL) {
		match_rule_free(&m);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	v[s->n++] = m;
	s->v = v;
	return 0;
}

bool
match_any(const struct match_set *s, const struct record *r)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct match_rule *m = &s->v[i];
		struct slice v = match_value(r, m->field);

		if (pcre2_match(m->re, (PCRE2_SPTR)(v.p ? v.p : ""), v.len, 0,
		                0, m->md, NULL) >= 0)
			return true;
	}
	return false;
}

void
match_free(struct match_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		match_rule_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
