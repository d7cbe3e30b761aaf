/*
 * Helpers shared by the key=value firewall parsers (FortiGate, Sophos UTM
 * and XG, SonicWall, Stormshield, Clavister).
 *
 * These formats are all "key=value key="quoted value" ..." but each bends
 * the rules somewhere: FortiGate can write commas instead of blanks, Sophos
 * XG leaves a blank inside an unquoted value (`domain=www. google.ca`),
 * SonicWall single-quotes some values (`appName='General DNS'`).  kvf_next()
 * walks such a line pair by pair and tells a clean end from a malformed
 * line, so each parser reads as a loop over its own keys.
 */
#ifndef KV_FAMILY_H
#define KV_FAMILY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "record.h"

struct arena;

/*
 * Is key `k` the literal `lit`?  slice_eq() without its strlen: the key
 * dispatch is the hot loop of every parser here.
 */
#define KVF_KEY(k, lit)                                                        \
	((k).len == sizeof(lit) - 1 &&                                         \
	 memcmp((k).p, (lit), sizeof(lit) - 1) == 0)

enum kvf_status {
	KVF_PAIR, /* a pair was returned */
	KVF_END,  /* nothing but blanks left */
	KVF_BAD,  /* an unterminated quote, or text that is not key=value */
};

struct kvf {
	struct slice rest;
	char sep; /* ' ' (blanks) or ',' */
};

/*
 * Start walking `line`.  A line whose first pair is followed by a comma
 * ("date=2018-07-26,time=...") is read in comma mode.
 */
void kvf_init(struct kvf *it, struct slice line);

/*
 * The next pair.  *val excludes double quotes (escapes stay in place, see
 * kvf_unescape) and *quoted tells whether it had them.  In blank mode,
 * words without '=' that follow an unquoted value are taken as part of it.
 */
enum kvf_status kvf_next(struct kvf *it, struct slice *key, struct slice *val,
                         bool *quoted);

/*
 * Every pair of `line` to field(arg, key, value), counted in *npairs.
 * Returns how the walk ended: KVF_END, or KVF_BAD.
 */
enum kvf_status kvf_scan(struct slice line,
                         void (*field)(void *arg, struct slice key,
                                       struct slice val),
                         void *arg, size_t *npairs);

/* `v` with \" and \\ unescaped into the arena; `v` itself when clean. */
struct slice kvf_unescape(struct slice v, struct arena *a);

/* "YYYY-MM-DD" (or '/' or ':') and "HH:MM:SS", as UTC epoch ms. */
bool kvf_date_time(struct slice date, struct slice time, int64_t *ms);

/* A zone offset: "+0100", "-05:00", "+01", "Z", "UTC", "GMT"; minutes. */
bool kvf_zone(struct slice s, int *minutes);

/*
 * An epoch in seconds, milliseconds, microseconds or nanoseconds, told
 * apart by magnitude (FortiGate's eventtime changed unit across releases).
 */
bool kvf_epoch_any(struct slice s, int64_t *ms);

/*
 * Set a numeric record field from `v` when it is a number: bytes into *dst
 * with `bit` in r->has, a port likewise.  Return whether it was set.
 */
bool kvf_bytes(struct record *r, struct slice v, uint64_t *dst, unsigned bit);
bool kvf_port(struct record *r, struct slice v, uint16_t *dst, unsigned bit);

/* `v`, or an empty slice when it is one of the "no value" spellings. */
struct slice kvf_value(struct slice v);

/*
 * A protocol as the log says it: the application protocol when it is
 * http or https (what Cloud Discovery cares about), else the transport;
 * an IANA number for TCP, UDP, ICMP or ICMPv6 becomes its name (copied
 * into the arena).
 */
struct slice kvf_proto(struct slice app, struct slice transport,
                       struct arena *a);

/* Case-insensitive: is `s` one of the NULL-terminated `words`? */
bool kvf_is_one_of(struct slice s, const char *const *words);

#endif
