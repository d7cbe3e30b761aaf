/*
 * Followed files: see tail.h for the rotation protocol.
 *
 * A file's bytes are read with pread at `rd` into a buffer of
 * LINE_MAX_BYTES + TAIL_CHUNK; buf[start, len) are bytes read but not yet
 * given out as lines, so a line ends at rd - (len - i - 1).  The last
 * TAIL_MARKER_BYTES read are kept aside to recognise the file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "limits.h"
#include "log.h"
#include "tail.h"
#include "tail_fs.h"

#define TAIL_CHUNK      (64 * 1024)
#define TAIL_BUF_BYTES  (LINE_MAX_BYTES + TAIL_CHUNK)
#define TAIL_REMEMBERED 64

enum tf_state {
	TF_OPEN,     /* at its path */
	TF_GONE,     /* rotated away or deleted: draining */
	TF_FINISHED, /* drained; fd kept until its end is durable */
	TF_KNOWN,    /* closed; identity kept so it is not read again */
};

struct tail_file {
	struct tail *t;
	char *path;
	int fd;
	uint64_t dev, ino;
	enum tf_state state;
	int64_t rd; /* file offset read into buf */
	char *buf;
	size_t start, len;
	bool skipping; /* the rest of a too-long line */
	bool flush;    /* give out a last partial line, then finish */
	bool dirty;    /* may have bytes past rd */
	unsigned char mark[TAIL_MARKER_BYTES];
	size_t nmark; /* the bytes before rd */
	int64_t seen_size, seen_mtime;
	int64_t gone_at, data_at;
	int64_t done, ckpt_done; /* reader done / saved in a checkpoint */
	uint64_t end_marker;     /* TF_KNOWN: marker at rd */
	void *user;
	struct tail_file *next;
};

struct tail {
	struct tail_conf c;
	char *name;
	char **globs;
	struct tail_file *files;
	struct tail_file *cursor;
	int64_t now;
	struct tail_stats st;
	bool found; /* files added since tail_register */
};

static void
watch_dirs(struct tail *t)
{
	char dir[4096], *slash;

	if (t->c.fs == NULL)
		return;
	for (size_t i = 0; i < t->c.nglobs; i++) {
		snprintf(dir, sizeof(dir), "%s", t->globs[i]);
		if ((slash = strrchr(dir, '/')) == NULL)
			continue;
		*slash = '\0';
		if (strpbrk(dir, "*?[") != NULL)
			continue; /* a glob in the directory: polling only */
		(void)tail_fs_watch(t->c.fs, dir[0] ? dir : "/");
	}
}

struct tail *
tail_new(const struct tail_conf *c, char *err, size_t errlen)
{
	struct tail *t = calloc(1, sizeof(*t));

	if (t == NULL)
		goto nomem;
	t->c = *c;
	if ((t->name = strdup(c->name ? c->name : "")) == NULL ||
	    (t->globs = calloc(c->nglobs + 1, sizeof(char *))) == NULL)
		goto nomem;
	for (size_t i = 0; i < c->nglobs; i++)
		if ((t->globs[i] = strdup(c->globs[i])) == NULL)
			goto nomem;
	t->c.globs = t->globs;
	t->c.name = t->name;
	watch_dirs(t);
	return t;
nomem:
	snprintf(err, errlen, "out of memory");
	tail_free(t);
	return NULL;
}

static uint64_t
marker_at(int fd, int64_t off, unsigned char *out, size_t *nout)
{
	unsigned char tmp[TAIL_MARKER_BYTES];
	size_t want = off < TAIL_MARKER_BYTES ? (size_t)off : TAIL_MARKER_BYTES;
	ssize_t n = want ? pread(fd, tmp, want, off - (int64_t)want) : 0;

	if (n < 0)
		n = 0;
	if (out != NULL) {
		memcpy(out, tmp, (size_t)n);
		*nout = (size_t)n;
	}
	return (size_t)n == want ? checkpoint_hash(tmp, want)
	                         : checkpoint_hash(tmp, (size_t)n) ^ 1;
}

static struct tail_file *
file_add(struct tail *t, const char *path, int fd, const struct stat *st,
         int64_t off, enum tf_state state)
{
	struct tail_file *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->path = strdup(path)) == NULL ||
	    (f->buf = malloc(TAIL_BUF_BYTES)) == NULL) {
		if (f != NULL) {
			free(f->path);
			free(f);
		}
		log_warnx("%s: out of memory", path);
		return NULL;
	}
	f->t = t;
	f->fd = fd;
	f->dev = (uint64_t)st->st_dev;
	f->ino = (uint64_t)st->st_ino;
	f->state = state;
	f->rd = f->done = f->ckpt_done = off;
	f->dirty = true;
	f->data_at = f->gone_at = t->now;
	f->seen_size = st->st_size;
	f->seen_mtime =
	    (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	marker_at(fd, off, f->mark, &f->nmark);
	/* Oldest first: a rotated file's lines go before its successor's. */
	{
		struct tail_file **pp = &t->files;

		while (*pp != NULL)
			pp = &(*pp)->next;
		*pp = f;
	}
	t->st.files++;
	return f;
}

static void
file_close(struct tail_file *f)
{
	if (f->fd != -1) {
		f->end_marker = marker_at(f->fd, f->rd, NULL, NULL);
		close(f->fd);
		f->fd = -1;
	}
	free(f->buf);
	f->buf = NULL;
	f->state = TF_KNOWN;
}

static void
file_free(struct tail *t, struct tail_file *f)
{
	if (t->c.file_gone != NULL && f->user != NULL)
		t->c.file_gone(t->c.arg, f->user);
	if (f->fd != -1)
		close(f->fd);
	free(f->buf);
	free(f->path);
	free(f);
}

void
tail_reset(struct tail_file *f, const char *why)
{
	struct tail *t = f->t;

	log_info("%s: %s: %s; reading it from the start", t->name, f->path,
	         why);
	f->rd = 0;
	f->start = f->len = 0;
	f->skipping = f->flush = false;
	f->nmark = 0;
	f->done = 0;
	f->dirty = true;
	t->st.truncations++;
	if (t->c.file_reset != NULL && f->user != NULL)
		t->c.file_reset(t->c.arg, f->user);
}

/* An open file's identity and size against its fd and its path. */
static void
check_file(struct tail *t, struct tail_file *f)
{
	struct stat fst, pst;
	int64_t mtime;

	if (fstat(f->fd, &fst) == -1) {
		log_warn("%s: %s", t->name, f->path);
		return;
	}
	mtime = (int64_t)fst.st_mtim.tv_sec * 1000000000 + fst.st_mtim.tv_nsec;
	if (fst.st_size < f->rd) {
		tail_reset(f, "truncated");
	} else if ((fst.st_size != f->seen_size || mtime != f->seen_mtime) &&
	           f->nmark > 0) {
		unsigned char now[TAIL_MARKER_BYTES];
		ssize_t n =
		    pread(f->fd, now, f->nmark, f->rd - (int64_t)f->nmark);

		if (n != (ssize_t)f->nmark || memcmp(now, f->mark, f->nmark))
			tail_reset(f, "rewritten (truncated and written "
			              "again)");
	}
	f->seen_size = fst.st_size;
	f->seen_mtime = mtime;
	if (fst.st_size > f->rd)
		f->dirty = true;
	if (f->state != TF_OPEN)
		return;
	if (fst.st_nlink == 0) {
		log_verbose("%s: %s was deleted; draining it", t->name,
		            f->path);
		t->st.deletions++;
		f->state = TF_GONE;
		f->gone_at = t->now;
	} else if (stat(f->path, &pst) == -1 ||
	           (uint64_t)pst.st_dev != f->dev ||
	           (uint64_t)pst.st_ino != f->ino) {
		log_verbose("%s: %s was rotated; draining the old file",
		            t->name, f->path);
		t->st.rotations++;
		f->state = TF_GONE;
		f->gone_at = t->now;
	}
}

static struct tail_file *
find_id(struct tail *t, uint64_t dev, uint64_t ino)
{
	for (struct tail_file *f = t->files; f != NULL; f = f->next)
		if (f->dev == dev && f->ino == ino)
			return f;
	return NULL;
}

static void
unlink_file(struct tail *t, struct tail_file *g)
{
	for (struct tail_file **pp = &t->files; *pp != NULL; pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	if (t->cursor == g)
		t->cursor = NULL;
	file_free(t, g);
}

/* A file matching a glob: new, or one we know. */
static void
consider(struct tail *t, const char *path)
{
	struct stat st;
	struct tail_file *f;
	int fd;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
		return;
	f = find_id(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
	if (f != NULL && f->state != TF_KNOWN)
		return;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		log_warn("%s: %s", t->name, path);
		return;
	}
	if (fstat(fd, &st) == -1) {
		close(fd);
		return;
	}
	if (f != NULL) {
		/* Read before: the same file (its bytes up to where we
		 * stopped are unchanged), or a new one with a reused inode. */
		if (st.st_size >= f->rd &&
		    marker_at(fd, f->rd, NULL, NULL) == f->end_marker) {
			close(fd);
			return;
		}
		log_info("%s: %s reuses the inode of a file read before: a "
		         "new file",
		         t->name, path);
		unlink_file(t, f);
	}
	log_verbose("%s: following %s", t->name, path);
	if (file_add(t, path, fd, &st, 0, TF_OPEN) == NULL)
		close(fd);
	else
		t->found = true;
}

static void
scan_globs(struct tail *t)
{
	for (size_t i = 0; i < t->c.nglobs; i++) {
		glob_t g;

		memset(&g, 0, sizeof(g));
		if (glob(t->globs[i], 0, NULL, &g) == 0)
			for (size_t k = 0; k < g.gl_pathc; k++)
				consider(t, g.gl_pathv[k]);
		globfree(&g);
	}
}

/* Keep at most TAIL_REMEMBERED closed files: drop the oldest. */
static void
trim_known(struct tail *t)
{
	size_t n = 0;
	struct tail_file *last = NULL;

	for (struct tail_file *f = t->files; f != NULL; f = f->next)
		if (f->state == TF_KNOWN && n++ == 0)
			last = f; /* the list is oldest first */
	if (n > TAIL_REMEMBERED && last != NULL)
		unlink_file(t, last);
}

void
tail_tick(struct tail *t, int64_t now_ms)
{
	t->now = now_ms;
	for (struct tail_file *f = t->files; f != NULL; f = f->next) {
		if (f->fd == -1 || f->state == TF_FINISHED)
			continue;
		check_file(t, f);
		if (f->state != TF_GONE || f->dirty)
			continue;
		/* Drained: finish after rotate_wait without new bytes. */
		if (now_ms -
		        (f->data_at > f->gone_at ? f->data_at : f->gone_at) >=
		    t->c.rotate_wait_ms)
			f->flush = true;
	}
	scan_globs(t);
	trim_known(t);
}

/* Read more of f into its buffer: bytes read, 0 at the end, -1 error. */
static ssize_t
fill(struct tail_file *f)
{
	ssize_t n;

	if (f->start > 0) {
		memmove(f->buf, f->buf + f->start, f->len - f->start);
		f->len -= f->start;
		f->start = 0;
	}
	if (f->len == TAIL_BUF_BYTES)
		return 0;
	n = pread(f->fd, f->buf + f->len, TAIL_BUF_BYTES - f->len, f->rd);
	if (n <= 0) {
		if (n == -1 && errno != EINTR && errno != EAGAIN)
			log_warn("%s: %s", f->t->name, f->path);
		return n == -1 && errno == EINTR ? 1 : n;
	}
	/* The marker: the last TAIL_MARKER_BYTES before the new rd. */
	if ((size_t)n >= TAIL_MARKER_BYTES) {
		memcpy(f->mark, f->buf + f->len + n - TAIL_MARKER_BYTES,
		       TAIL_MARKER_BYTES);
		f->nmark = TAIL_MARKER_BYTES;
	} else {
		size_t keep = f->nmark + (size_t)n > TAIL_MARKER_BYTES
		                  ? TAIL_MARKER_BYTES - (size_t)n
		                  : f->nmark;

		memmove(f->mark, f->mark + f->nmark - keep, keep);
		memcpy(f->mark + keep, f->buf + f->len, (size_t)n);
		f->nmark = keep + (size_t)n;
	}
	f->len += (size_t)n;
	f->rd += n;
	f->data_at = f->t->now;
	f->t->st.bytes += (uint64_t)n;
	return n;
}

/* A line out of f's buffer: 1, or 0 when it holds no complete line. */
static int
take_line(struct tail_file *f, struct tail_line *out)
{
	for (;;) {
		char *p = f->buf + f->start;
		size_t avail = f->len - f->start;
		char *nl = memchr(p, '\n', avail);

		if (f->skipping) {
			if (nl == NULL) {
				f->start = f->len;
				return 0;
			}
			f->start += (size_t)(nl - p) + 1;
			f->skipping = false;
			continue;
		}
		if (nl != NULL && (size_t)(nl - p) <= LINE_MAX_BYTES) {
			out->line = (struct slice){p, (size_t)(nl - p)};
			out->too_long = false;
			f->start += (size_t)(nl - p) + 1;
		} else if (avail >= LINE_MAX_BYTES) {
			out->line = (struct slice){p, LINE_MAX_BYTES};
			out->too_long = true;
			f->start += LINE_MAX_BYTES;
			f->skipping = true;
		} else if (f->flush && avail > 0) {
			/* The last line of a finished file: no newline will
			 * ever come. */
			out->line = (struct slice){p, avail};
			out->too_long = false;
			f->start = f->len;
		} else
			return 0;
		out->file = f;
		out->end = f->rd - (int64_t)(f->len - f->start);
		return 1;
	}
}

int
tail_next_line(struct tail *t, struct tail_line *out)
{
	struct tail_file *f = t->cursor ? t->cursor : t->files;

	/* Round robin from where the last line came from. */
	for (int lap = 0; lap < 2 && t->files != NULL; lap++) {
		for (; f != NULL; f = f->next) {
			if (f->fd == -1 || f->state == TF_FINISHED)
				continue;
			for (;;) {
				ssize_t n;

				if (take_line(f, out) == 1) {
					t->cursor = f;
					return 1;
				}
				if (!f->dirty || (n = fill(f)) <= 0) {
					f->dirty = false;
					break;
				}
			}
			if (f->flush && f->start == f->len) {
				log_verbose("%s: %s finished", t->name,
				            f->path);
				f->state = TF_FINISHED;
			}
		}
		f = t->files;
	}
	t->cursor = NULL;
	return 0;
}

void
tail_file_done(struct tail_file *f, int64_t end)
{
	if (end > f->done && end <= f->rd)
		f->done = end;
}

static void
add_entry(struct checkpoint *c, struct tail_file *f, int *rc)
{
	struct ckpt_file e = {
	    .path = f->path,
	    .dev = f->dev,
	    .ino = f->ino,
	    .offset = f->state == TF_KNOWN ? f->rd : f->done,
	};

	e.marker = f->fd == -1 ? f->end_marker
	                       : marker_at(f->fd, e.offset, NULL, NULL);
	if (checkpoint_add_file(c, &e) == -1)
		*rc = -1;
	f->ckpt_done = e.offset;
}

int
tail_checkpoint(struct tail *t, struct checkpoint *c)
{
	int rc = 0;

	for (struct tail_file *f = t->files; f != NULL; f = f->next)
		add_entry(c, f, &rc);
	return rc;
}

int
tail_register(struct tail *t, struct checkpoint *c)
{
	int n = 0;

	if (!t->found)
		return 0;
	t->found = false;
	for (struct tail_file *f = t->files; f != NULL; f = f->next) {
		struct ckpt_file e = {.path = f->path,
		                      .dev = f->dev,
		                      .ino = f->ino,
		                      .offset = f->ckpt_done};
		bool have = false;

		for (size_t i = 0; i < c->nfiles && !have; i++)
			have = c->files[i].dev == f->dev &&
			       c->files[i].ino == f->ino;
		if (have || f->fd == -1)
			continue;
		e.marker = marker_at(f->fd, e.offset, NULL, NULL);
		if (checkpoint_add_file(c, &e) == -1)
			return -1;
		n++;
	}
	return n;
}

void
tail_committed(struct tail *t)
{
	for (struct tail_file *f = t->files; f != NULL; f = f->next)
		if (f->state == TF_FINISHED && f->ckpt_done == f->rd &&
		    f->start == f->len) {
			if (t->c.file_gone != NULL && f->user != NULL)
				t->c.file_gone(t->c.arg, f->user);
			f->user = NULL;
			file_close(f);
		}
}

/* A file in the directory of `path` with this identity (rotated while we
 * were down): its path into out, or false. */
static bool
find_in_dir(const char *path, uint64_t dev, uint64_t ino, char *out,
            size_t outlen)
{
	char dir[4096], *slash, p[8200];
	DIR *d;
	struct dirent *e;
	struct stat st;
	bool found = false;

	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		return false;
	*slash = '\0';
	if ((d = opendir(dir[0] ? dir : "/")) == NULL)
		return false;
	while (!found && (e = readdir(d)) != NULL) {
		if (e->d_ino != ino)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) == 0 && (uint64_t)st.st_dev == dev &&
		    (uint64_t)st.st_ino == ino && S_ISREG(st.st_mode)) {
			snprintf(out, outlen, "%s", p);
			found = true;
		}
	}
	closedir(d);
	return found;
}

static void
resume_one(struct tail *t, const struct ckpt_file *c)
{
	char where[8200];
	struct stat st;
	enum tf_state state = TF_OPEN;
	int64_t off = c->offset;
	struct tail_file *f;
	int fd;

	if (find_id(t, c->dev, c->ino) != NULL)
		return;
	if (stat(c->path, &st) == 0 && (uint64_t)st.st_dev == c->dev &&
	    (uint64_t)st.st_ino == c->ino)
		snprintf(where, sizeof(where), "%s", c->path);
	else if (find_in_dir(c->path, c->dev, c->ino, where, sizeof(where)))
		state = TF_GONE; /* rotated while we were down */
	else {
		log_info("%s: %s (inode %llu, offset %lld) is gone since the "
		         "last run",
		         t->name, c->path, (unsigned long long)c->ino,
		         (long long)c->offset);
		return;
	}
	if ((fd = open(where, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1 ||
	    fstat(fd, &st) == -1) {
		log_warn("%s: %s", t->name, where);
		if (fd != -1)
			close(fd);
		return;
	}
	if (st.st_size < off || marker_at(fd, off, NULL, NULL) != c->marker) {
		if (state == TF_GONE) {
			log_info("%s: %s (once %s) no longer holds what was "
			         "read of it (size %lld, offset %lld): not "
			         "resumed",
			         t->name, where, c->path, (long long)st.st_size,
			         (long long)off);
			close(fd);
			return;
		}
		log_info("%s: %s changed while discolog was down (inode "
		         "reused or rewritten): reading it from the start",
		         t->name, c->path);
		off = 0;
	} else if (state == TF_GONE)
		log_info("%s: %s was rotated to %s while discolog was down; "
		         "draining it from offset %lld",
		         t->name, c->path, where, (long long)off);
	if ((f = file_add(t, c->path, fd, &st, off, state)) == NULL) {
		close(fd);
		return;
	}
	if (state == TF_GONE && st.st_size == off) {
		/* Read to its end before: only remember it. */
		file_close(f);
	}
}

int
tail_resume(struct tail *t, const struct ckpt_file *f, size_t n, int64_t now_ms)
{
	t->now = now_ms;
	for (size_t i = 0; i < n; i++)
		resume_one(t, &f[i]);
	return 0;
}

void
tail_file_set_user(struct tail_file *f, void *user)
{
	f->user = user;
}

void *
tail_file_user(const struct tail_file *f)
{
	return f->user;
}

const char *
tail_file_path(const struct tail_file *f)
{
	return f->path;
}

void
tail_get_stats(const struct tail *t, struct tail_stats *s)
{
	*s = t->st;
	s->files = 0;
	for (struct tail_file *f = t->files; f != NULL; f = f->next)
		if (f->fd != -1)
			s->files++;
}

void
tail_visit(const struct tail *t, tail_visit_fn *fn, void *arg)
{
	for (struct tail_file *f = t->files; f != NULL; f = f->next)
		if (f->state != TF_KNOWN)
			fn(arg, f->path, f->done, f->seen_size,
			   f->state != TF_OPEN);
}

void
tail_free(struct tail *t)
{
	if (t == NULL)
		return;
	while (t->files != NULL) {
		struct tail_file *f = t->files;

		t->files = f->next;
		file_free(t, f);
	}
	if (t->globs != NULL)
		for (size_t i = 0; i < t->c.nglobs; i++)
			free(t->globs[i]);
	free(t->globs);
	free(t->name);
	free(t);
}
