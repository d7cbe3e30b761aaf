/*
 * The parser interface, and the registry that chooses a parser by bidding.
 *
 * How bidding works
 *
 * MDCA parses what we upload with the parser of the data source's log type,
 * so discolog must know which format a source is before it uploads a line.
 * Each parser is one `const struct parser`, listed in an explicit, ordered
 * table in registry.c.  When a source opens, the driver reads its first few
 * complete lines (struct peek: each line as read, and its body with any
 * syslog header removed) and asks every parser to bid on them.  A bid says
 * how much the parser checked and found to be its own, scored the same way
 * everywhere so bids compare:
 *
 *	8 points per byte of a literal vendor signature matched, plus 8 per
 *	well-formed vendor-specific field, summed over the sample lines that
 *	agree; lines that are clearly not ours count nothing.
 *
 *	-1 means "definitely not mine", 0 "no opinion".
 *
 * The highest bid wins; ties go to the parser listed first.  The core skips
 * a parser whose max_bid cannot beat the best bid so far.  Bidders never
 * consume input.  Detection runs once per source, and again after rotation
 * or a run of rejected lines; `format =` (or --format) skips it.
 *
 * How a line is parsed
 *
 * parse() turns one line into a struct record of slices into that line.  It
 * never allocates: where it must rewrite (unescape, lower-case) it takes
 * memory from the arena, which lives until the record has been consumed.  A
 * parser that keeps state between lines (a W3C #Fields directive) declares
 * state_size; the driver gives each source a zeroed block of that size.
 *
 * The driver removes a syslog header before calling parse(), unless the
 * parser sets PARSER_RAW_LINE (formats whose header carries data, such as
 * RFC 5424 structured data).  The header's time and host are already in the
 * record when parse() runs; the parser overrides them with better ones.
 */
#ifndef PARSER_H
#define PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct arena;

#define PARSE_RESULTS(X)                                                       \
	X(REJECT, "reject")                                                    \
	X(PARTIAL, "partial")                                                  \
	X(OK, "ok")                                                            \
	X(SKIP, "skip")

/* Ordered: a smaller value is a worse outcome. */
enum parse_result {
#define X(n, s) PARSE_##n,
	PARSE_RESULTS(X)
#undef X
	    PARSE_NRESULTS
};

const char *parse_result_name(enum parse_result);

#define PEEK_LINES 8 /* lines a bidder sees at most */

struct peek {
	const struct parser *self; /* the bidder (set by parser_choose) */
	const char *path;          /* source name, may be "" */
	const struct slice *raw;   /* first complete lines, as read */
	const struct slice *body;  /* the same, syslog header removed */
	size_t nlines;
	size_t nsyslog; /* how many of them carried a syslog header */
};

enum parser_flags {
	PARSER_RAW_LINE = 1 << 0,  /* parse() gets the line with its header */
	PARSER_NO_DETECT = 1 << 1, /* chosen only by name (format =) */
};

struct parser {
	const char *name;             /* stable id: config, stats, JSON */
	const char *description;      /* one line, for `discolog formats` */
	const char *source_id;        /* MDCA source id of a file upload */
	const char *source_id_syslog; /* ... of syslog-wrapped lines, or NULL */
	int log_type;                 /* numeric logType of source_id */
	unsigned flags;               /* PARSER_* */
	int max_bid;                  /* highest bid bid() can return */
	size_t state_size;            /* per-source state, zeroed; may be 0 */
	void *ctx; /* a parser's own data (custom formats); may be NULL */
	int (*bid)(const struct peek *);
	enum parse_result (*parse)(void *state, struct slice line,
	                           struct record *, struct arena *);
};

/* The built-in registry, in bidding order. */
extern const struct parser *const parsers[];
extern const size_t nparsers;

/*
 * Formats added at run time (custom formats from the configuration) bid
 * after the built-in ones.  parser_add borrows `p` until parser_clear.
 * Returns 0, or -1 when the name is taken or the table is full.
 */
int parser_add(const struct parser *p);
void parser_clear(void);

/* Every parser, built-in then added: i from 0 to parser_count() - 1. */
size_t parser_count(void);
const struct parser *parser_at(size_t i);

/*
 * Run the bidding over `pk`.  Returns the winner and its bid through *bid,
 * or NULL when no parser bid above 0.
 */
const struct parser *parser_choose(const struct peek *pk, int *bid);

/* parser_choose, and the runner-up with its bid (NULL and 0: none). */
const struct parser *parser_rank(const struct peek *pk, int *bid,
                                 const struct parser **second, int *second_bid);

/* The parser called `name`, or NULL. */
const struct parser *parser_find(const char *name);

/*
 * The MDCA source id a record is uploaded as: the parser's default, or its
 * _SYSLOG variant when the line came behind a syslog header.
 */
const char *parser_source_type(const struct parser *, bool syslog);

/* The bytes to upload for a kept record: the original line, unless the
 * parser converted it (custom formats become CEF). */
struct slice record_upload_bytes(const struct record *r);

/*
 * Parse one line as read (`raw`) with parser `p` and its per-source
 * `state`: remove a syslog header (unless the parser wants it), fill the
 * record's defaults from it, call parse(), and resolve the source type.
 * `now_ms` dates year-less syslog stamps.  The record borrows from `raw`
 * and the arena.
 */
enum parse_result parser_run(const struct parser *p, void *state,
                             struct slice raw, int64_t now_ms, struct record *r,
                             struct arena *a);

/*
 * Fill `pk` from up to PEEK_LINES lines `raw`; `body` is caller storage of
 * the same length for the header-less bodies.
 */
void parser_peek(struct peek *pk, const char *path, const struct slice *raw,
                 struct slice *body, size_t n, int64_t now_ms);

#endif
