/*
 * Fuzz target: the syslog receiver's stream framing (RFC 6587 octet
 * counting and newline framing, syslogd_frame_*), the bytes a TCP or TLS
 * client sends.
 *
 * The first byte picks the largest message (1 to 256 bytes, or 64 KiB),
 * the second how the stream is cut into reads; the rest is the stream.  It
 * is decoded twice, whole and in reads of the lengths the second byte
 * draws: what a client sends must not depend on how the network cut it,
 * so both must hand on the same messages, truncated alike, and stop at the
 * same point.  A message longer than the maximum or with a newline inside,
 * an error without a reason, or the two decodings differing is a finding.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "syslogd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_syslog_cleanup(void);

void
fuzz_syslog_cleanup(void)
{
}

/* What one decoding handed on: a hash of the messages in order. */
struct syslog_seen {
	size_t max;
	uint64_t hash;
	size_t n, truncated;
	int failed;
};

static void
syslog_msg(void *arg, struct slice m, bool truncated)
{
	struct syslog_seen *s = arg;

	if (m.len > s->max ||
	    (m.len > 0 && (m.p == NULL || memchr(m.p, '\n', m.len))))
		abort();
	/* FNV-1a over the bytes, then the length and the flag. */
	for (size_t i = 0; i < m.len; i++)
		s->hash = (s->hash ^ (uint8_t)m.p[i]) * 0x100000001b3ULL;
	s->hash = (s->hash ^ m.len) * 0x100000001b3ULL;
	s->hash = (s->hash ^ (truncated ? 1u : 2u)) * 0x100000001b3ULL;
	s->n++;
	s->truncated += truncated;
}

static void
syslog_decode(const uint8_t *p, size_t n, size_t max, uint32_t cut,
              struct syslog_seen *s)
{
	struct syslogd_frame f;
	char err[256];
	size_t off = 0;

	memset(s, 0, sizeof(*s));
	s->max = max;
	s->hash = 0xcbf29ce484222325ULL;
	syslogd_frame_init(&f, max);
	while (off < n) {
		size_t len = n - off;

		if (cut != 0) {
			/* xorshift32: read lengths of 1 to 16 bytes. */
			cut ^= cut << 13;
			cut ^= cut >> 17;
			cut ^= cut << 5;
			if (len > 1 + cut % 16)
				len = 1 + cut % 16;
		}
		err[0] = '\0';
		if (syslogd_frame_feed(&f, (const char *)p + off, len,
		                       syslog_msg, s, err, sizeof(err)) == -1) {
			if (err[0] == '\0' ||
			    memchr(err, '\0', sizeof(err)) == NULL)
				abort();
			s->failed = 1;
			break;
		}
		off += len;
	}
	if (!s->failed)
		(void)syslogd_frame_end(&f, syslog_msg, s);
	syslogd_frame_free(&f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct syslog_seen whole, cut;
	size_t max;
	uint8_t *buf;

	if (size < 2)
		return 0;
	max = data[0] == 0xff ? 65536 : 1 + data[0];
	/* A private copy of exactly the stream: ASan sees any overread. */
	if ((buf = malloc(size - 2 ? size - 2 : 1)) == NULL)
		return 0;
	memcpy(buf, data + 2, size - 2);
	syslog_decode(buf, size - 2, max, 0, &whole);
	syslog_decode(buf, size - 2, max, 0x9e3779b9u * (1u + data[1]), &cut);
	if (whole.n != cut.n || whole.hash != cut.hash ||
	    whole.truncated != cut.truncated || whole.failed != cut.failed)
		abort();
	free(buf);
	return 0;
}
