/*
 * The syslog receiver of `discolog run`: the `syslog =` listeners of a
 * [source NAME], plugged into the daemon's loop.  Each message becomes one
 * line of the source, handed to the daemon exactly as a followed file's
 * line is, and goes through the same detection, filters and batches.
 *
 *	udp://HOST:PORT   one datagram, one message.  Best-effort by nature:
 *	                  what the kernel drops when the socket's buffer is
 *	                  full is counted (SO_RXQ_OVFL), never recovered.
 *	tcp://HOST:PORT   RFC 6587, both framings, chosen per message.
 *	tls://HOST:PORT   the same over TLS (RFC 5425), OpenSSL; tls_cert and
 *	                  tls_key; tls_ca verifies client certificates, which
 *	                  tls_client_auth = require makes mandatory.
 *
 * How a TCP stream is cut into messages (RFC 6587): a message that starts
 * with a non-zero digit and whose digits end in a space is octet counted
 * ("MSG-LEN SP SYSLOG-MSG", section 3.4.1): exactly MSG-LEN octets follow,
 * newlines included.  Any other message runs to the next LF
 * (non-transparent framing, 3.4.2), a CR before it dropped.  Senders
 * almost always start a message with '<' (its PRI), so the two never mix
 * up; a bare squid line ("1234.567 ...") has no space after its digits
 * and is newline framed.  Blank lines between frames are skipped.
 *
 * Limits: a message longer than syslog_max_message is cut there, counted
 * as oversize and handed on marked too long, so the pipeline rejects and
 * counts it (the rest up to its end is skipped).  An octet count larger
 * than the maximum closes the connection with a log line: the count is
 * never used to size anything.  A trailing newline is stripped; a line
 * break inside a message becomes a space, since one message is one line
 * of the uploaded file.  NUL bytes are data.
 *
 * Senders: `allow =` CIDRs (none: everyone).  A refused sender is counted
 * and logged at most once a minute per address.  At most
 * syslog_max_connections TCP connections at once; one silent for
 * syslog_idle_timeout seconds is closed.
 *
 * Back-pressure: while the spool is at its quota (syslogd_pause), TCP and
 * TLS sockets are no longer read and new connections wait in the backlog,
 * so senders are pushed back by TCP itself.  UDP cannot push back:
 * datagrams are read and dropped, counted.
 *
 * Durability: a message is in memory until the batch holding it is sealed
 * into the spool (batch_max_age at the latest, and at SIGTERM or reload).
 * A crash before that loses it; nothing asks a syslog sender to resend.
 */
#ifndef SYSLOGD_H
#define SYSLOGD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser.h"

struct cJSON;
struct conf_source;
struct loop;
struct syslogd;

/* ---- framing (RFC 6587), exposed for its unit test ---- */

/* Called for each whole message (borrowed until the next call); truncated:
 * it was longer than the maximum and holds only its first max bytes. */
typedef void syslogd_msg_cb(void *arg, struct slice msg, bool truncated);

struct syslogd_frame {
	char *msg; /* max bytes, allocated at the first message */
	size_t len, max;
	size_t want;    /* octets of the counted message still to come */
	uint64_t count; /* the octet count being read */
	int state;
	bool truncated;
};

/* A decoder for messages of at most `max` bytes (allocates nothing yet). */
void syslogd_frame_init(struct syslogd_frame *f, size_t max);

/*
 * Decode n bytes of a stream, calling cb for each message completed.
 * 0, or -1 when the stream cannot go on (an octet count over the maximum,
 * or out of memory; the reason in err): the connection is to be closed.
 */
int syslogd_frame_feed(struct syslogd_frame *f, const char *p, size_t n,
                       syslogd_msg_cb *cb, void *arg, char *err, size_t errlen);

/* The stream ended: a newline-framed message without its LF is handed on
 * (an unfinished counted one is dropped).  Returns whether one was. */
bool syslogd_frame_end(struct syslogd_frame *f, syslogd_msg_cb *cb, void *arg);

/* NULL-safe on a zeroed frame; the frame can be initialised again. */
void syslogd_frame_free(struct syslogd_frame *f);

/* ---- the receiver ---- */

/*
 * One message of a listener as a line: `stream` is the listener's slot for
 * the daemon's state (NULL at first; the daemon fills it), `listener` its
 * URL as configured.  `msg` is borrowed for the call.
 */
typedef void syslogd_line_cb(void *arg, void **stream, const char *listener,
                             struct slice msg, bool too_long);

struct syslogd_conf {
	const struct conf_source *cs; /* borrowed during syslogd_new only */
	struct loop *loop;
	syslogd_line_cb *line;
	void *arg;
};

/*
 * Bind every `syslog =` listener of cs and watch them in the loop.  NULL
 * on failure (the reason, with the listener, in err; nothing stays open).
 */
struct syslogd *syslogd_new(const struct syslogd_conf *sc, char *err,
                            size_t errlen);

/* Stop (true) or resume reading the TCP and TLS connections; UDP
 * datagrams are dropped and counted while paused. */
void syslogd_pause(struct syslogd *sd, bool paused);

/* The counters, one object per listener, as status.json holds them (the
 * caller owns the array).  NULL when out of memory. */
struct cJSON *syslogd_status(const struct syslogd *sd);

/* Close every listener and connection; NULL ok. */
void syslogd_free(struct syslogd *sd);

/*
 * The syslog keys of one source, checked without binding anything: the
 * URLs, the TLS files named, tls_client_auth, the limits.  0, or -1 with
 * the reason in err (no file or line: the caller adds them).
 */
int syslogd_check(const struct conf_source *cs, char *err, size_t errlen);

#endif
