/*
 * The ledger: the upload stage of every sealed batch, durable, so a
 * restart resumes each batch where it stopped and never finalizes one
 * twice.
 *
 * One small state file per batch beside it in the spool,
 * <spool>/ready/<id>.stage (no file: sealed), replaced atomically at
 * each step (checkpoint_write_file).  The stages, in order:
 *
 *	sealed      in ready/, nothing sent        -> GET upload_url
 *	url         an upload URL was obtained     -> PUT (again: a PUT of
 *	            (kept in the file, mode 0600:     the same bytes to the
 *	            it holds a SAS)                   same URL is harmless)
 *	put         the bytes are in blob storage  -> POST done_upload
 *	finalizing  recorded *before* the POST     -> POST again on restart
 *	finalized   done: the batch is removed, the state file last
 *
 * The one uncertain moment is a crash (or a lost answer) after the POST
 * and before "finalized" is written: the tenant may have finalized the
 * upload or not.  Because "finalizing" was written first, a restart knows
 * it may have happened and sends the POST again: a success finalizes it
 * now, and an "already finalized" refusal (mdca_done_upload's *already)
 * means the first one went through -- both count as done, so the batch is
 * finalized exactly once.  A URL the storage host refuses (expired SAS)
 * sends the batch back to "sealed" for a fresh URL; nothing was finalized
 * with the old one.
 */
#ifndef LEDGER_H
#define LEDGER_H

#include <stdbool.h>
#include <stddef.h>

#define LEDGER_STAGES(X)                                                       \
	X(SEALED, "sealed")                                                    \
	X(URL, "url")                                                          \
	X(PUT, "put")                                                          \
	X(FINALIZING, "finalizing")                                            \
	X(FINALIZED, "finalized")

enum ledger_stage {
#define X(n, s) LEDGER_##n,
	LEDGER_STAGES(X)
#undef X
	    LEDGER_NSTAGES
};

struct ledger_entry {
	enum ledger_stage stage;
	char *url; /* url and later: the upload URL (secret: never logged) */
	char provider[32];
	unsigned rejects; /* done_upload refusals that sent it back */
};

const char *ledger_stage_name(enum ledger_stage s);

/*
 * The stage of the batch `gz` (its .log.gz path) into e (cleared first).
 * No state file: LEDGER_SEALED.  0, or -1 when the file is unreadable
 * (reason in err; e is then SEALED).
 */
int ledger_read(const char *gz, struct ledger_entry *e, char *err,
                size_t errlen);

/* Record e for `gz`, durably.  0, or -1 with the reason in err. */
int ledger_write(const char *gz, const struct ledger_entry *e, char *err,
                 size_t errlen);

/* The state file's path for `gz` into out. */
void ledger_path(const char *gz, char *out, size_t outlen);

/* Wipe the URL and release it; safe on a zeroed entry. */
void ledger_entry_clear(struct ledger_entry *e);

#endif
