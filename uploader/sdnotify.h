/*
 * The systemd notification protocol, by hand (no libsystemd): a datagram
 * of "KEY=VALUE" lines to the AF_UNIX socket named by $NOTIFY_SOCKET
 * ('@' at its start: the abstract namespace).  Outside systemd (no
 * variable) every call does nothing.
 *
 * `discolog run` sends READY=1 once its sources are open, WATCHDOG=1
 * from a loop timer at half of $WATCHDOG_USEC (so a stuck loop is
 * restarted by systemd), RELOADING=1 (with MONOTONIC_USEC) then READY=1
 * around a SIGHUP reload, and STOPPING=1 when it starts to stop.  The
 * unit is scripts/discolog.service (Type=notify).
 */
#ifndef SDNOTIFY_H
#define SDNOTIFY_H

#include <stdint.h>

/* Send `state` ("READY=1", several lines allowed).  1 sent, 0 not under
 * systemd, -1 failed (errno set). */
int sdnotify(const char *state);

/* The watchdog interval systemd asked of this process, in ms (0: none). */
int64_t sdnotify_watchdog_ms(void);

/* RELOADING=1 with the MONOTONIC_USEC systemd 253 wants beside it. */
int sdnotify_reloading(void);

#endif
