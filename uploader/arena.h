/*
 * A bump allocator for the life of one line.
 *
 * Parsers that must rewrite a field (unescape, decode) take the memory from
 * the line arena instead of malloc; the driver resets it when the record
 * has been consumed.  The arena has a fixed capacity: a request it cannot
 * meet returns NULL, and the parser treats the line as malformed.
 */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena {
	char *base;
	size_t used, cap;
};

/* Give `a` a block of `cap` bytes.  Returns 0, or -1 when out of memory. */
int arena_init(struct arena *a, size_t cap);
/* `n` bytes aligned for any type, valid until arena_reset; NULL if full. */
void *arena_alloc(struct arena *a, size_t n);
/* A copy of `n` bytes at `p`; NULL if full. */
char *arena_dup(struct arena *a, const char *p, size_t n);
/* Forget every allocation. */
void arena_reset(struct arena *a);
/* Release the block; safe on a zeroed or freed arena. */
void arena_free(struct arena *a);

#endif
