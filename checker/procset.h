/* procset.h — the candidate's processes as one scan of /proc saw them,
 * and the questions the checker asks of such a snapshot. */
#ifndef CHECKER_PROCSET_H
#define CHECKER_PROCSET_H

#include <stddef.h>
#include <sys/types.h>

#include "proc.h"

/* Which launch of the run a process came from. Attributed when the
 * process is first seen, while its ancestry still shows (an orphan's
 * parent is the checker, whoever started it). */
enum origin {
    ORIGIN_FIRST,           /* the first start (new-style: the service) */
    ORIGIN_SECOND,          /* the second start of single-instance */
    ORIGIN_STOP,            /* the stop command: never the candidate's */
    ORIGIN_STALE,           /* the start with a stale pidfile */
    ORIGIN_COUNT
};

/* One process, as a scan saw it. */
struct tracked {
    pid_t pid;
    pid_t ppid;
    pid_t session;
    pid_t pgrp;
    char state;
    unsigned flags;                 /* the kernel's PF_* flags */
    int threads;                    /* live threads when read */
    unsigned long long starttime;   /* with pid, the process's identity */
    enum origin origin;
    char comm[32];
};

struct procset {
    struct tracked *v;
    size_t n, cap;
};

/* The fields of a stat line that a snapshot keeps (origin left as it is). */
void tracked_from_stat(struct tracked *p, const struct proc_stat *st);

/* Not a zombie, not dead (proc_state_alive), and not already exiting
 * (an intermediate between its _exit and its zombie state is no daemon). */
int tracked_alive(const struct tracked *p);

/* 0, or -1 with ENOMEM. */
int procset_add(struct procset *s, const struct tracked *p);
const struct tracked *procset_find(const struct procset *s, pid_t pid);
/* Does s hold the very process p (same pid and start time)? s may be NULL. */
int procset_has(const struct procset *s, const struct tracked *p);
/* Is pid in the subtree rooted at root in s (root itself included)? */
int procset_descends(const struct procset *s, pid_t pid, pid_t root);
void procset_free(struct procset *s);

/* Is process p the one seen as q: same pid, same start time. */
int same_process(const struct tracked *p, const struct tracked *q);

#endif
