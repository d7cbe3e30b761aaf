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

#include "auth.h"

#include "blob.h"

struct mdca_conf {
	const char *tenant; /* host, or a URL with scheme (and port) */
	struct auth_conf auth;
	struct http_opts http;
	int rpm;               /* API requests a window; 0: 30 */
	int rate_window;       /* the window in s; 0: 60 */
	struct blob_conf blob; /* its http: taken from `http` */
};

struct mdca *mdca_new(const struct mdca_conf *c, char *err, size_t errlen);
void mdca_free(struct mdca *m);

/* The tenant's base URL as used ("https://host"), for messages. */
const char *mdca_base(const struct mdca *m);

/* The credentials and the tenant's HTTP handle: for `discolog doctor`. */
struct auth *mdca_auth(struct mdca *m);
struct http *mdca_http(struct mdca *m);

/*
 * One API call: `method` to base + `path` (with its query string), with a
 * JSON `body` or NULL.  The rate limit, retries, the credentials (a fresh
 * bearer token once after a 401) are taken care of.  `what` names the call
 * in messages, `permission` the Entra permission it needs.  On HTTP_OK the
 * answer is in resp (caller frees with http_resp_free); otherwise err holds
 * one sentence for the admin.
 */
enum http_result mdca_call(struct mdca *m, const char *method, const char *path,
                           const char *body, const char *what,
                           const char *permission, struct http_resp *resp,
                           char *err, size_t errlen);

/*
 * The pure half of upload_url: the SAS URL (caller frees, after
 * explicit_bzero) and the provider of an answer body.  0, or -1 when the
 * body holds no usable URL.  For tests and the fuzz target.
 */
int mdca_parse_upload_url(const char *body, size_t len, char **url,
                          char *provider, size_t plen);

/* The error code of a JSON error answer ("errorMessageCode", "detail",
 * "error"), or "" into out. */
const char *mdca_error_code(const struct http_resp *r, char *out,
                            size_t outlen);

/* Report the bytes of the current file sent so far to cb (see blob.h). */
void mdca_set_progress(struct mdca *m, blob_sent_cb *cb, void *arg);

/*
 * Upload one batch file through the three calls.  When the storage host
 * refuses the upload URL (403: an expired SAS), a fresh URL is asked for
 * and the file starts again, at most BLOB_SAS_RENEWALS times.  `filename` is
 * the name MDCA sees, `source` the source type, `stream` the data source (or
 * the snapshot report name).  Returns HTTP_OK or the failing call's class.
 */
enum http_result mdca_upload_file(struct mdca *m, const char *path,
                                  const char *filename, const char *source,
                                  const char *stream, bool snapshot, char *err,
                                  size_t errlen);

/*
 * The three calls one at a time, for a caller that records each step (the
 * ledger of `discolog run`).  mdca_upload_url: the SAS URL (caller frees,
 * after explicit_bzero) and its provider.  mdca_put_file: the file's bytes
 * to that URL (one Put Blob, or blocks: blob.h); HTTP_AUTH there means the
 * storage host refused the URL (it may have expired: get a fresh one).
 * mdca_done_upload: finalize; when it is refused because that upload was
 * finalized already, *already is set (NULL: not asked) -- a caller that sent
 * this finalize before and lost the answer counts that as done.
 */
enum http_result mdca_upload_url(struct mdca *m, const char *filename,
                                 const char *source, char **url, char *provider,
                                 size_t plen, char *err, size_t errlen);
enum http_result mdca_put_file(struct mdca *m, const char *url,
                               const char *provider, const char *path,
                               char *err, size_t errlen);
enum http_result mdca_done_upload(struct mdca *m, const char *url,
                                  const char *stream, bool snapshot,
                                  bool *already, char *err, size_t errlen);

#endif
