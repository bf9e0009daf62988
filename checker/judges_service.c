/* judges_service.c — the judges of the new-style checks (--profile
 * new-style): a daemon started as a service manager starts a service,
 * judged on its process, its sd_notify datagrams and its journal. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "judge_text.h"
#include "judges.h"
#include "notify.h"
#include "text.h"

/* Did the main process send it: the started one, or the one MAINPID=
 * named? A child the service forked away is not its main process. */
static int from_main(const struct service_seen *s, pid_t sender)
{
    return sender > 0 && (sender == s->started || (s->mainpid_valid && sender == s->mainpid));
}

void judge_stays_foreground(const struct evidence *ev, const struct options *opt,
                            struct result *r)
{
    const struct service_seen *s = &ev->svc;
    char how[96];

    (void)opt;
    expect(r, "pid %d, the started process, stays the service until it is asked to stop",
           (int)s->started);
    /* Judged after the first settle: a death later (of the SIGHUP, say)
     * is the business of the checks of that moment. */
    if (s->started_alive) {
        observe(r, "pid %d (%s) is the service", (int)s->started, ev->daemon.st.comm);
        verdict(r, ST_PASS, "the service stays in the foreground");
        return;
    }
    if (s->mainpid_valid) {
        observe(r, "the started process ended; MAINPID=%d names the main process",
                (int)s->mainpid);
        verdict(r, ST_PASS, "MAINPID= names the service's main process, a live descendant");
        return;
    }
    describe_wait_status(s->started_end.seen ? s->started_end.status : 0, how, sizeof how);
    observe(r, "pid %d %s; pid %d (%s) runs on", (int)s->started,
            s->started_end.seen ? how : "ended", (int)ev->daemon.st.pid, ev->daemon.st.comm);
    verdict(r, ST_FAIL, "the started process forked the service away and left: under a service "
            "manager, do not daemonize (no fork, no setsid, no pidfile)");
}

#define ABSTRACT_FORM "NOTIFY_SOCKET=@name is an abstract address (a NUL byte, then the " \
    "name, its length counting only those bytes), not a file"

/* Nothing arrived at an abstract NOTIFY_SOCKET. The address's form is
 * blamed only on evidence that the service tried it (its journal shows a
 * notification failing with ENOENT, or names the variable); without any,
 * a service that never sent a thing looks the same, and both are said. */
static void judge_nothing_at_abstract(const struct service_seen *s, struct result *r)
{
    if (s->journal_hints & JOURNAL_NOTIFY_ENOENT) {
        observe_more(r, "; the journal shows a notification failing with \"No such file or "
                     "directory\"");
        verdict(r, ST_FAIL, "the service sent to a file that does not exist: " ABSTRACT_FORM);
    } else if (s->journal_hints & JOURNAL_NAMES_NOTIFY) {
        observe_more(r, "; the journal shows that the service read NOTIFY_SOCKET");
        verdict(r, ST_FAIL, "the service read NOTIFY_SOCKET, yet nothing arrived: "
                ABSTRACT_FORM);
    } else {
        verdict(r, ST_FAIL, "nothing arrived: either the service never sent READY=1 (send it "
                "to NOTIFY_SOCKET once the service can serve), or it sent it to the wrong "
                "address: " ABSTRACT_FORM);
    }
}

void judge_notify_ready(const struct evidence *ev, const struct options *opt, struct result *r)
{
    const struct service_seen *s = &ev->svc;
    const struct notify_record *rec = ev->notify;

    expect(r, "READY=1 from the main process within %.1f s%s", opt->timeout_ms / 1000.0,
           opt->socket_activation ? ", and a connection made then accepted" : "");
    if (!rec || s->ready_ms < 0) {
        unsigned long total = rec ? rec->total : 0;

        observe(r, "no READY=1 in %lu datagram%s", total, total == 1 ? "" : "s");
        if (total == 0 && opt->notify == NOTIFY_ABSTRACT)
            judge_nothing_at_abstract(s, r);
        else
            verdict(r, ST_FAIL, "send READY=1 to NOTIFY_SOCKET once the service can serve");
        return;
    }
    observe(r, "READY=1 from pid %d after %ld ms", (int)s->ready_sender, s->ready_ms);
    if (!from_main(s, s->ready_sender)) {
        verdict(r, ST_FAIL, "READY=1 came from pid %d, not from the main process (%d): a "
                "manager refuses it (NotifyAccess=main); unset NOTIFY_SOCKET before starting "
                "children", (int)s->ready_sender, (int)s->started);
        return;
    }
    if (s->connect_tried && !s->connect_accepted) {
        observe_more(r, "; a connection made then was not accepted in %ld ms", s->accept_ms);
        verdict(r, ST_FAIL, "READY=1 came before the service served: send it once the service "
                "accepts connections");
        return;
    }
    if (s->connect_tried)
        observe_more(r, "; a connection made then was accepted after %ld ms", s->accept_ms);
    verdict(r, ST_PASS, "the service said it was ready, and was");
}

void judge_notify_stopping(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    const struct service_seen *s = &ev->svc;
    const struct notify_record *rec = ev->notify;

    (void)opt;
    expect(r, "STOPPING=1 after SIGTERM, before the main process exits");
    if (!ev->stopped && !ev->stopped_by_term) {
        skip(r, "the main process did not stop (see stops-on-sigterm)");
        return;
    }
    if (rec && rec->first_stopping_ms >= s->term_ms && rec->first_stopping_ms <= s->exit_ms) {
        observe(r, "STOPPING=1 %ld ms after SIGTERM, from pid %d",
                rec->first_stopping_ms - s->term_ms, (int)rec->first_stopping_sender);
        verdict(r, ST_PASS, "the service said it was stopping");
        return;
    }
    if (rec && rec->first_stopping_ms >= 0 && rec->first_stopping_ms < s->term_ms) {
        observe(r, "STOPPING=1 %ld ms before SIGTERM", s->term_ms - rec->first_stopping_ms);
        verdict(r, ST_FAIL, "send STOPPING=1 when asked to stop, not before");
        return;
    }
    observe(r, "no STOPPING=1 before the main process ended");
    verdict(r, ST_FAIL, "on SIGTERM, send STOPPING=1 before cleaning up and exiting");
}

void judge_reload_on_sighup(const struct evidence *ev, const struct options *opt,
                            struct result *r)
{
    const struct service_seen *s = &ev->svc;
    const struct notify_reload *rl = ev->notify ? notify_reload_since(ev->notify, s->sighup_ms)
                                                : NULL;
    char how[96];

    (void)opt;
    expect(r, "alive after SIGHUP; a RELOADING=1 with MONOTONIC_USEC=, then READY=1");
    if (!s->sighup_ran) {
        skip(r, "the service was not running any more at the SIGHUP (see daemon-running)");
        return;
    }
    if (!s->survived_sighup) {
        describe_wait_status(ev->daemon_end.seen ? ev->daemon_end.status : 0, how, sizeof how);
        observe(r, "pid %d %s", (int)ev->daemon.st.pid, ev->daemon_end.seen ? how : "ended");
        verdict(r, ST_FAIL, "SIGHUP means \"reload\" to a service: catch it (a flag the loop "
                "reads) instead of dying of it");
        return;
    }
    if (!rl) {
        observe(r, "survived; no RELOADING=1");
        verdict(r, ST_PASS, "the service survived SIGHUP");
        return;
    }
    if (!rl->has_monotonic) {
        observe(r, "RELOADING=1 without MONOTONIC_USEC=");
        verdict(r, ST_FAIL, "send MONOTONIC_USEC=<CLOCK_MONOTONIC in microseconds> in the "
                "same datagram as RELOADING=1 (Type=notify-reload requires it)");
        return;
    }
    if ((long long)rl->monotonic_usec < rl->arrival_us - 1000000LL ||
        (long long)rl->monotonic_usec > rl->arrival_us + 1000000LL) {
        observe(r, "RELOADING=1 with MONOTONIC_USEC=%llu, %lld us from its arrival",
                rl->monotonic_usec, rl->arrival_us - (long long)rl->monotonic_usec);
        verdict(r, ST_FAIL, "MONOTONIC_USEC= must be CLOCK_MONOTONIC, in microseconds, when "
                "the datagram is sent");
        return;
    }
    if (rl->ready_ms < 0) {
        observe(r, "RELOADING=1, and no READY=1 after it");
        verdict(r, ST_FAIL, "send READY=1 once the reload is done: the manager waits for it");
        return;
    }
    observe(r, "RELOADING=1 with MONOTONIC_USEC=, READY=1 %ld ms later",
            rl->ready_ms - rl->ms);
    verdict(r, ST_PASS, "the service reloaded and said so");
}

void judge_socket_activation(const struct evidence *ev, const struct options *opt,
                             struct result *r)
{
    const struct service_seen *s = &ev->svc;

    (void)opt;
    expect(r, "a connection to the passed descriptor 3 accepted, no listening socket of its "
           "own");
    if (s->own_listener) {
        observe(r, "pid %d listens on port %u of its own", (int)ev->daemon.st.pid,
                s->own_listener_port);
        verdict(r, ST_FAIL, "when LISTEN_PID is getpid() and LISTEN_FDS >= 1, accept() on "
                "descriptor 3 instead of binding a socket of your own");
        return;
    }
    if (!s->connect_tried) {
        skip(r, "READY=1 never came, so no connection was made (see notify-ready)");
        return;
    }
    if (!s->connect_accepted && !s->accepted_later) {
        observe(r, "a connection to the passed socket was never accepted");
        verdict(r, ST_FAIL, "accept() on descriptor 3, the socket the manager passed "
                "(LISTEN_FDS)");
        return;
    }
    if (!s->connect_accepted) {
        observe(r, "a connection to the passed socket was accepted, later than %ld ms (see "
                "notify-ready)", s->accept_ms);
        verdict(r, ST_PASS, "the service serves on the socket it was given");
        return;
    }
    observe(r, "a connection to the passed socket was accepted after %ld ms", s->accept_ms);
    verdict(r, ST_PASS, "the service serves on the socket it was given");
}

void judge_watchdog(const struct evidence *ev, const struct options *opt, struct result *r)
{
    const struct service_seen *s = &ev->svc;
    struct notify_gap gap;
    pid_t main = s->mainpid_valid ? s->mainpid : s->started;

    expect(r, "WATCHDOG=1 from pid %d at least every %u ms between READY=1 and SIGTERM",
           (int)main, opt->watchdog_ms);
    if (!ev->notify || s->ready_ms < 0 || s->term_ms < 0) {
        skip(r, "no READY=1, or no SIGTERM: no interval to judge (see notify-ready)");
        return;
    }
    notify_watchdog_gap(ev->notify, main, s->ready_ms, s->term_ms, &gap);
    observe(r, "%lu ping%s from pid %d in %ld ms, the longest gap %ld ms", gap.pings,
            gap.pings == 1 ? "" : "s", (int)main, s->term_ms - s->ready_ms, gap.max_gap_ms);
    if (gap.pings == 0) {
        verdict(r, ST_FAIL, "send WATCHDOG=1 from the main process every WATCHDOG_USEC / 2 "
                "(a child's pings do not count)");
        return;
    }
    if (gap.max_gap_ms > (long)opt->watchdog_ms) {
        verdict(r, ST_FAIL, "a gap longer than the watchdog interval: a manager would have "
                "killed the service; ping every half interval, from the main loop");
        return;
    }
    verdict(r, ST_PASS, "the watchdog was fed in time");
}

void judge_logs_to_stderr(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    const struct service_seen *s = &ev->svc;

    (void)opt;
    expect(r, "fds 1 and 2 still the journal pipe the manager handed in");
    if (s->journal_fds == 2) {
        observe(r, "1 and 2 -> %s", s->fd1);
        verdict(r, ST_PASS, "the service logs to the journal");
        return;
    }
    observe(r, "1 -> %s, 2 -> %s", s->fd1, s->fd2);
    verdict(r, ST_FAIL, "leave stdout and stderr as the manager gave them: they are the "
            "journal (log to stderr)");
}
