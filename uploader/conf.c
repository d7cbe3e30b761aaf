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
#include <unistd.h>

#include "conf.h"
#include "custom.h"
#include "filter.h"
#include "limits.h"
#include "match.h"
#include "metrics.h"
#include "syslogd.h"

/* C_TRI: a yes/no stored in an int whose -1 means "not given". */
enum conf_type {
	C_STR,
	C_BOOL,
	C_TRI,
	C_INT,
	C_SIZE,
	C_CIDRS,
	C_DOMAINS,
	C_LIST,
	C_MATCH /* a C_LIST of include/exclude rules, each checked */
};

/*
 * One key: its section ("source" stands for every [source NAME]), its
 * type, and where it goes (an offset into struct conf, or into struct
 * conf_source for source keys; list types also name their count).
 */
static const struct conf_key {
	const char *section, *key;
	enum conf_type type;
	size_t off, noff;
	int min, max; /* C_INT */
	const char *help;
} keys[] = {
    {"tenant", "url", C_STR, offsetof(struct conf, tenant), 0, 0, 0,
     "the tenant's API host or URL"},
    {"tenant", "ca_file", C_STR, offsetof(struct conf, ca_file), 0, 0, 0,
     "extra CA bundle"},
    {"tenant", "proxy", C_STR, offsetof(struct conf, proxy), 0, 0, 0,
     "HTTPS proxy URL"},
    {"tenant", "rpm", C_INT, offsetof(struct conf, rpm), 0, 1, 600,
     "API requests per window (MDCA allows 30 a minute)"},
    {"tenant", "rate_window", C_INT, offsetof(struct conf, rate_window), 0, 1,
     3600, "the window of rpm, in seconds"},
    {"tenant", "connect_timeout", C_INT, offsetof(struct conf, connect_timeout),
     0, 1, 600, "seconds to wait for a connection"},
    {"tenant", "insecure", C_BOOL, offsetof(struct conf, insecure), 0, 0, 0,
     "no TLS certificate verification (a test emulator only)"},
    {"tenant", "low_speed_time", C_INT, offsetof(struct conf, low_speed_time),
     0, 1, 3600, "seconds below 1 KiB/s before a transfer is given up"},
    {"tenant", "requests_per_minute", C_INT, offsetof(struct conf, rpm), 0, 1,
     100000, "API requests a minute (the API allows 30)"},
    {"auth", "token_file", C_STR, offsetof(struct conf, token_file), 0, 0, 0,
     "file holding the legacy API token"},
    {"auth", "client_id", C_STR, offsetof(struct conf, client_id), 0, 0, 0,
     "Entra application (client) id"},
    {"auth", "tenant_id", C_STR, offsetof(struct conf, tenant_id), 0, 0, 0,
     "Entra directory (tenant) id"},
    {"auth", "client_secret_file", C_STR,
     offsetof(struct conf, client_secret_file), 0, 0, 0,
     "file holding the Entra client secret"},
    {"auth", "client_cert", C_STR, offsetof(struct conf, client_cert), 0, 0, 0,
     "Entra certificate credential (PEM)"},
    {"auth", "client_key", C_STR, offsetof(struct conf, client_key), 0, 0, 0,
     "private key of client_cert (PEM)"},
    {"auth", "authority", C_STR, offsetof(struct conf, authority), 0, 0, 0,
     "Entra login endpoint base"},
    {"auth", "secret_file_group_readable", C_STR,
     offsetof(struct conf, secret_group_readable), 0, 0, 0,
     "refuse (default) or warn: a secret file its group can read"},
    {"upload", "data_source", C_STR, offsetof(struct conf, data_source), 0, 0,
     0, "data source (inputStreamName)"},
    {"upload", "snapshot", C_STR, offsetof(struct conf, snapshot), 0, 0, 0,
     "snapshot report name"},
    {"upload", "format", C_STR, offsetof(struct conf, format), 0, 0, 0,
     "parser name; default: detect"},
    {"upload", "max_batch", C_SIZE, offsetof(struct conf, max_batch), 0, 0, 0,
     "largest compressed batch"},
    {"upload", "state_dir", C_STR, offsetof(struct conf, state_dir), 0, 0, 0,
     "spool and state directory"},
    {"upload", "retry_max_time", C_INT, offsetof(struct conf, retry_max_time),
     0, 0, 86400, "seconds of retrying one request"},
    {"upload", "compression_level", C_INT, offsetof(struct conf, level), 0, 1,
     12, "compression level (libdeflate 1-12, zlib 1-9)"},
    {"upload", "compression_threads", C_INT, offsetof(struct conf, threads), 0,
     0, 64, "threads compressing (0: one per online CPU)"},
    {"upload", "compressor", C_STR, offsetof(struct conf, compressor), 0, 0, 0,
     "libdeflate or zlib"},
    {"upload", "parallel", C_INT, offsetof(struct conf, parallel), 0, 1,
     BLOB_PARALLEL_MAX, "blocks of a large batch in flight at once"},
    {"upload", "block_size", C_SIZE, offsetof(struct conf, block_size), 0, 0, 0,
     "size of one Put Block"},
    {"upload", "put_blob_max", C_SIZE, offsetof(struct conf, put_blob_max), 0,
     0, 0, "largest batch sent in one Put Blob (at most 64M)"},
    {"filter", "keep_internal", C_BOOL, offsetof(struct conf, keep_internal), 0,
     0, 0, "keep internal destinations"},
    {"filter", "internal", C_CIDRS, offsetof(struct conf, internal),
     offsetof(struct conf, ninternal), 0, 0, "internal CIDR ranges"},
    {"filter", "internal_domain", C_DOMAINS,
     offsetof(struct conf, internal_domain),
     offsetof(struct conf, ninternal_domain), 0, 0, "internal domain suffixes"},
    {"filter", "max_age", C_INT, offsetof(struct conf, max_age), 0, 0, 36500,
     "drop events older than this many days (0: never)"},
    {"filter", "include", C_MATCH, offsetof(struct conf, include),
     offsetof(struct conf, ninclude), 0, 0,
     "keep only lines one of these FIELD PATTERN rules matches"},
    {"filter", "exclude", C_MATCH, offsetof(struct conf, exclude),
     offsetof(struct conf, nexclude), 0, 0,
     "drop lines one of these FIELD PATTERN rules matches"},
    {"filter", "pseudonymize_key_file", C_STR,
     offsetof(struct conf, pseudonymize_key_file), 0, 0, 0,
     "file holding the key that turns user names into pseudonyms"},
    {"daemon", "spool_max_bytes", C_SIZE,
     offsetof(struct conf, spool_max_bytes), 0, 0, 0, "the spool's byte quota"},
    {"daemon", "rotate_wait", C_INT, offsetof(struct conf, rotate_wait), 0, 0,
     86400, "seconds a rotated file is drained after its end"},
    {"daemon", "poll_interval", C_INT, offsetof(struct conf, poll_interval), 0,
     10, 60000, "milliseconds between stat polls of followed files"},
    {"daemon", "inotify", C_BOOL, offsetof(struct conf, inotify), 0, 0, 0,
     "use inotify (no: stat polling only)"},
    {"daemon", "user", C_STR, offsetof(struct conf, user), 0, 0, 0,
     "the user run becomes after binding ports and opening inputs"},
    {"daemon", "metrics_file", C_STR, offsetof(struct conf, metrics_file), 0, 0,
     0, "Prometheus textfile written every second"},
    {"daemon", "metrics_listen", C_STR, offsetof(struct conf, metrics_listen),
     0, 0, 0, "HOST:PORT serving /metrics and /health"},
    {"daemon", "metrics_remote", C_BOOL, offsetof(struct conf, metrics_remote),
     0, 0, 0, "let metrics_listen bind a non-loopback address"},
    {"source", "data_source", C_STR, offsetof(struct conf_source, data_source),
     0, 0, 0, "data source (inputStreamName)"},
    {"source", "snapshot", C_STR, offsetof(struct conf_source, snapshot), 0, 0,
     0, "snapshot report name"},
    {"source", "format", C_STR, offsetof(struct conf_source, format), 0, 0, 0,
     "parser name; default: detect"},
    {"source", "source_type", C_STR, offsetof(struct conf_source, source_type),
     0, 0, 0, "MDCA source id; default: from the format"},
    {"source", "follow", C_LIST, offsetof(struct conf_source, follow),
     offsetof(struct conf_source, nfollow), 0, 0, "files to follow (globs)"},
    {"source", "spool_dir", C_LIST, offsetof(struct conf_source, spool_dir),
     offsetof(struct conf_source, nspool_dir), 0, 0,
     "directories finished files are dropped into"},
    {"source", "spool_done", C_STR, offsetof(struct conf_source, spool_done), 0,
     0, 0, "where taken files go (default <spool_dir>/done)"},
    {"source", "spool_delete", C_BOOL,
     offsetof(struct conf_source, spool_delete), 0, 0, 0,
     "delete taken files instead of moving them"},
    {"source", "spool_settle", C_INT,
     offsetof(struct conf_source, spool_settle), 0, 0, 86400,
     "seconds a dropped file must stay unchanged"},
    {"source", "syslog", C_LIST, offsetof(struct conf_source, syslog),
     offsetof(struct conf_source, nsyslog), 0, 0, "syslog listeners"},
    {"source", "batch_max_bytes", C_SIZE,
     offsetof(struct conf_source, batch_max_bytes), 0, 0, 0,
     "largest compressed batch"},
    {"source", "batch_max_age", C_INT,
     offsetof(struct conf_source, batch_max_age), 0, 1, 86400,
     "seconds before a batch is sealed"},
    {"source", "keep_internal", C_TRI,
     offsetof(struct conf_source, keep_internal), 0, 0, 0,
     "keep internal destinations"},
    {"source", "max_age", C_INT, offsetof(struct conf_source, max_age), 0, 0,
     36500, "drop events older than this many days (0: never)"},
    {"source", "internal", C_CIDRS, offsetof(struct conf_source, internal),
     offsetof(struct conf_source, ninternal), 0, 0, "internal CIDR ranges"},
    {"source", "internal_domain", C_DOMAINS,
     offsetof(struct conf_source, internal_domain),
     offsetof(struct conf_source, ninternal_domain), 0, 0,
     "internal domain suffixes"},
    {"source", "include", C_MATCH, offsetof(struct conf_source, include),
     offsetof(struct conf_source, ninclude), 0, 0,
     "keep only lines one of these FIELD PATTERN rules matches"},
    {"source", "exclude", C_MATCH, offsetof(struct conf_source, exclude),
     offsetof(struct conf_source, nexclude), 0, 0,
     "drop lines one of these FIELD PATTERN rules matches"},
    {"source", "allow", C_CIDRS, offsetof(struct conf_source, allow),
     offsetof(struct conf_source, nallow), 0, 0,
     "syslog senders allowed (CIDRs)"},
    {"source", "tls_cert", C_STR, offsetof(struct conf_source, tls_cert), 0, 0,
     0, "certificate (chain) of tls:// listeners"},
    {"source", "tls_key", C_STR, offsetof(struct conf_source, tls_key), 0, 0, 0,
     "private key of tls:// listeners"},
    {"source", "tls_ca", C_STR, offsetof(struct conf_source, tls_ca), 0, 0, 0,
     "CA bundle verifying syslog client certificates"},
    {"source", "tls_client_auth", C_STR,
     offsetof(struct conf_source, tls_client_auth), 0, 0, 0,
     "none, optional or require"},
    {"source", "syslog_max_message", C_SIZE,
     offsetof(struct conf_source, syslog_max_message), 0, 0, 0,
     "longest syslog message"},
    {"source", "syslog_max_connections", C_INT,
     offsetof(struct conf_source, syslog_max_connections), 0, 1, 65536,
     "TCP/TLS syslog connections at once"},
    {"source", "syslog_idle_timeout", C_INT,
     offsetof(struct conf_source, syslog_idle_timeout), 0, 0, 86400,
     "seconds without a whole message before a syslog connection is "
     "closed (0: never)"},
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
	c->spool_max_bytes = SPOOL_MAX_BYTES_DEFAULT;
	c->rotate_wait = ROTATE_WAIT_DEFAULT;
	c->poll_interval = POLL_INTERVAL_DEFAULT;
	c->inotify = true;
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
set_key(void *obj, const struct conf_key *k, const char *value, char *err,
        size_t errlen)
{
	char *base = (char *)obj + k->off;
	char ***lv = (char ***)(void *)base;
	size_t *ln = (size_t *)(void *)((char *)obj + k->noff);

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
	case C_BOOL:
	case C_TRI: {
		bool b;

		if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") ||
		    !strcmp(value, "1") || !strcasecmp(value, "on"))
			b = true;
		else if (!strcasecmp(value, "no") ||
		         !strcasecmp(value, "false") || !strcmp(value, "0") ||
		         !strcasecmp(value, "off"))
			b = false;
		else {
			snprintf(err, errlen,
			         "%s: '%s' is not yes/no/true/false", k->key,
			         value);
			return -1;
		}
		if (k->type == C_TRI)
			*(int *)(void *)base = b;
		else
			*(bool *)(void *)base = b;
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
		return add_words(lv, ln, value, true, err, errlen);
	case C_DOMAINS:
		return add_words(lv, ln, value, false, err, errlen);
	case C_MATCH: {
		char e[512];

		if (match_check(value, e, sizeof(e)) == -1) {
			snprintf(err, errlen, "%s: %s", k->key, e);
			return -1;
		}
	}
		/* FALLTHROUGH */
	case C_LIST: {
		/* One value per key (a path may hold blanks and commas). */
		char **nv = realloc(*lv, (*ln + 1) * sizeof(**lv));

		if (nv == NULL || (nv[*ln] = strdup(value)) == NULL) {
			if (nv != NULL)
				*lv = nv;
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		*lv = nv;
		(*ln)++;
		return 0;
	}
	default:
		snprintf(err, errlen, "%s: unknown type", k->key);
		return -1;
	}
}

/* [format NAME] pattern = / time_format = */
static int
set_format(struct conf *c, const char *name, const char *key, const char *value,
           char *err, size_t errlen)
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
		struct conf_format *v =
		    realloc(c->formats, (c->nformats + 1) * sizeof(*v));

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

/* "source NAME": NAME (borrowed from s), or NULL for another section. */
static const char *
source_name(const char *section)
{
	if (strncmp(section, "source", 6) != 0 ||
	    (section[6] != ' ' && section[6] != '\t'))
		return NULL;
	section += 6;
	while (*section == ' ' || *section == '\t')
		section++;
	return section;
}

static bool
name_ok(const char *n)
{
	if (*n == '\0' || strlen(n) > 64)
		return false;
	for (; *n; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '-' || *n == '_' ||
		      *n == '.'))
			return false;
	return true;
}

/* The source called name, created (with its defaults) when new. */
static struct conf_source *
source_get(struct conf *c, const char *name, int line)
{
	struct conf_source *v, *s;

	for (size_t i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	if ((v = realloc(c->sources, (c->nsources + 1) * sizeof(*v))) == NULL)
		return NULL;
	c->sources = v;
	s = &v[c->nsources];
	memset(s, 0, sizeof(*s));
	if ((s->name = strdup(name)) == NULL)
		return NULL;
	s->line = line;
	s->spool_settle = SPOOL_SETTLE_DEFAULT;
	s->batch_max_age = BATCH_MAX_AGE_DEFAULT;
	s->keep_internal = -1;
	s->max_age = -1;
	s->syslog_max_message = SYSLOG_MAX_MESSAGE_DEFAULT;
	s->syslog_max_connections = SYSLOG_MAX_CONNECTIONS_DEFAULT;
	s->syslog_idle_timeout = SYSLOG_IDLE_TIMEOUT_DEFAULT;
	c->nsources++;
	return s;
}

static int
fingerprint_add(char **fp, const char *section, const char *key,
                const char *value)
{
	size_t o = *fp ? strlen(*fp) : 0;
	size_t n = o + strlen(section) + strlen(key) + strlen(value) + 8;
	char *p = realloc(*fp, n);

	if (p == NULL)
		return -1;
	snprintf(p + o, n - o, "[%s]%s=%s\n", section, key, value);
	*fp = p;
	return 0;
}

static int
source_set(struct conf *c, const char *name, int line, const char *key,
           const char *value, char *err, size_t errlen)
{
	struct conf_source *s;

	if (!name_ok(name)) {
		snprintf(err, errlen,
		         "[source %s]: a source name is 1 to 64 letters, "
		         "digits, '-', '_' or '.'",
		         name);
		return -1;
	}
	if ((s = source_get(c, name, line)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (key == NULL)
		return 0;
	if (fingerprint_add(&s->fingerprint, "", key, value) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].section, "source") == 0 &&
		    strcmp(keys[i].key, key) == 0)
			return set_key(s, &keys[i], value, err, errlen);
	snprintf(err, errlen, "unknown key '%s' in [source %s]", key, name);
	return -1;
}

int
conf_set(struct conf *c, const char *section, const char *key,
         const char *value, char *err, size_t errlen)
{
	bool section_known = false;
	const char *src = source_name(section);

	if (strncmp(section, "format ", 7) == 0)
		return set_format(c, section + 7, key, value, err, errlen);
	if (src != NULL)
		return source_set(c, src, 0, key, value, err, errlen);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, section) != 0 ||
		    strcmp(section, "source") == 0)
			continue;
		section_known = true;
		if (strcmp(keys[i].key, key) == 0 &&
		    keys[i].off ==
		        offsetof(struct conf, secret_group_readable) &&
		    strcmp(value, "refuse") != 0 &&
		    strcmp(value, "warn") != 0) {
			snprintf(err, errlen, "%s: '%s' is not refuse or warn",
			         key, value);
			return -1;
		}
		if (strcmp(keys[i].key, key) == 0) {
			if (fingerprint_add(&c->fingerprint, section, key,
			                    value) == -1) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			return set_key(c, &keys[i], value, err, errlen);
		}
	}
	if (!section_known)
		snprintf(err, errlen,
		         "unknown section [%s] (known: tenant, auth, upload, "
		         "filter, daemon, source NAME, format NAME)",
		         section);
	else
		snprintf(err, errlen, "unknown key '%s' in [%s]", key, section);
	return -1;
}

char *
conf_state_dir(const struct conf *c)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char p[4096];

	if (c->state_dir != NULL)
		return strdup(c->state_dir);
	if (geteuid() == 0)
		return strdup("/var/lib/discolog");
	if (x != NULL && *x == '/')
		snprintf(p, sizeof(p), "%s/discolog", x);
	else if (home != NULL && *home == '/')
		snprintf(p, sizeof(p), "%s/.local/state/discolog", home);
	else
		return strdup("/var/tmp/discolog");
	return strdup(p);
}

const struct conf_source *
conf_source_find(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->nsources; i++)
		if (strcmp(c->sources[i].name, name) == 0)
			return &c->sources[i];
	return NULL;
}

static bool
path_ok(const char *p)
{
	const char *d;

	if (p[0] != '/')
		return false;
	for (d = strstr(p, ".."); d != NULL; d = strstr(d + 2, ".."))
		if ((d == p || d[-1] == '/') && (d[2] == '/' || d[2] == '\0'))
			return false;
	return true;
}

int
conf_check_sources(const struct conf *c, char *err, size_t errlen)
{
	const char *f = c->path ? c->path : "(configuration)";
	char reason[512];

	if (c->nsources == 0) {
		snprintf(err, errlen,
		         "%s: no [source NAME] section: `discolog run` needs "
		         "at least one",
		         f);
		return -1;
	}
	for (size_t i = 0; i < c->nsources; i++) {
		const struct conf_source *s = &c->sources[i];
		const char *why = NULL, *bad = NULL;

		if (s->data_source == NULL && s->snapshot == NULL)
			why = "no data_source (or snapshot): name the data "
			      "source of Settings > Cloud Discovery";
		else if (s->data_source != NULL && s->snapshot != NULL)
			why = "data_source and snapshot: give one of them";
		else if (s->nfollow + s->nspool_dir + s->nsyslog == 0)
			why =
			    "no input: give follow =, spool_dir = or syslog =";
		for (size_t k = 0; why == NULL && k < s->nfollow; k++)
			if (!path_ok(s->follow[k]))
				bad = s->follow[k];
		for (size_t k = 0; why == NULL && !bad && k < s->nspool_dir;
		     k++)
			if (!path_ok(s->spool_dir[k]) ||
			    strpbrk(s->spool_dir[k], "*?[") != NULL)
				bad = s->spool_dir[k];
		if (why == NULL && bad == NULL && s->spool_done != NULL &&
		    !path_ok(s->spool_done))
			bad = s->spool_done;
		if (bad != NULL) {
			snprintf(err, errlen,
			         "%s:%d: [source %s]: '%s' is not an absolute "
			         "path without '..'%s",
			         f, s->line, s->name, bad,
			         strpbrk(bad, "*?[") ? " (no glob in spool_dir)"
			                             : "");
			return -1;
		}
		if (why != NULL) {
			snprintf(err, errlen, "%s:%d: [source %s]: %s", f,
			         s->line, s->name, why);
			return -1;
		}
		if (syslogd_check(s, reason, sizeof(reason)) == -1) {
			snprintf(err, errlen, "%s:%d: [source %s]: %s", f,
			         s->line, s->name, reason);
			return -1;
		}
	}
	if (metrics_check(c, reason, sizeof(reason)) == -1) {
		snprintf(err, errlen, "%s: [daemon]: %s", f, reason);
		return -1;
	}
	return 0;
}

struct load_ctx {
	struct conf *c;
	char reason[512];
	int *header_line; /* line of each section header, in order */
	char **header;    /* its text between the brackets */
	size_t nheaders, seen;
};

static int
on_ini(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx *lc = user;
	const char *src = source_name(section);
	char err[512];
	int line = 0;

	if (name == NULL) {
		/* A section header: the line of the n-th header. */
		if (lc->seen < lc->nheaders)
			line = lc->header_line[lc->seen];
		lc->seen++;
		if (src == NULL)
			return 1;
		if (conf_source_find(lc->c, src) != NULL) {
			snprintf(lc->reason, sizeof(lc->reason),
			         "[source %s] given twice", src);
			return 0;
		}
		if (source_set(lc->c, src, line, NULL, NULL, err,
		               sizeof(err)) == -1) {
			snprintf(lc->reason, sizeof(lc->reason), "%s", err);
			return 0;
		}
		return 1;
	}
	if (conf_set(lc->c, section, name, value, err, sizeof(err)) == -1) {
		if (lc->reason[0] == '\0')
			snprintf(lc->reason, sizeof(lc->reason), "%s", err);
		return 0;
	}
	return 1;
}

/*
 * The line numbers of the section headers, which inih does not hand to the
 * handler: a source error found after loading names its header's line.
 */
static void
header_lines(const char *path, struct load_ctx *lc)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	int n = 0;

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		const char *p = line, *end;
		int *v;
		char **h;

		n++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '[' || (end = strchr(p, ']')) == NULL)
			continue;
		if ((v = realloc(lc->header_line,
		                 (lc->nheaders + 1) * sizeof(*v))) == NULL)
			break;
		lc->header_line = v;
		if ((h = realloc(lc->header,
		                 (lc->nheaders + 1) * sizeof(*h))) == NULL)
			break;
		lc->header = h;
		if ((h[lc->nheaders] = strndup(p + 1, (size_t)(end - p - 1))) ==
		    NULL)
			break;
		v[lc->nheaders++] = n;
	}
	fclose(f);
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

	free(c->path);
	c->path = strdup(path);
	header_lines(path, &lc);
	r = ini_parse(path, on_ini, &lc);
	/* inih may not report section headers: find each source's line
	 * (and the sources without a key, which checking then refuses). */
	for (size_t k = 0; r == 0 && k < lc.nheaders; k++) {
		const char *n = source_name(lc.header[k]);

		if (n != NULL && name_ok(n) && conf_source_find(c, n) == NULL)
			(void)source_get(c, n, lc.header_line[k]);
	}
	for (size_t i = 0; i < c->nsources; i++)
		for (size_t k = 0; k < lc.nheaders && c->sources[i].line == 0;
		     k++) {
			const char *n = source_name(lc.header[k]);

			if (n != NULL && strcmp(n, c->sources[i].name) == 0)
				c->sources[i].line = lc.header_line[k];
		}
	for (size_t k = 0; k < lc.nheaders; k++)
		free(lc.header[k]);
	free(lc.header);
	free(lc.header_line);
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

static void
source_free(struct conf_source *s)
{
	free(s->name);
	free(s->data_source);
	free(s->snapshot);
	free(s->format);
	free(s->source_type);
	free_list(s->follow, s->nfollow);
	free_list(s->spool_dir, s->nspool_dir);
	free_list(s->syslog, s->nsyslog);
	free(s->spool_done);
	free_list(s->internal, s->ninternal);
	free_list(s->internal_domain, s->ninternal_domain);
	free_list(s->include, s->ninclude);
	free_list(s->exclude, s->nexclude);
	free_list(s->allow, s->nallow);
	free(s->tls_cert);
	free(s->tls_key);
	free(s->tls_ca);
	free(s->tls_client_auth);
	free(s->fingerprint);
}

void
conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->nsources; i++)
		source_free(&c->sources[i]);
	free(c->sources);
	free(c->fingerprint);
	free(c->path);
	free(c->user);
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
	free(c->secret_group_readable);
	free(c->data_source);
	free(c->snapshot);
	free(c->format);
	free(c->state_dir);
	free(c->compressor);
	free(c->metrics_file);
	free(c->pseudonymize_key_file);
	free(c->metrics_listen);
	free_list(c->internal, c->ninternal);
	free_list(c->internal_domain, c->ninternal_domain);
	free_list(c->include, c->ninclude);
	free_list(c->exclude, c->nexclude);
	for (size_t i = 0; i < c->nformats; i++) {
		free(c->formats[i].name);
		free(c->formats[i].pattern);
		free(c->formats[i].time_format);
	}
	free(c->formats);
	memset(c, 0, sizeof(*c));
}
