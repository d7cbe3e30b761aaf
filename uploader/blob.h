/*
 * The storage side of an upload: the bytes of one batch file PUT to the
 * upload URL that upload_url handed out (mdca-api.md §3.2).  The URL is a
 * SAS (Azure) or a pre-signed URL (AWS): it authorizes by itself, so no
 * MDCA credential ever goes to this host, and its query string is never
 * logged.
 *
 * How a file goes up:
 *
 *   provider "aws"        one plain PUT of the whole file (S3 takes 5 GB).
 *   azure, <= 64 MiB      one Put Blob (x-ms-blob-type: BlockBlob).
 *   azure, larger         Put Block for each block (8 MiB by default), a
 *                         few in flight at once through curl's multi
 *                         interface, then Put Block List naming them in
 *                         order.  Block ids are base64 of a fixed-width
 *                         counter (Azure wants all ids of a blob the same
 *                         length), URL-encoded in the query.
 *
 * Every request carries x-ms-version (Azure) and reads its body from the
 * file with pread as curl asks for it: the file is never held in memory,
 * not even one block.  Each block is retried on its own, with the backoff
 * and Retry-After of http.h (a Retry-After also holds back new blocks),
 * within the retry budget; a block that runs out of it fails the file.
 * A 403 from the storage host comes back as HTTP_AUTH: the caller asks for
 * a fresh URL and starts the file again.
 */
#ifndef BLOB_H
#define BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

struct blob;

struct blob_conf {
	struct http_opts http;
	int parallel;          /* blocks in flight; 0: BLOB_PARALLEL */
	uint64_t block_bytes;  /* 0: BLOB_BLOCK_BYTES */
	uint64_t put_blob_max; /* 0 or more than PUT_BLOB_MAX_BYTES: that */
};

/* Told the bytes of the current file sent so far (they may go back when
 * a request is retried). */
typedef void blob_sent_cb(void *arg, uint64_t sent);

/* NULL with the reason in err. */
struct blob *blob_new(const struct blob_conf *c, char *err, size_t errlen);
void blob_free(struct blob *b);

void blob_set_progress(struct blob *b, blob_sent_cb *cb, void *arg);

/*
 * PUT `size` bytes of `fd` (read with pread, from offset 0) to `url`
 * (borrowed; never logged with its query).  `provider` is "azure" or
 * "aws".  Returns HTTP_OK, or the class of the failure with one sentence
 * for the admin in err.
 */
enum http_result blob_put(struct blob *b, const char *url, const char *provider,
                          int fd, uint64_t size, char *err, size_t errlen);

/* The block id of block n: base64 of "%08u", URL-encoded when `escaped`.
 * Returns out. */
char *blob_block_id(unsigned n, int escaped, char *out, size_t outlen);

/* The Put Block List body for blocks 0..n-1 into out (a buf with room);
 * 0 or -1. */
int blob_block_list(unsigned n, struct buf *out);

#endif
