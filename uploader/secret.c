/*
 * Secrets from files or the environment: see secret.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secret.h"

#define SECRET_MAX_BYTES 16384

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
	if (st.st_mode & S_IROTH) {
		snprintf(err, errlen,
		         "%s: readable by every user: chmod o-r it (a secret "
		         "file must not be readable by others)",
		         path);
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
