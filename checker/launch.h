/* launch.h — starting a command in the hostile launch environment.
 *
 * The checker forks a holder: a session leader whose controlling terminal
 * is a fresh pty, as a login shell's. The holder starts the command in a
 * process group of its own, the terminal's foreground group, with the pty
 * on 0, 1 and 2, a scratch working directory, a wrong umask, sentinel
 * descriptors, one sentinel signal blocked and one ignored, and a sentinel
 * environment variable. The holder reports the command's exit through a
 * pipe and stays until the checker hangs the terminal up. */
#ifndef CHECKER_LAUNCH_H
#define CHECKER_LAUNCH_H

#include <sys/types.h>

#include "evidence.h"
#include "tracker.h"

#define SENTINEL_FDS 3
#define SENTINEL_ENV "CHECKER_SENTINEL"

/* What makes the environment hostile; the same for every launch of a run. */
struct hostile {
    const char *cwd;            /* the scratch working directory */
    unsigned umask;
    int blocked_sig;
    int ignored_sig;
};

struct object_id {
    dev_t dev;
    ino_t ino;
};

struct launch {
    pid_t holder;
    pid_t launcher;             /* the command's first process */
    int master;                 /* the pty master, -1 once hung up */
    int holder_pidfd;           /* pins the holder: never signal a reused pid */
    int status_fd;              /* the holder's report: the launcher's wait status */
    int control_fd;             /* closed to make the holder exit */
    struct object_id tty;       /* the pty slave */
    struct object_id sentinel[SENTINEL_FDS];
    long started_ms;
    struct launch_result *result;   /* where the output and exit go */
};

/* The descriptor numbers the sentinels are planted on. */
extern const int sentinel_fd_numbers[SENTINEL_FDS];

/* Start argv (argv[0] a path, already resolved) under a new holder.
 * -1 with errno when the checker itself failed (pty, fork). */
int launch_start(struct launch *l, struct tracker *t, char *const argv[],
                 const struct hostile *h, struct launch_result *res);

/* Wait for the launcher to exit, until the deadline. Fills the result.
 * 1 exited, 0 timeout, -1 interrupted or error. When the command could
 * not be executed, errno of exec is stored in *exec_errno (else 0). */
int launch_wait(struct launch *l, struct tracker *t, long deadline, int *exec_errno);

/* Hang the terminal up as a logout does: the holder (the session's
 * controlling process) exits and the master is closed. */
void launch_hangup(struct launch *l, struct tracker *t);

/* Release what is left of a launch (after launch_hangup, or instead). */
void launch_release(struct launch *l, struct tracker *t);

#endif
