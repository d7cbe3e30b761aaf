/*
 * Fuzz target: the input path of `upload` and `check`.  The input is
 * written to a file and read through pipeline_run(): libarchive's
 * filters (gzip, bzip2, xz, zstd ...) and formats (zip, tar, 7z, cpio,
 * raw), members with hostile names, sizes and nesting, the line splitter,
 * detection and every parser, the filters.
 *
 * A crash, a sanitizer report, a kept record whose line number does not
 * grow, or a failure without a reason is a finding.  The file is written
 * anew for every input (input.c reads files, not memory).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "fuzz_tmp.h"
#include "log.h"
#include "pipeline.h"

#define ARCHIVE_NOW_MS 1780272000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_archive_cleanup(void);

static char archive_path[64];

void
fuzz_archive_cleanup(void)
{
	if (archive_path[0] != '\0')
		unlink(archive_path);
	archive_path[0] = '\0';
}

struct archive_seen {
	uint64_t records, last;
};

static int
archive_sink(void *arg, const struct record *r, uint64_t lineno, char *err,
             size_t errlen)
{
	struct archive_seen *s = arg;

	(void)r;
	(void)err;
	(void)errlen;
	if (lineno == 0)
		abort();
	s->records++;
	s->last = lineno;
	return 0;
}

static void
archive_member(void *arg, const struct member_stats *m)
{
	(void)arg;
	if (memchr(m->name, '\0', sizeof(m->name)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct archive_seen seen = {0};
	struct filter f = {.max_age_days = 90, .now_ms = ARCHIVE_NOW_MS};
	struct pipeline pl = {.now_ms = ARCHIVE_NOW_MS,
	                      .sink = archive_sink,
	                      .sink_arg = &seen,
	                      .member_done = archive_member};
	char err[1024];
	bool unknown = false;
	int fd;

	log_init(LOG_LVL_QUIET - 1, 0);
	if (archive_path[0] == '\0') {
		if (fuzz_tmp(archive_path, sizeof(archive_path), "fuzz_archive",
		             false))
			abort();
	}
	if ((fd = open(archive_path, O_WRONLY | O_TRUNC)) == -1)
		abort();
	for (size_t o = 0; o < size;) {
		ssize_t n = write(fd, data + o, size - o);

		if (n <= 0)
			abort();
		o += (size_t)n;
	}
	close(fd);
	if (filter_add_domain(&f, "corp.example") == -1)
		abort();
	pl.filter = &f;
	err[0] = '\0';
	if (pipeline_run(&pl, archive_path, &unknown, err, sizeof(err)) == -1 &&
	    (err[0] == '\0' || memchr(err, '\0', sizeof(err)) == NULL))
		abort();
	filter_free(&f);
	return 0;
}
