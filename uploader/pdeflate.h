/*
 * Parallel deflate: one gzip member written from blocks compressed on a
 * small pool of threads, pigz-style.
 *
 * The input is cut into blocks (PDEFLATE_BLOCK_BYTES by default).  Each
 * block is compressed on its own into a byte-aligned run of deflate blocks
 * that is not the last one of the stream (it ends with an empty stored
 * block, the "sync marker"); the final block of the stream is the only one
 * with BFINAL set.  The runs are written in order behind one gzip header,
 * and one CRC-32 over the whole input, combined from the blocks' CRCs with
 * crc32_combine(), closes the member: any gunzip reads it as one member.
 *
 * Two engines make the blocks:
 *   libdeflate  whole-buffer compression, about twice zlib's speed at a
 *               slightly better ratio.  It has no preset dictionary, so a
 *               block starts with an empty window; its last deflate block
 *               is final, so the worker walks the block boundaries with
 *               zlib's inflate(Z_BLOCK), clears that BFINAL bit and adds
 *               the sync marker.  The walk also checks the output.
 *   zlib        each block primed with the previous block's last 32 KiB as
 *               dictionary and ended with Z_SYNC_FLUSH (as pigz does).
 *
 * A pool of N threads takes blocks from one bounded queue; the stream's
 * owner (the thread that adds the input) fills blocks, queues them, and
 * writes the finished ones in order.  With one thread there is no pool
 * thread: the same job runs inline in the owner.  At most a fixed number
 * of blocks per stream are in flight, so memory is bounded.
 */
#ifndef PDEFLATE_H
#define PDEFLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pd_engine {
	PD_LIBDEFLATE,
	PD_ZLIB,
};

/* Input bytes per block, unless the stream's configuration says. */
#define PDEFLATE_BLOCK_BYTES (1024 * 1024)

struct pd_pool;
struct pd;

/* Online CPUs (at least 1): the default number of threads. */
int pd_default_threads(void);

/*
 * A pool of `threads` compressing threads (1: none, jobs run inline).
 * NULL with the reason in err.
 */
struct pd_pool *pd_pool_new(int threads, char *err, size_t errlen);
/* Stop and join the threads; every stream of the pool must be freed. */
void pd_pool_free(struct pd_pool *pool);

struct pd_conf {
	enum pd_engine engine;
	int level;    /* zlib 1-9, libdeflate 1-12 */
	size_t block; /* input bytes per block; 0: PDEFLATE_BLOCK_BYTES */
};

/* A stream writer on `pool`; nothing is written until pd_begin. */
struct pd *pd_new(struct pd_pool *pool, const struct pd_conf *c, char *err,
                  size_t errlen);

/* Start a gzip member on `fd` (writes its header).  0 or -1. */
int pd_begin(struct pd *pd, int fd, char *err, size_t errlen);

/*
 * Room for `n` bytes of input (n <= the block size), to be filled by the
 * caller and then taken with pd_commit(): the caller writes straight into
 * the block buffer.  May hand the current block to the pool first and
 * write finished blocks.  NULL on error (reason in err).
 */
char *pd_room(struct pd *pd, size_t n, char *err, size_t errlen);
void pd_commit(struct pd *pd, size_t n);

/*
 * An upper bound of the member's size when finished after `more` further
 * bytes of input: the bytes written, plus a bound of every block not yet
 * written, plus the trailer.
 */
uint64_t pd_bound(const struct pd *pd, uint64_t more);

/*
 * Compress what is buffered and wait for every block: afterwards
 * pd_bound(pd, 0) is exact but for the few bytes that end the member.
 */
int pd_flush(struct pd *pd, char *err, size_t errlen);

/* Finish the member (final block, CRC, length).  0 or -1. */
int pd_finish(struct pd *pd, char *err, size_t errlen);

/* Input bytes taken and compressed bytes written in this member. */
uint64_t pd_total_in(const struct pd *pd);
uint64_t pd_total_out(const struct pd *pd);

/* Abandon the member (waits for its blocks in flight) and free; NULL ok. */
void pd_free(struct pd *pd);

/* Parse "libdeflate" or "zlib"; 0 or -1. */
int pd_engine_parse(const char *s, enum pd_engine *e);
const char *pd_engine_name(enum pd_engine e);

#endif
