/*
 * Configuration: an INI file, then the environment, then the command line
 * (each overrides the one before).
 *
 *	[tenant]  url, ca_file, proxy, rpm (or requests_per_minute),
 *	          rate_window, connect_timeout, low_speed_time, insecure
 *	[auth]    token_file, client_id, tenant_id, client_secret_file,
 *	          client_cert, client_key, authority,
 *	          secret_file_group_readable
 *	[upload]  data_source, snapshot, format, max_batch, state_dir,
 *	          retry_max_time, parallel, block_size, put_blob_max
 *	[filter]  keep_internal, internal (CIDRs), internal_domain, max_age,
 *	          include, exclude (FIELD PATTERN)
 *	[format NAME]  pattern (PCRE2, named groups), time_format
 *	[daemon]  spool_max_bytes, rotate_wait, poll_interval, inotify,
 *	          metrics_file, metrics_listen, metrics_remote
 *	[source NAME]  (discolog run; one per data source)
 *	          data_source | snapshot, follow (globs), spool_dir,
 *	          spool_done, spool_delete, spool_settle, syslog, format,
 *	          source_type, batch_max_bytes, batch_max_age, and the
 *	          [filter] keys for this source alone; for syslog: allow,
 *	          tls_cert, tls_key, tls_ca, tls_client_auth,
 *	          syslog_max_message, syslog_max_connections,
 *	          syslog_idle_timeout (syslogd.h)
 *
 * The keys are one table in conf.c (name, type, place, help); a file with
 * an unknown section or key, or a bad value, is refused at start with the
 * file, the line and the reason.  Secrets are never configuration values:
 * only the paths of files that hold them.
 */
#ifndef CONF_H
#define CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A [format NAME] section: a custom format (parsers/custom.h). */
struct conf_format {
	char *name, *pattern, *time_format;
};

/* One [source NAME] section: what `discolog run` follows and where it
 * goes.  List keys (follow, spool_dir, syslog, internal, ...) may repeat. */
struct conf_source {
	char *name;
	int line; /* of its [source NAME] header */
	char *data_source, *snapshot, *format, *source_type;
	char **follow; /* absolute globs */
	size_t nfollow;
	char **spool_dir;
	size_t nspool_dir;
	char **syslog; /* the syslog receiver's, stored as given */
	size_t nsyslog;
	char *spool_done; /* default <spool_dir>/done */
	bool spool_delete;
	int spool_settle; /* s a dropped file must stay unchanged */
	uint64_t batch_max_bytes;
	int batch_max_age; /* s */
	int keep_internal; /* -1: as [filter] */
	int max_age;       /* -1: as [filter] */
	char **internal;   /* added to [filter]'s */
	size_t ninternal;
	char **internal_domain;
	size_t ninternal_domain;
	char **include, **exclude; /* added to [filter]'s (match.h) */
	size_t ninclude, nexclude;
	/* syslog receiver (syslogd.h) */
	char **allow; /* sender CIDRs; none: everyone */
	size_t nallow;
	char *tls_cert, *tls_key, *tls_ca, *tls_client_auth;
	uint64_t syslog_max_message;
	int syslog_max_connections;
	int syslog_idle_timeout; /* s; 0: never */
	char *fingerprint; /* every key = value of the section, in order */
};

struct conf {
	char *tenant, *ca_file, *proxy;
	char *token_file;
	/* Entra application: ids, the paths of the files with the secrets */
	char *client_id, *tenant_id, *client_secret_file;
	char *client_cert, *client_key, *authority;
	char *secret_group_readable; /* "refuse" (NULL) or "warn" */
	char *data_source, *snapshot, *format, *state_dir;
	uint64_t max_batch;
	int retry_max_time;
	bool insecure; /* [tenant] insecure: no TLS verification */
	bool keep_internal;
	char *pseudonymize_key_file; /* [filter]: HMAC key for user names */
	int max_age;
	char **internal; /* CIDRs */
	size_t ninternal;
	char **internal_domain; /* domain suffixes */
	size_t ninternal_domain;
	char **include, **exclude; /* "FIELD PATTERN" rules (match.h) */
	size_t ninclude, nexclude;
	int level;        /* compression level */
	int threads;      /* compressing threads; 0: online CPUs */
	char *compressor; /* "libdeflate" (default) or "zlib" */
	struct conf_format *formats;
	size_t nformats;
	int rpm, rate_window;  /* API requests per window (s) */
	int connect_timeout;   /* s */
	int low_speed_time;    /* s below 1 KiB/s */
	int parallel;          /* blocks in flight */
	uint64_t block_size;   /* Put Block */
	uint64_t put_blob_max; /* largest single Put Blob */
	/* [daemon] */
	uint64_t spool_max_bytes; /* the spool's byte quota */
	int rotate_wait;          /* s a rotated file is drained after EOF */
	int poll_interval;        /* ms between stat polls */
	bool inotify;             /* false: stat polling only */
	char *user;               /* run becomes this user */
	char *metrics_file;       /* Prometheus textfile (metrics.h) */
	char *metrics_listen;     /* HOST:PORT of /metrics and /health */
	bool metrics_remote;      /* metrics_listen may be non-loopback */
	struct conf_source *sources;
	size_t nsources;
	char *fingerprint; /* every key = value outside [source], in order */
	char *path;        /* the file loaded, for messages */
};

/* Defaults into c. */
void conf_init(struct conf *c);

/*
 * Read `path` into c.  Returns 0, or -1 with "FILE:LINE: reason" in err.
 * A missing file is an error.
 */
int conf_load(struct conf *c, const char *path, char *err, size_t errlen);

/* The DISCOLOG_* environment over c.  0, or -1 with the reason in err. */
int conf_env(struct conf *c, char *err, size_t errlen);

/* Setters used by the command line; 0, or -1 with the reason in err. */
int conf_set(struct conf *c, const char *section, const char *key,
             const char *value, char *err, size_t errlen);

/* "64M", "5G", "1048576": bytes (K, M, G are powers of 1024).  0 or -1. */
int conf_parse_size(const char *s, uint64_t *v);

/*
 * What `discolog run` needs beyond the keys themselves: every source has a
 * data source or a snapshot, at least one input, absolute input paths
 * without "..", distinct names.  0, or -1 with "FILE:LINE: reason" (the
 * line of the source's header) in err.
 */
int conf_check_sources(const struct conf *c, char *err, size_t errlen);

/* The state directory: state_dir, or /var/lib/discolog for root, else
 * $XDG_STATE_HOME/discolog or ~/.local/state/discolog.  Caller frees;
 * NULL when out of memory. */
char *conf_state_dir(const struct conf *c);

/* The source called `name`, or NULL. */
const struct conf_source *conf_source_find(const struct conf *c,
                                           const char *name);

/* Release what c owns. */
void conf_free(struct conf *c);

#endif
