/*
 * The line arena: see arena.h.
 */
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

int
arena_init(struct arena *a, size_t cap)
{
	a->base = malloc(cap);
	a->used = 0;
	a->cap = a->base ? cap : 0;
	return a->base ? 0 : -1;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	size_t al = alignof(max_align_t);
	size_t off = (a->used + al - 1) & ~(al - 1);

	if (off > a->cap || n > a->cap - off)
		return NULL;
	a->used = off + n;
	return a->base + off;
}

char *
arena_dup(struct arena *a, const char *p, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	if (d == NULL)
		return NULL;
	if (n > 0)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

void
arena_reset(struct arena *a)
{
	a->used = 0;
}

void
arena_free(struct arena *a)
{
	free(a->base);
	a->base = NULL;
	a->used = a->cap = 0;
}
