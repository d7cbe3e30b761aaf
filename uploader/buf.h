/*
 * A growable byte buffer with a ceiling, after curl's dynbuf.
 *
 * Every buffer is created with the most it may ever hold; an append that
 * would pass it fails and leaves the buffer as it was, so no input can size
 * an allocation without a limit.  The data is always NUL-terminated (the
 * terminator is not counted in len).
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

#define BUF_WUR __attribute__((warn_unused_result))

struct buf {
	char *data;
	size_t len, cap, max;
};

/* An empty buffer that will never hold more than `max` bytes. */
void buf_init(struct buf *b, size_t max);
/* Append; 0, or -1 when out of memory or past the ceiling. */
BUF_WUR int buf_add(struct buf *b, const void *p, size_t n);
BUF_WUR int buf_addc(struct buf *b, char c);
BUF_WUR int buf_adds(struct buf *b, const char *s);
BUF_WUR int buf_addf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Forget the contents, keep the memory. */
void buf_reset(struct buf *b);
/* The contents, owned by the caller now (free()); the buffer is reset. */
char *buf_take(struct buf *b, size_t *len);
/* Release the memory; safe on a zeroed or freed buffer. */
void buf_free(struct buf *b);

#endif
