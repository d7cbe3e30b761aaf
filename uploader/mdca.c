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

#include "limits.h"
#include "log.h"
#include "mdca.h"

struct mdca {
	char *base;        /* "https://host[:port]" without a trailing '/' */
	char *auth_header; /* "Authorization: Token ..."; wiped at free */
	struct http *api;  /* the tenant */
	struct http *blob; /* the storage host: no credentials */
};

const char *
mdca_base(const struct mdca *m)
{
	return m->base;
}

struct mdca *
mdca_new(const struct mdca_conf *c, char *err, size_t errlen)
{
	struct mdca *m = calloc(1, sizeof(*m));
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
	if (c->token == NULL || c->token[0] == '\0') {
		snprintf(
		    err, errlen,
		    "no API token: give --token-file FILE or DISCOLOG_TOKEN");
		goto fail;
	}
	n = strlen(c->token) + 32;
	if ((m->auth_header = malloc(n)) == NULL)
		goto nomem;
	snprintf(m->auth_header, n, "Authorization: Token %s", c->token);
	if ((m->api = http_new(&c->http, err, errlen)) == NULL ||
	    (m->blob = http_new(&c->http, err, errlen)) == NULL)
		goto fail;
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
	if (m->auth_header != NULL) {
		explicit_bzero(m->auth_header, strlen(m->auth_header));
		free(m->auth_header);
	}
	http_free(m->api);
	http_free(m->blob);
	free(m->base);
	free(m);
}

/* MDCA's error code from a JSON error body, or "". */
static const char *
error_code(const struct http_resp *r, char *out, size_t outlen)
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

/* One sentence on a failed API call, by class. */
static void
explain(const char *what, enum http_result res, const struct http_resp *r,
        const char *stream, char *err, size_t errlen)
{
	char code[256];

	error_code(r, code, sizeof(code));
	switch (res) {
	case HTTP_RETRY_NET:
		snprintf(err, errlen, "%s: cannot reach the tenant: %s", what,
		         r->error);
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
			    "%s: the tenant refused the API token (HTTP 401): "
			    "check --token-file or DISCOLOG_TOKEN, and that "
			    "the token was not revoked",
			    what);
		else
			snprintf(
			    err, errlen,
			    "%s: permission denied (HTTP 403): the token's "
			    "user or app needs Discovery.manage to upload",
			    what);
		break;
	case HTTP_REJECTED:
		if (strstr(code, "NOT_FOUND_INPUT_STREAM") != NULL)
			snprintf(
			    err, errlen,
			    "%s: the tenant has no data source called '%s': "
			    "create it under Settings > Cloud Discovery > "
			    "Automatic log upload, or correct --data-source",
			    what, stream ? stream : "");
		else
			snprintf(err, errlen,
			         "%s: the tenant refused it (HTTP "
			         "%ld%s%s)",
			         what, r->status, code[0] ? ": " : "",
			         code[0]
			             ? code
			             : (r->html ? ", an HTML error page" : ""));
		break;
	case HTTP_OK:
	default:
		snprintf(err, errlen, "%s: ok", what);
		break;
	}
}

/* GET upload_url: the SAS URL (caller frees) and its provider. */
static enum http_result
upload_url(struct mdca *m, const char *filename, const char *source, char **url,
           char *provider, size_t plen, char *err, size_t errlen)
{
	CURL *esc = curl_easy_init();
	char *ef = NULL, *es = NULL, *req = NULL;
	const char *hdrs[] = {m->auth_header, "Accept: application/json", NULL};
	struct http_resp r = {0};
	enum http_result res = HTTP_REJECTED;
	cJSON *j = NULL, *u, *p;
	size_t n;

	*url = NULL;
	if (esc == NULL || (ef = curl_easy_escape(esc, filename, 0)) == NULL ||
	    (es = curl_easy_escape(esc, source, 0)) == NULL)
		goto nomem;
	n = strlen(m->base) + strlen(ef) + strlen(es) + 64;
	if ((req = malloc(n)) == NULL)
		goto nomem;
	snprintf(req, n,
	         "%s/api/v1/discovery/upload_url/?filename=%s&source=%s",
	         m->base, ef, es);
	log_debug("GET %s/api/v1/discovery/upload_url/ (source %s)", m->base,
	          source);
	res = http_request(
	    m->api,
	    &(struct http_req){
	        .method = "GET", .url = req, .headers = hdrs, .body_fd = -1},
	    &r);
	if (res != HTTP_OK) {
		explain("upload_url", res, &r, NULL, err, errlen);
		goto done;
	}
	j = cJSON_ParseWithLength(r.body.data, r.body.len);
	u = cJSON_GetObjectItemCaseSensitive(j, "url");
	p = cJSON_GetObjectItemCaseSensitive(j, "provider");
	if (!cJSON_IsString(u) || u->valuestring[0] == '\0') {
		snprintf(
		    err, errlen,
		    "upload_url: the answer has no upload URL (HTTP %ld%s)",
		    r.status, r.html ? ", an HTML page" : "");
		res = HTTP_REJECTED;
		goto done;
	}
	/* mdca-api.md §3.1: "azure" or "aws"; be liberal, default azure. */
	snprintf(provider, plen, "%s",
	         cJSON_IsString(p) ? p->valuestring : "azure");
	if ((*url = strdup(u->valuestring)) == NULL)
		goto nomem;
	goto done;
nomem:
	snprintf(err, errlen, "out of memory");
	res = HTTP_REJECTED;
done:
	cJSON_Delete(j);
	http_resp_free(&r);
	curl_free(ef);
	curl_free(es);
	curl_easy_cleanup(esc);
	free(req);
	return res;
}

/* PUT the file to the upload URL.  Only storage headers go there. */
static enum http_result
put_blob(struct mdca *m, const char *url, const char *provider,
         const char *path, char *err, size_t errlen)
{
	const char *azure[] = {"x-ms-blob-type: BlockBlob",
	                       "Content-Type: application/gzip", NULL};
	const char *plain[] = {"Content-Type: application/gzip", NULL};
	struct http_resp r = {0};
	enum http_result res;
	char shown[1024];
	struct stat st;
	int fd;

	log_redact_url(url, shown, sizeof(shown));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return HTTP_REJECTED;
	}
	if ((uint64_t)st.st_size > PUT_BLOB_MAX_BYTES) {
		/* Put Block / Put Block List comes with the API issue. */
		snprintf(
		    err, errlen,
		    "%s: %lld bytes is more than one Put Blob takes (%llu); "
		    "use a smaller --max-batch",
		    path, (long long)st.st_size,
		    (unsigned long long)PUT_BLOB_MAX_BYTES);
		close(fd);
		return HTTP_REJECTED;
	}
	log_debug("PUT %s (%lld bytes)", shown, (long long)st.st_size);
	res = http_request(
	    m->blob,
	    &(struct http_req){
	        .method = "PUT",
	        .url = url,
	        .headers = strcmp(provider, "azure") == 0 ? azure : plain,
	        .body_fd = fd,
	        .body_off = 0,
	        .body_size = (uint64_t)st.st_size},
	    &r);
	close(fd);
	if (res != HTTP_OK) {
		if (res == HTTP_RETRY_NET)
			snprintf(
			    err, errlen,
			    "upload to %s: cannot reach the storage host: %s",
			    shown, r.error);
		else if (res == HTTP_AUTH)
			snprintf(
			    err, errlen,
			    "upload to %s: the storage host refused the upload "
			    "URL (HTTP %ld): it may have expired",
			    shown, r.status);
		else
			snprintf(
			    err, errlen,
			    "upload to %s: the storage host answered HTTP %ld",
			    shown, r.status);
	}
	http_resp_free(&r);
	return res;
}

static enum http_result
done_upload(struct mdca *m, const char *url, const char *stream, bool snapshot,
            char *err, size_t errlen)
{
	const char *hdrs[] = {m->auth_header, "Content-Type: application/json",
	                      "Accept: application/json", NULL};
	struct http_resp r = {0};
	enum http_result res = HTTP_REJECTED;
	cJSON *o = cJSON_CreateObject();
	char *body = NULL, *req = NULL;
	size_t n;

	if (o == NULL || !cJSON_AddStringToObject(o, "uploadUrl", url) ||
	    !cJSON_AddStringToObject(o, "inputStreamName", stream) ||
	    !cJSON_AddBoolToObject(o, "uploadAsSnapshot", snapshot) ||
	    (body = cJSON_PrintUnformatted(o)) == NULL)
		goto nomem;
	n = strlen(m->base) + 64;
	if ((req = malloc(n)) == NULL)
		goto nomem;
	snprintf(req, n, "%s/api/v1/discovery/done_upload/", m->base);
	log_debug("POST %s (data source %s%s)", req, stream,
	          snapshot ? ", snapshot" : "");
	res = http_request(m->api,
	                   &(struct http_req){.method = "POST",
	                                      .url = req,
	                                      .headers = hdrs,
	                                      .body = body,
	                                      .body_len = strlen(body),
	                                      .body_fd = -1},
	                   &r);
	if (res != HTTP_OK)
		explain("done_upload", res, &r, stream, err, errlen);
	goto done;
nomem:
	snprintf(err, errlen, "out of memory");
done:
	http_resp_free(&r);
	cJSON_Delete(o);
	free(body);
	free(req);
	return res;
}

enum http_result
mdca_upload_file(struct mdca *m, const char *path, const char *filename,
                 const char *source, const char *stream, bool snapshot,
                 char *err, size_t errlen)
{
	char provider[32], *url = NULL;
	enum http_result res;

	res = upload_url(m, filename, source, &url, provider, sizeof(provider),
	                 err, errlen);
	if (res != HTTP_OK)
		return res;
	res = put_blob(m, url, provider, path, err, errlen);
	if (res == HTTP_OK)
		res = done_upload(m, url, stream, snapshot, err, errlen);
	explicit_bzero(url, strlen(url));
	free(url);
	return res;
}
