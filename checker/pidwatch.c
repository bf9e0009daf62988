/* pidwatch.c — inotify on the pidfile's directory (see pidwatch.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "fdio.h"
#include "pidwatch.h"

#define PIDFILE_EVENTS (IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | \
                        IN_CLOSE_WRITE | IN_DELETE | IN_ATTRIB)

int pidwatch_open(struct pidwatch *w, const char *path)
{
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;

    w->fd = -1;
    if (n >= sizeof dir || strlen(slash ? slash + 1 : path) >= sizeof w->name) {
        errno = ENAMETOOLONG;
        return -1;
    }
    snprintf(dir, sizeof dir, "%.*s", (int)n, slash ? path : ".");
    if (slash && n == 0)
        snprintf(dir, sizeof dir, "/");
    snprintf(w->name, sizeof w->name, "%s", slash ? slash + 1 : path);
    w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (w->fd < 0)
        return -1;
    /* IN_DONT_FOLLOW: a directory the candidate swapped for a link is not
     * followed; IN_ONLYDIR: nor is anything else watched in its place. */
    if (inotify_add_watch(w->fd, dir, PIDFILE_EVENTS | IN_ONLYDIR | IN_DONT_FOLLOW) < 0) {
        fd_close_keep_errno(w->fd);
        w->fd = -1;
        return -1;
    }
    return 0;
}

int pidwatch_take(struct pidwatch *w)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    int concerned = 0;
    ssize_t n;

    while ((n = read(w->fd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *e = (const struct inotify_event *)(void *)p;

            if (e->mask & IN_Q_OVERFLOW || (e->len && strcmp(e->name, w->name) == 0))
                concerned = 1;
            p += sizeof *e + e->len;
        }
    }
    return concerned;
}

void pidwatch_close(struct pidwatch *w)
{
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
}
