/*
 * Fuzz target: what discolog makes of the tenant's and Entra's answers.
 *
 * The first byte picks the reader, the rest is the answer body:
 *
 *	0  upload_url          mdca_parse_upload_url
 *	1  Entra token         auth_parse_token
 *	2  Entra refusal       auth_explain (HTTP 400, 401, 500 ...)
 *	3  API error answer    mdca_error_code
 *	4  streams             the reports table (text, CSV, JSON), --stream
 *	5  categories          the categories table
 *	6  discovered apps     the apps table, paging
 *	7  block script        the domain list, every renderer
 *
 * A crash, a sanitizer report, an unterminated message, a header value
 * with a line break or a rendered name that is not a host name is a
 * finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "blockscript.h"
#include "buf.h"
#include "log.h"
#include "mdca.h"
#include "pull.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_json_cleanup(void);

static FILE *json_null;
static struct auth *json_auth;

void
fuzz_json_cleanup(void)
{
	if (json_null != NULL)
		fclose(json_null);
	json_null = NULL;
	auth_free(json_auth);
	json_auth = NULL;
}

static void
json_message_ok(const char *err, size_t len)
{
	if (memchr(err, '\0', len) == NULL)
		abort();
}

static void
json_blockscript(const char *body, size_t len)
{
	struct blockscript_domains d = {0};
	size_t dropped = 0;

	if (blockscript_domains_parse(&d, body, len, &dropped) == -1)
		abort(); /* out of memory on a small input */
	for (size_t i = 0; i < d.n; i++) {
		if (!blockscript_hostname_ok(d.v[i], strlen(d.v[i])))
			abort();
		if (i > 0 && strcmp(d.v[i - 1], d.v[i]) >= 0)
			abort(); /* sorted, distinct */
	}
	for (int r = BS_DOMAINS; r <= BS_HOSTS; r++) {
		struct buf out;

		buf_init(&out, 64 * 1024 * 1024);
		if (blockscript_render((enum blockscript_render)r, &d, r & 1,
		                       &out) == -1)
			abort();
		buf_free(&out);
	}
	blockscript_domains_free(&d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = {400, 401, 403, 404, 500, 503};
	char *body, *s = NULL, err[1024], provider[32];
	struct http_resp r = {0};
	double lifetime;
	size_t len;
	bool auth_err;

	if (size == 0)
		return 0;
	log_init(LOG_LVL_QUIET - 1, 0);
	if (json_null == NULL && (json_null = fopen("/dev/null", "w")) == NULL)
		abort();
	if (json_auth == NULL) {
		struct auth_conf ac = {.client_id = "fuzz-app",
		                       .tenant_id = "fuzz-tenant",
		                       .client_secret = "fuzz-secret"};

		if ((json_auth = auth_new(&ac, err, sizeof(err))) == NULL)
			abort();
	}
	len = size - 1;
	/* An exact-size copy: ASan sees any overread. */
	if ((body = malloc(len ? len : 1)) == NULL)
		return 0;
	memcpy(body, data + 1, len);
	err[0] = '\0';
	r.body.data = body;
	r.body.len = len;
	r.html = len > 0 && body[0] == '<';
	switch (data[0] & 7) {
	case 0:
		if (mdca_parse_upload_url(body, len, &s, provider,
		                          sizeof(provider)) == 0 &&
		    (strpbrk(s, "\r\n") != NULL ||
		     memchr(provider, '\0', sizeof(provider)) == NULL))
			abort();
		break;
	case 1:
		if (auth_parse_token(body, len, &s, &lifetime) == 0 &&
		    (strpbrk(s, "\r\n") != NULL || !(lifetime > 0) ||
		     lifetime > 86400))
			abort();
		break;
	case 2:
		r.status = statuses[(data[0] >> 3) % 6];
		auth_explain(json_auth, http_classify(true, r.status), &r,
		             &auth_err, err, sizeof(err));
		json_message_ok(err, sizeof(err));
		break;
	case 3:
		(void)mdca_error_code(&r, err, sizeof(err));
		json_message_ok(err, sizeof(err));
		break;
	case 4:
	case 5:
	case 6:
		(void)pull_print_answer((enum pull_answer)((data[0] & 7) - 4),
		                        body, len, (data[0] >> 3) & 1,
		                        (data[0] >> 4) & 1, json_null, err,
		                        sizeof(err));
		json_message_ok(err, sizeof(err));
		break;
	case 7:
	default:
		json_blockscript(body, len);
		break;
	}
	free(s);
	free(body);
	return 0;
}
