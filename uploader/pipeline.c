/*
 * One input through parse, filter and sink: see pipeline.h.
 *
 * The first lines of a member are copied aside for detection (the input's
 * buffer moves under them), then run through the pipeline like any other.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "input.h"
#include "lex.h"
#include "log.h"
#include "pipeline.h"

struct head {
	char *data[PEEK_LINES * 4];
	struct slice line[PEEK_LINES * 4];
	uint64_t lineno[PEEK_LINES * 4];
	bool too_long[PEEK_LINES * 4];
	size_t n, nonblank;
};

static void
head_free(struct head *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->data[i]);
	memset(h, 0, sizeof(*h));
}

static void
keep_reject(struct member_stats *st, uint64_t lineno, const char *reason,
            struct slice line)
{
	struct rejected_line *r;
	size_t n;

	if (st->nrejects >= REJECTS_SHOWN)
		return;
	r = &st->rejects[st->nrejects++];
	r->lineno = lineno;
	r->reason = reason ? reason : "not this format";
	n = line.len < sizeof(r->text) - 1 ? line.len : sizeof(r->text) - 1;
	memcpy(r->text, line.p, n);
	r->text[n] = '\0';
	/* Shown on a terminal: no control bytes. */
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)r->text[i] < 0x20)
			r->text[i] = ' ';
}

/* Rejected lines probed for another format, at most. */
#define PROBE_REJECTS 256

struct run {
	const struct pipeline *pl;
	struct member_stats *st;
	void *state;
	struct arena arena;
	/* the current run of rejected lines, copied, for detecting again */
	char *run_data[PIPELINE_REDETECT];
	size_t run_len[PIPELINE_REDETECT];
	uint64_t run_lineno[PIPELINE_REDETECT];
	size_t nrun;
	pipeline_sink *sink;
	void *sink_arg;
	uint64_t rejects_in_a_row;
	/* Files detect again on a run of rejects and parse the run again
	 * (replay); a stream (discolog run) has handed those lines back
	 * already, and detects again from its next lines instead. */
	bool replay;
};

static int one_line(struct run *ru, struct slice line, uint64_t lineno,
                    bool too_long, char *err, size_t errlen);

/* Would another format take this rejected line?  Tally it. */
static void
probe_reject(struct run *ru, struct slice line)
{
	struct member_stats *st = ru->st;
	struct slice body;
	struct peek pk;
	const struct parser *p;
	int bid;

	if (st->rejects_probed++ >= PROBE_REJECTS)
		return;
	parser_peek(&pk, st->name, &line, &body, 1, ru->pl->now_ms);
	p = parser_choose(&pk, &bid);
	if (p == NULL || p == st->parser)
		return;
	for (size_t i = 0; i < PIPELINE_OTHERS; i++) {
		if (st->others[i].parser == p || st->others[i].parser == NULL) {
			st->others[i].parser = p;
			st->others[i].lines++;
			return;
		}
	}
}

static void
run_clear(struct run *ru)
{
	for (size_t i = 0; i < ru->nrun; i++)
		free(ru->run_data[i]);
	ru->nrun = 0;
}

/*
 * A run of rejected lines: when another format bids on them, it takes over
 * from here (a log that changed format, a rotated file of another device),
 * and the run is parsed again with it.  Returns 0, or -1 with err set.
 */
static int
redetect(struct run *ru, char *err, size_t errlen)
{
	struct member_stats *st = ru->st;
	struct slice raw[PIPELINE_REDETECT], body[PIPELINE_REDETECT];
	struct peek pk;
	const struct parser *p;
	void *state;
	int bid, rc = 0;
	size_t n = ru->nrun;

	char *old[PIPELINE_REDETECT];

	for (size_t i = 0; i < n; i++) {
		raw[i] = (struct slice){ru->run_data[i], ru->run_len[i]};
		old[i] = ru->run_data[i];
	}
	parser_peek(&pk, st->name, raw, body, n, ru->pl->now_ms);
	p = parser_choose(&pk, &bid);
	if (p == NULL || p == st->parser) {
		run_clear(ru);
		return 0;
	}
	if ((state = calloc(1, p->state_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	log_verbose("%s:%llu: the lines are %s from here, not %s", st->name,
	            (unsigned long long)ru->run_lineno[0], p->name,
	            st->parser->name);
	if (st->nswitches < PIPELINE_SWITCHES) {
		st->switches[st->nswitches].lineno = ru->run_lineno[0];
		st->switches[st->nswitches].parser = p;
		st->nswitches++;
	}
	free(ru->state);
	ru->state = state;
	st->parser = p;
	/* The run is no longer rejected, nor a sign of a mixed source. */
	for (size_t i = 0; i < PIPELINE_OTHERS; i++)
		if (st->others[i].parser == p)
			st->others[i].lines -=
			    st->others[i].lines < n ? st->others[i].lines : n;
	while (st->nrejects > 0 &&
	       st->rejects[st->nrejects - 1].lineno >= ru->run_lineno[0])
		st->nrejects--;
	/* Those lines were counted as rejected: count them again. */
	st->verdicts[PARSE_REJECT] -= n;
	st->lines -= n;
	ru->nrun = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc =
		    one_line(ru, raw[i], ru->run_lineno[i], false, err, errlen);
	for (size_t i = 0; i < n; i++)
		free(old[i]);
	return rc;
}

static int
one_line(struct run *ru, struct slice line, uint64_t lineno, bool too_long,
         char *err, size_t errlen)
{
	struct member_stats *st = ru->st;
	struct record r;
	enum parse_result v;
	enum filter_reason f;

	st->lines++;
	if (too_long) {
		st->too_long++;
		st->verdicts[PARSE_REJECT]++;
		keep_reject(st, lineno, "line longer than 64 KiB", line);
		return 0;
	}
	arena_reset(&ru->arena);
	v = parser_run(st->parser, ru->state, line, ru->pl->now_ms, &r,
	               &ru->arena);
	st->verdicts[v]++;
	if (r.syslog)
		st->syslog_lines++;
	if (v == PARSE_REJECT) {
		ru->rejects_in_a_row++;
		keep_reject(st, lineno, r.reason, line);
		probe_reject(ru, line);
		if (st->pinned || !ru->replay)
			return 0;
		if ((ru->run_data[ru->nrun] = malloc(line.len + 1)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memcpy(ru->run_data[ru->nrun], line.p, line.len);
		ru->run_len[ru->nrun] = line.len;
		ru->run_lineno[ru->nrun++] = lineno;
		if (ru->nrun == PIPELINE_REDETECT)
			return redetect(ru, err, errlen);
		return 0;
	}
	run_clear(ru);
	ru->rejects_in_a_row = 0;
	if (v == PARSE_SKIP)
		return 0;
	f = filter_apply(ru->pl->filter, &r);
	if (f == FILTER_KEEP &&
	    filter_pseudonymize(ru->pl->filter, &r, &ru->arena) == -1)
		f = FILTER_PSEUDONYM; /* a name that might leak: not sent */
	st->dropped[f]++;
	if (f != FILTER_KEEP)
		return 0;
	return ru->sink(ru->sink_arg, &r, lineno, err, errlen);
}

/*
 * An archive or compressed file inside an archive is not opened (no
 * recursion, no depth to bound): it is reported by its kind.
 */
static const char *
archive_kind(struct slice first)
{
	static const struct {
		const char *magic;
		size_t len, off;
		const char *kind;
	} kinds[] = {
	    {"PK\x03\x04", 4, 0, "zip"},
	    {"\x1f\x8b", 2, 0, "gzip"},
	    {"BZh", 3, 0, "bzip2"},
	    {"\xfd"
	     "7zXZ",
	     5, 0, "xz"},
	    {"\x28\xb5\x2f\xfd", 4, 0, "zstd"},
	    {"7z\xbc\xaf\x27\x1c", 6, 0, "7z"},
	    {"Rar!", 4, 0, "rar"},
	    {"ustar", 5, 257, "tar"},
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (first.len >= kinds[i].off + kinds[i].len &&
		    memcmp(first.p + kinds[i].off, kinds[i].magic,
		           kinds[i].len) == 0)
			return kinds[i].kind;
	return NULL;
}

/* How many of the detection lines `p` parses (in order, fresh state). */
static size_t
sample_parsed(const struct pipeline *pl, const struct parser *p,
              const struct slice *raw, size_t n)
{
	struct arena a;
	struct record r;
	void *state = calloc(1, p->state_size + 1);
	size_t ok = 0;

	if (state == NULL || arena_init(&a, ARENA_BYTES) == -1) {
		free(state);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		arena_reset(&a);
		if (parser_run(p, state, raw[i], pl->now_ms, &r, &a) !=
		    PARSE_REJECT)
			ok++;
	}
	arena_free(&a);
	free(state);
	return ok;
}

/*
 * input_next_line, without a UTF-8 byte order mark where a line starts (a
 * file written on Windows, files joined together): MDCA refuses it, and
 * no parser expects it.  Streams lose it in pipeline_stream_line.
 */
static int
next_line(struct input *in, struct slice *line, uint64_t *lineno,
          bool *too_long, char *err, size_t errlen)
{
	int r = input_next_line(in, line, lineno, too_long, err, errlen);

	if (r == 1)
		*line = slice_no_bom(*line);
	return r;
}

static int
member(const struct pipeline *pl, struct input *in, struct member_stats *st,
       bool *unknown, char *err, size_t errlen)
{
	struct head h = {0};
	struct run ru = {.pl = pl,
	                 .st = st,
	                 .sink = pl->sink,
	                 .sink_arg = pl->sink_arg,
	                 .replay = true};
	struct slice line;
	uint64_t lineno;
	bool too_long;
	int r = 0, rc = -1;

	/* The first lines, copied: enough non-blank ones to bid on. */
	while (h.nonblank < PEEK_LINES && h.n < PEEK_LINES * 4 &&
	       (r = next_line(in, &line, &lineno, &too_long, err, errlen)) ==
	           1) {
		if ((h.data[h.n] = malloc(line.len ? line.len : 1)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto done;
		}
		memcpy(h.data[h.n], line.p, line.len);
		h.line[h.n] = (struct slice){h.data[h.n], line.len};
		h.lineno[h.n] = lineno;
		h.too_long[h.n] = too_long;
		if (slice_trim(line).len > 0 && !too_long)
			h.nonblank++;
		h.n++;
	}
	if (h.nonblank < PEEK_LINES && r == -1)
		goto done;
	if (pl->pinned != NULL) {
		st->parser = pl->pinned;
		st->pinned = true;
	} else {
		struct slice raw[PEEK_LINES], body[PEEK_LINES];
		struct peek pk;
		size_t n = 0;

		for (size_t i = 0; i < h.n && n < PEEK_LINES; i++)
			if (slice_trim(h.line[i]).len > 0 && !h.too_long[i])
				raw[n++] = h.line[i];
		parser_peek(&pk, st->name, raw, body, n, pl->now_ms);
		st->parser =
		    parser_rank(&pk, &st->bid, &st->next_best, &st->next_bid);
		st->sample_lines = n;
		st->sample_syslog = pk.nsyslog * 2 > n;
		if (st->parser != NULL)
			st->sample_parsed =
			    sample_parsed(pl, st->parser, raw, n);
	}
	st->nested = h.n > 0 ? archive_kind(h.line[0]) : NULL;
	if (st->nested != NULL)
		st->parser = NULL;
	st->detected = st->parser;
	if (st->parser == NULL) {
		/* Count what was there, upload nothing. */
		*unknown = true;
		for (size_t i = 0; i < h.n; i++)
			st->lines++;
		while ((r = next_line(in, &line, &lineno, &too_long, err,
		                      errlen)) == 1)
			st->lines++;
		rc = r == -1 ? -1 : 0;
		goto done;
	}
	if ((ru.state = calloc(1, st->parser->state_size + 1)) == NULL ||
	    arena_init(&ru.arena, ARENA_BYTES) == -1) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < h.n; i++)
		if (one_line(&ru, h.line[i], h.lineno[i], h.too_long[i], err,
		             errlen) == -1)
			goto done;
	head_free(&h);
	while ((r = next_line(in, &line, &lineno, &too_long, err, errlen)) ==
	       1) {
		if (one_line(&ru, line, lineno, too_long, err, errlen) == -1)
			goto done;
		if (pl->progress != NULL && (lineno & 4095) == 0)
			pl->progress(pl->progress_arg, input_bytes_read(in));
	}
	rc = r == -1 ? -1 : 0;
done:
	run_clear(&ru);
	head_free(&h);
	arena_free(&ru.arena);
	free(ru.state);
	return rc;
}

int
pipeline_run(const struct pipeline *pl, const char *path, bool *unknown,
             char *err, size_t errlen)
{
	struct input *in;
	struct member_stats *st;
	const char *name;
	int r, rc = 0;

	if ((in = input_open(path, err, errlen)) == NULL)
		return -1;
	if ((st = malloc(sizeof(*st))) == NULL) {
		input_close(in);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while ((r = input_next_member(in, &name, err, errlen)) == 1) {
		memset(st, 0, sizeof(*st));
		snprintf(st->name, sizeof(st->name), "%s", name);
		rc = member(pl, in, st, unknown, err, errlen);
		if (pl->member_done != NULL)
			pl->member_done(pl->member_arg, st);
		if (rc == -1)
			break;
	}
	if (r == -1)
		rc = -1;
	free(st);
	input_close(in);
	return rc;
}

/* ---- streams: lines one at a time (discolog run) ---- */

struct pipeline_stream {
	struct run ru;
	struct member_stats st;
	struct head h;
	uint64_t tags[PEEK_LINES * 4];
	pipeline_line_done *done;
	bool detected;
};

struct pipeline_stream *
pipeline_stream_new(const struct pipeline *pl, const char *name,
                    pipeline_sink *sink, pipeline_line_done *done, void *arg)
{
	struct pipeline_stream *ps = calloc(1, sizeof(*ps));

	if (ps == NULL)
		return NULL;
	if (arena_init(&ps->ru.arena, ARENA_BYTES) == -1) {
		free(ps);
		return NULL;
	}
	ps->ru.pl = pl;
	ps->ru.st = &ps->st;
	ps->ru.sink = sink;
	ps->ru.sink_arg = arg;
	ps->done = done;
	snprintf(ps->st.name, sizeof(ps->st.name), "%s", name);
	return ps;
}

/* Choose the parser from the head lines (or the pinned one). */
static int
stream_detect(struct pipeline_stream *ps, char *err, size_t errlen)
{
	const struct pipeline *pl = ps->ru.pl;
	struct member_stats *st = &ps->st;
	struct head *h = &ps->h;

	free(ps->ru.state);
	ps->ru.state = NULL;
	if (pl->pinned != NULL) {
		st->parser = pl->pinned;
		st->pinned = true;
	} else {
		struct slice raw[PEEK_LINES], body[PEEK_LINES];
		struct peek pk;
		size_t n = 0;

		for (size_t i = 0; i < h->n && n < PEEK_LINES; i++)
			if (slice_trim(h->line[i]).len > 0 && !h->too_long[i])
				raw[n++] = h->line[i];
		parser_peek(&pk, st->name, raw, body, n, pl->now_ms);
		st->parser = parser_choose(&pk, &st->bid);
		if (st->parser != NULL)
			log_verbose("%s: detected format %s (bid %d)", st->name,
			            st->parser->name, st->bid);
		else if (n > 0)
			log_warnx("%s: format not recognised in %zu lines: "
			          "they are not uploaded (pin one with "
			          "format =)",
			          st->name, n);
	}
	if (st->parser != NULL &&
	    (ps->ru.state = calloc(1, st->parser->state_size + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	st->detected = st->parser;
	ps->detected = true;
	ps->ru.rejects_in_a_row = 0;
	return 0;
}

/* One line through parse, filter and sink, then its tag handed back. */
static int
stream_one(struct pipeline_stream *ps, struct slice line, uint64_t lineno,
           bool too_long, uint64_t tag, char *err, size_t errlen)
{
	if (ps->st.parser == NULL) {
		ps->st.lines++; /* counted, not uploaded */
	} else if (one_line(&ps->ru, line, lineno, too_long, err, errlen) == -1)
		return -1;
	if (ps->done != NULL)
		ps->done(ps->ru.sink_arg, tag);
	return 0;
}

int
pipeline_stream_flush(struct pipeline_stream *ps, char *err, size_t errlen)
{
	struct head *h = &ps->h;
	int rc = 0;

	if (!ps->detected) {
		if (h->n == 0)
			return 0;
		if (stream_detect(ps, err, errlen) == -1)
			return -1;
	}
	for (size_t i = 0; i < h->n && rc == 0; i++)
		rc = stream_one(ps, h->line[i], h->lineno[i], h->too_long[i],
		                ps->tags[i], err, errlen);
	head_free(h);
	/* Nothing recognised: look again at the next lines. */
	if (ps->st.parser == NULL)
		ps->detected = false;
	return rc;
}

int
pipeline_stream_line(struct pipeline_stream *ps, struct slice line,
                     uint64_t lineno, bool too_long, uint64_t tag, char *err,
                     size_t errlen)
{
	struct head *h = &ps->h;

	line = slice_no_bom(line);
	if (ps->detected) {
		if (stream_one(ps, line, lineno, too_long, tag, err, errlen) ==
		    -1)
			return -1;
		/* A long run of rejects: the source may have changed its
		 * format (DESIGN.md §3); detect again, unless pinned. */
		if (ps->ru.rejects_in_a_row >= REDETECT_REJECTS &&
		    ps->ru.pl->pinned == NULL) {
			log_info("%s: %llu lines in a row rejected: detecting "
			         "the format again",
			         ps->st.name,
			         (unsigned long long)ps->ru.rejects_in_a_row);
			ps->detected = false;
			ps->ru.rejects_in_a_row = 0;
		}
		return 0;
	}
	if ((h->data[h->n] = malloc(line.len ? line.len : 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(h->data[h->n], line.p, line.len);
	h->line[h->n] = (struct slice){h->data[h->n], line.len};
	h->lineno[h->n] = lineno;
	h->too_long[h->n] = too_long;
	ps->tags[h->n] = tag;
	if (slice_trim(line).len > 0 && !too_long)
		h->nonblank++;
	h->n++;
	if (ps->ru.pl->pinned != NULL || h->nonblank >= PEEK_LINES ||
	    h->n == PEEK_LINES * 4)
		return pipeline_stream_flush(ps, err, errlen);
	return 0;
}

void
pipeline_stream_reset(struct pipeline_stream *ps)
{
	head_free(&ps->h);
	ps->detected = false;
	ps->ru.rejects_in_a_row = 0;
}

bool
pipeline_stream_pending(const struct pipeline_stream *ps)
{
	return ps->h.n > 0;
}

const struct member_stats *
pipeline_stream_stats(const struct pipeline_stream *ps)
{
	return &ps->st;
}

void
pipeline_stream_free(struct pipeline_stream *ps)
{
	if (ps == NULL)
		return;
	head_free(&ps->h);
	arena_free(&ps->ru.arena);
	free(ps->ru.state);
	free(ps);
}
