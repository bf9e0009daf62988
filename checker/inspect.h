/* inspect.h — reading the daemon's state from /proc into the evidence:
 * its ids, terminal, working directory, umask, signals, descriptors,
 * zombie children, and the lock on its pidfile; and saying who a pidfile
 * names and which process is the daemon. */
#ifndef CHECKER_INSPECT_H
#define CHECKER_INSPECT_H

#include <sys/stat.h>

#include "evidence.h"
#include "procset.h"

/* What the daemon's state is compared with. */
struct inspect_ref {
    struct object_id expected_cwd;
    int expected_cwd_ok;        /* 0 when --cwd could not be stat'ed */
    struct object_id tty;       /* the launch terminal */
    struct object_id sentinel[SENTINEL_FDS];
    const char *pidfile;        /* NULL when there is none */
    struct object_id journal;   /* new-style: the journal pipe (else zero) */
};

/* Fill d for process p. The snapshot `now` gives its zombie children and
 * the other processes that may hold the pidfile's lock. 0, or -1 with
 * errno ESRCH when the process is gone (then d->found is 0). */
int inspect_daemon(const struct tracked *p, const struct procset *now,
                   const struct inspect_ref *ref, struct daemon_seen *d);

/* Read and judge the pidfile at path, and say who it names. */
void inspect_pidfile(const char *path, const struct procset *now, pid_t checker,
                     struct pidfile_seen *out);

/* The daemon by the contract's definition: the process the pidfile names
 * when it is a live process of the given origin, else the topmost live
 * one of that origin (the oldest whose parent is not itself one of its
 * live processes). NULL when none is alive. pf may be NULL. */
const struct tracked *find_daemon(const struct procset *now, const struct pidfile_seen *pf,
                                  enum origin origin);

/* Is a character device a terminal, by its major number. */
int is_terminal_device(unsigned long rdev);

#endif
