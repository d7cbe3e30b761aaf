/*
 * The spool of sealed batches and their way to the tenant: see spool.h.
 */
#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "ledger.h"
#include "log.h"
#include "limits.h"
#include "mdca.h"
#include "spool.h"

/* "<base>.json" for "<base>.log.gz". */
static void
meta_path(const char *gz, char *out, size_t outlen)
{
	size_t n = strlen(gz);

	if (n > 7 && strcmp(gz + n - 7, ".log.gz") == 0)
		n -= 7;
	snprintf(out, outlen, "%.*s.json", (int)n, gz);
}

/* The JSON file at path, if it holds at most max bytes; else NULL. */
static cJSON *
read_json(const char *path, size_t max)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *buf;
	size_t n;
	cJSON *j;

	if (f == NULL)
		return NULL;
	/* As large as the file, not as the limit. */
	if (fstat(fileno(f), &st) == -1 || st.st_size < 0 ||
	    (uint64_t)st.st_size > max ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = '\0';
	j = cJSON_Parse(buf);
	free(buf);
	return j;
}

int
spool_read_meta(const char *gz, struct batch_meta *m)
{
	char path[4200];
	cJSON *j, *v;
	int rc = -1;

	memset(m, 0, sizeof(*m));
	meta_path(gz, path, sizeof(path));
	if ((j = read_json(path, 64 << 20)) == NULL)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(j, "data_source");
	if (cJSON_IsString(v))
		snprintf(m->data_source, sizeof(m->data_source), "%s",
		         v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(j, "source_type");
	if (cJSON_IsString(v)) {
		snprintf(m->source_type, sizeof(m->source_type), "%s",
		         v->valuestring);
		rc = 0;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "source");
	if (cJSON_IsString(v))
		snprintf(m->source, sizeof(m->source), "%s", v->valuestring);
	m->snapshot =
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "snapshot"));
	v = cJSON_GetObjectItemCaseSensitive(j, "lines");
	m->lines = cJSON_IsNumber(v) ? v->valuedouble : 0;
	v = cJSON_GetObjectItemCaseSensitive(j, "bytes");
	m->bytes = cJSON_IsNumber(v) ? v->valuedouble : 0;
	v = cJSON_GetObjectItemCaseSensitive(j, "checkpoint");
	if (cJSON_IsObject(v)) {
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(v, "gen");

		if (cJSON_IsString(g))
			m->gen = strtoull(g->valuestring, NULL, 10);
	}
	cJSON_Delete(j);
	return m->data_source[0] ? rc : -1;
}

int
spool_read_checkpoint(const char *gz, struct checkpoint *c)
{
	char path[4200];
	cJSON *j, *v;
	int rc = 0;

	meta_path(gz, path, sizeof(path));
	if ((j = read_json(path, 64 << 20)) == NULL)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(j, "checkpoint");
	if (cJSON_IsObject(v))
		rc = checkpoint_from_json(v, c) == 0 ? 1 : -1;
	cJSON_Delete(j);
	return rc;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Names in `dir` ending in `suffix`, as full paths, sorted. */
static char **
list_dir(const char *dir, const char *suffix, size_t *n)
{
	char **v = NULL;
	DIR *d;
	struct dirent *e;

	*n = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(dir) + strlen(e->d_name) + 2;
		char **nv;

		if (e->d_name[0] == '.' || !ends_with(e->d_name, suffix))
			continue;
		if ((nv = realloc(v, (*n + 1) * sizeof(*v))) == NULL)
			break;
		v = nv;
		if ((v[*n] = malloc(l)) == NULL)
			break;
		snprintf(v[*n], l, "%s/%s", dir, e->d_name);
		(*n)++;
	}
	closedir(d);
	if (v != NULL)
		qsort(v, *n, sizeof(*v), cmp_str);
	return v;
}

char **
spool_list(const char *spool, size_t *n)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/ready", spool);
	return list_dir(dir, ".log.gz", n);
}

void
spool_list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
spool_remove_batch(const char *gz)
{
	char path[4200];

	unlink(gz);
	meta_path(gz, path, sizeof(path));
	unlink(path);
	ledger_path(gz, path, sizeof(path));
	unlink(path);
}

int
spool_reject(const char *gz)
{
	char dir[4200], src[4200], dst[4400], *slash;
	const char *base;
	const char *sfx[] = {".log.gz", ".json", ".stage"};
	size_t n = strlen(gz) - 7;

	snprintf(dir, sizeof(dir), "%s", gz);
	if ((slash = strrchr(dir, '/')) == NULL)
		return -1;
	*slash = '\0';
	if ((slash = strrchr(dir, '/')) == NULL)
		return -1;
	base = gz + (slash - dir) + 7; /* past "/ready/" */
	snprintf(slash, sizeof(dir) - (size_t)(slash - dir), "/rejected");
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	for (size_t i = 0; i < 3; i++) {
		snprintf(src, sizeof(src), "%.*s%s", (int)n, gz, sfx[i]);
		snprintf(dst, sizeof(dst), "%s/%.*s%s", dir,
		         (int)(strlen(base) - 7), base, sfx[i]);
		if (rename(src, dst) == -1 && errno != ENOENT)
			return -1;
	}
	return 0;
}

uint64_t
spool_usage(const char *spool, unsigned *nbatches)
{
	size_t n;
	char **v = spool_list(spool, &n);
	uint64_t total = 0;
	struct stat st;

	for (size_t i = 0; i < n; i++)
		if (stat(v[i], &st) == 0)
			total += (uint64_t)st.st_size;
	if (nbatches != NULL)
		*nbatches = (unsigned)n;
	spool_list_free(v, n);
	return total;
}

unsigned
spool_recover(const char *spool)
{
	char dir[4200], path[4200];
	char **v;
	size_t n;
	unsigned cleaned = 0;

	snprintf(dir, sizeof(dir), "%s/tmp", spool);
	v = list_dir(dir, "", &n);
	for (size_t i = 0; i < n; i++)
		unlink(v[i]);
	spool_list_free(v, n);
	snprintf(dir, sizeof(dir), "%s/ready", spool);
	/* Data without a description: the seal did not finish. */
	v = list_dir(dir, ".log.gz", &n);
	for (size_t i = 0; i < n; i++) {
		struct ledger_entry e = {0};
		char err[256];

		meta_path(v[i], path, sizeof(path));
		if (access(path, F_OK) == -1) {
			log_info("spool: %s was not sealed completely: removed "
			         "(its lines are read again)",
			         v[i]);
			spool_remove_batch(v[i]);
			cleaned++;
			continue;
		}
		if (ledger_read(v[i], &e, err, sizeof(err)) == 0 &&
		    e.stage == LEDGER_FINALIZED) {
			spool_remove_batch(v[i]);
			cleaned++;
		}
		ledger_entry_clear(&e);
	}
	spool_list_free(v, n);
	/* Temporary files of atomic writes cut short. */
	v = list_dir(dir, ".tmp", &n);
	for (size_t i = 0; i < n; i++)
		unlink(v[i]);
	spool_list_free(v, n);
	/* A description or a stage without data: a removal was cut short. */
	for (int k = 0; k < 2; k++) {
		const char *sfx = k == 0 ? ".json" : ".stage";

		v = list_dir(dir, sfx, &n);
		for (size_t i = 0; i < n; i++) {
			size_t l = strlen(v[i]) - strlen(sfx);

			snprintf(path, sizeof(path), "%.*s.log.gz", (int)l,
			         v[i]);
			if (access(path, F_OK) == -1) {
				unlink(v[i]);
				cleaned++;
			}
		}
		spool_list_free(v, n);
	}
	return cleaned;
}

static int
record(const char *gz, const struct ledger_entry *e, char *err, size_t errlen)
{
	if (ledger_write(gz, e, err, errlen) == -1) {
		log_warnx("ledger: %s", err);
		return -1;
	}
	return 0;
}

/* The batch is finalized: say so, then remove it (state file last). */
static enum spool_step_result
finalized(const char *gz, struct ledger_entry *e, char *err, size_t errlen)
{
	e->stage = LEDGER_FINALIZED;
	if (e->url != NULL) {
		explicit_bzero(e->url, strlen(e->url));
		free(e->url);
		e->url = NULL;
	}
	if (record(gz, e, err, errlen) == -1)
		return SPOOL_STEP_RETRY;
	spool_remove_batch(gz);
	return SPOOL_STEP_DONE;
}

static enum spool_step_result
classify(enum http_result res, bool move_rejected, const char *gz,
         const char *err)
{
	switch (res) {
	case HTTP_OK:
		return SPOOL_STEP_PROGRESS;
	case HTTP_AUTH:
		return SPOOL_STEP_AUTH;
	case HTTP_REJECTED:
		if (strstr(err, "no data source") != NULL)
			return SPOOL_STEP_CONFIG;
		if (move_rejected && spool_reject(gz) == -1)
			log_warn("%s: cannot move to rejected/", gz);
		return SPOOL_STEP_REJECTED;
	case HTTP_RETRY_NET:
	case HTTP_RETRY_HTTP:
	default:
		return SPOOL_STEP_RETRY;
	}
}

enum spool_step_result
spool_step(struct mdca *m, const char *gz, const struct batch_meta *meta,
           bool move_rejected, enum ledger_stage *stage_out, char *err,
           size_t errlen)
{
	struct ledger_entry e = {0};
	const char *base = strrchr(gz, '/') ? strrchr(gz, '/') + 1 : gz;
	enum http_result res;
	enum spool_step_result sr = SPOOL_STEP_RETRY;
	bool already = false;

	err[0] = '\0';
	if (ledger_read(gz, &e, err, errlen) == -1) {
		/* Unreadable: start over; nothing was finalized unless
		 * "finalizing" was written, and then the file is whole. */
		log_warnx("%s: starting its upload over", err);
	}
	*stage_out = e.stage;
	switch (e.stage) {
	case LEDGER_SEALED:
		/* A URL the storage host refused may still be recorded. */
		if (e.url != NULL) {
			explicit_bzero(e.url, strlen(e.url));
			free(e.url);
			e.url = NULL;
		}
		res = mdca_upload_url(m, base, meta->source_type, &e.url,
		                      e.provider, sizeof(e.provider), err,
		                      errlen);
		if (res != HTTP_OK) {
			sr = classify(res, move_rejected, gz, err);
			break;
		}
		e.stage = LEDGER_URL;
		sr = record(gz, &e, err, errlen) == 0 ? SPOOL_STEP_PROGRESS
		                                      : SPOOL_STEP_RETRY;
		break;
	case LEDGER_URL:
		res = mdca_put_file(m, e.url, e.provider, gz, err, errlen);
		if (res == HTTP_AUTH && e.rejects < BLOB_SAS_RENEWALS) {
			/* The storage host refused the URL: a fresh one. */
			log_info("%s: %s; asking for a new upload URL (%d of "
			         "%d)",
			         base, err, e.rejects + 1, BLOB_SAS_RENEWALS);
			e.rejects++;
			e.stage = LEDGER_SEALED;
			sr = record(gz, &e, err, errlen) == 0
			         ? SPOOL_STEP_PROGRESS
			         : SPOOL_STEP_RETRY;
			break;
		}
		if (res != HTTP_OK) {
			sr = classify(res, move_rejected, gz, err);
			break;
		}
		e.stage = LEDGER_PUT;
		sr = record(gz, &e, err, errlen) == 0 ? SPOOL_STEP_PROGRESS
		                                      : SPOOL_STEP_RETRY;
		break;
	case LEDGER_PUT:
		/* Recorded before the POST: see ledger.h. */
		e.stage = LEDGER_FINALIZING;
		if (record(gz, &e, err, errlen) == -1)
			break;
		/* FALLTHROUGH */
	case LEDGER_FINALIZING:
		*stage_out = LEDGER_FINALIZING;
		res = mdca_done_upload(m, e.url, meta->data_source,
		                       meta->snapshot, &already, err, errlen);
		if (res == HTTP_OK) {
			sr = finalized(gz, &e, err, errlen);
			break;
		}
		if (already) {
			/* Our own earlier POST went through (its answer was
			 * lost or we crashed before recording it). */
			log_info("%s: the tenant had finalized it already: "
			         "done",
			         base);
			sr = finalized(gz, &e, err, errlen);
			break;
		}
		if (res == HTTP_REJECTED &&
		    strstr(err, "no data source") == NULL && e.rejects < 2) {
			/* Unknown URL or no blob behind it: upload again. */
			log_warnx("%s; uploading %s again", err, base);
			e.rejects++;
			e.stage = LEDGER_SEALED;
			sr = record(gz, &e, err, errlen) == 0
			         ? SPOOL_STEP_PROGRESS
			         : SPOOL_STEP_RETRY;
			break;
		}
		sr = classify(res, move_rejected, gz, err);
		break;
	case LEDGER_FINALIZED:
		spool_remove_batch(gz);
		sr = SPOOL_STEP_DONE;
		break;
	case LEDGER_NSTAGES:
	default:
		snprintf(err, errlen, "%s: unknown stage", base);
		break;
	}
	if (sr == SPOOL_STEP_PROGRESS || sr == SPOOL_STEP_DONE)
		*stage_out = sr == SPOOL_STEP_DONE ? LEDGER_FINALIZED : e.stage;
	ledger_entry_clear(&e);
	return sr;
}

enum spool_step_result
spool_send(struct mdca *m, const char *gz, const struct batch_meta *meta,
           char *err, size_t errlen)
{
	enum spool_step_result r;
	enum ledger_stage st;

	/* Bounded: the ledger caps the fresh starts of one batch. */
	for (int steps = 0; steps < 32; steps++)
		if ((r = spool_step(m, gz, meta, false, &st, err, errlen)) !=
		    SPOOL_STEP_PROGRESS)
			return r;
	snprintf(err, errlen, "%s: too many upload attempts", gz);
	return SPOOL_STEP_RETRY;
}
