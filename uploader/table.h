/*
 * Output of the commands that pull from the tenant (reports, categories,
 * apps): rows of text cells, shown as an aligned table for people or as
 * CSV for programs, and the JSON array printer behind --json.
 *
 * The cells come from the tenant and are data, not text to trust: the
 * table replaces control characters (C0, DEL, C1) and invalid UTF-8 with
 * '?', so an app name cannot move the cursor or retitle a terminal.  CSV
 * keeps every byte and quotes after RFC 4180 (a field holding a comma, a
 * double quote, CR, LF or a leading or trailing blank is quoted, its
 * quotes doubled); lines end in LF, which RFC 4180 readers accept.
 */
#ifndef TABLE_H
#define TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "buf.h"

enum table_mode {
	TABLE_TEXT, /* aligned columns, a header line */
	TABLE_CSV,  /* header + rows */
};

/* Column flags. */
#define TABLE_RIGHT     0x1 /* right-aligned in the text table (numbers) */
#define TABLE_CSV_ONLY  0x2 /* a column only CSV has */
#define TABLE_TEXT_ONLY 0x4 /* a column only the text table has */

struct table_col {
	const char *title; /* header of the text table */
	const char *name;  /* header of the CSV column */
	int flags;
};

/* The longest cell the text table shows, in characters; longer ones end in
 * "...".  CSV and JSON have them whole. */
#define TABLE_CELL_MAX 60

struct table;

/* A table of `ncols` columns (borrowed: `cols` must outlive the table);
 * NULL when out of memory. */
struct table *table_new(const struct table_col *cols, size_t ncols);

/* Append one row of ncols cells (NULL: empty), copied.  0, or -1 when out
 * of memory. */
int table_add(struct table *t, const char *const *cells);

size_t table_rows(const struct table *t);

/* Write the table.  0, or -1 when the stream reports a write error. */
int table_write(const struct table *t, enum table_mode mode, FILE *fp);

void table_free(struct table *t);

/* Append `s` to b as one CSV field, quoted when it has to be.  0 or -1. */
int table_csv_field(struct buf *b, const char *s);

/* Append `s` to b as the text table shows it: control characters and
 * invalid UTF-8 as '?', cut to TABLE_CELL_MAX characters.  Returns the
 * number of characters appended, or -1. */
int table_text_cell(struct buf *b, const char *s);

struct cJSON;

/* Print a JSON value (an array of the tenant's objects), indented, and a
 * newline.  0, or -1 on a write error or when out of memory. */
int table_write_json(const struct cJSON *v, FILE *fp);

#endif
