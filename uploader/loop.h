/*
 * The daemon's event loop: poll(2) over a set of file descriptors, plus
 * timers, in one thread (the Redis/OpenBSD shape).
 *
 * A module that wants to be woken adds its fd with a callback
 * (loop_add_fd) and removes it when done; periodic work is a timer.  The
 * syslog receiver and the metrics endpoint plug in the same way as the
 * inotify and signal fds of `discolog run`.  Callbacks run in the loop's
 * thread, one at a time, and may add or remove fds and timers.
 */
#ifndef LOOP_H
#define LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

/* Called when `fd` is ready; revents as poll(2) returns them. */
typedef void loop_fd_cb(int fd, short revents, void *arg);
/* Called when a timer is due; a periodic timer is then rearmed. */
typedef void loop_timer_cb(void *arg);

/* A new, empty loop; NULL when out of memory. */
struct loop *loop_new(void);

/* Watch `fd` for `events` (POLLIN, ...).  0, or -1 (out of memory, or the
 * fd is already watched). */
int loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb *cb,
                void *arg);

/* Stop watching `fd` (not closed); unknown fds are ignored. */
void loop_remove_fd(struct loop *l, int fd);

/*
 * Call cb after `ms` milliseconds, then every `period_ms` (0: once).
 * Returns the timer id (> 0), or -1 when out of memory.
 */
int loop_timer_add(struct loop *l, int64_t ms, int64_t period_ms,
                   loop_timer_cb *cb, void *arg);

/* Cancel a timer; an unknown or finished id is ignored. */
void loop_timer_cancel(struct loop *l, int id);

/*
 * Wait at most `max_wait_ms` (-1: until an fd or a timer) and run what is
 * ready: the due timers, then the ready fds.  Returns the number of
 * callbacks run, or -1 on a poll error other than EINTR.
 */
int loop_run_once(struct loop *l, int max_wait_ms);

/* Milliseconds on the monotonic clock. */
int64_t loop_now_ms(void);

/* Free the loop (the fds are not closed); NULL ok. */
void loop_free(struct loop *l);

#endif
