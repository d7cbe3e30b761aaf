/*
 * Configuration from INI, environment and flags: see conf.h.
 */
#include <errno.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "custom.h"
#include "filter.h"
#include "limits.h"

enum conf_type { C_STR, C_BOOL, C_INT, C_SIZE, C_CIDRS, C_DOMAINS };

static const struct conf_key {
	const char *section, *key;
	enum conf_type type;
	size_t off;
	int min, max; /* C_INT */
	const char *help;
} keys[] = {
    {"tenant", "url", C_STR, offsetof(struct conf, tenant), 0, 0,
     "the tenant's API host or URL"},
    {"tenant", "ca_file", C_STR, offsetof(struct conf, ca_file), 0, 0,
     "extra CA bundle"},
    {"tenant", "proxy", C_STR, offsetof(struct conf, proxy), 0, 0,
     "HTTPS proxy URL"},
    {"tenant", "rpm", C_INT, offsetof(struct conf, rpm), 1, 600,
     "API requests per window (MDCA allows 30 a minute)"},
    {"tenant", "rate_window", C_INT, offsetof(struct conf, rate_window), 1,
     3600, "the window of rpm, in seconds"},
    {"tenant", "connect_timeout", C_INT, offsetof(struct conf, connect_timeout),
     1, 600, "seconds to wait for a connection"},
    {"tenant", "insecure", C_BOOL, offsetof(struct conf, insecure), 0, 0,
	"no TLS certificate verification (a test emulator only)"},
    {"tenant", "low_speed_time", C_INT, offsetof(struct conf, low_speed_time),
     1, 3600, "seconds below 1 KiB/s before a transfer is given up"},
    {"auth", "token_file", C_STR, offsetof(struct conf, token_file), 0, 0,
     "file holding the legacy API token"},
    {"auth", "client_id", C_STR, offsetof(struct conf, client_id), 0, 0,
     "Entra application (client) id"},
    {"auth", "tenant_id", C_STR, offsetof(struct conf, tenant_id), 0, 0,
     "Entra directory (tenant) id"},
    {"auth", "client_secret_file", C_STR,
     offsetof(struct conf, client_secret_file), 0, 0,
     "file holding the Entra client secret"},
    {"auth", "client_cert", C_STR, offsetof(struct conf, client_cert), 0, 0,
     "Entra certificate credential (PEM)"},
    {"auth", "client_key", C_STR, offsetof(struct conf, client_key), 0, 0,
     "private key of client_cert (PEM)"},
    {"auth", "authority", C_STR, offsetof(struct conf, authority), 0, 0,
     "Entra login endpoint base"},
    {"upload", "data_source", C_STR, offsetof(struct conf, data_source), 0, 0,
     "data source (inputStreamName)"},
    {"upload", "snapshot", C_STR, offsetof(struct conf, snapshot), 0, 0,
     "snapshot report name"},
    {"upload", "format", C_STR, offsetof(struct conf, format), 0, 0,
     "parser name; default: detect"},
    {"upload", "max_batch", C_SIZE, offsetof(struct conf, max_batch), 0, 0,
     "largest compressed batch"},
    {"upload", "state_dir", C_STR, offsetof(struct conf, state_dir), 0, 0,
     "spool and state directory"},
    {"upload", "retry_max_time", C_INT, offsetof(struct conf, retry_max_time),
     0, 86400, "seconds of retrying one request"},
    {"upload", "compression_level", C_INT, offsetof(struct conf, level), 1, 12,
     "compression level (libdeflate 1-12, zlib 1-9)"},
    {"upload", "compression_threads", C_INT, offsetof(struct conf, threads), 0,
     64, "threads compressing (0: one per online CPU)"},
    {"upload", "compressor", C_STR, offsetof(struct conf, compressor), 0, 0,
     "libdeflate or zlib"},
    {"upload", "parallel", C_INT, offsetof(struct conf, parallel), 1,
     BLOB_PARALLEL_MAX, "blocks of a large batch in flight at once"},
    {"upload", "block_size", C_SIZE, offsetof(struct conf, block_size), 0, 0,
     "size of one Put Block"},
    {"upload", "put_blob_max", C_SIZE, offsetof(struct conf, put_blob_max), 0,
     0, "largest batch sent in one Put Blob (at most 64M)"},
    {"filter", "keep_internal", C_BOOL, offsetof(struct conf, keep_internal), 0,
     0, "keep internal destinations"},
    {"filter", "internal", C_CIDRS, offsetof(struct conf, internal), 0, 0,
     "internal CIDR ranges"},
    {"filter", "internal_domain", C_DOMAINS,
     offsetof(struct conf, internal_domain), 0, 0, "internal domain suffixes"},
    {"filter", "max_age", C_INT, offsetof(struct conf, max_age), 0, 36500,
     "drop events older than this many days (0: never)"},
};

void
conf_init(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->max_batch = BATCH_MAX_BYTES_CEILING;
	c->retry_max_time = RETRY_MAX_TIME_DEFAULT;
	c->max_age = 90;
	/* libdeflate 7: output no larger than gzip -6 (bench/NOTES.md). */
	c->level = 7;
	c->rpm = RATELIMIT_RPM_DEFAULT;
	c->rate_window = RATELIMIT_WINDOW_DEFAULT;
	c->connect_timeout = HTTP_CONNECT_TIMEOUT_MS / 1000;
	c->low_speed_time = HTTP_LOW_SPEED_TIME;
	c->parallel = BLOB_PARALLEL;
	c->block_size = BLOB_BLOCK_BYTES;
	c->put_blob_max = PUT_BLOB_MAX_BYTES;
}

int
conf_parse_size(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long n;
	uint64_t mul = 1;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	n = strtoull(s, &end, 10);
	if (errno != 0)
		return -1;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		mul = 1024;
		end++;
		break;
	case 'm':
	case 'M':
		mul = 1024 * 1024;
		end++;
		break;
	case 'g':
	case 'G':
		mul = 1024ull * 1024 * 1024;
		end++;
		break;
	default:
		return -1;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0' || (n > 0 && mul > UINT64_MAX / n))
		return -1;
	*v = n * mul;
	return 0;
}

static int
add_words(char ***v, size_t *n, const char *value, bool cidr, char *err,
          size_t errlen)
{
	char *copy = strdup(value), *p, *save = NULL;

	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (p = strtok_r(copy, " \t,", &save); p != NULL;
	     p = strtok_r(NULL, " \t,", &save)) {
		char **nv;

		if (cidr) {
			struct cidr c;

			if (cidr_parse(p, &c, err, errlen) == -1) {
				free(copy);
				return -1;
			}
		}
		if ((nv = realloc(*v, (*n + 1) * sizeof(**v))) == NULL ||
		    (nv[*n] = strdup(p)) == NULL) {
			if (nv != NULL)
				*v = nv;
			free(copy);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		*v = nv;
		(*n)++;
	}
	free(copy);
	return 0;
}

static int
set_key(struct conf *c, const struct conf_key *k, const char *value, char *err,
        size_t errlen)
{
	char *base = (char *)c + k->off;

	switch (k->type) {
	case C_STR: {
		char **s = (char **)(void *)base, *d;

		if ((d = strdup(value)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free(*s);
		*s = d;
		return 0;
	}
	case C_BOOL: {
		bool *b = (bool *)(void *)base;

		if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") ||
		    !strcmp(value, "1") || !strcasecmp(value, "on"))
			*b = true;
		else if (!strcasecmp(value, "no") ||
		         !strcasecmp(value, "false") || !strcmp(value, "0") ||
		         !strcasecmp(value, "off"))
			*b = false;
		else {
			snprintf(err, errlen,
			         "%s: '%s' is not yes/no/true/false", k->key,
			         value);
			return -1;
		}
		return 0;
	}
	case C_INT: {
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || v < k->min ||
		    v > k->max) {
			snprintf(err, errlen,
			         "%s: '%s' is not a number from %d to %d",
			         k->key, value, k->min, k->max);
			return -1;
		}
		*(int *)(void *)base = (int)v;
		return 0;
	}
	case C_SIZE: {
		uint64_t v;

		if (conf_parse_size(value, &v) == -1 || v < BATCH_MIN_BYTES) {
			snprintf(err, errlen,
			         "%s: '%s' is not a size such as 64M or 5G "
			         "(at least %dK)",
			         k->key, value, BATCH_MIN_BYTES / 1024);
			return -1;
		}
		if (v > BATCH_MAX_BYTES_CEILING)
			v = BATCH_MAX_BYTES_CEILING;
		*(uint64_t *)(void *)base = v;
		return 0;
	}
	case C_CIDRS:
		return add_words(&c->internal, &c->ninternal, value, true, err,
		                 errlen);
	case C_DOMAINS:
		return add_words(&c->internal_domain, &c->ninternal_domain,
		                 value, false, err, errlen);
	default:
		snprintf(err, errlen, "%s: unknown type", k->key);
		return -1;
	}
}

/* [format NAME] pattern = / time_format = */
static int
set_format(struct conf *c, const char *name, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct conf_format *f = NULL;
	char **slot;

	if (*name == '\0' || strspn(name, "abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					  "0123456789_-") != strlen(name)) {
		snprintf(err, errlen,
		    "[format %s]: a format name is letters, digits, '_' "
		    "and '-'",
		    name);
		return -1;
	}
	if (strcmp(key, "pattern") == 0) {
		if (custom_check(value, NULL, err, errlen) == -1)
			return -1;
	} else if (strcmp(key, "time_format") == 0) {
		if (custom_check_time_format(value, err, errlen) == -1)
			return -1;
	} else {
		snprintf(err, errlen,
		    "unknown key '%s' in [format %s] (known: pattern, "
		    "time_format)",
		    key, name);
		return -1;
	}
	for (size_t i = 0; i < c->nformats; i++)
		if (strcmp(c->formats[i].name, name) == 0)
			f = &c->formats[i];
	if (f == NULL) {
		struct conf_format *v = realloc(c->formats,
		    (c->nformats + 1) * sizeof(*v));

		if (v == NULL)
			goto nomem;
		c->formats = v;
		f = &v[c->nformats];
		memset(f, 0, sizeof(*f));
		if ((f->name = strdup(name)) == NULL)
			goto nomem;
		c->nformats++;
	}
	slot = strcmp(key, "pattern") == 0 ? &f->pattern : &f->time_format;
	free(*slot);
	if ((*slot = strdup(value)) == NULL)
		goto nomem;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
conf_set(struct conf *c, const char *section, const char *key,
    const char *value, char *err, size_t errlen)
{
	bool section_known = false;

	if (strncmp(section, "format ", 7) == 0)
		return set_format(c, section + 7, key, value, err, errlen);


	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		section_known = true;
		if (strcmp(keys[i].key, key) == 0)
			return set_key(c, &keys[i], value, err, errlen);
	}
	if (!section_known)
		snprintf(err, errlen,
		         "unknown section [%s] (known: tenant, auth, upload, "
		    "filter, format NAME)",
		         section);
	else
		snprintf(err, errlen, "unknown key '%s' in [%s]", key, section);
	return -1;
}

struct load_ctx {
	struct conf *c;
	char reason[512];
};

static int
on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	char err[512];

	if (name == NULL)
		return 1; /* a section header alone */
	if (conf_set(lc->c, section, name, value, err, sizeof(err)) == -1) {
		if (lc->reason[0] == '\0')
			snprintf(lc->reason, sizeof(lc->reason), "%s", err);
		return 0;
	}
	return 1;
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errlen)
{
		struct load_ctx lc = {.c = c};
	int r;

	/*
	 * Debian's inih takes its limits at run time: lines as long as a
	 * custom format's pattern needs (the default is 200 bytes), and the
	 * first error is the one reported.
	 */
	ini_use_stack = false;
	ini_allow_realloc = true;
	ini_max_line = 65536;
	ini_stop_on_first_error = true;
	r = ini_parse(path, on_ini, &lc);


	if (r == 0)
		return 0;
	if (r == -1)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (r == -2)
		snprintf(err, errlen, "%s: out of memory", path);
	else
		snprintf(err, errlen, "%s:%d: %s", path, r,
		         lc.reason[0]
		             ? lc.reason
		             : "expected 'key = value' or '[section]'");
	return -1;
}

int
conf_env(struct conf *c, char *err, size_t errlen)
{
	static const struct {
		const char *env, *section, *key;
	} vars[] = {
	    {"DISCOLOG_TENANT", "tenant", "url"},
	    {"DISCOLOG_CA_FILE", "tenant", "ca_file"},
	    {"DISCOLOG_CLIENT_ID", "auth", "client_id"},
	    {"DISCOLOG_TENANT_ID", "auth", "tenant_id"},
	    {"DISCOLOG_AUTHORITY", "auth", "authority"},
	    {"DISCOLOG_DATA_SOURCE", "upload", "data_source"},
	    {"DISCOLOG_STATE_DIR", "upload", "state_dir"},
	    {"DISCOLOG_RETRY_MAX_TIME", "upload", "retry_max_time"},
	};
	char e[512];

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i].env);

		if (v == NULL || *v == '\0')
			continue;
		if (conf_set(c, vars[i].section, vars[i].key, v, e,
		             sizeof(e)) == -1) {
			snprintf(err, errlen, "%s: %s", vars[i].env, e);
			return -1;
		}
	}
	return 0;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
conf_free(struct conf *c)
{
	free(c->tenant);
	free(c->ca_file);
	free(c->proxy);
	free(c->token_file);
	free(c->client_id);
	free(c->tenant_id);
	free(c->client_secret_file);
	free(c->client_cert);
	free(c->client_key);
	free(c->authority);
	free(c->data_source);
	free(c->snapshot);
	free(c->format);
	free(c->state_dir);
	free(c->compressor);
	free_list(c->internal, c->ninternal);
	free_list(c->internal_domain, c->ninternal_domain);
	for (size_t i = 0; i < c->nformats; i++) {
		free(c->formats[i].name);
		free(c->formats[i].pattern);
		free(c->formats[i].time_format);
	}
	free(c->formats);
	memset(c, 0, sizeof(*c));
}
