/*
 * How the daemon learns that followed files changed: inotify where the
 * kernel has it, stat polling otherwise, behind one small interface (the
 * tail_fs pattern of STYLE.md §7).  No #ifdef in the rotation logic: tail.c
 * stats its files on every tick whatever the backend; a backend only says
 * when a tick is worth doing early.
 *
 *	inotify    one watch per directory of a followed glob (creations,
 *	           renames, writes, deletions inside it); its fd goes into the
 *	           daemon's poll loop, and the stat poll stays on as a slow
 *	           safety net
 *	stat-poll  no fd: every tick is a poll
 */
#ifndef TAIL_FS_H
#define TAIL_FS_H

#include <stdbool.h>

struct tail_fs;

/* The inotify backend when want_inotify and the kernel allows, else stat
 * polling.  NULL only when out of memory. */
struct tail_fs *tail_fs_new(bool want_inotify);

/* "inotify" or "stat-poll". */
const char *tail_fs_name(const struct tail_fs *fs);

/* The fd to poll for events, or -1 (stat polling). */
int tail_fs_fd(const struct tail_fs *fs);

/* Watch directory `dir` (again: nothing happens).  0, or -1 when it cannot
 * be watched (stat polling still covers it). */
int tail_fs_watch(struct tail_fs *fs, const char *dir);

/* Forget every watch (after a reload the daemon watches anew). */
void tail_fs_unwatch_all(struct tail_fs *fs);

/* Consume pending events; true when something in a watched directory
 * changed (stat-poll: always true). */
bool tail_fs_events(struct tail_fs *fs);

/* Close and free; NULL ok. */
void tail_fs_free(struct tail_fs *fs);

#endif
