/*
 * Metrics of `discolog run` in the Prometheus text format (version 0.0.4).
 *
 * The numbers are the ones status.json holds: the daemon builds that
 * object every second and hands it here (metrics_update), so `discolog
 * status`, the textfile and the endpoint never disagree.  Two ways out,
 * both optional:
 *
 *	[daemon] metrics_file = /var/lib/node_exporter/textfile/discolog.prom
 *	    written every second, atomically (a temp file renamed over it),
 *	    mode 0644, for node_exporter's textfile collector;
 *	[daemon] metrics_listen = 127.0.0.1:9464
 *	    a tiny HTTP/1.0 responder in the daemon's loop: GET /metrics
 *	    (the same text) and GET /health (200 "ok" while every source is
 *	    healthy, 503 with the reasons otherwise).  Only GET; a request
 *	    is at most METRICS_REQUEST_MAX_BYTES and must arrive within
 *	    METRICS_TIMEOUT_MS; at most METRICS_MAX_CONNECTIONS at once.  The
 *	    address must be loopback (127.0.0.0/8, ::1, localhost) unless
 *	    metrics_remote = yes says otherwise: the counters name sources
 *	    and listeners, and there is no authentication.
 *
 * Every metric is named discolog_*; per-source ones carry source="NAME",
 * syslog ones also listener="udp://..." and transport.  The list is in
 * README.md.
 */
#ifndef METRICS_H
#define METRICS_H

#include <stdbool.h>
#include <stddef.h>

struct conf;
struct cJSON;
struct loop;
struct metrics;

/* The [daemon] metrics keys of c, checked without binding anything.
 * 0, or -1 with the reason in err. */
int metrics_check(const struct conf *c, char *err, size_t errlen);

/*
 * The metrics outputs c asks for (none: a metrics that does nothing),
 * the listener bound and watched in `loop`.  NULL on failure, the reason
 * in err.
 */
struct metrics *metrics_new(const struct conf *c, struct loop *loop, char *err,
                            size_t errlen);

/* The daemon's status object (borrowed): render it, write the textfile,
 * keep the text for the endpoint. */
void metrics_update(struct metrics *m, const struct cJSON *status);

/* The Prometheus text of a status object; the caller frees it.  NULL
 * when out of memory. */
char *metrics_render(const struct cJSON *status, size_t *len);

/* Close the listener and its connections; NULL ok. */
void metrics_free(struct metrics *m);

#endif
