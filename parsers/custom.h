/*
 * Custom formats from the configuration ([format NAME] sections): a PCRE2
 * pattern with named groups becomes a parser that bids and parses like the
 * built-in ones; its kept lines are uploaded as generic CEF.
 */
#ifndef CUSTOM_H
#define CUSTOM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

/*
 * Compile `pattern` and register the format `name` (time_format may be
 * NULL: ISO 8601, epoch or CLF times are then recognised).  Returns 0, or
 * -1 with the reason in err.
 */
int custom_add(const char *name, const char *pattern, const char *time_format,
               char *err, size_t errlen);

/* Would custom_add accept this?  0, or -1 with the reason in err. */
int custom_check(const char *pattern, const char *time_format, char *err,
                 size_t errlen);
int custom_check_time_format(const char *fmt, char *err, size_t errlen);

/* Unregister and free every custom format. */
void custom_clear(void);

/*
 * Parse `s` with a strftime-like format: %Y %y %m %d %e %H %I %M %S %f
 * (fraction) %b (month name) %p (AM/PM) %z (+hh:mm, Z) %s (epoch) %%.
 * A time without %z is UTC.  True and *ms on success.
 */
bool custom_time(const char *fmt, struct slice s, int64_t *ms);

#endif
