/*
 * Diagnostics to stderr or syslog: see log.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static int log_lvl;
static int log_to_syslog;
static void (*log_hook)(void);

void
log_set_hook(void (*fn)(void))
{
	log_hook = fn;
}

void
log_init(int level, int use_syslog)
{
	log_lvl = level;
	log_to_syslog = use_syslog;
	if (use_syslog)
		openlog("discolog", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

int
log_level(void)
{
	return log_lvl;
}

static void
vlog(int pri, const char *fmt, va_list ap, const char *err)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_to_syslog) {
		if (err != NULL)
			syslog(pri, "%s: %s", msg, err);
		else
			syslog(pri, "%s", msg);
		return;
	}
	if (log_hook != NULL)
		log_hook();
	if (err != NULL)
		fprintf(stderr, "discolog: %s: %s\n", msg, err);
	else
		fprintf(stderr, "discolog: %s\n", msg);
}

#define LOG_BODY(pri, min, err_expr)                                           \
	do {                                                                   \
		int saved = errno;                                             \
		va_list ap;                                                    \
		if (log_lvl >= (min)) {                                        \
			va_start(ap, fmt);                                     \
			vlog((pri), fmt, ap, (err_expr));                      \
			va_end(ap);                                            \
		}                                                              \
		errno = saved;                                                 \
	} while (0)

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, LOG_LVL_QUIET, strerror(saved));
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, LOG_LVL_QUIET, NULL);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, LOG_LVL_INFO, NULL);
}

void
log_verbose(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, LOG_LVL_VERBOSE, NULL);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_DEBUG, LOG_LVL_DEBUG, NULL);
}

void
fatal(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, LOG_LVL_QUIET, strerror(saved));
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, LOG_LVL_QUIET, NULL);
	exit(1);
}

void
log_redact_url(const char *url, char *out, size_t outlen)
{
	const char *q = strchr(url, '?');
	size_t n = q ? (size_t)(q - url) : strlen(url);

	if (outlen == 0)
		return;
	snprintf(out, outlen, "%.*s%s", (int)n, url, q ? "?REDACTED" : "");
}
