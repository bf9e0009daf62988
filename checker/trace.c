/* trace.c — the --trace record: bounded appends, lookups and roles (see
 * trace.h). The tracer fills it; the renderers only read it. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trace.h"

static long long mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

void trace_init(struct trace *t, size_t max_events, size_t max_procs)
{
    memset(t, 0, sizeof *t);
    t->ev_max = max_events ? max_events : TRACE_DEFAULT_MAX_EVENTS;
    t->procs_max = max_procs ? max_procs : TRACE_DEFAULT_MAX_PROCS;
    t->t0_mono_us = mono_us();
}

void trace_free(struct trace *t)
{
    free(t->ev);
    free(t->procs);
    t->ev = NULL;
    t->procs = NULL;
    t->nev = t->ev_cap = t->nprocs = t->procs_cap = 0;
}

long long trace_now(const struct trace *t)
{
    return mono_us() - t->t0_mono_us;
}

int trace_add_launch(struct trace *t, enum trace_launch_kind kind)
{
    if (t->nlaunches == TRACE_MAX_LAUNCHES) {
        errno = ENOSPC;
        return -1;
    }
    t->launches[t->nlaunches] = (struct trace_launch){ kind, trace_now(t), 0 };
    return t->nlaunches++;
}

/* Make room for one more element of size `size` in *v, never past max:
 * a fork loop must not make the record grow without bound. */
static int grow(void **v, size_t *cap, size_t n, size_t max, size_t size)
{
    size_t want;
    void *bigger;

    if (n < *cap)
        return 0;
    if (n >= max) {
        errno = ENOSPC;
        return -1;
    }
    want = *cap ? *cap * 2 : 256;
    if (want > max)
        want = max;
    bigger = realloc(*v, want * size);
    if (!bigger)
        return -1;
    *v = bigger;
    *cap = want;
    return 0;
}

long trace_add_event(struct trace *t, int launch, pid_t pid, pid_t ppid,
                     enum trace_kind kind, long long value, const char *fmt, ...)
{
    struct trace_event *e;
    va_list ap;

    if (grow((void **)&t->ev, &t->ev_cap, t->nev, t->ev_max, sizeof *t->ev) < 0) {
        t->dropped++;
        return -1;
    }
    e = &t->ev[t->nev];
    memset(e, 0, sizeof *e);
    e->us = trace_now(t);
    e->launch = launch;
    e->pid = pid;
    e->ppid = ppid;
    e->kind = kind;
    e->value = value;
    e->check = -1;
    if (fmt) {
        va_start(ap, fmt);
        vsnprintf(e->detail, sizeof e->detail, fmt, ap);
        va_end(ap);
    }
    return (long)t->nev++;
}

long trace_add_proc(struct trace *t, int launch, pid_t pid, pid_t ppid)
{
    struct trace_proc *p;

    if (grow((void **)&t->procs, &t->procs_cap, t->nprocs, t->procs_max, sizeof *t->procs) < 0) {
        t->procs_dropped++;
        return -1;
    }
    p = &t->procs[t->nprocs];
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->ppid = ppid;
    p->launch = launch;
    p->role = TR_OTHER;
    p->start_us = trace_now(t);
    p->end_us = -1;
    return (long)t->nprocs++;
}

struct trace_proc *trace_find_proc(struct trace *t, pid_t pid)
{
    for (size_t i = t->nprocs; i-- > 0;)
        if (t->procs[i].pid == pid)
            return &t->procs[i];
    return NULL;
}

/* Mark the daemon's descendants in one launch. A process is recorded
 * after the one that created it, so one forward pass suffices: its
 * creator is the last process recorded before it with that pid. */
static void mark_descendants(const struct trace *t, int launch, pid_t daemon, char *in)
{
    for (size_t i = 0; i < t->nprocs; i++) {
        const struct trace_proc *p = &t->procs[i];

        in[i] = 0;
        if (p->launch != launch || p->pid == daemon)
            continue;
        for (size_t j = i; j-- > 0;)
            if (t->procs[j].launch == launch && t->procs[j].pid == p->ppid) {
                in[i] = t->procs[j].pid == daemon || in[j];
                break;
            }
    }
}

void trace_assign_roles(struct trace *t, int launch, pid_t daemon)
{
    struct trace_proc *d = NULL;
    char *in;

    if (launch < 0 || launch >= t->nlaunches)
        return;
    for (size_t i = 0; i < t->nprocs; i++)
        if (t->procs[i].launch == launch && t->procs[i].pid == daemon)
            d = &t->procs[i];
    in = calloc(t->nprocs ? t->nprocs : 1, 1);
    if (in && d)
        mark_descendants(t, launch, daemon, in);
    for (size_t i = 0; i < t->nprocs; i++) {
        struct trace_proc *p = &t->procs[i];

        if (p->launch != launch)
            continue;
        if (t->launches[launch].kind == TL_STOP)
            p->role = TR_STOPPER;
        else if (p == d)
            p->role = TR_DAEMON;
        else if (p->pid == t->launches[launch].first)
            p->role = TR_LAUNCHER;
        else if (in && in[i])
            p->role = TR_WORKER;
        else if (p->end_us >= 0 && (!d || d->end_us < 0 || p->end_us <= d->end_us))
            p->role = TR_INTERMEDIATE;
        else
            p->role = TR_OTHER;
    }
    free(in);
}

const char *trace_launch_name(enum trace_launch_kind kind)
{
    static const char *const names[] = {
        [TL_START] = "start", [TL_SECOND] = "second", [TL_STOP] = "stop",
        [TL_STALE] = "stale", [TL_SERVICE] = "service",
    };

    return (unsigned)kind < sizeof names / sizeof *names && names[kind] ? names[kind] : "?";
}

const char *trace_role_name(enum trace_role role)
{
    static const char *const names[] = {
        [TR_LAUNCHER] = "launcher", [TR_INTERMEDIATE] = "intermediate",
        [TR_DAEMON] = "daemon", [TR_WORKER] = "worker", [TR_STOPPER] = "stopper",
        [TR_OTHER] = "other",
    };

    return (unsigned)role < sizeof names / sizeof *names && names[role] ? names[role] : "?";
}
