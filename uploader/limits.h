/*
 * Every size and time limit of discolog, named, in one place.
 */
#ifndef LIMITS_H
#define LIMITS_H

#include <stdint.h>

/* A longer line is rejected (counted, not uploaded) and skipped. */
#define LINE_MAX_BYTES (64 * 1024)
/* Read size of the input reader. */
#define INPUT_BLOCK_BYTES (1024 * 1024)
/* Memory a parser may take from the arena for one line. */
#define ARENA_BYTES (4 * LINE_MAX_BYTES)
/* MDCA accepts files up to 5 GB per upload (mdca-api.md §6). */
#define BATCH_MAX_BYTES_CEILING (5000ull * 1000 * 1000)
/* The smallest --max-batch that still leaves room for a gzip header. */
#define BATCH_MIN_BYTES (4 * 1024)
/* A member expanding more than this many times its compressed size ... */
#define INPUT_MAX_RATIO 1000
/* ... once past this many bytes is abandoned (a zip bomb). */
#define INPUT_RATIO_AFTER_BYTES (1024ull * 1024 * 1024)
/* Rejected lines kept per file for `check` to show. */
#define REJECTS_SHOWN 5
/* Largest API response body read into memory. */
#define RESPONSE_MAX_BYTES (8u * 1024 * 1024)
/* Largest block script accepted; a larger one is refused, not cut. */
#define BLOCKSCRIPT_MAX_BYTES (32u * 1024 * 1024)
/* Most discovered apps `discolog apps` pages through (100 a page). */
#define APPS_MAX_ROWS 20000
/* Largest single Put Blob; larger batches use Put Block + Put Block List
 * (mdca-api.md §3.2: "> 64 MB: upload it in chunks").  [upload]
 * put_blob_max may lower it, never raise it. */
#define PUT_BLOB_MAX_BYTES (64ull * 1024 * 1024)
/* Put Block: the size of one block and the blocks in flight at once
 * ([upload] block_size, parallel), their ceilings, and Azure's limit of
 * committed blocks per blob. */
#define BLOB_BLOCK_BYTES     (8ull * 1024 * 1024)
#define BLOB_BLOCK_MAX_BYTES (256ull * 1024 * 1024)
#define BLOB_PARALLEL        4
#define BLOB_PARALLEL_MAX    16
#define BLOB_MAX_BLOCKS      50000
/* A refused upload URL (403 from the storage host: an expired SAS) is
 * replaced by a fresh one this many times per batch before giving up. */
#define BLOB_SAS_RENEWALS 2
/* API requests per window, and the window in s (MDCA: 30 a minute). */
#define RATELIMIT_RPM_DEFAULT    30
#define RATELIMIT_WINDOW_DEFAULT 60
/* Progress bar: the least time between two redraws, and how long a run
 * goes before the bar first shows (short runs print none), in ms. */
#define PROGRESS_INTERVAL_MS 250
#define PROGRESS_DELAY_MS    1000
/* Connect timeout of every HTTP request, in ms. */
#define HTTP_CONNECT_TIMEOUT_MS 15000
/* A transfer slower than 1 KiB/s for this long is abandoned, in s. */
#define HTTP_LOW_SPEED_TIME 60
/* Total time spent retrying one request before giving up, in s. */
#define RETRY_MAX_TIME_DEFAULT 300
/* Backoff: first wait and cap, in ms (the curl tool's numbers). */
#define RETRY_FIRST_MS 1000
#define RETRY_CAP_MS   (10 * 60 * 1000)
/* An Entra token is fetched anew a quarter of its lifetime before it
 * expires, at most this early, in ms. */
#define TOKEN_REFRESH_MS (5 * 60 * 1000)
/* After a refresh failed for the network, the next try, in ms. */
#define TOKEN_RETRY_MS (30 * 1000)

/* Rejected lines in a row after which a stream detects its format again. */
#define REDETECT_REJECTS 64
/* discolog run: the spool's byte quota, unless spool_max_bytes says. */
#define SPOOL_MAX_BYTES_DEFAULT (1024ull * 1024 * 1024)
/* A rotated or deleted followed file is drained this long after EOF, s. */
#define ROTATE_WAIT_DEFAULT 30
/* Stat polls of followed files, ms (the safety net when inotify runs). */
#define POLL_INTERVAL_DEFAULT 500
/* A file dropped into a spool directory is taken once unchanged this
 * long, s. */
#define SPOOL_SETTLE_DEFAULT 2
/* A batch of `run` is sealed at this age (s) unless batch_max_age says. */
#define BATCH_MAX_AGE_DEFAULT 60
/* Bytes before the offset of a followed file that identify it (marker). */
#define TAIL_MARKER_BYTES 256
/* Lines one source reads per loop iteration before the loop turns. */
#define DAEMON_LINES_PER_TURN 20000
/* One upload step of the daemon retries this long (s) before the worker
 * backs off on its own, so a stop is never held up for long. */
#define DAEMON_STEP_RETRY_MAX 20
/* The worker's backoff between failed steps: first and cap, ms. */
#define DAEMON_BACKOFF_FIRST_MS 1000
#define DAEMON_BACKOFF_CAP_MS   (5 * 60 * 1000)
/* Uploads failing this long (s) make a source unhealthy in `status`. */
#define DAEMON_UNHEALTHY_AFTER 60
/* syslog receiver (syslogd.h): the longest message unless
 * syslog_max_message says (at most LINE_MAX_BYTES), the TCP and TLS
 * connections of one source at once, and the seconds a silent one stays. */
#define SYSLOG_MAX_MESSAGE_DEFAULT     (64 * 1024)
#define SYSLOG_MAX_CONNECTIONS_DEFAULT 256
#define SYSLOG_IDLE_TIMEOUT_DEFAULT    300
/* The metrics endpoint (metrics.h): request bytes, connections at once,
 * and the ms a client has to send its request and read the answer. */
#define METRICS_REQUEST_MAX_BYTES 2048
#define METRICS_MAX_CONNECTIONS   16
#define METRICS_TIMEOUT_MS        5000

#endif
