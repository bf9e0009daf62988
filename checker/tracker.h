/* tracker.h — the checker as the candidate's child subreaper.
 *
 * Every process the candidate starts, however often it forks and whoever
 * exits first, stays in the checker's subtree: orphans reparent to the
 * checker instead of init. The tracker reaps them, lists the subtree from
 * /proc, waits on events (a descriptor, a child's exit, the deadline) and
 * signals only processes that it saw in that subtree, through a pidfd
 * checked against the start time it saw, so a reused pid is never hit. */
#ifndef CHECKER_TRACKER_H
#define CHECKER_TRACKER_H

#include <stddef.h>
#include <sys/types.h>

#include "evidence.h"

#define TRACKER_MAX_HELPERS 8
#define TRACKER_MAX_WATCH 8

/* One process of the candidate, as a scan saw it. */
struct tracked {
    pid_t pid;
    pid_t ppid;
    pid_t session;
    char state;
    unsigned long long starttime;
    char comm[32];
};

struct procset {
    struct tracked *v;
    size_t n, cap;
};

/* A descriptor whose data is drained while the tracker waits (a pty
 * master: a candidate writing to a full terminal would block forever). */
struct watch {
    int fd;
    char *buf;
    size_t cap, *len;
};

struct tracker {
    int ready;                  /* tracker_init succeeded: nothing works before */
    pid_t self;
    int sigfd;
    int interrupted;            /* the signal that asked the checker to stop, or 0 */
    struct procset seen;        /* every process ever seen in the subtree */
    pid_t helpers[TRACKER_MAX_HELPERS];     /* the checker's own children (terminal holders) */
    int nhelpers;
    struct watch watches[TRACKER_MAX_WATCH];
    int nwatches;
};

/* Monotonic milliseconds. */
long now_ms(void);

/* Become a child subreaper and route SIGCHLD and the stop signals (INT,
 * TERM, HUP, QUIT) through a signalfd. -1 with errno on failure. */
int tracker_init(struct tracker *t);
void tracker_fini(struct tracker *t);

/* The checker's own child that is not the candidate's (excluded from scans,
 * its descendants included). */
int tracker_add_helper(struct tracker *t, pid_t pid);
int tracker_watch(struct tracker *t, int fd, char *buf, size_t cap, size_t *len);
void tracker_unwatch(struct tracker *t, int fd);
/* Read what a watched descriptor holds now, without waiting. */
void tracker_drain(struct tracker *t, int fd);

/* Wait until fd is readable (1), the deadline passes (0, deadline < 0:
 * never) or the checker is interrupted (-1, errno EINTR), reaping children
 * and draining watched descriptors meanwhile. fd < 0 waits for the
 * deadline only. */
int tracker_wait_fd(struct tracker *t, int fd, long deadline);

/* The candidate's processes now (zombies included), added to `seen`.
 * -1 with EINVAL on a tracker that is not ready: without the checker's own
 * pid as the root, "the subtree" would be every process on the machine. */
int tracker_scan(struct tracker *t, struct procset *out);

const struct tracked *procset_find(const struct procset *s, pid_t pid);
/* Does s hold the very process p (same pid and start time)? */
int procset_has(const struct procset *s, const struct tracked *p);
/* Is pid in the subtree rooted at root in s (root itself included). */
int procset_descends(const struct procset *s, pid_t pid, pid_t root);
static inline int tracked_alive(const struct tracked *p) { return p->state != 'Z' && p->state != 'X'; }
void procset_free(struct procset *s);

/* Send sig to a process seen in the subtree, if it is still that process.
 * -1 with ESRCH when it is gone, EPERM when it was never seen. */
int tracker_signal(struct tracker *t, const struct tracked *p, int sig);

/* Wait until the process ends (1), or the deadline passes (0). */
int tracker_wait_exit(struct tracker *t, const struct tracked *p, long deadline);

/* End every process of the candidate: SIGTERM, then SIGKILL after
 * timeout_ms, until none is left. Those alive at the start are added to
 * `counted` when it is not NULL, but for `exempt` (a daemon whose failure
 * to stop is reported elsewhere). 0, or -1 on error. */
int tracker_sweep(struct tracker *t, long timeout_ms, struct pid_list *counted,
                  const struct tracked *exempt);

/* Add a process to a short report list. */
void pid_list_add(struct pid_list *l, pid_t pid, const char *comm);

#endif
