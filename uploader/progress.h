/*
 * A progress bar on stderr for long one-shot uploads: bytes of input read,
 * lines kept, bytes sent, the rate and the time left.
 *
 * There is one per process (there is one stderr).  It shows only when
 * stderr is a terminal and the command wants it (not with --no-progress
 * or -q), not before the run is a second old (short runs print none), and
 * redraws at most four times a second: the callers may report as often as
 * they like.  A log line erases the bar first (log.c calls
 * progress_clear through its hook); the next report draws it again.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Start; `want` false (or stderr not a terminal) makes every call below
 * do nothing. */
void progress_init(bool want);

/* Reading: the size of the inputs (0: unknown, e.g. stdin), the bytes
 * read so far, and kept lines to add. */
void progress_input(uint64_t total);
void progress_read(uint64_t bytes_read);
void progress_kept(uint64_t lines);

/* Sending: `total` bytes of batches to send, and the bytes sent so far. */
void progress_send(uint64_t total);
void progress_sent(uint64_t sent);

/* Erase the bar (it comes back with the next report). */
void progress_clear(void);

/* Erase the bar for good. */
void progress_end(void);

/* What the bar shows; progress_format is pure, for the tests. */
struct progress_view {
	bool sending;
	uint64_t read, read_total, kept, sent, send_total;
	int64_t elapsed_ms; /* of the current phase */
};

/* The bar for v, at most `width` - 1 columns, into out.  Returns out. */
char *progress_format(char *out, size_t outlen, const struct progress_view *v,
                      int width);

#endif
