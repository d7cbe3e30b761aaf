/*
 * Credentials for the tenant's API: the legacy API token
 * ("Authorization: Token ...") or an Entra ID application (client
 * credentials with a secret or a certificate, "Authorization: Bearer ...").
 *
 * auth_header() gives the header for the next request; for Entra it fetches
 * a token from the authority, caches it, and fetches a new one before it
 * expires.  After a 401 the API client calls auth_invalidate() and tries
 * once more with a fresh token.
 */
#ifndef AUTH_H
#define AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

struct auth;

struct auth_conf {
	const char *token; /* legacy API token (borrowed) */
	/* Entra application context */
	const char *client_id, *tenant_id;
	const char *client_secret;            /* borrowed */
	const char *client_cert, *client_key; /* PEM file paths */
	const char *authority; /* default https://login.microsoftonline.com */
};

/* NULL with the reason in err when no usable credential is configured. */
struct auth *auth_new(const struct auth_conf *c, char *err, size_t errlen);

/* "Authorization: ..." into hdr.  0, or -1 with the reason in err (a
 * token that cannot be had: bad secret, unknown tenant, network). *auth_err
 * tells a credential problem (exit 3) from a network one. */
int auth_header(struct auth *a, struct http *h, char *hdr, size_t hdrlen,
                bool *auth_err, char *err, size_t errlen);

/* Forget a cached bearer token.  Returns true when there was one to
 * forget (a retry may then help), false for a static token. */
bool auth_invalidate(struct auth *a);

/* Wipe and free; NULL ok. */
void auth_free(struct auth *a);

/*
 * The pure halves of a token request, for tests and the fuzz target.
 * auth_parse_token: the access token of an Entra answer body (caller
 * frees, after explicit_bzero) and its lifetime in s (3599 when absent or
 * absurd); 0, or -1 when there is none fit for a header.  auth_explain:
 * one sentence on a refused token request into err, *auth_err set when
 * it is the credentials' fault (no retry helps).
 */
int auth_parse_token(const char *body, size_t len, char **token,
                     double *lifetime);
void auth_explain(const struct auth *a, enum http_result res,
                  const struct http_resp *r, bool *auth_err, char *err,
                  size_t errlen);

#endif
