/*
 * The upload worker and the spool's accounting: see shipper.h.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "limits.h"
#include "log.h"
#include "loop.h"
#include "mdca.h"
#include "shipper.h"
#include "spool.h"

struct pending {
	char *gz, *source;
	uint64_t gen, bytes, lines;
	struct pending *next;
};

struct per_source {
	char *name;
	struct shipper_stats st;
	int64_t next_try_ms; /* monotonic: backed off until */
	int64_t backoff_ms;
	struct per_source *next;
};

struct shipper {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t th;
	bool running, stop;
	char *spool;
	uint64_t quota, bytes, nbatches;
	struct pending *queue; /* oldest first */
	const struct pending *inflight;
	struct per_source *sources;
	struct mdca *m;
};

struct shipper *
shipper_new(const char *spool, uint64_t quota)
{
	struct shipper *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;

	if (s == NULL || (s->spool = strdup(spool)) == NULL) {
		free(s);
		return NULL;
	}
	s->quota = quota;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	return s;
}

void
shipper_set_quota(struct shipper *s, uint64_t quota)
{
	pthread_mutex_lock(&s->mu);
	s->quota = quota;
	pthread_mutex_unlock(&s->mu);
}

/* Under the lock. */
static struct per_source *
per_source(struct shipper *s, const char *name)
{
	struct per_source *p;

	for (p = s->sources; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->name = strdup(name)) == NULL) {
		free(p);
		return NULL;
	}
	p->backoff_ms = DAEMON_BACKOFF_FIRST_MS;
	p->next = s->sources;
	s->sources = p;
	return p;
}

/* Under the lock: unlink and free one queue entry. */
static void
dequeue(struct shipper *s, struct pending *q)
{
	for (struct pending **pp = &s->queue; *pp != NULL; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	s->bytes -= q->bytes < s->bytes ? q->bytes : s->bytes;
	s->nbatches--;
	free(q->gz);
	free(q->source);
	free(q);
}

int
shipper_add(struct shipper *s, const char *gz, const char *source, uint64_t gen,
            uint64_t bytes, uint64_t lines)
{
	struct pending *q = calloc(1, sizeof(*q)), **pp;

	if (q == NULL || (q->gz = strdup(gz)) == NULL ||
	    (q->source = strdup(source)) == NULL) {
		if (q != NULL)
			free(q->gz);
		free(q);
		return -1;
	}
	q->gen = gen;
	q->bytes = bytes;
	q->lines = lines;
	pthread_mutex_lock(&s->mu);
	/* Keep the queue in name order: batch ids begin with their time. */
	for (pp = &s->queue; *pp != NULL && strcmp((*pp)->gz, gz) < 0;
	     pp = &(*pp)->next)
		;
	q->next = *pp;
	*pp = q;
	s->bytes += bytes;
	s->nbatches++;
	(void)per_source(s, source);
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

bool
shipper_pending(struct shipper *s, const char *source, uint64_t gen)
{
	bool r = false;

	pthread_mutex_lock(&s->mu);
	for (struct pending *q = s->queue; q != NULL && !r; q = q->next)
		r = strcmp(q->source, source) == 0 && q->gen <= gen;
	pthread_mutex_unlock(&s->mu);
	return r;
}

bool
shipper_over_quota(struct shipper *s, uint64_t reserve)
{
	bool r;

	pthread_mutex_lock(&s->mu);
	r = s->quota > 0 && s->bytes > 0 && s->bytes + reserve > s->quota;
	pthread_mutex_unlock(&s->mu);
	return r;
}

unsigned
shipper_enforce_quota(struct shipper *s)
{
	unsigned n = 0;

	pthread_mutex_lock(&s->mu);
	while (s->quota > 0 && s->bytes > s->quota) {
		struct pending *q = s->queue;
		struct per_source *p;

		if (q != NULL && q == s->inflight)
			q = q->next;
		if (q == NULL)
			break;
		log_warnx("spool: over its quota (%llu bytes): dropped the "
		          "oldest batch %s (%llu lines of source %s)",
		          (unsigned long long)s->quota, q->gz,
		          (unsigned long long)q->lines, q->source);
		spool_remove_batch(q->gz);
		if ((p = per_source(s, q->source)) != NULL) {
			p->st.dropped_batches++;
			p->st.dropped_lines += q->lines;
		}
		dequeue(s, q);
		n++;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

static int64_t
epoch(void)
{
	return (int64_t)time(NULL);
}

/* Under the lock: the oldest batch whose source is not backed off. */
static struct pending *
next_batch(struct shipper *s, int64_t now, int64_t *wait)
{
	*wait = 1000;
	for (struct pending *q = s->queue; q != NULL; q = q->next) {
		struct per_source *p = per_source(s, q->source);

		if (p == NULL || p->next_try_ms <= now)
			return q;
		if (p->next_try_ms - now < *wait)
			*wait = p->next_try_ms - now;
	}
	return NULL;
}

/* Under the lock: what one step came to. */
static void
account(struct shipper *s, struct pending *q, enum spool_step_result r,
        enum ledger_stage stage, const char *err)
{
	struct per_source *p = per_source(s, q->source);
	int64_t now = loop_now_ms();

	if (p == NULL)
		return;
	switch (r) {
	case SPOOL_STEP_PROGRESS:
		p->backoff_ms = DAEMON_BACKOFF_FIRST_MS;
		return;
	case SPOOL_STEP_DONE:
		p->backoff_ms = DAEMON_BACKOFF_FIRST_MS;
		p->st.uploaded_batches++;
		p->st.uploaded_lines += q->lines;
		p->st.last_ok = epoch();
		p->st.failing_since = 0;
		p->st.last_error[0] = '\0';
		p->st.blocked = false;
		log_info("%s: uploaded %s (%llu lines)", q->source,
		         strrchr(q->gz, '/') + 1, (unsigned long long)q->lines);
		dequeue(s, q);
		return;
	case SPOOL_STEP_REJECTED:
		p->st.rejected_batches++;
		log_warnx("%s: %s: batch %s moved to rejected/", q->source, err,
		          strrchr(q->gz, '/') + 1);
		snprintf(p->st.last_error, sizeof(p->st.last_error), "%s", err);
		p->st.last_error_at = epoch();
		dequeue(s, q);
		return;
	case SPOOL_STEP_RETRY:
	case SPOOL_STEP_AUTH:
	case SPOOL_STEP_CONFIG:
	default:
		break;
	}
	/* A failure: back this source off, tell once per change. */
	p->st.failed_steps++;
	if (strcmp(p->st.last_error, err) != 0)
		log_warnx("%s: %s (batch %s at stage %s); retrying in %.0f s",
		          q->source, err, strrchr(q->gz, '/') + 1,
		          ledger_stage_name(stage), p->backoff_ms / 1000.0);
	snprintf(p->st.last_error, sizeof(p->st.last_error), "%s", err);
	p->st.last_error_at = epoch();
	if (p->st.failing_since == 0)
		p->st.failing_since = epoch();
	p->st.blocked = r == SPOOL_STEP_AUTH || r == SPOOL_STEP_CONFIG;
	p->next_try_ms = now + p->backoff_ms;
	p->backoff_ms = p->backoff_ms * 2 > DAEMON_BACKOFF_CAP_MS
	                    ? DAEMON_BACKOFF_CAP_MS
	                    : p->backoff_ms * 2;
}

static void *
worker(void *arg)
{
	struct shipper *s = arg;
	char gz[4200], err[1024];

	pthread_mutex_lock(&s->mu);
	while (!s->stop) {
		int64_t wait;
		struct pending *q = next_batch(s, loop_now_ms(), &wait);
		struct batch_meta meta;
		enum spool_step_result r;
		enum ledger_stage stage = LEDGER_SEALED;

		if (q == NULL) {
			struct timespec ts;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += wait / 1000;
			ts.tv_nsec += (wait % 1000) * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&s->cv, &s->mu, &ts);
			continue;
		}
		s->inflight = q;
		snprintf(gz, sizeof(gz), "%s", q->gz);
		pthread_mutex_unlock(&s->mu);
		if (spool_read_meta(gz, &meta) == -1) {
			snprintf(err, sizeof(err),
			         "no readable description beside it");
			r = SPOOL_STEP_REJECTED;
			(void)spool_reject(gz);
		} else
			r = spool_step(s->m, gz, &meta, true, &stage, err,
			               sizeof(err));
		pthread_mutex_lock(&s->mu);
		s->inflight = NULL;
		account(s, q, r, stage, err);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int
shipper_start(struct shipper *s, struct mdca *m)
{
	if (s->running) {
		mdca_free(m);
		return 0;
	}
	s->m = m;
	s->stop = false;
	for (struct per_source *p = s->sources; p != NULL; p = p->next)
		p->next_try_ms = 0; /* new credentials: try at once */
	if (pthread_create(&s->th, NULL, worker, s) != 0) {
		mdca_free(m);
		s->m = NULL;
		return -1;
	}
	s->running = true;
	return 0;
}

void
shipper_stop(struct shipper *s)
{
	if (!s->running)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->th, NULL);
	s->running = false;
	mdca_free(s->m);
	s->m = NULL;
}

void
shipper_stats(struct shipper *s, const char *source, struct shipper_stats *o)
{
	memset(o, 0, sizeof(*o));
	pthread_mutex_lock(&s->mu);
	for (struct per_source *p = s->sources; p != NULL; p = p->next) {
		if (source != NULL && strcmp(p->name, source) != 0)
			continue;
		o->uploaded_batches += p->st.uploaded_batches;
		o->uploaded_lines += p->st.uploaded_lines;
		o->dropped_batches += p->st.dropped_batches;
		o->dropped_lines += p->st.dropped_lines;
		o->rejected_batches += p->st.rejected_batches;
		o->failed_steps += p->st.failed_steps;
		if (p->st.last_ok > o->last_ok)
			o->last_ok = p->st.last_ok;
		if (p->st.last_error[0] &&
		    p->st.last_error_at >= o->last_error_at) {
			snprintf(o->last_error, sizeof(o->last_error), "%s",
			         p->st.last_error);
			o->last_error_at = p->st.last_error_at;
		}
		if (p->st.failing_since &&
		    (o->failing_since == 0 ||
		     p->st.failing_since < o->failing_since))
			o->failing_since = p->st.failing_since;
		o->blocked |= p->st.blocked;
	}
	for (struct pending *q = s->queue; q != NULL; q = q->next)
		if (source == NULL || strcmp(q->source, source) == 0) {
			o->pending_batches++;
			o->pending_bytes += q->bytes;
		}
	pthread_mutex_unlock(&s->mu);
}

void
shipper_usage(struct shipper *s, uint64_t *bytes, uint64_t *quota,
              uint64_t *batches)
{
	pthread_mutex_lock(&s->mu);
	*bytes = s->bytes;
	*quota = s->quota;
	*batches = s->nbatches;
	pthread_mutex_unlock(&s->mu);
}

void
shipper_free(struct shipper *s)
{
	if (s == NULL)
		return;
	shipper_stop(s);
	while (s->queue != NULL)
		dequeue(s, s->queue);
	while (s->sources != NULL) {
		struct per_source *p = s->sources;

		s->sources = p->next;
		free(p->name);
		free(p);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->spool);
	free(s);
}
