/*
 * The shipper: the upload worker of `discolog run`, and the spool's
 * accounting (what waits, how many bytes, the quota).
 *
 * Uploads run in one worker thread, so the loop that reads the inputs is
 * never held up by the tenant: a PUT of a 64 MiB batch over a slow link
 * takes minutes, and the syslog receiver cannot stop reading for that
 * long.  (Measured on loopback against the emulator: one upload of a
 * small batch is three requests in about 5 ms, but a stalled tenant held
 * a single-threaded loop for the whole retry time, DAEMON_STEP_RETRY_MAX.)
 * The hand-off is a single queue with one owner on each side: the loop
 * adds sealed batches (shipper_add), the worker takes the oldest, runs
 * one ledger step at a time (spool_step) and removes it when finalized.
 * The worker owns the API client; the loop never talks to the tenant.
 * One mutex guards the queue and the counters; nothing else is shared.
 *
 * A failed step backs the batch's source off (1 s doubling to 5 min, with
 * Retry-After and the rate limit inside each step); other sources go on.
 * Stopping (SIGTERM, reload) waits for the step in flight to end: the
 * ledger has recorded everything before it, so nothing is lost or sent
 * twice, whichever step it was.
 *
 * The quota: when the batches in the spool pass it, the oldest ones that
 * are not in flight are dropped -- counted per source, logged, and shown
 * by `discolog status`.  The loop pauses the inputs that can wait before
 * that (shipper_over_quota).
 */
#ifndef SHIPPER_H
#define SHIPPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shipper;
struct mdca;

struct shipper_stats {
	uint64_t pending_batches, pending_bytes;
	uint64_t uploaded_batches, uploaded_lines;
	uint64_t dropped_batches, dropped_lines;
	uint64_t rejected_batches;
	uint64_t failed_steps; /* upload steps that failed (retried) */
	int64_t last_ok;       /* epoch s of the last finalized batch; 0 */
	int64_t failing_since; /* epoch s of the first failure since; 0 */
	char last_error[1024]; /* "" when the last step went well */
	int64_t last_error_at; /* epoch s */
	bool blocked;          /* auth or configuration: needs the admin */
};

/* An idle shipper for <spool> with a byte quota.  NULL when out of
 * memory. */
struct shipper *shipper_new(const char *spool, uint64_t quota);

void shipper_set_quota(struct shipper *s, uint64_t quota);

/* Start the worker with the API client `m` (consumed: the worker frees
 * it when stopped).  0, or -1 (thread not created; m freed). */
int shipper_start(struct shipper *s, struct mdca *m);

/* Let the step in flight finish, then stop the worker.  No-op when not
 * running. */
void shipper_stop(struct shipper *s);

/* A sealed batch to upload (`source` "" for none).  0 or -1 (memory). */
int shipper_add(struct shipper *s, const char *gz, const char *source,
                uint64_t gen, uint64_t bytes, uint64_t lines);

/* Is a batch of `source` with a generation <= gen still in the spool? */
bool shipper_pending(struct shipper *s, const char *source, uint64_t gen);

/*
 * Should an input that can wait pause?  True when the spool holds batches
 * and `reserve` more bytes (the source's open batch, at most) would pass
 * the quota: the input stops before a batch has to be dropped.  An empty
 * spool never pauses anyone.
 */
bool shipper_over_quota(struct shipper *s, uint64_t reserve);

/* Drop the oldest batches (not the one in flight) while over the quota.
 * Returns how many were dropped. */
unsigned shipper_enforce_quota(struct shipper *s);

/* Counters of one source (zero when unknown), or of all (source NULL). */
void shipper_stats(struct shipper *s, const char *source,
                   struct shipper_stats *out);

/* Bytes in the spool and the quota. */
void shipper_usage(struct shipper *s, uint64_t *bytes, uint64_t *quota,
                   uint64_t *batches);

/* Stop (if running) and free; NULL ok. */
void shipper_free(struct shipper *s);

#endif
