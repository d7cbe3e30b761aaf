/*
 * Diagnostics, after OpenBSD's log.c: one line per event on stderr (or
 * syslog for the daemon), "discolog: object: what went wrong".
 *
 * log_warn() appends strerror(errno); the x variants do not.  Every
 * function saves and restores errno.  Nothing secret is ever passed here:
 * callers redact URLs with log_redact_url() first.
 */
#ifndef LOG_H
#define LOG_H

#include <stddef.h>

enum log_level {
	LOG_LVL_QUIET = -1, /* -q: errors only */
	LOG_LVL_INFO = 0,
	LOG_LVL_VERBOSE = 1, /* -v */
	LOG_LVL_DEBUG = 2,   /* -vv */
};

/* Log to stderr (use_syslog false) or syslog, at `level` and below. */
void log_init(int level, int use_syslog);
int log_level(void);

/* Called before each line goes to stderr (the progress bar erases itself
 * there); NULL: none. */
void log_set_hook(void (*fn)(void));

#define LOG_PRINTF __attribute__((format(printf, 1, 2)))
void log_warn(const char *, ...) LOG_PRINTF;
void log_warnx(const char *, ...) LOG_PRINTF;
void log_info(const char *, ...) LOG_PRINTF;
void log_verbose(const char *, ...) LOG_PRINTF;
void log_debug(const char *, ...) LOG_PRINTF;
__attribute__((noreturn)) void fatal(const char *, ...) LOG_PRINTF;
__attribute__((noreturn)) void fatalx(const char *, ...) LOG_PRINTF;

/*
 * Copy `url` into out with its query string replaced by "?REDACTED" (a SAS
 * signature lives there), so it can be logged.
 */
void log_redact_url(const char *url, char *out, size_t outlen);

#endif
