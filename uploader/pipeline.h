/*
 * The pipeline of one input: lines -> detected parser -> record ->
 * filters -> a sink (the batches of `upload`, the JSON of `check --json`).
 *
 * Detection runs once per member of the input (a file, or each file of an
 * archive) over its first non-empty lines, unless the format is pinned.
 * Every line gets one verdict, counted; every drop is counted by reason;
 * the first few rejected lines are kept for the report.
 */
#ifndef PIPELINE_H
#define PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "filter.h"
#include "limits.h"
#include "parser.h"

/* Called for every kept record; 0, or -1 to stop (reason in err). */
typedef int pipeline_sink(void *arg, const struct record *r, uint64_t lineno,
                          char *err, size_t errlen);

struct rejected_line {
	uint64_t lineno;
	const char *reason;
	char text[160];
};

#define PIPELINE_OTHERS   4 /* other formats tallied in rejected lines */
#define PIPELINE_SWITCHES 4 /* format changes remembered */
/* This many rejected lines in a row make detection run again. */
#define PIPELINE_REDETECT PEEK_LINES

struct member_stats {
	char name[4096];
	const struct parser *detected; /* chosen at the start; NULL: none */
	const char *nested; /* the member is itself an archive ("zip") */
	const struct parser *parser; /* the current one */
	int bid;
	bool pinned;
	const struct parser *next_best; /* the runner-up of detection */
	int next_bid;
	size_t sample_lines, sample_parsed; /* detection lines, and how many
	                                the winner parses */
	bool sample_syslog; /* most of them behind a syslog header */
	/* Rejected lines another format would take: a mixed source. */
	struct {
		const struct parser *parser;
		uint64_t lines;
	} others[PIPELINE_OTHERS];
	uint64_t rejects_probed;
	/* The format changed part-way (a run of rejects, detected again). */
	struct {
		uint64_t lineno;
		const struct parser *parser;
	} switches[PIPELINE_SWITCHES];
	size_t nswitches;
	uint64_t lines; /* every line read, blank ones included */
	uint64_t verdicts[PARSE_NRESULTS];
	uint64_t too_long;
	uint64_t dropped[FILTER_NREASONS]; /* [FILTER_KEEP] = kept */
	uint64_t syslog_lines;
	struct rejected_line rejects[REJECTS_SHOWN];
	size_t nrejects;
};

struct pipeline {
	const struct parser *pinned; /* --format, or NULL */
	const struct filter *filter;
	int64_t now_ms;
	pipeline_sink *sink;
	void *sink_arg;
	/* called after each member with its stats; may be NULL */
	void (*member_done)(void *arg, const struct member_stats *);
	void *member_arg;
	/* called every few thousand lines with the bytes read so far from
	 * the input (compressed), for a progress bar; may be NULL */
	void (*progress)(void *arg, uint64_t bytes_read);
	void *progress_arg;
};

/*
 * Run every member of `path` through the pipeline.  Returns 0 when the
 * input was read to its end (whatever its lines were), -1 when it could
 * not be opened or read or the sink failed (reason in err).  *unknown is
 * set when a member's format was not recognised.
 */
int pipeline_run(const struct pipeline *pl, const char *path, bool *unknown,
                 char *err, size_t errlen);

/*
 * Streams: the same pipeline fed one line at a time, for inputs that never
 * end (discolog run: followed files, spool-directory files).
 *
 * The first lines are held until PEEK_LINES non-blank ones are there (or
 * pipeline_stream_flush), then the format is detected and they go through;
 * after that each line goes through at once.  Every line, kept or
 * dropped, is handed back through `done` with its `tag` once it has been
 * through (the reader's position), in order.  `sink` and `done` get `arg`.
 */
struct pipeline_stream;
typedef void pipeline_line_done(void *arg, uint64_t tag);

/* A stream named `name` (for stats and messages); NULL when out of
 * memory.  `pl` is borrowed: its filter, pinned parser and now_ms. */
struct pipeline_stream *
pipeline_stream_new(const struct pipeline *pl, const char *name,
                    pipeline_sink *sink, pipeline_line_done *done, void *arg);

/* One line (borrowed: copied while held).  0, or -1 when the sink failed
 * (reason in err; that line was not handed back). */
int pipeline_stream_line(struct pipeline_stream *ps, struct slice line,
                         uint64_t lineno, bool too_long, uint64_t tag,
                         char *err, size_t errlen);

/* Detect with the lines there are and let them through.  0 or -1. */
int pipeline_stream_flush(struct pipeline_stream *ps, char *err, size_t errlen);

/* Drop the lines held (not handed back) and detect again. */
void pipeline_stream_reset(struct pipeline_stream *ps);

/* Are lines held for detection? */
bool pipeline_stream_pending(const struct pipeline_stream *ps);

/* The counters so far (borrowed). */
const struct member_stats *
pipeline_stream_stats(const struct pipeline_stream *ps);

/* NULL ok. */
void pipeline_stream_free(struct pipeline_stream *ps);

#endif
