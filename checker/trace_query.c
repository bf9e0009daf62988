/* trace_query.c — questions asked of a --trace record (see trace_query.h). */
#include <string.h>

#include "trace_query.h"

int tq_launch(const struct trace *t, enum trace_launch_kind kind)
{
    for (int i = 0; i < t->nlaunches && i < TRACE_MAX_LAUNCHES; i++)
        if (t->launches[i].kind == kind)
            return i;
    return -1;
}

const struct trace_proc *tq_proc(const struct trace *t, int launch, pid_t pid)
{
    for (size_t i = t->nprocs; i-- > 0;)
        if (t->procs[i].launch == launch && t->procs[i].pid == pid)
            return &t->procs[i];
    return NULL;
}

static int matches(const struct trace_event *e, const struct tq_match *m)
{
    return (m->launch < 0 || e->launch == m->launch) && (m->pid == 0 || e->pid == m->pid) &&
           (m->kind < 0 || (int)e->kind == m->kind) && (!m->test || m->test(e, m->arg));
}

long tq_next(const struct trace *t, long after, const struct tq_match *m)
{
    for (size_t i = after < 0 ? 0 : (size_t)after + 1; i < t->nev; i++)
        if (matches(&t->ev[i], m))
            return (long)i;
    return -1;
}

long tq_prev(const struct trace *t, long before, const struct tq_match *m)
{
    size_t end = before < 0 ? 0 : (size_t)before < t->nev ? (size_t)before : t->nev;

    for (size_t i = end; i-- > 0;)
        if (matches(&t->ev[i], m))
            return (long)i;
    return -1;
}

size_t tq_count(const struct trace *t, const struct tq_match *m)
{
    size_t n = 0;

    for (size_t i = 0; i < t->nev; i++)
        n += matches(&t->ev[i], m);
    return n;
}

long tq_exit(const struct trace *t, int launch, pid_t pid)
{
    struct tq_match m = { launch, pid, TE_EXIT, NULL, NULL };

    return pid > 0 ? tq_prev(t, (long)t->nev, &m) : -1;
}

double tq_ms(const struct trace *t, long event)
{
    const struct trace_event *e;

    if (event < 0 || (size_t)event >= t->nev)
        return 0;
    e = &t->ev[event];
    if (e->launch < 0 || e->launch >= t->nlaunches)
        return (double)e->us / 1000.0;
    return (double)(e->us - t->launches[e->launch].t0_us) / 1000.0;
}

/* The process that created p: the last one recorded before it, in its
 * launch, under its parent's pid (a process is recorded after its
 * creator, so the pid cannot have been reused in between). */
static const struct trace_proc *creator(const struct trace *t, const struct trace_proc *p)
{
    for (size_t j = (size_t)(p - t->procs); j-- > 0;)
        if (t->procs[j].launch == p->launch && t->procs[j].pid == p->ppid)
            return &t->procs[j];
    return NULL;
}

static long spawn_of(const struct trace *t, int launch, pid_t parent, pid_t child)
{
    for (size_t i = t->nev; i-- > 0;) {
        const struct trace_event *e = &t->ev[i];

        if (e->launch == launch && e->pid == parent && e->kind == TE_SPAWN && e->value == child)
            return (long)i;
    }
    return -1;
}

int tq_line(const struct trace *t, int launch, pid_t pid, struct tq_line *line)
{
    pid_t up[TQ_LINE_MAX];
    const struct trace_proc *p = tq_proc(t, launch, pid);
    int n = 0;

    memset(line, 0, sizeof *line);
    line->launch = launch;
    if (p == NULL || pid <= 0)
        return -1;
    for (; p != NULL && n < TQ_LINE_MAX; p = creator(t, p))
        up[n++] = p->pid;
    for (int i = 0; i < n; i++) {
        line->pid[i] = up[n - 1 - i];
        line->spawn[i] = i == 0 ? -1 : spawn_of(t, launch, line->pid[i - 1], line->pid[i]);
    }
    line->n = n;
    return 0;
}

long tq_line_last(const struct trace *t, const struct tq_line *line, const struct tq_match *m)
{
    struct tq_match own = *m;
    long before = (long)t->nev;

    own.launch = line->launch;
    for (int i = line->n - 1; i >= 0; i--) {
        long found;

        own.pid = line->pid[i];
        found = tq_prev(t, before, &own);
        if (found >= 0)
            return found;
        /* Without the fork that led here, what the ancestor did before
         * it cannot be told from what it did after. */
        if (line->spawn[i] < 0)
            return -1;
        before = line->spawn[i];
    }
    return -1;
}
