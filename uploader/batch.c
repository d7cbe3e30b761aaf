/*
 * Batches of kept lines in gzip files: see batch.h.
 *
 * The size limit is kept exactly without giving up compression: zlib holds
 * some input it has not yet written out, and a deflate block never takes
 * more room than the same input stored, so
 *
 *	size <= total_out + pending + stored_bound(input since last flush)
 *
 * When that bound would pass the limit, the current block is completed
 * (Z_BLOCK), which makes the size exact; only when the exact size leaves
 * no room is the batch sealed.  Away from the limit nothing is flushed.
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "batch.h"
#include "limits.h"

#define OUTBUF_BYTES (256 * 1024)
#define INBUF_BYTES  (256 * 1024)
static unsigned batch_seq;

#define GZIP_TRAILER_SLACK 32 /* final block, CRC and length, rounding */

struct batch {
	struct batch_conf c;
	char *spool, *data_source, *source_type;
	batch_sealed_cb *cb;
	void *cb_arg;
	/* the open batch */
	int fd;
	bool open;
	z_stream z;
	unsigned char *out;
	char *in; /* lines not yet given to deflate */
	size_t inlen;
	uint64_t unflushed; /* input since the last Z_BLOCK */
	uint64_t cur_lines, cur_in;
	char id[96];
	char tmp_path[4096];
	/* totals over sealed batches */
	uint64_t lines, bytes_in, bytes_out;
	unsigned count;
};

static int
mkdir_p(const char *path, char *err, size_t errlen)
{
	char tmp[4096];

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) == -1 && errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(tmp, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

int
spool_prepare(const char *spool, char *err, size_t errlen)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s/tmp", spool);
	if (mkdir_p(p, err, errlen) == -1)
		return -1;
	snprintf(p, sizeof(p), "%s/ready", spool);
	return mkdir_p(p, err, errlen);
}

struct batch *
batch_new(const struct batch_conf *c, batch_sealed_cb *cb, void *arg, char *err,
          size_t errlen)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		goto nomem;
	b->c = *c;
	b->fd = -1;
	b->cb = cb;
	b->cb_arg = arg;
	if ((b->spool = strdup(c->spool)) == NULL ||
	    (b->data_source = strdup(c->data_source)) == NULL ||
	    (b->source_type = strdup(c->source_type)) == NULL ||
	    (b->out = malloc(OUTBUF_BYTES)) == NULL ||
	    (b->in = malloc(INBUF_BYTES)) == NULL)
		goto nomem;
	if (b->c.max_bytes == 0 || b->c.max_bytes > BATCH_MAX_BYTES_CEILING)
		b->c.max_bytes = BATCH_MAX_BYTES_CEILING;
	return b;
nomem:
	snprintf(err, errlen, "out of memory");
	batch_free(b);
	return NULL;
}

static int
write_all(int fd, const void *p, size_t n)
{
	const char *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Run deflate with `flush` until it has taken all input. */
static int
pump(struct batch *b, int flush, char *err, size_t errlen)
{
	int r;

	do {
		b->z.next_out = b->out;
		b->z.avail_out = OUTBUF_BYTES;
		r = deflate(&b->z, flush);
		if (r == Z_STREAM_ERROR) {
			snprintf(err, errlen, "deflate: stream error");
			return -1;
		}
		if (write_all(b->fd, b->out, OUTBUF_BYTES - b->z.avail_out) ==
		    -1) {
			snprintf(err, errlen, "%s: %s", b->tmp_path,
			         strerror(errno));
			return -1;
		}
	} while (b->z.avail_out == 0 ||
	         (flush == Z_FINISH && r != Z_STREAM_END));
	return 0;
}

/* Give deflate the buffered lines. */
static int
drain(struct batch *b, char *err, size_t errlen)
{
	int r;

	if (b->inlen == 0)
		return 0;
	b->z.next_in = (unsigned char *)b->in;
	b->z.avail_in = (unsigned)b->inlen;
	r = pump(b, Z_NO_FLUSH, err, errlen);
	b->inlen = 0;
	return r;
}

static int
batch_open(struct batch *b, char *err, size_t errlen)
{
	time_t now = time(NULL);
	struct tm tm;
	char ts[32];

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%SZ", &tm);
	/* Unique over the process, not per batch; sorts by time. */
	snprintf(b->id, sizeof(b->id), "%s-%ld-%06u", ts, (long)getpid(),
	         ++batch_seq);
	snprintf(b->tmp_path, sizeof(b->tmp_path), "%s/tmp/%s.log.gz", b->spool,
	         b->id);
	b->fd =
	    open(b->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (b->fd == -1) {
		snprintf(err, errlen, "%s: %s", b->tmp_path, strerror(errno));
		return -1;
	}
	memset(&b->z, 0, sizeof(b->z));
	/* windowBits 15 + 16: a gzip wrapper, as MDCA accepts gzip. */
	if (deflateInit2(&b->z, b->c.level, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK) {
		snprintf(err, errlen, "deflateInit2 failed");
		close(b->fd);
		unlink(b->tmp_path);
		b->fd = -1;
		return -1;
	}
	b->open = true;
	b->inlen = 0;
	b->unflushed = b->cur_lines = b->cur_in = 0;
	return 0;
}

/* An upper bound of the size the batch would have with `more` bytes. */
static uint64_t
size_bound(struct batch *b, uint64_t more)
{
	unsigned pending = 0;
	int bits = 0;
	uint64_t in = b->unflushed + more;

	deflatePending(&b->z, &pending, &bits);
	/* Stored blocks: 5 bytes of header per 65535 bytes. */
	return b->z.total_out + pending + 1 + in + 5 * (in / 65535 + 1) +
	       GZIP_TRAILER_SLACK;
}

static int
write_meta(struct batch *b, const char *gz, char *err, size_t errlen)
{
	cJSON *o = cJSON_CreateObject();
	char *js = NULL, tmp[4200], dst[4200];
	int fd = -1, rc = -1;

	snprintf(tmp, sizeof(tmp), "%s/tmp/%s.json", b->spool, b->id);
	snprintf(dst, sizeof(dst), "%s/ready/%s.json", b->spool, b->id);
	if (o == NULL ||
	    !cJSON_AddStringToObject(o, "data_source", b->data_source) ||
	    !cJSON_AddBoolToObject(o, "snapshot", b->c.snapshot) ||
	    !cJSON_AddStringToObject(o, "source_type", b->source_type) ||
	    !cJSON_AddStringToObject(o, "file", gz) ||
	    !cJSON_AddNumberToObject(o, "lines", (double)b->cur_lines) ||
	    !cJSON_AddNumberToObject(o, "bytes", (double)b->cur_in) ||
	    !cJSON_AddNumberToObject(o, "compressed_bytes",
	                             (double)b->z.total_out) ||
	    (b->c.meta_cb != NULL && b->c.meta_cb(b->c.meta_arg, o) == -1) ||
	    (js = cJSON_PrintUnformatted(o)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	        -1 ||
	    write_all(fd, js, strlen(js)) == -1 ||
	    write_all(fd, "\n", 1) == -1 || fsync(fd) == -1 ||
	    rename(tmp, dst) == -1) {
		snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (fd != -1)
		close(fd);
	free(js);
	cJSON_Delete(o);
	return rc;
}

int
batch_seal(struct batch *b, char *err, size_t errlen)
{
	char dst[4200], dir[4200];
	int dfd;

	if (!b->open)
		return 0;
	if (drain(b, err, errlen) == -1 || pump(b, Z_FINISH, err, errlen) == -1)
		return -1;
	if (fsync(b->fd) == -1) {
		snprintf(err, errlen, "%s: fsync: %s", b->tmp_path,
		         strerror(errno));
		return -1;
	}
	close(b->fd);
	b->fd = -1;
	snprintf(dst, sizeof(dst), "%s/ready/%s.log.gz", b->spool, b->id);
	if (rename(b->tmp_path, dst) == -1) {
		snprintf(err, errlen, "%s: %s", dst, strerror(errno));
		return -1;
	}
	if (write_meta(b, dst, err, errlen) == -1)
		return -1;
	/* The renames are durable once the directory is. */
	snprintf(dir, sizeof(dir), "%s/ready", b->spool);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	b->lines += b->cur_lines;
	b->bytes_in += b->cur_in;
	b->bytes_out += b->z.total_out;
	b->count++;
	deflateEnd(&b->z);
	b->open = false;
	if (b->cb != NULL && b->cb(dst, b->cb_arg) == -1) {
		snprintf(err, errlen, "%s: sealed, not handed on", dst);
		return -1;
	}
	return 0;
}

int
batch_add(struct batch *b, struct slice line, char *err, size_t errlen)
{
	uint64_t need = line.len + 1;

	if (!b->open && batch_open(b, err, errlen) == -1)
		return -1;
	if (size_bound(b, need) > b->c.max_bytes) {
		if (b->unflushed > 0) {
			if (drain(b, err, errlen) == -1 ||
			    pump(b, Z_BLOCK, err, errlen) == -1)
				return -1;
			b->unflushed = 0;
		}
		if (size_bound(b, need) > b->c.max_bytes) {
			if (b->cur_lines == 0) {
				snprintf(
				    err, errlen,
				    "a %zu-byte line does not fit in a batch "
				    "of %llu bytes",
				    line.len,
				    (unsigned long long)b->c.max_bytes);
				return -1;
			}
			if (batch_seal(b, err, errlen) == -1 ||
			    batch_open(b, err, errlen) == -1)
				return -1;
		}
	}
	if (b->inlen + need > INBUF_BYTES && drain(b, err, errlen) == -1)
		return -1;
	if (need > INBUF_BYTES) {
		/* Only with LINE_MAX_BYTES > INBUF_BYTES: feed it directly. */
		b->z.next_in = (unsigned char *)(uintptr_t)line.p;
		b->z.avail_in = (unsigned)line.len;
		if (pump(b, Z_NO_FLUSH, err, errlen) == -1)
			return -1;
		b->in[b->inlen++] = '\n';
	} else {
		memcpy(b->in + b->inlen, line.p, line.len);
		b->in[b->inlen + line.len] = '\n';
		b->inlen += need;
	}
	b->unflushed += need;
	b->cur_lines++;
	b->cur_in += need;
	return 0;
}

uint64_t
batch_lines(const struct batch *b)
{
	return b->lines;
}

uint64_t
batch_bytes_in(const struct batch *b)
{
	return b->bytes_in;
}

uint64_t
batch_bytes_out(const struct batch *b)
{
	return b->bytes_out;
}

uint64_t
batch_open_lines(const struct batch *b)
{
	return b->open ? b->cur_lines : 0;
}

unsigned
batch_count(const struct batch *b)
{
	return b->count;
}

const char *
batch_source_type(const struct batch *b)
{
	return b->source_type;
}

void
batch_free(struct batch *b)
{
	if (b == NULL)
		return;
	if (b->open) {
		deflateEnd(&b->z);
		if (b->fd != -1)
			close(b->fd);
		unlink(b->tmp_path);
	}
	free(b->out);
	free(b->in);
	free(b->spool);
	free(b->data_source);
	free(b->source_type);
	free(b);
}
