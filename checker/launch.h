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
#include "hostile.h"
#include "tracer.h"
#include "tracker.h"

/* What failed in the holder or the launcher, before the command ran: the
 * step names the call (launch_step_name), err its errno. */
enum launch_step {
    LS_NONE,
    LS_HOLDER_SIGMASK, LS_HOLDER_SIGNALS, LS_HOLDER_FDS, LS_HOLDER_SETSID,
    LS_HOLDER_TIOCSCTTY, LS_HOLDER_FORK, LS_HOLDER_WAIT,
    LS_SIGMASK_ALL, LS_SETPGID, LS_TCSETPGRP, LS_DUP_TERMINAL, LS_DUP_SENTINEL,
    LS_CHDIR, LS_SIGNALS, LS_SIGMASK, LS_TRACE_GO, LS_EXEC,
    LS_SVC_SETSID, LS_SVC_STDIN, LS_SVC_JOURNAL, LS_SVC_LISTEN_FD, LS_SVC_CLOSE_FDS,
    LS_COUNT
};

struct launch_failure {
    enum launch_step step;      /* LS_NONE: nothing failed */
    int err;
};

/* "the launcher's chdir to the scratch directory", for messages. */
const char *launch_step_name(enum launch_step step);

/* Every signal's disposition to its default, glibc's reserved ones
 * included. For a child between fork and exec: system calls only. -1 with
 * errno. */
int signals_to_default(void);

/* What the holder and the launcher tell the checker through the status
 * pipe. */
struct holder_word {
    int kind;                   /* 'E': a step failed (step, errno); 'X': the command
                                   exited (value: its wait status); 'P': traced, the
                                   launcher waits for the go (value: its pid) */
    int step;
    int value;
};

/* --trace: the tracer that follows a launch from just before its exec,
 * and the launch's kind in the record. */
struct launch_trace {
    struct tracer *tr;
    enum trace_launch_kind kind;
};

struct launch {
    pid_t holder;
    pid_t launcher;             /* the command's first process (known when traced) */
    int trace_index;            /* the launch in the trace record, or -1 */
    int master;                 /* the pty master, -1 once hung up */
    int holder_pidfd;           /* pins the holder: never signal a reused pid */
    int status_fd;              /* the holder's report: the launcher's wait status */
    int control_fd;             /* closed to make the holder exit */
    int go_fd;                  /* traced: the write end of the go pipe, until written */
    struct object_id tty;       /* the pty slave */
    dev_t tty_rdev;             /* ... and the terminal device it is */
    struct object_id sentinel[SENTINEL_FDS];
    long started_ms;
    struct launch_result *result;   /* where the output and exit go */
    struct holder_word early[2];    /* traced: the words read before the launcher's pid */
    int nearly, early_next;
};

/* The descriptor numbers the sentinels are planted on. */
extern const int sentinel_fd_numbers[SENTINEL_FDS];

/* Start argv (argv[0] a path, already resolved) under a new holder, its
 * processes counted as `origin`'s; traced from its exec on when lt is not
 * NULL. -1 with errno, and the call that failed in *step, when the
 * checker itself failed (pty, fork). */
int launch_start(struct launch *l, struct tracker *t, char *const argv[],
                 const struct hostile *h, enum origin origin, const struct launch_trace *lt,
                 struct launch_result *res, const char **step);

/* Wait for the launcher to exit, until the deadline. Fills the result.
 * 1 exited, 0 timeout, -1 interrupted or error (errno). When the holder
 * or the launcher failed before the command ran (exec included), *failed
 * says where (else its step is LS_NONE). */
int launch_wait(struct launch *l, struct tracker *t, long deadline,
                struct launch_failure *failed);

/* Hang the terminal up as a logout does: the holder (the session's
 * controlling process) exits and the master is closed. 0, or -1 when the
 * wait for the holder was interrupted or failed. */
int launch_hangup(struct launch *l, struct tracker *t, long deadline);

/* Release what is left of a launch (after launch_hangup, or instead):
 * the holder is killed and reaped. errno is kept. */
void launch_release(struct launch *l, struct tracker *t);

#endif
