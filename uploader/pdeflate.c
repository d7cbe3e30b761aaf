/*
 * Parallel deflate into one gzip member: see pdeflate.h.
 *
 * A stream has a ring of slots, each one block: its input (for zlib
 * preceded by the dictionary, the 32 KiB of input before it) and a buffer
 * for its compressed form, large enough for the worst case.  The owner
 * fills the slot at the ring's head, queues it, and takes the next one;
 * when every slot is in flight it waits for the oldest, writes it out and
 * reuses it.  Slots are written strictly in ring order.
 *
 * The pool's queue is the only shared state: a list of queued slots under
 * one mutex, a condition for the workers (work queued) and one for the
 * owners (a slot done).  A worker touches nothing of a slot but its
 * buffers, its CRC and its error until it marks the slot done.
 */
#include <errno.h>
#include <libdeflate.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pdeflate.h"

#define PD_DICT      32768 /* deflate's window: the zlib dictionary */
#define PD_SLOTS_MAX 16
/* The trailer (CRC, length) and an empty final block: 03 00. */
#define PD_TAIL 10

enum slot_state { SLOT_FREE, SLOT_FILLING, SLOT_QUEUED, SLOT_DONE };

struct pd_slot {
	struct pd *pd;
	unsigned char *buf; /* dictionary (dictlen bytes), then the input */
	size_t dictlen, len;
	unsigned char *out; /* the compressed block */
	size_t outcap, outlen;
	uint32_t crc; /* of the input, not the dictionary */
	bool final;
	enum slot_state state; /* under the pool's mutex once queued */
	const char *error;     /* set by the job: a static string */
	struct pd_slot *next;  /* in the queue */
};

/* One thread's compressors, kept from block to block. */
struct pd_ctx {
	z_stream def, inf;
	bool def_ok, inf_ok;
	int def_level;
	struct libdeflate_compressor *ld;
	int ld_level;
	unsigned char *scratch; /* inflate's output during the walk */
	size_t scratch_len;
};

struct pd_pool {
	int nthreads; /* 0: jobs run inline, in ctx */
	pthread_t *th;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct pd_slot *head, *tail; /* the queue */
	bool stop;
	struct pd_ctx ctx; /* the inline one */
};

struct pd {
	struct pd_pool *pool;
	struct pd_conf c;
	int fd;
	struct pd_slot slot[PD_SLOTS_MAX];
	int nslots;
	int cur;            /* the slot being filled, or -1 */
	int prev;           /* the block before it in this member, or -1 */
	int oldest, flying; /* queued or done, not yet written */
	uint64_t flying_bound;
	uint64_t total_in, total_out;
	uint32_t crc;
	bool begun;
};

int
pd_default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

int
pd_engine_parse(const char *s, enum pd_engine *e)
{
	if (strcmp(s, "libdeflate") == 0)
		*e = PD_LIBDEFLATE;
	else if (strcmp(s, "zlib") == 0)
		*e = PD_ZLIB;
	else
		return -1;
	return 0;
}

const char *
pd_engine_name(enum pd_engine e)
{
	return e == PD_ZLIB ? "zlib" : "libdeflate";
}

/* ---- the job: one block, on any thread ---- */

static void
ctx_free(struct pd_ctx *x)
{
	if (x->def_ok)
		deflateEnd(&x->def);
	if (x->inf_ok)
		inflateEnd(&x->inf);
	libdeflate_free_compressor(x->ld);
	free(x->scratch);
	memset(x, 0, sizeof(*x));
}

static int
job_zlib(struct pd_ctx *x, struct pd_slot *s)
{
	z_stream *z = &x->def;
	int r;

	if (x->def_ok && x->def_level != s->pd->c.level) {
		deflateEnd(z);
		x->def_ok = false;
	}
	if (!x->def_ok) {
		memset(z, 0, sizeof(*z));
		if (deflateInit2(z, s->pd->c.level, Z_DEFLATED, -15, 8,
		                 Z_DEFAULT_STRATEGY) != Z_OK)
			return -1;
		x->def_ok = true;
		x->def_level = s->pd->c.level;
	} else if (deflateReset(z) != Z_OK) {
		return -1;
	}
	if (s->dictlen > 0 &&
	    deflateSetDictionary(z, s->buf, (uInt)s->dictlen) != Z_OK)
		return -1;
	z->next_in = s->buf + s->dictlen;
	z->avail_in = (uInt)s->len;
	z->next_out = s->out;
	z->avail_out = (uInt)s->outcap;
	r = deflate(z, s->final ? Z_FINISH : Z_SYNC_FLUSH);
	if (s->final ? r != Z_STREAM_END
	             : r != Z_OK || z->avail_in != 0 || z->avail_out == 0)
		return -1;
	s->outlen = s->outcap - z->avail_out;
	return 0;
}

/*
 * libdeflate ended the block's deflate data with a final block.  Walk the
 * blocks with inflate(Z_BLOCK) to find where that last block starts, clear
 * its BFINAL bit, and end with an empty stored block (the sync marker) so
 * that the next run starts on a byte boundary.  Checks on the way that the
 * data inflates to the input's length.
 */
static int
unfinal(struct pd_ctx *x, struct pd_slot *s)
{
	z_stream *z = &x->inf;
	uint64_t hdr = 0; /* bit offset of the current block's header */
	unsigned k = 8;   /* padding bits in the last byte; 8: not seen */
	size_t n = s->outlen;
	int r;

	if (!x->inf_ok) {
		memset(z, 0, sizeof(*z));
		if (inflateInit2(z, -15) != Z_OK)
			return -1;
		x->inf_ok = true;
	} else if (inflateReset(z) != Z_OK) {
		return -1;
	}
	z->next_in = s->out;
	z->avail_in = (uInt)n;
	for (;;) {
		z->next_out = x->scratch;
		z->avail_out = (uInt)x->scratch_len;
		r = inflate(z, Z_BLOCK);
		if (r == Z_STREAM_END)
			break;
		if (r != Z_OK)
			return -1;
		/*
		 * At the end of a block (128) fewer than 8 bits are left in
		 * the last byte taken.  After a block that was not the last
		 * (64) the next one starts there; after the last one they
		 * are the padding of the stream's last byte.
		 */
		if ((z->data_type & (128 | 64)) == 128) {
			hdr = (uint64_t)(n - z->avail_in) * 8 -
			      (unsigned)(z->data_type & 7);
		} else if ((z->data_type & (128 | 64)) == (128 | 64)) {
			if (z->avail_in != 0)
				return -1;
			k = (unsigned)(z->data_type & 7);
		}
	}
	if (k > 7 || z->total_out != s->len ||
	    !(s->out[hdr / 8] & (1u << (hdr % 8))))
		return -1;
	s->out[hdr / 8] &= (unsigned char)~(1u << (hdr % 8));
	/* The stored block's 3-bit header goes into the padding if it fits,
	 * else into one more byte. */
	s->out[n - 1] &= (unsigned char)(0xff >> k);
	if (k < 3)
		s->out[n++] = 0;
	memcpy(s->out + n, "\0\0\xff\xff", 4);
	s->outlen = n + 4;
	return 0;
}

static int
job_libdeflate(struct pd_ctx *x, struct pd_slot *s)
{
	if (x->ld != NULL && x->ld_level != s->pd->c.level) {
		libdeflate_free_compressor(x->ld);
		x->ld = NULL;
	}
	if (x->ld == NULL) {
		if ((x->ld = libdeflate_alloc_compressor(s->pd->c.level)) ==
		    NULL)
			return -1;
		x->ld_level = s->pd->c.level;
	}
	if (!s->final && x->scratch_len < s->len) {
		free(x->scratch);
		x->scratch_len = 0;
		if ((x->scratch = malloc(s->pd->c.block)) == NULL)
			return -1;
		x->scratch_len = s->pd->c.block;
	}
	/* Room for the sync marker that unfinal() adds. */
	s->outlen = libdeflate_deflate_compress(x->ld, s->buf + s->dictlen,
	                                        s->len, s->out, s->outcap - 5);
	if (s->outlen == 0)
		return -1;
	return s->final ? 0 : unfinal(x, s);
}

static void
job_run(struct pd_ctx *x, struct pd_slot *s)
{
	int r;

	s->crc = (uint32_t)libdeflate_crc32(0, s->buf + s->dictlen, s->len);
	if (s->pd->c.engine == PD_ZLIB)
		r = job_zlib(x, s);
	else
		r = job_libdeflate(x, s);
	s->error = r == -1 ? "compression failed (out of memory?)" : NULL;
}

/* ---- the pool ---- */

static void *
worker(void *arg)
{
	struct pd_pool *p = arg;
	struct pd_ctx x;
	struct pd_slot *s;

	memset(&x, 0, sizeof(x));
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->stop && p->head == NULL)
			pthread_cond_wait(&p->work, &p->mu);
		if ((s = p->head) == NULL)
			break;
		if ((p->head = s->next) == NULL)
			p->tail = NULL;
		pthread_mutex_unlock(&p->mu);
		job_run(&x, s);
		pthread_mutex_lock(&p->mu);
		s->state = SLOT_DONE;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	ctx_free(&x);
	return NULL;
}

struct pd_pool *
pd_pool_new(int threads, char *err, size_t errlen)
{
	struct pd_pool *p = calloc(1, sizeof(*p));
	sigset_t all, old;
	int r = 0;

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	if (threads <= 1)
		return p;
	if ((p->th = calloc((size_t)threads, sizeof(*p->th))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	/* Signals stay with the thread that runs the pipeline. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (; p->nthreads < threads; p->nthreads++)
		if ((r = pthread_create(&p->th[p->nthreads], NULL, worker,
		                        p)) != 0)
			break;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		snprintf(err, errlen, "cannot start a compression thread: %s",
		         strerror(r));
		goto fail;
	}
	return p;
fail:
	pd_pool_free(p);
	return NULL;
}

void
pd_pool_free(struct pd_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->nthreads; i++)
		pthread_join(p->th[i], NULL);
	free(p->th);
	ctx_free(&p->ctx);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

/* ---- the stream ---- */

/*
 * The most a block of `len` input bytes takes once compressed, with the
 * sync marker: zlib adds at most 5 bytes per stored block of 16 KiB and
 * libdeflate about 1 per 1000 (its own bound, checked in pd_new).  A
 * formula, not a call: batch_add asks for every line.
 */
static inline uint64_t
block_bound(uint64_t len)
{
	return len + (len >> 9) + 64;
}

struct pd *
pd_new(struct pd_pool *pool, const struct pd_conf *c, char *err, size_t errlen)
{
	struct pd *pd;
	int maxlevel = c->engine == PD_ZLIB ? 9 : 12;

	if (c->level < 1 || c->level > maxlevel) {
		snprintf(err, errlen, "%s takes compression levels 1 to %d",
		         pd_engine_name(c->engine), maxlevel);
		return NULL;
	}
	if ((pd = calloc(1, sizeof(*pd))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pd->pool = pool;
	pd->c = *c;
	if (pd->c.block == 0)
		pd->c.block = PDEFLATE_BLOCK_BYTES;
	if (libdeflate_deflate_compress_bound(NULL, pd->c.block) + 6 >
	    block_bound(pd->c.block)) {
		snprintf(err, errlen, "this libdeflate's bound is too large");
		free(pd);
		return NULL;
	}
	/* Enough blocks in flight to keep every thread busy, one filling. */
	pd->nslots = pool->nthreads == 0 ? 1 : 2 * pool->nthreads;
	if (pd->nslots > PD_SLOTS_MAX)
		pd->nslots = PD_SLOTS_MAX;
	for (int i = 0; i < pd->nslots; i++)
		pd->slot[i].pd = pd;
	pd->fd = -1;
	pd->cur = pd->prev = -1;
	return pd;
}

static int
write_all(struct pd *pd, const void *p, size_t n, char *err, size_t errlen)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(pd->fd, s, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	pd->total_out += (uint64_t)(s - (const char *)p);
	return 0;
}

/* Wait until a queued block is compressed. */
static void
wait_done(struct pd *pd, struct pd_slot *s)
{
	struct pd_pool *p = pd->pool;

	if (p->nthreads == 0)
		return;
	pthread_mutex_lock(&p->mu);
	while (s->state != SLOT_DONE)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

int
pd_begin(struct pd *pd, int fd, char *err, size_t errlen)
{
	/* No name, no time, Unix: what zlib writes. */
	static const unsigned char hdr[10] = {0x1f, 0x8b, 8, 0, 0,
	                                      0,    0,    0, 0, 3};

	/* What an abandoned member left in flight is dropped. */
	while (pd->flying > 0) {
		struct pd_slot *s = &pd->slot[pd->oldest];

		wait_done(pd, s);
		s->state = SLOT_FREE;
		pd->flying--;
		pd->oldest = (pd->oldest + 1) % pd->nslots;
	}
	pd->flying_bound = 0;
	pd->fd = fd;
	pd->cur = pd->prev = -1;
	pd->total_in = pd->total_out = 0;
	pd->crc = 0;
	pd->begun = true;
	return write_all(pd, hdr, sizeof(hdr), err, errlen);
}

/* Hand the current block to the pool (or compress it here). */
static void
dispatch(struct pd *pd, bool final)
{
	struct pd_pool *p = pd->pool;
	struct pd_slot *s = &pd->slot[pd->cur];

	s->final = final;
	s->error = NULL;
	pd->flying++;
	pd->flying_bound += block_bound(s->len);
	pd->prev = pd->cur;
	pd->cur = -1;
	if (p->nthreads == 0) {
		job_run(&p->ctx, s);
		s->state = SLOT_DONE;
		return;
	}
	s->next = NULL;
	pthread_mutex_lock(&p->mu);
	s->state = SLOT_QUEUED;
	if (p->tail != NULL)
		p->tail->next = s;
	else
		p->head = s;
	p->tail = s;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->mu);
}

/* Wait for the oldest block in flight and write it. */
static int
retire(struct pd *pd, char *err, size_t errlen)
{
	struct pd_slot *s = &pd->slot[pd->oldest];
	int rc = 0;

	wait_done(pd, s);
	if (s->error != NULL) {
		snprintf(err, errlen, "%s", s->error);
		rc = -1;
	} else if (write_all(pd, s->out, s->outlen, err, errlen) == 0) {
		pd->crc =
		    (uint32_t)crc32_combine(pd->crc, s->crc, (z_off_t)s->len);
	} else {
		rc = -1;
	}
	s->state = SLOT_FREE;
	pd->flying--;
	pd->flying_bound -= block_bound(s->len);
	pd->oldest = (pd->oldest + 1) % pd->nslots;
	return rc;
}

/* Take the next slot of the ring for filling, primed for zlib. */
static int
start_block(struct pd *pd, char *err, size_t errlen)
{
	struct pd_slot *s;
	int i;

	if (pd->flying == pd->nslots && retire(pd, err, errlen) == -1)
		return -1;
	i = (pd->oldest + pd->flying) % pd->nslots;
	s = &pd->slot[i];
	if (s->buf == NULL) {
		s->outcap = block_bound(pd->c.block);
		if ((s->buf = malloc(PD_DICT + pd->c.block)) == NULL ||
		    (s->out = malloc(s->outcap)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	if (pd->c.engine == PD_ZLIB && pd->prev != -1) {
		/* The last 32 KiB before this block: the previous one's
		 * dictionary and input (it may still be compressing: both
		 * only read it; with one slot it is this one). */
		struct pd_slot *q = &pd->slot[pd->prev];
		size_t have = q->dictlen + q->len;
		size_t d = have < PD_DICT ? have : PD_DICT;

		memmove(s->buf, q->buf + have - d, d);
		s->dictlen = d;
	} else {
		s->dictlen = 0;
	}
	s->len = 0;
	s->state = SLOT_FILLING;
	pd->cur = i;
	return 0;
}

char *
pd_room(struct pd *pd, size_t n, char *err, size_t errlen)
{
	struct pd_slot *s;

	if (n > pd->c.block) {
		snprintf(err, errlen, "%zu bytes do not fit in a block", n);
		return NULL;
	}
	if (pd->cur != -1 && pd->slot[pd->cur].len + n > pd->c.block)
		dispatch(pd, false);
	if (pd->cur == -1 && start_block(pd, err, errlen) == -1)
		return NULL;
	s = &pd->slot[pd->cur];
	return (char *)s->buf + s->dictlen + s->len;
}

void
pd_commit(struct pd *pd, size_t n)
{
	pd->slot[pd->cur].len += n;
	pd->total_in += n;
}

uint64_t
pd_bound(const struct pd *pd, uint64_t more)
{
	uint64_t have = pd->cur != -1 ? pd->slot[pd->cur].len : 0;
	uint64_t b = pd->total_out + pd->flying_bound + PD_TAIL;

	if (have + more > pd->c.block)
		return b + block_bound(have) + block_bound(more);
	return b + block_bound(have + more);
}

int
pd_flush(struct pd *pd, char *err, size_t errlen)
{
	if (pd->cur != -1 && pd->slot[pd->cur].len > 0)
		dispatch(pd, false);
	while (pd->flying > 0)
		if (retire(pd, err, errlen) == -1)
			return -1;
	return 0;
}

int
pd_finish(struct pd *pd, char *err, size_t errlen)
{
	unsigned char t[8];
	bool ended = false;

	if (pd->cur != -1 && pd->slot[pd->cur].len > 0) {
		dispatch(pd, true);
		ended = true;
	}
	while (pd->flying > 0)
		if (retire(pd, err, errlen) == -1)
			return -1;
	pd->cur = -1;
	/* An empty final block (fixed codes, end-of-block). */
	if (!ended && write_all(pd, "\x03\x00", 2, err, errlen) == -1)
		return -1;
	for (int i = 0; i < 4; i++) {
		t[i] = (unsigned char)(pd->crc >> (8 * i));
		t[4 + i] = (unsigned char)(pd->total_in >> (8 * i));
	}
	if (write_all(pd, t, sizeof(t), err, errlen) == -1)
		return -1;
	pd->begun = false;
	return 0;
}

uint64_t
pd_total_in(const struct pd *pd)
{
	return pd->total_in;
}

uint64_t
pd_total_out(const struct pd *pd)
{
	return pd->total_out;
}

void
pd_free(struct pd *pd)
{
	struct pd_pool *p;

	if (pd == NULL)
		return;
	p = pd->pool;
	/* Blocks still queued or compressing: their buffers are in use. */
	if (p->nthreads > 0) {
		pthread_mutex_lock(&p->mu);
		for (int i = 0; i < pd->nslots; i++)
			while (pd->slot[i].state == SLOT_QUEUED)
				pthread_cond_wait(&p->done, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
	for (int i = 0; i < pd->nslots; i++) {
		free(pd->slot[i].buf);
		free(pd->slot[i].out);
	}
	free(pd);
}
