/*
 * What the commands share: option parsing (the common options, then the
 * command's own), the configuration in its order (file, environment,
 * flags), and the connection to the tenant with its secrets.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "filter.h"
#include "custom.h"
#include "log.h"
#include "mdca.h"
#include "secret.h"

#define DEFAULT_CONFIG "/etc/discolog/discolog.conf"
#define MAX_OPTS       64

int
exit_worse(int a, int b)
{
	static const int order[] = {EXIT_OK, EXIT_INPUT, EXIT_RUNTIME,
	                            EXIT_USAGE, EXIT_AUTH};
	int ra = 0, rb = 0;

	for (int i = 0; i < 5; i++) {
		if (order[i] == a)
			ra = i;
		if (order[i] == b)
			rb = i;
	}
	return ra >= rb ? a : b;
}

enum {
	OPT_TOKEN_FILE = 256,
	OPT_CA_FILE,
	OPT_PROXY,
	OPT_JSON,
	OPT_CSV,
	OPT_RETRY_MAX_TIME,
	OPT_CLIENT_ID,
	OPT_TENANT_ID,
	OPT_CLIENT_SECRET_FILE,
	OPT_CLIENT_CERT,
	OPT_CLIENT_KEY,
	OPT_AUTHORITY,
	OPT_RPM,
	OPT_INSECURE,
};

static const struct option common_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"tenant", required_argument, NULL, 't'},
    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
    {"ca-file", required_argument, NULL, OPT_CA_FILE},
    {"proxy", required_argument, NULL, OPT_PROXY},
    {"json", no_argument, NULL, OPT_JSON},
    {"csv", no_argument, NULL, OPT_CSV},
    {"verbose", no_argument, NULL, 'v'},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"retry-max-time", required_argument, NULL, OPT_RETRY_MAX_TIME},
    {"client-id", required_argument, NULL, OPT_CLIENT_ID},
    {"tenant-id", required_argument, NULL, OPT_TENANT_ID},
    {"client-secret-file", required_argument, NULL, OPT_CLIENT_SECRET_FILE},
    {"client-cert", required_argument, NULL, OPT_CLIENT_CERT},
    {"client-key", required_argument, NULL, OPT_CLIENT_KEY},
    {"authority", required_argument, NULL, OPT_AUTHORITY},
    {"rpm", required_argument, NULL, OPT_RPM},
    {"insecure", no_argument, NULL, OPT_INSECURE},
};

int
cli_set(struct cli *cli, const char *section, const char *key,
        const char *value)
{
	if (cli->nsets == sizeof(cli->sets) / sizeof(cli->sets[0]))
		return -1;
	cli->sets[cli->nsets].section = section;
	cli->sets[cli->nsets].key = key;
	cli->sets[cli->nsets].value = value;
	cli->nsets++;
	return 0;
}

static int
common_opt(struct cli *cli, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		cli->config_path = arg;
		return 0;
	case 't':
		return cli_set(cli, "tenant", "url", arg);
	case OPT_TOKEN_FILE:
		return cli_set(cli, "auth", "token_file", arg);
	case OPT_CA_FILE:
		return cli_set(cli, "tenant", "ca_file", arg);
	case OPT_PROXY:
		return cli_set(cli, "tenant", "proxy", arg);
	case OPT_RETRY_MAX_TIME:
		return cli_set(cli, "upload", "retry_max_time", arg);
	case OPT_CLIENT_ID:
		return cli_set(cli, "auth", "client_id", arg);
	case OPT_TENANT_ID:
		return cli_set(cli, "auth", "tenant_id", arg);
	case OPT_CLIENT_SECRET_FILE:
		return cli_set(cli, "auth", "client_secret_file", arg);
	case OPT_CLIENT_CERT:
		return cli_set(cli, "auth", "client_cert", arg);
	case OPT_CLIENT_KEY:
		return cli_set(cli, "auth", "client_key", arg);
	case OPT_AUTHORITY:
		return cli_set(cli, "auth", "authority", arg);
	case OPT_RPM:
		return cli_set(cli, "tenant", "rpm", arg);
	case OPT_INSECURE:
		return cli_set(cli, "tenant", "insecure", "yes");
	case OPT_JSON:
		cli->json = true;
		return 0;
	case OPT_CSV:
		cli->csv = true;
		return 0;
	case 'v':
		if (cli->verbosity >= 0)
			cli->verbosity++;
		return 0;
	case 'q':
		cli->verbosity = -1;
		return 0;
	default:
		return -1;
	}
}

int
cli_configure(struct cli *cli)
{
	char err[1024];

	log_init(cli->verbosity, 0);
	if (cli->config_path == NULL)
		cli->config_path = getenv("DISCOLOG_CONFIG");
	if (cli->config_path == NULL && access(DEFAULT_CONFIG, F_OK) == 0)
		cli->config_path = DEFAULT_CONFIG;
	if (cli->config_path != NULL && *cli->config_path != '\0' &&
	    conf_load(&cli->conf, cli->config_path, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EXIT_USAGE;
	}
	if (conf_env(&cli->conf, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < cli->nsets; i++) {
		if (conf_set(&cli->conf, cli->sets[i].section, cli->sets[i].key,
		             cli->sets[i].value, err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			return EXIT_USAGE;
		}
	}
	secret_set_group_readable(
	    cli->conf.secret_group_readable != NULL &&
	            strcmp(cli->conf.secret_group_readable, "warn") == 0
	        ? SECRET_GROUP_WARN
	        : SECRET_GROUP_REFUSE);
	custom_clear();
	for (size_t i = 0; i < cli->conf.nformats; i++) {
		const struct conf_format *f = &cli->conf.formats[i];

		if (f->pattern == NULL) {
			log_warnx("%s: [format %s] has no pattern",
			          cli->config_path, f->name);
			return EXIT_USAGE;
		}
		if (custom_add(f->name, f->pattern, f->time_format, err,
		               sizeof(err)) == -1) {
			log_warnx("%s: [format %s]: %s", cli->config_path,
			          f->name, err);
			return EXIT_USAGE;
		}
	}
	return EXIT_OK;
}

int
cli_parse(struct cli *cli, int argc, char **argv, const char *shortopts,
          const struct option *cmd_opts, cli_opt_fn *cmd_opt, const char *usage,
          int *first)
{
	struct option all[MAX_OPTS];
	char shorts[128];
	size_t n = 0;
	int ch;

	memset(cli, 0, sizeof(*cli));
	conf_init(&cli->conf);
	for (size_t i = 0; i < sizeof(common_opts) / sizeof(common_opts[0]);
	     i++)
		all[n++] = common_opts[i];
	for (size_t i = 0; cmd_opts && cmd_opts[i].name && n < MAX_OPTS - 1;
	     i++)
		all[n++] = cmd_opts[i];
	memset(&all[n], 0, sizeof(all[n]));
	snprintf(shorts, sizeof(shorts), "c:t:vqh%s",
	         shortopts ? shortopts : "");
	optind = 1;
	while ((ch = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		if (ch == 'h') {
			fputs(usage, stdout);
			return -1;
		}
		if (common_opt(cli, ch, optarg) == 0)
			continue;
		if (cmd_opt != NULL && cmd_opt(cli, ch, optarg) == 0)
			continue;
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	*first = optind;
	return cli_configure(cli);
}

struct mdca *
cli_connect_err(struct cli *cli, int *status, char *err, size_t errlen)
{
	struct mdca_conf mc = {0};
	struct mdca *m;
	char e[1024];

	secret_protect_process();
	cli->token =
	    secret_load(cli->conf.token_file, "DISCOLOG_TOKEN", e, sizeof(e));
	if (cli->token == NULL && e[0] != '\0') {
		snprintf(err, errlen, "token: %s", e);
		*status = EXIT_USAGE;
		return NULL;
	}
	cli->client_secret =
	    secret_load(cli->conf.client_secret_file, "DISCOLOG_CLIENT_SECRET",
	                e, sizeof(e));
	if (cli->client_secret == NULL && e[0] != '\0') {
		snprintf(err, errlen, "client secret: %s", e);
		*status = EXIT_USAGE;
		return NULL;
	}
	mc.tenant = cli->conf.tenant;
	mc.auth.token = cli->token;
	mc.auth.client_id = cli->conf.client_id;
	mc.auth.tenant_id = cli->conf.tenant_id;
	mc.auth.client_secret = cli->client_secret;
	mc.auth.client_cert = cli->conf.client_cert;
	mc.auth.client_key = cli->conf.client_key;
	mc.auth.authority = cli->conf.authority;
	mc.http.ca_file = cli->conf.ca_file;
	mc.http.insecure = cli->conf.insecure;
	if (cli->conf.insecure)
		log_warnx("TLS certificate verification is OFF (--insecure): "
		          "anyone on the path can read the credentials; for a "
		          "test emulator only");
	mc.http.proxy = cli->conf.proxy;
	mc.http.retry_max_time = cli->conf.retry_max_time;
	mc.http.connect_timeout_ms = (long)cli->conf.connect_timeout * 1000;
	mc.http.low_speed_time = cli->conf.low_speed_time;
	mc.rpm = cli->conf.rpm;
	mc.rate_window = cli->conf.rate_window;
	mc.blob.parallel = cli->conf.parallel;
	mc.blob.block_bytes = cli->conf.block_size;
	mc.blob.put_blob_max = cli->conf.put_blob_max;
	if ((m = mdca_new(&mc, err, errlen)) == NULL)
		*status = EXIT_USAGE;
	return m;
}

struct mdca *
cli_connect(struct cli *cli, int *status)
{
	struct mdca *m;
	char err[1024];

	if ((m = cli_connect_err(cli, status, err, sizeof(err))) == NULL)
		log_warnx("%s", err);
	return m;
}

int
cli_filter(const struct conf *c, const struct conf_source *cs, struct filter *f)
{
	char err[512];

	memset(f, 0, sizeof(*f));
	f->keep_internal = cs != NULL && cs->keep_internal >= 0
	                       ? cs->keep_internal
	                       : c->keep_internal;
	f->max_age_days =
	    cs != NULL && cs->max_age >= 0 ? cs->max_age : c->max_age;
	f->now_ms = (int64_t)time(NULL) * 1000;
	for (int k = 0; k < (cs != NULL ? 2 : 1); k++) {
		char **v = k ? cs->internal : c->internal;
		size_t n = k ? cs->ninternal : c->ninternal;

		for (size_t i = 0; i < n; i++)
			if (filter_add_cidr(f, v[i], err, sizeof(err)) == -1) {
				log_warnx("%s", err);
				goto fail;
			}
		v = k ? cs->internal_domain : c->internal_domain;
		n = k ? cs->ninternal_domain : c->ninternal_domain;
		for (size_t i = 0; i < n; i++)
			if (filter_add_domain(f, v[i]) == -1) {
				log_warnx("out of memory");
				goto fail;
			}
		for (int x = 0; x < 2; x++) {
			v = x ? (k ? cs->exclude : c->exclude)
			      : (k ? cs->include : c->include);
			n = x ? (k ? cs->nexclude : c->nexclude)
			      : (k ? cs->ninclude : c->ninclude);
			for (size_t i = 0; i < n; i++)
				if (match_add(x ? &f->exclude : &f->include,
				              v[i], err, sizeof(err)) == -1) {
					log_warnx("%s %s: %s",
					          x ? "exclude" : "include",
					          v[i], err);
					goto fail;
				}
		}
	}
	if (c->pseudonymize_key_file != NULL &&
	    filter_load_pseudonym_key(f, c->pseudonymize_key_file, err,
	                              sizeof(err)) == -1) {
		log_warnx("pseudonymize key: %s", err);
		goto fail;
	}
	return 0;
fail:
	filter_free(f);
	return -1;
}

void
cli_free(struct cli *cli)
{
	custom_clear();
	secret_free(cli->token);
	cli->token = NULL;
	secret_free(cli->client_secret);
	cli->client_secret = NULL;
	conf_free(&cli->conf);
}
