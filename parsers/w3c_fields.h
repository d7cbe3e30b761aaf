/*
 * The W3C extended log format family: Blue Coat ELFF, IIS, ISA/TMG and
 * generic W3C writers.
 *
 * A W3C file describes itself: directive lines start with '#', and the
 * "#Fields:" directive names the columns of the data lines that follow.  It
 * may change in the middle of a file (configuration change, upgrade), so
 * the column map lives in per-source state and is replaced whenever a new
 * "#Fields:" arrives.  Data lines are split on runs of blanks (a value with
 * blanks is double-quoted) or, when the "#Fields:" line itself is
 * tab-separated (ISA/TMG), on single tabs.
 *
 * When a source starts mid-file, without a "#Fields:" line, each parser
 * offers its vendor's default field lists; the one whose column count
 * matches and whose values validate (dates, times, addresses, numbers,
 * vendor tokens) is assumed until a directive says otherwise.
 *
 * Each parser in the family describes itself with a struct w3c_profile and
 * calls w3c_parse() and w3c_bid().
 */
#ifndef W3C_FIELDS_H
#define W3C_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include "parser.h"
#include "record.h"

#define W3C_MAX_COLS 64

struct w3c_state {
	uint8_t col[W3C_MAX_COLS]; /* column i holds field id col[i] */
	uint8_t ncols;
	bool have;    /* a column map is in force */
	bool assumed; /* ... guessed from a default list, not read */
	bool tabs;    /* data lines are tab-separated */
	bool bad;     /* the last #Fields was unusable */
	bool have_date;
	char date[10]; /* "#Date:" day, for files without a date column */
};

struct w3c_profile {
	/* Default field lists for files without "#Fields:"; NULL-ended. */
	const char *const *layouts;
	/* Field names only this vendor writes; NULL-ended. */
	const char *const *sig_fields;
	/* "#Software:" values that name this vendor; NULL-ended. */
	const char *const *software;
	bool s_ip_is_dest;       /* s-ip is the server (IIS), not a proxy */
	bool anonymous_is_none;  /* user "anonymous" means unauthenticated */
	bool layouts_are_vendor; /* a default list matching is evidence */
};

/*
 * Parse one line (syslog header already removed) of a W3C family log:
 * directives update `st` and are PARSE_SKIP; data lines are mapped with the
 * column map in force.  Fields borrow from `line` or the arena.
 */
enum parse_result w3c_parse(const struct w3c_profile *pf, struct w3c_state *st,
                            struct slice line, struct record *r,
                            struct arena *a);

/*
 * Score the peek as W3C: directives and validated data-line fields, as
 * parser.h scores bids.  *vendor gets the points only this profile's
 * vendor earns (signature fields, "#Software:" names, vendor defaults).
 */
int w3c_bid(const struct w3c_profile *pf, const struct peek *pk, int *vendor);

/* The largest bid w3c_bid() can produce, vendor points included. */
#define W3C_MAX_BID (PEEK_LINES * 8 * (16 + 2 * W3C_MAX_COLS))

#endif
