/*
 * Followed files: rotation by rename, copytruncate, deletion, re-creation
 * with a reused inode, a partial last line, a glob picking up a new file,
 * and resuming from a checkpoint.  Everything runs in a temp directory and
 * tail_tick() is called by hand with a made-up clock: nothing sleeps.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checkpoint.h"
#include "limits.h"
#include "tail.h"
#include "test.h"

static char dir[64];
static char got[64 * 1024];
static int64_t clock_ms;

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/discolog-tail-XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	clock_ms = 1000;
}

static void
teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) /* !checksrc! system: test cleanup */
		fprintf(stderr, "cleanup of %s failed\n", dir);
}

static const char *
path(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void
append(const char *name, const char *text)
{
	int fd = open(path(name), O_WRONLY | O_CREAT | O_APPEND, 0600);

	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		perror(name);
	if (fd != -1)
		close(fd);
}

static struct tail *
open_tail(const char *glob)
{
	char *globs[1];
	struct tail_conf c = {
	    .name = "test", .nglobs = 1, .rotate_wait_ms = 500};
	char err[256];
	struct tail *t;

	globs[0] = (char *)path(glob);
	c.globs = globs;
	t = tail_new(&c, err, sizeof(err));
	if (t == NULL)
		fprintf(stderr, "tail_new: %s\n", err);
	return t;
}

/* Tick, then every line there is, "line|" each, into got. */
static const char *
drain(struct tail *t)
{
	struct tail_line l;
	size_t n = 0;

	tail_tick(t, clock_ms);
	got[0] = '\0';
	while (tail_next_line(t, &l) == 1) {
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%.*s|",
		                      (int)l.line.len, l.line.p);
		tail_file_done(l.file, l.end);
	}
	return got;
}

TEST(new_lines_and_partial_last_line)
{
	struct tail *t;

	setup();
	append("a.log", "one\ntwo\nthr");
	t = open_tail("a.log");
	CHECK_STR_EQ(drain(t), "one|two|");
	CHECK_STR_EQ(drain(t), "");
	append("a.log", "ee\nfour\n");
	CHECK_STR_EQ(drain(t), "three|four|");
	tail_free(t);
	teardown();
}

TEST(rename_rotation_then_create)
{
	struct tail *t;

	setup();
	append("a.log", "1\n2\n");
	t = open_tail("a.log");
	CHECK_STR_EQ(drain(t), "1|2|");
	/* The writer still appends to the old file after the rename. */
	CHECK_OK(rename(path("a.log"), path("a.log.1")));
	append("a.log.1", "3\n4 partial");
	append("a.log", "new1\n");
	CHECK_STR_EQ(drain(t), "3|new1|");
	/* Within rotate_wait: the old file is still drained. */
	clock_ms += 100;
	append("a.log.1", " end\n5\n");
	append("a.log", "new2\n");
	CHECK_STR_EQ(drain(t), "4 partial end|5|new2|");
	/* After rotate_wait a last line without newline comes out. */
	append("a.log.1", "6 no newline");
	CHECK_STR_EQ(drain(t), "");
	clock_ms += 1000;
	drain(t); /* the tick that sees the wait over */
	CHECK_STR_EQ(drain(t), "");
	tail_tick(t, clock_ms);
	tail_free(t);
	teardown();
}

TEST(rotated_partial_line_flushed)
{
	struct tail *t;
	struct tail_line l;
	int n = 0;

	setup();
	append("a.log", "1\n2 no newline");
	t = open_tail("a.log");
	CHECK_STR_EQ(drain(t), "1|");
	CHECK_OK(rename(path("a.log"), path("old")));
	CHECK_STR_EQ(drain(t), "");
	clock_ms += 600;
	tail_tick(t, clock_ms);
	while (tail_next_line(t, &l) == 1) {
		CHECK_SLICE_EQ(l.line, "2 no newline");
		n++;
	}
	CHECK_INT_EQ(n, 1);
	tail_free(t);
	teardown();
}

TEST(copytruncate)
{
	struct tail *t;
	int fd;

	setup();
	append("a.log", "aaaa\nbbbb\n");
	t = open_tail("a.log");
	CHECK_STR_EQ(drain(t), "aaaa|bbbb|");
	/* copytruncate: copy, then truncate in place, then new lines. */
	fd = open(path("a.log"), O_WRONLY | O_TRUNC);
	close(fd);
	append("a.log", "c\n");
	CHECK_STR_EQ(drain(t), "c|");
	/* Truncated and written past the old size between two ticks: the
	 * marker tells. */
	fd = open(path("a.log"), O_WRONLY | O_TRUNC);
	close(fd);
	append("a.log", "dddddd\neeeeee\n");
	CHECK_STR_EQ(drain(t), "dddddd|eeeeee|");
	tail_free(t);
	teardown();
}

TEST(delete_and_recreate)
{
	struct tail *t;

	setup();
	append("a.log", "x\n");
	t = open_tail("a.log");
	CHECK_STR_EQ(drain(t), "x|");
	append("a.log", "y\n");
	CHECK_OK(unlink(path("a.log")));
	/* The deleted file is drained through its fd. */
	CHECK_STR_EQ(drain(t), "y|");
	append("a.log", "z\n");
	CHECK_STR_EQ(drain(t), "z|");
	tail_free(t);
	teardown();
}

TEST(recreate_with_reused_inode)
{
	struct tail *t;
	struct checkpoint c = {0};
	struct stat st;

	setup();
	append("a.log", "old line one\nold line two\n");
	t = open_tail("a.log");
	CHECK_STR_EQ(drain(t), "old line one|old line two|");
	c.source = strdup("test");
	CHECK_OK(tail_checkpoint(t, &c));
	CHECK_INT_EQ(c.nfiles, 1);
	tail_free(t);
	/* Down: the file is deleted and another takes its place.  Whether
	 * the kernel reuses the inode or not, make the checkpoint claim it
	 * did: only the marker can tell the files apart. */
	CHECK_OK(unlink(path("a.log")));
	append("a.log", "new file, longer than the old offset\nsecond\n");
	CHECK_OK(stat(path("a.log"), &st));
	c.files[0].ino = (uint64_t)st.st_ino;
	c.files[0].dev = (uint64_t)st.st_dev;
	t = open_tail("a.log");
	tail_resume(t, c.files, c.nfiles, clock_ms);
	CHECK_STR_EQ(drain(t), "new file, longer than the old offset|second|");
	tail_free(t);
	checkpoint_clear(&c);
	teardown();
}

TEST(resume_at_offset_and_after_rotation)
{
	struct tail *t;
	struct checkpoint c = {0};

	setup();
	append("a.log", "1\n2\n");
	t = open_tail("a.log");
	CHECK_STR_EQ(drain(t), "1|2|");
	c.source = strdup("test");
	CHECK_OK(tail_checkpoint(t, &c));
	tail_free(t);
	/* Down: more lines, then a rotation. */
	append("a.log", "3\n");
	CHECK_OK(rename(path("a.log"), path("a.log.1")));
	append("a.log", "4\n");
	t = open_tail("a.log");
	tail_resume(t, c.files, c.nfiles, clock_ms);
	CHECK_STR_EQ(drain(t), "3|4|");
	tail_free(t);
	checkpoint_clear(&c);
	teardown();
}

TEST(glob_picks_up_new_file_once)
{
	struct tail *t;

	setup();
	append("a.log", "a1\n");
	t = open_tail("*.log");
	CHECK_STR_EQ(drain(t), "a1|");
	append("b.log", "b1\n");
	CHECK_STR_EQ(drain(t), "b1|");
	/* Rotated to a name the glob still matches: not read again. */
	CHECK_OK(rename(path("b.log"), path("b.1.log")));
	append("b.1.log", "b2\n");
	CHECK_STR_EQ(drain(t), "b2|");
	clock_ms += 1000;
	drain(t);
	CHECK_STR_EQ(drain(t), "");
	tail_tick(t, clock_ms);
	tail_free(t);
	teardown();
}

TEST(too_long_line)
{
	struct tail *t;
	struct tail_line l;
	char *big = malloc(LINE_MAX_BYTES + 100);
	int n = 0;

	setup();
	memset(big, 'x', LINE_MAX_BYTES + 99);
	big[LINE_MAX_BYTES + 99] = '\0';
	append("a.log", big);
	append("a.log", "\nok\n");
	t = open_tail("a.log");
	tail_tick(t, clock_ms);
	while (tail_next_line(t, &l) == 1) {
		if (n == 0) {
			CHECK(l.too_long);
			CHECK_INT_EQ(l.line.len, LINE_MAX_BYTES);
		} else
			CHECK_SLICE_EQ(l.line, "ok");
		n++;
	}
	CHECK_INT_EQ(n, 2);
	free(big);
	tail_free(t);
	teardown();
}

TEST_MAIN("tail", T(new_lines_and_partial_last_line),
          T(rename_rotation_then_create), T(rotated_partial_line_flushed),
          T(copytruncate), T(delete_and_recreate),
          T(recreate_with_reused_inode), T(resume_at_offset_and_after_rotation),
          T(glob_picks_up_new_file_once), T(too_long_line))
