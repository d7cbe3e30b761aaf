/*
 * Secrets: read from a file or the environment, never from argv; kept out
 * of core dumps; wiped when freed.
 */
#ifndef SECRET_H
#define SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/*
 * The secret in file `path` (surrounding blanks removed), or, when path is
 * NULL, in environment variable `env`.  NULL when neither is set (err is
 * empty) or on failure (reason in err): a file others can read is refused,
 * and so is one its group can read, unless secret_set_group_readable()
 * said to accept it (with a warning).  The process is made non-dumpable
 * first (secret_protect_process).  The caller frees with secret_free().
 */
char *secret_load(const char *path, const char *env, char *err, size_t errlen);

/* A secret file readable by its group: refused (the default), or accepted
 * with a warning ([auth] secret_file_group_readable = warn, for a
 * root:discolog 0640 file read by a daemon in group discolog). */
enum secret_group { SECRET_GROUP_REFUSE, SECRET_GROUP_WARN };
void secret_set_group_readable(enum secret_group g);

/* Wipe and free; NULL ok. */
void secret_free(char *s);

/* Mark the process non-dumpable (no core file holds a secret). */
void secret_protect_process(void);

/*
 * Does the mode of the secret file `path` refuse it?  Readable by others
 * always; by its group unless [auth] secret_file_group_readable = warn
 * (then warned).  The reason goes to err.
 */
bool secret_mode_refused(const char *path, const struct stat *st, char *err,
                         size_t errlen);

#endif
