/*
 * Where a fuzz target writes the file it feeds to code that reads files:
 * /dev/shm when the machine has that tmpfs (several times the runs a
 * second of /tmp on disk), else /tmp.
 */
#ifndef FUZZ_TMP_H
#define FUZZ_TMP_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* A new file (dir false: closed) or directory "DIR/NAME.XXXXXX" into
 * path; 0, or -1. */
static int
fuzz_tmp(char *path, size_t len, const char *name, bool dir)
{
	static const char *const dirs[] = {"/dev/shm", "/tmp"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int fd;

		snprintf(path, len, "%s/%s.XXXXXX", dirs[i], name);
		if (dir ? mkdtemp(path) != NULL : (fd = mkstemp(path)) != -1) {
			if (!dir)
				close(fd);
			return 0;
		}
	}
	return -1;
}

#endif
