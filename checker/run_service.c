/* run_service.c — the phases of a new-style run (--profile new-style): the
 * checker plays the service manager. The service is started as one (see
 * svclaunch.h), with the checker's own NOTIFY_SOCKET (notify.h), a
 * listening socket with --socket-activation, WATCHDOG_USEC with
 * --watchdog; then, in order:
 *   1 wait for READY=1 (and, with socket activation, connect at once),
 *   2 settle, find the main process and inspect it,
 *   3 SIGHUP, settle, and let a reload that was announced finish,
 *   4 SIGTERM (or the stop command), and the sweep (run.c).
 * Every datagram is recorded as it comes, stamped by the kernel; the
 * judges read the record afterwards. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "run_parts.h"

/* Longest pause between two looks at a condition that no event announces
 * (a connection accepted, a signal taken): the looks start at 1 ms. */
#define LOOK_MAX_MS 32

/* The settle time, and at least a fifth of the timeout: what cannot be
 * waited for as an event (an accept(), a process going back to sleep) is
 * looked at until then, so that --settle 0 asks for no instant. */
static unsigned quiet_bound_ms(const struct run *r)
{
    unsigned fifth = r->opt->timeout_ms / 5;

    return r->opt->settle_ms > fifth ? r->opt->settle_ms : fifth;
}

static long since_start(const struct run *r)
{
    return now_ms() - r->start_ms;
}

/* Wait for fd (fd < 0: none) or the deadline, receiving the service's
 * datagrams meanwhile: 2 when datagrams came, 1 when fd is readable, 0 at
 * the deadline, -1 on failure (message set). */
static int service_wait(struct run *r, int fd, long deadline)
{
    int fds[2] = { r->notify->fd, fd };
    int got = tracker_wait_fds(&r->t, fds, fd >= 0 ? 2 : 1, deadline);

    if (got < 0)
        return run_wait_failed(r, "the service");
    if (got == 1) {
        if (notify_receive(r->notify) < 0)
            return run_fail(r, "unable to receive on NOTIFY_SOCKET: recvmsg: %s",
                            strerror(errno));
        return 2;
    }
    return got == 2;
}

/* Sleep until the deadline, the datagrams received as they come. */
static int service_settle(struct run *r, long deadline)
{
    int got;

    while ((got = service_wait(r, -1, deadline)) == 2)
        ;
    return got < 0 ? -1 : 0;
}

/* Set-up: the receiver, the listening socket, the environment. */
static int service_setup(struct run *r)
{
    const char *env, *step;

    /* A service that gives up root before it notifies (squid's workers
     * run as proxy) must reach the socket in the scratch directory. */
    if (r->opt->notify != NOTIFY_ABSTRACT && scratch_searchable(&r->sc) < 0)
        return run_fail(r, "unable to open the scratch directory %s to the service's users: "
                        "fchmod: %s", r->sc.root, strerror(errno));
    env = notify_open(r->notify, r->opt->notify == NOTIFY_ABSTRACT, r->sc.root, r->start_ms);
    if (!env)
        return run_fail(r, "unable to make the NOTIFY_SOCKET %s: %s: %s",
                        r->opt->notify == NOTIFY_ABSTRACT ? "at an abstract address"
                        : "in the scratch directory", r->notify->failed, strerror(errno));
    r->ev->notify = &r->notify->rec;
    if (r->opt->socket_activation &&
        (r->listener = service_listener(&r->port, &step)) < 0)
        return run_fail(r, "unable to make the listening socket: %s: %s", step, strerror(errno));
    if (service_env_build(&r->env, env, r->listener, r->opt->watchdog_ms) < 0)
        return run_fail(r, "unable to build the service's environment: %s", strerror(errno));
    return 0;
}

static int service_launch(struct run *r)
{
    struct service_seen *s = &r->ev->svc;
    struct launch_failure failed;
    struct launch_trace lt;
    const char *step;

    r->t.current = ORIGIN_FIRST;
    if (service_start(&r->svc, &r->t, r->cmd->argv, &r->env, r->listener,
                      run_trace_launch(r, ORIGIN_FIRST, &lt), &failed, &step) < 0)
        return run_fail(r, "unable to start %s: %s: %s", r->cmd->argv[0], step, strerror(errno));
    if (failed.step == LS_EXEC)
        return run_fail(r, "unable to execute %s: %s", r->cmd->argv[0], strerror(failed.err));
    if (failed.step != LS_NONE)
        return run_fail(r, "unable to start %s: %s: %s", r->cmd->argv[0],
                        launch_step_name(failed.step), strerror(failed.err));
    if (tracker_watch_tail(&r->t, r->svc.journal, s->journal, sizeof s->journal,
                           &s->journal_len, &s->journal_total) < 0)
        return run_fail(r, "unable to read the journal pipe: %s", strerror(errno));
    r->ref.journal = r->svc.journal_id;
    s->ran = 1;
    s->started = r->svc.pid;
    s->ready_ms = s->sighup_ms = s->term_ms = s->exit_ms = -1;
    return 0;
}

/* Phase 1: READY=1, or the end of every process of the service, or the
 * timeout. */
static int wait_ready(struct run *r)
{
    long until = run_deadline(r->opt->timeout_ms);
    struct procset gone = { 0 };
    int rc = 0;

    while (rc == 0 && r->notify->rec.first_ready_ms < 0) {
        struct tracked picked;
        int fd = run_pidfd_of(r, ORIGIN_FIRST, &gone, &picked), got;

        if (fd < 0) {
            if (errno)
                rc = run_fail(r, "unable to follow the service: %s", strerror(errno));
            break;
        }
        got = service_wait(r, fd, until);
        close(fd);
        if (got <= 0) {
            rc = got;
            break;
        }
        if (got == 1 && procset_add(&gone, &picked) < 0)
            rc = run_fail(r, "unable to follow the service: %s", strerror(errno));
    }
    procset_free(&gone);
    return rc;
}

/* How many connections wait in the listening socket's queue: the service
 * has accepted ours when none does. TCP_INFO reports it for a listening
 * socket in tcpi_unacked. -1 with errno. */
static int accept_queue(int listener)
{
    struct tcp_info info;
    socklen_t len = sizeof info;

    if (getsockopt(listener, IPPROTO_TCP, TCP_INFO, &info, &len) < 0)
        return -1;
    return (int)info.tcpi_unacked;
}

static int connect_to_listener(const struct run *r)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)r->port) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        fd_close_keep_errno(fd);
        return -1;
    }
    return fd;
}

/* With socket activation: a connection made when READY=1 came must be
 * accepted. The service's accept() sends no event to anyone, so the queue
 * is looked at, every time the client end stirs and at growing intervals,
 * until the settle time is over (and at least a fifth of the timeout, so
 * that --settle 0 does not ask for an instant accept()). */
/* Look at the queue every time the client end stirs and at growing
 * intervals, until it is empty or the deadline: *queued is what waits
 * then (-1 with errno when it cannot be read). -1 when the wait failed. */
static int wait_accepted(struct run *r, int client, long until, int *queued)
{
    long look = 1;

    while ((*queued = accept_queue(r->listener)) > 0 && now_ms() < until) {
        long next = now_ms() + look < until ? now_ms() + look : until;

        if (service_wait(r, client, next) < 0)
            return -1;
        look = look * 2 < LOOK_MAX_MS ? look * 2 : LOOK_MAX_MS;
    }
    return 0;
}

static int try_connection(struct run *r)
{
    struct service_seen *s = &r->ev->svc;
    long start = now_ms();
    int client = connect_to_listener(r), queued;

    if (client < 0)
        return run_fail(r, "unable to connect to the service's socket: %s", strerror(errno));
    s->connect_tried = 1;
    if (wait_accepted(r, client, run_deadline(quiet_bound_ms(r)), &queued) < 0) {
        close(client);
        return -1;
    }
    /* Kept open: accepted later, before the stop, it still shows that the
     * service serves on the socket it was given. */
    r->client = client;
    if (queued < 0)
        return run_fail(r, "unable to read the listening socket's queue: getsockopt TCP_INFO: %s",
                        strerror(errno));
    s->connect_accepted = queued == 0;
    s->accept_ms = now_ms() - start;
    return 0;
}

/* The process MAINPID= named, when it is a live process of the service. */
static const struct tracked *named_main(const struct run *r, const struct procset *now)
{
    const struct notify_record *rec = &r->notify->rec;
    pid_t named = rec->first_ready_mainpid ? rec->first_ready_mainpid
                  : rec->nmainpids ? rec->mainpids[rec->nmainpids - 1].value : 0;
    const struct tracked *p = named ? procset_find(now, named) : NULL;

    return p && tracked_alive(p) && p->origin == ORIGIN_FIRST ? p : NULL;
}

/* A listening TCP socket among the daemon's descriptors that is not the
 * one the checker passed: the service bound its own. */
static void find_own_listener(struct run *r)
{
    static const char *const tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };
    struct service_seen *s = &r->ev->svc;
    const struct daemon_seen *d = &r->ev->daemon;
    struct stat passed;

    if (fstat(r->listener, &passed) < 0)
        return;
    for (size_t t = 0; t < sizeof tables / sizeof *tables && !s->own_listener; t++) {
        struct proc_tcp_listener l[256];
        size_t len;
        char *text = proc_read_alloc(tables[t], &len, 64u << 20);
        long n = text ? proc_tcp_listeners(text, len, l, 256) : -1;

        free(text);
        for (long i = 0; i < n && i < 256; i++)
            for (int k = 0; k < d->nfds; k++)
                if (d->fds[k].socket_inode == l[i].inode && l[i].inode != passed.st_ino) {
                    s->own_listener = 1;
                    s->own_listener_port = l[i].port;
                }
    }
}

/* Wait, with growing pauses, until no process of the service is running
 * (all sleep, are stopped or have ended), at most `bound`: a process that
 * has just forked and is on its way to exit() is not yet a fact to judge.
 * A service that computes without rest gives its bound and no more. */
static int wait_quiet(struct run *r, long bound)
{
    long look = 1;

    for (;;) {
        struct procset now = { 0 };
        int busy = 0;

        if (run_scan(r, &now) < 0)
            return -1;
        for (size_t i = 0; i < now.n && !busy; i++)
            busy = now.v[i].origin == ORIGIN_FIRST && proc_state_alive(now.v[i].state) &&
                   now.v[i].state == 'R';
        procset_free(&now);
        if (!busy || now_ms() >= bound)
            return 0;
        if (service_wait(r, -1, now_ms() + look < bound ? now_ms() + look : bound) < 0)
            return -1;
        look = look * 2 < LOOK_MAX_MS ? look * 2 : LOOK_MAX_MS;
    }
}

/* Phase 2: after the settle time, the main process and its state. */
static int inspect_service(struct run *r)
{
    struct evidence *ev = r->ev;
    struct service_seen *s = &ev->svc;
    struct procset now = { 0 };
    const struct tracked *main, *started;

    if (service_settle(r, run_deadline(r->opt->settle_ms)) < 0 ||
        wait_quiet(r, run_deadline(quiet_bound_ms(r))) < 0 || run_scan(r, &now) < 0)
        return -1;
    started = procset_find(&now, s->started);
    s->started_alive = started && tracked_alive(started);
    main = named_main(r, &now);
    s->mainpid = main ? main->pid : 0;
    s->mainpid_valid = main != NULL;
    if (!main)
        main = s->started_alive ? started : find_daemon(&now, NULL, ORIGIN_FIRST);
    if (ev->has_pidfile)
        inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->pidfile);
    if (main && inspect_daemon(main, &now, &r->ref, &ev->daemon) == 0) {
        const struct fd_seen *f1 = daemon_fd(&ev->daemon, 1), *f2 = daemon_fd(&ev->daemon, 2);

        ev->daemon.inspected_ms = now_ms() - r->start_ms;
        r->daemon = *main;
        r->have_daemon = 1;
        s->main = main->pid;
        s->journal_fds = (f1 && f1->is_journal) + (f2 && f2->is_journal);
        snprintf(s->fd1, sizeof s->fd1, "%s", f1 ? f1->target : "closed");
        snprintf(s->fd2, sizeof s->fd2, "%s", f2 ? f2->target : "closed");
        if (r->listener >= 0)
            find_own_listener(r);
        ev->alive_after_checks = tracker_still_running(&r->t, main, now_ms(),
                                                       run_deadline(r->opt->timeout_ms));
        if (ev->alive_after_checks < 0) {
            procset_free(&now);
            return run_wait_failed(r, "the service");
        }
    }
    procset_free(&now);
    return 0;
}

/* Has the main process taken the SIGHUP and gone back to waiting (or
 * ended)? A service that reloads sends RELOADING=1 as it takes the
 * signal: once it sleeps again with no SIGHUP pending, what it had to
 * say of the reload has been said. */
static int took_sighup(struct run *r)
{
    return tracker_took_signal(&r->t, &r->daemon, SIGHUP);
}

/* RELOADING=1 since the SIGHUP, and READY=1 after it. */
static int reload_finished(const struct run *r)
{
    const struct notify_reload *rl = notify_reload_since(&r->notify->rec, r->ev->svc.sighup_ms);

    return rl && rl->ready_ms >= 0;
}

/* Phase 3: SIGHUP, the settle time, then what the reload asks for. */
static int reload(struct run *r)
{
    struct service_seen *s = &r->ev->svc;
    const struct notify_reload *rl;
    long until, look = 1;
    int running;

    if (!run_daemon_alive(r))
        return 0;
    s->sighup_ran = 1;
    s->sighup_ms = since_start(r);
    if (tracker_signal(&r->t, &r->daemon, SIGHUP) < 0 && errno != ESRCH)
        return run_fail(r, "unable to send SIGHUP to %d: %s", (int)r->daemon.pid, strerror(errno));
    if (service_settle(r, run_deadline(r->opt->settle_ms)) < 0)
        return -1;
    /* A reload announced and finished needs no more looking; otherwise
     * each datagram, or a growing pause, brings another look. */
    until = run_deadline(r->opt->timeout_ms);
    while (!reload_finished(r) && !took_sighup(r) && now_ms() < until) {
        if (service_wait(r, -1, now_ms() + look) < 0)
            return -1;
        look = look * 2 < LOOK_MAX_MS ? look * 2 : LOOK_MAX_MS;
    }
    /* An announced reload is waited for: its READY=1 is an event. */
    while ((rl = notify_reload_since(&r->notify->rec, s->sighup_ms)) != NULL &&
           rl->ready_ms < 0 && run_daemon_alive(r)) {
        int got = service_wait(r, -1, until);
        if (got <= 0) {
            if (got < 0)
                return -1;
            break;
        }
    }
    running = tracker_still_running(&r->t, &r->daemon, now_ms(), run_deadline(r->opt->timeout_ms));
    if (running < 0)
        return run_wait_failed(r, "the service after SIGHUP");
    s->survived_sighup = running;
    return 0;
}

/* With --watchdog, the service runs at least two intervals after READY=1
 * before it is stopped: a run shorter than one interval would ask for no
 * ping at all, and the verdict would depend on the settle time. */
static int keep_for_watchdog(struct run *r)
{
    long ready = r->ev->svc.ready_ms;

    if (!r->opt->watchdog_ms || ready < 0)
        return 0;
    return service_settle(r, r->start_ms + ready + 2L * (long)r->opt->watchdog_ms);
}

/* Phase 4: SIGTERM (or the stop command); the main process must end. */
static int stop_service(struct run *r)
{
    struct evidence *ev = r->ev;
    struct service_seen *s = &ev->svc;
    struct procset now = { 0 };
    const struct ended *end;

    if (keep_for_watchdog(r) < 0 || run_look_again_at_zombies(r) < 0)
        return -1;
    if (ev->has_pidfile) {
        if (run_scan(r, &now) < 0)
            return -1;
        inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->pidfile_before_stop);
        procset_free(&now);
    }
    /* A service that takes the socket late (after the SIGHUP, say) has
     * the same bound again to accept what waits: an accept() is no event
     * the checker could wait for, and the moment it is looked at must not
     * decide. */
    if (r->client >= 0 && !s->connect_accepted) {
        int queued;

        if (wait_accepted(r, r->client, run_deadline(quiet_bound_ms(r)), &queued) < 0)
            return -1;
        s->accepted_later = queued == 0;
    }
    if (!run_daemon_alive(r))
        return 0;
    ev->stop_ran = 1;
    ev->stop_by_command = r->cmd->stop_argv[2] != NULL;
    s->term_ms = since_start(r);
    if (run_stop_daemon(r, &r->daemon, &ev->stop_cmd, &ev->stopped, &ev->stop_ms,
                        &ev->term_after_command, &ev->stopped_by_term) < 0)
        return -1;
    /* Its last datagrams are queued before its end shows: read them. */
    if (notify_receive(r->notify) < 0 || tracker_reap(&r->t) < 0)
        return run_fail(r, "unable to collect the service's end: %s", strerror(errno));
    if (ev->stopped || ev->stopped_by_term) {
        s->exit_ms = s->term_ms + ev->stop_ms;
        end = tracker_end_of(&r->t, &r->daemon);
        s->exit_known = end != NULL;
        s->exit_status = end ? end->status : 0;
    }
    if (ev->has_pidfile)
        ev->pidfile_after_stop = run_pidfile_left(ev->pidfile_path, ev->pidfile_after_stop_bytes,
                                                  sizeof ev->pidfile_after_stop_bytes);
    return run_sweep(r, r->have_daemon && !ev->stopped && !ev->stopped_by_term ? &r->daemon
                                                                                 : NULL);
}

/* The started process's end, when it ended before it was asked to stop. */
static void record_started_end(struct run *r)
{
    struct service_seen *s = &r->ev->svc;
    struct tracked started = { .pid = s->started };
    const struct ended *e;

    if (tracker_reap(&r->t) < 0)
        return;
    e = tracker_end_of(&r->t, &started);
    if (e && (s->term_ms < 0 || e->ms - r->start_ms < s->term_ms)) {
        s->started_ended_early = 1;
        s->started_end = (struct process_end){ 1, e->who.pid, "", e->status };
        snprintf(s->started_end.comm, sizeof s->started_end.comm, "%s", e->who.comm);
    }
}

int run_service(struct run *r)
{
    struct evidence *ev = r->ev;
    int rc;

    if (service_setup(r) < 0 || service_launch(r) < 0 || wait_ready(r) < 0)
        return -1;
    ev->svc.ready_ms = r->notify->rec.first_ready_ms;
    ev->svc.ready_sender = r->notify->rec.first_ready_sender;
    /* Under a manager there is no launcher to wait for: the pidfile, if
     * any, must exist when the service says it is ready. */
    ev->launch.exited = ev->svc.ready_ms >= 0;
    if (ev->has_pidfile && ev->svc.ready_ms >= 0) {
        struct stat st;
        ev->pidfile_at_exit = lstat(ev->pidfile_path, &st) == 0;
    }
    rc = ev->svc.ready_ms >= 0 && r->listener >= 0 ? try_connection(r) : 0;
    if (rc == 0)
        rc = inspect_service(r);
    if (rc == 0)
        rc = reload(r);
    if (rc == 0)
        rc = stop_service(r);
    record_started_end(r);
    tracker_drain(&r->t, r->svc.journal);
    ev->svc.journal_hints = journal_notify_hints(ev->svc.journal, ev->svc.journal_len,
                                                 r->notify->env);
    return rc;
}
