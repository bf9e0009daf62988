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
};

/* -1 with errno on failure (nothing is left behind then). */
int scratch_create(struct scratch *s);

/* Remove the tree. -1 with errno when something could not be removed. */
int scratch_remove(struct scratch *s);

#endif
