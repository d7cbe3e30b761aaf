/*
 * What Discovery learned, pulled back: the continuous reports (streams) of
 * the tenant, the report categories and the discovered apps of one of
 * them.  Each command prints a table (table.h), or with --json the
 * tenant's own objects as one JSON array, or with --csv a header and rows.
 *
 *	reports       GET  /api/discovery/streams/
 *	categories    POST /api/v1/discovery/discovered_apps/categories/
 *	apps          POST /api/v1/discovery/discovered_apps/  (paged by 100)
 *
 * All three need the Discovery.read permission (mdca-api.md §2.3).
 */
#ifndef PULL_H
#define PULL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

int cmd_reports(int argc, char **argv);
int cmd_categories(int argc, char **argv);
int cmd_apps(int argc, char **argv);

enum pull_answer { PULL_REPORTS, PULL_CATEGORIES, PULL_APPS };

/*
 * The pure half of the three commands, for tests and the fuzz target: one
 * answer body (borrowed) printed to out as the command prints it (a text
 * table, CSV with `csv`, the JSON array with `json`).  0, or -1 with the
 * reason in err (not JSON, no list, out of memory).
 */
int pull_print_answer(enum pull_answer what, const char *body, size_t len,
                      bool json, bool csv, FILE *out, char *err, size_t errlen);

#endif
