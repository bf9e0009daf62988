/* scratch.h — the private scratch directory of a run (mode 0700): the
 * candidate's launch directory and the {pidfile} live in it. It is
 * removed at the end without following any symbolic link the candidate
 * may have planted in it. */
#ifndef CHECKER_SCRATCH_H
#define CHECKER_SCRATCH_H

#include <limits.h>

struct scratch {
    char root[PATH_MAX - 64];   /* $TMPDIR/checker.XXXXXX: room left for the names below */
    char cwd[PATH_MAX];         /* root/cwd: where the candidate starts */
    char pidfile[PATH_MAX];     /* root/daemon.pid: what {pidfile} becomes */
    const char *failed;         /* the call that failed, for the message */
};

/* With with_cwd, the launch directory is made too (a new-style service
 * starts in /: it needs none). -1 with errno on failure (nothing is left
 * behind then). */
int scratch_create(struct scratch *s, int with_cwd);

/* Let every user through the directory (mode 0711), though not list it:
 * for a socket in it that any process of a service must reach, as a
 * manager's own notify socket is. -1 with errno. */
int scratch_searchable(const struct scratch *s);

/* Remove the tree. -1 with errno when something could not be removed. */
int scratch_remove(struct scratch *s);

#endif
