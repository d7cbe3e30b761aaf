/*
 * Per-batch upload stages: see ledger.h.
 */
#include <cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkpoint.h"
#include "jsonnum.h"
#include "ledger.h"

static const char *const stage_names[] = {
#define X(n, s) s,
    LEDGER_STAGES(X)
#undef X
};

const char *
ledger_stage_name(enum ledger_stage s)
{
	return (unsigned)s < LEDGER_NSTAGES ? stage_names[s] : "unknown";
}

void
ledger_path(const char *gz, char *out, size_t outlen)
{
	size_t n = strlen(gz);

	if (n > 7 && strcmp(gz + n - 7, ".log.gz") == 0)
		n -= 7;
	snprintf(out, outlen, "%.*s.stage", (int)n, gz);
}

void
ledger_entry_clear(struct ledger_entry *e)
{
	if (e->url != NULL) {
		explicit_bzero(e->url, strlen(e->url));
		free(e->url);
	}
	memset(e, 0, sizeof(*e));
}

int
ledger_read(const char *gz, struct ledger_entry *e, char *err, size_t errlen)
{
	char path[4200], buf[16384];
	FILE *f;
	size_t n;
	cJSON *j = NULL;
	const cJSON *v;
	long long w;

	ledger_entry_clear(e);
	ledger_path(gz, path, sizeof(path));
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if ((j = cJSON_Parse(buf)) == NULL)
		goto bad;
	v = cJSON_GetObjectItemCaseSensitive(j, "stage");
	if (!cJSON_IsString(v))
		goto bad;
	for (int s = 0; s < LEDGER_NSTAGES; s++)
		if (strcmp(v->valuestring, stage_names[s]) == 0)
			e->stage = (enum ledger_stage)s;
	v = cJSON_GetObjectItemCaseSensitive(j, "url");
	if (cJSON_IsString(v) && (e->url = strdup(v->valuestring)) == NULL)
		goto bad;
	v = cJSON_GetObjectItemCaseSensitive(j, "provider");
	snprintf(e->provider, sizeof(e->provider), "%s",
	         cJSON_IsString(v) ? v->valuestring : "azure");
	v = cJSON_GetObjectItemCaseSensitive(j, "rejects");
	e->rejects =
	    json_whole(v, &w) && w >= 0 && w <= 1000000 ? (unsigned)w : 0;
	/* A stage past "sealed" needs its URL, except the last one. */
	if (e->url == NULL && e->stage != LEDGER_SEALED &&
	    e->stage != LEDGER_FINALIZED)
		goto bad;
	explicit_bzero(buf, sizeof(buf));
	cJSON_Delete(j);
	return 0;
bad:
	explicit_bzero(buf, sizeof(buf));
	cJSON_Delete(j);
	ledger_entry_clear(e);
	snprintf(err, errlen, "%s: not a readable stage file", path);
	return -1;
}

int
ledger_write(const char *gz, const struct ledger_entry *e, char *err,
             size_t errlen)
{
	char path[4200], *js = NULL;
	cJSON *o = cJSON_CreateObject();
	int rc = -1;

	ledger_path(gz, path, sizeof(path));
	if (o == NULL ||
	    !cJSON_AddStringToObject(o, "stage", ledger_stage_name(e->stage)) ||
	    (e->url != NULL && !cJSON_AddStringToObject(o, "url", e->url)) ||
	    !cJSON_AddStringToObject(o, "provider",
	                             e->provider[0] ? e->provider : "azure") ||
	    !cJSON_AddNumberToObject(o, "rejects", e->rejects) ||
	    (js = cJSON_PrintUnformatted(o)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	rc = checkpoint_write_file(path, js, strlen(js), err, errlen);
done:
	if (js != NULL) {
		explicit_bzero(js, strlen(js));
		free(js);
	}
	cJSON_Delete(o);
	return rc;
}
