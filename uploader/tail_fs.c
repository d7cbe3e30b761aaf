/*
 * The tail_fs backends: inotify and stat polling, one ops table each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "log.h"
#include "tail_fs.h"

#define MAX_WATCHES 256

struct tail_fs_ops {
	const char *name;
	int (*init)(struct tail_fs *);
	int (*watch)(struct tail_fs *, const char *dir);
	void (*unwatch_all)(struct tail_fs *);
	bool (*events)(struct tail_fs *);
	void (*fini)(struct tail_fs *);
};

struct tail_fs {
	const struct tail_fs_ops *ops;
	int fd;
	struct {
		int wd;
		char *dir;
	} w[MAX_WATCHES];
	size_t nw;
};

/* ---- stat-poll ---- */

static int
poll_init(struct tail_fs *fs)
{
	fs->fd = -1;
	return 0;
}

static int
poll_watch(struct tail_fs *fs, const char *dir)
{
	(void)fs, (void)dir;
	return 0;
}

static void
poll_unwatch_all(struct tail_fs *fs)
{
	(void)fs;
}

static bool
poll_events(struct tail_fs *fs)
{
	(void)fs;
	return true;
}

static void
poll_fini(struct tail_fs *fs)
{
	(void)fs;
}

static const struct tail_fs_ops poll_ops = {
    .name = "stat-poll",
    .init = poll_init,
    .watch = poll_watch,
    .unwatch_all = poll_unwatch_all,
    .events = poll_events,
    .fini = poll_fini,
};

/* ---- inotify ---- */

static int
ino_init(struct tail_fs *fs)
{
	fs->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return fs->fd == -1 ? -1 : 0;
}

static int
ino_watch(struct tail_fs *fs, const char *dir)
{
	int wd;

	for (size_t i = 0; i < fs->nw; i++)
		if (strcmp(fs->w[i].dir, dir) == 0)
			return 0;
	if (fs->nw == MAX_WATCHES)
		return -1;
	wd = inotify_add_watch(fs->fd, dir,
	                       IN_CREATE | IN_MODIFY | IN_MOVED_FROM |
	                           IN_MOVED_TO | IN_DELETE | IN_CLOSE_WRITE |
	                           IN_ATTRIB);
	if (wd == -1)
		return -1;
	if ((fs->w[fs->nw].dir = strdup(dir)) == NULL) {
		inotify_rm_watch(fs->fd, wd);
		return -1;
	}
	fs->w[fs->nw++].wd = wd;
	return 0;
}

static void
ino_unwatch_all(struct tail_fs *fs)
{
	for (size_t i = 0; i < fs->nw; i++) {
		inotify_rm_watch(fs->fd, fs->w[i].wd);
		free(fs->w[i].dir);
	}
	fs->nw = 0;
}

static bool
ino_events(struct tail_fs *fs)
{
	char buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;
	ssize_t n;

	/* Which file changed does not matter: the tick stats them all. */
	while ((n = read(fs->fd, buf, sizeof(buf))) > 0)
		any = true;
	if (n == -1 && errno != EAGAIN && errno != EINTR)
		log_warn("inotify");
	return any;
}

static void
ino_fini(struct tail_fs *fs)
{
	ino_unwatch_all(fs);
	if (fs->fd != -1)
		close(fs->fd);
}

static const struct tail_fs_ops inotify_ops = {
    .name = "inotify",
    .init = ino_init,
    .watch = ino_watch,
    .unwatch_all = ino_unwatch_all,
    .events = ino_events,
    .fini = ino_fini,
};

/* ---- the interface ---- */

struct tail_fs *
tail_fs_new(bool want_inotify)
{
	struct tail_fs *fs = calloc(1, sizeof(*fs));

	if (fs == NULL)
		return NULL;
	fs->ops = want_inotify ? &inotify_ops : &poll_ops;
	if (fs->ops->init(fs) == -1) {
		log_warn("inotify: falling back to stat polling");
		fs->ops = &poll_ops;
		fs->ops->init(fs);
	}
	return fs;
}

const char *
tail_fs_name(const struct tail_fs *fs)
{
	return fs->ops->name;
}

int
tail_fs_fd(const struct tail_fs *fs)
{
	return fs->fd;
}

int
tail_fs_watch(struct tail_fs *fs, const char *dir)
{
	return fs->ops->watch(fs, dir);
}

void
tail_fs_unwatch_all(struct tail_fs *fs)
{
	fs->ops->unwatch_all(fs);
}

bool
tail_fs_events(struct tail_fs *fs)
{
	return fs->ops->events(fs);
}

void
tail_fs_free(struct tail_fs *fs)
{
	if (fs == NULL)
		return;
	fs->ops->fini(fs);
	free(fs);
}
