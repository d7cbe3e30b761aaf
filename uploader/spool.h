/*
 * The spool: sealed batches waiting for the tenant, shared by `discolog
 * upload` (what an earlier run left goes first) and `discolog run` (its
 * upload worker).
 *
 *	<spool>/tmp/        batches being written (batch.c); junk after a crash
 *	<spool>/ready/      <id>.log.gz, its description <id>.json (written
 *	                    last: the batch exists once it is there) and its
 *	                    ledger state <id>.stage (ledger.h)
 *	<spool>/rejected/   batches the tenant refused for good, kept for a
 *	                    human to look at
 *
 * A batch goes through the Discovery upload one ledger step at a time
 * (spool_step) or all at once (spool_send); it leaves the spool only after
 * done_upload accepted it.
 */
#ifndef SPOOL_H
#define SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger.h"

struct mdca;
struct checkpoint;

/* A batch's description, <id>.json (batch.c writes it). */
struct batch_meta {
	char data_source[256], source_type[128];
	char source[128]; /* `run`: the [source NAME]; "" for `upload` */
	bool snapshot;
	double lines, bytes;
	uint64_t gen; /* `run`: the source's commit generation */
};

/* Read the description beside `gz`.  0, or -1 when missing or bad. */
int spool_read_meta(const char *gz, struct batch_meta *m);

/* The checkpoint written into the description beside `gz` (`run` only).
 * 1 read, 0 none there, -1 unreadable. */
int spool_read_checkpoint(const char *gz, struct checkpoint *c);

/*
 * Paths of the batches in <spool>/ready/ (*.log.gz), oldest first (batch
 * ids begin with their time).  The caller frees each and the array; NULL
 * with *n 0 when there are none or on failure.
 */
char **spool_list(const char *spool, size_t *n);
void spool_list_free(char **v, size_t n);

/* Remove a batch: its data, its description, then its ledger state. */
void spool_remove_batch(const char *gz);

/* Move a batch (all its files) to <spool>/rejected/.  0 or -1. */
int spool_reject(const char *gz);

/* Bytes of the batches in ready/ (data files), and how many. */
uint64_t spool_usage(const char *spool, unsigned *nbatches);

/*
 * After a crash: empty tmp/, remove half-written batches (data without a
 * description, or the reverse) and finish the removal of finalized ones.
 * Returns how many batches were cleaned away.
 */
unsigned spool_recover(const char *spool);

enum spool_step_result {
	SPOOL_STEP_PROGRESS, /* one stage further; call again */
	SPOOL_STEP_DONE,     /* finalized and removed */
	SPOOL_STEP_RETRY,    /* a transient failure: try again later */
	SPOOL_STEP_AUTH,     /* credentials or permission: fix, then retry */
	SPOOL_STEP_CONFIG,   /* the tenant has no such data source */
	SPOOL_STEP_REJECTED, /* refused for good (moved to rejected/ when
	                        asked, else left) */
};

/*
 * One ledger step of the batch `gz` (upload_url, PUT or done_upload, as
 * its stage says), recorded before the next.  *stage_out gets the stage
 * reached.  On anything but PROGRESS and DONE, err holds one sentence for
 * the admin (never a secret).
 */
enum spool_step_result spool_step(struct mdca *m, const char *gz,
                                  const struct batch_meta *meta,
                                  bool move_rejected,
                                  enum ledger_stage *stage_out, char *err,
                                  size_t errlen);

/* Every step of `gz` until it is done or one fails (the result). */
enum spool_step_result spool_send(struct mdca *m, const char *gz,
                                  const struct batch_meta *meta, char *err,
                                  size_t errlen);

#endif
