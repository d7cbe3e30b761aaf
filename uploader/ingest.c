/*
 * `discolog check` and `discolog upload`: inputs through the pipeline into
 * a report (check) or into batches that go to the tenant (upload).
 *
 * upload, in order: read the configuration and the secrets (a bad one
 * stops us before any work), run every input into sealed batches in the
 * spool, then send the batches of the spool (those an earlier run could
 * not send first), each through upload_url, PUT and done_upload.  A batch
 * leaves the spool only when done_upload accepted it.
 */
#include <dirent.h>
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

#include "batch.h"
#include "buf.h"
#include "cli.h"
#include "filter.h"
#include "log.h"
#include "mdca.h"
#include "pipeline.h"
#include "progress.h"
#include "recjson.h"
#include "secret.h"
#include "spool.h"

#define MAX_SOURCE_TYPES 16

enum {
	OPT_SNAPSHOT = CLI_OPT_CMD,
	OPT_SOURCE_TYPE,
	OPT_KEEP_INTERNAL,
	OPT_INTERNAL,
	OPT_INTERNAL_DOMAIN,
	OPT_INCLUDE,
	OPT_EXCLUDE,
	OPT_MAX_AGE,
	OPT_MAX_BATCH,
	OPT_STATE_DIR,
	OPT_PSEUDONYMIZE_KEY,
	OPT_NO_PROGRESS,
	OPT_PARALLEL,
	OPT_THREADS,
};

static const struct option ingest_opts[] = {
    {"data-source", required_argument, NULL, 's'},
    {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
    {"format", required_argument, NULL, 'f'},
    {"source-type", required_argument, NULL, OPT_SOURCE_TYPE},
    {"keep-internal", no_argument, NULL, OPT_KEEP_INTERNAL},
    {"internal", required_argument, NULL, OPT_INTERNAL},
    {"internal-domain", required_argument, NULL, OPT_INTERNAL_DOMAIN},
    {"include", required_argument, NULL, OPT_INCLUDE},
    {"exclude", required_argument, NULL, OPT_EXCLUDE},
    {"max-age", required_argument, NULL, OPT_MAX_AGE},
    {"max-batch", required_argument, NULL, OPT_MAX_BATCH},
    {"dry-run", no_argument, NULL, 'n'},
    {"output-dir", required_argument, NULL, 'o'},
    {"state-dir", required_argument, NULL, OPT_STATE_DIR},
    {"pseudonymize-key", required_argument, NULL, OPT_PSEUDONYMIZE_KEY},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"parallel", required_argument, NULL, OPT_PARALLEL},
    {"threads", required_argument, NULL, OPT_THREADS},
    {NULL, 0, NULL, 0},
};

/* The options of check and upload; 0, or -1 when `ch` is none of them. */
static int
ingest_opt(struct cli *cli, int ch, const char *arg)
{
	switch (ch) {
	case 's':
		return cli_set(cli, "upload", "data_source", arg);
	case OPT_SNAPSHOT:
		return cli_set(cli, "upload", "snapshot", arg);
	case 'f':
		return cli_set(cli, "upload", "format", arg);
	case OPT_SOURCE_TYPE:
		cli->source_type = arg;
		return 0;
	case OPT_KEEP_INTERNAL:
		return cli_set(cli, "filter", "keep_internal", "yes");
	case OPT_INTERNAL:
		return cli_set(cli, "filter", "internal", arg);
	case OPT_INTERNAL_DOMAIN:
		return cli_set(cli, "filter", "internal_domain", arg);
	case OPT_INCLUDE:
		return cli_set(cli, "filter", "include", arg);
	case OPT_EXCLUDE:
		return cli_set(cli, "filter", "exclude", arg);
	case OPT_MAX_AGE:
		return cli_set(cli, "filter", "max_age", arg);
	case OPT_MAX_BATCH:
		return cli_set(cli, "upload", "max_batch", arg);
	case 'n':
		cli->dry_run = true;
		return 0;
	case 'o':
		cli->output_dir = arg;
		return 0;
	case OPT_STATE_DIR:
		return cli_set(cli, "upload", "state_dir", arg);
	case OPT_PSEUDONYMIZE_KEY:
		return cli_set(cli, "filter", "pseudonymize_key_file", arg);
	case OPT_NO_PROGRESS:
		cli->no_progress = true;
		return 0;
	case OPT_PARALLEL:
		return cli_set(cli, "upload", "parallel", arg);
	case OPT_THREADS:
		return cli_set(cli, "upload", "compression_threads", arg);
	default:
		return -1;
	}
}

static int
parse_args(struct cli *cli, int argc, char **argv, const char *usage,
           int *first)
{
	return cli_parse(cli, argc, argv, "s:f:no:", ingest_opts, ingest_opt,
	                 usage, first);
}

static const char check_usage[] =
    "usage: discolog check [OPTIONS] FILE...\n"
    "\n"
    "Parse and filter FILEs (plain, gzip/bzip2/xz/zstd, zip/tar archives,\n"
    "or - for standard input) and report, per file, the detected format,\n"
    "the lines read, kept, dropped per filter and rejected (with the first\n"
    "rejected lines and why).  Nothing is uploaded.\n"
    "\n"
    "  -f, --format NAME       pin the parser (see `discolog formats`)\n"
    "      --keep-internal     keep destinations in private/internal ranges\n"
    "      --internal CIDR     add an internal range (repeatable)\n"
    "      --internal-domain D add an internal domain suffix (repeatable)\n"
    "      --exclude 'FIELD RE'  drop lines whose FIELD matches the PCRE2\n"
    "                          pattern RE (repeatable; FIELD: src_ip dst_ip\n"
    "                          dst_host url user user_agent proto device "
    "line)\n"
    "      --include 'FIELD RE'  keep only lines one such rule matches\n"
    "      --max-age DAYS      drop events older than DAYS (default 90, 0 "
    "off)\n"
    "      --pseudonymize-key FILE  replace user names with keyed hashes\n"
    "      --json              one JSON object per kept record on stdout\n"
    "                          (the report then goes to stderr)\n"
    "  -c, --config FILE       configuration file\n"
    "  -v, -q                  more or less diagnostic output\n";

static const char upload_usage[] =
    "usage: discolog upload [OPTIONS] FILE...\n"
    "\n"
    "Parse, filter and compress FILEs, then upload the kept lines to the\n"
    "tenant's Cloud Discovery (upload_url, PUT, done_upload).  Batches that\n"
    "could not be sent stay in the spool and go first on the next run.\n"
    "\n"
    "  -s, --data-source NAME  the data source to feed (required)\n"
    "      --snapshot NAME     upload as a snapshot report called NAME\n"
    "  -f, --format NAME       pin the parser; default: detect per file\n"
    "      --source-type ID    override the MDCA source id\n"
    "      --keep-internal     keep destinations in private/internal ranges\n"
    "      --internal CIDR     add an internal range (repeatable)\n"
    "      --internal-domain D add an internal domain suffix (repeatable)\n"
    "      --exclude 'FIELD RE'  drop lines whose FIELD matches the PCRE2\n"
    "                          pattern RE (repeatable; FIELD: src_ip dst_ip\n"
    "                          dst_host url user user_agent proto device "
    "line)\n"
    "      --include 'FIELD RE'  keep only lines one such rule matches\n"
    "      --max-age DAYS      drop events older than DAYS (default 90, 0 "
    "off)\n"
    "      --pseudonymize-key FILE  replace user names with keyed hashes\n"
    "                          (HMAC-SHA-256; the key file is a secret)\n"
    "      --max-batch SIZE    largest compressed batch (default and "
    "ceiling 5G)\n"
    "  -n, --dry-run           everything but talking to the tenant\n"
    "  -o, --output-dir DIR    write the gzip batches into DIR instead\n"
    "      --threads N         threads compressing (default: one per CPU)\n"
    "  -t, --tenant URL        the tenant's API host "
    "(DISCOLOG_TENANT)\n" CLI_USAGE_AUTH
    "      --ca-file FILE      extra CA bundle (DISCOLOG_CA_FILE)\n"
    "      --proxy URL         HTTPS proxy (default: https_proxy)\n"
    "      --state-dir DIR     spool directory (DISCOLOG_STATE_DIR)\n"
    "      --retry-max-time S  seconds of retrying one request (default "
    "300)\n"
    "      --rpm N             API requests a minute at most (default 30)\n"
    "      --parallel N        blocks of a large batch in flight (default "
    "4)\n"
    "      --no-progress       no progress bar (default: shown on a "
    "terminal)\n"
    "  -c, --config FILE       configuration file (DISCOLOG_CONFIG)\n"
    "  -v, -q                  more or less diagnostic output\n";

/*
 * How sure detection was: high when the winner parses every line it was
 * chosen on and no other format came close, low when it parses fewer than
 * half of them.
 */
static const char *
confidence(const struct member_stats *st)
{
	if (st->sample_parsed == st->sample_lines &&
	    st->next_bid * 2 <= st->bid)
		return "high";
	if (st->sample_parsed * 2 >= st->sample_lines)
		return "medium";
	return "low";
}

struct report {
	FILE *out;
	int status; /* worst exit code of the inputs */
	uint64_t kept, lines;
};

static void
print_member(void *arg, const struct member_stats *st)
{
	struct report *rep = arg;
	FILE *o = rep->out;
	uint64_t dropped = 0;

	rep->lines += st->lines;
	rep->kept += st->dropped[FILTER_KEEP];
	fprintf(o, "%s\n", st->name);
	if (st->nested != NULL) {
		fprintf(o,
		        "  format:   a %s archive inside the archive: not read "
		        "(archives are not opened recursively: extract it "
		        "first)\n",
		        st->nested);
		rep->status = exit_worse(rep->status, EXIT_INPUT);
		return;
	}
	if (st->detected == NULL) {
		fprintf(o,
		        "  format:   not recognised (%llu lines): no parser "
		        "knows these lines; try --format, see `discolog "
		        "formats`\n",
		        (unsigned long long)st->lines);
		rep->status = exit_worse(rep->status, EXIT_INPUT);
		return;
	}
	if (st->pinned)
		fprintf(o, "  format:   %s (%s), pinned\n", st->detected->name,
		        parser_source_type(st->detected, st->syslog_lines > 0));
	else
		fprintf(o,
		        "  format:   %s (%s), detected, confidence %s (%zu of "
		        "%zu first lines parse%s%s)\n",
		        st->detected->name,
		        parser_source_type(st->detected, st->sample_syslog),
		        confidence(st), st->sample_parsed, st->sample_lines,
		        st->next_best ? "; next best: " : "",
		        st->next_best ? st->next_best->name : "");
	for (size_t i = 0; i < st->nswitches; i++)
		fprintf(o, "  changed:  from line %llu the lines are %s (%s)\n",
		        (unsigned long long)st->switches[i].lineno,
		        st->switches[i].parser->name,
		        parser_source_type(st->switches[i].parser, false));
	fprintf(o,
	        "  lines:    %llu read: %llu ok, %llu partial, %llu skipped, "
	        "%llu rejected\n",
	        (unsigned long long)st->lines,
	        (unsigned long long)st->verdicts[PARSE_OK],
	        (unsigned long long)st->verdicts[PARSE_PARTIAL],
	        (unsigned long long)st->verdicts[PARSE_SKIP],
	        (unsigned long long)st->verdicts[PARSE_REJECT]);
	for (int i = 1; i < FILTER_NREASONS; i++)
		dropped += st->dropped[i];
	fprintf(o, "  kept:     %llu", (unsigned long long)st->dropped[0]);
	if (dropped > 0) {
		fprintf(o, " (dropped:");
		for (int i = 1; i < FILTER_NREASONS; i++)
			if (st->dropped[i] > 0)
				fprintf(o, " %s %llu", filter_reason_name(i),
				        (unsigned long long)st->dropped[i]);
		fprintf(o, ")");
	}
	fprintf(o, "\n");
	for (size_t i = 0; i < PIPELINE_OTHERS && st->others[i].parser; i++) {
		if (st->others[i].lines == 0)
			continue;
		fprintf(
		    o,
		    "  mixed:    %llu rejected line%s look%s like %s: a relay "
		    "or a shared file interleaves sources; split them or pin "
		    "--format\n",
		    (unsigned long long)st->others[i].lines,
		    st->others[i].lines == 1 ? "" : "s",
		    st->others[i].lines == 1 ? "s" : "",
		    st->others[i].parser->name);
	}
	if (st->nrejects > 0) {
		fprintf(o, "  rejected lines (first %zu):\n", st->nrejects);
		for (size_t i = 0; i < st->nrejects; i++)
			fprintf(o, "    line %llu: %s: %s\n",
			        (unsigned long long)st->rejects[i].lineno,
			        st->rejects[i].reason, st->rejects[i].text);
	}
	if (st->pinned && st->lines > 0 && st->verdicts[PARSE_OK] == 0 &&
	    st->verdicts[PARSE_PARTIAL] == 0) {
		fprintf(o, "  no line of this file is %s\n", st->parser->name);
		rep->status = exit_worse(rep->status, EXIT_INPUT);
	}
}

struct json_sink {
	struct buf b;
};

static int
json_sink(void *arg, const struct record *r, uint64_t lineno, char *err,
          size_t errlen)
{
	struct json_sink *js = arg;

	buf_reset(&js->b);
	if (recjson_write(&js->b, r, lineno) == -1) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (fwrite(js->b.data, 1, js->b.len, stdout) != js->b.len) {
		snprintf(err, errlen, "stdout: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int
null_sink(void *arg, const struct record *r, uint64_t lineno, char *err,
          size_t errlen)
{
	(void)arg, (void)r, (void)lineno, (void)err, (void)errlen;
	return 0;
}

static const struct parser *
pinned_format(const struct conf *c, int *status)
{
	const struct parser *p;

	*status = EXIT_OK;
	if (c->format == NULL || *c->format == '\0')
		return NULL;
	if ((p = parser_find(c->format)) == NULL) {
		log_warnx("unknown format '%s': `discolog formats` lists them",
		          c->format);
		*status = EXIT_USAGE;
	}
	return p;
}

int
cmd_check(int argc, char **argv)
{
	struct cli cli;
	struct filter f;
	struct report rep = {0};
	struct json_sink js;
	struct pipeline pl = {0};
	char err[1024];
	int first, status;

	if ((status = parse_args(&cli, argc, argv, check_usage, &first)) !=
	    EXIT_OK) {
		cli_free(&cli);
		return status == -1 ? EXIT_OK : status;
	}
	if (first >= argc) {
		fputs(check_usage, stderr);
		cli_free(&cli);
		return EXIT_USAGE;
	}
	pl.pinned = pinned_format(&cli.conf, &status);
	if (status != EXIT_OK || cli_filter(&cli.conf, NULL, &f) == -1) {
		cli_free(&cli);
		return EXIT_USAGE;
	}
	buf_init(&js.b, 1 << 20);
	rep.out = cli.json ? stderr : stdout;
	pl.filter = &f;
	pl.now_ms = f.now_ms;
	pl.sink = cli.json ? json_sink : null_sink;
	pl.sink_arg = &js;
	pl.member_done = print_member;
	pl.member_arg = &rep;
	for (int i = first; i < argc; i++) {
		bool unknown = false;

		if (pipeline_run(&pl, argv[i], &unknown, err, sizeof(err)) ==
		    -1) {
			log_warnx("%s: %s", argv[i], err);
			rep.status = exit_worse(rep.status, EXIT_INPUT);
		}
	}
	if (fflush(stdout) == EOF)
		rep.status = exit_worse(rep.status, EXIT_RUNTIME);
	buf_free(&js.b);
	filter_free(&f);
	cli_free(&cli);
	return rep.status;
}

/* ---- upload ---- */

struct upload_run {
	struct batch *batch[MAX_SOURCE_TYPES];
	size_t nbatch;
	struct batch_conf bc;
	const char *source_type; /* --source-type */
	char **sealed;           /* paths in ready/, this run */
	size_t nsealed;
};

static int
on_sealed(const char *path, void *arg)
{
	struct upload_run *u = arg;
	char **v = realloc(u->sealed, (u->nsealed + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	u->sealed = v;
	if ((v[u->nsealed] = strdup(path)) == NULL)
		return -1;
	u->nsealed++;
	return 0;
}

static int
batch_sink(void *arg, const struct record *r, uint64_t lineno, char *err,
           size_t errlen)
{
	struct upload_run *u = arg;
	const char *st = u->source_type ? u->source_type : r->source_type;
	struct batch *b = NULL;
	struct batch_conf bc;

	(void)lineno;
	progress_kept(1);
	for (size_t i = 0; i < u->nbatch; i++)
		if (strcmp(batch_source_type(u->batch[i]), st) == 0)
			b = u->batch[i];
	if (b == NULL) {
		if (u->nbatch == MAX_SOURCE_TYPES) {
			snprintf(err, errlen, "more than %d source types",
			         MAX_SOURCE_TYPES);
			return -1;
		}
		bc = u->bc;
		bc.source_type = st;
		if ((b = batch_new(&bc, on_sealed, u, err, errlen)) == NULL)
			return -1;
		u->batch[u->nbatch++] = b;
	}
	return batch_add(b, record_upload_bytes(r), err, errlen);
}

static char *
default_state_dir(void)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char p[4096];

	if (geteuid() == 0)
		return strdup("/var/lib/discolog");
	if (x != NULL && *x == '/')
		snprintf(p, sizeof(p), "%s/discolog", x);
	else if (home != NULL && *home == '/')
		snprintf(p, sizeof(p), "%s/.local/state/discolog", home);
	else
		return strdup("/var/tmp/discolog");
	return strdup(p);
}

/* Where spool_reject puts ready/NAME: the spool's rejected/NAME. */
static void
rejected_path(const char *gz, char *out, size_t outlen)
{
	const char *base = strrchr(gz, '/') ? strrchr(gz, '/') + 1 : gz;
	size_t n = (size_t)(base - gz);

	/* ".../spool/ready/" less "ready/" */
	if (n >= 7)
		n -= 7;
	snprintf(out, outlen, "%.*s/rejected/%s", (int)n, gz, base);
}

/* Send one sealed batch (through the ledger, from the stage an earlier run
 * reached); returns the exit code it implies. */
static int
send_batch(struct mdca *m, const char *gz, bool leftover, bool *moved)
{
	struct batch_meta meta;
	const char *base = strrchr(gz, '/') ? strrchr(gz, '/') + 1 : gz;
	char err[1024];
	enum spool_step_result res;

	if (spool_read_meta(gz, &meta) == -1) {
		char dst[4400];

		/*
		 * Damaged (a full disk, a hand edit): it would stand before
		 * every later batch.  It moves aside as the daemon's shipper
		 * does; the .log.gz is itself a valid input.
		 */
		rejected_path(gz, dst, sizeof(dst));
		if (spool_reject(gz) == -1) {
			log_warn("%s: no readable description beside it "
			         "(.json), and it cannot be moved aside",
			         gz);
			return EXIT_RUNTIME;
		}
		log_warnx("%s: no readable description beside it (.json): "
		          "moved to %s; send it with `discolog upload -s NAME "
		          "%s`",
		          base, dst, dst);
		*moved = true;
		return EXIT_RUNTIME;
	}
	res = spool_send(m, gz, &meta, err, sizeof(err));
	if (res == SPOOL_STEP_DONE) {
		log_info("uploaded %s: %.0f lines (%.0f bytes) as %s to %s "
		         "'%s'%s",
		         base, meta.lines, meta.bytes, meta.source_type,
		         meta.snapshot ? "snapshot" : "data source",
		         meta.data_source,
		         leftover ? " (left by an earlier run)" : "");
		return EXIT_OK;
	}
	log_warnx("%s", err);
	if (res == SPOOL_STEP_CONFIG) {
		/*
		 * The tenant has no such data source: sending it again cannot
		 * help, and left in ready/ it would stand before every later
		 * batch.  (Other refusals may be ours, a CA bundle, a proxy:
		 * those batches stay.)  It moves aside, whole: the file
		 * is a gzip of the kept lines, itself a valid input.
		 */
		char dst[4400];

		rejected_path(gz, dst, sizeof(dst));
		if (spool_reject(gz) == 0) {
			log_warnx("batch moved to %s (%.0f lines for '%s'): "
			          "send it once the data source is right with "
			          "`discolog upload -s NAME %s`",
			          dst, meta.lines, meta.data_source, dst);
			*moved = true;
		}
	} else
		log_warnx("batch %s (%.0f lines for '%s') is kept in the "
		          "spool and will be sent by the next `discolog "
		          "upload`",
		          gz, meta.lines, meta.data_source);
	switch (res) {
	case SPOOL_STEP_AUTH:
		return EXIT_AUTH;
	case SPOOL_STEP_CONFIG:
		return EXIT_USAGE;
	case SPOOL_STEP_REJECTED:
	case SPOOL_STEP_RETRY:
	case SPOOL_STEP_PROGRESS:
	case SPOOL_STEP_DONE:
	default:
		return EXIT_RUNTIME;
	}
}

static bool
in_list(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

static int
rm_rf_spool(const char *dir)
{
	char sub[4200];
	const char *parts[] = {"ready", "tmp"};

	for (size_t k = 0; k < 2; k++) {
		DIR *d;
		struct dirent *e;

		snprintf(sub, sizeof(sub), "%s/%s", dir, parts[k]);
		if ((d = opendir(sub)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			char p[8400];

			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof(p), "%s/%s", sub, e->d_name);
			unlink(p);
		}
		closedir(d);
		rmdir(sub);
	}
	return rmdir(dir);
}

/* Progress: bytes of the inputs before the current one, and of the
 * batches sent before the current one. */
struct upload_progress {
	uint64_t read_base, sent_base;
};

static void
on_read_progress(void *arg, uint64_t bytes_read)
{
	struct upload_progress *p = arg;

	progress_read(p->read_base + bytes_read);
}

static void
on_sent(void *arg, uint64_t sent)
{
	struct upload_progress *p = arg;

	progress_sent(p->sent_base + sent);
}

static void
upload_member_done(void *arg, const struct member_stats *st)
{
	progress_clear();
	print_member(arg, st);
}

/* Size of a regular file, 0 for anything else (stdin, a pipe). */
static uint64_t
file_size(const char *path)
{
	struct stat st;

	if (strcmp(path, "-") == 0 || stat(path, &st) == -1 ||
	    !S_ISREG(st.st_mode))
		return 0;
	return (uint64_t)st.st_size;
}

/* Send one batch with the progress bar following it. */
static int
send_tracked(struct mdca *m, const char *gz, bool leftover,
             struct upload_progress *p, bool *moved)
{
	uint64_t size = file_size(gz);
	int r;

	*moved = false;
	r = send_batch(m, gz, leftover, moved);

	p->sent_base += size;
	progress_sent(p->sent_base);
	return r;
}

int
cmd_upload(int argc, char **argv)
{
	struct cli cli;
	struct filter f = {0};
	struct report rep = {0};
	struct pipeline pl = {0};
	struct upload_run u = {0};
	struct pd_pool *pool = NULL;
	struct mdca *m = NULL;
	struct upload_progress up = {0};
	uint64_t in_total = 0, out_total = 0;
	char err[1024], spool[4096], *state = NULL;
	char tmpdir[] = "/tmp/discolog-dry-XXXXXX";
	char **left = NULL;
	size_t nleft = 0;
	int first, status, lockfd = -1;
	bool to_dir = false, talk;

	if ((status = parse_args(&cli, argc, argv, upload_usage, &first)) !=
	    EXIT_OK) {
		cli_free(&cli);
		return status == -1 ? EXIT_OK : status;
	}
	status = EXIT_OK;
	if (first >= argc) {
		fputs(upload_usage, stderr);
		status = EXIT_USAGE;
		goto done;
	}
	to_dir = cli.output_dir != NULL;
	talk = !to_dir && !cli.dry_run;
	if (!to_dir && cli.conf.data_source == NULL &&
	    cli.conf.snapshot == NULL) {
		log_warnx("no data source: give --data-source NAME (the data "
		          "source in Settings > Cloud Discovery) or "
		          "--snapshot NAME");
		status = EXIT_USAGE;
		goto done;
	}
	pl.pinned = pinned_format(&cli.conf, &status);
	if (status != EXIT_OK || cli_filter(&cli.conf, NULL, &f) == -1) {
		status = EXIT_USAGE;
		goto done;
	}
	u.bc.engine = PD_LIBDEFLATE;
	if (cli.conf.compressor != NULL &&
	    pd_engine_parse(cli.conf.compressor, &u.bc.engine) == -1) {
		log_warnx("unknown compressor '%s': libdeflate or zlib",
		          cli.conf.compressor);
		status = EXIT_USAGE;
		goto done;
	}
	if (u.bc.engine == PD_ZLIB && cli.conf.level > 9) {
		log_warnx("zlib takes compression levels 1 to 9, not %d",
		          cli.conf.level);
		status = EXIT_USAGE;
		goto done;
	}
	if ((pool = pd_pool_new(cli.conf.threads > 0 ? cli.conf.threads
	                                             : pd_default_threads(),
	                        err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		status = EXIT_RUNTIME;
		goto done;
	}
	u.bc.pool = pool;
	if (talk && (m = cli_connect(&cli, &status)) == NULL)
		goto done;
	/* Where the batches go. */
	if (to_dir) {
		snprintf(spool, sizeof(spool), "%s", cli.output_dir);
	} else if (cli.dry_run) {
		if (mkdtemp(tmpdir) == NULL) {
			log_warn("mkdtemp");
			status = EXIT_RUNTIME;
			goto done;
		}
		snprintf(spool, sizeof(spool), "%s", tmpdir);
	} else {
		state = cli.conf.state_dir ? strdup(cli.conf.state_dir)
		                           : default_state_dir();
		if (state == NULL) {
			status = EXIT_RUNTIME;
			goto done;
		}
		snprintf(spool, sizeof(spool), "%s/spool", state);
	}
	if (spool_prepare(spool, err, sizeof(err)) == -1) {
		log_warnx("spool: %s", err);
		status = EXIT_RUNTIME;
		goto done;
	}
	if (talk) {
		char lock[4200];

		snprintf(lock, sizeof(lock), "%s/lock", spool);
		lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (lockfd == -1 || flock(lockfd, LOCK_EX | LOCK_NB) == -1) {
			if (lockfd != -1)
				log_info("another discolog is using %s: "
				         "waiting for it",
				         spool);
			if (lockfd == -1 || flock(lockfd, LOCK_EX) == -1) {
				log_warn("%s", lock);
				status = EXIT_RUNTIME;
				goto done;
			}
		}
		spool_recover(spool);
		left = spool_list(spool, &nleft);
	}
	u.bc.spool = spool;
	u.bc.data_source = cli.conf.snapshot      ? cli.conf.snapshot
	                   : cli.conf.data_source ? cli.conf.data_source
	                                          : "";
	u.bc.snapshot = cli.conf.snapshot != NULL;
	u.bc.max_bytes = cli.conf.max_batch;
	u.bc.level = cli.conf.level;
	u.source_type = cli.source_type;
	rep.out = stderr;
	pl.filter = &f;
	pl.now_ms = f.now_ms;
	pl.sink = batch_sink;
	pl.sink_arg = &u;
	if (log_level() >= LOG_LVL_INFO) {
		pl.member_done = upload_member_done;
		pl.member_arg = &rep;
	}
	progress_init(!cli.no_progress && log_level() >= LOG_LVL_INFO);
	for (int i = first; i < argc; i++) {
		uint64_t sz = file_size(argv[i]);

		if (sz == 0) {
			in_total = 0;
			break;
		}
		in_total += sz;
	}
	progress_input(in_total);
	pl.progress = on_read_progress;
	pl.progress_arg = &up;
	for (int i = first; i < argc; i++) {
		bool unknown = false;

		if (pipeline_run(&pl, argv[i], &unknown, err, sizeof(err)) ==
		    -1) {
			log_warnx("%s: %s", argv[i], err);
			rep.status = exit_worse(rep.status, EXIT_INPUT);
		}
		if (unknown)
			rep.status = exit_worse(rep.status, EXIT_INPUT);
		up.read_base += file_size(argv[i]);
		progress_read(up.read_base);
	}
	for (size_t i = 0; i < u.nbatch; i++)
		if (batch_seal(u.batch[i], err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			rep.status = exit_worse(rep.status, EXIT_RUNTIME);
		}
	status = rep.status;
	if (to_dir || cli.dry_run) {
		uint64_t lines = 0, in = 0, out = 0;
		unsigned n = 0;

		for (size_t i = 0; i < u.nbatch; i++) {
			lines += batch_lines(u.batch[i]);
			in += batch_bytes_in(u.batch[i]);
			out += batch_bytes_out(u.batch[i]);
			n += batch_count(u.batch[i]);
		}
		log_info("%s%u batch%s: %llu lines, %llu bytes, %llu "
		         "compressed%s%s",
		         cli.dry_run ? "dry run: " : "", n, n == 1 ? "" : "es",
		         (unsigned long long)lines, (unsigned long long)in,
		         (unsigned long long)out, to_dir ? ", in " : "",
		         to_dir ? cli.output_dir : "");
		goto done;
	}
	if (u.nsealed == 0 && nleft == 0)
		log_info("nothing to upload");
	for (size_t i = 0; i < nleft; i++)
		if (!in_list(u.sealed, u.nsealed, left[i]))
			out_total += file_size(left[i]);
	for (size_t i = 0; i < u.nsealed; i++)
		out_total += file_size(u.sealed[i]);
	progress_send(out_total);
	mdca_set_progress(m, on_sent, &up);
	/* What an earlier run left goes first, in order. */
	for (size_t i = 0; i < nleft; i++) {
		int r;
		bool moved;

		if (in_list(u.sealed, u.nsealed, left[i]))
			continue;
		r = send_tracked(m, left[i], true, &up, &moved);
		status = exit_worse(status, r);
		/* One refused batch moved aside does not hold the others. */
		if (r != EXIT_OK && !moved) {
			for (size_t k = 0; k < u.nsealed; k++)
				log_warnx("batch %s not sent: kept in the "
				          "spool",
				          u.sealed[k]);
			goto done;
		}
	}
	for (size_t i = 0; i < u.nsealed; i++) {
		bool moved;
		int r = send_tracked(m, u.sealed[i], false, &up, &moved);

		status = exit_worse(status, r);
		if (r != EXIT_OK) {
			for (size_t k = i + 1; k < u.nsealed; k++) {
				char dst[4400];

				/* Same data source, same refusal. */
				if (moved && spool_reject(u.sealed[k]) == 0) {
					rejected_path(u.sealed[k], dst,
					              sizeof(dst));
					log_warnx("batch moved to %s too", dst);
				} else
					log_warnx("batch %s not sent: kept in "
					          "the spool",
					          u.sealed[k]);
			}
			break;
		}
	}
done:
	progress_end();
	for (size_t i = 0; i < u.nbatch; i++)
		batch_free(u.batch[i]);
	pd_pool_free(pool);
	for (size_t i = 0; i < u.nsealed; i++)
		free(u.sealed[i]);
	free(u.sealed);
	for (size_t i = 0; i < nleft; i++)
		free(left[i]);
	free(left);
	if (cli.dry_run && !to_dir &&
	    strcmp(tmpdir, "/tmp/discolog-dry-XXXXXX"))
		rm_rf_spool(tmpdir);
	if (lockfd != -1)
		close(lockfd);
	mdca_free(m);
	free(state);
	filter_free(&f);
	cli_free(&cli);
	return status;
}
