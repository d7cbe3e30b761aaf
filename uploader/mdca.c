/*
 * The Discovery API client: see mdca.h.
 */
#include <cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "limits.h"
#include "log.h"
#include "ratelimit.h"
#include "mdca.h"

struct mdca {
	char *base;          /* "https://host[:port]" without a trailing '/' */
	struct auth *auth;   /* API credentials */
	struct http *api;    /* the tenant */
	struct blob *blob;   /* the storage host: no credentials */
	struct ratelimit rl; /* every API call of the process */
};

const char *
mdca_base(const struct mdca *m)
{
	return m->base;
}

struct auth *
mdca_auth(struct mdca *m)
{
	return m->auth;
}

struct http *
mdca_http(struct mdca *m)
{
	return m->api;
}

struct mdca *
mdca_new(const struct mdca_conf *c, char *err, size_t errlen)
{
	struct mdca *m = calloc(1, sizeof(*m));
	struct blob_conf bc;
	size_t n;

	if (m == NULL)
		goto nomem;
	if (c->tenant == NULL || c->tenant[0] == '\0') {
		snprintf(err, errlen,
		         "no tenant: give --tenant, DISCOLOG_TENANT or "
		         "[tenant] url in the configuration");
		goto fail;
	}
	if (strstr(c->tenant, "://") != NULL) {
		if (strncmp(c->tenant, "https://", 8) != 0 &&
		    strncmp(c->tenant, "http://", 7) != 0) {
			snprintf(err, errlen,
			         "tenant %s: only http:// and https:// URLs",
			         c->tenant);
			goto fail;
		}
		m->base = strdup(c->tenant);
	} else if ((m->base = malloc(strlen(c->tenant) + 9)) != NULL)
		snprintf(m->base, strlen(c->tenant) + 9, "https://%s",
		         c->tenant);
	if (m->base == NULL)
		goto nomem;
	/* "https://h/api/..." is built below: drop a trailing path '/'. */
	n = strlen(m->base);
	while (n > 8 && m->base[n - 1] == '/')
		m->base[--n] = '\0';
	if ((m->auth = auth_new(&c->auth, err, errlen)) == NULL)
		goto fail;
	bc = c->blob;
	bc.http = c->http;
	if ((m->api = http_new(&c->http, err, errlen)) == NULL ||
	    (m->blob = blob_new(&bc, err, errlen)) == NULL)
		goto fail;
	ratelimit_init(
	    &m->rl, c->rpm > 0 ? c->rpm : RATELIMIT_RPM_DEFAULT,
	    (c->rate_window > 0 ? c->rate_window : RATELIMIT_WINDOW_DEFAULT) *
	        1000);
	http_set_ratelimit(m->api, &m->rl);
	return m;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	mdca_free(m);
	return NULL;
}

void
mdca_free(struct mdca *m)
{
	if (m == NULL)
		return;
	auth_free(m->auth);
	http_free(m->api);
	blob_free(m->blob);
	free(m->base);
	free(m);
}

const char *
mdca_error_code(const struct http_resp *r, char *out, size_t outlen)
{
	cJSON *j, *e;

	out[0] = '\0';
	if (r->html || r->body.len == 0)
		return out;
	if ((j = cJSON_ParseWithLength(r->body.data, r->body.len)) == NULL)
		return out;
	e = cJSON_GetObjectItemCaseSensitive(j, "errorMessageCode");
	if (!cJSON_IsString(e))
		e = cJSON_GetObjectItemCaseSensitive(j, "detail");
	if (!cJSON_IsString(e))
		e = cJSON_GetObjectItemCaseSensitive(j, "error");
	if (cJSON_IsString(e))
		snprintf(out, outlen, "%s", e->valuestring);
	cJSON_Delete(j);
	return out;
}

int
mdca_parse_upload_url(const char *body, size_t len, char **url, char *provider,
                      size_t plen)
{
	cJSON *j, *u, *p;
	int rc = -1;

	*url = NULL;
	if (body == NULL || (j = cJSON_ParseWithLength(body, len)) == NULL)
		return -1;
	u = cJSON_GetObjectItemCaseSensitive(j, "url");
	p = cJSON_GetObjectItemCaseSensitive(j, "provider");
	/* A URL goes into a request line: no blank, no control byte. */
	if (cJSON_IsString(u) && u->valuestring[0] != '\0' &&
	    strpbrk(u->valuestring, " \t\r\n") == NULL &&
	    (*url = strdup(u->valuestring)) != NULL) {
		/* mdca-api.md §3.1: "azure" or "aws"; be liberal, default
		 * azure. */
		snprintf(provider, plen, "%s",
		         cJSON_IsString(p) ? p->valuestring : "azure");
		rc = 0;
	}
	if (cJSON_IsString(u))
		explicit_bzero(u->valuestring, strlen(u->valuestring));
	cJSON_Delete(j);
	return rc;
}

/* One sentence on a failed API call, by class. */
static void
explain(const char *what, const char *permission, enum http_result res,
        const struct http_resp *r, char *err, size_t errlen)
{
	char code[256];

	mdca_error_code(r, code, sizeof(code));
	switch (res) {
	case HTTP_RETRY_NET:
		snprintf(err, errlen, "%s: cannot reach the tenant: %s", what,
		         r->error);
		break;
	case HTTP_REJECTED:
		if (r->tls) {
			snprintf(err, errlen,
			         "%s: the tenant's TLS certificate does not "
			         "verify (%s): give its CA with --ca-file, or "
			         "check --tenant and the proxy",
			         what, r->error);
			break;
		}
		if (r->status == 0) {
			snprintf(err, errlen,
			         "%s: cannot talk to the tenant: %s", what,
			         r->error);
			break;
		}
		if (r->status == 404 && r->html)
			snprintf(
			    err, errlen,
			    "%s: the tenant has no such page (HTTP 404): check "
			    "--tenant, it is the API URL of Settings > Cloud "
			    "Apps > About",
			    what);
		else
			snprintf(err, errlen,
			         "%s: the tenant refused it (HTTP %ld%s%s)",
			         what, r->status, code[0] ? ": " : "",
			         code[0]
			             ? code
			             : (r->html ? ", an HTML error page" : ""));
		break;
	case HTTP_RETRY_HTTP:
		snprintf(
		    err, errlen,
		    "%s: the tenant is busy or failing (HTTP %ld%s), still "
		    "after %d attempts",
		    what, r->status, r->html ? ", an HTML error page" : "",
		    r->attempts);
		break;
	case HTTP_AUTH:
		if (r->status == 401)
			snprintf(
			    err, errlen,
			    "%s: the tenant refused the credentials (HTTP "
			    "401): check the API token (--token-file, "
			    "DISCOLOG_TOKEN) or the Entra app, and that it "
			    "was not revoked",
			    what);
		else
			snprintf(
			    err, errlen,
			    "%s: permission denied (HTTP 403): the token's "
			    "user or app needs %s (Entra: grant it and admin "
			    "consent)",
			    what, permission);
		break;
	case HTTP_OK:
	default:
		snprintf(err, errlen, "%s: ok", what);
		break;
	}
}

enum http_result
mdca_call(struct mdca *m, const char *method, const char *path,
          const char *body, const char *what, const char *permission,
          struct http_resp *r, char *err, size_t errlen)
{
	char hdr[8192], *url;
	const char *hdrs[] = {hdr, "Accept: application/json",
	                      body ? "Content-Type: application/json" : NULL,
	                      NULL};
	enum http_result res = HTTP_REJECTED;
	bool auth_err;
	size_t n = strlen(m->base) + strlen(path) + 1;

	if ((url = malloc(n)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", what);
		return HTTP_REJECTED;
	}
	snprintf(url, n, "%s%s", m->base, path);
	for (int attempt = 0; attempt < 2; attempt++) {
		if (auth_header(m->auth, m->api, hdr, sizeof(hdr), &auth_err,
		                err, errlen) == -1) {
			res = auth_err ? HTTP_AUTH : HTTP_RETRY_NET;
			goto done;
		}
		/* Paths only: a query string may carry names, never secrets,
		 * but the upload URL in a body does. */
		log_debug("%s %s%.*s", method, m->base, (int)strcspn(path, "?"),
		          path);
		res = http_request(
		    m->api,
		    &(struct http_req){.method = method,
		                       .url = url,
		                       .headers = hdrs,
		                       .body = body,
		                       .body_len = body ? strlen(body) : 0,
		                       .body_fd = -1},
		    r);
		log_debug("%s %.*s: HTTP %ld", method, (int)strcspn(path, "?"),
		          path, r->status);
		/* A bearer token may have been revoked or expired early. */
		if (!(res == HTTP_AUTH && r->status == 401 &&
		      auth_invalidate(m->auth)))
			break;
	}
	if (res != HTTP_OK)
		explain(what, permission, res, r, err, errlen);
done:
	explicit_bzero(hdr, sizeof(hdr));
	free(url);
	return res;
}

enum http_result
mdca_upload_url(struct mdca *m, const char *filename, const char *source,
                char **url, char *provider, size_t plen, char *err,
                size_t errlen)
{
	CURL *esc = curl_easy_init();
	char *ef = NULL, *es = NULL, *path = NULL;
	struct http_resp r = {0};
	enum http_result res = HTTP_REJECTED;
	size_t n;

	*url = NULL;
	if (esc == NULL || (ef = curl_easy_escape(esc, filename, 0)) == NULL ||
	    (es = curl_easy_escape(esc, source, 0)) == NULL)
		goto nomem;
	n = strlen(ef) + strlen(es) + 64;
	if ((path = malloc(n)) == NULL)
		goto nomem;
	snprintf(path, n, "/api/v1/discovery/upload_url/?filename=%s&source=%s",
	         ef, es);
	res = mdca_call(m, "GET", path, NULL, "upload_url", "Discovery.manage",
	                &r, err, errlen);
	if (res != HTTP_OK)
		goto done;
	if (r.truncated)
		snprintf(
		    err, errlen,
		    "upload_url: the tenant's answer is larger than %u MiB, "
		    "far more than an upload URL: refused (check --tenant "
		    "and the proxy)",
		    RESPONSE_MAX_BYTES >> 20);
	else if (r.html)
		snprintf(
		    err, errlen,
		    "upload_url: the tenant answered an HTML page, not JSON "
		    "(HTTP %ld): check --tenant, it is the API URL of "
		    "Settings > Cloud Apps > About, and the proxy",
		    r.status);
	else if (mdca_parse_upload_url(r.body.data, r.body.len, url, provider,
	                               plen) == -1)
		snprintf(err, errlen,
		         "upload_url: the tenant's answer holds no upload URL "
		         "(HTTP %ld)",
		         r.status);
	/*
	 * Nonsense where an upload URL was due (a proxy's page, a cut or
	 * garbled answer) says nothing against the batch: it stays in the
	 * spool for the next try instead of being put aside as refused.
	 */
	if (*url == NULL)
		res = HTTP_RETRY_HTTP;
	goto done;
nomem:
	snprintf(err, errlen, "out of memory");
	res = HTTP_REJECTED;
done:
	http_resp_free(&r);
	curl_free(ef);
	curl_free(es);
	curl_easy_cleanup(esc);
	free(path);
	return res;
}

enum http_result
mdca_done_upload(struct mdca *m, const char *url, const char *stream,
                 bool snapshot, bool *already, char *err, size_t errlen)
{
	struct http_resp r = {0};
	enum http_result res = HTTP_REJECTED;
	cJSON *o = cJSON_CreateObject();
	char *body = NULL, code[256];

	if (o == NULL || !cJSON_AddStringToObject(o, "uploadUrl", url) ||
	    !cJSON_AddStringToObject(o, "inputStreamName", stream) ||
	    !cJSON_AddBoolToObject(o, "uploadAsSnapshot", snapshot) ||
	    (body = cJSON_PrintUnformatted(o)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	res = mdca_call(m, "POST", "/api/v1/discovery/done_upload/", body,
	                "done_upload", "Discovery.manage", &r, err, errlen);
	mdca_error_code(&r, code, sizeof(code));
	/*
	 * The answer to an earlier attempt can be lost after the tenant
	 * acted on it (a dropped connection, a timeout): the retry then
	 * hears that this upload URL is already finalized.  The URL was
	 * issued to us for this batch alone, minutes ago, so it was our own
	 * finalize that went through: the batch is delivered, and sending
	 * it again would deliver it twice.  MDCA documents no code for
	 * this (mdca-api.md §6); match liberally.
	 */
	if (already != NULL)
		*already = false;
	if (res == HTTP_REJECTED && (r.status == 400 || r.status == 409) &&
	    strcasestr(code, "already") != NULL &&
	    strcasestr(code, "final") != NULL) {
		if (already != NULL)
			*already = true;
		log_verbose("done_upload: the tenant says the upload is "
		            "already finalized (after %d attempts): an earlier "
		            "attempt went through",
		            r.attempts);
		res = HTTP_OK;
		goto done;
	}
	if (res == HTTP_REJECTED &&
	    strstr(code, "NOT_FOUND_INPUT_STREAM") != NULL)
		snprintf(
		    err, errlen,
		    "done_upload: the tenant has no data source called '%s': "
		    "create it under Settings > Cloud Discovery > Automatic "
		    "log upload, or correct --data-source",
		    stream);
done:
	http_resp_free(&r);
	cJSON_Delete(o);
	if (body != NULL) {
		explicit_bzero(body, strlen(body));
		free(body);
	}
	return res;
}

enum http_result
mdca_put_file(struct mdca *m, const char *url, const char *provider,
              const char *path, char *err, size_t errlen)
{
	enum http_result res;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return HTTP_REJECTED;
	}
	res = blob_put(m->blob, url, provider, fd, (uint64_t)st.st_size, err,
	               errlen);
	close(fd);
	return res;
}

void
mdca_set_progress(struct mdca *m, blob_sent_cb *cb, void *arg)
{
	blob_set_progress(m->blob, cb, arg);
}

enum http_result
mdca_upload_file(struct mdca *m, const char *path, const char *filename,
                 const char *source, const char *stream, bool snapshot,
                 char *err, size_t errlen)
{
	char provider[32], *url = NULL;
	enum http_result res;
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return HTTP_REJECTED;
	}
	for (int renewal = 0;; renewal++) {
		res = mdca_upload_url(m, filename, source, &url, provider,
		                      sizeof(provider), err, errlen);
		if (res != HTTP_OK)
			break;
		res = blob_put(m->blob, url, provider, fd, (uint64_t)st.st_size,
		               err, errlen);
		/* A SAS that expired (a long queue, a slow link, a clock off):
		 * a fresh one, and the file from its start; a few times, not
		 * forever. */
		if (res == HTTP_AUTH && renewal < BLOB_SAS_RENEWALS) {
			log_info("%s; asking for a new upload URL (%d of %d)",
			         err, renewal + 1, BLOB_SAS_RENEWALS);
			explicit_bzero(url, strlen(url));
			free(url);
			url = NULL;
			continue;
		}
		if (res == HTTP_OK)
			res = mdca_done_upload(m, url, stream, snapshot, NULL,
			                       err, errlen);
		explicit_bzero(url, strlen(url));
		free(url);
		break;
	}
	close(fd);
	return res;
}
