/*
 * Batches of kept lines in gzip files: see batch.h.
 *
 * The compression is pdeflate's (one gzip member from blocks compressed in
 * parallel); a kept line is copied once, straight into the block being
 * filled.  The size limit is kept exactly without giving up compression:
 * a block never takes more room compressed than its bound, so
 *
 *	size <= bytes written + bound of every block not yet written
 *	        + bound(the block being filled, with this line) + trailer
 *
 * When that bound would pass the limit, every block is compressed and
 * written (pd_flush), which makes the size exact; only when the exact size
 * leaves no room is the batch sealed.  Away from the limit nothing waits.
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

#include "batch.h"
#include "limits.h"

static unsigned batch_seq;

struct batch {
	struct batch_conf c;
	char *spool, *data_source, *source_type;
	batch_sealed_cb *cb;
	void *cb_arg;
	struct pd_pool *own_pool; /* when the configuration gave none */
	struct pd *pd;
	/* the open batch */
	int fd;
	bool open;
	bool broken; /* a compression or write error: never sealed */
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
	struct pd_conf pc;

	if (b == NULL)
		goto nomem;
	b->c = *c;
	b->fd = -1;
	b->cb = cb;
	b->cb_arg = arg;
	if ((b->spool = strdup(c->spool)) == NULL ||
	    (b->data_source = strdup(c->data_source)) == NULL ||
	    (b->source_type = strdup(c->source_type)) == NULL)
		goto nomem;
	if (b->c.max_bytes == 0 || b->c.max_bytes > BATCH_MAX_BYTES_CEILING)
		b->c.max_bytes = BATCH_MAX_BYTES_CEILING;
	if (b->c.block == 0)
		b->c.block = PDEFLATE_BLOCK_BYTES;
	if (b->c.block <= LINE_MAX_BYTES) {
		snprintf(err, errlen,
		         "compression blocks must be larger "
		         "than a line");
		goto fail;
	}
	pc.engine = c->engine;
	pc.level = c->level;
	pc.block = b->c.block;
	if (c->pool == NULL &&
	    (b->own_pool =
	         pd_pool_new(c->threads > 0 ? c->threads : pd_default_threads(),
	                     err, errlen)) == NULL)
		goto fail;
	if ((b->pd = pd_new(c->pool ? c->pool : b->own_pool, &pc, err,
	                    errlen)) == NULL)
		goto fail;
	return b;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
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

/* Put the batch's file in front of a compression or write error. */
static void
fail_path(struct batch *b, char *err, size_t errlen)
{
	char e[512];

	snprintf(e, sizeof(e), "%s", err);
	snprintf(err, errlen, "%s: %s", b->tmp_path, e);
	b->broken = true;
}

/* Drop the open batch: its file goes, its lines are in no batch. */
static void
abandon(struct batch *b)
{
	if (b->fd != -1)
		close(b->fd);
	b->fd = -1;
	unlink(b->tmp_path);
	b->open = false;
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
	b->open = true;
	b->broken = false;
	b->cur_lines = b->cur_in = 0;
	/* A gzip wrapper: MDCA takes gzip. */
	if (pd_begin(b->pd, b->fd, err, errlen) == -1) {
		fail_path(b, err, errlen);
		return -1;
	}
	return 0;
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
	                             (double)pd_total_out(b->pd)) ||
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
	if (b->broken) {
		snprintf(err, errlen,
		         "%s: dropped after an earlier error: its %llu lines "
		         "are in no batch",
		         b->tmp_path, (unsigned long long)b->cur_lines);
		abandon(b);
		return -1;
	}
	if (pd_finish(b->pd, err, errlen) == -1) {
		fail_path(b, err, errlen);
		return -1;
	}
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
	b->bytes_out += pd_total_out(b->pd);
	b->count++;
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
	char *p;

	if (b->open && b->broken)
		abandon(b); /* its failure was reported */
	if (!b->open && batch_open(b, err, errlen) == -1)
		return -1;
	if (pd_bound(b->pd, need) > b->c.max_bytes) {
		/* Make the size exact: compress and write what is pending. */
		if (pd_flush(b->pd, err, errlen) == -1) {
			fail_path(b, err, errlen);
			return -1;
		}
		if (pd_bound(b->pd, need) > b->c.max_bytes) {
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
	if ((p = pd_room(b->pd, need, err, errlen)) == NULL) {
		fail_path(b, err, errlen);
		return -1;
	}
	memcpy(p, line.p, line.len);
	p[line.len] = '\n';
	pd_commit(b->pd, need);
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
	/* Waits for blocks still compressing before the file goes. */
	pd_free(b->pd);
	pd_pool_free(b->own_pool);
	if (b->open)
		abandon(b);
	free(b->spool);
	free(b->data_source);
	free(b->source_type);
	free(b);
}
