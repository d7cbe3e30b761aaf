/*
 * The normalized record: what a parser makes of one log line.
 *
 * A record lives for exactly one trip through the pipeline (parse, filter,
 * batch).  Its text fields are slices into the line it was parsed from, or
 * into the line arena; nothing here owns memory.  Anything that must outlive
 * the line is copied by the stage that keeps it.
 *
 * Numeric fields are valid only when their REC_HAS_* bit is set in `has`, so
 * "0 bytes" and "no byte count in this log" stay distinct (the check --json
 * contract leaves absent keys out).
 */
#ifndef RECORD_H
#define RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct slice {
	const char *p;
	size_t len;
};

#define SLICE_NULL   ((struct slice){NULL, 0})
#define SLICE_LIT(s) ((struct slice){(s), sizeof(s) - 1})

/* One X-macro per vocabulary: the enum and its names stay in step. */
#define REC_ACTIONS(X)                                                         \
	X(UNKNOWN, "unknown")                                                  \
	X(ALLOW, "allow")                                                      \
	X(DENY, "deny")

enum rec_action {
#define X(n, s) REC_ACTION_##n,
	REC_ACTIONS(X)
#undef X
};

enum rec_has {
	REC_HAS_TIME = 1 << 0,
	REC_HAS_SRC_PORT = 1 << 1,
	REC_HAS_DST_PORT = 1 << 2,
	REC_HAS_BYTES_UP = 1 << 3,
	REC_HAS_BYTES_DOWN = 1 << 4,
	REC_HAS_BYTES_TOTAL = 1 << 5,
};

struct parser;

struct record {
	const struct parser *parser; /* who parsed it */
	const char *source_type;     /* MDCA source id; NULL: the parser's */
	bool syslog;                 /* body came behind a syslog header */
	unsigned has;                /* REC_HAS_* bits */
	enum rec_action action;
	int64_t time_ms; /* event time, UTC epoch milliseconds */
	uint16_t src_port, dst_port;
	uint64_t bytes_up;    /* client to server */
	uint64_t bytes_down;  /* server to client */
	uint64_t bytes_total; /* where the log only has a total */
	struct slice src_ip, dst_ip, user, dst_host, url, proto, user_agent;
	struct slice device;
	struct slice raw;    /* the whole original line, always set */
	struct slice upload; /* what to upload instead of raw, or empty */
	const char *reason;  /* REJECT/PARTIAL: why, a static string */
};

const char *rec_action_name(enum rec_action);

/* Reset every field; `raw` is set to the line. */
void record_reset(struct record *, struct slice raw);

#endif
