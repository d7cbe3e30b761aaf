/*
 * Spool directories (`spool_dir =` of a source): an appliance or an
 * FTP/SFTP server drops finished log files there -- plain, compressed or
 * archived (input.h reads them all).
 *
 * A file is taken once its size and mtime stayed the same for `settle`
 * (a file still being written keeps changing); files are taken one at a
 * time, oldest mtime first, and read line by line.  When it has been read
 * to its end and the commit that covers its last line is durable
 * (spooldir_checkpoint marks it complete, with that commit's generation),
 * it waits until every batch of the source up to that generation is
 * finalized, and only then is it moved to done/ (or deleted) --
 * never before (spooldir_finish).
 *
 * Positions are a member number and a line number: a compressed file
 * cannot seek, so after a restart the lines before the position are read
 * again and skipped.
 */
#ifndef SPOOLDIR_H
#define SPOOLDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct spooldir;
struct spool_file;
struct checkpoint;
struct ckpt_spool;

struct spooldir_conf {
	const char *name; /* the source, for messages */
	char *const *dirs;
	size_t ndirs;
	const char *done_dir; /* NULL: <dir>/done */
	bool delete_done;
	int64_t settle_ms;
};

struct spooldir_line {
	struct slice line; /* borrowed until the next call */
	struct spool_file *file;
	uint64_t member, lineno;
	bool too_long;
};

enum spooldir_next {
	SPOOLDIR_NONE = 0,       /* nothing now */
	SPOOLDIR_LINE = 1,       /* a line in *out */
	SPOOLDIR_MEMBER_END = 2, /* out->file's member ended (the reader
	                            flushes and detects again) */
};

struct spooldir *spooldir_new(const struct spooldir_conf *c, char *err,
                              size_t errlen);

/* Take up the checkpointed files before the first tick. */
void spooldir_resume(struct spooldir *sd, const struct ckpt_spool *e, size_t n);

/* Look for new files and for files that have settled. */
void spooldir_tick(struct spooldir *sd, int64_t now_ms);

enum spooldir_next spooldir_next_line(struct spooldir *sd,
                                      struct spooldir_line *out);

/* The reader is done with `f` up to this line. */
void spooldir_file_done(struct spool_file *f, uint64_t member, uint64_t lineno);

/*
 * Add every taken file's position to c, whose c->gen is the generation
 * being committed: a file read to its end (and done) becomes complete,
 * waiting for that generation.  0 or -1.
 */
int spooldir_checkpoint(struct spooldir *sd, struct checkpoint *c);

/*
 * Move to done/ (or delete) every complete file whose batches are all
 * finalized: `pending(arg, gen)` tells whether a batch of the source with
 * a generation <= gen is still in the spool.
 */
void spooldir_finish(struct spooldir *sd, bool (*pending)(void *, uint64_t),
                     void *arg);

/* A user pointer per file (the reader's per-file state). */
void spooldir_file_set_user(struct spool_file *f, void *user);
void *spooldir_file_user(const struct spool_file *f);
const char *spooldir_file_path(const struct spool_file *f);

/* Visit the files taken: path, member, line, complete. */
typedef void spooldir_visit_fn(void *arg, const char *path, uint64_t member,
                               uint64_t line, bool complete);
void spooldir_visit(const struct spooldir *sd, spooldir_visit_fn *fn,
                    void *arg);

/* Files moved to done/ (or deleted) so far, and files waiting. */
unsigned spooldir_done_count(const struct spooldir *sd);

void spooldir_free(struct spooldir *sd);

#endif
