/*
 * Credentials for the API: see auth.h.
 *
 * Entra ID application context (mdca-api.md §2.2, §2.5): client
 * credentials at POST {authority}/{tenant}/oauth2/v2.0/token with
 * scope=05a65629-4c1b-48c1-a78b-804c4abdd4af/.default, the client
 * authenticated by a secret or by a client assertion signed with a
 * certificate's key.  The access token is kept in memory only and fetched
 * again a while before it expires.
 */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth.h"
#include "http.h"
#include "jwt.h"
#include "limits.h"
#include "log.h"
#include "ratelimit.h"

#define ENTRA_AUTHORITY "https://login.microsoftonline.com"
/* The MDCA API's application id (mdca-api.md §2.2), as a v2.0 scope. */
#define ENTRA_SCOPE "05a65629-4c1b-48c1-a78b-804c4abdd4af/.default"
#define JWT_BEARER  "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

struct auth {
	char *token; /* legacy API token, owned */
	/* Entra application */
	char *client_id, *tenant_id;
	char *secret;          /* client secret, owned, or */
	struct jwt_cred *cred; /* the certificate credential */
	char *token_url;       /* {authority}/{tenant}/oauth2/v2.0/token */
	char *bearer;          /* the cached access token */
	int64_t refresh_at;    /* mono ms: fetch a new one from then on */
	int64_t expires_at;    /* mono ms: unusable from then on */
};

static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* A tenant id is a GUID or a domain name: it goes into the URL path. */
static bool
tenant_id_ok(const char *s)
{
	if (*s == '\0' || strlen(s) > 256)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' ||
		      *s == '_'))
			return false;
	return true;
}

static int
entra_new(struct auth *a, const struct auth_conf *c, char *err, size_t errlen)
{
	const char *auth =
	    c->authority && *c->authority ? c->authority : ENTRA_AUTHORITY;
	size_t alen = strlen(auth), n;

	if (c->tenant_id == NULL || *c->tenant_id == '\0') {
		snprintf(err, errlen,
		         "Entra app %s: no tenant id: give --tenant-id or "
		         "DISCOLOG_TENANT_ID (the Directory (tenant) ID on the "
		         "app's Overview page)",
		         c->client_id);
		return -1;
	}
	if (!tenant_id_ok(c->tenant_id)) {
		snprintf(err, errlen,
		         "tenant id '%s' is neither a GUID nor a domain name: "
		         "give the Directory (tenant) ID of the app's Overview "
		         "page",
		         c->tenant_id);
		return -1;
	}
	if (strncmp(auth, "https://", 8) != 0 &&
	    strncmp(auth, "http://", 7) != 0) {
		snprintf(
		    err, errlen,
		    "authority %s: give an http:// or https:// URL (default "
		    "%s)",
		    auth, ENTRA_AUTHORITY);
		return -1;
	}
	while (alen > 8 && auth[alen - 1] == '/')
		alen--;
	n = alen + strlen(c->tenant_id) + 32;
	if ((a->client_id = strdup(c->client_id)) == NULL ||
	    (a->tenant_id = strdup(c->tenant_id)) == NULL ||
	    (a->token_url = malloc(n)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	snprintf(a->token_url, n, "%.*s/%s/oauth2/v2.0/token", (int)alen, auth,
	         c->tenant_id);
	if (c->client_cert != NULL && *c->client_cert != '\0') {
		if (c->client_secret != NULL)
			log_verbose(
			    "both a client secret and a certificate are "
			    "configured: using the certificate");
		if ((a->cred = jwt_cred_load(c->client_cert, c->client_key, err,
		                             errlen)) == NULL)
			return -1;
		return 0;
	}
	if (c->client_key != NULL && *c->client_key != '\0') {
		snprintf(err, errlen,
		         "--client-key without --client-cert: give the "
		         "certificate too");
		return -1;
	}
	if (c->client_secret == NULL || *c->client_secret == '\0') {
		snprintf(
		    err, errlen,
		    "Entra app %s: no credential: give "
		    "--client-secret-file FILE (or DISCOLOG_CLIENT_SECRET), "
		    "or --client-cert and --client-key",
		    c->client_id);
		return -1;
	}
	if ((a->secret = strdup(c->client_secret)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

struct auth *
auth_new(const struct auth_conf *c, char *err, size_t errlen)
{
	bool token = c->token != NULL && c->token[0] != '\0';
	bool entra = c->client_id != NULL && c->client_id[0] != '\0';
	struct auth *a;

	if (!token && !entra) {
		if ((c->client_secret && *c->client_secret) ||
		    (c->client_cert && *c->client_cert))
			snprintf(err, errlen,
			         "an Entra credential but no application id: "
			         "give --client-id or DISCOLOG_CLIENT_ID (the "
			         "Application (client) ID)");
		else
			snprintf(err, errlen,
			         "no credentials: give an Entra application "
			         "(--client-id, --tenant-id and "
			         "--client-secret-file or --client-cert) or a "
			         "legacy API token (--token-file or "
			         "DISCOLOG_TOKEN)");
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (entra) {
		if (token)
			log_verbose("both a legacy API token and an Entra app "
			            "are configured: using the Entra app");
		if (entra_new(a, c, err, errlen) == -1)
			goto fail;
		return a;
	}
	if ((a->token = strdup(c->token)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return a;
fail:
	auth_free(a);
	return NULL;
}

/* Append key=value, form-urlencoded, at *o of out (sized by the caller). */
static void
form_add(char *out, size_t *o, const char *key, const char *val)
{
	static const char hex[] = "0123456789ABCDEF";

	if (*o > 0)
		out[(*o)++] = '&';
	for (; *key; key++)
		out[(*o)++] = *key;
	out[(*o)++] = '=';
	for (const unsigned char *v = (const unsigned char *)val; *v; v++) {
		if ((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') ||
		    (*v >= '0' && *v <= '9') || *v == '-' || *v == '.' ||
		    *v == '_' || *v == '~') {
			out[(*o)++] = (char)*v;
		} else {
			out[(*o)++] = '%';
			out[(*o)++] = hex[*v >> 4];
			out[(*o)++] = hex[*v & 15];
		}
	}
	out[*o] = '\0';
}

/* The AADSTS number of an Entra error answer, or 0. */
static long
aadsts(const cJSON *j)
{
	const cJSON *codes = cJSON_GetObjectItemCaseSensitive(j, "error_codes");
	const cJSON *d =
	    cJSON_GetObjectItemCaseSensitive(j, "error_description");
	const char *p;

	if (cJSON_IsArray(codes) &&
	    cJSON_IsNumber(cJSON_GetArrayItem(codes, 0)))
		return (long)cJSON_GetArrayItem(codes, 0)->valuedouble;
	if (cJSON_IsString(d) && (p = strstr(d->valuestring, "AADSTS")) != NULL)
		return strtol(p + 6, NULL, 10);
	return 0;
}

/*
 * One sentence on a token request Entra refused.  Every credential or
 * configuration answer (4xx) is an auth error: no retry makes it work.
 */
static void
entra_explain(const struct auth *a, enum http_result res,
              const struct http_resp *r, bool *auth_err, char *err,
              size_t errlen)
{
	cJSON *j = NULL;
	const cJSON *e, *d;
	char desc[200] = "";
	long code;

	*auth_err = false;
	if (res == HTTP_RETRY_NET) {
		snprintf(err, errlen,
		         "cannot reach the Entra token endpoint %s: %s (check "
		         "DNS, the proxy and --authority)",
		         a->token_url, r->error);
		return;
	}
	if (res == HTTP_RETRY_HTTP) {
		snprintf(
		    err, errlen,
		    "the Entra token endpoint is busy or failing (HTTP %ld), "
		    "still after %d attempts: try again later",
		    r->status, r->attempts);
		return;
	}
	*auth_err = true;
	if (!r->html && r->body.len > 0)
		j = cJSON_ParseWithLength(r->body.data, r->body.len);
	e = cJSON_GetObjectItemCaseSensitive(j, "error");
	d = cJSON_GetObjectItemCaseSensitive(j, "error_description");
	if (!cJSON_IsString(e)) {
		snprintf(err, errlen,
		         "%s answered HTTP %ld%s, not an Entra token answer: "
		         "check --authority (default %s)",
		         a->token_url, r->status,
		         r->html ? " with an HTML page" : "", ENTRA_AUTHORITY);
		goto done;
	}
	if (cJSON_IsString(d)) /* its first line: "AADSTSnnn: what" */
		snprintf(desc, sizeof(desc), "%.*s",
		         (int)strcspn(d->valuestring, "\r\n"), d->valuestring);
	code = aadsts(j);
	switch (code) {
	case 7000215:
		snprintf(err, errlen,
		         "Entra refused the client secret of app %s "
		         "(AADSTS7000215): use the secret's Value, not its "
		         "Secret ID, from the app's Certificates & secrets, or "
		         "create a new secret",
		         a->client_id);
		break;
	case 7000222:
		snprintf(err, errlen,
		         "the client secret of app %s has expired "
		         "(AADSTS7000222): create a new one under Certificates "
		         "& secrets",
		         a->client_id);
		break;
	case 700016:
		snprintf(err, errlen,
		         "Entra has no application %s in tenant %s "
		         "(AADSTS700016): check --client-id (the Application "
		         "(client) ID) and --tenant-id",
		         a->client_id, a->tenant_id);
		break;
	case 90002:
	case 900023:
		snprintf(err, errlen,
		         "Entra has no tenant '%s' (AADSTS%ld): check "
		         "--tenant-id, the Directory (tenant) ID on the app's "
		         "Overview page",
		         a->tenant_id, code);
		break;
	case 700024:
		snprintf(err, errlen,
		         "Entra refused the client assertion as outside its "
		         "valid time (AADSTS700024): set this machine's clock "
		         "right (NTP)");
		break;
	case 500011:
	case 65001:
		snprintf(
		    err, errlen,
		    "the Microsoft Cloud App Security API is not consented "
		    "for app %s in tenant %s (AADSTS%ld): add its permission "
		    "Discovery.manage (APIs my organization uses) and grant "
		    "admin consent",
		    a->client_id, a->tenant_id, code);
		break;
	default:
		if (strcmp(e->valuestring, "invalid_client") == 0 &&
		    a->cred != NULL)
			snprintf(err, errlen,
			         "Entra refused the certificate of app %s "
			         "(%s): upload the certificate (SHA-1 "
			         "thumbprint %s) under the app's Certificates "
			         "& secrets, and give its own key",
			         a->client_id, desc[0] ? desc : e->valuestring,
			         jwt_cred_thumbprint(a->cred));
		else if (strcmp(e->valuestring, "invalid_client") == 0)
			snprintf(
			    err, errlen,
			    "Entra refused the credentials of app %s (%s): "
			    "check the client secret",
			    a->client_id, desc[0] ? desc : e->valuestring);
		else
			snprintf(err, errlen,
			         "Entra refused a token for app %s (HTTP %ld, "
			         "%s%s%s)",
			         a->client_id, r->status, e->valuestring,
			         desc[0] ? ": " : "", desc);
		break;
	}
done:
	cJSON_Delete(j);
}

/* Fetch a new access token into a->bearer.  0, or -1 with err set. */
static int
entra_fetch(struct auth *a, struct http *h, bool *auth_err, char *err,
            size_t errlen)
{
	const char *hdrs[] = {"Content-Type: application/x-www-form-urlencoded",
	                      "Accept: application/json", NULL};
	struct http_resp r = {0};
	enum http_result res;
	int64_t start = mono_ms();
	char *assertion = NULL, *body = NULL;
	const char *cred;
	cJSON *j = NULL;
	const cJSON *tok, *exp;
	double lifetime = 0;
	size_t cap, o = 0;
	int rc = -1;

	*auth_err = false;
	if (a->cred != NULL &&
	    (assertion = jwt_assertion(a->cred, a->client_id, a->token_url,
	                               time(NULL), err, errlen)) == NULL)
		return -1;
	cred = assertion ? assertion : a->secret;
	cap = 3 * (strlen(a->client_id) + strlen(cred) + sizeof(ENTRA_SCOPE) +
	           sizeof(JWT_BEARER)) +
	      128;
	if ((body = malloc(cap)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	form_add(body, &o, "grant_type", "client_credentials");
	form_add(body, &o, "client_id", a->client_id);
	form_add(body, &o, "scope", ENTRA_SCOPE);
	if (assertion != NULL) {
		form_add(body, &o, "client_assertion_type", JWT_BEARER);
		form_add(body, &o, "client_assertion", assertion);
	} else
		form_add(body, &o, "client_secret", a->secret);
	/* Through the API's handle: its retries, proxy and CA bundle; the
	 * request also takes a slot of the API's rate limit (once an hour). */
	log_debug("POST %s (client credentials, %s)", a->token_url,
	          assertion ? "certificate" : "client secret");
	res = http_request(h,
	                   &(struct http_req){.method = "POST",
	                                      .url = a->token_url,
	                                      .headers = hdrs,
	                                      .body = body,
	                                      .body_len = o,
	                                      .body_fd = -1},
	                   &r);
	log_debug("POST %s: HTTP %ld", a->token_url, r.status);
	if (res != HTTP_OK) {
		entra_explain(a, res, &r, auth_err, err, errlen);
		goto done;
	}
	j = cJSON_ParseWithLength(r.body.data, r.body.len);
	tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
	exp = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
	/* v2.0 sends a number, v1 a string: take both. */
	if (cJSON_IsNumber(exp))
		lifetime = exp->valuedouble;
	else if (cJSON_IsString(exp))
		lifetime = strtod(exp->valuestring, NULL);
	if (!cJSON_IsString(tok) || tok->valuestring[0] == '\0' ||
	    strpbrk(tok->valuestring, "\r\n") != NULL) {
		snprintf(
		    err, errlen,
		    "%s answered without an access token (HTTP %ld): check "
		    "--authority",
		    a->token_url, r.status);
		goto done;
	}
	if (lifetime <= 0 || lifetime > 86400)
		lifetime = 3599; /* mdca-api.md §2.2: one hour */
	wipe_free(a->bearer);
	if ((a->bearer = strdup(tok->valuestring)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	/* From when the request left: the token cannot live longer.  Fetch
	 * anew a quarter of the lifetime early, at most TOKEN_REFRESH_MS. */
	a->expires_at = start + (int64_t)(lifetime * 1000);
	a->refresh_at =
	    a->expires_at - ((int64_t)(lifetime * 1000) / 4 > TOKEN_REFRESH_MS
	                         ? TOKEN_REFRESH_MS
	                         : (int64_t)(lifetime * 1000) / 4);
	log_verbose("Entra token for app %s, valid %.0f s", a->client_id,
	            lifetime);
	rc = 0;
done:
	if (j != NULL) {
		/* cJSON's copy of the token: wipe it before it is freed. */
		tok = cJSON_GetObjectItemCaseSensitive(j, "access_token");
		if (cJSON_IsString(tok))
			explicit_bzero(tok->valuestring,
			               strlen(tok->valuestring));
		cJSON_Delete(j);
	}
	if (r.body.data != NULL)
		explicit_bzero(r.body.data, r.body.len);
	http_resp_free(&r);
	if (body != NULL) {
		explicit_bzero(body, cap);
		free(body);
	}
	wipe_free(assertion);
	return rc;
}

int
auth_header(struct auth *a, struct http *h, char *hdr, size_t hdrlen,
            bool *auth_err, char *err, size_t errlen)
{
	*auth_err = false;
	if (a->token != NULL) {
		if ((size_t)snprintf(hdr, hdrlen, "Authorization: Token %s",
		                     a->token) >= hdrlen) {
			snprintf(err, errlen, "the API token is too long");
			*auth_err = true;
			return -1;
		}
		return 0;
	}
	if (a->bearer == NULL || mono_ms() >= a->refresh_at) {
		if (entra_fetch(a, h, auth_err, err, errlen) == -1) {
			/* A refresh that failed for the network, while the
			 * token still has a while: use it. */
			if (a->bearer == NULL || *auth_err ||
			    mono_ms() + 5000 >= a->expires_at)
				return -1;
			log_verbose("%s; using the current token until it "
			            "expires",
			            err);
			a->refresh_at = mono_ms() + TOKEN_RETRY_MS;
		}
	}
	if ((size_t)snprintf(hdr, hdrlen, "Authorization: Bearer %s",
	                     a->bearer) >= hdrlen) {
		snprintf(err, errlen, "the Entra token is too long");
		*auth_err = true;
		return -1;
	}
	return 0;
}

bool
auth_invalidate(struct auth *a)
{
	if (a->bearer == NULL)
		return false;
	wipe_free(a->bearer);
	a->bearer = NULL;
	return true;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	wipe_free(a->token);
	wipe_free(a->secret);
	wipe_free(a->bearer);
	jwt_cred_free(a->cred);
	free(a->client_id);
	free(a->tenant_id);
	free(a->token_url);
	free(a);
}
