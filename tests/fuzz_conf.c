/*
 * Fuzz target: the INI configuration loader (conf_load, from a file
 * written anew for every input: the loader reads files), the custom
 * formats it declares ([format NAME]: PCRE2 pattern, time_format) and
 * those formats at work.
 *
 * The input is a configuration; a line "%%" ends it, and the lines after
 * it are log lines, parsed by every custom format the configuration
 * declared, and read by custom_time() with every time_format.  A crash, a
 * sanitizer report, an unterminated error message or a field outside its
 * line and the arena is a finding.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "conf.h"
#include "custom.h"
#include "fuzz_tmp.h"
#include "limits.h"
#include "log.h"
#include "parser.h"

#define CONF_NOW_MS 1780272000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_conf_cleanup(void);

static struct arena conf_arena;
static char conf_path[64];

void
fuzz_conf_cleanup(void)
{
	arena_free(&conf_arena);
	custom_clear();
	if (conf_path[0] != '\0')
		unlink(conf_path);
	conf_path[0] = '\0';
}

/* Write n bytes to the input's file; 0 or -1. */
static int
conf_write(const uint8_t *p, size_t n)
{
	int fd;

	if (conf_path[0] == '\0') {
		if (fuzz_tmp(conf_path, sizeof(conf_path), "fuzz_conf", false))
			return -1;
	}
	if ((fd = open(conf_path, O_WRONLY | O_TRUNC)) == -1)
		return -1;
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0) {
			close(fd);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return close(fd);
}

static int
conf_inside(const struct slice *s, const char *lo, const char *hi)
{
	if (s->len == 0)
		return 1;
	if (s->p >= lo && s->p + s->len <= hi)
		return 1;
	return s->p >= conf_arena.base &&
	       s->p + s->len <= conf_arena.base + conf_arena.cap;
}

/* Every custom format and time format over the log lines. */
static void
conf_run(const struct conf *c, const char *logs, size_t len)
{
	char err[1024];

	custom_clear();
	for (size_t i = 0; i < c->nformats; i++)
		if (c->formats[i].pattern != NULL)
			(void)custom_add(
			    c->formats[i].name, c->formats[i].pattern,
			    c->formats[i].time_format, err, sizeof(err));
	for (size_t k = nparsers; k < parser_count(); k++) {
		const struct parser *p = parser_at(k);
		size_t start = 0;

		for (size_t i = 0; i <= len; i++) {
			struct record r;
			struct slice line;
			enum parse_result v;

			if (i < len && logs[i] != '\n')
				continue;
			line = (struct slice){logs + start, i - start};
			start = i + 1;
			arena_reset(&conf_arena);
			v = parser_run(p, NULL, line, CONF_NOW_MS, &r,
			               &conf_arena);
			if ((v == PARSE_OK || v == PARSE_PARTIAL) &&
			    (!conf_inside(&r.dst_host, logs, logs + len) ||
			     !conf_inside(&r.url, logs, logs + len) ||
			     !conf_inside(&r.upload, logs, logs + len)))
				abort();
		}
	}
	for (size_t i = 0; i < c->nformats; i++) {
		const char *fmt = c->formats[i].time_format;
		size_t start = 0;

		if (fmt == NULL)
			continue;
		for (size_t k = 0; k <= len; k++) {
			int64_t ms;

			if (k < len && logs[k] != '\n')
				continue;
			(void)custom_time(
			    fmt, (struct slice){logs + start, k - start}, &ms);
			start = k + 1;
		}
	}
	custom_clear();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *sep = "\n%%\n";
	const uint8_t *cut = NULL;
	char *logs, err[1024];
	size_t tlen = size, llen = 0;
	struct conf c;

	log_init(LOG_LVL_QUIET - 1, 0);
	if (conf_arena.base == NULL && arena_init(&conf_arena, ARENA_BYTES))
		abort();
	for (size_t i = 0; i + 4 <= size; i++)
		if (memcmp(data + i, sep, 4) == 0) {
			cut = data + i;
			break;
		}
	if (cut != NULL) {
		tlen = (size_t)(cut - data);
		llen = size - tlen - 4;
	}
	/* An exact-size copy: ASan sees any overread. */
	if ((logs = malloc(llen ? llen : 1)) == NULL)
		return 0;
	if (llen > 0)
		memcpy(logs, cut + 4, llen);
	if (conf_write(data, tlen) == -1)
		abort();
	conf_init(&c);
	err[0] = '\0';
	if (conf_load(&c, conf_path, err, sizeof(err)) == 0)
		conf_run(&c, logs, llen);
	else if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
		abort(); /* a failure always says why */
	conf_free(&c);
	free(logs);
	return 0;
}
