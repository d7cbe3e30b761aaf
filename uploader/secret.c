/*
 * Secrets from files or the environment: see secret.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "secret.h"

#define SECRET_MAX_BYTES 16384

static enum secret_group group_policy = SECRET_GROUP_REFUSE;

static char *
trimmed_dup(const char *s, size_t n)
{
	char *d;

	while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	                 s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
secret_set_group_readable(enum secret_group g)
{
	group_policy = g;
}

/* The name of group `gid`, or its number, into out. */
static const char *
group_name(gid_t gid, char *out, size_t outlen)
{
	struct group gr, *res = NULL;
	char buf[4096];

	if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) == 0 && res != NULL)
		snprintf(out, outlen, "%s", res->gr_name);
	else
		snprintf(out, outlen, "%u", (unsigned)gid);
	return out;
}

/*
 * Whether the mode of a secret file refuses it (reason in err): readable
 * by others always, by its group unless the admin opted in (then warned).
 */
bool
secret_mode_refused(const char *path, const struct stat *st, char *err,
                    size_t errlen)
{
	unsigned mode = (unsigned)st->st_mode & 07777;
	char g[256];

	if (st->st_mode & S_IROTH) {
		snprintf(err, errlen,
		         "%s: readable by every user (mode %04o): chmod go-r "
		         "it (a secret file is for its owner only)",
		         path, mode);
		return true;
	}
	if (!(st->st_mode & S_IRGRP))
		return false;
	if (group_policy == SECRET_GROUP_WARN) {
		log_warnx("%s: readable by group %s (mode %04o): accepted, as "
		          "[auth] secret_file_group_readable = warn says; "
		          "every member of that group can read the secret",
		          path, group_name(st->st_gid, g, sizeof(g)), mode);
		return false;
	}
	snprintf(err, errlen,
	         "%s: readable by group %s (mode %04o): chmod g-r it, or, "
	         "where a group must read it (root:discolog 0640), set "
	         "[auth] secret_file_group_readable = warn",
	         path, group_name(st->st_gid, g, sizeof(g)), mode);
	return true;
}

char *
secret_load(const char *path, const char *env, char *err, size_t errlen)
{
	char buf[SECRET_MAX_BYTES];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd;
	char *s;

	err[0] = '\0';
	/* Whoever reads a secret first (doctor reads the key early): no core
	 * file from here on. */
	secret_protect_process();
	if (path == NULL) {
		const char *v = env ? getenv(env) : NULL;

		if (v == NULL || *v == '\0')
			return NULL;
		if ((s = trimmed_dup(v, strlen(v))) == NULL)
			snprintf(err, errlen, "out of memory");
		return s;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return NULL;
	}
	if (secret_mode_refused(path, &st, err, errlen)) {
		close(fd);
		return NULL;
	}
	while (len < sizeof(buf) &&
	       (n = read(fd, buf + len, sizeof(buf) - len)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			explicit_bzero(buf, sizeof(buf));
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	if (len == sizeof(buf)) {
		snprintf(err, errlen, "%s: too large for a secret", path);
		explicit_bzero(buf, sizeof(buf));
		return NULL;
	}
	s = trimmed_dup(buf, len);
	explicit_bzero(buf, sizeof(buf));
	if (s == NULL)
		snprintf(err, errlen, "out of memory");
	else if (*s == '\0') {
		snprintf(err, errlen, "%s: empty", path);
		free(s);
		s = NULL;
	}
	return s;
}

void
secret_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

void
secret_protect_process(void)
{
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}
