/*
 * Configuration: an INI file, then the environment, then the command line
 * (each overrides the one before).
 *
 *	[tenant]  url, ca_file, proxy, rpm, rate_window, connect_timeout,
 *	          low_speed_time
 *	[auth]    token_file, client_id, tenant_id, client_secret_file,
 *	          client_cert, client_key, authority
 *	[upload]  data_source, snapshot, format, max_batch, state_dir,
 *	          retry_max_time, parallel, block_size, put_blob_max
 *	[filter]  keep_internal, internal (CIDRs), internal_domain, max_age
 *	[format NAME]  pattern (PCRE2, named groups), time_format
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

struct conf {
	char *tenant, *ca_file, *proxy;
	char *token_file;
	/* Entra application: ids, the paths of the files with the secrets */
	char *client_id, *tenant_id, *client_secret_file;
	char *client_cert, *client_key, *authority;
	char *data_source, *snapshot, *format, *state_dir;
	uint64_t max_batch;
	int retry_max_time;
	bool insecure; /* [tenant] insecure: no TLS verification */
	bool keep_internal;
	int max_age;
	char **internal; /* CIDRs */
	size_t ninternal;
	char **internal_domain; /* domain suffixes */
	size_t ninternal_domain;
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

/* Release what c owns. */
void conf_free(struct conf *c);

#endif
