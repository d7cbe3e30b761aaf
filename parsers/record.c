/*
 * Names of the record and parse-result vocabularies.
 */
#include "parser.h"
#include "record.h"

const char *
rec_action_name(enum rec_action a)
{
	static const char *const names[] = {
#define X(n, s) s,
	    REC_ACTIONS(X)
#undef X
	};

	if ((unsigned)a >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[a];
}

const char *
parse_result_name(enum parse_result r)
{
	static const char *const names[] = {
#define X(n, s) s,
	    PARSE_RESULTS(X)
#undef X
	};

	if ((unsigned)r >= PARSE_NRESULTS)
		return "?";
	return names[r];
}

void
record_reset(struct record *r, struct slice raw)
{
	/* A copy of a zero record: GCC clears a literal with `rep stos`,
	 * whose start-up cost showed in the profile of every line. */
	static const struct record zero;

	*r = zero;
	r->raw = raw;
}
