/* trace_mark.c — tying failed checks to the trace: the marks that the text
 * timeline and the picture show on the event (or the process) at fault. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "trace.h"

static struct trace_mark *mark_new(struct trace *t, int check, const char *why)
{
    struct trace_mark *m;

    if (t->nmarks >= TRACE_MAX_MARKS) {
        errno = ENOSPC;
        return NULL;
    }
    m = &t->marks[t->nmarks++];
    memset(m, 0, sizeof *m);
    m->check = check;
    if (why != NULL)
        snprintf(m->why, sizeof m->why, "%s", why);
    return m;
}

int trace_mark_event(struct trace *t, size_t event, int check, const char *why)
{
    struct trace_mark *m;

    if (event >= t->nev || check < 0) {
        errno = EINVAL;
        return -1;
    }
    m = mark_new(t, check, why);
    if (m == NULL)
        return -1;
    m->event = (long)event;
    m->launch = t->ev[event].launch;
    m->pid = t->ev[event].pid;
    if (t->ev[event].check < 0)
        t->ev[event].check = check;
    return 0;
}

int trace_mark_process(struct trace *t, int launch, pid_t pid, int check, const char *why)
{
    struct trace_mark *m;

    if (launch < 0 || launch >= t->nlaunches || check < 0) {
        errno = EINVAL;
        return -1;
    }
    m = mark_new(t, check, why);
    if (m == NULL)
        return -1;
    m->event = -1;
    m->launch = launch;
    m->pid = pid;
    return 0;
}
