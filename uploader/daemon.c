/*
 * `discolog run`: the daemon.  It follows files and spool directories,
 * keeps what Cloud Discovery needs in one batch per source, seals batches
 * into the spool at their size or age limit, and has the shipper (a
 * worker thread, shipper.h) upload them one ledger step at a time.
 *
 * Durability, in the order things happen:
 *
 *	1. a line is read (tail.c, spooldir.c) and goes through the pipeline
 *	   (pipeline_stream): kept into the open batch, or dropped; either
 *	   way the input's "done" position moves past it;
 *	2. a batch is sealed (size, age, a change of source type, SIGTERM,
 *	   reload): its description gets the source's checkpoint -- every
 *	   done position, generation gen+1 -- and is renamed into ready/
 *	   after the data: batch and positions become durable in one rename;
 *	3. the checkpoint file is written (atomically) and the batch handed
 *	   to the shipper; only now may it be uploaded and deleted;
 *	4. on restart the newer of checkpoint file and batch descriptions
 *	   wins (checkpoint.h), so a crash anywhere repeats no line and loses
 *	   none: lines after the checkpoint were in no sealed batch.
 *
 * Dropped lines alone (no batch open) are committed the same way without
 * a batch.  The upload side is the ledger's (ledger.h).
 *
 * The loop: poll() over the signal fd, the inotify fd (and whatever fds
 * other modules add: the syslog receiver, metrics) with a timer for the
 * stat polls, ages, commits and status.json.  Each turn reads at most
 * DAEMON_LINES_PER_TURN lines per source, so a busy source cannot starve
 * the others or the signals.
 *
 * SIGHUP reloads the configuration: a source whose settings changed (or
 * that was removed) seals its batch and commits, then is reopened from
 * its checkpoint -- no line lost, none repeated; unchanged sources go on
 * untouched.  SIGTERM lets the lines held for detection through, seals,
 * commits, lets the upload step in flight finish and exits.
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "checkpoint.h"
#include "cli.h"
#include "filter.h"
#include "limits.h"
#include "log.h"
#include "loop.h"
#include "priv.h"
#include "mdca.h"
#include "metrics.h"
#include "pipeline.h"
#include "sdnotify.h"
#include "secret.h"
#include "shipper.h"
#include "spool.h"
#include "spooldir.h"
#include "syslogd.h"
#include "tail.h"
#include "tail_fs.h"

#define HEAD_FLUSH_MS   2000 /* lines held for detection at most */
#define STATUS_EVERY_MS 1000
#define SPOOL_TAG_BITS  40 /* spool line tags: member << 40 | line */

struct source;

/* One file's way through the pipeline. */
struct stream {
	struct source *src;
	struct pipeline_stream *ps;
	struct tail_file *tf; /* or */
	struct spool_file *sf;
	uint64_t lineno;
	int64_t held_since; /* lines held for detection since (ms) */
	struct stream *next;
};

struct source {
	struct daemon *d;
	char *name;
	const struct conf_source *cs; /* into d->conf */
	struct filter filter;
	struct pipeline pl;
	struct tail *tail;
	struct spooldir *sd;
	struct syslogd *syslog;
	struct stream *streams;
	struct batch *batch;
	char *batch_type;
	int64_t batch_started;       /* ms of the open batch's first line */
	uint64_t batch_lines;        /* in the open batch */
	uint64_t gen;                /* commits so far */
	struct checkpoint ckpt;      /* being committed */
	struct checkpoint committed; /* the last durable one */
	bool uncommitted;            /* lines done since the last commit */
	bool paused;
	/* counters of finished streams (live ones are added at report) */
	uint64_t lines, kept, rejected, skipped, too_long;
	uint64_t dropped[FILTER_NREASONS];
	uint64_t sealed, sealed_lines;
	uint64_t bytes_read;
	char last_error[512];
	struct source *next;
};

struct daemon {
	struct cli cli;
	struct conf *conf; /* cli.conf */
	char *state, spool[4200], ckdir[4200];
	struct loop *loop;
	struct tail_fs *fs;
	struct shipper *ship;
	struct metrics *metrics;
	struct source *sources;
	int sigfd, lockfd, spool_lockfd;
	bool stop, reload, tick, foreground;
	int64_t started, last_status;
	int argc;
	char **argv;
};

static void source_free(struct source *src, bool commit);

/* ---- the pipeline's ends ---- */

static void
accumulate(struct source *src, const struct member_stats *st)
{
	src->lines += st->lines;
	src->kept += st->dropped[FILTER_KEEP];
	src->rejected += st->verdicts[PARSE_REJECT];
	src->skipped += st->verdicts[PARSE_SKIP];
	src->too_long += st->too_long;
	for (int i = 1; i < FILTER_NREASONS; i++)
		src->dropped[i] += st->dropped[i];
}

static void
stream_free(struct stream *s)
{
	struct source *src = s->src;

	for (struct stream **pp = &src->streams; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	accumulate(src, pipeline_stream_stats(s->ps));
	pipeline_stream_free(s->ps);
	free(s);
}

static int commit(struct source *src, bool with_batch);

/* The spool is (nearly) full: inputs that can wait do (shipper.h). */
static bool
must_pause(struct source *src)
{
	uint64_t reserve = src->cs->batch_max_bytes ? src->cs->batch_max_bytes
	                                            : src->d->conf->max_batch;

	return shipper_over_quota(src->d->ship, reserve);
}

/* After a seal: the checkpoint file, then the shipper may have it. */
static int
on_sealed(const char *path, void *arg)
{
	struct source *src = arg;
	struct daemon *d = src->d;
	char err[512];
	struct stat st;

	if (checkpoint_save(d->ckdir, &src->ckpt, err, sizeof(err)) == -1)
		log_warnx("%s: checkpoint: %s (the batch holds it: kept)",
		          src->name, err);
	src->gen = src->ckpt.gen;
	checkpoint_copy(&src->committed, &src->ckpt);
	if (src->tail != NULL)
		tail_committed(src->tail);
	src->sealed++;
	src->sealed_lines += src->batch_lines;
	if (shipper_add(d->ship, path, src->name, src->gen,
	                stat(path, &st) == 0 ? (uint64_t)st.st_size : 0,
	                src->batch_lines) == -1)
		log_warnx("%s: out of memory", src->name);
	log_verbose("%s: sealed %s (%llu lines)", src->name,
	            strrchr(path, '/') + 1,
	            (unsigned long long)src->batch_lines);
	src->batch_lines = 0;
	src->batch_started = 0;
	src->uncommitted = false;
	src->paused = must_pause(src);
	syslogd_pause(src->syslog, src->paused);
	if (shipper_enforce_quota(d->ship) > 0)
		snprintf(src->last_error, sizeof(src->last_error),
		         "spool quota reached: oldest batches dropped");
	return 0;
}

/* The checkpoint of everything done so far, as generation gen+1. */
static int
build_checkpoint(struct source *src)
{
	checkpoint_clear(&src->ckpt);
	if ((src->ckpt.source = strdup(src->name)) == NULL)
		return -1;
	src->ckpt.gen = src->gen + 1;
	if (src->tail != NULL && tail_checkpoint(src->tail, &src->ckpt) == -1)
		return -1;
	if (src->sd != NULL && spooldir_checkpoint(src->sd, &src->ckpt) == -1)
		return -1;
	return 0;
}

/* batch.c asks for the description's extra members at a seal. */
static int
on_meta(void *arg, cJSON *o)
{
	struct source *src = arg;
	cJSON *c;

	if (build_checkpoint(src) == -1 ||
	    (c = checkpoint_to_json(&src->ckpt)) == NULL)
		return -1;
	if (!cJSON_AddStringToObject(o, "source", src->name)) {
		cJSON_Delete(c);
		return -1;
	}
	cJSON_AddItemToObject(o, "checkpoint", c);
	return 0;
}

/*
 * Make what is done durable: seal the open batch (with_batch) or, when
 * no batch is open, write the checkpoint alone.  0 or -1.
 */
static int
commit(struct source *src, bool with_batch)
{
	char err[512];

	if (src->batch != NULL && batch_open_lines(src->batch) > 0) {
		if (!with_batch)
			return 0;
		if (batch_seal(src->batch, err, sizeof(err)) == -1) {
			log_warnx("%s: %s", src->name, err);
			snprintf(src->last_error, sizeof(src->last_error), "%s",
			         err);
			return -1;
		}
		return 0;
	}
	if (!src->uncommitted)
		return 0;
	if (build_checkpoint(src) == -1 ||
	    checkpoint_save(src->d->ckdir, &src->ckpt, err, sizeof(err)) ==
	        -1) {
		log_warnx("%s: checkpoint: %s", src->name, err);
		return -1;
	}
	src->gen = src->ckpt.gen;
	checkpoint_copy(&src->committed, &src->ckpt);
	src->uncommitted = false;
	if (src->tail != NULL)
		tail_committed(src->tail);
	return 0;
}

/*
 * New files of the tail: into the checkpoint file at once, at their
 * start, with the generation unchanged (tail_register).
 */
static void
register_files(struct source *src)
{
	char err[512];
	int n;

	if (src->tail == NULL ||
	    (n = tail_register(src->tail, &src->committed)) == 0)
		return;
	if (n < 0 || checkpoint_save(src->d->ckdir, &src->committed, err,
	                             sizeof(err)) == -1)
		log_warnx("%s: checkpoint: %s", src->name,
		          n < 0 ? "out of memory" : err);
}

static int
new_batch(struct source *src, const char *type, char *err, size_t errlen)
{
	const struct conf_source *cs = src->cs;
	struct batch_conf bc = {
	    .spool = src->d->spool,
	    .data_source = cs->snapshot ? cs->snapshot : cs->data_source,
	    .snapshot = cs->snapshot != NULL,
	    .source_type = type,
	    .max_bytes = cs->batch_max_bytes ? cs->batch_max_bytes
	                                     : src->d->conf->max_batch,
	    .level = src->d->conf->level,
	    .threads = src->d->conf->threads,
	    .meta_cb = on_meta,
	    .meta_arg = src,
	};

	if (src->d->conf->compressor != NULL &&
	    pd_engine_parse(src->d->conf->compressor, &bc.engine) == -1) {
		snprintf(err, errlen,
		         "unknown compressor '%s': libdeflate or zlib",
		         src->d->conf->compressor);
		return -1;
	}
	batch_free(src->batch);
	free(src->batch_type);
	src->batch_type = NULL;
	if ((src->batch = batch_new(&bc, on_sealed, src, err, errlen)) ==
	        NULL ||
	    (src->batch_type = strdup(type)) == NULL)
		return -1;
	return 0;
}

static int
sink(void *arg, const struct record *r, uint64_t lineno, char *err,
     size_t errlen)
{
	struct stream *s = arg;
	struct source *src = s->src;
	const char *type =
	    src->cs->source_type ? src->cs->source_type : r->source_type;

	(void)lineno;
	if (type == NULL)
		type = parser_source_type(r->parser, r->syslog);
	/* One source type per batch: another type seals it first. */
	if (src->batch == NULL || strcmp(src->batch_type, type) != 0) {
		if (src->batch != NULL && commit(src, true) == -1) {
			snprintf(err, errlen, "%s", src->last_error);
			return -1;
		}
		if (new_batch(src, type, err, errlen) == -1)
			return -1;
	}
	if (batch_add(src->batch, r->raw, err, errlen) == -1)
		return -1;
	if (src->batch_lines++ == 0)
		src->batch_started = loop_now_ms();
	return 0;
}

static void
line_done(void *arg, uint64_t tag)
{
	struct stream *s = arg;

	if (s->tf != NULL)
		tail_file_done(s->tf, (int64_t)tag);
	else if (s->sf != NULL)
		spooldir_file_done(s->sf, tag >> SPOOL_TAG_BITS,
		                   tag & ((1ull << SPOOL_TAG_BITS) - 1));
	s->src->uncommitted = true;
}

static struct stream *
stream_new(struct source *src, const char *name)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->src = src;
	if ((s->ps = pipeline_stream_new(&src->pl, name, sink, line_done, s)) ==
	    NULL) {
		free(s);
		return NULL;
	}
	s->next = src->streams;
	src->streams = s;
	return s;
}

/* tail.c: a file is let go (its lines are durable). */
static void
on_file_gone(void *arg, void *user)
{
	(void)arg;
	stream_free(user);
}

/* tail.c: a file starts over: what is held of it goes. */
static void
on_file_reset(void *arg, void *user)
{
	struct stream *s = user;

	(void)arg;
	pipeline_stream_reset(s->ps);
	s->lineno = 0;
	s->held_since = 0;
}

static void
feed(struct stream *s, struct slice line, uint64_t lineno, bool too_long,
     uint64_t tag)
{
	char err[512];

	s->src->bytes_read += line.len;
	if (pipeline_stream_line(s->ps, line, lineno, too_long, tag, err,
	                         sizeof(err)) == -1) {
		/* The line is in no batch and its position did not move:
		 * it is read again after a restart. */
		log_warnx("%s: %s", s->src->name, err);
		snprintf(s->src->last_error, sizeof(s->src->last_error), "%s",
		         err);
	}
	if (pipeline_stream_pending(s->ps)) {
		if (s->held_since == 0)
			s->held_since = loop_now_ms();
	} else
		s->held_since = 0;
}

/* syslogd.c: a message, as a line of its listener's stream. */
static void
on_syslog(void *arg, void **user, const char *listener, struct slice msg,
          bool too_long)
{
	struct source *src = arg;
	struct stream *s = *user;

	if (s == NULL) {
		if ((s = stream_new(src, listener)) == NULL) {
			log_warnx("%s: out of memory", src->name);
			return;
		}
		*user = s;
	}
	feed(s, msg, ++s->lineno, too_long, 0);
}

/* Read up to the turn's budget; true when more may be waiting. */
static bool
read_source(struct source *src)
{
	unsigned n = 0;

	if (src->paused)
		return false;
	if (src->tail != NULL) {
		struct tail_line l;

		while (n < DAEMON_LINES_PER_TURN && !src->paused &&
		       tail_next_line(src->tail, &l) == 1) {
			struct stream *s = tail_file_user(l.file);

			if (s == NULL) {
				if ((s = stream_new(src,
				                    tail_file_path(l.file))) ==
				    NULL) {
					log_warnx("%s: out of memory",
					          src->name);
					return false;
				}
				s->tf = l.file;
				tail_file_set_user(l.file, s);
			}
			feed(s, l.line, ++s->lineno, l.too_long,
			     (uint64_t)l.end);
			n++;
		}
	}
	if (src->sd != NULL) {
		struct spooldir_line l;
		enum spooldir_next r;

		while (n < DAEMON_LINES_PER_TURN && !src->paused &&
		       (r = spooldir_next_line(src->sd, &l)) != SPOOLDIR_NONE) {
			struct stream *s = spooldir_file_user(l.file);
			char err[512];

			if (r == SPOOLDIR_MEMBER_END) {
				/* Detect again in the next member. */
				if (s != NULL) {
					if (pipeline_stream_flush(
					        s->ps, err, sizeof(err)) == -1)
						log_warnx("%s: %s", src->name,
						          err);
					stream_free(s);
					spooldir_file_set_user(l.file, NULL);
				}
				continue;
			}
			if (s == NULL) {
				if ((s = stream_new(src, spooldir_file_path(
				                             l.file))) == NULL)
					return false;
				s->sf = l.file;
				spooldir_file_set_user(l.file, s);
			}
			feed(s, l.line, l.lineno, l.too_long,
			     l.member << SPOOL_TAG_BITS | l.lineno);
			n++;
		}
	}
	return n >= DAEMON_LINES_PER_TURN;
}

/* ---- sources ---- */

/*
 * The source's last commit: its checkpoint file, or a sealed batch's
 * description when that is newer (a crash between the two, step 4).
 */
static int
recover_checkpoint(struct daemon *d, const char *name, struct checkpoint *c)
{
	char err[512];
	char **v;
	size_t n;
	int r;

	if ((r = checkpoint_load(d->ckdir, name, c, err, sizeof(err))) == -1) {
		log_warnx("%s: %s: starting the source over", name, err);
		checkpoint_clear(c);
		c->source = strdup(name);
	}
	v = spool_list(d->spool, &n);
	for (size_t i = 0; i < n; i++) {
		struct checkpoint b = {0};

		if (spool_read_checkpoint(v[i], &b) == 1 && b.source &&
		    strcmp(b.source, name) == 0 && b.gen > c->gen) {
			log_info("%s: resuming from batch %s (newer than the "
			         "checkpoint file)",
			         name, strrchr(v[i], '/') + 1);
			checkpoint_copy(c, &b);
		}
		checkpoint_clear(&b);
	}
	spool_list_free(v, n);
	return 0;
}

static struct source *
source_open(struct daemon *d, const struct conf_source *cs)
{
	struct source *src = calloc(1, sizeof(*src));
	struct checkpoint c = {0};
	char err[512];

	if (src == NULL || (src->name = strdup(cs->name)) == NULL)
		goto fail;
	src->d = d;
	src->cs = cs;
	if (cli_filter(d->conf, cs, &src->filter) == -1)
		goto fail;
	src->pl.filter = &src->filter;
	src->pl.now_ms = src->filter.now_ms;
	if (cs->format != NULL && *cs->format != '\0')
		src->pl.pinned = parser_find(cs->format);
	recover_checkpoint(d, cs->name, &c);
	src->gen = c.gen;
	checkpoint_copy(&src->committed, &c);
	if (cs->nfollow > 0) {
		struct tail_conf tc = {
		    .name = cs->name,
		    .globs = cs->follow,
		    .nglobs = cs->nfollow,
		    .rotate_wait_ms = (int64_t)d->conf->rotate_wait * 1000,
		    .fs = d->fs,
		    .file_gone = on_file_gone,
		    .file_reset = on_file_reset,
		    .arg = src,
		};

		if ((src->tail = tail_new(&tc, err, sizeof(err))) == NULL)
			goto fail;
		tail_resume(src->tail, c.files, c.nfiles, loop_now_ms());
	}
	if (cs->nspool_dir > 0) {
		struct spooldir_conf sc = {
		    .name = cs->name,
		    .dirs = cs->spool_dir,
		    .ndirs = cs->nspool_dir,
		    .done_dir = cs->spool_done,
		    .delete_done = cs->spool_delete,
		    .settle_ms = (int64_t)cs->spool_settle * 1000,
		};

		if ((src->sd = spooldir_new(&sc, err, sizeof(err))) == NULL)
			goto fail;
		spooldir_resume(src->sd, c.spool, c.nspool);
	}
	if (cs->nsyslog > 0) {
		struct syslogd_conf sc = {
		    .cs = cs, .loop = d->loop, .line = on_syslog, .arg = src};

		if ((src->syslog = syslogd_new(&sc, err, sizeof(err))) ==
		    NULL) {
			log_warnx("%s: %s", cs->name, err);
			goto fail;
		}
	}
	/* The recovered commit becomes the checkpoint file. */
	if (c.gen > 0 && checkpoint_save(d->ckdir, &c, err, sizeof(err)) == -1)
		log_warnx("%s: checkpoint: %s", cs->name, err);
	checkpoint_clear(&c);
	log_info(
	    "%s: %s%s%s%s%s%s to %s '%s'", cs->name,
	    cs->nfollow ? "following " : "", cs->nfollow ? cs->follow[0] : "",
	    cs->nfollow > 1 ? " ..." : "",
	    cs->nspool_dir ? (cs->nfollow ? ", spool " : "spool ") : "",
	    cs->nspool_dir ? cs->spool_dir[0] : "",
	    cs->nsyslog ? (cs->nfollow + cs->nspool_dir ? ", syslog" : "syslog")
	                : "",
	    cs->snapshot ? "snapshot" : "data source",
	    cs->snapshot ? cs->snapshot : cs->data_source);
	return src;
fail:
	log_warnx("%s: cannot open the source", cs->name);
	checkpoint_clear(&c);
	source_free(src, false);
	return NULL;
}

/* Let held lines through, seal, commit (commit), free. */
static void
source_free(struct source *src, bool commit_all)
{
	char err[512];

	if (src == NULL)
		return;
	syslogd_free(src->syslog); /* no message may come in after this */
	src->syslog = NULL;
	if (commit_all) {
		for (struct stream *s = src->streams; s != NULL; s = s->next)
			if (pipeline_stream_flush(s->ps, err, sizeof(err)) ==
			    -1)
				log_warnx("%s: %s", src->name, err);
		commit(src, true);
		commit(src, false);
	}
	tail_free(src->tail); /* frees the tail streams (on_file_gone) */
	spooldir_free(src->sd);
	while (src->streams != NULL)
		stream_free(src->streams);
	batch_free(src->batch);
	free(src->batch_type);
	filter_free(&src->filter);
	checkpoint_clear(&src->ckpt);
	checkpoint_clear(&src->committed);
	free(src->name);
	free(src);
}

/* ---- periodic work ---- */

static bool
pending_cb(void *arg, uint64_t gen)
{
	struct source *src = arg;

	return shipper_pending(src->d->ship, src->name, gen);
}

static void
tick_source(struct source *src, int64_t now)
{
	const struct conf_source *cs = src->cs;
	char err[512];

	src->paused = must_pause(src);
	syslogd_pause(src->syslog, src->paused);
	if (src->tail != NULL)
		tail_tick(src->tail, now);
	register_files(src);
	if (src->sd != NULL)
		spooldir_tick(src->sd, now);
	/* Lines held for detection too long: detect with what is there. */
	for (struct stream *s = src->streams; s != NULL; s = s->next)
		if (s->held_since != 0 &&
		    now - s->held_since >= HEAD_FLUSH_MS) {
			if (pipeline_stream_flush(s->ps, err, sizeof(err)) ==
			    -1)
				log_warnx("%s: %s", src->name, err);
			s->held_since = 0;
		}
	if (src->batch_lines > 0 &&
	    now - src->batch_started >= (int64_t)cs->batch_max_age * 1000)
		commit(src, true);
	commit(src, false);
	if (src->sd != NULL)
		spooldir_finish(src->sd, pending_cb, src);
}

static void write_status(struct daemon *d);

static void
on_timer(void *arg)
{
	struct daemon *d = arg;

	d->tick = true;
}

static void
on_inotify(int fd, short revents, void *arg)
{
	struct daemon *d = arg;

	(void)fd, (void)revents;
	if (tail_fs_events(d->fs))
		d->tick = true;
}

static void
on_signal(int fd, short revents, void *arg)
{
	struct daemon *d = arg;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			d->reload = true;
		else
			d->stop = true;
	}
}

/* ---- status ---- */

static void
add_input(void *arg, const char *path, int64_t done, int64_t size, bool rotated)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "kind", "follow");
	cJSON_AddStringToObject(o, "path", path);
	cJSON_AddNumberToObject(o, "offset", (double)done);
	cJSON_AddNumberToObject(o, "size", (double)size);
	cJSON_AddBoolToObject(o, "rotated", rotated);
	cJSON_AddItemToArray(arg, o);
}

static void
add_spool_input(void *arg, const char *path, uint64_t member, uint64_t line,
                bool complete)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "kind", "spool");
	cJSON_AddStringToObject(o, "path", path);
	cJSON_AddNumberToObject(o, "member", (double)member);
	cJSON_AddNumberToObject(o, "line", (double)line);
	cJSON_AddBoolToObject(o, "complete", complete);
	cJSON_AddItemToArray(arg, o);
}

static cJSON *
source_status(struct source *src, int64_t now)
{
	cJSON *o = cJSON_CreateObject(), *in, *l, *dr;
	struct shipper_stats st;
	uint64_t lines = src->lines, kept = src->kept, rej = src->rejected;
	uint64_t skip = src->skipped, dropped[FILTER_NREASONS];
	const char *why = NULL;

	memcpy(dropped, src->dropped, sizeof(dropped));
	for (struct stream *s = src->streams; s != NULL; s = s->next) {
		const struct member_stats *m = pipeline_stream_stats(s->ps);

		lines += m->lines;
		kept += m->dropped[FILTER_KEEP];
		rej += m->verdicts[PARSE_REJECT];
		skip += m->verdicts[PARSE_SKIP];
		for (int i = 1; i < FILTER_NREASONS; i++)
			dropped[i] += m->dropped[i];
	}
	shipper_stats(src->d->ship, src->name, &st);
	cJSON_AddStringToObject(o, "name", src->name);
	cJSON_AddStringToObject(o, "data_source",
	                        src->cs->snapshot ? src->cs->snapshot
	                                          : src->cs->data_source);
	cJSON_AddBoolToObject(o, "snapshot", src->cs->snapshot != NULL);
	in = cJSON_AddArrayToObject(o, "inputs");
	if (src->tail != NULL)
		tail_visit(src->tail, add_input, in);
	if (src->sd != NULL)
		spooldir_visit(src->sd, add_spool_input, in);
	l = cJSON_AddObjectToObject(o, "lines");
	cJSON_AddNumberToObject(l, "read", (double)lines);
	cJSON_AddNumberToObject(l, "kept", (double)kept);
	cJSON_AddNumberToObject(l, "rejected", (double)rej);
	cJSON_AddNumberToObject(l, "skipped", (double)skip);
	cJSON_AddNumberToObject(o, "bytes_read", (double)src->bytes_read);
	dr = cJSON_AddObjectToObject(l, "dropped");
	for (int i = 1; i < FILTER_NREASONS; i++)
		cJSON_AddNumberToObject(dr, filter_reason_name(i),
		                        (double)dropped[i]);
	cJSON_AddNumberToObject(o, "batches_sealed", (double)src->sealed);
	cJSON_AddNumberToObject(o, "batches_pending",
	                        (double)st.pending_batches);
	cJSON_AddNumberToObject(o, "batches_uploaded",
	                        (double)st.uploaded_batches);
	cJSON_AddNumberToObject(o, "lines_uploaded", (double)st.uploaded_lines);
	cJSON_AddNumberToObject(o, "batches_dropped",
	                        (double)st.dropped_batches);
	cJSON_AddNumberToObject(o, "lines_dropped", (double)st.dropped_lines);
	cJSON_AddNumberToObject(o, "batches_rejected",
	                        (double)st.rejected_batches);
	cJSON_AddNumberToObject(o, "upload_failures", (double)st.failed_steps);
	cJSON_AddNumberToObject(o, "last_upload", (double)st.last_ok);
	if (st.last_error[0])
		cJSON_AddStringToObject(o, "last_error", st.last_error);
	else if (src->last_error[0])
		cJSON_AddStringToObject(o, "last_error", src->last_error);
	cJSON_AddNumberToObject(o, "last_error_time", (double)st.last_error_at);
	cJSON_AddBoolToObject(o, "paused", src->paused);
	if (st.blocked)
		why = "uploads need the admin (credentials or data source)";
	else if (st.failing_since != 0 &&
	         now - st.failing_since >= DAEMON_UNHEALTHY_AFTER)
		why = "uploads failing";
	else if (src->paused)
		why = "spool quota reached: inputs paused";
	cJSON_AddBoolToObject(o, "healthy", why == NULL);
	if (why != NULL)
		cJSON_AddStringToObject(o, "unhealthy", why);
	if (src->syslog != NULL)
		cJSON_AddItemToObject(o, "syslog", syslogd_status(src->syslog));
	return o;
}

static void
write_status(struct daemon *d)
{
	cJSON *o = cJSON_CreateObject(), *sp, *a;
	uint64_t bytes, quota, batches;
	struct shipper_stats all;
	char path[4300], err[512], *js;
	int64_t now = (int64_t)time(NULL);

	if (o == NULL)
		return;
	shipper_usage(d->ship, &bytes, &quota, &batches);
	shipper_stats(d->ship, NULL, &all);
	cJSON_AddNumberToObject(o, "pid", (double)getpid());
	cJSON_AddNumberToObject(o, "started", (double)d->started);
	cJSON_AddNumberToObject(o, "updated", (double)now);
	cJSON_AddStringToObject(o, "config",
	                        d->cli.config_path ? d->cli.config_path : "");
	cJSON_AddStringToObject(o, "watch", tail_fs_name(d->fs));
	sp = cJSON_AddObjectToObject(o, "spool");
	cJSON_AddStringToObject(sp, "path", d->spool);
	cJSON_AddNumberToObject(sp, "bytes", (double)bytes);
	cJSON_AddNumberToObject(sp, "quota", (double)quota);
	cJSON_AddNumberToObject(sp, "batches", (double)batches);
	cJSON_AddNumberToObject(sp, "dropped_batches",
	                        (double)all.dropped_batches);
	cJSON_AddNumberToObject(sp, "dropped_lines", (double)all.dropped_lines);
	a = cJSON_AddArrayToObject(o, "sources");
	for (struct source *src = d->sources; src != NULL; src = src->next)
		cJSON_AddItemToArray(a, source_status(src, now));
	metrics_update(d->metrics, o);
	if ((js = cJSON_Print(o)) != NULL) {
		snprintf(path, sizeof(path), "%s/status.json", d->state);
		if (checkpoint_write_file(path, js, strlen(js), err,
		                          sizeof(err)) == -1)
			log_warnx("status: %s", err);
		free(js);
	}
	cJSON_Delete(o);
}

/* ---- configuration, start, reload ---- */

/* Everything `run` checks before it starts.  0, or -1 (logged). */
static int
check_conf(const struct conf *c)
{
	char err[1024];

	if (conf_check_sources(c, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return -1;
	}
	for (size_t i = 0; i < c->nsources; i++) {
		const struct conf_source *s = &c->sources[i];

		if (s->format != NULL && *s->format != '\0' &&
		    parser_find(s->format) == NULL) {
			log_warnx("%s:%d: [source %s]: unknown format '%s': "
			          "`discolog formats` lists them",
			          c->path ? c->path : "", s->line, s->name,
			          s->format);
			return -1;
		}
	}
	return 0;
}

/* The API client, with each step's retries kept short (shipper.h). */
static struct mdca *
connect_tenant(struct daemon *d, int *status)
{
	struct mdca *m;

	if (d->cli.conf.retry_max_time > DAEMON_STEP_RETRY_MAX)
		d->cli.conf.retry_max_time = DAEMON_STEP_RETRY_MAX;
	m = cli_connect(&d->cli, status);
	/* The client keeps its own copy. */
	secret_free(d->cli.token);
	d->cli.token = NULL;
	return m;
}

static void
open_sources(struct daemon *d)
{
	struct source **tail = &d->sources;

	while (*tail != NULL)
		tail = &(*tail)->next;
	for (size_t i = 0; i < d->conf->nsources; i++) {
		const struct conf_source *cs = &d->conf->sources[i];
		struct source *src;
		bool have = false;

		for (src = d->sources; src != NULL; src = src->next)
			if (strcmp(src->name, cs->name) == 0)
				have = true;
		if (have || (src = source_open(d, cs)) == NULL)
			continue;
		*tail = src;
		tail = &src->next;
	}
}

/* The metrics outputs of the configuration (again at a reload). */
static void
open_metrics(struct daemon *d)
{
	char err[512];

	metrics_free(d->metrics);
	if ((d->metrics = metrics_new(d->conf, d->loop, err, sizeof(err))) ==
	    NULL)
		log_warnx("metrics: %s", err);
}

static void
on_watchdog(void *arg)
{
	(void)arg;
	sdnotify("WATCHDOG=1");
}

static void
reload(struct daemon *d)
{
	struct cli old = d->cli;
	struct mdca *m;
	int status;
	bool globals_same;

	log_info("reloading %s", d->cli.config_path ? d->cli.config_path : "");
	sdnotify_reloading();
	/* The new configuration, read like the first (flags, environment,
	 * file); the old one stays when it is bad. */
	memset(&d->cli.conf, 0, sizeof(d->cli.conf));
	conf_init(&d->cli.conf);
	status = cli_configure(&d->cli);
	log_init(d->cli.verbosity, !d->foreground);
	if (status != EXIT_OK || check_conf(&d->cli.conf) == -1) {
		log_warnx("reload: the configuration has errors: keeping the "
		          "running one");
		conf_free(&d->cli.conf);
		d->cli.conf = old.conf;
		sdnotify("READY=1");
		return;
	}
	globals_same =
	    (old.conf.fingerprint == NULL) ==
	        (d->cli.conf.fingerprint == NULL) &&
	    (old.conf.fingerprint == NULL ||
	     strcmp(old.conf.fingerprint, d->cli.conf.fingerprint) == 0);
	/* Sources changed or removed: seal, commit, close (reopened below
	 * from their checkpoint).  The others move to the new conf. */
	for (struct source **pp = &d->sources; *pp != NULL;) {
		struct source *src = *pp;
		const struct conf_source *n =
		    conf_source_find(&d->cli.conf, src->name);

		if (n != NULL && globals_same &&
		    strcmp(n->fingerprint ? n->fingerprint : "",
		           src->cs->fingerprint ? src->cs->fingerprint : "") ==
		        0) {
			src->cs = n;
			pp = &src->next;
			continue;
		}
		log_info("%s: %s", src->name,
		         n ? "changed: reopening it" : "removed");
		*pp = src->next;
		source_free(src, true);
	}
	conf_free(&old.conf);
	d->conf = &d->cli.conf;
	shipper_set_quota(d->ship, d->conf->spool_max_bytes);
	shipper_enforce_quota(d->ship); /* a smaller quota takes at once */
	if (d->fs != NULL) {
		tail_fs_unwatch_all(d->fs);
	}
	open_metrics(d);
	open_sources(d);
	/* Re-watch every source's directories. */
	for (struct source *src = d->sources; src != NULL; src = src->next)
		if (src->tail != NULL)
			tail_tick(src->tail, loop_now_ms());
	/* Credentials may have changed: a new client for the worker. */
	shipper_stop(d->ship);
	if ((m = connect_tenant(d, &status)) != NULL)
		shipper_start(d->ship, m);
	else
		log_warnx("reload: cannot connect to the tenant: uploads "
		          "wait for the next reload");
	sdnotify("READY=1");
}

static int
lock_file(const char *path, bool wait)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd == -1)
		return -1;
	if (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Every batch in the spool (a restart) to the shipper. */
static void
queue_spool(struct daemon *d)
{
	size_t n;
	char **v = spool_list(d->spool, &n);

	for (size_t i = 0; i < n; i++) {
		struct batch_meta m;
		struct stat st;

		if (spool_read_meta(v[i], &m) == -1)
			continue;
		shipper_add(d->ship, v[i], m.source, m.gen,
		            stat(v[i], &st) == 0 ? (uint64_t)st.st_size : 0,
		            (uint64_t)m.lines);
	}
	if (n > 0)
		log_info("spool: %zu batch%s waiting from before", n,
		         n == 1 ? "" : "es");
	spool_list_free(v, n);
}

static int
setup_state(struct daemon *d)
{
	char p[4300], err[512];

	if ((d->state = conf_state_dir(d->conf)) == NULL)
		return -1;
	snprintf(d->spool, sizeof(d->spool), "%s/spool", d->state);
	snprintf(d->ckdir, sizeof(d->ckdir), "%s/checkpoints", d->state);
	if (spool_prepare(d->spool, err, sizeof(err)) == -1) {
		log_warnx("spool: %s", err);
		return -1;
	}
	if (mkdir(d->ckdir, 0700) == -1 && errno != EEXIST) {
		log_warn("%s", d->ckdir);
		return -1;
	}
	snprintf(p, sizeof(p), "%s/daemon.lock", d->state);
	if ((d->lockfd = lock_file(p, false)) == -1) {
		log_warnx("%s: another `discolog run` uses this state "
		          "directory (or it cannot be locked)",
		          d->state);
		return -1;
	}
	/* `discolog upload` on the same spool waits for us. */
	snprintf(p, sizeof(p), "%s/lock", d->spool);
	if ((d->spool_lockfd = lock_file(p, false)) == -1) {
		log_warnx("%s: a `discolog upload` is using the spool; start "
		          "again when it is done",
		          d->spool);
		return -1;
	}
	if (spool_recover(d->spool) > 0)
		log_info("spool: cleaned up after an unclean stop");
	return 0;
}

static const char run_usage[] =
    "usage: discolog run -c CONF [-d] [-v|-q]\n"
    "\n"
    "Follow the files and spool directories of every [source NAME] in\n"
    "CONF, and upload what Cloud Discovery needs as batches fill up.\n"
    "SIGHUP reloads CONF; SIGTERM seals what is pending and exits.\n"
    "\n"
    "  -c, --config FILE   configuration file (DISCOLOG_CONFIG)\n"
    "  -d, --foreground    stay in the foreground, log to stderr\n"
    "                      (default: detach and log to syslog)\n"
    "  -v, -q              more or less diagnostic output\n";

static int
run_opt(struct cli *cli, int ch, const char *arg)
{
	(void)arg;
	if (ch == 'd') {
		cli->foreground = true;
		return 0;
	}
	return -1;
}

static const struct option run_opts[] = {
    {"foreground", no_argument, NULL, 'd'},
    {NULL, 0, NULL, 0},
};

int
cmd_run(int argc, char **argv)
{
	struct daemon *d = calloc(1, sizeof(*d));
	struct mdca *m = NULL;
	sigset_t mask;
	int first, status, rc = EXIT_RUNTIME;
	bool busy = false;

	if (d == NULL)
		return EXIT_RUNTIME;
	d->sigfd = d->lockfd = d->spool_lockfd = -1;
	if ((status = cli_parse(&d->cli, argc, argv, "d", run_opts, run_opt,
	                        run_usage, &first)) != EXIT_OK) {
		rc = status == -1 ? EXIT_OK : status;
		goto done;
	}
	d->conf = &d->cli.conf;
	d->foreground = d->cli.foreground;
	if (first < argc) {
		fputs(run_usage, stderr);
		rc = EXIT_USAGE;
		goto done;
	}
	if (d->cli.config_path == NULL) {
		log_warnx("no configuration: give -c CONF (the [source NAME] "
		          "sections say what to follow)");
		rc = EXIT_USAGE;
		goto done;
	}
	if (check_conf(d->conf) == -1) {
		rc = EXIT_USAGE;
		goto done;
	}
	if ((m = connect_tenant(d, &status)) == NULL) {
		rc = status;
		goto done;
	}
	if (!d->foreground) {
		if (daemon(0, 0) == -1) {
			log_warn("daemon");
			goto done;
		}
		log_init(d->cli.verbosity, 1);
	}
	if (setup_state(d) == -1)
		goto done;
	d->started = (int64_t)time(NULL);
	if ((d->loop = loop_new()) == NULL ||
	    (d->fs = tail_fs_new(d->conf->inotify)) == NULL ||
	    (d->ship = shipper_new(d->spool, d->conf->spool_max_bytes)) == NULL)
		goto done;
	/* Signals through the loop; the worker thread inherits the mask. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	if ((d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	        -1 ||
	    loop_add_fd(d->loop, d->sigfd, POLLIN, on_signal, d) == -1 ||
	    loop_timer_add(d->loop, 0, d->conf->poll_interval, on_timer, d) ==
	        -1)
		goto done;
	if (tail_fs_fd(d->fs) != -1)
		loop_add_fd(d->loop, tail_fs_fd(d->fs), POLLIN, on_inotify, d);
	queue_spool(d);
	open_metrics(d);
	open_sources(d);
	/* Ports bound, inputs opened: no more root before any parsing. */
	{
		char perr[512];

		if (priv_drop(d->conf->user, d->state, perr, sizeof(perr)) ==
		    -1) {
			log_warnx("%s", perr);
			rc = EXIT_USAGE;
			goto done;
		}
	}
	if (shipper_start(d->ship, m) == -1) {
		m = NULL;
		log_warnx("cannot start the upload worker");
		goto done;
	}
	m = NULL;
	log_info("running: %zu source%s, state in %s, watching with %s",
	         d->conf->nsources, d->conf->nsources == 1 ? "" : "s", d->state,
	         tail_fs_name(d->fs));
	sdnotify("READY=1");
	if (sdnotify_watchdog_ms() > 0)
		loop_timer_add(d->loop, 0, sdnotify_watchdog_ms() / 2,
		               on_watchdog, d);
	d->tick = true;
	while (!d->stop) {
		bool more = busy;
		int64_t now;

		busy = false;
		if (loop_run_once(d->loop, d->tick || more ? 0 : -1) == -1) {
			log_warn("poll");
			break;
		}
		if (d->reload) {
			d->reload = false;
			reload(d);
			d->tick = true;
		}
		now = loop_now_ms();
		if (d->tick) {
			d->tick = false;
			for (struct source *s = d->sources; s; s = s->next)
				tick_source(s, now);
			if (now - d->last_status >= STATUS_EVERY_MS) {
				write_status(d);
				d->last_status = now;
			}
		}
		/* A source with more to read makes the next turn not wait. */
		for (struct source *s = d->sources; s; s = s->next)
			busy |= read_source(s);
	}
	log_info("stopping: sealing what is pending");
	sdnotify("STOPPING=1");
	while (d->sources != NULL) {
		struct source *s = d->sources;

		d->sources = s->next;
		source_free(s, true);
	}
	shipper_stop(d->ship);
	write_status(d);
	log_info("stopped");
	rc = EXIT_OK;
done:
	mdca_free(m);
	while (d->sources != NULL) {
		struct source *s = d->sources;

		d->sources = s->next;
		source_free(s, false);
	}
	shipper_free(d->ship);
	metrics_free(d->metrics);
	tail_fs_free(d->fs);
	loop_free(d->loop);
	if (d->sigfd != -1)
		close(d->sigfd);
	if (d->lockfd != -1)
		close(d->lockfd);
	if (d->spool_lockfd != -1)
		close(d->spool_lockfd);
	free(d->state);
	cli_free(&d->cli);
	free(d);
	return rc;
}
