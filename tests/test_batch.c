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
	uint64_t bytes_out;
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

/*
 * Exactly one gzip member, read by Python's zlib (which would also tell a
 * second member apart as unused data) and by gzip -t.
 */
static void
check_one_member(const char *path)
{
	char cmd[4600];

	snprintf(cmd, sizeof(cmd),
	         "python3 -c 'import sys, zlib; d = open(sys.argv[1], \"rb\")"
	         ".read(); o = zlib.decompressobj(31); o.decompress(d); "
	         "sys.exit(0 if o.eof and not o.unused_data else 1)' '%s'",
	         path);
	CHECK_INT_EQ(system(cmd), 0); /* !checksrc! test helper */
	snprintf(cmd, sizeof(cmd), "gzip -t '%s'", path);
	CHECK_INT_EQ(system(cmd), 0); /* !checksrc! test helper */
}

/* Size of `data` gzipped in one zlib stream at `level`. */
static size_t
zlib_size(const struct buf *data, int level)
{
	z_stream z = {0};
	unsigned char out[65536];
	size_t n = 0;
	int r;

	if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8,
	                 Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)data->data;
	z.avail_in = (uInt)data->len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		r = deflate(&z, Z_FINISH);
		n += sizeof(out) - z.avail_out;
	} while (r == Z_OK);
	deflateEnd(&z);
	return n;
}

struct opts {
	enum pd_engine engine;
	int level, threads;
	size_t block;
};

static const struct opts default_opts = {PD_LIBDEFLATE, 7, 1, 0};

static void
run_with(const struct opts *o, uint64_t max, int nlines, struct sealed *s,
         struct buf *want)
{
	char dir[] = "/tmp/test_batch.XXXXXX", err[256];
	struct batch_conf bc = {.data_source = "HQ", .source_type = "SQUID"};
	struct batch *b;
	uint64_t x = 88172645463325252ull;

	CHECK(mkdtemp(dir) != NULL);
	bc.spool = dir;
	bc.max_bytes = max;
	bc.engine = o->engine;
	bc.level = o->level;
	bc.threads = o->threads;
	bc.block = o->block;
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
		             (unsigned long long)(x % 4096),
		             (unsigned long long)x);
		CHECK_OK(batch_add(b, slice_make(line, (size_t)n), err,
		                   sizeof(err)));
		if (buf_add(want, line, (size_t)n) == -1 ||
		    buf_addc(want, '\n') == -1)
			abort();
	}
	CHECK_OK(batch_seal(b, err, sizeof(err)));
	CHECK_INT_EQ(batch_lines(b), nlines);
	CHECK_INT_EQ(batch_count(b), s->n);
	s->bytes_out = batch_bytes_out(b);
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
			check_one_member(s->path[i]);
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

static void
run(uint64_t max, int nlines, struct sealed *s, struct buf *want)
{
	run_with(&default_opts, max, nlines, s, want);
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

/* Many blocks: 1, 2 and 4 threads, both engines, give the input back. */
TEST(threads_round_trip)
{
	static const int threads[] = {1, 2, 4};
	size_t first = 0;

	for (int e = 0; e < 2; e++) {
		for (size_t i = 0; i < 3; i++) {
			struct opts o = {e == 0 ? PD_LIBDEFLATE : PD_ZLIB, 6,
			                 threads[i], 128 * 1024};
			struct sealed s = {0};
			struct buf want;

			buf_init(&want, 64u << 20);
			run_with(&o, 5000ull * 1000 * 1000, 60000, &s, &want);
			CHECK_INT_EQ(s.n, 1);
			/* The same bytes whatever the number of threads. */
			if (i == 0)
				first = s.bytes_out;
			CHECK_INT_EQ(s.bytes_out, first);
			/* Within a few per cent of zlib in one stream. */
			{
				size_t z = zlib_size(&want, 6);

				CHECK(s.bytes_out < z + z / 25);
				CHECK(s.bytes_out > z - z / 10);
			}
			buf_free(&want);
		}
	}
}

/* The limit holds when blocks are in flight on several threads. */
TEST(threads_never_past_limit)
{
	for (int e = 0; e < 2; e++) {
		struct opts o = {e == 0 ? PD_LIBDEFLATE : PD_ZLIB, 6, 4,
		                 96 * 1024};
		struct sealed s = {0};
		struct buf want;

		buf_init(&want, 64u << 20);
		run_with(&o, 300 * 1024, 60000, &s, &want);
		CHECK(s.n > 3);
		buf_free(&want);
	}
}

/* An empty batch and a one-line batch are valid gzip. */
TEST(small_batches)
{
	struct sealed s = {0};
	struct buf want;

	buf_init(&want, 1u << 20);
	run(5000ull * 1000 * 1000, 1, &s, &want);
	CHECK_INT_EQ(s.n, 1);
	buf_free(&want);
}

TEST(line_bigger_than_batch_refused)
{
	char dir[] = "/tmp/test_batch.XXXXXX", err[256];
	struct batch_conf bc = {.data_source = "HQ",
	                        .source_type = "SQUID",
	                        .level = 6,
	                        .max_bytes = 4096,
	                        .threads = 2};
	struct batch *b;
	static char big[8192];

	CHECK(mkdtemp(dir) != NULL);
	bc.spool = dir;
	CHECK_OK(spool_prepare(dir, err, sizeof(err)));
	b = batch_new(&bc, NULL, NULL, err, sizeof(err));
	memset(big, 'x', sizeof(big));
	CHECK_INT_EQ(
	    batch_add(b, slice_make(big, sizeof(big)), err, sizeof(err)), -1);
	CHECK(strstr(err, "does not fit") != NULL);
	batch_free(b);
	rm_tree(dir);
}

TEST_MAIN("batch", T(round_trip_one_batch), T(split_never_past_limit),
          T(threads_round_trip), T(threads_never_past_limit), T(small_batches),
          T(line_bigger_than_batch_refused))
