/* pidwatch.h — waiting for a pidfile to change, as events: an inotify
 * watch on its directory reports the file's creation, renaming into
 * place, writes and removal, so that "wait for the pidfile to appear" or
 * "to be rewritten" costs nothing while nothing happens and misses
 * nothing when it does. */
#ifndef CHECKER_PIDWATCH_H
#define CHECKER_PIDWATCH_H

#include <limits.h>

struct pidwatch {
    int fd;                     /* the inotify descriptor to poll, -1 when closed */
    char name[NAME_MAX + 1];    /* the pidfile's name in its directory */
};

/* Watch the directory of path. -1 with errno (the directory is missing,
 * or inotify is unavailable: the caller then cannot wait for events). */
int pidwatch_open(struct pidwatch *w, const char *path);

/* Consume the pending events: 1 when one of them concerned the pidfile
 * (or the queue overflowed, which may have hidden one), 0 otherwise. */
int pidwatch_take(struct pidwatch *w);

void pidwatch_close(struct pidwatch *w);

#endif
