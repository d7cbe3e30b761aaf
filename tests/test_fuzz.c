/*
 * Replays the fuzz corpora through the fuzz targets with any compiler, so
 * that `make check` runs every target over its corpus even without clang:
 * target NAME (tests/fuzz_NAME.c) gets every file under tests/corpus/NAME/
 * (and, for parse, samples/).  A finding aborts.
 *
 *	test_fuzz                  every target, its own corpus
 *	test_fuzz NAME DIR|FILE... one target, those inputs
 *
 * Each target is included here with its entry point renamed, so its
 * static names carry its own prefix (parse_, conf_, json_, archive_, syslog_,
 * state_).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define LLVMFuzzerTestOneInput fuzz_parse_one
#include "fuzz_parse.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_conf_one
#include "fuzz_conf.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_json_one
#include "fuzz_json.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_archive_one
#include "fuzz_archive.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_syslog_one
#include "fuzz_syslog.c"
#undef LLVMFuzzerTestOneInput
#define LLVMFuzzerTestOneInput fuzz_state_one
#include "fuzz_state.c"
#undef LLVMFuzzerTestOneInput

static const struct target {
	const char *name;
	int (*one)(const uint8_t *, size_t);
	void (*cleanup)(void);
	const char *extra; /* another corpus directory, or NULL */
} targets[] = {
    {"parse", fuzz_parse_one, fuzz_parse_cleanup, "samples"},
    {"conf", fuzz_conf_one, fuzz_conf_cleanup, NULL},
    {"json", fuzz_json_one, fuzz_json_cleanup, NULL},
    {"archive", fuzz_archive_one, fuzz_archive_cleanup, NULL},
    {"syslog", fuzz_syslog_one, fuzz_syslog_cleanup, NULL},
    {"state", fuzz_state_one, fuzz_state_cleanup, NULL},
};

static int inputs;

static void
replay_file(const struct target *t, const char *path)
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
	t->one((const uint8_t *)data, len);
	free(data);
	inputs++;
}

static void
replay(const struct target *t, const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (stat(path, &st) == -1)
		return;
	if (S_ISREG(st.st_mode)) {
		replay_file(t, path);
		return;
	}
	if (!S_ISDIR(st.st_mode) || (d = opendir(path)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char p[8192];

		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		replay(t, p);
	}
	closedir(d);
}

int
main(int argc, char **argv)
{
	size_t ntargets = sizeof(targets) / sizeof(targets[0]);
	int passed = 0, failed = 0;

	for (size_t i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];
		char dir[256];
		int before = inputs;

		if (argc > 1 && strcmp(argv[1], t->name) != 0)
			continue;
		if (argc > 2)
			for (int k = 2; k < argc; k++)
				replay(t, argv[k]);
		else {
			snprintf(dir, sizeof(dir), "tests/corpus/%s", t->name);
			replay(t, dir);
			if (t->extra != NULL)
				replay(t, t->extra);
		}
		t->cleanup();
		/* Reaching here means no input aborted; an empty corpus is a
		 * failure (the replay would prove nothing). */
		printf("%s: %d inputs\n", t->name, inputs - before);
		if (inputs > before)
			passed++;
		else
			failed++;
	}
	if (passed + failed == 0) {
		fprintf(stderr, "usage: test_fuzz [NAME [DIR|FILE...]]\n");
		failed = 1;
	}
	printf("fuzz: %d passed, %d failed\n", passed, failed);
	return failed > 0;
}
