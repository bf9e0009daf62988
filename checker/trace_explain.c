/* trace_explain.c — where, in the trace, each failed check went wrong
 * (see trace_explain.h): each check's finder (the checks table's explain
 * column) called for its failure, the facts the finders share, and how
 * they mark what they found. The finders themselves are in
 * trace_explain_life.c (starting, running, stopping),
 * trace_explain_state.c (what the daemon is), trace_explain_pidfile.c and
 * trace_explain_service.c (new-style). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "trace_explain.h"
#include "trace_explain_parts.h"
#include "trace_words.h"

void ex_mark_event(struct explain *x, long event, int check, const char *fmt, ...)
{
    char why[TRACE_WHY];
    va_list ap;

    if (event < 0)
        return;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    (void)trace_mark_event(x->t, (size_t)event, check, why);
}

void ex_mark_proc(struct explain *x, int launch, pid_t pid, int check, const char *fmt, ...)
{
    char why[TRACE_WHY];
    va_list ap;

    /* A process the record lacks is no place to show anything. */
    if (launch < 0 || (pid > 0 && tq_proc(x->t, launch, pid) == NULL))
        return;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    (void)trace_mark_process(x->t, launch, pid, check, why);
}

const char *ex_role(const struct explain *x, int launch, pid_t pid)
{
    const struct trace_proc *p = tq_proc(x->t, launch, pid);

    if (p == NULL || launch < 0 || launch >= x->t->nlaunches)
        return "process";
    return trace_role_words(x->t->launches[launch].kind, p->role);
}

void ex_end_words(const struct explain *x, long event, char *buf, size_t cap)
{
    int status = (int)x->t->ev[event].value;

    if (WIFSIGNALED(status) && cap > 4) {
        memcpy(buf, "was ", 4);
        trace_status_words(buf + 4, cap - 4, status);
    } else {
        trace_status_words(buf, cap, status);
    }
}

long ex_line_last(const struct explain *x, int kind,
                  int (*test)(const struct trace_event *e, const void *arg), const void *arg)
{
    struct tq_match m = { -1, 0, kind, test, arg };

    if (x->line.n == 0)
        return -1;
    return tq_line_last(x->t, &x->line, &m);
}

static int touches_fd(const struct trace_event *e, const void *arg)
{
    int fd = *(const int *)arg;

    switch (e->kind) {
    case TE_OPEN: case TE_DUP:
        return e->value == fd;
    case TE_CLOSE:          /* arg: a range's last fd, else the fd again */
        return e->value <= fd && (e->arg > e->value ? e->arg : e->value) >= fd;
    default:
        return 0;
    }
}

long ex_line_last_on_fd(const struct explain *x, int fd)
{
    return ex_line_last(x, -1, touches_fd, &fd);
}

long ex_daemon_exit(const struct explain *x)
{
    return tq_exit(x->t, x->first, x->daemon);
}

static int is_act(const struct trace_event *e, const void *arg)
{
    return e->arg == *(const enum trace_checker_act *)arg;
}

long ex_checker_act(const struct explain *x, int launch, enum trace_checker_act act, pid_t pid,
                    long after)
{
    struct tq_match m = { launch, pid, TE_CHECKER, is_act, &act };

    return launch < 0 ? -1 : tq_next(x->t, after, &m);
}

long ex_checker_signal(const struct explain *x, int launch, pid_t pid, int sig)
{
    for (long i = ex_checker_act(x, launch, TC_SIGNAL, pid, -1); i >= 0;
         i = ex_checker_act(x, launch, TC_SIGNAL, pid, i))
        if (x->t->ev[i].value == sig)
            return i;
    return -1;
}

int ex_sig_in(unsigned long long mask, int sig)
{
    return sig >= 1 && sig <= 64 && ((mask >> (sig - 1)) & 1);
}

/* The facts every finder needs: the first start, the daemon, its line. */
static void explain_init(struct explain *x, struct trace *t, const struct evidence *ev,
                         const struct result *results)
{
    x->t = t;
    x->ev = ev;
    x->results = results;
    x->first = tq_launch(t, TL_START);
    if (x->first < 0)
        x->first = tq_launch(t, TL_SERVICE);
    x->daemon = ev->daemon.found ? ev->daemon.st.pid : 0;
    if (x->first < 0 || x->daemon <= 0 || tq_line(t, x->first, x->daemon, &x->line) < 0)
        x->line.n = 0;
}

void trace_explain(struct trace *t, const struct evidence *ev, const struct result *results)
{
    struct explain x;

    explain_init(&x, t, ev, results);
    for (int c = 0; c < CK_COUNT; c++)
        if ((results[c].status == ST_FAIL || results[c].status == ST_WARN) && checks[c].explain)
            checks[c].explain(&x, c);
}
