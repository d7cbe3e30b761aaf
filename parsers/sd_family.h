/*
 * Helpers shared by the parsers of RFC 5424 senders whose records live in
 * structured data or look like it: Check Point (Log Exporter "syslog",
 * Fields@2620) and Juniper (SRX sd-syslog, junos@2636).  The bodies are
 * "[SD-ID key="value" ...]" with RFC 5424 escapes (\" \\ \]) left in the
 * values, and the senders write numbers where names are wanted.
 */
#ifndef SD_FAMILY_H
#define SD_FAMILY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "record.h"

struct arena;

/*
 * Is slice `k` the string literal `lit`?  The length is known at compile
 * time, so this is a length test and an inlined compare: the key lookups of
 * kv formats run once per pair and dominate the parse time otherwise.
 */
#define SD_KEY_IS(k, lit)                                                      \
	((k).len == sizeof(lit) - 1 && memcmp((k).p, lit, sizeof(lit) - 1) == 0)

/*
 * `s` with every backslash escape replaced by the escaped byte, copied into
 * the arena when it has any.  Returns an empty slice (p == NULL) when the
 * arena is full.
 */
struct slice sd_unescape(struct slice s, struct arena *a);

/*
 * The name of an IANA protocol number ("6" -> "tcp"), copied into the arena
 * (a record's fields point into the line or the arena only); `s` itself
 * when it is not a number we name or the arena is full.
 */
struct slice sd_proto_name(struct slice s, struct arena *a);

/*
 * An RFC 5424 TIMESTAMP, also the broken offsets real senders write
 * ("2023-01-13T12:10:16--5:00", read as -05:00).  False when it is none.
 */
bool sd_time(struct slice ts, int64_t *ms);

/*
 * The TIMESTAMP word of an RFC 5424 line "<PRI>1 TS ...", or an empty
 * slice.
 */
struct slice sd_header_ts(struct slice line);

/*
 * Open the SD element at the start of `body` ("[id k="v" ...]"): *id is the
 * SD-ID, *params what follows it (the caller reads pairs with lex_kv, which
 * stops at the closing bracket).  False when `body` is no SD element or
 * is not closed by ']' (a line cut short).
 */
bool sd_element(struct slice body, struct slice *id, struct slice *params);

#endif
