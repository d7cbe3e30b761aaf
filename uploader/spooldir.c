/*
 * Spool directories: see spooldir.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "input.h"
#include "log.h"
#include "spooldir.h"

enum sf_state {
	SF_SETTLING, /* seen, not yet stable */
	SF_READING,  /* taken */
	SF_EOF,      /* read to its end; its last line not yet durable */
	SF_WAITING,  /* complete: waiting for its batches */
};

struct spool_file {
	struct spooldir *sd;
	char *path;
	size_t dir; /* index into the dirs */
	enum sf_state state;
	uint64_t dev, ino;
	int64_t size, mtime, stable_since;
	struct input *in;
	uint64_t member;      /* members started */
	uint64_t skip_member; /* resume: lines up to here were read */
	uint64_t skip_line;
	uint64_t done_member, done_line; /* reader done up to here */
	uint64_t last_member, last_line; /* the last line given out */
	uint64_t wait_gen;
	bool seen; /* in this scan */
	void *user;
	struct spool_file *next;
};

struct spooldir {
	struct spooldir_conf c;
	char *name, **dirs, *done_dir;
	struct spool_file *files;
	int64_t now;
	unsigned ndone;
};

struct spooldir *
spooldir_new(const struct spooldir_conf *c, char *err, size_t errlen)
{
	struct spooldir *sd = calloc(1, sizeof(*sd));

	if (sd == NULL)
		goto nomem;
	sd->c = *c;
	if ((sd->name = strdup(c->name ? c->name : "")) == NULL ||
	    (sd->dirs = calloc(c->ndirs + 1, sizeof(char *))) == NULL ||
	    (c->done_dir != NULL &&
	     (sd->done_dir = strdup(c->done_dir)) == NULL))
		goto nomem;
	for (size_t i = 0; i < c->ndirs; i++)
		if ((sd->dirs[i] = strdup(c->dirs[i])) == NULL)
			goto nomem;
	sd->c.dirs = sd->dirs;
	return sd;
nomem:
	snprintf(err, errlen, "out of memory");
	spooldir_free(sd);
	return NULL;
}

static struct spool_file *
file_new(struct spooldir *sd, const char *path, size_t dir,
         const struct stat *st)
{
	struct spool_file *f = calloc(1, sizeof(*f)), **pp;

	if (f == NULL || (f->path = strdup(path)) == NULL) {
		free(f);
		return NULL;
	}
	f->sd = sd;
	f->dir = dir;
	f->dev = (uint64_t)st->st_dev;
	f->ino = (uint64_t)st->st_ino;
	f->size = st->st_size;
	f->mtime = (int64_t)st->st_mtim.tv_sec;
	f->stable_since = sd->now;
	for (pp = &sd->files; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = f;
	return f;
}

static void
file_free(struct spool_file *f)
{
	input_close(f->in);
	free(f->path);
	free(f);
}

static void
file_remove(struct spooldir *sd, struct spool_file *g)
{
	for (struct spool_file **pp = &sd->files; *pp != NULL;
	     pp = &(*pp)->next)
		if (*pp == g) {
			*pp = g->next;
			break;
		}
	file_free(g);
}

void
spooldir_resume(struct spooldir *sd, const struct ckpt_spool *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		struct spool_file *f;
		size_t dir = 0;

		if (stat(e[i].path, &st) == -1 ||
		    (uint64_t)st.st_dev != e[i].dev ||
		    (uint64_t)st.st_ino != e[i].ino ||
		    st.st_size != e[i].size ||
		    (int64_t)st.st_mtim.tv_sec != e[i].mtime)
			continue; /* moved away or replaced: not ours */
		for (size_t k = 0; k < sd->c.ndirs; k++)
			if (strncmp(e[i].path, sd->dirs[k],
			            strlen(sd->dirs[k])) == 0)
				dir = k;
		if ((f = file_new(sd, e[i].path, dir, &st)) == NULL)
			continue;
		if (e[i].complete) {
			f->state = SF_WAITING;
			f->wait_gen = e[i].wait_gen;
		} else {
			f->state = SF_READING;
			f->skip_member = e[i].member;
			f->skip_line = e[i].line;
			f->done_member = e[i].member;
			f->done_line = e[i].line;
			log_info("%s: %s: resuming after member %llu line %llu",
			         sd->name, f->path,
			         (unsigned long long)e[i].member,
			         (unsigned long long)e[i].line);
		}
	}
}

static struct spool_file *
find_path(struct spooldir *sd, const char *path)
{
	for (struct spool_file *f = sd->files; f != NULL; f = f->next)
		if (strcmp(f->path, path) == 0)
			return f;
	return NULL;
}

static void
scan_dir(struct spooldir *sd, size_t k)
{
	DIR *d = opendir(sd->dirs[k]);
	struct dirent *e;

	if (d == NULL) {
		if (errno != ENOENT)
			log_warn("%s: %s", sd->name, sd->dirs[k]);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char p[8200];
		struct stat st;
		struct spool_file *f;

		/* Dot files are uploads in progress (rsync, many FTP
		 * servers): never taken. */
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", sd->dirs[k], e->d_name);
		if (stat(p, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if ((f = find_path(sd, p)) == NULL) {
			if ((f = file_new(sd, p, k, &st)) == NULL)
				continue;
		} else if (f->state == SF_SETTLING &&
		           (st.st_size != f->size ||
		            (int64_t)st.st_mtim.tv_sec != f->mtime ||
		            (uint64_t)st.st_ino != f->ino)) {
			f->size = st.st_size;
			f->mtime = (int64_t)st.st_mtim.tv_sec;
			f->ino = (uint64_t)st.st_ino;
			f->dev = (uint64_t)st.st_dev;
			f->stable_since = sd->now;
		}
		f->seen = true;
	}
	closedir(d);
}

void
spooldir_tick(struct spooldir *sd, int64_t now_ms)
{
	struct spool_file *f, *next;

	sd->now = now_ms;
	for (f = sd->files; f != NULL; f = f->next)
		f->seen = false;
	for (size_t k = 0; k < sd->c.ndirs; k++)
		scan_dir(sd, k);
	/* A settling file that went away was never ours. */
	for (f = sd->files; f != NULL; f = next) {
		next = f->next;
		if (f->state == SF_SETTLING && !f->seen)
			file_remove(sd, f);
	}
}

/* The file to read now: one being read, else the oldest settled one. */
static struct spool_file *
current(struct spooldir *sd)
{
	struct spool_file *best = NULL;

	for (struct spool_file *f = sd->files; f != NULL; f = f->next) {
		if (f->state == SF_READING)
			return f;
		if (f->state == SF_SETTLING &&
		    sd->now - f->stable_since >= sd->c.settle_ms &&
		    (best == NULL || f->mtime < best->mtime))
			best = f;
	}
	if (best != NULL) {
		log_info("%s: taking %s (%lld bytes)", sd->name, best->path,
		         (long long)best->size);
		best->state = SF_READING;
	}
	return best;
}

enum spooldir_next
spooldir_next_line(struct spooldir *sd, struct spooldir_line *out)
{
	struct spool_file *f;
	char err[512];

	while ((f = current(sd)) != NULL) {
		const char *name;
		int r;

		if (f->in == NULL) {
			if ((f->in = input_open(f->path, err, sizeof(err))) ==
			    NULL) {
				log_warnx("%s: %s", sd->name, err);
				goto ended;
			}
			f->member = 0;
			if ((r = input_next_member(f->in, &name, err,
			                           sizeof(err))) != 1)
				goto member_failed;
			f->member = 1;
		}
		for (;;) {
			r = input_next_line(f->in, &out->line, &out->lineno,
			                    &out->too_long, err, sizeof(err));
			if (r != 1)
				break;
			/* Read before a restart: skip. */
			if (f->member < f->skip_member ||
			    (f->member == f->skip_member &&
			     out->lineno <= f->skip_line))
				continue;
			out->file = f;
			out->member = f->member;
			f->last_member = f->member;
			f->last_line = out->lineno;
			return SPOOLDIR_LINE;
		}
		if (r == -1)
			log_warnx("%s: %s: %s: the rest of it is not read",
			          sd->name, f->path, err);
		out->file = f;
		if (r == 0 && (r = input_next_member(f->in, &name, err,
		                                     sizeof(err))) == 1) {
			f->member++;
			return SPOOLDIR_MEMBER_END;
		}
	member_failed:
		if (r == -1)
			log_warnx("%s: %s: %s", sd->name, f->path, err);
	ended:
		input_close(f->in);
		f->in = NULL;
		f->state = SF_EOF;
		out->file = f;
		return SPOOLDIR_MEMBER_END;
	}
	return SPOOLDIR_NONE;
}

void
spooldir_file_done(struct spool_file *f, uint64_t member, uint64_t lineno)
{
	f->done_member = member;
	f->done_line = lineno;
}

int
spooldir_checkpoint(struct spooldir *sd, struct checkpoint *c)
{
	for (struct spool_file *f = sd->files; f != NULL; f = f->next) {
		struct ckpt_spool e = {
		    .path = f->path,
		    .dev = f->dev,
		    .ino = f->ino,
		    .size = f->size,
		    .mtime = f->mtime,
		    .member = f->done_member,
		    .line = f->done_line,
		};

		if (f->state == SF_SETTLING)
			continue;
		/* Read to the end and every line through: complete once
		 * this commit is durable. */
		if (f->state == SF_EOF &&
		    (f->last_line == 0 || (f->done_member == f->last_member &&
		                           f->done_line == f->last_line))) {
			f->state = SF_WAITING;
			f->wait_gen = c->gen;
		}
		e.complete = f->state == SF_WAITING;
		e.wait_gen = f->wait_gen;
		if (checkpoint_add_spool(c, &e) == -1)
			return -1;
	}
	return 0;
}

static int
move_done(struct spooldir *sd, struct spool_file *f)
{
	char dir[4200], dst[8400];
	const char *base = strrchr(f->path, '/') + 1;

	if (sd->c.delete_done)
		return unlink(f->path);
	if (sd->done_dir != NULL)
		snprintf(dir, sizeof(dir), "%s", sd->done_dir);
	else
		snprintf(dir, sizeof(dir), "%s/done", sd->dirs[f->dir]);
	if (mkdir(dir, 0750) == -1 && errno != EEXIST)
		return -1;
	snprintf(dst, sizeof(dst), "%s/%s", dir, base);
	/* Never overwrite an earlier file of the same name. */
	for (int i = 1; access(dst, F_OK) == 0 && i < 1000; i++)
		snprintf(dst, sizeof(dst), "%s/%s.%d", dir, base, i);
	return rename(f->path, dst);
}

void
spooldir_finish(struct spooldir *sd, bool (*pending)(void *, uint64_t),
                void *arg)
{
	struct spool_file *f, *next;

	for (f = sd->files; f != NULL; f = next) {
		next = f->next;
		if (f->state != SF_WAITING || pending(arg, f->wait_gen))
			continue;
		if (move_done(sd, f) == -1) {
			log_warn("%s: %s: cannot move it to done/", sd->name,
			         f->path);
			continue;
		}
		log_info("%s: %s: every line uploaded; %s", sd->name, f->path,
		         sd->c.delete_done ? "deleted" : "moved to done/");
		sd->ndone++;
		file_remove(sd, f);
	}
}

void
spooldir_file_set_user(struct spool_file *f, void *user)
{
	f->user = user;
}

void *
spooldir_file_user(const struct spool_file *f)
{
	return f->user;
}

const char *
spooldir_file_path(const struct spool_file *f)
{
	return f->path;
}

void
spooldir_visit(const struct spooldir *sd, spooldir_visit_fn *fn, void *arg)
{
	for (struct spool_file *f = sd->files; f != NULL; f = f->next)
		if (f->state != SF_SETTLING)
			fn(arg, f->path, f->done_member, f->done_line,
			   f->state == SF_WAITING);
}

unsigned
spooldir_done_count(const struct spooldir *sd)
{
	return sd->ndone;
}

void
spooldir_free(struct spooldir *sd)
{
	if (sd == NULL)
		return;
	while (sd->files != NULL) {
		struct spool_file *f = sd->files;

		sd->files = f->next;
		file_free(f);
	}
	if (sd->dirs != NULL)
		for (size_t i = 0; i < sd->c.ndirs; i++)
			free(sd->dirs[i]);
	free(sd->dirs);
	free(sd->done_dir);
	free(sd->name);
	free(sd);
}
