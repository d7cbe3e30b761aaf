/*
 * Privilege for `discolog run`: started as root only to bind a privileged
 * syslog port or open a protected log, it becomes its configured user
 * ([daemon] user) before it parses any input, and can never regain
 * anything (PR_SET_NO_NEW_PRIVS).  Membership of Debian's `adm` group is
 * usually enough to read /var/log afterwards.
 */
#ifndef PRIV_H
#define PRIV_H

#include <stddef.h>

/*
 * Become `user` (NULL: stay who we are); the state directory is handed to
 * it first.  NO_NEW_PRIVS is set either way.  Returns 0, or -1 with the
 * reason in err.
 */
int priv_drop(const char *user, const char *state_dir, char *err,
              size_t errlen);

#endif
