/*
 * Batches: the gzip round trip gives back exactly the lines given, a batch
 * never passes its limit, and a sealed batch has its description.
 */
#include <dirent.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "batch.h"
#include "buf.h"
#include "lex.h"
#include "test.h"

struct sealed {
	char path[64][4200];
	int n;
};

static int
on_sealed(const char *path, void *arg)
{
	struct sealed *s = arg;

	if (s->n < 64)
		snprintf(s->path[s->n++], sizeof(s->path[0]), "%s", path);
	return 0;
}

/* gunzip `path` onto `out`; -1 when it is not valid gzip. */
static int
gunzip(const char *path, struct buf *out)
{
	gzFile g = gzopen(path, "rb");
	char tmp[65536];
	int n;

	if (g == NULL)
		return -1;
	while ((n = gzread(g, tmp, sizeof(tmp))) > 0)
		if (buf_add(out, tmp, (size_t)n) == -1)
			break;
	gzclose(g);
	return n < 0 ? -1 : 0;
}

static uint64_t
file_size(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void
rm_tree(const char *dir)
{
	char cmd[4300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) /* !checksrc! test cleanup */
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void
run(uint64_t max, int nlines, struct sealed *s, struct buf *want)
{
	char dir[] = "/tmp/test_batch.XXXXXX", err[256];
	struct batch_conf bc = {.data_source = "HQ", .source_type = "SQUID",
	    .level = 6};
	struct batch *b;
	uint64_t x = 88172645463325252ull;

	CHECK(mkdtemp(dir) != NULL);
	bc.spool = dir;
	bc.max_bytes = max;
	CHECK_OK(spool_prepare(dir, err, sizeof(err)));
	b = batch_new(&bc, on_sealed, s, err, sizeof(err));
	CHECK(b != NULL);
	for (int i = 0; i < nlines; i++) {
		char line[200];
		int n;

		/* xorshift: lines that do not compress to nothing */
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		n = snprintf(line, sizeof(line),
		    "%d.%03d 5 10.0.%d.%d TCP_MISS/200 %llu GET "
		    "http://h%llx.example.com/%llx - DIRECT/1.2.3.4 -",
		    1700000000 + i, i % 1000, i % 250, (i / 250) % 250,
		    (unsigned long long)(x % 100000),
		    (unsigned long long)(x % 4096), (unsigned long long)x);
		CHECK_OK(batch_add(b, slice_make(line, (size_t)n), err,
		    sizeof(err)));
		if (buf_add(want, line, (size_t)n) == -1 ||
		    buf_addc(want, '\n') == -1)
			abort();
	}
	CHECK_OK(batch_seal(b, err, sizeof(err)));
	CHECK_INT_EQ(batch_lines(b), nlines);
	CHECK_INT_EQ(batch_count(b), s->n);
	batch_free(b);
	/* Nothing left behind in tmp/. */
	{
		char t[4200];
		DIR *d;
		struct dirent *e;
		int left = 0;

		snprintf(t, sizeof(t), "%s/tmp", dir);
		d = opendir(t);
		while (d && (e = readdir(d)) != NULL)
			left += e->d_name[0] != '.';
		if (d)
			closedir(d);
		CHECK_INT_EQ(left, 0);
	}
	{
		struct buf got;

		buf_init(&got, 256u << 20);
		for (int i = 0; i < s->n; i++) {
			char meta[4300];

			CHECK(file_size(s->path[i]) <= max);
			CHECK_OK(gunzip(s->path[i], &got));
			snprintf(meta, sizeof(meta), "%.*s.json",
			    (int)strlen(s->path[i]) - 7, s->path[i]);
			CHECK(access(meta, R_OK) == 0);
		}
		CHECK_INT_EQ(got.len, want->len);
		CHECK(got.len == want->len &&
		    memcmp(got.data, want->data, got.len) == 0);
		buf_free(&got);
	}
	rm_tree(dir);
}

TEST(round_trip_one_batch)
{
	struct sealed s = {0};
	struct buf want;

	buf_init(&want, 64u << 20);
	run(5000ull * 1000 * 1000, 20000, &s, &want);
	CHECK_INT_EQ(s.n, 1);
	buf_free(&want);
}

TEST(split_never_past_limit)
{
	struct sealed s = {0};
	struct buf want;

	buf_init(&want, 64u << 20);
	run(128 * 1024, 40000, &s, &want);
	CHECK(s.n > 3);
	buf_free(&want);
}

TEST(line_bigger_than_batch_refused)
{
	char dir[] = "/tmp/test_batch.XXXXXX", err[256];
	struct batch_conf bc = {.data_source = "HQ", .source_type = "SQUID",
	    .level = 6, .max_bytes = 4096};
	struct batch *b;
	static char big[8192];

	CHECK(mkdtemp(dir) != NULL);
	bc.spool = dir;
	CHECK_OK(spool_prepare(dir, err, sizeof(err)));
	b = batch_new(&bc, NULL, NULL, err, sizeof(err));
	memset(big, 'x', sizeof(big));
	CHECK_INT_EQ(batch_add(b, slice_make(big, sizeof(big)), err,
			 sizeof(err)),
	    -1);
	CHECK(strstr(err, "does not fit") != NULL);
	batch_free(b);
	rm_tree(dir);
}

TEST_MAIN("batch", T(round_trip_one_batch), T(split_never_past_limit),
    T(line_bigger_than_batch_refused))
