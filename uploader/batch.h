/*
 * Batches: kept lines, their original bytes, in one gzip stream per file.
 *
 * A batch belongs to one data source and one MDCA source type.  It is
 * written to <spool>/tmp/ as lines arrive and sealed at its size limit or
 * when the input ends: the gzip stream is finished, the file fsynced and
 * renamed into <spool>/ready/ together with a small JSON description
 * (<id>.json: data source, snapshot, source type, lines, bytes).  Only a
 * sealed batch is ever uploaded, and a batch is never larger than its
 * limit (MDCA takes at most 5 GB per file).
 */
#ifndef BATCH_H
#define BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pdeflate.h"
#include "record.h"

struct batch;
struct cJSON;

struct batch_conf {
	const char *spool;       /* spool directory (tmp/, ready/ inside) */
	const char *data_source; /* inputStreamName */
	bool snapshot;           /* uploadAsSnapshot */
	const char *source_type; /* MDCA source id */
	uint64_t max_bytes;      /* compressed size limit */
	enum pd_engine engine;   /* libdeflate or zlib */
	int level;               /* compression level */
	size_t block;            /* input per compressed block; 0: default */
	/* Threads compressing: a pool shared by the batches, or NULL for one
	 * of the batch's own with `threads` (0: online CPUs). */
	struct pd_pool *pool;
	int threads;
	/* More members for the description, added when a batch is sealed
	 * (`run`: its source and checkpoint); NULL: none.  0 or -1. */
	int (*meta_cb)(void *arg, struct cJSON *o);
	void *meta_arg;
};

/* Called with the path of each sealed batch (in ready/). */
typedef int batch_sealed_cb(const char *path, void *arg);

/* A new, empty batch writer; nothing is created on disk until a line
 * arrives.  NULL with the reason in err. */
struct batch *batch_new(const struct batch_conf *c, batch_sealed_cb *cb,
                        void *arg, char *err, size_t errlen);

/*
 * Append `line` and a newline.  Seals the current batch first when the line
 * would take it past its limit.  0, or -1 with the reason in err (disk
 * full, ...): the line is then not in any batch.
 */
int batch_add(struct batch *b, struct slice line, char *err, size_t errlen);

/* Seal the current batch if it holds any line.  0 or -1 (reason in err). */
int batch_seal(struct batch *b, char *err, size_t errlen);

/* Lines and input bytes in sealed batches so far; batches sealed. */
uint64_t batch_lines(const struct batch *b);
uint64_t batch_bytes_in(const struct batch *b);
uint64_t batch_bytes_out(const struct batch *b);
unsigned batch_count(const struct batch *b);
/* Lines in the open (not yet sealed) batch. */
uint64_t batch_open_lines(const struct batch *b);
const char *batch_source_type(const struct batch *b);

/* Drop an unsealed batch (its tmp file is removed) and free; NULL ok. */
void batch_free(struct batch *b);

/* Create <spool>/tmp and <spool>/ready; 0 or -1 (reason in err). */
int spool_prepare(const char *spool, char *err, size_t errlen);

#endif
