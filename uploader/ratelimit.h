/*
 * The client side of MDCA's limit of 30 API requests a minute per tenant
 * (mdca-api.md §6): a sliding window over the times of the last requests,
 * and a closed gate while a Retry-After the tenant asked for is running.
 * Every API request of the process waits here first; uploads to the blob
 * host do not count (they are not API calls).
 *
 * A request leaves when fewer than rpm requests were sent in the last
 * window (plus a margin of 2% of the window: the tenant counts from when a
 * request arrives, a little after we sent it), and never while a
 * Retry-After is running.  `[tenant] rpm` and `rate_window` (or --rpm)
 * set the numbers; the default is MDCA's 30 a minute.
 */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdint.h>

#define RATELIMIT_MAX_RPM 600

struct ratelimit {
	int rpm;                         /* requests per window */
	int window_ms;                   /* the window, 60000 */
	int64_t sent[RATELIMIT_MAX_RPM]; /* ring of send times, ms */
	int head, count;
	int64_t closed_until; /* Retry-After: no request before this */
};

/* rpm requests per window_ms (clamped to 1..RATELIMIT_MAX_RPM). */
void ratelimit_init(struct ratelimit *rl, int rpm, int window_ms);

/* Wait until a request may leave, then count it.  Returns the ms waited. */
int64_t ratelimit_wait(struct ratelimit *rl);

/* The tenant said Retry-After: `secs`; hold every request until then. */
void ratelimit_close(struct ratelimit *rl, long secs);

/* Monotonic milliseconds, and a sleep that survives signals. */
int64_t mono_ms(void);
void sleep_ms(int64_t ms);

#endif
