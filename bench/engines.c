/*
 * engines: per-core speed and output size of the deflate engines on one
 * file, compressed in independent blocks as pdeflate does (bench/NOTES.md).
 *
 *	cc -O2 -o /tmp/engines bench/engines.c -lz -ldeflate [-DHAVE_ISAL
 *-lisal] /tmp/engines FILE ENGINE LEVEL BLOCK_KIB [walk]
 *
 * ENGINE: z (zlib, each block primed with the previous 32 KiB and ended
 * with Z_SYNC_FLUSH), zs (zlib, one stream), ld (libdeflate, no
 * dictionary; "walk" adds the inflate(Z_BLOCK) walk that finds the final
 * block), isal (ISA-L igzip, primed like zlib).  Prints MB/s of input per
 * CPU second and the deflate bytes (without gzip header and trailer).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>
#include <libdeflate.h>
#ifdef HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

static double
cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* inflate(Z_BLOCK) over one block's output, as pdeflate's unfinal(). */
static void
walk(unsigned char *o, size_t n, unsigned char *scratch, size_t slen)
{
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	inflateInit2(&z, -15);
	z.next_in = o;
	z.avail_in = (uInt)n;
	do {
		z.next_out = scratch;
		z.avail_out = (uInt)slen;
		r = inflate(&z, Z_BLOCK);
	} while (r == Z_OK);
	inflateEnd(&z);
}

int
main(int argc, char **argv)
{
	FILE *f;
	const char *eng;
	int lvl, dowalk;
	size_t n, B, tot = 0, cap;
	unsigned char *in, *out, *scratch;
	double t0, t;
	z_stream z;
	struct libdeflate_compressor *c = NULL;

	if (argc < 5 || (f = fopen(argv[1], "rb")) == NULL) {
		fprintf(stderr, "usage: engines FILE ENGINE LEVEL BLOCK_KIB "
		                "[walk]\n");
		return 2;
	}
	eng = argv[2];
	lvl = atoi(argv[3]);
	B = (size_t)atol(argv[4]) * 1024;
	dowalk = argc > 5;
	fseek(f, 0, SEEK_END);
	n = (size_t)ftell(f);
	rewind(f);
	cap = 2 * B + 65536;
	if ((in = malloc(n)) == NULL || (out = malloc(cap)) == NULL ||
	    (scratch = malloc(B)) == NULL || fread(in, 1, n, f) != n)
		return 1;
	memset(&z, 0, sizeof(z));
	if (strcmp(eng, "ld") == 0)
		c = libdeflate_alloc_compressor(lvl);
	if (strcmp(eng, "zs") == 0)
		deflateInit2(&z, lvl, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
	t0 = cpu();
	for (size_t off = 0; off < n; off += B) {
		size_t len = n - off < B ? n - off : B;

		if (strcmp(eng, "z") == 0) {
			deflateInit2(&z, lvl, Z_DEFLATED, -15, 8,
			             Z_DEFAULT_STRATEGY);
			if (off)
				deflateSetDictionary(&z, in + off - 32768,
				                     32768);
			z.next_in = in + off;
			z.avail_in = (uInt)len;
			z.next_out = out;
			z.avail_out = (uInt)cap;
			deflate(&z, Z_SYNC_FLUSH);
			tot += z.total_out;
			deflateEnd(&z);
		} else if (strcmp(eng, "zs") == 0) {
			z.next_in = in + off;
			z.avail_in = (uInt)len;
			do {
				z.next_out = out;
				z.avail_out = (uInt)cap;
				deflate(&z, Z_NO_FLUSH);
			} while (z.avail_in > 0);
		} else if (strcmp(eng, "ld") == 0) {
			size_t r = libdeflate_deflate_compress(c, in + off, len,
			                                       out, cap);

			tot += r + 5;
			if (dowalk)
				walk(out, r, scratch, B);
#ifdef HAVE_ISAL
		} else if (strcmp(eng, "isal") == 0) {
			static unsigned char lb[ISAL_DEF_LVL3_LARGE];
			struct isal_zstream s;

			isal_deflate_init(&s);
			s.level = lvl;
			s.level_buf = lb;
			s.level_buf_size = sizeof(lb);
			if (off)
				isal_deflate_set_dict(&s, in + off - 32768,
				                      32768);
			s.next_in = in + off;
			s.avail_in = (uint32_t)len;
			s.next_out = out;
			s.avail_out = (uint32_t)cap;
			s.flush = SYNC_FLUSH;
			isal_deflate(&s);
			tot += s.total_out;
#endif
		} else {
			fprintf(stderr, "engines: unknown engine %s\n", eng);
			return 2;
		}
	}
	if (strcmp(eng, "zs") == 0) {
		z.next_out = out;
		z.avail_out = (uInt)cap;
		deflate(&z, Z_FINISH);
		tot = z.total_out;
	}
	t = cpu() - t0;
	printf("%s L%d B=%zuK%s: %.1f MB/s size=%zu\n", eng, lvl, B / 1024,
	       dowalk ? " walk" : "", n / 1e6 / t, tot);
	libdeflate_free_compressor(c);
	return 0;
}
