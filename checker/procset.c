/* procset.c — snapshots of processes (see procset.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "procset.h"

void tracked_from_stat(struct tracked *p, const struct proc_stat *st)
{
    p->pid = st->pid;
    p->ppid = st->ppid;
    p->session = st->session;
    p->pgrp = st->pgrp;
    p->state = st->state;
    p->flags = st->flags;
    p->threads = st->num_threads;
    p->starttime = st->starttime;
    snprintf(p->comm, sizeof p->comm, "%.31s", st->comm);
}

int tracked_alive(const struct tracked *p)
{
    return proc_state_alive(p->state) && !(p->flags & PROC_PF_EXITING);
}

int same_process(const struct tracked *p, const struct tracked *q)
{
    return p->pid == q->pid && p->starttime == q->starttime;
}

int procset_add(struct procset *s, const struct tracked *p)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        struct tracked *v = realloc(s->v, cap * sizeof *v);

        if (!v) {
            errno = ENOMEM;
            return -1;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = *p;
    return 0;
}

const struct tracked *procset_find(const struct procset *s, pid_t pid)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].pid == pid)
            return &s->v[i];
    return NULL;
}

int procset_has(const struct procset *s, const struct tracked *p)
{
    const struct tracked *q = s ? procset_find(s, p->pid) : NULL;

    return q && q->starttime == p->starttime;
}

int procset_descends(const struct procset *s, pid_t pid, pid_t root)
{
    /* Bounded walk up: one snapshot has no cycle, but a snapshot taken
     * while processes reparent, or made up in a test, must not loop. */
    for (size_t hops = 0; hops <= s->n; hops++) {
        const struct tracked *p;

        if (pid == root)
            return 1;
        p = procset_find(s, pid);
        if (!p)
            return 0;
        pid = p->ppid;
    }
    return 0;
}

void procset_free(struct procset *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}
