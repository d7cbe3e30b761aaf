/*
 * Client-side rate limit: see ratelimit.h.
 */
#include <errno.h>
#include <time.h>

#include "log.h"
#include "ratelimit.h"

int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

void
ratelimit_init(struct ratelimit *rl, int rpm, int window_ms)
{
	if (rpm < 1)
		rpm = 1;
	if (rpm > RATELIMIT_MAX_RPM)
		rpm = RATELIMIT_MAX_RPM;
	rl->rpm = rpm;
	rl->window_ms = window_ms > 0 ? window_ms : 60000;
	rl->head = rl->count = 0;
	rl->closed_until = 0;
}

int64_t
ratelimit_wait(struct ratelimit *rl)
{
	int64_t start = mono_ms(), now = start, wait;

	if (rl->closed_until > now) {
		log_verbose("waiting %.1f s: the tenant asked for a pause",
		            (double)(rl->closed_until - now) / 1000);
		sleep_ms(rl->closed_until - now);
		now = mono_ms();
	}
	if (rl->count == rl->rpm) {
		/* The oldest of the last rpm requests must leave the window,
		 * with a margin: the tenant counts from when a request
		 * arrives, which may be a little after we sent it. */
		int64_t oldest = rl->sent[rl->head];

		wait = oldest + rl->window_ms + rl->window_ms / 50 - now;
		if (wait > 0) {
			log_verbose("waiting %.1f s: at most %d API requests "
			            "in %d s",
			            (double)wait / 1000, rl->rpm,
			            rl->window_ms / 1000);
			sleep_ms(wait);
			now = mono_ms();
		}
		rl->head = (rl->head + 1) % rl->rpm;
		rl->count--;
	}
	rl->sent[(rl->head + rl->count) % rl->rpm] = now;
	rl->count++;
	return now - start;
}

void
ratelimit_close(struct ratelimit *rl, long secs)
{
	int64_t until = mono_ms() + (int64_t)secs * 1000;

	if (until > rl->closed_until)
		rl->closed_until = until;
}
