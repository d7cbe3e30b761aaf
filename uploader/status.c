/*
 * `discolog status` and `discolog configtest`: the two commands that look
 * at a `discolog run` from outside.
 *
 * status reads what the daemon writes atomically every second,
 * STATE/status.json, adds the batches of the spool by ledger stage, and
 * prints it per source (or as JSON).  It exits 0 when the daemon runs and
 * every source is healthy, 1 otherwise, so it can serve as a health
 * check.  Whether the daemon runs is told by its lock on
 * STATE/daemon.lock, not by a pid that may have been reused.
 *
 * configtest reads the configuration as `run` would and exits 0 or 2
 * with "FILE:LINE: reason".  It touches no secret and no network
 * (`discolog doctor` does those).
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ledger.h"
#include "log.h"
#include "parser.h"
#include "spool.h"

static const char status_usage[] =
    "usage: discolog status -c CONF [--json]\n"
    "\n"
    "Show what `discolog run` is doing: per source, its inputs and their\n"
    "offsets, lines read, kept, dropped and rejected, batches in the spool\n"
    "by upload stage, the last upload and the last error.  Exit status 0\n"
    "when the daemon runs and every source is healthy, 1 otherwise.\n"
    "\n"
    "  -c, --config FILE   configuration file (DISCOLOG_CONFIG)\n"
    "      --json          the daemon's status.json with the stages added\n";

static const char configtest_usage[] =
    "usage: discolog configtest -c CONF\n"
    "\n"
    "Check a configuration as `discolog run` reads it: sections, keys,\n"
    "values, the [source NAME] sections and their formats.  Exit status\n"
    "0 when it is good, 2 with FILE:LINE: reason when not.  Secrets and\n"
    "the network are not checked (`discolog doctor`).\n"
    "\n"
    "  -c, --config FILE   configuration file (DISCOLOG_CONFIG)\n";

/* Does a `discolog run` hold the state directory's lock? */
static bool
daemon_running(const char *state)
{
	char p[4200];
	int fd;
	bool running;

	snprintf(p, sizeof(p), "%s/daemon.lock", state);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	running = flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK;
	close(fd);
	return running;
}

static cJSON *
read_status(const char *state)
{
	char p[4200], *buf;
	FILE *f;
	size_t n;
	cJSON *j;

	snprintf(p, sizeof(p), "%s/status.json", state);
	if ((f = fopen(p, "r")) == NULL)
		return NULL;
	if ((buf = malloc(4 << 20)) == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, (4 << 20) - 1, f);
	fclose(f);
	buf[n] = '\0';
	j = cJSON_Parse(buf);
	free(buf);
	return j;
}

/* The spool's batches counted by stage, per source, into the status. */
static void
add_stages(cJSON *status, const char *spool)
{
	size_t n;
	char **v = spool_list(spool, &n);
	cJSON *srcs = cJSON_GetObjectItemCaseSensitive(status, "sources");

	for (size_t i = 0; i < n; i++) {
		struct batch_meta m;
		struct ledger_entry e = {0};
		char err[256];
		cJSON *s = NULL, *st, *c;

		if (spool_read_meta(v[i], &m) == -1)
			continue;
		(void)ledger_read(v[i], &e, err, sizeof(err));
		cJSON_ArrayForEach(s, srcs)
		{
			cJSON *nm = cJSON_GetObjectItemCaseSensitive(s, "name");

			if (cJSON_IsString(nm) &&
			    strcmp(nm->valuestring, m.source) == 0)
				break;
		}
		if (s == NULL) {
			/* A batch of a source no longer configured, or of
			 * `discolog upload`. */
			s = cJSON_CreateObject();
			cJSON_AddStringToObject(
			    s, "name", m.source[0] ? m.source : "(upload)");
			cJSON_AddStringToObject(s, "data_source",
			                        m.data_source);
			cJSON_AddItemToArray(srcs, s);
		}
		if ((st = cJSON_GetObjectItemCaseSensitive(s, "stages")) ==
		    NULL) {
			st = cJSON_AddObjectToObject(s, "stages");
			for (int k = 0; k < LEDGER_FINALIZED; k++)
				cJSON_AddNumberToObject(
				    st, ledger_stage_name((enum ledger_stage)k),
				    0);
		}
		c = cJSON_GetObjectItemCaseSensitive(
		    st, ledger_stage_name(e.stage));
		if (cJSON_IsNumber(c))
			cJSON_SetNumberValue(c, c->valuedouble + 1);
		ledger_entry_clear(&e);
	}
	spool_list_free(v, n);
}

static double
num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static const char *
str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
when(double t, char *out, size_t outlen)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0) {
		snprintf(out, outlen, "never");
		return;
	}
	gmtime_r(&tt, &tm);
	strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void
print_source(const cJSON *s)
{
	const cJSON *in, *e, *l, *st, *dr;
	const char *err = str(s, "last_error");
	char t1[64], t2[64];
	bool healthy =
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "healthy"));

	printf("source %s (%s '%s'): %s%s%s\n", str(s, "name"),
	       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "snapshot"))
	           ? "snapshot"
	           : "data source",
	       str(s, "data_source") ? str(s, "data_source") : "",
	       healthy ? "healthy" : "UNHEALTHY", healthy ? "" : ": ",
	       healthy ? ""
	               : (str(s, "unhealthy") ? str(s, "unhealthy")
	                                      : "not configured"));
	in = cJSON_GetObjectItemCaseSensitive(s, "inputs");
	cJSON_ArrayForEach(e, in)
	{
		if (strcmp(str(e, "kind"), "follow") == 0)
			printf("  follow %s: offset %.0f of %.0f%s\n",
			       str(e, "path"), num(e, "offset"), num(e, "size"),
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			           e, "rotated"))
			           ? " (rotated, draining)"
			           : "");
		else
			printf("  spool %s: member %.0f line %.0f%s\n",
			       str(e, "path"), num(e, "member"), num(e, "line"),
			       cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
			           e, "complete"))
			           ? " (read; waiting for its uploads)"
			           : "");
	}
	if ((l = cJSON_GetObjectItemCaseSensitive(s, "lines")) != NULL) {
		printf("  lines: %.0f read, %.0f kept, %.0f rejected, %.0f "
		       "skipped",
		       num(l, "read"), num(l, "kept"), num(l, "rejected"),
		       num(l, "skipped"));
		dr = cJSON_GetObjectItemCaseSensitive(l, "dropped");
		cJSON_ArrayForEach(e, dr)
		    printf(", dropped %s %.0f", e->string, e->valuedouble);
		printf("\n");
	}
	printf("  batches:");
	if ((st = cJSON_GetObjectItemCaseSensitive(s, "stages")) != NULL)
		cJSON_ArrayForEach(e, st)
		    printf(" %.0f %s,", e->valuedouble, e->string);
	else
		printf(" none in the spool,");
	printf(" %.0f uploaded (%.0f lines), %.0f dropped at the quota (%.0f "
	       "lines), %.0f rejected\n",
	       num(s, "batches_uploaded"), num(s, "lines_uploaded"),
	       num(s, "batches_dropped"), num(s, "lines_dropped"),
	       num(s, "batches_rejected"));
	when(num(s, "last_upload"), t1, sizeof(t1));
	printf("  last upload: %s\n", t1);
	if (err != NULL) {
		when(num(s, "last_error_time"), t2, sizeof(t2));
		printf("  last error: %s (%s)\n", err, t2);
	}
}

int
cmd_status(int argc, char **argv)
{
	struct cli cli;
	char *state = NULL, spool[4200], t[64];
	cJSON *j = NULL, *s, *sp;
	int first, status, rc = EXIT_RUNTIME;
	bool running;

	if ((status = cli_parse(&cli, argc, argv, NULL, NULL, NULL,
	                        status_usage, &first)) != EXIT_OK) {
		cli_free(&cli);
		return status == -1 ? EXIT_OK : status;
	}
	if ((state = conf_state_dir(&cli.conf)) == NULL)
		goto done;
	snprintf(spool, sizeof(spool), "%s/spool", state);
	running = daemon_running(state);
	if ((j = read_status(state)) == NULL) {
		j = cJSON_CreateObject();
		cJSON_AddArrayToObject(j, "sources");
	}
	cJSON_AddBoolToObject(j, "running", running);
	add_stages(j, spool);
	rc = running ? EXIT_OK : EXIT_RUNTIME;
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(j, "sources"))
	{
		if (!cJSON_IsTrue(
		        cJSON_GetObjectItemCaseSensitive(s, "healthy")))
			rc = EXIT_RUNTIME;
	}
	if (cli.json) {
		char *js = cJSON_Print(j);

		printf("%s\n", js ? js : "{}");
		free(js);
		goto done;
	}
	when(num(j, "updated"), t, sizeof(t));
	if (running)
		printf("discolog run: running, pid %.0f, status of %s\n",
		       num(j, "pid"), t);
	else
		printf("discolog run: NOT RUNNING (state %s; last status %s)\n",
		       state, t);
	sp = cJSON_GetObjectItemCaseSensitive(j, "spool");
	if (sp != NULL)
		printf("spool %s: %.0f batches, %.0f of %.0f bytes; %.0f "
		       "batches (%.0f lines) dropped at the quota\n",
		       str(sp, "path") ? str(sp, "path") : spool,
		       num(sp, "batches"), num(sp, "bytes"), num(sp, "quota"),
		       num(sp, "dropped_batches"), num(sp, "dropped_lines"));
	cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(j, "sources"))
	    print_source(s);
done:
	cJSON_Delete(j);
	free(state);
	cli_free(&cli);
	return rc;
}

int
cmd_configtest(int argc, char **argv)
{
	struct cli cli;
	char err[1024];
	int first, status;

	if ((status = cli_parse(&cli, argc, argv, NULL, NULL, NULL,
	                        configtest_usage, &first)) != EXIT_OK) {
		cli_free(&cli);
		return status == -1 ? EXIT_OK : status;
	}
	status = EXIT_USAGE;
	if (first < argc || cli.config_path == NULL) {
		fputs(configtest_usage, stderr);
		goto done;
	}
	if (conf_check_sources(&cli.conf, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		goto done;
	}
	for (size_t i = 0; i < cli.conf.nsources; i++) {
		const struct conf_source *s = &cli.conf.sources[i];

		if (s->format != NULL && *s->format != '\0' &&
		    parser_find(s->format) == NULL) {
			log_warnx("%s:%d: [source %s]: unknown format '%s': "
			          "`discolog formats` lists them",
			          cli.config_path, s->line, s->name, s->format);
			goto done;
		}
	}
	printf("%s: configuration OK, %zu source%s:", cli.config_path,
	       cli.conf.nsources, cli.conf.nsources == 1 ? "" : "s");
	for (size_t i = 0; i < cli.conf.nsources; i++)
		printf(" %s", cli.conf.sources[i].name);
	printf("\n");
	status = EXIT_OK;
done:
	cli_free(&cli);
	return status;
}
