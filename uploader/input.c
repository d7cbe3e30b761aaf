/*
 * Line input through libarchive: see input.h.
 *
 * The reader keeps one buffer: unread bytes of the current member start at
 * `pos`; a line is a slice into it, valid until the next call.  When no
 * newline is left in the buffer, the unread tail moves to the front and the
 * next block is appended.
 *
 * A plain file (libarchive finds no filter and no archive format in it) is
 * then read with read(2) straight into that buffer: libarchive would read
 * it into its own buffer and copy it (bench/NOTES.md).  Standard input and
 * anything that cannot seek back stay with libarchive.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "limits.h"

struct input {
	struct archive *ar;
	char *path;
	char name[4096];
	bool raw;       /* not an archive: one member, the file */
	bool skipping;  /* inside an over-long line: drop to newline */
	bool eof;       /* member fully read into buf */
	int fd;         /* the file, when we opened it; else -1 */
	bool direct;    /* a plain file: read(2) from fd, not libarchive */
	uint64_t nread; /* bytes read directly */
	char *buf;      /* INPUT_BLOCK_BYTES + LINE_MAX_BYTES */
	size_t cap, pos, len;
	uint64_t lineno;
	uint64_t members;    /* members returned so far */
	bool raw_only;       /* archive formats off: a plain file */
	uint64_t member_out; /* bytes of the member read so far */
	uint64_t member_in0; /* compressed bytes read when it started */
};

/* Open in->path with libarchive: every archive format, or raw only. */
static int
input_start(struct input *in)
{
	if (in->ar != NULL)
		archive_read_free(in->ar);
	if ((in->ar = archive_read_new()) == NULL)
		return ARCHIVE_FATAL;
	archive_read_support_filter_all(in->ar);
	/*
	 * Only real archive formats, then raw: format_all would also let
	 * text-based formats (mtree) claim a plain log file.
	 */
	if (!in->raw_only) {
		archive_read_support_format_tar(in->ar);
		archive_read_support_format_zip(in->ar);
		archive_read_support_format_7zip(in->ar);
		archive_read_support_format_cpio(in->ar);
	}
	archive_read_support_format_raw(in->ar);
	archive_read_support_format_empty(in->ar);
	if (strcmp(in->path, "-") == 0)
		return archive_read_open_fd(in->ar, 0, 65536);
	/* Our own descriptor: a plain file is then read from it directly. */
	if (in->fd != -1)
		close(in->fd);
	if ((in->fd = open(in->path, O_RDONLY | O_CLOEXEC)) == -1)
		return ARCHIVE_FATAL;
	return archive_read_open_fd(in->ar, in->fd, 65536);
}

struct input *
input_open(const char *path, char *err, size_t errlen)
{
	struct input *in = calloc(1, sizeof(*in));
	int r;

	if (in != NULL)
		in->fd = -1;
	if (in == NULL || (in->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	in->cap = INPUT_BLOCK_BYTES + LINE_MAX_BYTES;
	if ((in->buf = malloc(in->cap)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if ((r = input_start(in)) != ARCHIVE_OK) {
		snprintf(err, errlen, "%s",
		         archive_error_string(in->ar)
		             ? archive_error_string(in->ar)
		             : strerror(errno));
		goto fail;
	}
	return in;
fail:
	input_close(in);
	return NULL;
}

int
input_next_member(struct input *in, const char **name, char *err, size_t errlen)
{
	struct archive_entry *e;
	int r;

	for (;;) {
		/* A plain file is one member, already taken. */
		if (in->direct)
			return 0;
		r = archive_read_next_header(in->ar, &e);
		/*
		 * A file of zero blocks is an empty tar to libarchive: a file
		 * that held bytes but no member is read again as plain data,
		 * so that it is reported for what it is.
		 */
		if (r == ARCHIVE_EOF && in->members == 0 && !in->raw_only &&
		    strcmp(in->path, "-") != 0 &&
		    archive_format(in->ar) != ARCHIVE_FORMAT_EMPTY &&
		    archive_filter_bytes(in->ar, -1) > 0) {
			in->raw_only = true;
			if (input_start(in) != ARCHIVE_OK) {
				snprintf(err, errlen, "%s",
				         archive_error_string(in->ar));
				return -1;
			}
			continue;
		}
		if (r == ARCHIVE_EOF)
			return 0;
		if (r == ARCHIVE_FATAL || r == ARCHIVE_FAILED) {
			snprintf(err, errlen, "%s",
			         archive_error_string(in->ar));
			return -1;
		}
		/* ARCHIVE_WARN: go on with what libarchive could read. */
		in->raw = archive_format(in->ar) == ARCHIVE_FORMAT_RAW ||
		          archive_format(in->ar) == ARCHIVE_FORMAT_EMPTY;
		if (!in->raw && archive_entry_filetype(e) != AE_IFREG)
			continue;
		break;
	}
	/* No filter, no archive: read the file ourselves from its start. */
	if (in->raw && in->fd != -1 && archive_filter_count(in->ar) == 1 &&
	    archive_filter_code(in->ar, 0) == ARCHIVE_FILTER_NONE &&
	    lseek(in->fd, 0, SEEK_SET) == 0) {
		in->direct = true;
		in->nread = 0;
		(void)posix_fadvise(in->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	if (in->raw)
		snprintf(in->name, sizeof(in->name), "%s",
		         strcmp(in->path, "-") == 0 ? "(stdin)" : in->path);
	else
		snprintf(in->name, sizeof(in->name), "%s:%s", in->path,
		         archive_entry_pathname(e) ? archive_entry_pathname(e)
		                                   : "?");
	in->pos = in->len = 0;
	in->lineno = 0;
	in->member_out = 0;
	in->member_in0 = input_bytes_read(in);
	in->eof = false;
	in->skipping = false;
	*name = in->name;
	in->members++;
	return 1;
}

/* Read more of the member into buf; 1 read, 0 end, -1 error. */
static int
fill(struct input *in, char *err, size_t errlen)
{
	la_ssize_t n;

	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->pos = 0;
	}
	if (in->eof || in->len == in->cap)
		return 0;
	if (in->direct) {
		do
			n = read(in->fd, in->buf + in->len, in->cap - in->len);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			snprintf(err, errlen, "%s", strerror(errno));
			return -1;
		}
		in->nread += (uint64_t)n;
	} else {
		n = archive_read_data(in->ar, in->buf + in->len,
		                      in->cap - in->len);
	}
	if (n < 0) {
		snprintf(err, errlen, "%s", archive_error_string(in->ar));
		return -1;
	}
	if (n == 0) {
		in->eof = true;
		return 0;
	}
	in->len += (size_t)n;
	in->member_out += (uint64_t)n;
	/*
	 * A zip bomb: a few MB that expand to terabytes.  Past a gigabyte,
	 * a member that expands more than INPUT_MAX_RATIO times what was read
	 * of the file is abandoned, and said so.
	 */
	if (in->member_out > INPUT_RATIO_AFTER_BYTES &&
	    in->member_out / INPUT_MAX_RATIO >
	        input_bytes_read(in) - in->member_in0) {
		snprintf(
		    err, errlen,
		    "%s: expands more than %d times (a zip bomb?): the rest "
		    "is not read",
		    in->name, INPUT_MAX_RATIO);
		return -1;
	}
	return 1;
}

int
input_next_line(struct input *in, struct slice *line, uint64_t *lineno,
                bool *too_long, char *err, size_t errlen)
{
	for (;;) {
		char *start = in->buf + in->pos;
		size_t avail = in->len - in->pos;
		char *nl = memchr(start, '\n', avail);
		int r;

		if (nl != NULL) {
			size_t n = (size_t)(nl - start);

			in->pos += n + 1;
			if (in->skipping) {
				in->skipping = false;
				continue;
			}
			in->lineno++;
			*too_long = n > LINE_MAX_BYTES;
			*line = (struct slice){start,
			                       *too_long ? LINE_MAX_BYTES : n};
			*lineno = in->lineno;
			return 1;
		}
		if (avail > LINE_MAX_BYTES && !in->skipping) {
			/* Report the long line now, drop the rest of it. */
			in->lineno++;
			*too_long = true;
			*line = (struct slice){start, LINE_MAX_BYTES};
			*lineno = in->lineno;
			in->pos = in->len;
			in->skipping = true;
			return 1;
		}
		if (in->skipping) {
			in->pos = in->len;
		}
		if ((r = fill(in, err, errlen)) == -1)
			return -1;
		if (r == 0) {
			/* The last line of a file may have no newline. */
			avail = in->len - in->pos;
			if (avail == 0 || in->skipping) {
				in->pos = in->len;
				return 0;
			}
			start = in->buf + in->pos;
			in->pos = in->len;
			in->lineno++;
			*too_long = avail > LINE_MAX_BYTES;
			*line = (struct slice){start, *too_long ? LINE_MAX_BYTES
			                                        : avail};
			*lineno = in->lineno;
			return 1;
		}
	}
}

uint64_t
input_bytes_read(const struct input *in)
{
	la_int64_t n;

	if (in->direct)
		return in->nread;
	n = archive_filter_bytes(in->ar, -1);
	return n > 0 ? (uint64_t)n : 0;
}

void
input_close(struct input *in)
{
	if (in == NULL)
		return;
	if (in->ar != NULL)
		archive_read_free(in->ar);
	if (in->fd != -1)
		close(in->fd);
	free(in->buf);
	free(in->path);
	free(in);
}
