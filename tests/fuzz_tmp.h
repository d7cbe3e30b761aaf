/*
 * Where a fuzz target writes the file it feeds to code that reads files:
 * /dev/shm when the machine has that tmpfs (several times the runs a
 * second of /tmp on disk), else /tmp.
 */
#ifndef FUZZ_TMP_H
#define FUZZ_TMP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A new file "DIR/NAME.XXXXXX" into path (closed); 0, or -1. */
static int
fuzz_tmp_file(char *path, size_t len, const char *name)
{
	static const char *const dirs[] = {"/dev/shm", "/tmp"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int fd;

		snprintf(path, len, "%s/%s.XXXXXX", dirs[i], name);
		if ((fd = mkstemp(path)) != -1) {
			close(fd);
			return 0;
		}
	}
	return -1;
}

/* A new directory "DIR/NAME.XXXXXX" into path; 0, or -1. */
static int
fuzz_tmp_dir(char *path, size_t len, const char *name)
{
	static const char *const dirs[] = {"/dev/shm", "/tmp"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, len, "%s/%s.XXXXXX", dirs[i], name);
		if (mkdtemp(path) != NULL)
			return 0;
	}
	return -1;
}

#endif
