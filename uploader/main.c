/*
 * discolog: feeds firewall and proxy logs to Microsoft Defender for Cloud
 * Apps Cloud Discovery.  This file dispatches the commands; each lives in
 * its own file (ingest.c: check and upload).
 */
#include <archive.h>
#include <cJSON.h>
#include <curl/curl.h>
#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "blockscript.h"
#include "cli.h"
#include "http.h"
#include "parser.h"
#include "pull.h"
#include "version.h"

static const char usage[] =
    "usage: discolog COMMAND [OPTIONS] [FILE...]\n"
    "\n"
    "Feed firewall and web-proxy logs to Microsoft Defender for Cloud Apps\n"
    "Cloud Discovery.\n"
    "\n"
    "commands:\n"
    "  upload FILE...   parse, filter, compress, upload (one shot)\n"
    "  check FILE...    parse and filter only; report what would be "
    "uploaded\n"
    "  formats          supported formats, their MDCA source ids, "
    "detection\n"
    "  reports          continuous reports (streams) of the tenant\n"
    "  categories --stream ID|NAME\n"
    "                   report categories of one continuous report\n"
    "  apps --stream ID|NAME\n"
    "                   discovered apps of one continuous report\n"
    "  blockscript --appliance A\n"
    "                   block script for an edge device (or --render R)\n"
    "  doctor           check configuration, network, TLS, clock, token, "
    "permissions,\n"
    "                   data sources\n"
    "  run -c CONF      daemon: follow inputs, spool, upload continuously\n"
    "  status -c CONF   what the daemon does: sources, spool, last upload\n"
    "  configtest -c CONF  check a configuration and exit\n"
    "\n"
    "`discolog COMMAND --help` tells more; `discolog --version` the\n"
    "versions of discolog and its libraries.\n";

static void
version(void)
{
	char pcre[64] = "";

	pcre2_config(PCRE2_CONFIG_VERSION, pcre);
	printf("discolog %s\n", DISCOLOG_VERSION);
	printf("  %s\n", curl_version());
	printf("  libarchive %s\n", archive_version_details());
	printf("  cJSON %s\n", cJSON_Version());
	printf("  zlib %s\n", zlibVersion());
	printf("  libdeflate %s\n", LIBDEFLATE_VERSION_STRING);
	printf("  PCRE2 %s\n", pcre);
}

static const char formats_usage[] =
    "usage: discolog formats [-c CONF] [--json]\n\n"
    "List the log formats discolog parses: name (for --format), the MDCA\n"
    "source ids (file and syslog), the numeric logType, whether it is\n"
    "detected automatically, and what it is.  With -c, the custom formats\n"
    "of the configuration ([format NAME]) too.\n";

int
cmd_formats(int argc, char **argv)
{
	struct cli cli;
	int first, status;
	bool json;

	status = cli_parse(&cli, argc, argv, NULL, NULL, NULL, formats_usage,
	                   &first);
	if (status != EXIT_OK || first < argc) {
		if (status == EXIT_OK)
			fputs(formats_usage, stderr);
		cli_free(&cli);
		return status == -1 ? EXIT_OK : EXIT_USAGE;
	}
	json = cli.json;
	if (json) {
		cJSON *a = cJSON_CreateArray();
		char *s;

		for (size_t i = 0; i < parser_count(); i++) {
			const struct parser *p = parser_at(i);
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "name", p->name);
			cJSON_AddStringToObject(o, "source_id", p->source_id);
			if (p->source_id_syslog)
				cJSON_AddStringToObject(o, "source_id_syslog",
				                        p->source_id_syslog);
			cJSON_AddNumberToObject(o, "log_type", p->log_type);
			cJSON_AddBoolToObject(o, "detect",
			                      !(p->flags & PARSER_NO_DETECT));
			cJSON_AddStringToObject(o, "description",
			                        p->description);
			cJSON_AddItemToArray(a, o);
		}
		s = cJSON_Print(a);
		printf("%s\n", s ? s : "[]");
		free(s);
		cJSON_Delete(a);
		cli_free(&cli);
		return EXIT_OK;
	}
	printf("%-16s %-44s %-7s %-6s %s\n", "FORMAT", "MDCA SOURCE IDS",
	       "LOGTYPE", "DETECT", "DESCRIPTION");
	for (size_t i = 0; i < parser_count(); i++) {
		const struct parser *p = parser_at(i);
		char ids[128];

		bool two = p->source_id_syslog != NULL &&
		           strcmp(p->source_id_syslog, p->source_id) != 0;

		snprintf(ids, sizeof(ids), "%s%s%s", p->source_id,
		         two ? " " : "", two ? p->source_id_syslog : "");
		printf("%-16s %-44s %-7d %-6s %s\n", p->name, ids, p->log_type,
		       (p->flags & PARSER_NO_DETECT) ? "no" : "yes",
		       p->description);
	}
	cli_free(&cli);
	return EXIT_OK;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
    {"upload", cmd_upload},
    {"check", cmd_check},
    {"formats", cmd_formats},
    {"reports", cmd_reports},
    {"categories", cmd_categories},
    {"apps", cmd_apps},
    {"blockscript", cmd_blockscript},
    {"doctor", cmd_doctor},
    {"run", cmd_run},
    {"status", cmd_status},
    {"configtest", cmd_configtest},
};

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		version();
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (http_global_init() == -1) {
			fprintf(stderr, "discolog: cannot start libcurl\n");
			return EXIT_RUNTIME;
		}
		rc = commands[i].fn(argc - 1, argv + 1);
		http_global_cleanup();
		return rc;
	}
	fprintf(stderr, "discolog: unknown command '%s'\n\n%s", argv[1], usage);
	return EXIT_USAGE;
}
