/*
 * Syslog headers in front of log lines.
 *
 * Most firewalls send their logs by syslog, and the files admins upload are
 * often what a syslog server wrote: each line then starts with a header that
 * is not part of the vendor's format.  syslog_parse() recognises the shapes
 * seen in the wild and splits the line into header and body:
 *
 *	<PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG	  RFC 5424
 *	<PRI>1 1647479503.348215340 HOST ...		  RFC 5424 look-alike
 *	[<PRI>]Mmm dd [yyyy] hh:mm:ss [TZ] [HOST] [: ] [TAG[PID]:] MSG  RFC 3164
 *	2019-08-15T16:03:31Z HOST MSG			  ISO time, host
 *	<PRI>MSG					  PRI glued to the body
 *
 * A line with none of these is returned whole as the body.
 */
#ifndef SYSLOG_H
#define SYSLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "record.h"

struct syslog_hdr {
	bool present;    /* a header was found */
	bool rfc5424;    /* it was RFC 5424 (or its look-alike) */
	int pri;         /* -1 when absent */
	bool has_time;   /* time_ms is valid */
	int64_t time_ms; /* UTC epoch ms; a year-less stamp gets one */
	struct slice host, app, msgid;
	struct slice sd;   /* RFC 5424 structured data "[...]", or empty */
	struct slice body; /* the message; when a RFC 5424 message is all
	                      structured data, that */
};

/*
 * Split `line` into header and body.  `now_ms` decides the year of an RFC
 * 3164 stamp that has none (the latest year that does not put the stamp
 * more than a day in the future).  Returns true when a header was found.
 */
bool syslog_parse(struct slice line, int64_t now_ms, struct syslog_hdr *h);

#endif
