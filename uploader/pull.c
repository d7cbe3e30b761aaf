/*
 * The reports, categories and apps commands: see pull.h.
 *
 * The answers' shapes are only partly documented (mdca-api.md §9: the
 * streams and categories wrappers are inferred from the MCAS module), so
 * every list is taken liberally: a bare array, or an object holding the
 * array under its documented key or under "data".  Fields are looked up
 * by the names the MCAS module and the emulator use, with the obvious
 * alternatives; a missing field is an empty cell, never an error.
 */
#include <cJSON.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "jsonnum.h"
#include "limits.h"
#include "log.h"
#include "mdca.h"
#include "parser.h"
#include "pull.h"
#include "table.h"

#define PERM_READ "Discovery.read"
#define PAGE_SIZE 100 /* the API's largest page (mdca-api.md §6) */

/* The exit status of a failed call. */
static int
call_status(enum http_result res)
{
	switch (res) {
	case HTTP_OK:
		return EXIT_OK;
	case HTTP_AUTH:
		return EXIT_AUTH;
	case HTTP_RETRY_NET:
	case HTTP_RETRY_HTTP:
	case HTTP_REJECTED:
	default:
		return EXIT_RUNTIME;
	}
}

/*
 * The list in an answer: a bare array, or obj[key], or obj["data"].
 * Returns it (borrowed from *root, which the caller frees), or NULL with
 * the reason in err.
 */
static cJSON *
answer_list(const struct http_resp *r, const char *key, const char *what,
            cJSON **root, char *err, size_t errlen)
{
	cJSON *a = NULL;

	*root = NULL;
	if (r->truncated) {
		snprintf(err, errlen,
		         "%s: the answer is larger than %u MiB: refused", what,
		         RESPONSE_MAX_BYTES >> 20);
		return NULL;
	}
	if (r->html || (*root = cJSON_ParseWithLength(r->body.data,
	                                              r->body.len)) == NULL) {
		snprintf(
		    err, errlen,
		    "%s: the tenant's answer is not JSON (HTTP %ld%s): "
		    "check --tenant, it is the API URL of Settings > Cloud "
		    "Apps > About",
		    what, r->status, r->html ? ", an HTML page" : "");
		return NULL;
	}
	if (cJSON_IsArray(*root))
		return *root;
	if (key != NULL)
		a = cJSON_GetObjectItemCaseSensitive(*root, key);
	if (!cJSON_IsArray(a))
		a = cJSON_GetObjectItemCaseSensitive(*root, "data");
	if (!cJSON_IsArray(a)) {
		snprintf(err, errlen,
		         "%s: the tenant's answer holds no list (HTTP %ld)",
		         what, r->status);
		return NULL;
	}
	return a;
}

/* The first of the named members of o that exists and is not null. */
static const cJSON *
field(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	if ((v == NULL || cJSON_IsNull(v)) && b != NULL)
		v = cJSON_GetObjectItemCaseSensitive(o, b);
	return cJSON_IsNull(v) ? NULL : v;
}

/* A scalar as text: strings as they are, numbers without a needless
 * fraction, booleans as true/false; anything else "". */
static const char *
scalar(const cJSON *v, char *out, size_t outlen)
{
	long long n;

	out[0] = '\0';
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		if (json_whole(v, &n))
			snprintf(out, outlen, "%lld", n);
		else
			snprintf(out, outlen, "%g", v->valuedouble);
	} else if (cJSON_IsBool(v))
		snprintf(out, outlen, "%s", cJSON_IsTrue(v) ? "true" : "false");
	return out;
}

/*
 * A time: epoch milliseconds (the API's unit, mdca-api.md §1) or an ISO
 * 8601 string.  `human`: "2024-03-01 12:00" (UTC), else RFC 3339
 * "2024-03-01T12:00:00Z"; strings are shown as given, cut to the minute
 * for people.
 */
static const char *
timestamp(const cJSON *v, bool human, char *out, size_t outlen)
{
	out[0] = '\0';
	/* Up to the year 9999: gmtime_r and the cast stay defined. */
	if (cJSON_IsNumber(v) && v->valuedouble > 0 &&
	    v->valuedouble < 253402300800000.0) {
		time_t t = (time_t)(v->valuedouble / 1000);
		struct tm tm;

		if (gmtime_r(&t, &tm) != NULL)
			strftime(out, outlen,
			         human ? "%Y-%m-%d %H:%M"
			               : "%Y-%m-%dT%H:%M:%SZ",
			         &tm);
	} else if (cJSON_IsString(v)) {
		const char *s = v->valuestring;

		if (human && strlen(s) >= 16 && s[10] == 'T')
			snprintf(out, outlen, "%.10s %.5s", s, s + 11);
		else
			snprintf(out, outlen, "%s", s);
	}
	return out;
}

/* Bytes for people: "12.3 MB" (SI, as the portal shows them). */
static const char *
bytes_human(const cJSON *v, char *out, size_t outlen)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double d;
	size_t u = 0;

	out[0] = '\0';
	if (!cJSON_IsNumber(v))
		return out;
	for (d = v->valuedouble; d >= 1000 && u < 5; u++)
		d /= 1000;
	if (u == 0)
		snprintf(out, outlen, "%.0f B", d);
	else
		snprintf(out, outlen, "%.1f %s", d, unit[u]);
	return out;
}

/* "SAASDB_CATEGORY_CLOUD_STORAGE" -> "CLOUD_STORAGE" (mdca-api.md §5.4). */
static const char *
category_short(const char *id)
{
	static const char *const prefix[] = {"SAASDB_CATEGORY_",
	                                     "SAASDB_SUBCATEGORY_"};

	for (size_t i = 0; i < 2; i++)
		if (strncmp(id, prefix[i], strlen(prefix[i])) == 0 &&
		    id[strlen(prefix[i])] != '\0')
			return id + strlen(prefix[i]);
	return id;
}

/* Strings of an array joined by "; " (objects by their "name"). */
static int
join(const cJSON *a, struct buf *b)
{
	const cJSON *e;
	bool first = true;

	buf_reset(b);
	cJSON_ArrayForEach(e, a)
	{
		const cJSON *s = cJSON_IsObject(e) ? field(e, "name", "id") : e;

		if (!cJSON_IsString(s))
			continue;
		if ((!first && buf_adds(b, "; ") == -1) ||
		    buf_adds(b, s->valuestring) == -1)
			return -1;
		first = false;
	}
	return 0;
}

/* The output: JSON (the tenant's objects), CSV or the table; 0 or -1. */
static int
emit_to(bool json, bool csv, const cJSON *list, const struct table *t,
        FILE *out)
{
	if (json)
		return table_write_json(list, out);
	return table_write(t, csv ? TABLE_CSV : TABLE_TEXT, out);
}

/* emit_to standard output; the exit status. */
static int
emit(const struct cli *cli, const cJSON *list, const struct table *t)
{
	if (emit_to(cli->json, cli->csv, list, t, stdout) == -1) {
		log_warnx("standard output: cannot write the answer");
		return EXIT_RUNTIME;
	}
	return EXIT_OK;
}

/* --json and --csv exclude each other; no operands.  EXIT_OK or usage. */
static int
check_args(const struct cli *cli, int argc, char **argv, int first,
           const char *usage)
{
	if (cli->json && cli->csv) {
		log_warnx("--json and --csv: choose one");
		return EXIT_USAGE;
	}
	if (first < argc) {
		log_warnx("unexpected argument '%s'", argv[first]);
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* GET the streams: *root to free, *list borrowed from it.  Exit status. */
static int
fetch_streams(struct mdca *m, cJSON **root, cJSON **list)
{
	struct http_resp r = {0};
	enum http_result res;
	char err[1024];
	int status = EXIT_OK;

	res = mdca_call(m, "GET", "/api/discovery/streams/", NULL,
	                "continuous reports", PERM_READ, &r, err, sizeof(err));
	if (res != HTTP_OK) {
		log_warnx("%s", err);
		status = call_status(res);
	} else if ((*list = answer_list(&r, "streams", "continuous reports",
	                                root, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		status = EXIT_RUNTIME;
	}
	http_resp_free(&r);
	return status;
}

static const char *
stream_id(const cJSON *s)
{
	const cJSON *v = field(s, "_id", "id");

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *
stream_name(const cJSON *s)
{
	const cJSON *v = field(s, "displayName", "name");

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/*
 * `want` as a stream of the list: its _id, else its display name, else
 * the one display name that matches ignoring case.  Returns the stream,
 * or NULL with the message printed (unknown or ambiguous).
 */
static const cJSON *
resolve_stream(const cJSON *list, const char *want)
{
	const cJSON *s, *folded = NULL;
	struct buf names;
	int nfolded = 0;

	cJSON_ArrayForEach(s, list)
	{
		const char *id = stream_id(s);

		if (id != NULL && strcmp(id, want) == 0)
			return s;
	}
	cJSON_ArrayForEach(s, list)
	{
		const char *name = stream_name(s);

		if (name == NULL || stream_id(s) == NULL)
			continue;
		if (strcmp(name, want) == 0)
			return s;
		if (strcasecmp(name, want) == 0) {
			folded = s;
			nfolded++;
		}
	}
	if (nfolded == 1)
		return folded;
	buf_init(&names, 4096);
	cJSON_ArrayForEach(s, list)
	{
		const char *name = stream_name(s);

		if (name == NULL)
			continue;
		if ((names.len > 0 && buf_adds(&names, ", ") == -1) ||
		    buf_addf(&names, "'%s'", name) == -1)
			break;
	}
	if (nfolded > 1)
		log_warnx("--stream '%s': several continuous reports have that "
		          "name in other cases (%s); give the exact name or "
		          "the id (discolog reports)",
		          want, names.data ? names.data : "");
	else
		log_warnx("--stream '%s': the tenant has no continuous report "
		          "with that name or id; it has %s (discolog reports "
		          "lists them with their ids)",
		          want, names.len ? names.data : "none");
	buf_free(&names);
	return NULL;
}

/* Connect and resolve --stream: the stream's id and name, or a status. */
static int
connect_stream(struct cli *cli, const char *want, struct mdca **m, char **id,
               char **name)
{
	cJSON *root = NULL, *list = NULL;
	const cJSON *s;
	int status;

	*id = *name = NULL;
	if ((*m = cli_connect(cli, &status)) == NULL)
		return status;
	if ((status = fetch_streams(*m, &root, &list)) != EXIT_OK)
		goto done;
	if ((s = resolve_stream(list, want)) == NULL) {
		status = EXIT_USAGE;
		goto done;
	}
	*id = strdup(stream_id(s));
	*name = strdup(stream_name(s) ? stream_name(s) : stream_id(s));
	if (*id == NULL || *name == NULL) {
		log_warnx("out of memory");
		status = EXIT_RUNTIME;
	}
	log_verbose("continuous report '%s' is %s", *name ? *name : "",
	            *id ? *id : "");
done:
	cJSON_Delete(root);
	return status;
}

/* What a stream is, from its streamType (the emulator's and the MCAS
 * module's values; others shown as the number). */
static const char *
stream_type(const cJSON *v, char *out, size_t outlen)
{
	long long n;

	if (json_whole(v, &n)) {
		switch (n) {
		case 1:
			return "data source";
		case 3:
			return "global view";
		case 5:
			return "snapshot";
		default:
			break;
		}
	}
	return scalar(v, out, outlen);
}

/* The source id of a numeric logType, from the parsers' table. */
static const char *
log_type_name(const cJSON *v, char *out, size_t outlen)
{
	long long n;

	if (json_whole(v, &n)) {
		if (n == 0) /* Global View: no log type */
			return "";
		for (size_t i = 0; i < nparsers; i++)
			if (parsers[i]->log_type == n)
				return parsers[i]->source_id;
	}
	return scalar(v, out, outlen);
}

static const char reports_usage[] =
    "usage: discolog reports [-t TENANT] [--token-file FILE] [--json | "
    "--csv]\n"
    "\n"
    "List the continuous reports (streams) of the tenant: id, name, type,\n"
    "log type and when data last came in.  --json prints the tenant's\n"
    "objects as one JSON array, --csv a header line and one row each.\n"
    "Needs the Discovery.read permission.\n";

static const struct table_col report_cols[] = {
    {"ID", "id", 0},
    {"NAME", "name", 0},
    {"TYPE", "type", 0},
    {"LOG TYPE", "log_type", TABLE_TEXT_ONLY},
    {"", "log_type", TABLE_CSV_ONLY},
    {"LAST DATA (UTC)", "last_data_received", 0},
};

/* The table of a list of streams; NULL when out of memory. */
static struct table *
reports_table(const cJSON *list, bool csv)
{
	struct table *t;
	const cJSON *s;

	if ((t = table_new(report_cols, 6)) == NULL)
		return NULL;
	cJSON_ArrayForEach(s, list)
	{
		char ty[32], lt[64], lt2[64], last[64];
		const char *row[6];

		row[0] = stream_id(s);
		row[1] = stream_name(s);
		row[2] =
		    stream_type(field(s, "streamType", NULL), ty, sizeof(ty));
		row[3] =
		    log_type_name(field(s, "logType", NULL), lt, sizeof(lt));
		row[4] = scalar(field(s, "logType", NULL), lt2, sizeof(lt2));
		row[5] = timestamp(field(s, "lastDataReceived", NULL), !csv,
		                   last, sizeof(last));
		if (table_add(t, row) == -1) {
			table_free(t);
			return NULL;
		}
	}
	return t;
}

int
cmd_reports(int argc, char **argv)
{
	struct cli cli;
	struct mdca *m = NULL;
	struct table *t = NULL;
	cJSON *root = NULL, *list = NULL;
	int first, status;

	if ((status = cli_parse(&cli, argc, argv, NULL, NULL, NULL,
	                        reports_usage, &first)) != EXIT_OK) {
		cli_free(&cli);
		return status == -1 ? EXIT_OK : status;
	}
	if ((status = check_args(&cli, argc, argv, first, reports_usage)) !=
	    EXIT_OK)
		goto done;
	if ((m = cli_connect(&cli, &status)) == NULL)
		goto done;
	if ((status = fetch_streams(m, &root, &list)) != EXIT_OK)
		goto done;
	if ((t = reports_table(list, cli.csv)) == NULL)
		goto nomem;
	status = emit(&cli, list, t);
	goto done;
nomem:
	log_warnx("out of memory");
	status = EXIT_RUNTIME;
done:
	table_free(t);
	cJSON_Delete(root);
	mdca_free(m);
	cli_free(&cli);
	return status;
}

/* --stream and --timeframe, for categories and apps. */
enum {
	OPT_STREAM = CLI_OPT_CMD,
	OPT_TIMEFRAME,
};

static const struct option stream_opts[] = {
    {"stream", required_argument, NULL, OPT_STREAM},
    {"timeframe", required_argument, NULL, OPT_TIMEFRAME},
    {NULL, 0, NULL, 0},
};

static struct {
	const char *stream;
	const char *timeframe;
} opt;

static int
stream_opt(struct cli *cli, int ch, const char *arg)
{
	(void)cli;
	switch (ch) {
	case OPT_STREAM:
		opt.stream = arg;
		return 0;
	case OPT_TIMEFRAME:
		opt.timeframe = arg;
		return 0;
	default:
		return -1;
	}
}

/* Parse the arguments of categories or apps; EXIT_OK, -1 after --help. */
static int
parse_stream_args(struct cli *cli, int argc, char **argv, const char *usage,
                  const char *cmd)
{
	int first, status;

	memset(&opt, 0, sizeof(opt));
	status = cli_parse(cli, argc, argv, NULL, stream_opts, stream_opt,
	                   usage, &first);
	if (status != EXIT_OK)
		return status;
	if ((status = check_args(cli, argc, argv, first, usage)) != EXIT_OK)
		return status;
	if (opt.stream == NULL || opt.stream[0] == '\0') {
		log_warnx("%s: --stream ID|NAME is missing (discolog reports "
		          "lists the continuous reports)",
		          cmd);
		return EXIT_USAGE;
	}
	if (opt.timeframe != NULL && strcmp(cmd, "apps") != 0) {
		log_warnx("%s: --timeframe is an option of apps only", cmd);
		return EXIT_USAGE;
	}
	if (opt.timeframe != NULL && strcmp(opt.timeframe, "7") != 0 &&
	    strcmp(opt.timeframe, "30") != 0 &&
	    strcmp(opt.timeframe, "90") != 0) {
		log_warnx("--timeframe %s: the reports cover 7, 30 or 90 days",
		          opt.timeframe);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* POST a JSON body; the answer's list into *root / *list.  Exit status. */
static int
post_list(struct mdca *m, const char *path, cJSON *body, const char *key,
          const char *what, cJSON **root, cJSON **list)
{
	struct http_resp r = {0};
	enum http_result res;
	char err[1024], *js;
	int status = EXIT_OK;

	*root = *list = NULL;
	if ((js = cJSON_PrintUnformatted(body)) == NULL) {
		log_warnx("out of memory");
		return EXIT_RUNTIME;
	}
	res = mdca_call(m, "POST", path, js, what, PERM_READ, &r, err,
	                sizeof(err));
	if (res != HTTP_OK) {
		log_warnx("%s", err);
		status = call_status(res);
	} else if ((*list = answer_list(&r, key, what, root, err,
	                                sizeof(err))) == NULL) {
		log_warnx("%s", err);
		status = EXIT_RUNTIME;
	}
	free(js);
	http_resp_free(&r);
	return status;
}

static const char categories_usage[] =
    "usage: discolog categories --stream ID|NAME [-t TENANT] "
    "[--token-file FILE]\n"
    "                           [--json | --csv]\n"
    "\n"
    "List the report categories of one continuous report and how many\n"
    "discovered apps each holds.  --stream takes the report's id or its\n"
    "name as `discolog reports` shows them.  --json prints the tenant's\n"
    "objects as one JSON array, --csv a header line and one row each.\n"
    "Needs the Discovery.read permission.\n";

static const struct table_col category_cols[] = {
    {"CATEGORY", "category", TABLE_TEXT_ONLY},
    {"", "id", TABLE_CSV_ONLY},
    {"APPS", "apps", TABLE_RIGHT},
};

/* The table of a list of categories; NULL when out of memory. */
static struct table *
categories_table(const cJSON *list)
{
	struct table *t;

	if ((t = table_new(category_cols, 3)) == NULL)
		return NULL;
	for (const cJSON *c = list->child; c != NULL; c = c->next) {
		const cJSON *cid = field(c, "id", "category");
		char n[32];
		const char *row[3];

		row[0] =
		    cJSON_IsString(cid) ? category_short(cid->valuestring) : "";
		row[1] = cJSON_IsString(cid) ? cid->valuestring : "";
		row[2] = scalar(field(c, "total", "count"), n, sizeof(n));
		if (table_add(t, row) == -1) {
			table_free(t);
			return NULL;
		}
	}
	return t;
}

int
cmd_categories(int argc, char **argv)
{
	struct cli cli;
	struct mdca *m = NULL;
	struct table *t = NULL;
	cJSON *all = NULL, *root = NULL, *list = NULL, *body = NULL;
	char *id = NULL, *name = NULL;
	int status;

	if ((status = parse_stream_args(&cli, argc, argv, categories_usage,
	                                "categories")) != EXIT_OK) {
		cli_free(&cli);
		return status == -1 ? EXIT_OK : status;
	}
	if ((status = connect_stream(&cli, opt.stream, &m, &id, &name)) !=
	    EXIT_OK)
		goto done;
	if ((all = cJSON_CreateArray()) == NULL)
		goto nomem;
	/*
	 * A bare array has no hasNext: ask for the next page while a page
	 * comes back full.  There are some fifty categories (mdca-api.md
	 * §5.4), so this is one request, rarely two.
	 */
	for (int skip = 0; skip < APPS_MAX_ROWS;) {
		cJSON *e;
		int n = 0;

		cJSON_Delete(body);
		if ((body = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddStringToObject(body, "streamId", id) ||
		    !cJSON_AddNumberToObject(body, "skip", skip) ||
		    !cJSON_AddNumberToObject(body, "limit", PAGE_SIZE) ||
		    !cJSON_AddStringToObject(body, "sortDirection", "desc"))
			goto nomem;
		status = post_list(
		    m, "/api/v1/discovery/discovered_apps/categories/", body,
		    "categories", "report categories", &root, &list);
		if (status != EXIT_OK)
			goto done;
		while ((e = cJSON_DetachItemFromArray(list, 0)) != NULL) {
			cJSON_AddItemToArray(all, e);
			n++;
		}
		cJSON_Delete(root);
		root = NULL;
		if (n < PAGE_SIZE)
			break;
		skip += n;
	}
	if ((t = categories_table(all)) == NULL)
		goto nomem;
	status = emit(&cli, all, t);
	goto done;
nomem:
	log_warnx("out of memory");
	status = EXIT_RUNTIME;
done:
	table_free(t);
	cJSON_Delete(body);
	cJSON_Delete(root);
	cJSON_Delete(all);
	free(id);
	free(name);
	mdca_free(m);
	cli_free(&cli);
	return status;
}

static const char apps_usage[] =
    "usage: discolog apps --stream ID|NAME [--timeframe 7|30|90] "
    "[-t TENANT]\n"
    "                     [--token-file FILE] [--json | --csv]\n"
    "\n"
    "List the apps discovered in one continuous report over the last 7, 30\n"
    "or 90 days (default 90), most traffic first: name, category, risk\n"
    "score, users, IP addresses, transactions, traffic, last use, tags.\n"
    "Every page is fetched (100 apps a request, at most 20000 apps).\n"
    "--stream takes the report's id or its name as `discolog reports`\n"
    "shows them.  --json prints the tenant's objects as one JSON array,\n"
    "--csv a header line and one row each.  Needs the Discovery.read\n"
    "permission.\n";

static const struct table_col app_cols[] = {
    {"", "app_id", TABLE_CSV_ONLY},
    {"NAME", "name", 0},
    {"CATEGORY", "category", 0},
    {"SCORE", "score", TABLE_RIGHT},
    {"USERS", "users", TABLE_RIGHT},
    {"IPS", "ip_addresses", TABLE_RIGHT},
    {"TRANSACTIONS", "transactions", TABLE_RIGHT},
    {"TRAFFIC", "", TABLE_RIGHT | TABLE_TEXT_ONLY},
    {"", "traffic_bytes", TABLE_CSV_ONLY},
    {"", "uploaded_bytes", TABLE_CSV_ONLY},
    {"", "downloaded_bytes", TABLE_CSV_ONLY},
    {"LAST USED (UTC)", "last_used", 0},
    {"TAGS", "tags", 0},
    {"", "domains", TABLE_CSV_ONLY},
};
#define NAPP_COLS (sizeof(app_cols) / sizeof(app_cols[0]))

/* One app as a row of app_cols. */
static int
app_row(struct table *t, const cJSON *a, bool csv)
{
	char num[NAPP_COLS][32], last[64];
	struct buf tags, doms;
	const cJSON *cat = field(a, "category", NULL);
	const cJSON *name = field(a, "name", "appName");
	const char *row[NAPP_COLS];
	int rc = -1;

	buf_init(&tags, 64 * 1024);
	buf_init(&doms, 1024 * 1024);
	if (join(field(a, "tags", "appTags"), &tags) == -1 ||
	    join(field(a, "domains", "domainList"), &doms) == -1)
		goto done;
#define NUM(i, a_, b_) scalar(field(a, a_, b_), num[i], sizeof(num[i]))
	row[0] = NUM(0, "appId", "id");
	row[1] = cJSON_IsString(name) ? name->valuestring : "";
	row[2] = !cJSON_IsString(cat) ? ""
	         : csv                ? cat->valuestring
	                              : category_short(cat->valuestring);
	row[3] = NUM(3, "score", NULL);
	row[4] = NUM(4, "usersCount", "users");
	row[5] = NUM(5, "ipAddressesCount", "ipAddresses");
	row[6] = NUM(6, "transactionsCount", "transactions");
	row[7] = bytes_human(field(a, "trafficTotalBytes", NULL), num[7],
	                     sizeof(num[7]));
	row[8] = NUM(8, "trafficTotalBytes", NULL);
	row[9] = NUM(9, "trafficUploadedBytes", NULL);
	row[10] = NUM(10, "trafficDownloadedBytes", NULL);
#undef NUM
	row[11] =
	    timestamp(field(a, "lastUsed", NULL), !csv, last, sizeof(last));
	row[12] = tags.data ? tags.data : "";
	row[13] = doms.data ? doms.data : "";
	rc = table_add(t, row);
done:
	buf_free(&tags);
	buf_free(&doms);
	return rc;
}

/* The table of a list of apps; NULL when out of memory. */
static struct table *
apps_table(const cJSON *list, bool csv)
{
	struct table *t;

	if ((t = table_new(app_cols, NAPP_COLS)) == NULL)
		return NULL;
	for (const cJSON *a = list->child; a != NULL; a = a->next)
		if (app_row(t, a, csv) == -1) {
			table_free(t);
			return NULL;
		}
	return t;
}

/* Whether another page follows: hasNext when given, else total, else a
 * full page. */
static bool
more_pages(const cJSON *root, int got, int n)
{
	const cJSON *next = NULL, *total = NULL;

	if (cJSON_IsObject(root)) {
		next = cJSON_GetObjectItemCaseSensitive(root, "hasNext");
		total = cJSON_GetObjectItemCaseSensitive(root, "total");
	}
	if (n == 0)
		return false; /* no progress: never loop on a bad answer */
	if (cJSON_IsBool(next))
		return cJSON_IsTrue(next);
	if (cJSON_IsNumber(total))
		return got < total->valuedouble;
	return n >= PAGE_SIZE;
}

int
cmd_apps(int argc, char **argv)
{
	struct cli cli;
	struct mdca *m = NULL;
	struct table *t = NULL;
	cJSON *all = NULL, *root = NULL, *list = NULL, *body = NULL;
	char *id = NULL, *name = NULL;
	int status, got = 0, tf;
	bool more = true;

	if ((status = parse_stream_args(&cli, argc, argv, apps_usage,
	                                "apps")) != EXIT_OK) {
		cli_free(&cli);
		return status == -1 ? EXIT_OK : status;
	}
	/* Checked by parse_stream_args: 7, 30 or 90. */
	tf = opt.timeframe ? (int)strtol(opt.timeframe, NULL, 10) : 90;
	if ((status = connect_stream(&cli, opt.stream, &m, &id, &name)) !=
	    EXIT_OK)
		goto done;
	if ((all = cJSON_CreateArray()) == NULL)
		goto nomem;
	while (more) {
		cJSON *e;
		int n = 0;

		if (got >= APPS_MAX_ROWS) {
			log_warnx("apps: stopped after %d apps (the most one "
			          "run fetches); --json or --csv have them all "
			          "up to there",
			          got);
			break;
		}
		cJSON_Delete(body);
		if ((body = cJSON_CreateObject()) == NULL ||
		    !cJSON_AddStringToObject(body, "streamId", id) ||
		    !cJSON_AddNumberToObject(body, "skip", got) ||
		    !cJSON_AddNumberToObject(body, "limit", PAGE_SIZE) ||
		    !cJSON_AddNumberToObject(body, "timeframe", tf))
			goto nomem;
		log_verbose("apps of '%s': from %d", name, got);
		status =
		    post_list(m, "/api/v1/discovery/discovered_apps/", body,
		              "data", "discovered apps", &root, &list);
		if (status != EXIT_OK)
			goto done;
		while ((e = cJSON_DetachItemFromArray(list, 0)) != NULL) {
			cJSON_AddItemToArray(all, e);
			n++;
		}
		got += n;
		more = more_pages(root, got, n);
		cJSON_Delete(root);
		root = NULL;
	}
	if ((t = apps_table(all, cli.csv)) == NULL)
		goto nomem;
	status = emit(&cli, all, t);
	goto done;
nomem:
	log_warnx("out of memory");
	status = EXIT_RUNTIME;
done:
	table_free(t);
	cJSON_Delete(body);
	cJSON_Delete(root);
	cJSON_Delete(all);
	free(id);
	free(name);
	mdca_free(m);
	cli_free(&cli);
	return status;
}

int
pull_print_answer(enum pull_answer what, const char *body, size_t len,
                  bool json, bool csv, FILE *out, char *err, size_t errlen)
{
	static const char *const keys[] = {"streams", "categories", "data"};
	/* The answer as mdca_call hands it over, borrowing body. */
	struct http_resp r = {.status = 200};
	cJSON *root = NULL, *list;
	struct table *t = NULL;
	int rc = -1;

	r.body.data = (char *)(uintptr_t)body;
	r.body.len = len;
	r.html = len > 0 && body[0] == '<';
	if ((list = answer_list(&r, keys[what], "answer", &root, err,
	                        errlen)) == NULL)
		goto done;
	switch (what) {
	case PULL_REPORTS:
		t = reports_table(list, csv);
		/* What --stream does with the list: the first name. */
		if (list->child != NULL && stream_name(list->child) != NULL)
			(void)resolve_stream(list, stream_name(list->child));
		break;
	case PULL_CATEGORIES:
		t = categories_table(list);
		break;
	case PULL_APPS:
	default:
		t = apps_table(list, csv);
		(void)more_pages(root, cJSON_GetArraySize(list),
		                 cJSON_GetArraySize(list));
		break;
	}
	if (t == NULL)
		snprintf(err, errlen, "out of memory");
	else if (emit_to(json, csv, list, t, out) == -1)
		snprintf(err, errlen, "cannot write the answer");
	else
		rc = 0;
done:
	table_free(t);
	cJSON_Delete(root);
	return rc;
}
