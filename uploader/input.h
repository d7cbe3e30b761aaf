/*
 * Reading lines from what the admin names: a plain file, a compressed file
 * (gzip, bzip2, xz, zstd, ...), an archive (zip, tar, tar.gz, 7z: every
 * regular member is read), or "-" for standard input.  Everything goes
 * through libarchive, streamed: nothing is extracted to disk.
 *
 * An input is a sequence of members (one for a plain or compressed file),
 * each a sequence of lines.  A line is returned without its newline (a CR
 * before it is kept: it is part of the original bytes).  A line longer
 * than LINE_MAX_BYTES is reported as such and skipped.
 */
#ifndef INPUT_H
#define INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

struct input;

/* Open `path` ("-": stdin).  NULL on failure, with the reason in err. */
struct input *input_open(const char *path, char *err, size_t errlen);

/*
 * Move to the next member.  Returns 1 and its display name ("file" or
 * "archive.zip:member.log", borrowed until the next call), 0 at the end,
 * -1 on a read error (reason in err).
 */
int input_next_member(struct input *in, const char **name, char *err,
                      size_t errlen);

/*
 * The next line of the current member: 1 and the line (borrowed until the
 * next call) with its 1-based number, 0 at the end of the member, -1 on a
 * read error (reason in err).  *too_long is set for a line over the limit;
 * its slice then holds only the first LINE_MAX_BYTES.
 */
int input_next_line(struct input *in, struct slice *line, uint64_t *lineno,
                    bool *too_long, char *err, size_t errlen);

/* Bytes read so far from the file itself (compressed), for progress. */
uint64_t input_bytes_read(const struct input *in);

/* Close; safe on NULL. */
void input_close(struct input *in);

#endif
