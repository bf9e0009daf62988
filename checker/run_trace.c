/* run_trace.c — a run under --trace: the tracer set up with the run,
 * every launch handed to it before its exec, what the checker itself did
 * written into the record where it happened, and the end (every traced
 * process killed and reaped, each launch's processes given their roles).
 * Without --trace nothing here does anything. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "run_parts.h"

static enum trace_launch_kind kind_of(enum origin origin)
{
    switch (origin) {
    case ORIGIN_SECOND: return TL_SECOND;
    case ORIGIN_STOP:   return TL_STOP;
    case ORIGIN_STALE:  return TL_STALE;
    default:            return TL_START;
    }
}

/* The launch a process belongs to: its own, when the trace knows it;
 * else the latest launch (the checker acts on the launch under way). */
static int launch_of(const struct run *r, pid_t pid)
{
    struct trace_proc *p = pid > 0 ? trace_find_proc(r->trace, pid) : NULL;

    if (p)
        return p->launch;
    return r->trace->nlaunches > 0 ? r->trace->nlaunches - 1 : -1;
}

/* One TE_CHECKER event: what the checker did, to pid (0: to no process). */
static void record_act(struct run *r, int launch, pid_t pid, enum trace_checker_act act, int sig)
{
    long i;

    if (launch < 0)
        return;
    i = trace_add_event(r->trace, launch, pid, 0, TE_CHECKER, sig, NULL);
    if (i >= 0)
        r->trace->ev[i].arg = act;
}

static int in_flight(void *ctx, pid_t pid)
{
    return tracer_signal_in_flight(((struct run *)ctx)->tracer, pid);
}

static void on_signal(void *ctx, pid_t pid, int sig, int sweep)
{
    struct run *r = ctx;

    record_act(r, launch_of(r, pid), pid, sweep ? TC_SWEEP : TC_SIGNAL, sig);
}

static int on_wait(void *ctx, pid_t pid, int status)
{
    return tracer_on_wait(((struct run *)ctx)->tracer, pid, status);
}

int run_trace_begin(struct run *r, struct trace *rec)
{
    struct tracer_config cfg;

    if (!r->opt->trace)
        return 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.mode = TRACER_AUTO;
    cfg.pidfile = r->ev->has_pidfile ? r->ev->pidfile_path : NULL;
    /* A new-style service is given no sentinels: its descriptors and
     * signals are the manager's, and only the classic launch plants them. */
    if (r->opt->profile != PROFILE_NEW_STYLE) {
        for (int i = 0; i < SENTINEL_FDS; i++)
            cfg.sentinel_fds[cfg.nsentinel_fds++] = r->ev->sentinel_fd[i];
        cfg.watched_sigs[cfg.nwatched_sigs++] = r->h.blocked_sig;
        cfg.watched_sigs[cfg.nwatched_sigs++] = r->h.ignored_sig;
    }
    trace_init(rec, 0, 0);
    r->trace = rec;
    r->tracer = tracer_new(&cfg, rec);
    if (!r->tracer)
        return run_fail(r, "unable to set up the trace: %s", strerror(errno));
    r->t.hooks = (struct tracker_hooks){ r, on_wait, on_signal, in_flight };
    return 0;
}

const struct launch_trace *run_trace_launch(struct run *r, enum origin origin,
                                            struct launch_trace *buf)
{
    if (!r->tracer)
        return NULL;
    *buf = (struct launch_trace){ r->tracer, r->opt->profile == PROFILE_NEW_STYLE
                                                 ? TL_SERVICE : kind_of(origin) };
    return buf;
}

void run_trace_hangup(struct run *r, const struct launch *l)
{
    if (r->tracer)
        record_act(r, l->trace_index, 0, TC_HANGUP, SIGHUP);
}

void run_trace_stop_command(struct run *r, const struct launch *stopper)
{
    if (r->tracer)
        record_act(r, stopper->trace_index, stopper->launcher, TC_STOP_COMMAND, 0);
}

/* The sd_notify datagrams, from the checker's own record of them: who
 * sent each (its credentials) and when it arrived (CLOCK_MONOTONIC, the
 * trace's clock). The renderers order events by time. */
static void add_datagrams(struct run *r)
{
    const struct notify_record *rec = &r->notify->rec;

    for (size_t i = 0; i < rec->nmsgs; i++) {
        const struct notify_msg *m = &rec->msgs[i];
        struct trace_proc *p = trace_find_proc(r->trace, m->from.pid);
        long e = trace_add_event(r->trace, launch_of(r, m->from.pid), m->from.pid,
                                 p ? p->ppid : 0, TE_NOTIFY, 0, "%s", m->raw);

        if (e >= 0)
            r->trace->ev[e].us = m->from.mono_us - r->trace->t0_mono_us;
    }
}

/* The processes of a launch get their roles from the daemon the checker
 * judged in it (0: none was found). */
static void assign_roles(struct run *r)
{
    for (int i = 0; i < r->trace->nlaunches; i++) {
        enum trace_launch_kind kind = r->trace->launches[i].kind;
        pid_t daemon = 0;

        if ((kind == TL_START || kind == TL_SERVICE) && r->have_daemon)
            daemon = r->daemon.pid;
        else if (kind == TL_STALE)
            daemon = r->stale_daemon;
        else if (kind == TL_SECOND && r->ev->second_new.count > 0)
            daemon = r->ev->second_new.pid[0];     /* a second daemon, left running */
        trace_assign_roles(r->trace, i, daemon);
    }
}

void run_trace_end(struct run *r)
{
    if (!r->tracer)
        return;
    /* Killed and reaped by the sweep already, but for what escaped it
     * (a process that stops at its exit, one forked at the last moment). */
    tracer_finish(r->tracer);
    r->t.hooks = (struct tracker_hooks){ 0 };
    tracer_free(r->tracer);
    r->tracer = NULL;
    if (r->notify && r->notify->rec.msgs)
        add_datagrams(r);
    assign_roles(r);
}
