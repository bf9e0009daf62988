/* trace_explain_service.c — where a new-style service went wrong, in the
 * trace: forked away, READY=1 from the wrong process or too early,
 * STOPPING=1 missing, a reload badly said, its own socket, the watchdog
 * unfed, the journal left (see trace_explain_parts.h).
 *
 * The trace holds no sd_notify datagram (the notify socket's record
 * does): what the service said is taken from the evidence, and shown on
 * the process that said it, or should have, or on the checker's act it
 * answered. A datagram's arrival is put on the trace's axis by its
 * CLOCK_MONOTONIC time. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>

#include "notify.h"
#include "trace_explain_parts.h"
#include "trace_words.h"

static pid_t main_of(const struct service_seen *s)
{
    return s->mainpid_valid ? s->mainpid : s->started;
}

static int from_main(const struct service_seen *s, pid_t sender)
{
    return sender > 0 && (sender == s->started || (s->mainpid_valid && sender == s->mainpid));
}

/* " at +8.2 ms": when the first datagram from sender with a fact arrived,
 * in ms since the launch began; "" when the record did not keep it. */
static void arrival_words(const struct explain *x, int launch, pid_t sender,
                          enum notify_fact fact, char *buf, size_t cap)
{
    const struct notify_record *rec = x->ev->notify;

    buf[0] = '\0';
    if (rec == NULL || launch < 0 || launch >= x->t->nlaunches)
        return;
    for (size_t i = 0; i < rec->nmsgs; i++) {
        const struct notify_msg *m = &rec->msgs[i];

        if (m->from.pid == sender && (m->p.facts & NOTIFY_BIT(fact)) && !notify_msg_dropped(m)) {
            snprintf(buf, cap, " at +%.1f ms", (double)(m->from.mono_us - x->t->t0_mono_us -
                                                        x->t->launches[launch].t0_us) / 1000.0);
            return;
        }
    }
}

static int launch_of(const struct explain *x, pid_t pid)
{
    const struct trace_proc *p = trace_find_proc(x->t, pid);

    return p ? p->launch : x->first;
}

void ex_stays_foreground(struct explain *x, int check)
{
    pid_t started = x->ev->svc.started;
    struct tq_match fork = { x->first, started, TE_SPAWN, NULL, NULL };
    long end = tq_exit(x->t, x->first, started), spawn;
    char how[64];

    if (end < 0)
        return;
    spawn = tq_prev(x->t, end, &fork);
    ex_end_words(x, end, how, sizeof how);
    if (spawn >= 0)
        ex_mark_event(x, end, check, "pid %d, the process the manager started, %s here, after "
                      "forking pid %d at +%.1f ms: a service manager takes this exit as the "
                      "service's end", (int)started, how, (int)x->t->ev[spawn].value,
                      tq_ms(x->t, spawn));
    else
        ex_mark_event(x, end, check, "pid %d, the process the manager started, %s here: a "
                      "service manager takes this exit as the service's end", (int)started, how);
}

void ex_notify_ready(struct explain *x, int check)
{
    const struct service_seen *s = &x->ev->svc;
    const struct notify_record *rec = x->ev->notify;
    pid_t main = main_of(s), sender = s->ready_sender;
    int launch = launch_of(x, sender);
    char at[32];

    if (main <= 0)
        return;
    if (!rec || s->ready_ms < 0) {
        ex_mark_proc(x, x->first, main, check, "no READY=1 ever arrived from pid %d, nor from "
                     "any other process (%lu datagram%s in all)", (int)main,
                     rec ? rec->total : 0, rec && rec->total == 1 ? "" : "s");
        return;
    }
    arrival_words(x, launch, sender, NOTIFY_READY, at, sizeof at);
    if (!from_main(s, sender))
        ex_mark_proc(x, launch, sender, check, "READY=1 came from this process (pid %d)%s, not "
                     "from the main process, pid %d: a manager ignores it", (int)sender, at,
                     (int)main);
    else if (s->connect_tried && !s->connect_accepted)
        ex_mark_proc(x, launch, sender, check, "READY=1 came from pid %d%s, but a connection "
                     "made then waited %ld ms unaccepted: it said ready before it served",
                     (int)sender, at, s->accept_ms);
}

void ex_notify_stopping(struct explain *x, int check)
{
    const struct service_seen *s = &x->ev->svc;
    const struct notify_record *rec = x->ev->notify;
    pid_t main = main_of(s);
    long term = ex_checker_signal(x, x->first, main, SIGTERM);
    long end = tq_exit(x->t, x->first, main);
    char how[64];

    if (rec && rec->first_stopping_ms >= 0 && rec->first_stopping_ms < s->term_ms) {
        ex_mark_event(x, term, check, "STOPPING=1 came %ld ms before this SIGTERM: send it when "
                      "asked to stop, not before", s->term_ms - rec->first_stopping_ms);
        return;
    }
    if (end < 0 || term < 0 || end < term)
        return;
    ex_end_words(x, end, how, sizeof how);
    ex_mark_event(x, end, check, "pid %d %s here, %.1f ms after the SIGTERM, without sending "
                  "STOPPING=1", (int)main, how, tq_ms(x->t, end) - tq_ms(x->t, term));
}

/* Is a reload's MONOTONIC_USEC= more than a second away from its arrival
 * on the same clock (the judge's tolerance, judges_service.c)? */
static int monotonic_off(const struct notify_reload *rl)
{
    long long sent = (long long)rl->monotonic_usec;

    return sent < rl->arrival_us - 1000000LL || sent > rl->arrival_us + 1000000LL;
}

void ex_reload_on_sighup(struct explain *x, int check)
{
    const struct service_seen *s = &x->ev->svc;
    pid_t main = main_of(s);
    long hup = ex_checker_signal(x, x->first, main, SIGHUP);
    long end = tq_exit(x->t, x->first, main);
    const struct notify_reload *rl;
    char how[64];

    if (hup < 0)
        return;
    if (!s->survived_sighup) {
        if (end < hup)
            return;
        ex_end_words(x, end, how, sizeof how);
        ex_mark_event(x, end, check, "the service %s here, after the checker's SIGHUP "
                      "at +%.1f ms: to a service, SIGHUP asks for a reload", how, tq_ms(x->t, hup));
        return;
    }
    rl = x->ev->notify ? notify_reload_since(x->ev->notify, s->sighup_ms) : NULL;
    if (rl == NULL)
        return;
    if (!rl->has_monotonic)
        ex_mark_event(x, hup, check, "after this SIGHUP the service sent RELOADING=1 without "
                      "MONOTONIC_USEC=");
    else if (monotonic_off(rl))
        ex_mark_event(x, hup, check, "after this SIGHUP the service sent RELOADING=1 with a "
                      "MONOTONIC_USEC= that is not the time it was sent");
    else
        ex_mark_event(x, hup, check, "after this SIGHUP the service sent RELOADING=1, and never "
                      "READY=1 after it");
}

void ex_socket_activation(struct explain *x, int check)
{
    const struct service_seen *s = &x->ev->svc;
    pid_t main = main_of(s);

    if (s->own_listener)
        ex_mark_proc(x, x->first, main, check, "pid %d listens on port %u of its own, instead of "
                     "accepting on fd 3, the socket it was handed", (int)main,
                     s->own_listener_port);
    else if (s->connect_tried && !s->connect_accepted && !s->accepted_later)
        ex_mark_proc(x, x->first, main, check, "a connection to fd 3, the socket pid %d was "
                     "handed, was never accepted", (int)main);
}

/* The first sender other than main that pinged, or 0. */
static pid_t other_pinger(const struct notify_record *rec, pid_t main)
{
    for (size_t i = 0; i < rec->nsenders && i < NOTIFY_MAX_SENDERS; i++)
        if (rec->senders[i].pid != main && rec->senders[i].pings > 0)
            return rec->senders[i].pid;
    return 0;
}

void ex_watchdog(struct explain *x, int check)
{
    const struct service_seen *s = &x->ev->svc;
    const struct notify_record *rec = x->ev->notify;
    pid_t main = main_of(s), other;
    struct notify_gap gap;

    if (rec == NULL || s->ready_ms < 0 || s->term_ms < 0)
        return;
    notify_watchdog_gap(rec, main, s->ready_ms, s->term_ms, &gap);
    other = other_pinger(rec, main);
    if (gap.pings == 0 && other > 0)
        ex_mark_proc(x, launch_of(x, other), other, check, "the WATCHDOG=1 pings came from this "
                     "process (pid %d), not from the main process, pid %d: a manager ignores "
                     "them", (int)other, (int)main);
    else if (gap.pings == 0)
        ex_mark_proc(x, x->first, main, check, "pid %d sent no WATCHDOG=1 in the %ld ms between "
                     "READY=1 and SIGTERM", (int)main, s->term_ms - s->ready_ms);
    else
        ex_mark_proc(x, x->first, main, check, "pid %d once went %ld ms without a WATCHDOG=1: "
                     "longer than the interval it was given", (int)main, gap.max_gap_ms);
}

void ex_logs_to_stderr(struct explain *x, int check)
{
    if (x->line.n == 0)
        return;
    for (int fd = 1; fd <= 2; fd++) {
        const struct fd_seen *f = daemon_fd(&x->ev->daemon, fd);
        long step;

        if (f && f->is_journal)
            continue;
        step = ex_line_last_on_fd(x, fd);
        if (step >= 0)
            ex_mark_event(x, step, check, "from here on fd %d is %s, not the journal "
                          "pipe the manager handed in", fd,
                          f ? f->target : "closed");
        else
            ex_mark_proc(x, x->first, x->daemon, check, "fd %d is %s, not the journal pipe the "
                         "manager handed in", fd, f ? f->target : "closed");
    }
}
