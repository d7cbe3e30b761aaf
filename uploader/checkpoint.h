/*
 * Checkpoints: how far each input of a source has been read into sealed
 * batches, written atomically (tmp file, fsync, rename, fsync of the
 * directory) so a crash leaves either the old or the new one.
 *
 * One file per source, STATE/checkpoints/<source>.json.  The same record
 * is also written into the description (.json) of every batch the source
 * seals, before the batch is renamed into ready/: the batch and the
 * positions past its lines become durable in one rename.  On restart the
 * newest of the two (the higher `gen`) wins, so a crash between sealing a
 * batch and writing the checkpoint file neither loses nor repeats a line.
 *
 * A followed file is named by its path and identified by device, inode and
 * a marker: a hash of the TAIL_MARKER_BYTES before the offset (tail.h says
 * how it is checked).  A spool-directory file is identified by device,
 * inode, size and mtime, and its position is a member and a line number
 * (compressed and archived files cannot seek).
 */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cJSON;

struct ckpt_file {
	char *path;
	uint64_t dev, ino;
	int64_t offset;  /* bytes read into sealed batches (line boundary) */
	uint64_t marker; /* hash of the bytes before offset */
};

struct ckpt_spool {
	char *path;
	uint64_t dev, ino;
	int64_t size, mtime;
	uint64_t member, line; /* lines of that member read (1-based) */
	bool complete;         /* read to its end */
	uint64_t wait_gen;     /* complete: done once batches up to this
	                          generation are finalized */
};

struct checkpoint {
	char *source;
	uint64_t gen; /* commits of this source so far */
	struct ckpt_file *files;
	size_t nfiles;
	struct ckpt_spool *spool;
	size_t nspool;
};

/*
 * Write `len` bytes to `path` atomically: `path`.tmp, fsync, rename,
 * fsync of the directory.  0, or -1 with the reason in err.
 */
int checkpoint_write_file(const char *path, const void *data, size_t len,
                          char *err, size_t errlen);

/* Add an entry (the strings are copied); 0 or -1 (out of memory). */
int checkpoint_add_file(struct checkpoint *c, const struct ckpt_file *f);
int checkpoint_add_spool(struct checkpoint *c, const struct ckpt_spool *s);

/* The record as a cJSON object (caller deletes); NULL when out of memory. */
struct cJSON *checkpoint_to_json(const struct checkpoint *c);

/* Fill c (cleared first) from a cJSON object.  0, or -1 when malformed. */
int checkpoint_from_json(const struct cJSON *j, struct checkpoint *c);

/* Write c to <dir>/<source>.json atomically.  0, or -1 (reason in err). */
int checkpoint_save(const char *dir, const struct checkpoint *c, char *err,
                    size_t errlen);

/*
 * Read <dir>/<source>.json into c (cleared first).  Returns 1 when read,
 * 0 when there is none (c is then empty with its source set), -1 when it
 * cannot be read or parsed (reason in err).
 */
int checkpoint_load(const char *dir, const char *source, struct checkpoint *c,
                    char *err, size_t errlen);

/* Copy src into dst (cleared first).  0 or -1 (out of memory). */
int checkpoint_copy(struct checkpoint *dst, const struct checkpoint *src);

/* Release what c owns and zero it; safe on a zeroed one. */
void checkpoint_clear(struct checkpoint *c);

/* FNV-1a 64 over p[0..n). */
uint64_t checkpoint_hash(const void *p, size_t n);

#endif
