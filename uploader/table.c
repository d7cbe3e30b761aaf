/*
 * Aligned tables and CSV for the pull commands: see table.h.
 */
#include <cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

/* The longest line written: no cell of the tenant comes near it. */
#define LINE_MAX_OUT (4u * 1024 * 1024)

struct table {
	const struct table_col *cols;
	size_t ncols;
	char **cells; /* nrows * ncols, row by row */
	size_t nrows, cap;
};

struct table *
table_new(const struct table_col *cols, size_t ncols)
{
	struct table *t;

	if (ncols == 0 || (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->cols = cols;
	t->ncols = ncols;
	return t;
}

int
table_add(struct table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **p;

		if (cap > SIZE_MAX / t->ncols / sizeof(*p))
			return -1;
		if ((p = realloc(t->cells, cap * t->ncols * sizeof(*p))) ==
		    NULL)
			return -1;
		t->cells = p;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		char *c = strdup(cells[i] ? cells[i] : "");

		if (c == NULL) {
			while (i-- > 0)
				free(t->cells[t->nrows * t->ncols + i]);
			return -1;
		}
		t->cells[t->nrows * t->ncols + i] = c;
	}
	t->nrows++;
	return 0;
}

size_t
table_rows(const struct table *t)
{
	return t->nrows;
}

void
table_free(struct table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

int
table_csv_field(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	bool quote = n > 0 && (s[0] == ' ' || s[0] == '\t' || s[n - 1] == ' ' ||
	                       s[n - 1] == '\t');

	if (strpbrk(s, ",\"\r\n") != NULL)
		quote = true;
	if (!quote)
		return buf_add(b, s, n);
	if (buf_addc(b, '"') == -1)
		return -1;
	for (; *s != '\0'; s++) {
		if (*s == '"' && buf_addc(b, '"') == -1)
			return -1;
		if (buf_addc(b, *s) == -1)
			return -1;
	}
	return buf_addc(b, '"');
}

/*
 * The length of the UTF-8 character at s (at most n bytes), or 0 when it
 * is not well-formed (RFC 3629: no overlong forms, no surrogates, nothing
 * past U+10FFFF).
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

/* A character a terminal may act on: C0, DEL, C1 (U+0080..U+009F). */
static bool
is_control(const unsigned char *s, size_t len)
{
	if (len == 1)
		return s[0] < 0x20 || s[0] == 0x7f;
	return len == 2 && s[0] == 0xc2 && s[1] < 0xa0;
}

/* Characters of s as shown (every bad byte counts as one '?'). */
static size_t
text_chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), chars = 0, len;

	for (size_t i = 0; i < n; i += len, chars++)
		if ((len = utf8_len(p + i, n - i)) == 0)
			len = 1;
	return chars;
}

int
table_text_cell(struct buf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), chars = text_chars(s), keep = chars, len;
	int shown = 0;

	if (chars > TABLE_CELL_MAX)
		keep = TABLE_CELL_MAX - 3;
	for (size_t i = 0; i < n && (size_t)shown < keep; i += len) {
		len = utf8_len(p + i, n - i);
		if (len == 0 || is_control(p + i, len)) {
			if (buf_addc(b, '?') == -1)
				return -1;
			len = len ? len : 1;
		} else if (buf_add(b, p + i, len) == -1)
			return -1;
		shown++;
	}
	if (keep < chars) {
		if (buf_adds(b, "...") == -1)
			return -1;
		shown += 3;
	}
	return shown;
}

static bool
shown(const struct table_col *c, enum table_mode mode)
{
	if (mode == TABLE_TEXT)
		return !(c->flags & TABLE_CSV_ONLY);
	return !(c->flags & TABLE_TEXT_ONLY);
}

static int
write_csv(const struct table *t, FILE *fp)
{
	struct buf b;
	int rc = -1;

	buf_init(&b, LINE_MAX_OUT);
	for (size_t r = 0; r <= t->nrows; r++) {
		bool first = true;

		buf_reset(&b);
		for (size_t c = 0; c < t->ncols; c++) {
			const char *v = r == 0
			                    ? t->cols[c].name
			                    : t->cells[(r - 1) * t->ncols + c];

			if (!shown(&t->cols[c], TABLE_CSV))
				continue;
			if (!first && buf_addc(&b, ',') == -1)
				goto done;
			if (table_csv_field(&b, v) == -1)
				goto done;
			first = false;
		}
		if (buf_addc(&b, '\n') == -1)
			goto done;
		if (fwrite(b.data, 1, b.len, fp) != b.len)
			goto done;
	}
	rc = 0;
done:
	buf_free(&b);
	return rc;
}

static int
write_text(const struct table *t, FILE *fp)
{
	struct buf *cells = NULL, line;
	size_t *width = NULL, last = 0, ncells = (t->nrows + 1) * t->ncols;
	int *chars = NULL, rc = -1;

	buf_init(&line, LINE_MAX_OUT);
	if ((cells = calloc(ncells, sizeof(*cells))) == NULL ||
	    (chars = calloc(ncells, sizeof(*chars))) == NULL ||
	    (width = calloc(t->ncols, sizeof(*width))) == NULL)
		goto done;
	/* Row 0 is the header. */
	for (size_t i = 0; i < ncells; i++) {
		size_t r = i / t->ncols, c = i % t->ncols;

		buf_init(&cells[i], LINE_MAX_OUT);
		if (!shown(&t->cols[c], TABLE_TEXT))
			continue;
		chars[i] =
		    table_text_cell(&cells[i], r == 0 ? t->cols[c].title
		                                      : t->cells[i - t->ncols]);
		if (chars[i] < 0)
			goto done;
		if ((size_t)chars[i] > width[c])
			width[c] = (size_t)chars[i];
		last = c;
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		buf_reset(&line);
		for (size_t c = 0; c < t->ncols; c++) {
			size_t i = r * t->ncols + c;
			size_t pad = width[c] - (size_t)chars[i];
			bool right = t->cols[c].flags & TABLE_RIGHT;

			if (!shown(&t->cols[c], TABLE_TEXT))
				continue;
			for (size_t k = 0; right && k < pad; k++)
				if (buf_addc(&line, ' ') == -1)
					goto done;
			if (buf_add(&line, cells[i].data, cells[i].len) == -1)
				goto done;
			if (c == last)
				break;
			for (size_t k = 0; !right && k < pad; k++)
				if (buf_addc(&line, ' ') == -1)
					goto done;
			if (buf_adds(&line, "  ") == -1)
				goto done;
		}
		/* An empty last cell leaves blanks: none at line ends. */
		while (line.len > 0 && line.data[line.len - 1] == ' ')
			line.data[--line.len] = '\0';
		if (buf_addc(&line, '\n') == -1 ||
		    fwrite(line.data, 1, line.len, fp) != line.len)
			goto done;
	}
	rc = 0;
done:
	for (size_t i = 0; cells != NULL && i < ncells; i++)
		buf_free(&cells[i]);
	free(cells);
	free(chars);
	free(width);
	buf_free(&line);
	return rc;
}

int
table_write(const struct table *t, enum table_mode mode, FILE *fp)
{
	int rc;

	switch (mode) {
	case TABLE_CSV:
		rc = write_csv(t, fp);
		break;
	case TABLE_TEXT:
	default:
		rc = write_text(t, fp);
		break;
	}
	if (fflush(fp) == EOF || ferror(fp))
		rc = -1;
	return rc;
}

int
table_write_json(const struct cJSON *v, FILE *fp)
{
	char *s = cJSON_Print(v);
	int rc = -1;

	if (s == NULL)
		return -1;
	if (fputs(s, fp) != EOF && fputc('\n', fp) != EOF &&
	    fflush(fp) != EOF && !ferror(fp))
		rc = 0;
	free(s);
	return rc;
}
