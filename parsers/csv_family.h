/*
 * Helpers shared by the CSV-family parsers (PAN-OS, Zscaler NSS, Websense
 * and Forcepoint CSV exports, iboss): a CSV splitter that also takes
 * PAN-OS's backslash-quoted fields, a flat JSON member scanner for the JSON
 * feeds of the same vendors, URL hosts without a scheme, and the date
 * shapes these products write.
 */
#ifndef CSV_FAMILY_H
#define CSV_FAMILY_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

struct arena;

/*
 * Split up to `max` comma-separated fields of `line` into f[] (quotes
 * removed; *quoted set per field when q != NULL).  Besides lex_csv's
 * "..." fields, a field that starts with \" runs to the \" that is
 * followed by a comma or the end (PAN-OS writes app characteristics so).
 * Returns the number of fields split; an unclosed quote ends the split.
 */
size_t csvf_split(struct slice line, struct slice *f, bool *q, size_t max);

/* The value of a split field: unescaped when quoted, empty when "no value". */
struct slice csvf_value(struct slice f, bool quoted, struct arena *a);

/*
 * The next member of a JSON object.  Objects nest: a member whose value is
 * an object is returned with *kind '{' and an empty *val, and the scan
 * then goes on inside it.  Arrays are returned whole with *kind '['.
 * Strings come back without quotes, escapes left in (*kind '"');
 * numbers, true, false, null with *kind '0'.  Returns false at the end of
 * the input or on malformed JSON.
 */
bool jsonf_next(struct slice *rest, struct slice *key, struct slice *val,
                char *kind);

/* A JSON string's value with its escapes resolved (in the arena if any). */
struct slice jsonf_unescape(struct slice s, struct arena *a);

/*
 * The host of a URL that may lack its scheme ("ebay.com/", "host:443/p",
 * "https://h/x", "[2001:db8::1]:8080/"), and its port when written.
 * Empty for a relative path.
 */
struct slice csvf_url_host(struct slice url, uint16_t *port, bool *has_port);

/* "2018/11/30 16:09:07" or "2018-11-30 16:09:07" (zone-less: UTC). */
bool csvf_time_ymd(struct slice s, int64_t *ms);
/* "Mon Jun 20 15:29:11 2022" (ctime shape, day may be space-padded). */
bool csvf_time_ctime(struct slice s, int64_t *ms);
/* Date "16/12/2022" (d/m/y) or, with us set, "12/16/2022" (m/d/y). */
bool csvf_date_slash(struct slice s, bool us, int *y, int *mo, int *d);
/* Date "2022-12-16". */
bool csvf_date_iso(struct slice s, int *y, int *mo, int *d);
/* "07:05:25", "7:05", "7:05:25 PM" into seconds since midnight. */
bool csvf_clock(struct slice s, int *sec);

/* Is `s` all decimal digits (and not empty)? */
bool csvf_digits(struct slice s);

#endif
