/*
 * A record as one line of JSON: the `check --json` contract of CLI.md.
 *
 * Keys in the contract's order, a key left out when the log has no such
 * field.  Written by hand into a struct buf (no cJSON tree per line).
 */
#ifndef RECJSON_H
#define RECJSON_H

#include <stdint.h>

#include "record.h"

struct buf;

/* Append the record and a newline to `b`.  0, or -1 when `b` is full. */
int recjson_write(struct buf *b, const struct record *r, uint64_t lineno);

/* Append `s` as a JSON string (quotes included); invalid UTF-8 becomes
 * U+FFFD.  0 or -1. */
int json_add_str(struct buf *b, const char *p, size_t len);

/* Format `ms` as "2024-03-01T12:00:00.123Z" into out (32 bytes). */
void time_format(int64_t ms, char out[32]);

#endif
