/*
 * Replays fuzz corpora through the fuzz targets with any compiler: every
 * file under the directories given (default: samples/ and
 * tests/corpus/parse/), one input each.  A finding aborts.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_parse.c"

static int inputs;

static void
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t len = 0, cap = 0, n;
	char tmp[65536];

	if (f == NULL)
		return;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0) {
		if (len + n > cap) {
			cap = (len + n) * 2;
			if ((data = realloc(data, cap)) == NULL)
				abort();
		}
		memcpy(data + len, tmp, n);
		len += n;
	}
	fclose(f);
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	inputs++;
}

static void
replay_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char p[8192];
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (stat(p, &st) == -1)
			continue;
		if (S_ISDIR(st.st_mode))
			replay_dir(p);
		else if (S_ISREG(st.st_mode))
			replay_file(p);
	}
	closedir(d);
}

int
main(int argc, char **argv)
{
	if (argc > 1)
		for (int i = 1; i < argc; i++)
			replay_dir(argv[i]);
	else {
		replay_dir("samples");
		replay_dir("tests/corpus/parse");
	}
	arena_free(&fuzz_arena);
	/* Reaching here means no input aborted. */
	printf("fuzz: %d passed, 0 failed\n", inputs > 0 ? 1 : 0);
	return inputs > 0 ? 0 : 1;
}
