/*
 * A JSON number as an integer, safely.  cJSON keeps numbers as doubles; a
 * cast of one out of range (an answer or a damaged state file may hold
 * 1e300, -5 or NaN) is undefined behaviour, a fractional one lossy.
 */
#ifndef JSONNUM_H
#define JSONNUM_H

#include <cJSON.h>
#include <stdbool.h>

/* A whole number within +-2^53 (exact in a double) into *n. */
static inline bool
json_whole(const cJSON *v, long long *n)
{
	double d;

	if (!cJSON_IsNumber(v))
		return false;
	d = v->valuedouble;
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0) ||
	    d != (double)(long long)d)
		return false;
	*n = (long long)d;
	return true;
}

#endif
