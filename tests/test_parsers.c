/*
 * Golden tests over samples/, the detection matrix, and robustness.
 *
 * samples/<parser>/<case>.log holds input lines; <case>.expected holds one
 * line per input line:
 *
 *	ok {json}	 the record, as `check --json` prints it
 *	partial {json}	 kept with fields missing
 *	skip		 not a record (header, comment)
 *	reject		 malformed or not this format
 *
 * The parser is pinned by the directory name.  Every case whose name does
 * not start with "neg" must also be detected as its directory's parser from
 * its first lines.  Every parser then gets every sample line of every
 * format cut at each separator, a long line, a NUL byte and invalid UTF-8:
 * no crash (run under ASan), and every field inside the line or the arena.
 *
 *	test_parsers [--update] [SAMPLES_DIR]
 *
 * --update rewrites the .expected files: review the diff like code.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "buf.h"
#include "parser.h"
#include "recjson.h"
#include "test.h"

/* 2026-06-01T00:00:00Z: year-less syslog stamps in samples are dated by it. */
#define TEST_NOW_MS 1780272000000LL

static int passed, failed;
static bool update;

struct lines {
	char *data;
	size_t len;
	struct slice *v;
	size_t n;
};

static int
read_file(const char *path, struct lines *l)
{
	FILE *f = fopen(path, "rb");
	struct buf b;
	char tmp[65536];
	size_t n, cap = 0;

	memset(l, 0, sizeof(*l));
	if (f == NULL)
		return -1;
	buf_init(&b, 64u << 20);
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		if (buf_add(&b, tmp, n) == -1) {
			fclose(f);
			buf_free(&b);
			return -1;
		}
	fclose(f);
	l->data = buf_take(&b, &l->len);
	for (size_t i = 0, start = 0; i < l->len; i++) {
		if (l->data[i] != '\n')
			continue;
		if (l->n == cap) {
			cap = cap ? cap * 2 : 64;
			l->v = realloc(l->v, cap * sizeof(*l->v));
			if (l->v == NULL)
				abort();
		}
		l->v[l->n++] = (struct slice){l->data + start, i - start};
		start = i + 1;
	}
	return 0;
}

static void
lines_free(struct lines *l)
{
	free(l->data);
	free(l->v);
}

/* The .expected line for one input line. */
static void
golden_line(struct buf *out, const struct parser *p, void *state,
            struct slice raw, uint64_t lineno, struct arena *a)
{
	struct record r;
	enum parse_result res;

	arena_reset(a);
	res = parser_run(p, state, raw, TEST_NOW_MS, &r, a);
	switch (res) {
	case PARSE_OK:
	case PARSE_PARTIAL:
		if (buf_adds(out, res == PARSE_OK ? "ok " : "partial ") == -1 ||
		    recjson_write(out, &r, lineno) == -1)
			abort();
		break;
	case PARSE_SKIP:
	case PARSE_REJECT:
	default:
		if (buf_addf(out, "%s\n", parse_result_name(res)) == -1)
			abort();
		break;
	}
}

static void
golden_case(const char *dir, const char *name, const struct parser *p)
{
	char path[8192], epath[8200];
	struct lines in, exp;
	struct buf got;
	struct arena a;
	void *state;
	bool ok = true;
	size_t base;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	base = strlen(path) - 4; /* ".log" */
	snprintf(epath, sizeof(epath), "%.*s.expected", (int)base, path);
	if (read_file(path, &in) == -1) {
		printf("FAIL %s: cannot read\n", path);
		failed++;
		return;
	}
	state = calloc(1, p->state_size ? p->state_size : 1);
	if (state == NULL || arena_init(&a, 1 << 20) == -1)
		abort();
	buf_init(&got, 256u << 20);
	for (size_t i = 0; i < in.n; i++)
		golden_line(&got, p, state, in.v[i], i + 1, &a);
	if (update) {
		FILE *f = fopen(epath, "wb");

		if (f == NULL || fwrite(got.data, 1, got.len, f) != got.len ||
		    fclose(f) != 0) {
			printf("FAIL %s: cannot write\n", epath);
			failed++;
		} else
			passed++;
		goto done;
	}
	if (read_file(epath, &exp) == -1) {
		printf("FAIL %s: no %s (run with --update, review it)\n", path,
		       epath);
		failed++;
		goto done;
	}
	{
		struct lines g = {0};
		size_t cap = 0;

		for (size_t i = 0, start = 0; i < got.len; i++) {
			if (got.data[i] != '\n')
				continue;
			if (g.n == cap) {
				cap = cap ? cap * 2 : 64;
				g.v = realloc(g.v, cap * sizeof(*g.v));
				if (g.v == NULL)
					abort();
			}
			g.v[g.n++] =
			    (struct slice){got.data + start, i - start};
			start = i + 1;
		}
		for (size_t i = 0; i < in.n || i < exp.n; i++) {
			struct slice e = i < exp.n ? exp.v[i] : SLICE_NULL;
			struct slice o = i < g.n ? g.v[i] : SLICE_NULL;

			if (e.len == o.len &&
			    (e.len == 0 || memcmp(e.p, o.p, e.len) == 0))
				continue;
			ok = false;
			printf("FAIL %s:%zu\n  line:     %.*s\n"
			       "  expected: %.*s\n  got:      %.*s\n",
			       path, i + 1, i < in.n ? (int)in.v[i].len : 0,
			       i < in.n ? in.v[i].p : "", (int)e.len,
			       e.p ? e.p : "", (int)o.len, o.p ? o.p : "");
		}
		free(g.v);
		lines_free(&exp);
	}
	if (ok)
		passed++;
	else
		failed++;
done:
	buf_free(&got);
	arena_free(&a);
	free(state);
	lines_free(&in);
}

static void
detect_case(const char *dir, const char *name, const struct parser *want)
{
	char path[8192];
	struct lines in;
	struct slice raw[PEEK_LINES], body[PEEK_LINES];
	struct peek pk;
	const struct parser *got;
	size_t n = 0;
	int bid;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (read_file(path, &in) == -1)
		return;
	for (size_t i = 0; i < in.n && n < PEEK_LINES; i++)
		if (in.v[i].len > 0)
			raw[n++] = in.v[i];
	parser_peek(&pk, path, raw, body, n, TEST_NOW_MS);
	got = parser_choose(&pk, &bid);
	if (got == want) {
		passed++;
	} else {
		failed++;
		printf("FAIL detect %s: want %s, got %s (bid %d)\n", path,
		       want->name, got ? got->name : "none", bid);
	}
	lines_free(&in);
}

/* Is every slice of r inside [lo, hi) or the arena? */
static bool
fields_inside(const struct record *r, const char *lo, const char *hi,
              const struct arena *a)
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
		if (p >= a->base && p + n <= a->base + a->cap)
			continue;
		return false;
	}
	return true;
}

/* Parse a copy of exactly `n` bytes (no slack after it for ASan). */
static bool
robust_one(const struct parser *p, const char *s, size_t n, struct arena *a)
{
	char *copy = malloc(n ? n : 1);
	void *state = calloc(1, p->state_size ? p->state_size : 1);
	struct record r;
	enum parse_result res;
	bool ok;

	if (copy == NULL || state == NULL)
		abort();
	memcpy(copy, s, n);
	arena_reset(a);
	res = parser_run(p, state, (struct slice){copy, n}, TEST_NOW_MS, &r, a);
	ok = (res == PARSE_REJECT || res == PARSE_SKIP) ||
	     fields_inside(&r, copy, copy + n, a);
	free(copy);
	free(state);
	return ok;
}

static void
robust_parser(const struct parser *p, struct lines *all)
{
	struct arena a;
	bool ok = true;
	static char big[70000];

	if (arena_init(&a, 1 << 20) == -1)
		abort();
	for (size_t i = 0; i < all->n && ok; i++) {
		struct slice l = all->v[i];

		for (size_t k = 0; k <= l.len && ok; k++) {
			if (k < l.len && l.p[k] != ' ' && l.p[k] != ',' &&
			    l.p[k] != '|' && l.p[k] != '=' && l.p[k] != '"' &&
			    l.p[k] != '\t' && l.p[k] != ';')
				continue;
			ok = robust_one(p, l.p, k, &a);
		}
	}
	memset(big, 'a', sizeof(big));
	ok = ok && robust_one(p, big, sizeof(big), &a);
	ok = ok && robust_one(p, "", 0, &a);
	ok = ok &&
	     robust_one(p, "1157689312.049 5 1.2.3.4\0TCP_MISS/200", 38, &a);
	ok = ok && robust_one(p, "\xff\xfe\xc3\x28 \xe2\x80\x9cq\xe2\x80\x9d",
	                      12, &a);
	if (ok) {
		passed++;
	} else {
		failed++;
		printf("FAIL robust %s: a field points outside its line\n",
		       p->name);
	}
	arena_free(&a);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names in `dir` ending in `suffix`; NULL-terminated, caller frees. */
static char **
list_dir(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, sl = strlen(suffix);

	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);

		if (e->d_name[0] == '.' ||
		    (sl && (l < sl || strcmp(e->d_name + l - sl, suffix))))
			continue;
		v = realloc(v, (n + 2) * sizeof(*v));
		if (v == NULL || (v[n++] = strdup(e->d_name)) == NULL)
			abort();
	}
	closedir(d);
	if (v == NULL)
		return calloc(1, sizeof(*v));
	v[n] = NULL;
	qsort(v, n, sizeof(*v), cmp_str);
	return v;
}

static void
free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int
main(int argc, char **argv)
{
	const char *root = "samples";
	char **dirs;
	struct lines all = {0};
	size_t cap = 0, nkeep = 0;
	char **keep = NULL; /* the bytes all.v points into */

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--update") == 0)
			update = true;
		else
			root = argv[i];
	}
	if ((dirs = list_dir(root, "")) == NULL) {
		fprintf(stderr, "test_parsers: %s: %s\n", root,
		        strerror(errno));
		return 2;
	}
	for (size_t i = 0; dirs[i]; i++) {
		char dir[4096];
		const struct parser *p = parser_find(dirs[i]);
		char **cases;

		snprintf(dir, sizeof(dir), "%s/%s", root, dirs[i]);
		if (p == NULL) {
			printf("FAIL %s: no parser called %s\n", dir, dirs[i]);
			failed++;
			continue;
		}
		cases = list_dir(dir, ".log");
		for (size_t k = 0; cases && cases[k]; k++) {
			char path[8192];
			struct lines l;

			golden_case(dir, cases[k], p);
			if (strncmp(cases[k], "neg", 3) != 0)
				detect_case(dir, cases[k], p);
			snprintf(path, sizeof(path), "%s/%s", dir, cases[k]);
			if (read_file(path, &l) == 0) {
				for (size_t j = 0; j < l.n; j++) {
					if (all.n == cap) {
						cap = cap ? cap * 2 : 256;
						all.v = realloc(
						    all.v,
						    cap * sizeof(*all.v));
						if (all.v == NULL)
							abort();
					}
					all.v[all.n++] = l.v[j];
				}
				free(l.v);
				keep =
				    realloc(keep, (nkeep + 1) * sizeof(*keep));
				if (keep == NULL)
					abort();
				keep[nkeep++] = l.data;
			}
		}
		free_list(cases);
	}
	free_list(dirs);
	if (!update)
		for (size_t i = 0; i < nparsers; i++)
			robust_parser(parsers[i], &all);
	free(all.v);
	for (size_t i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	printf("parsers: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
