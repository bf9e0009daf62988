/* tracker.h — the checker as the candidate's child subreaper.
 *
 * Every process the candidate starts, however often it forks and whoever
 * exits first, stays in the checker's subtree: orphans reparent to the
 * checker instead of init. The tracker reaps them and records how each
 * one ended, lists the subtree from /proc (scan.h), tells each process's
 * launch apart (the stop command's processes are never the candidate's),
 * waits on events (a descriptor, a process's end, the deadline), and
 * signals only processes that it saw in that subtree, through a pidfd
 * checked against the start time it saw, so a reused pid is never hit. */
#ifndef CHECKER_TRACKER_H
#define CHECKER_TRACKER_H

#include <stddef.h>
#include <sys/types.h>

#include "procset.h"

#define TRACKER_MAX_HELPERS 16
#define TRACKER_MAX_WATCH 8
#define TRACKER_MAX_ENDED 4096

/* A descriptor whose data is drained while the tracker waits (a pty
 * master, a service's journal pipe: a candidate writing to a full terminal
 * or pipe would block forever). The first bytes are kept, or, for a
 * journal, the last ones; *total counts them all. */
struct watch {
    int fd;
    char *buf;
    size_t cap, *len, *total;
    int keep_last;
};

/* One of the checker's own children that is not the candidate's (a
 * launch's holder), kept after it ended: its pid stays the id of the
 * session it led, by which orphans of its launch are recognised. */
struct helper {
    pid_t pid;
    enum origin origin;
    int ended;
};

/* A process of the run that the checker reaped, as it was just before. */
struct ended {
    struct tracked who;
    int status;                 /* its wait status */
    long ms;                    /* when it was reaped (now_ms) */
};

/* What the checker does when a process it traces stops or ends (--trace);
 * NULL when nothing is traced. on_wait gets every waitpid result (stops
 * and exits) and returns 1 when it was a stop it took and resumed;
 * on_signal hears of every signal the checker sent, `sweep` when it was
 * the end-of-run sweep's; in_flight says which signal a traced process
 * was resumed with (delivered, so no longer pending in /proc). */
struct tracker_hooks {
    void *ctx;
    int (*on_wait)(void *ctx, pid_t pid, int status);
    void (*on_signal)(void *ctx, pid_t pid, int sig, int sweep);
    int (*in_flight)(void *ctx, pid_t pid);    /* a signal the tracer handed back, or 0 */
};

struct tracker {
    int ready;                  /* tracker_init succeeded: nothing works before */
    pid_t self;
    int sigfd;
    int interrupted;            /* the signal that asked the checker to stop, or 0 */
    enum origin current;        /* the launch under way: where a newcomer that no
                                   ancestry or session names belongs */
    struct procset seen;        /* every process ever seen in the subtree */
    struct helper helpers[TRACKER_MAX_HELPERS];
    int nhelpers;
    struct watch watches[TRACKER_MAX_WATCH];
    int nwatches;
    struct ended *ended;        /* every process of the run reaped, in order */
    size_t nended, ended_cap, ended_dropped;
    struct tracker_hooks hooks;
    int backlog;                /* waits left for the next round: poll without sleeping */
    int sweeping;               /* within tracker_sweep */
};

/* Monotonic milliseconds. */
long now_ms(void);

/* Become a child subreaper and route SIGCHLD and the stop signals (INT,
 * TERM, HUP, QUIT) through a signalfd. -1 with errno, and in *step the
 * name of the call that failed. */
int tracker_init(struct tracker *t, const char **step);
void tracker_fini(struct tracker *t);

/* The checker's own child that is not the candidate's (a holder): excluded
 * from scans while it lives; the processes below it belong to `origin`. */
int tracker_add_helper(struct tracker *t, pid_t pid, enum origin origin);
/* The helper was reaped by its owner (launch_release): from now on its
 * pid may name another process. */
void tracker_forget_helper(struct tracker *t, pid_t pid);
int tracker_watch(struct tracker *t, int fd, char *buf, size_t cap, size_t *len);
/* The same, keeping the last cap bytes (a journal), counting all in *total. */
int tracker_watch_tail(struct tracker *t, int fd, char *buf, size_t cap, size_t *len,
                       size_t *total);
void tracker_unwatch(struct tracker *t, int fd);
/* Read what a watched descriptor holds now, without waiting. */
void tracker_drain(struct tracker *t, int fd);

/* Wait until one of fds is readable (its index + 1), the deadline passes
 * (0; deadline < 0: never) or the checker is interrupted (-1, errno EINTR),
 * reaping children and draining watched descriptors meanwhile. -1 with
 * errno on any other failure, a failed wait for children included. */
int tracker_wait_fds(struct tracker *t, const int *fds, int nfds, long deadline);
/* Wait until the process pid (not necessarily a child of ours) has been
 * reaped by its parent: 1, or 0 at the deadline, -1 on interruption. */
int tracker_wait_reaped(struct tracker *t, pid_t pid, long deadline);
/* The same for one descriptor (fd < 0: the deadline only): 1, 0 or -1. */
int tracker_wait_fd(struct tracker *t, int fd, long deadline);

/* The run's processes now (zombies included), each with its origin, added
 * to `seen`. -1 with EINVAL on a tracker that is not ready: without the
 * checker's own pid as the root, "the subtree" would be every process on
 * the machine. */
int tracker_scan(struct tracker *t, struct procset *out);

/* Send sig to a process seen in the subtree, if it is still that process.
 * -1 with ESRCH when it is gone, EPERM when it was never seen. */
int tracker_signal(struct tracker *t, const struct tracked *p, int sig);

/* A pidfd on a process seen in the subtree, if it is still that process
 * (poll it to learn of its end). -1 with ESRCH when it is gone, EPERM
 * when it was never seen. */
int tracker_pidfd(const struct tracker *t, const struct tracked *p);

/* The same for a process that may have begun to end since it was seen (a
 * zombie, or one exiting): a pidfd to learn of its end, never to signal
 * through. -1 with ESRCH when it is gone, EPERM when it was never seen. */
int tracker_pidfd_ending(const struct tracker *t, const struct tracked *p);

/* Wait until the process ends (1), or the deadline passes (0); -1 on
 * interruption or error. */
int tracker_wait_exit(struct tracker *t, const struct tracked *p, long deadline);

/* Has p taken sig and gone back to waiting (or ended): no longer
 * pending, not running, not in the tracer's hands? */
int tracker_took_signal(struct tracker *t, const struct tracked *p, int sig);

/* Is the process still running when things have settled: wait for its end
 * until `settled`; if it lives on but is on its way out (proc_is_ending),
 * wait for that end until `bound`. 1 running, 0 ended, -1 interrupted. */
int tracker_still_running(struct tracker *t, const struct tracked *p, long settled, long bound);

/* Reap, now, whatever child has ended (the waits do it as SIGCHLD comes).
 * 0, or -1 with errno. */
int tracker_reap(struct tracker *t);

/* How the process ended, when the checker reaped it: its record, or NULL.
 * A start time of 0 in p matches any (a process known by its pid only). */
const struct ended *tracker_end_of(const struct tracker *t, const struct tracked *p);

/* End every process of the run: SIGTERM (and SIGCONT, for a stopped one),
 * then SIGKILL after timeout_ms, until none is left. The processes alive
 * when it began, but for those already on their way out (which are waited
 * for), are added to `alive` when it is not NULL. 0, or -1 on error. */
int tracker_sweep(struct tracker *t, long timeout_ms, struct procset *alive);

#endif
