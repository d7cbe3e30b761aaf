/*
 * Durable positions of the inputs: see checkpoint.h.
 *
 * 64-bit identities (device, inode, marker) are JSON strings: a JSON
 * number goes through a double and would lose their low bits.
 */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checkpoint.h"
#include "jsonnum.h"

uint64_t
checkpoint_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int
write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
checkpoint_write_file(const char *path, const void *data, size_t len, char *err,
                      size_t errlen)
{
	char tmp[4200], dir[4200], *slash;
	int fd, dfd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd == -1)
		goto fail;
	if (write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		close(fd);
		unlink(tmp);
		goto fail;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if (dir[0] == '\0')
			snprintf(dir, sizeof(dir), "/");
	} else
		snprintf(dir, sizeof(dir), ".");
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return -1;
}

int
checkpoint_add_file(struct checkpoint *c, const struct ckpt_file *f)
{
	struct ckpt_file *v = realloc(c->files, (c->nfiles + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	c->files = v;
	v[c->nfiles] = *f;
	if ((v[c->nfiles].path = strdup(f->path)) == NULL)
		return -1;
	c->nfiles++;
	return 0;
}

int
checkpoint_add_spool(struct checkpoint *c, const struct ckpt_spool *s)
{
	struct ckpt_spool *v = realloc(c->spool, (c->nspool + 1) * sizeof(*v));

	if (v == NULL)
		return -1;
	c->spool = v;
	v[c->nspool] = *s;
	if ((v[c->nspool].path = strdup(s->path)) == NULL)
		return -1;
	c->nspool++;
	return 0;
}

static bool
add_u64(cJSON *o, const char *k, uint64_t v)
{
	char s[32];

	snprintf(s, sizeof(s), "%" PRIu64, v);
	return cJSON_AddStringToObject(o, k, s) != NULL;
}

static uint64_t
get_u64(const cJSON *o, const char *k, bool *ok)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	char *end;
	unsigned long long n;
	long long w;

	if (cJSON_IsNumber(v)) {
		if (!json_whole(v, &w) || w < 0) {
			*ok = false;
			return 0;
		}
		return (uint64_t)w;
	}
	if (!cJSON_IsString(v)) {
		*ok = false;
		return 0;
	}
	errno = 0;
	n = strtoull(v->valuestring, &end, 10);
	if (errno != 0 || end == v->valuestring || *end != '\0')
		*ok = false;
	return n;
}

static int64_t
get_i64(const cJSON *o, const char *k, bool *ok)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	long long w;

	if (!json_whole(v, &w)) {
		*ok = false;
		return 0;
	}
	return (int64_t)w;
}

cJSON *
checkpoint_to_json(const struct checkpoint *c)
{
	cJSON *o = cJSON_CreateObject(), *a, *b;

	if (o == NULL || !cJSON_AddStringToObject(o, "source", c->source) ||
	    !add_u64(o, "gen", c->gen) ||
	    (a = cJSON_AddArrayToObject(o, "files")) == NULL ||
	    (b = cJSON_AddArrayToObject(o, "spool")) == NULL)
		goto fail;
	for (size_t i = 0; i < c->nfiles; i++) {
		const struct ckpt_file *f = &c->files[i];
		cJSON *e = cJSON_CreateObject();

		if (e == NULL)
			goto fail;
		cJSON_AddItemToArray(a, e);
		if (!cJSON_AddStringToObject(e, "path", f->path) ||
		    !add_u64(e, "dev", f->dev) || !add_u64(e, "ino", f->ino) ||
		    !cJSON_AddNumberToObject(e, "offset", (double)f->offset) ||
		    !add_u64(e, "marker", f->marker))
			goto fail;
	}
	for (size_t i = 0; i < c->nspool; i++) {
		const struct ckpt_spool *s = &c->spool[i];
		cJSON *e = cJSON_CreateObject();

		if (e == NULL)
			goto fail;
		cJSON_AddItemToArray(b, e);
		if (!cJSON_AddStringToObject(e, "path", s->path) ||
		    !add_u64(e, "dev", s->dev) || !add_u64(e, "ino", s->ino) ||
		    !cJSON_AddNumberToObject(e, "size", (double)s->size) ||
		    !cJSON_AddNumberToObject(e, "mtime", (double)s->mtime) ||
		    !cJSON_AddNumberToObject(e, "member", (double)s->member) ||
		    !cJSON_AddNumberToObject(e, "line", (double)s->line) ||
		    !cJSON_AddBoolToObject(e, "complete", s->complete) ||
		    !add_u64(e, "wait_gen", s->wait_gen))
			goto fail;
	}
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

int
checkpoint_from_json(const cJSON *j, struct checkpoint *c)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(j, "source");
	const cJSON *a, *e;
	bool ok = true;

	checkpoint_clear(c);
	if (!cJSON_IsString(src) ||
	    (c->source = strdup(src->valuestring)) == NULL)
		return -1;
	c->gen = get_u64(j, "gen", &ok);
	a = cJSON_GetObjectItemCaseSensitive(j, "files");
	cJSON_ArrayForEach(e, a)
	{
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
		struct ckpt_file f = {0};

		if (!cJSON_IsString(p))
			return -1;
		f.path = p->valuestring;
		f.dev = get_u64(e, "dev", &ok);
		f.ino = get_u64(e, "ino", &ok);
		f.offset = get_i64(e, "offset", &ok);
		f.marker = get_u64(e, "marker", &ok);
		if (!ok || checkpoint_add_file(c, &f) == -1)
			return -1;
	}
	a = cJSON_GetObjectItemCaseSensitive(j, "spool");
	cJSON_ArrayForEach(e, a)
	{
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");
		struct ckpt_spool s = {0};

		if (!cJSON_IsString(p))
			return -1;
		s.path = p->valuestring;
		s.dev = get_u64(e, "dev", &ok);
		s.ino = get_u64(e, "ino", &ok);
		s.size = get_i64(e, "size", &ok);
		s.mtime = get_i64(e, "mtime", &ok);
		s.member = get_u64(e, "member", &ok);
		s.line = get_u64(e, "line", &ok);
		s.complete = cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(e, "complete"));
		s.wait_gen = get_u64(e, "wait_gen", &ok);
		if (!ok || checkpoint_add_spool(c, &s) == -1)
			return -1;
	}
	return ok ? 0 : -1;
}

int
checkpoint_save(const char *dir, const struct checkpoint *c, char *err,
                size_t errlen)
{
	char path[4200], *js;
	cJSON *o = checkpoint_to_json(c);
	int rc;

	snprintf(path, sizeof(path), "%s/%s.json", dir, c->source);
	if (o == NULL || (js = cJSON_PrintUnformatted(o)) == NULL) {
		cJSON_Delete(o);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = checkpoint_write_file(path, js, strlen(js), err, errlen);
	free(js);
	cJSON_Delete(o);
	return rc;
}

int
checkpoint_load(const char *dir, const char *source, struct checkpoint *c,
                char *err, size_t errlen)
{
	char path[4200], *data = NULL;
	FILE *f;
	long n;
	cJSON *j;
	int rc = -1;

	checkpoint_clear(c);
	snprintf(path, sizeof(path), "%s/%s.json", dir, source);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (c->source = strdup(source)) ? 0 : -1;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    n < 64 * 1024 * 1024 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)n + 1)) != NULL &&
	    fread(data, 1, (size_t)n, f) == (size_t)n) {
		data[n] = '\0';
		if ((j = cJSON_Parse(data)) != NULL) {
			rc = checkpoint_from_json(j, c) == 0 ? 1 : -1;
			cJSON_Delete(j);
		}
	}
	fclose(f);
	free(data);
	if (rc == -1)
		snprintf(err, errlen, "%s: not a readable checkpoint", path);
	return rc;
}

int
checkpoint_copy(struct checkpoint *dst, const struct checkpoint *src)
{
	checkpoint_clear(dst);
	if ((dst->source = strdup(src->source ? src->source : "")) == NULL)
		return -1;
	dst->gen = src->gen;
	for (size_t i = 0; i < src->nfiles; i++)
		if (checkpoint_add_file(dst, &src->files[i]) == -1)
			return -1;
	for (size_t i = 0; i < src->nspool; i++)
		if (checkpoint_add_spool(dst, &src->spool[i]) == -1)
			return -1;
	return 0;
}

void
checkpoint_clear(struct checkpoint *c)
{
	for (size_t i = 0; i < c->nfiles; i++)
		free(c->files[i].path);
	for (size_t i = 0; i < c->nspool; i++)
		free(c->spool[i].path);
	free(c->files);
	free(c->spool);
	free(c->source);
	memset(c, 0, sizeof(*c));
}
