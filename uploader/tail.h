/*
 * Followed files (`follow =` globs of a source): lines as they are
 * appended, across rotations, truncations, deletions and re-creations.
 *
 * How rotation is detected
 *
 * A followed file is identified by its device and inode and by a marker:
 * the TAIL_MARKER_BYTES just before the offset read so far.  On every tick
 * (tail_tick: a stat poll, or earlier when inotify saw a change) each open
 * file is fstat'ed through its fd and its path is stat'ed:
 *
 *	- st_nlink 0: the file was deleted;
 *	- the path is missing or names another inode: the file was renamed
 *	  away (rename rotation) or deleted;
 *	  both: keep draining the old fd until EOF and rotate_wait after the
 *	  last byte read, then a last line without its newline is given out
 *	  as it is, and the file is finished.  The path is free again: a file
 *	  created there is a new file, read from offset 0.
 *	- st_size < offset: truncated (copytruncate);
 *	- the bytes before the offset are no longer the marker: rewritten in
 *	  place (truncated and grown again between two ticks);
 *	  both: tail_reset(), the one reset path: offset 0, the buffered
 *	  partial line dropped, the marker cleared, and the reader told
 *	  (file_reset) so it drops what it holds and detects the format
 *	  again.
 *
 * The glob is expanded on every tick; a match whose device and inode are
 * not followed yet is a new file, read from its start.  A rotated file
 * that still matches the glob is recognised by its identity and not read
 * twice; finished files are remembered (a bounded list) for the same
 * reason.  A last line without a newline waits for it (except on a
 * finished file, above).
 *
 * Restart: tail_resume() takes the checkpointed files.  A file found at its
 * path with the same device, inode and marker resumes at its offset; a
 * file whose path now names another inode is looked for in the same
 * directory by device and inode (rotated while we were down) and drained;
 * a marker that does not match (inode reused, file rewritten) starts the
 * file over from 0, logged.
 *
 * Offsets: tail_next_line() gives each line with the offset just past it.
 * The reader tells, through tail_file_done(), which lines went through
 * the pipeline; tail_checkpoint() saves those positions, and
 * tail_committed() lets finished files go once their last line is
 * durable.
 */
#ifndef TAIL_H
#define TAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct tail;
struct tail_file;
struct tail_fs;
struct checkpoint;
struct ckpt_file;

struct tail_conf {
	const char *name;   /* the source, for messages */
	char *const *globs; /* absolute paths or globs */
	size_t nglobs;
	int64_t rotate_wait_ms; /* drain a rotated file this long */
	struct tail_fs *fs;     /* watches the globs' directories; may be
	                           NULL (borrowed) */
	/* Called before a tail_file is freed, with its user pointer. */
	void (*file_gone)(void *arg, void *user);
	/* Called by tail_reset (the file starts over): the reader drops
	 * what it holds of the file and detects its format again. */
	void (*file_reset)(void *arg, void *user);
	void *arg;
};

struct tail_line {
	struct slice line;      /* borrowed until the next call */
	struct tail_file *file; /* the file it came from */
	int64_t end;            /* offset just past the line (and newline) */
	bool too_long;          /* longer than LINE_MAX_BYTES: cut there */
};

/* A source's followed files.  NULL with the reason in err. */
struct tail *tail_new(const struct tail_conf *c, char *err, size_t errlen);

/*
 * Take up the checkpointed files (see above) before the first tick.
 * `now_ms` is the monotonic time.  Returns 0; problems are logged.
 */
int tail_resume(struct tail *t, const struct ckpt_file *f, size_t n,
                int64_t now_ms);

/* Look at every file and the globs (see above). */
void tail_tick(struct tail *t, int64_t now_ms);

/* The next complete line of any file: 1 (line in *out), 0 when there is
 * none now. */
int tail_next_line(struct tail *t, struct tail_line *out);

/* The reader is done with the lines of `f` up to offset `end`. */
void tail_file_done(struct tail_file *f, int64_t end);

/* The reset path, for tests and for the reader (see above). */
void tail_reset(struct tail_file *f, const char *why);

/* Add every file's position (as told by tail_file_done) to c.  0 or -1. */
int tail_checkpoint(struct tail *t, struct checkpoint *c);

/* The positions last given to tail_checkpoint are durable. */
void tail_committed(struct tail *t);

/*
 * Files found since the last call?  Then add to c those whose identity c
 * lacks, at their last durable offset (their start), and return how many
 * (0 when none).  A file seen once is then found again after a crash
 * even when it was rotated away before any of its lines was committed.
 * Positions already in c are left as they are.
 */
int tail_register(struct tail *t, struct checkpoint *c);

/* A user pointer per file (the reader's per-file state). */
void tail_file_set_user(struct tail_file *f, void *user);
void *tail_file_user(const struct tail_file *f);
const char *tail_file_path(const struct tail_file *f);

/* Statistics: open files, bytes read, rotations and truncations seen. */
struct tail_stats {
	unsigned files, rotations, truncations, deletions;
	uint64_t bytes;
};
void tail_get_stats(const struct tail *t, struct tail_stats *s);

/* Visit each followed file: path, offset done, size, finished. */
typedef void tail_visit_fn(void *arg, const char *path, int64_t done,
                           int64_t size, bool rotated);
void tail_visit(const struct tail *t, tail_visit_fn *fn, void *arg);

/* Free everything (file_gone is called for each file); NULL ok. */
void tail_free(struct tail *t);

#endif
