/*
 * The MDCA Discovery API client: the three calls of a file upload
 * (mdca-api.md §3.1-3.3), on top of http.h.
 *
 *	upload_url  GET  /api/v1/discovery/upload_url/?filename=&source=
 *	put         PUT  <url>  (blob host: no MDCA credentials, ever)
 *	done_upload POST /api/v1/discovery/done_upload/
 *
 * Every call returns an enum http_result and, on failure, one sentence
 * for the admin in err: what went wrong and what to do.  Nothing secret is
 * put in it: the token never, an upload URL only without its query string.
 */
#ifndef MDCA_H
#define MDCA_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

struct mdca;

struct mdca_conf {
	const char *tenant; /* host, or a URL with scheme (and port) */
	const char *token;  /* legacy API token */
	struct http_opts http;
};

struct mdca *mdca_new(const struct mdca_conf *c, char *err, size_t errlen);
void mdca_free(struct mdca *m);

/* The tenant's base URL as used ("https://host"), for messages. */
const char *mdca_base(const struct mdca *m);

/*
 * Upload one batch file through the three calls.  `filename` is the name
 * MDCA sees, `source` the source type, `stream` the data source (or the
 * snapshot report name).  Returns HTTP_OK or the failing call's class.
 */
enum http_result mdca_upload_file(struct mdca *m, const char *path,
                                  const char *filename, const char *source,
                                  const char *stream, bool snapshot, char *err,
                                  size_t errlen);

#endif
