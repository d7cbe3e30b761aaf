/*
 * What the commands share: exit codes, option parsing into the
 * configuration (flags over environment over file), and the commands.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"

/* Exit status, CLI.md. */
enum {
	EXIT_OK = 0,
	EXIT_RUNTIME = 1,
	EXIT_USAGE = 2,
	EXIT_AUTH = 3,
	EXIT_INPUT = 4,
	EXIT_CHANGED = 10,
};

/* The worse of two exit codes: auth, usage, runtime, input, ok. */
int exit_worse(int a, int b);

struct option;
struct mdca;

/* A command's own long options without a short form start here. */
#define CLI_OPT_CMD 512

/* Options every command has, once parsed. */
struct cli {
	struct conf conf;
	struct {
		const char *section, *key, *value;
	} sets[128]; /* flags, applied over file and environment */
	size_t nsets;
	char *token; /* secrets, once loaded (cli_connect) */
	char *client_secret;
	const char *config_path; /* -c, DISCOLOG_CONFIG or the default */
	bool json, csv;
	bool dry_run;
	bool no_progress;
	bool foreground; /* run -d */
	const char *output_dir;
	const char *source_type;
	int verbosity;
};

/* A command's own option: 0 when `ch` is one (handled), -1 when not. */
typedef int cli_opt_fn(struct cli *cli, int ch, const char *arg);

/*
 * Parse argv: the common options (-c -t --token-file --ca-file --proxy
 * --json --csv -v -q -h --retry-max-time --rpm, the Entra ones:
 * --client-id --tenant-id --client-secret-file --client-cert --client-key
 * --authority), then the command's own
 * (`shortopts`, `opts`, handled by `fn`); then read the configuration.
 * Returns EXIT_OK with *first at the operands, -1 after --help, or an exit
 * code with the message printed.
 */
int cli_parse(struct cli *cli, int argc, char **argv, const char *shortopts,
              const struct option *opts, cli_opt_fn *fn, const char *usage,
              int *first);

/* Record a flag as a configuration setting (applied by cli_configure). */
int cli_set(struct cli *cli, const char *section, const char *key,
            const char *value);

/* Load file, environment, flags into cli->conf.  EXIT_OK or EXIT_USAGE. */
int cli_configure(struct cli *cli);

/* Load the secrets and make the API client; NULL with *status set and the
 * message printed. */
struct mdca *cli_connect(struct cli *cli, int *status);

/* The same, with the message in err instead. */
struct mdca *cli_connect_err(struct cli *cli, int *status, char *err,
                             size_t errlen);

/* The credential options, for the commands' --help. */
#define CLI_USAGE_AUTH                                                         \
	"      --token-file FILE   legacy API token (or DISCOLOG_TOKEN)\n"     \
	"      --client-id ID      Entra application id "                      \
	"(DISCOLOG_CLIENT_ID)\n"                                               \
	"      --tenant-id ID      Entra directory id (DISCOLOG_TENANT_ID)\n"  \
	"      --client-secret-file FILE\n"                                    \
	"                          Entra client secret (or "                   \
	"DISCOLOG_CLIENT_SECRET)\n"                                            \
	"      --client-cert FILE  Entra certificate (PEM)\n"                  \
	"      --client-key FILE   its private key (PEM, not readable by "     \
	"others)\n"                                                            \
	"      --authority URL     Entra login endpoint "                      \
	"(DISCOLOG_AUTHORITY)\n"

struct conf_source;
struct filter;

/*
 * The filter chain of the configuration: [filter], with a [source NAME]'s
 * own keys over it when cs is not NULL.  0, or -1 with the reason logged.
 */
int cli_filter(const struct conf *c, const struct conf_source *cs,
               struct filter *f);

/* Wipe the secrets, free the configuration. */
void cli_free(struct cli *cli);

int cmd_check(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_formats(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_run(int argc, char **argv);        /* daemon.c */
int cmd_status(int argc, char **argv);     /* status.c */
int cmd_configtest(int argc, char **argv); /* status.c */

#endif
