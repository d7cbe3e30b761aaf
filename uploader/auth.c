/*
 * Credentials for the API: see auth.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

struct auth {
	char *token; /* legacy API token, owned */
};

struct auth *
auth_new(const struct auth_conf *c, char *err, size_t errlen)
{
	struct auth *a;

	if (c->token == NULL || c->token[0] == '\0') {
		snprintf(
		    err, errlen,
		    "no API token: give --token-file FILE or DISCOLOG_TOKEN");
		return NULL;
	}
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->token = strdup(c->token)) == NULL) {
		free(a);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	return a;
}

int
auth_header(struct auth *a, struct http *h, char *hdr, size_t hdrlen,
            bool *auth_err, char *err, size_t errlen)
{
	(void)h;
	*auth_err = false;
	if ((size_t)snprintf(hdr, hdrlen, "Authorization: Token %s",
	                     a->token) >= hdrlen) {
		snprintf(err, errlen, "the API token is too long");
		*auth_err = true;
		return -1;
	}
	return 0;
}

bool
auth_invalidate(struct auth *a)
{
	(void)a;
	return false;
}

void
auth_free(struct auth *a)
{
	if (a == NULL)
		return;
	if (a->token != NULL) {
		explicit_bzero(a->token, strlen(a->token));
		free(a->token);
	}
	free(a);
}
