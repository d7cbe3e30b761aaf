/*
 * What the commands share: option parsing (the common options, then the
 * command's own), the configuration in its order (file, environment,
 * flags), and the connection to the tenant with its secrets.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
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
cli_connect(struct cli *cli, int *status)
{
	struct mdca_conf mc = {0};
	struct mdca *m;
	char err[1024];

	secret_protect_process();
	cli->token = secret_load(cli->conf.token_file, "DISCOLOG_TOKEN", err,
	                         sizeof(err));
	if (cli->token == NULL && err[0] != '\0') {
		log_warnx("token: %s", err);
		*status = EXIT_USAGE;
		return NULL;
	}
	mc.tenant = cli->conf.tenant;
	mc.auth.token = cli->token;
	mc.http.ca_file = cli->conf.ca_file;
	mc.http.proxy = cli->conf.proxy;
	mc.http.retry_max_time = cli->conf.retry_max_time;
	mc.rpm = cli->conf.rpm;
	if ((m = mdca_new(&mc, err, sizeof(err))) == NULL) {
		log_warnx("%s", err);
		*status = EXIT_USAGE;
	}
	return m;
}

void
cli_free(struct cli *cli)
{
	secret_free(cli->token);
	cli->token = NULL;
	conf_free(&cli->conf);
}
