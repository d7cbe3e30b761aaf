/*
 * The parser registry: an explicit, ordered table, and detection by bidding
 * (see parser.h for how bids are scored).  Cheap, specific bidders first;
 * on equal bids the one listed first wins.
 */
#include <string.h>

#include "parser.h"
#include "syslog.h"

extern const struct parser parser_checkpoint;
extern const struct parser parser_juniper_srx;
extern const struct parser parser_juniper_ssg;
extern const struct parser parser_squid_native;
extern const struct parser parser_squid_common;

const struct parser *const parsers[] = {
    &parser_checkpoint,
    &parser_juniper_srx,
    &parser_juniper_ssg,
    &parser_squid_native,
    &parser_squid_common,
};

const size_t nparsers = sizeof(parsers) / sizeof(parsers[0]);

const struct parser *
parser_choose(const struct peek *pk, int *bid)
{
	const struct parser *best = NULL;
	int best_bid = 0;

	for (size_t i = 0; i < nparsers; i++) {
		const struct parser *p = parsers[i];
		int b;

		if ((p->flags & PARSER_NO_DETECT) || p->bid == NULL ||
		    p->max_bid <= best_bid)
			continue;
		b = p->bid(pk);
		if (b > best_bid) {
			best_bid = b;
			best = p;
		}
	}
	*bid = best_bid;
	return best;
}

const struct parser *
parser_find(const char *name)
{
	for (size_t i = 0; i < nparsers; i++)
		if (strcmp(parsers[i]->name, name) == 0)
			return parsers[i];
	return NULL;
}

const char *
parser_source_type(const struct parser *p, bool syslog)
{
	if (syslog && p->source_id_syslog != NULL)
		return p->source_id_syslog;
	return p->source_id;
}

enum parse_result
parser_run(const struct parser *p, void *state, struct slice raw,
    int64_t now_ms, struct record *r, struct arena *a)
{
	struct syslog_hdr h;
	struct slice line = raw;
	enum parse_result res;

	record_reset(r, raw);
	r->parser = p;
	/* A CR left by a CRLF file is not part of any field. */
	if (line.len > 0 && line.p[line.len - 1] == '\r')
		line.len--;
	if (syslog_parse(line, now_ms, &h)) {
		r->syslog = true;
		if (h.has_time) {
			r->time_ms = h.time_ms;
			r->has |= REC_HAS_TIME;
		}
		r->device = h.host;
		if (!(p->flags & PARSER_RAW_LINE))
			line = h.body;
	}
	res = p->parse(state, line, r, a);
	if (r->source_type == NULL)
		r->source_type = parser_source_type(p, r->syslog);
	return res;
}

void
parser_peek(struct peek *pk, const char *path, const struct slice *raw,
    struct slice *body, size_t n, int64_t now_ms)
{
	struct syslog_hdr h;

	if (n > PEEK_LINES)
		n = PEEK_LINES;
	pk->path = path;
	pk->raw = raw;
	pk->body = body;
	pk->nlines = n;
	pk->nsyslog = 0;
	for (size_t i = 0; i < n; i++) {
		struct slice line = raw[i];

		if (line.len > 0 && line.p[line.len - 1] == '\r')
			line.len--;
		if (syslog_parse(line, now_ms, &h))
			pk->nsyslog++;
		body[i] = h.body;
	}
}
