/*
 * poll(2) and timers: see loop.h.
 *
 * The sets are small (a few fds, a few timers), so plain arrays and linear
 * scans do.  Removal during a callback only marks the slot; the arrays are
 * compacted between rounds, so a callback can never free the entry the
 * loop is standing on.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loop.h"

struct loop_fd {
	int fd;
	short events;
	loop_fd_cb *cb;
	void *arg;
	bool dead;
};

struct loop_timer {
	int id;
	int64_t due, period;
	loop_timer_cb *cb;
	void *arg;
	bool dead;
};

struct loop {
	struct loop_fd *fds;
	size_t nfds, capfds;
	struct loop_timer *timers;
	size_t ntimers, captimers;
	struct pollfd *pfd;
	size_t cappfd;
	int next_id;
};

int64_t
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct loop *
loop_new(void)
{
	return calloc(1, sizeof(struct loop));
}

int
loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb *cb, void *arg)
{
	for (size_t i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd && !l->fds[i].dead)
			return -1;
	if (l->nfds == l->capfds) {
		size_t n = l->capfds ? l->capfds * 2 : 8;
		struct loop_fd *v = realloc(l->fds, n * sizeof(*v));

		if (v == NULL)
			return -1;
		l->fds = v;
		l->capfds = n;
	}
	l->fds[l->nfds++] =
	    (struct loop_fd){.fd = fd, .events = events, .cb = cb, .arg = arg};
	return 0;
}

void
loop_remove_fd(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->nfds; i++)
		if (l->fds[i].fd == fd)
			l->fds[i].dead = true;
}

int
loop_timer_add(struct loop *l, int64_t ms, int64_t period_ms, loop_timer_cb *cb,
               void *arg)
{
	if (l->ntimers == l->captimers) {
		size_t n = l->captimers ? l->captimers * 2 : 8;
		struct loop_timer *v = realloc(l->timers, n * sizeof(*v));

		if (v == NULL)
			return -1;
		l->timers = v;
		l->captimers = n;
	}
	if (++l->next_id <= 0)
		l->next_id = 1;
	l->timers[l->ntimers++] = (struct loop_timer){
	    .id = l->next_id,
	    .due = loop_now_ms() + (ms > 0 ? ms : 0),
	    .period = period_ms,
	    .cb = cb,
	    .arg = arg,
	};
	return l->next_id;
}

void
loop_timer_cancel(struct loop *l, int id)
{
	for (size_t i = 0; i < l->ntimers; i++)
		if (l->timers[i].id == id)
			l->timers[i].dead = true;
}

static void
compact(struct loop *l)
{
	size_t k = 0;

	for (size_t i = 0; i < l->nfds; i++)
		if (!l->fds[i].dead)
			l->fds[k++] = l->fds[i];
	l->nfds = k;
	k = 0;
	for (size_t i = 0; i < l->ntimers; i++)
		if (!l->timers[i].dead)
			l->timers[k++] = l->timers[i];
	l->ntimers = k;
}

int
loop_run_once(struct loop *l, int max_wait_ms)
{
	int64_t now = loop_now_ms(), wait = max_wait_ms;
	size_t n, ntimers;
	int r, ran = 0;

	compact(l);
	for (size_t i = 0; i < l->ntimers; i++) {
		int64_t d = l->timers[i].due - now;

		if (d < 0)
			d = 0;
		if (wait < 0 || d < wait)
			wait = d;
	}
	if (l->nfds > l->cappfd) {
		struct pollfd *v = realloc(l->pfd, l->nfds * sizeof(*v));

		if (v == NULL)
			return -1;
		l->pfd = v;
		l->cappfd = l->nfds;
	}
	n = l->nfds;
	for (size_t i = 0; i < n; i++)
		l->pfd[i] = (struct pollfd){l->fds[i].fd, l->fds[i].events, 0};
	r = poll(l->pfd, n, wait > 1000000 ? 1000000 : (int)wait);
	if (r == -1 && errno != EINTR)
		return -1;
	/* Timers first: added timers wait for the next round. */
	now = loop_now_ms();
	ntimers = l->ntimers;
	for (size_t i = 0; i < ntimers; i++) {
		struct loop_timer *t = &l->timers[i];

		if (t->dead || t->due > now)
			continue;
		if (t->period > 0)
			t->due = now + t->period;
		else
			t->dead = true;
		t->cb(t->arg);
		ran++;
	}
	for (size_t i = 0; r > 0 && i < n; i++) {
		/* l->fds may have grown (moved) in a callback: index again. */
		if (l->pfd[i].revents == 0 || l->fds[i].dead)
			continue;
		l->fds[i].cb(l->fds[i].fd, l->pfd[i].revents, l->fds[i].arg);
		ran++;
	}
	return ran;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free(l->fds);
	free(l->timers);
	free(l->pfd);
	free(l);
}
