/*
 * Fuzz target: detection and every parser over arbitrary bytes.
 *
 * The input is split into lines; the first ones go through the bidding of
 * every parser, then every line through the winner and through one more
 * parser the input's last byte names (with per-source state, so W3C-style
 * directives are exercised).  A crash, a sanitizer
 * report, or a field pointing outside its line and the arena is a finding.
 *
 * Built two ways: with clang -fsanitize=fuzzer (scripts/fuzz.mk), and with
 * any compiler through tests/test_fuzz.c, which replays the corpus
 * (samples/ and tests/corpus/parse/).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "limits.h"
#include "parser.h"

#define PARSE_NOW_MS 1780272000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_parse_cleanup(void);

static struct arena parse_arena;

/* What the replay calls at the end (no leak under valgrind). */
void
fuzz_parse_cleanup(void)
{
	arena_free(&parse_arena);
}

static int
parse_inside(const struct record *r, const char *lo, const char *hi)
{
	const struct slice *f[] = {&r->src_ip,     &r->dst_ip, &r->user,
	                           &r->dst_host,   &r->url,    &r->proto,
	                           &r->user_agent, &r->device};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		const char *p = f[i]->p;
		size_t n = f[i]->len;

		if (n == 0)
			continue;
		if (p >= lo && p + n <= hi)
			continue;
		if (p >= parse_arena.base &&
		    p + n <= parse_arena.base + parse_arena.cap)
			continue;
		return 0;
	}
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slice lines[64], raw[PEEK_LINES], body[PEEK_LINES];
	size_t n = 0, start = 0, npeek = 0;
	char *buf;
	struct peek pk;
	const struct parser *chosen[2];
	int bid;

	if (parse_arena.base == NULL && arena_init(&parse_arena, ARENA_BYTES))
		abort();
	/* A private copy of exactly `size` bytes: ASan sees any overread. */
	if ((buf = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	for (size_t i = 0; i <= size && n < 64; i++) {
		if (i == size || buf[i] == '\n') {
			lines[n++] = (struct slice){buf + start, i - start};
			start = i + 1;
		}
	}
	for (size_t i = 0; i < n && npeek < PEEK_LINES; i++)
		if (lines[i].len > 0)
			raw[npeek++] = lines[i];
	parser_peek(&pk, "fuzz", raw, body, npeek, PARSE_NOW_MS);
	chosen[0] = parser_choose(&pk, &bid);
	/*
	 * Every line through the winner, as the pipeline does, and through
	 * one more parser named by the input's last byte, so that any parser
	 * meets any line whatever the first lines say.  Two parsers an input,
	 * not all of them: the fuzzer runs twenty times as many inputs, and
	 * its mutations steer which parser it feeds.
	 */
	chosen[1] = parsers[size ? buf[size - 1] % nparsers : 0];
	for (size_t k = 0; k < 2; k++) {
		const struct parser *p = chosen[k];
		void *state;

		if (p == NULL || (k == 1 && p == chosen[0]))
			continue;
		if ((state = calloc(1, p->state_size + 1)) == NULL)
			break;
		for (size_t i = 0; i < n; i++) {
			struct record r;
			enum parse_result v;

			arena_reset(&parse_arena);
			v = parser_run(p, state, lines[i], PARSE_NOW_MS, &r,
			               &parse_arena);
			if ((v == PARSE_OK || v == PARSE_PARTIAL) &&
			    !parse_inside(&r, buf, buf + size))
				abort();
		}
		free(state);
	}
	free(buf);
	return 0;
}
