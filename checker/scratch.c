/* scratch.c — create and remove the private scratch directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scratch.h"

#define MAX_DEPTH 32

int scratch_create(struct scratch *s, int with_cwd)
{
    const char *tmp = getenv("TMPDIR");
    int saved;

    if (!tmp || !*tmp)
        tmp = "/tmp";
    s->failed = "mkdtemp";
    if (snprintf(s->root, sizeof s->root, "%s/checker.XXXXXX", tmp) >= (int)sizeof s->root) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (!mkdtemp(s->root)) {
        s->root[0] = '\0';
        return -1;
    }
    snprintf(s->cwd, sizeof s->cwd, "%s/cwd", s->root);
    snprintf(s->pidfile, sizeof s->pidfile, "%s/daemon.pid", s->root);
    s->failed = "mkdir";
    if (!with_cwd || mkdir(s->cwd, 0700) == 0)
        return 0;
    saved = errno;
    rmdir(s->root);
    s->root[0] = '\0';
    errno = saved;
    return -1;
}

int scratch_searchable(const struct scratch *s)
{
    int fd = open(s->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), rc;

    if (fd < 0)
        return -1;
    rc = fchmod(fd, 0711);
    if (rc < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

/* Empty the directory open on dfd (closed here), depth-first. unlinkat
 * removes a symlink itself, never its target; O_NOFOLLOW keeps the walk
 * from entering a linked directory. */
static int empty_dir(int dfd, int depth)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;
    int failed = 0;

    if (!d) {
        close(dfd);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            continue;
        if (errno != EISDIR || depth >= MAX_DEPTH) {
            failed = 1;
            continue;
        }
        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0 || empty_dir(sub, depth + 1) < 0 ||
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) < 0)
            failed = 1;
    }
    closedir(d);
    return failed ? -1 : 0;
}

int scratch_remove(struct scratch *s)
{
    int dfd;

    if (!s->root[0])
        return 0;
    dfd = open(s->root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 || empty_dir(dfd, 0) < 0 || rmdir(s->root) < 0)
        return -1;
    s->root[0] = '\0';
    return 0;
}
