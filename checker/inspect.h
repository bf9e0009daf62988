/* inspect.h — reading the daemon's state from /proc into the evidence:
 * its ids, terminal, working directory, umask, signals, descriptors,
 * zombie children and the lock on its pidfile. */
#ifndef CHECKER_INSPECT_H
#define CHECKER_INSPECT_H

#include "evidence.h"
#include "launch.h"
#include "tracker.h"

/* What the daemon's state is compared with. */
struct inspect_ref {
    struct object_id expected_cwd;
    int expected_cwd_ok;        /* 0 when --cwd could not be stat'ed */
    const struct launch *launch;    /* its terminal and sentinels */
    const char *pidfile;        /* NULL when there is none */
};

/* Fill d for process p. The snapshot `now` gives its zombie children and
 * the number of the candidate's processes. 0, or -1 with errno ESRCH when
 * the process is gone (then d->found is 0). */
int inspect_daemon(const struct tracked *p, const struct procset *now,
                   const struct inspect_ref *ref, struct daemon_seen *d);

/* Read and judge the pidfile at path, and say who it names. */
void inspect_pidfile(const char *path, const struct procset *now, pid_t checker,
                     struct pidfile_seen *out);

/* The daemon by the contract's definition: the process the pidfile names
 * when it is a live process of the candidate, else the topmost live one
 * (the oldest whose parent is not itself a live process of the candidate).
 * NULL when none is alive. `not_in` (may be NULL) excludes processes. */
const struct tracked *find_daemon(const struct procset *now, const struct pidfile_seen *pf,
                                  const struct procset *not_in);

/* Is a character device a terminal, by its major number. */
int is_terminal_device(unsigned long rdev);

#endif
