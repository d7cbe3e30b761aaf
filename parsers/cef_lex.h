/*
 * CEF and LEEF: the header and key=value tokenizers shared by the CEF/LEEF
 * family of parsers (generic CEF and LEEF, and the vendor flavours of
 * Zscaler, Forcepoint/Websense, Check Point and Menlo).
 *
 *	CEF:Version|Vendor|Product|DevVersion|SignatureID|Name|Severity|Ext
 *	LEEF:1.0|Vendor|Product|Version|EventID|Attributes
 *	LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|Attributes
 *
 * CEF header fields escape '|' and '\' with a backslash; the extension is
 * space separated `key=value`, a value runs to the next ` key=` (so it may
 * hold spaces) and escapes '=', '\' and newlines as \=, \\, \n.  LEEF
 * attributes are separated by a tab (1.0) or by the delimiter the 2.0
 * header names (a character, or hex as "x09" / "0x5E").
 *
 * Values are slices into the line; cef_value() unescapes one into the
 * arena, only when it holds a backslash.
 */
#ifndef CEF_LEX_H
#define CEF_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser.h"
#include "record.h"

struct arena;

/*
 * The extension keys the family reads.  CEF and LEEF spellings of the same
 * thing share an entry (LEEF srcPort is CEF spt, usrName is suser, srcBytes
 * is out: bytes the client sent).
 */
enum cef_key {
	CK_RT,      /* rt, deviceReceiptTime; LEEF devTime */
	CK_START,   /* start, startTime */
	CK_END,     /* end, endTime */
	CK_SRC,     /* src, sourceAddress */
	CK_SPT,     /* spt, sourcePort; LEEF srcPort */
	CK_DST,     /* dst, destinationAddress */
	CK_DPT,     /* dpt, destinationPort; LEEF dstPort */
	CK_SUSER,   /* suser, sourceUserName; LEEF usrName */
	CK_DUSER,   /* duser, destinationUserName */
	CK_DHOST,   /* dhost, destinationHostName; LEEF hostname */
	CK_URL,     /* request, requestUrl; LEEF url */
	CK_UA,      /* requestClientApplication; LEEF userAgent */
	CK_APP,     /* app, applicationProtocol; LEEF appproto */
	CK_PROTO,   /* proto, transportProtocol */
	CK_ACT,     /* act, deviceAction; LEEF action */
	CK_IN,      /* in, bytesIn: to the client; LEEF dstBytes */
	CK_OUT,     /* out, bytesOut: from the client; LEEF srcBytes */
	CK_DVCHOST, /* dvchost, deviceHostName */
	CK_CS1,
	CK_CS2,
	CK_CS3,
	CK_CS4,
	CK_CS5,
	CK_CS6,
	CK_CS1L, /* cs1Label ... cs6Label, in the same order */
	CK_CS2L,
	CK_CS3L,
	CK_CS4L,
	CK_CS5L,
	CK_CS6L,
	CK_LOGINID,    /* Forcepoint loginID */
	CK_CAT,        /* cat: category; Zscaler LEEF puts the action here */
	CK_DEVTIMEFMT, /* LEEF devTimeFormat */
	CK_TOTAL,      /* LEEF totalBytes (a few vendors) */
	CK_NKEYS
};

/* A parsed CEF or LEEF header. */
struct cef_hdr {
	bool leef;
	int version;   /* CEF 0/1; LEEF 1/2 */
	bool stripped; /* a collector removed "CEF:" ("0|Vendor|...") */
	struct slice vendor, product, dversion, sigid, name, severity;
	struct slice ext; /* extension / attributes */
	char delim[4];    /* LEEF attribute delimiter */
	size_t dlen;      /* its length; 0: CEF style (spaces) */
};

/*
 * Find and split a CEF header in `body` ("CEF:0|", "CEF: 0|", or the bare
 * "0|Vendor|Product|..." left by collectors that strip "CEF:"; "CEF:"
 * may follow a few bytes of other text, such as a tag).  Check Point's
 * doubled empty field "CEF:0||Check Point|" is repaired.  Returns false
 * when there is no complete 8-field header.
 */
bool cef_header(struct slice body, struct cef_hdr *h);

/*
 * Find and split a LEEF 1.0 or 2.0 header in `body`, and decide the
 * attribute delimiter: the 2.0 header's, else a tab; when the attributes
 * hold no tab, syslog-escaped "#011", else CEF-style spaces.  Returns false
 * when there is no complete header.
 */
bool leef_header(struct slice body, struct cef_hdr *h);

/*
 * Split the extension (or LEEF attributes) of `h` and store the value of
 * every key of enum cef_key in v[] (trimmed; the first occurrence wins;
 * absent keys stay empty).  Returns how many known keys were found.
 */
int cef_ext_scan(const struct cef_hdr *h, struct slice v[CK_NKEYS]);

/*
 * `s` with CEF escapes resolved (\= \\ \| \n \r), copied into the arena
 * when it holds a backslash; `s` itself otherwise.  Returns an empty slice
 * (p == NULL) when the arena is full.
 */
struct slice cef_value(struct slice s, struct arena *a);

/*
 * A CEF/LEEF time: epoch milliseconds (or seconds), ISO 8601, or
 * "MMM dd [yyyy] HH:mm:ss[.SSS] [zone]" (zone UTC, GMT, Z, +hh:mm,
 * GMT+hh:mm; other zone names are read as UTC).  A year-less stamp takes
 * its year from `ref_ms` when has_ref, else fails.
 */
bool cef_time(struct slice s, bool has_ref, int64_t ref_ms, int64_t *ms);

/*
 * The host of a URL written without a scheme, as Zscaler's %s{eurl}
 * ("www.example.com:443/path"): the text before ':', '/' or '?'.  Empty
 * for a URL with a scheme or a bare path.
 */
struct slice cef_bare_url_host(struct slice url);

/* allow/accept/permit(ted)/pass... -> ALLOW; block/deny/drop/reject... */
enum rec_action cef_action(struct slice s);

/*
 * Fill `r` from the standard keys: time (rt, start, end), addresses and
 * ports, user (suser), destination host (dhost, else the URL's host), URL,
 * user agent, protocol (app, else proto), action (act), bytes (in = down,
 * out = up), device (dvchost).  Values with escapes are unescaped into the
 * arena.  Returns false (and sets r->reason) when the arena is full.
 */
bool cef_fill(const struct slice v[CK_NKEYS], struct record *r,
              struct arena *a);

/*
 * Take what the record still lacks from cs1..cs6 by their labels ("URL",
 * "User", "User Agent", "Host" and the like).  False when the arena is full.
 */
bool cef_custom_strings(const struct slice v[CK_NKEYS], struct record *r,
                        struct arena *a);

/*
 * The verdict on a filled record: SKIP (with a reason) when it has no
 * address at all (a non-traffic event), PARTIAL when the source, the
 * destination or the time is missing, else OK.
 */
enum parse_result cef_verdict(struct record *r);

/*
 * The start of every parse(): find the header (LEEF when `leef`), scan the
 * extension into v[] and cef_fill().  Returns SKIP for a blank line, REJECT
 * (with a reason) when there is no header or the arena is full, and OK
 * when the caller should go on (vendor fix-ups, then cef_verdict()).
 */
enum parse_result cef_parse_line(struct slice line, bool leef,
                                 struct cef_hdr *h, struct slice v[CK_NKEYS],
                                 struct record *r, struct arena *a);

/*
 * What a vendor bidder looks for: a Device Vendor (or a second spelling,
 * may be NULL) compared without case, and optionally a Device Product.
 */
struct cef_vendor {
	const char *vendor, *vendor2, *product;
};

/* Score of one line's body; 0 when it is no CEF (or LEEF) line. */
#define CEF_LINE_MAX (8 * 6 + 8 + 8 * 6)

/*
 * The bid over a peek: CEF_LINE_MAX at most per line, plus, when `want` is
 * given, 8 per byte of matched vendor and product; lines of other vendors
 * then count nothing.
 */
int cef_bid(const struct peek *pk, bool leef, const struct cef_vendor *want);

#endif
