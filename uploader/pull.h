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

int cmd_reports(int argc, char **argv);
int cmd_categories(int argc, char **argv);
int cmd_apps(int argc, char **argv);

#endif
