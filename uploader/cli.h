/*
 * What the commands share: exit codes, option parsing into the
 * configuration (flags over environment over file), and the commands.
 */
#ifndef CLI_H
#define CLI_H

#include <stdbool.h>

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

/* Options every command has, once parsed. */
struct cli {
	struct conf conf;
	const char *config_path; /* -c, DISCOLOG_CONFIG or the default */
	bool json, csv;
	bool dry_run;
	const char *output_dir;
	const char *source_type;
	int verbosity;
};

int cmd_check(int argc, char **argv);
int cmd_upload(int argc, char **argv);
int cmd_formats(int argc, char **argv);

#endif
