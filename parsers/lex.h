/*
 * Small tokenizers over slices, shared by every parser: fields split by a
 * separator or by runs of blanks, numbers, addresses, URLs and times.
 *
 * Nothing here allocates or needs a NUL terminator.  Functions that look
 * like predicates return only true or false.
 */
#ifndef LEX_H
#define LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "record.h"

struct arena;

static inline struct slice
slice_make(const char *p, size_t len)
{
	return (struct slice){p, len};
}

/* Is `s` exactly the C string `lit`? */
bool slice_eq(struct slice s, const char *lit);
/* Case-insensitive slice_eq. */
bool slice_ieq(struct slice s, const char *lit);
/* Does `s` begin with `lit`? */
bool slice_starts(struct slice s, const char *lit);
/* Where the n bytes at `needle` first occur in `s`, or NULL. */
const char *slice_find_n(struct slice s, const char *needle, size_t n);

/* Where `needle` first occurs in `s`, or NULL.  Inline: the length of a
 * literal needle is then known at compile time. */
static inline const char *
slice_find(struct slice s, const char *needle)
{
	return slice_find_n(s, needle, strlen(needle));
}
/* Empty, "-", "\"\"", "N/A", "None" or "NA": the ways logs say "no value". */
bool slice_is_empty_value(struct slice s);
/* `s` without blanks (space, tab, CR, LF) at both ends. */
struct slice slice_trim(struct slice s);
/* s without a leading UTF-8 byte order mark (EF BB BF). */
struct slice slice_no_bom(struct slice s);
/* `s` without one pair of surrounding double quotes, if it has them. */
struct slice slice_unquote(struct slice s);

/*
 * Split the next field off *rest at the first `sep` (one separator, so empty
 * fields exist).  The separator is consumed.  When *rest holds no separator
 * the whole of it is returned and *rest becomes empty.  Returns false only
 * when *rest was already exhausted (p == NULL).
 */
bool lex_field(struct slice *rest, char sep, struct slice *field);

/*
 * Split the next word off *rest: leading spaces and tabs are skipped, the
 * word runs to the next space or tab.  Returns false when no word is left.
 */
bool lex_word(struct slice *rest, struct slice *word);

/*
 * Up to `n` words of *rest into w[0..n-1], as that many lex_word() calls
 * (one call: the hot parsers split a line with it).  Returns how many.
 */
size_t lex_words(struct slice *rest, struct slice *w, size_t n);

/*
 * Like lex_word, but a word that starts with `"` runs to the closing quote
 * (a backslash escapes the next byte); *word excludes the quotes.  Returns
 * false when no word is left or the quote is not closed.
 */
bool lex_qword(struct slice *rest, struct slice *word);

/*
 * The next `key=value` pair of *rest (FortiGate, Sophos, SRX, ...): blanks
 * are skipped, the key runs to '=', the value is either double-quoted (a
 * backslash escapes the next byte; *val excludes the quotes, escapes are
 * left in place) or runs to the next blank.  *quoted tells which.  Returns
 * false at the end of the input or when the next word has no '='.
 */
bool lex_kv(struct slice *rest, struct slice *key, struct slice *val,
            bool *quoted);

/*
 * The next CSV field of *rest, separated by `sep`.  A field that starts
 * with '"' runs to the matching quote; inside it "" and \" both stand for
 * a quote (PAN-OS writes either).  *field is the field without its quotes
 * and with escapes left in place; *quoted is set when it had quotes.
 * Returns false when *rest was exhausted or a quote is not closed.  Use
 * lex_csv_unescape() to get the value when *quoted.
 */
bool lex_csv(struct slice *rest, char sep, struct slice *field, bool *quoted);

/*
 * `s` with "" and \" turned into ", copied into the arena when anything
 * changes.  Returns an empty slice (p == NULL) when the arena is full.
 */
struct slice lex_csv_unescape(struct slice s, struct arena *a);

/* Parse an unsigned decimal; false on anything else, empty, or overflow. */
bool lex_u64(struct slice s, uint64_t *v);
/* lex_u64 limited to 0..65535. */
bool lex_port(struct slice s, uint16_t *v);

/* Is `s` an IPv4 or IPv6 address literal (IPv6 zone id allowed)? */
bool lex_is_ip(struct slice s);
/* A dotted-quad IPv4 address as inet_pton takes it, into a[4]. */
bool lex_ipv4(struct slice s, unsigned char a[4]);

/*
 * Split "ip:port", "[v6]:port", "ip/port" (ASA), "v6.port" forms: not here —
 * each format knows its own.  This one takes `host[:port]` or `[v6][:port]`
 * and returns the host (brackets removed) and the port, when there is one.
 * A bare IPv6 literal (two or more colons, no brackets) is returned whole.
 */
struct slice lex_hostport(struct slice s, uint16_t *port, bool *has_port);

/*
 * The host of a URL: "scheme://[user@]host[:port]/...", or a CONNECT
 * authority "host:port".  Returns an empty slice when there is none (a
 * relative URL such as "/favicon.ico").
 */
struct slice lex_url_host(struct slice url, uint16_t *port, bool *has_port);
/* lex_url_host, and the scheme (what precedes the first "://", or empty)
 * into *scheme when it is not NULL: one search for both. */
struct slice lex_url_parts(struct slice url, struct slice *scheme,
                           uint16_t *port, bool *has_port);

/*
 * Times.  Each returns true and sets *ms (UTC epoch milliseconds) on
 * success.  Times written without a zone are taken as UTC.
 */
/* "1157689312.049", "1157689312", "1647479503.348215340" */
bool time_epoch(struct slice s, int64_t *ms);
/* "2024-03-01T12:00:00.123Z", "...+01:00", "... 12:00:00" (space) */
bool time_iso(struct slice s, int64_t *ms);
/* "12/Sep/2024:12:38:20 +0530" (without brackets) */
bool time_clf(struct slice s, int64_t *ms);
/* Month name "Jan".."Dec" to 1..12, 0 when it is none. */
int time_month(struct slice s);
/* Days since 1970-01-01 of a proleptic Gregorian date, times in ms. */
int64_t time_make(int y, int mon, int d, int h, int mi, int s, int ms);

#endif
