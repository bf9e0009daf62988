/* check_trace_explain.c — unit tests of trace_explain (checker/
 * trace_explain*.c) and of the record queries it stands on (trace_query.c):
 * records and evidence made up here, and for each failed check, the
 * event or the process that must carry its mark, with a sentence; a
 * passing check, or a failure the record cannot explain, gets none. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "trace_explain.h"
#include "trace_query.h"

#define EXITED(n) ((n) << 8)

static struct trace t;
static struct evidence ev;
static struct result res[CK_COUNT];
static long long clock_us;

static long ev_add(int launch, pid_t pid, enum trace_kind kind, long long value, long long arg,
                   const char *detail)
{
    long i = trace_add_event(&t, launch, pid, 0, kind, value, "%s", detail ? detail : "");

    ck_assert_int_ge(i, 0);
    t.ev[i].arg = arg;
    t.ev[i].us = clock_us += 100;       /* 0.1 ms apart, in the order of the calls */
    return i;
}

static void proc_add(int launch, pid_t pid, pid_t ppid)
{
    long i = trace_add_proc(&t, launch, pid, ppid);

    ck_assert_int_ge(i, 0);
    t.procs[i].start_us = clock_us;
}

/* A process's end, in the record and in its event. */
static long end_of(int launch, pid_t pid, int status)
{
    long i = ev_add(launch, pid, TE_EXIT, status, 0, NULL);
    struct trace_proc *p = trace_find_proc(&t, pid);

    p->end_us = t.ev[i].us;
    p->status = status;
    return i;
}

static int launch_add(enum trace_launch_kind kind, pid_t first)
{
    int l = trace_add_launch(&t, kind);

    ck_assert_int_ge(l, 0);
    t.launches[l].t0_us = clock_us;
    t.launches[l].first = first;
    return l;
}

/* The evidence of a daemon (pid 102) that did everything right, and
 * every check passing: a test breaks what it needs. */
static void setup(void)
{
    trace_init(&t, 0, 0);
    clock_us = 0;
    memset(&ev, 0, sizeof ev);
    memset(res, 0, sizeof res);
    for (int i = 0; i < CK_COUNT; i++)
        res[i].status = ST_PASS;
    ev.has_pidfile = 1;
    ev.uid = 1000;
    ev.hostile_umask = 077;
    ev.blocked_sig = SIGRTMIN + 2;
    ev.ignored_sig = SIGRTMIN + 3;
    ev.launch = (struct launch_result){ .exited = 1, .status = 0, .left_behind = 1 };
    ev.launch_sid = 99;
    ev.daemon.found = 1;
    ev.daemon.st = (struct proc_stat){ .pid = 102, .ppid = 1, .pgrp = 101, .session = 101,
                                       .comm = "d" };
    ev.daemon.status.have_umask = 1;
    strcpy(ev.daemon.cwd, "/");
    ev.daemon.cwd_is_expected = 1;
    ev.daemon.nfds = 3;
    for (int fd = 0; fd < 3; fd++) {
        ev.daemon.fds[fd].fd = fd;
        strcpy(ev.daemon.fds[fd].target, "/dev/null");
    }
    ev.pidfile.view.exists = 1;
    ev.pidfile.view.st.st_mode = S_IFREG | 0644;
    ev.pidfile.form = PIDFILE_OK;
    ev.pidfile.pid = 102;
    ev.pidfile.owner = OWNER_DESCENDANT;
}

static void teardown(void)
{
    trace_free(&t);
}

/* The classic double fork: launcher 100, intermediate 101 (setsid),
 * daemon 102, which redirects 0-2 and writes the pidfile. Returns the
 * launch; the steps tests add go into the daemon after these. */
static int double_fork(void)
{
    int l = launch_add(TL_START, 100);

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_EXEC, 0, 0, "./d");
    ev_add(l, 100, TE_SPAWN, 101, 0, "fork");
    proc_add(l, 101, 100);
    ev_add(l, 101, TE_SETSID, 101, 0, NULL);
    ev_add(l, 101, TE_SPAWN, 102, 0, "fork");
    proc_add(l, 102, 101);
    end_of(l, 101, EXITED(0));
    end_of(l, 100, EXITED(0));
    ev_add(l, 102, TE_UMASK, 0, 0, NULL);
    ev_add(l, 102, TE_CHDIR, 0, 0, "/");
    return l;
}

static void roles(int launch, pid_t daemon)
{
    trace_assign_roles(&t, launch, daemon);
}

static void fails(int check)
{
    res[check].status = ST_FAIL;
}

/* How many marks check has; the first one's event and pid. */
static int marks_of(int check, long *event, pid_t *pid)
{
    int n = 0;

    for (int m = 0; m < t.nmarks; m++)
        if (t.marks[m].check == check) {
            if (n++ == 0) {
                *event = t.marks[m].event;
                *pid = t.marks[m].pid;
            }
            ck_assert_msg(t.marks[m].why[0] != '\0', "a mark of %d without a sentence", check);
        }
    return n;
}

static const char *why_of(int check)
{
    for (int m = 0; m < t.nmarks; m++)
        if (t.marks[m].check == check)
            return t.marks[m].why;
    return "";
}

/* check is marked once, on this event. */
static void assert_on_event(int check, long event)
{
    long e = -2;
    pid_t p = 0;

    ck_assert_int_eq(marks_of(check, &e, &p), 1);
    ck_assert_int_eq(e, event);
}

/* check is marked once, on this process (no event). */
static void assert_on_process(int check, pid_t pid)
{
    long e = -2;
    pid_t p = 0;

    ck_assert_int_eq(marks_of(check, &e, &p), 1);
    ck_assert_int_eq(e, -1);
    ck_assert_int_eq(p, pid);
}

static void explain(void)
{
    trace_explain(&t, &ev, res);
}

/* ---- Core ---- */

START_TEST(test_passing_checks_unmarked)
{
    int l = double_fork();

    end_of(l, 102, SIGTERM);
    roles(l, 102);
    explain();
    ck_assert_int_eq(t.nmarks, 0);
}
END_TEST

/* The issue's own example: the intermediate writes its own pid, then forks
 * the daemon and exits. */
START_TEST(test_pidfile_names_the_intermediate)
{
    int l = launch_add(TL_START, 100);
    long write;

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_SPAWN, 101, 0, "fork");
    proc_add(l, 101, 100);
    end_of(l, 100, EXITED(0));
    ev_add(l, 101, TE_SETSID, 101, 0, NULL);
    ev_add(l, 101, TE_OPEN, 3, 0, "open the pidfile as fd 3 (O_RDWR|O_CREAT)");
    write = ev_add(l, 101, TE_PIDFILE_WRITE, 4, 0, "\"101\\n\" (4 bytes, fd 3)");
    ev_add(l, 101, TE_SPAWN, 102, 0, "fork");
    proc_add(l, 102, 101);
    end_of(l, 101, EXITED(0));
    roles(l, 102);
    ev.pidfile.pid = 101;
    ev.pidfile.owner = OWNER_DEAD;
    fails(CK_PIDFILE_CONTENT);
    explain();
    assert_on_event(CK_PIDFILE_CONTENT, write);
    ck_assert_ptr_nonnull(strstr(why_of(CK_PIDFILE_CONTENT), "pid 101"));
    ck_assert_ptr_nonnull(strstr(why_of(CK_PIDFILE_CONTENT), "before its fork"));
    ck_assert_ptr_nonnull(strstr(why_of(CK_PIDFILE_CONTENT), "intermediate"));
}
END_TEST

/* The seed as published: one fork, setsid in the daemon, 0-2 closed, the
 * descriptors and signals handed in left as they were. */
START_TEST(test_seed_as_published)
{
    int l = launch_add(TL_START, 100);
    long setsid, close0;

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_SPAWN, 101, 0, "fork");
    proc_add(l, 101, 100);
    end_of(l, 100, EXITED(0));
    setsid = ev_add(l, 101, TE_SETSID, 101, 0, NULL);
    close0 = ev_add(l, 101, TE_CLOSE, 0, 0, "close fd 0 (the launch terminal)");
    ev_add(l, 101, TE_CLOSE, 1, 1, "close fd 1 (the launch terminal)");
    ev_add(l, 101, TE_CLOSE, 2, 2, "close fd 2 (the launch terminal)");
    roles(l, 101);
    ev.daemon.st.pid = ev.daemon.st.session = 101;
    ev.daemon.nfds = 3;
    for (int i = 0; i < 3; i++)
        ev.daemon.fds[i] = (struct fd_seen){ .fd = i == 2 ? 9 : 3 + i, .sentinel = 1 };
    ev.daemon.status.sigblk = 1ULL << (ev.blocked_sig - 1);
    ev.daemon.status.sigign = 1ULL << (ev.ignored_sig - 1);
    fails(CK_NOT_SESSION_LEADER);
    fails(CK_NO_INHERITED_FDS);
    fails(CK_SIGNALS_RESET);
    fails(CK_STDIO_OPEN);
    explain();
    assert_on_event(CK_NOT_SESSION_LEADER, setsid);
    assert_on_process(CK_NO_INHERITED_FDS, 101);
    ck_assert_ptr_nonnull(strstr(why_of(CK_NO_INHERITED_FDS), "fds 3, 4 and 9"));
    assert_on_process(CK_SIGNALS_RESET, 101);
    ck_assert_ptr_nonnull(strstr(why_of(CK_SIGNALS_RESET), "SIGRTMIN+2"));
    /* One mistake, one mark: on the first close, naming the others. */
    assert_on_event(CK_STDIO_OPEN, close0);
    ck_assert_ptr_nonnull(strstr(why_of(CK_STDIO_OPEN), "fd 2"));
}
END_TEST

/* A sentinel signal blocked again by a step is marked there; a last step
 * that contradicts the evidence leaves the check unmarked. */
START_TEST(test_signal_steps)
{
    int l = double_fork();
    long block;

    block = ev_add(l, 102, TE_SIGMASK, ev.blocked_sig, 0, "blocks SIGRTMIN+2");
    roles(l, 102);
    ev.daemon.status.sigblk = 1ULL << (ev.blocked_sig - 1);
    fails(CK_SIGNALS_RESET);
    explain();
    assert_on_event(CK_SIGNALS_RESET, block);

    t.nmarks = 0;
    strcpy(t.ev[block].detail, "unblocks SIGRTMIN+2");
    explain();
    ck_assert_int_eq(t.nmarks, 0);
}
END_TEST

START_TEST(test_setpgid_is_not_setsid)
{
    int l = launch_add(TL_START, 100);
    long setpgid;

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_SPAWN, 101, 0, "fork");
    proc_add(l, 101, 100);
    setpgid = ev_add(l, 101, TE_SETPGID, 101, 0, NULL);
    ev_add(l, 101, TE_SPAWN, 102, 0, "fork");
    proc_add(l, 102, 101);
    end_of(l, 101, EXITED(0));
    end_of(l, 100, EXITED(0));
    roles(l, 102);
    ev.daemon.st.session = ev.launch_sid;
    ev.daemon.st.tty_nr = 34816;
    fails(CK_NO_CTTY);
    fails(CK_NEW_SESSION);
    explain();
    assert_on_event(CK_NO_CTTY, setpgid);
    assert_on_event(CK_NEW_SESSION, setpgid);
}
END_TEST

START_TEST(test_no_setsid_marks_the_daemon)
{
    int l = launch_add(TL_START, 100);

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_SPAWN, 102, 0, "fork");
    proc_add(l, 102, 100);
    end_of(l, 100, EXITED(0));
    roles(l, 102);
    ev.daemon.st.session = ev.launch_sid;
    fails(CK_NEW_SESSION);
    explain();
    assert_on_process(CK_NEW_SESSION, 102);
}
END_TEST

/* What an ancestor did after the fork that led to the daemon is not the
 * daemon's: the cwd comes from the intermediate's chdir before its fork,
 * not from its chdir after it. */
START_TEST(test_steps_after_the_fork_are_not_inherited)
{
    int l = launch_add(TL_START, 100);
    long before;

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_SPAWN, 101, 0, "fork");
    proc_add(l, 101, 100);
    before = ev_add(l, 101, TE_CHDIR, 0, 0, "/tmp");
    ev_add(l, 101, TE_SPAWN, 102, 0, "fork");
    proc_add(l, 102, 101);
    ev_add(l, 101, TE_CHDIR, 0, 0, "/");
    end_of(l, 101, EXITED(0));
    end_of(l, 100, EXITED(0));
    roles(l, 102);
    strcpy(ev.daemon.cwd, "/tmp");
    ev.daemon.cwd_is_expected = 0;
    strcpy(res[CK_CWD].expected, "/");
    fails(CK_CWD);
    explain();
    assert_on_event(CK_CWD, before);
    ck_assert_ptr_nonnull(strstr(why_of(CK_CWD), "/tmp"));
}
END_TEST

START_TEST(test_umask_never_set_or_set_wrong)
{
    int l = launch_add(TL_START, 100);
    long set;

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_SPAWN, 102, 0, "fork");
    proc_add(l, 102, 100);
    end_of(l, 100, EXITED(0));
    roles(l, 102);
    ev.daemon.status.umask = 077;
    fails(CK_UMASK);
    explain();
    assert_on_process(CK_UMASK, 102);

    t.nmarks = 0;
    set = ev_add(l, 102, TE_UMASK, 022, 0, NULL);
    ev.daemon.status.umask = 022;
    explain();
    assert_on_event(CK_UMASK, set);
}
END_TEST

/* 0 closed, then the pidfile opened: it lands on 0 (stdio); 1 and 2
 * stay closed (stdio-open). */
START_TEST(test_stdio_reused_by_the_pidfile)
{
    int l = double_fork();
    long open, close1;

    ev_add(l, 102, TE_CLOSE, 0, 0, "close fd 0 (the launch terminal)");
    close1 = ev_add(l, 102, TE_CLOSE, 1, 1, "close fd 1 (the launch terminal)");
    ev_add(l, 102, TE_CLOSE, 2, 2, "close fd 2 (the launch terminal)");
    open = ev_add(l, 102, TE_OPEN, 0, 0, "open the pidfile as fd 0 (O_RDWR|O_CREAT)");
    roles(l, 102);
    ev.daemon.nfds = 1;
    ev.daemon.fds[0] = (struct fd_seen){ .fd = 0, .is_pidfile = 1, .is_regular = 1 };
    fails(CK_STDIO);
    fails(CK_STDIO_OPEN);
    explain();
    assert_on_event(CK_STDIO, open);
    assert_on_event(CK_STDIO_OPEN, close1);
}
END_TEST

START_TEST(test_zombie_is_its_exit)
{
    int l = double_fork();
    long zombie;

    ev_add(l, 102, TE_SPAWN, 103, 0, "fork");
    proc_add(l, 103, 102);
    zombie = end_of(l, 103, EXITED(0));
    roles(l, 102);
    pid_list_add(&ev.daemon.zombies, 103, "d");
    fails(CK_NO_ZOMBIES);
    explain();
    assert_on_event(CK_NO_ZOMBIES, zombie);
}
END_TEST

START_TEST(test_launcher_left_nothing)
{
    int l = launch_add(TL_START, 100);
    long end;

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_EXEC, 0, 0, "./d");
    end = end_of(l, 100, EXITED(0));
    roles(l, 0);
    ev.daemon.found = 0;
    ev.launch.left_behind = 0;
    fails(CK_LAUNCHER_EXITS);
    fails(CK_DAEMON_RUNNING);
    explain();
    assert_on_event(CK_LAUNCHER_EXITS, end);
    ck_assert_ptr_nonnull(strstr(why_of(CK_LAUNCHER_EXITS), "without ever forking"));
    assert_on_event(CK_DAEMON_RUNNING, end);
}
END_TEST

START_TEST(test_daemon_death_is_its_exit)
{
    int l = double_fork();
    long death;

    death = end_of(l, 102, SIGPIPE);
    roles(l, 0);
    ev.daemon.found = 0;
    ev.daemon_end = (struct process_end){ 1, 102, "d", SIGPIPE };
    fails(CK_DAEMON_RUNNING);
    explain();
    assert_on_event(CK_DAEMON_RUNNING, death);
    ck_assert_ptr_nonnull(strstr(why_of(CK_DAEMON_RUNNING), "SIGPIPE"));
}
END_TEST

/* Found alive, then crashed on the way out: not "before it was asked". */
START_TEST(test_daemon_crash_when_stopping)
{
    int l = double_fork();
    long crash;

    roles(l, 102);
    ev_add(l, 102, TE_CHECKER, SIGTERM, TC_SIGNAL, NULL);
    crash = end_of(l, 102, SIGSEGV);
    ev.daemon_end = (struct process_end){ 1, 102, "d", SIGSEGV };
    fails(CK_DAEMON_RUNNING);
    explain();
    assert_on_event(CK_DAEMON_RUNNING, crash);
    ck_assert_ptr_nonnull(strstr(why_of(CK_DAEMON_RUNNING), "asked to stop ("));
}
END_TEST

START_TEST(test_sigterm_ignored_or_unanswered)
{
    int l = double_fork();
    long ignore, sent, took;

    ignore = ev_add(l, 102, TE_SIGACTION, SIGTERM, 1, "SIGTERM: ignored");
    roles(l, 102);
    sent = ev_add(l, 102, TE_CHECKER, SIGTERM, TC_SIGNAL, NULL);
    took = ev_add(l, 102, TE_SIGNAL, SIGTERM, 0, "SIGTERM");
    ev.daemon.status.sigign = 1ULL << (SIGTERM - 1);
    fails(CK_STOPS_ON_SIGTERM);
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, ignore);

    /* Not ignored: where SIGTERM reached it; never reached: where it
     * was sent. */
    t.nmarks = 0;
    ev.daemon.status.sigign = 0;
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, took);
    t.nmarks = 0;
    t.ev[took].kind = TE_NOTE;
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, sent);
}
END_TEST

/* The stop command's launch, its first process 300; the run stopped by
 * a command that exited with status, and did not stop the daemon. */
static int stop_command(int status)
{
    int stop = launch_add(TL_STOP, 300);

    proc_add(stop, 300, 1);
    ev_add(stop, 300, TE_EXEC, 0, 0, "/bin/sh -c stop");
    ev.stop_ran = ev.stop_by_command = 1;
    ev.stop_cmd = (struct launch_result){ .exited = 1, .status = status };
    ev.stopped = 0;
    ev.term_after_command = ev.stopped_by_term = 1;
    return stop;
}

/* It read a stale pid (the intermediate's) from the pidfile: its SIGTERM
 * went nowhere, which explains both the stop and the command's failure. */
START_TEST(test_stop_command_signals_another_pid)
{
    int l = double_fork(), stop;
    long sent;

    roles(l, 102);
    stop = stop_command(EXITED(1));
    sent = ev_add(stop, 300, TE_KILL, SIGTERM, 101, "kill(101, SIGTERM) to the pidfile's pid: ESRCH");
    end_of(stop, 300, EXITED(1));
    roles(stop, 0);
    fails(CK_STOPS_ON_SIGTERM);
    fails(CK_STOP_COMMAND);
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, sent);
    assert_on_event(CK_STOP_COMMAND, sent);
    ck_assert_ptr_nonnull(strstr(why_of(CK_STOPS_ON_SIGTERM), "the intermediate"));
    ck_assert_ptr_nonnull(strstr(why_of(CK_STOPS_ON_SIGTERM), "not to the daemon, pid 102"));
    ck_assert_ptr_nonnull(strstr(why_of(CK_STOP_COMMAND), "ESRCH (no such process)"));
    ck_assert_ptr_nonnull(strstr(why_of(CK_STOP_COMMAND), "the pid the pidfile holds"));
}
END_TEST

/* Nothing sent but a probe: its end, saying so. */
START_TEST(test_stop_command_sends_nothing)
{
    int l = double_fork(), stop;
    long end;

    roles(l, 102);
    stop = stop_command(EXITED(0));
    ev_add(stop, 300, TE_KILL, 0, 102, "kill(102, 0) (a probe of the pidfile's pid): done");
    end = end_of(stop, 300, EXITED(0));
    roles(stop, 0);
    fails(CK_STOPS_ON_SIGTERM);
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, end);
    ck_assert_ptr_nonnull(strstr(why_of(CK_STOPS_ON_SIGTERM), "only probed pid 102"));

    /* Without the probe: it never signalled anything. */
    t.nmarks = 0;
    t.ev[end - 1].kind = TE_NOTE;
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, end);
    ck_assert_ptr_nonnull(strstr(why_of(CK_STOPS_ON_SIGTERM), "never signalled any process"));
}
END_TEST

/* Its SIGTERM did reach the daemon, which ignores it: as for the
 * checker's own SIGTERM, the sigaction that ignores it. */
START_TEST(test_stop_command_term_ignored)
{
    int l = double_fork(), stop;
    long ignore, sent, took;

    ignore = ev_add(l, 102, TE_SIGACTION, SIGTERM, 1, "SIGTERM: ignored");
    roles(l, 102);
    stop = stop_command(EXITED(0));
    sent = ev_add(stop, 300, TE_KILL, SIGTERM, 102, "kill(102, SIGTERM) to the pidfile's pid: done");
    took = ev_add(l, 102, TE_SIGNAL, SIGTERM, 0, "SIGTERM from pid 300");
    end_of(stop, 300, EXITED(0));
    roles(stop, 0);
    ev.daemon.status.sigign = 1ULL << (SIGTERM - 1);
    fails(CK_STOPS_ON_SIGTERM);
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, ignore);
    ck_assert_ptr_nonnull(strstr(why_of(CK_STOPS_ON_SIGTERM), "the stop command's SIGTERM"));
    t.nmarks = 0;
    ev.daemon.status.sigign = 0;
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, took);
    /* Refused (not permitted): the kill itself. */
    t.nmarks = 0;
    snprintf(t.ev[sent].detail, sizeof t.ev[sent].detail, "kill(102, SIGTERM): EPERM");
    explain();
    assert_on_event(CK_STOPS_ON_SIGTERM, sent);
    ck_assert_ptr_nonnull(strstr(why_of(CK_STOPS_ON_SIGTERM), "not permitted"));
}
END_TEST

/* The pidfile left after the stop: the daemon's end when nothing removed
 * it; a removal of its name from another directory; a removal refused;
 * a removal undone. */
START_TEST(test_pidfile_left_behind)
{
    int l = double_fork();
    long end, elsewhere, refused, removed, again;

    elsewhere = ev_add(l, 102, TE_UNLINK, -2, TU_ELSEWHERE,
                       "unlink(\"d.pid\") from /, not the pidfile (another directory): ENOENT");
    refused = ev_add(l, 102, TE_UNLINK, -13, TU_REMOVED, "unlink(\"/run/d.pid\"), the pidfile: EACCES");
    end = end_of(l, 102, SIGTERM);
    roles(l, 102);
    strcpy(ev.pidfile_path, "/run/d.pid");
    strcpy(ev.pidfile_after_stop_bytes, "102\n");
    fails(CK_PIDFILE_REMOVED);
    explain();
    assert_on_event(CK_PIDFILE_REMOVED, elsewhere);
    ck_assert_ptr_nonnull(strstr(why_of(CK_PIDFILE_REMOVED), "/run/d.pid"));

    t.nmarks = 0;
    t.ev[elsewhere].kind = TE_NOTE;
    explain();
    assert_on_event(CK_PIDFILE_REMOVED, refused);
    ck_assert_ptr_nonnull(strstr(why_of(CK_PIDFILE_REMOVED), "Permission denied"));

    t.nmarks = 0;
    t.ev[refused].kind = TE_NOTE;
    explain();
    assert_on_event(CK_PIDFILE_REMOVED, end);
    ck_assert_ptr_nonnull(strstr(why_of(CK_PIDFILE_REMOVED), "before any clean-up"));

    /* Removed, then made again by another of its processes. */
    t.nmarks = 0;
    t.ev[end].kind = TE_NOTE;
    removed = ev_add(l, 102, TE_UNLINK, 0, TU_REMOVED, "unlink(\"/run/d.pid\"), the pidfile: done");
    again = ev_add(l, 102, TE_OPEN, 3, 0, "open the pidfile as fd 3 (O_WRONLY|O_CREAT)");
    end_of(l, 102, EXITED(0));
    explain();
    assert_on_event(CK_PIDFILE_REMOVED, again);
    t.nmarks = 0;
    t.ev[again].kind = TE_NOTE;
    explain();
    assert_on_event(CK_PIDFILE_REMOVED, removed);
}
END_TEST

/* Made, then removed before the launcher exited: the removal. */
START_TEST(test_pidfile_removed_before_the_launcher)
{
    int l = launch_add(TL_START, 100);
    long removed;

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_SPAWN, 101, 0, "fork");
    proc_add(l, 101, 100);
    ev_add(l, 101, TE_OPEN, 3, 0, "open the pidfile as fd 3 (O_RDWR|O_CREAT)");
    ev_add(l, 101, TE_PIDFILE_WRITE, 4, 0, "\"101\\n\"");
    removed = ev_add(l, 101, TE_UNLINK, 0, TU_REMOVED, "unlink(\"/run/d.pid\"), the pidfile: done");
    ev_add(l, 101, TE_SPAWN, 102, 0, "fork");
    proc_add(l, 102, 101);
    end_of(l, 101, EXITED(0));
    end_of(l, 100, EXITED(0));
    roles(l, 102);
    ev.pidfile_at_exit = 0;
    ev.pidfile.view.exists = 0;
    fails(CK_PIDFILE_EXISTS);
    explain();
    assert_on_event(CK_PIDFILE_EXISTS, removed);
    ck_assert_ptr_nonnull(strstr(why_of(CK_PIDFILE_EXISTS), "the intermediate"));
}
END_TEST

/* A second start that removes the running daemon's pidfile; a start over
 * a stale pidfile that removes it and writes none. */
START_TEST(test_starts_that_remove_the_pidfile)
{
    int first = double_fork(), second, stale;
    long removed, gone;

    roles(first, 102);
    second = launch_add(TL_SECOND, 200);
    proc_add(second, 200, 1);
    removed = ev_add(second, 200, TE_UNLINK, 0, TU_REMOVED, "unlink(\"/run/d.pid\"), the pidfile: done");
    end_of(second, 200, EXITED(1));
    roles(second, 0);
    ev.single_ran = 1;
    ev.second = (struct launch_result){ .exited = 1, .status = EXITED(1) };
    ev.first_survived = 1;
    ev.pidfile_change = PIDFILE_REMOVED;
    stale = launch_add(TL_STALE, 400);
    proc_add(stale, 400, 1);
    gone = ev_add(stale, 400, TE_UNLINK, 0, TU_REMOVED, "unlink(\"/run/d.pid\"), the pidfile: done");
    end_of(stale, 400, EXITED(0));
    roles(stale, 0);
    ev.stale_ran = 1;
    ev.stale_pid = 150;
    ev.third = (struct launch_result){ .exited = 1, .status = 0 };
    ev.stale_after.view.exists = 0;
    fails(CK_SINGLE_INSTANCE);
    fails(CK_STALE_PIDFILE);
    explain();
    assert_on_event(CK_SINGLE_INSTANCE, removed);
    assert_on_event(CK_STALE_PIDFILE, gone);
}
END_TEST

START_TEST(test_second_instance)
{
    int first = double_fork(), second;
    long end, refused;

    roles(first, 102);
    second = launch_add(TL_SECOND, 200);
    proc_add(second, 200, 1);
    ev_add(second, 200, TE_SPAWN, 202, 0, "fork");
    proc_add(second, 202, 200);
    end = end_of(second, 200, EXITED(0));
    roles(second, 202);
    ev.single_ran = 1;
    ev.second = (struct launch_result){ .exited = 1, .status = 0 };
    pid_list_add(&ev.second_new, 202, "d");
    fails(CK_SINGLE_INSTANCE);
    explain();
    assert_on_event(CK_SINGLE_INSTANCE, end);

    /* It was refused the lock, and went on: that is where it went wrong. */
    t.nmarks = 0;
    refused = ev_add(second, 202, TE_LOCK, -11, 1, "F_SETLK write lock on the pidfile: EAGAIN");
    explain();
    assert_on_event(CK_SINGLE_INSTANCE, refused);
}
END_TEST

START_TEST(test_leftover_is_the_sweep)
{
    int l = double_fork();
    long kill;

    ev_add(l, 102, TE_SPAWN, 103, 0, "fork");
    proc_add(l, 103, 102);
    end_of(l, 102, EXITED(0));
    roles(l, 102);
    kill = ev_add(l, 103, TE_CHECKER, SIGTERM, TC_SWEEP, NULL);
    end_of(l, 103, SIGTERM);
    pid_list_add(&ev.leftovers, 103, "d");
    fails(CK_NO_LEFTOVERS);
    explain();
    assert_on_event(CK_NO_LEFTOVERS, kill);
}
END_TEST

START_TEST(test_pidfile_made_after_the_launcher)
{
    int l = double_fork();
    long made;

    made = ev_add(l, 102, TE_OPEN, 3, 0, "open the pidfile as fd 3 (O_RDWR|O_CREAT|O_NOFOLLOW)");
    ev_add(l, 102, TE_PIDFILE_WRITE, 4, 0, "\"102\\n\"");
    roles(l, 102);
    ev.pidfile_at_exit = 0;
    fails(CK_PIDFILE_EXISTS);
    fails(CK_PIDFILE_LOCKED);
    explain();
    assert_on_event(CK_PIDFILE_EXISTS, made);
    assert_on_event(CK_PIDFILE_LOCKED, made);
}
END_TEST

START_TEST(test_lock_lost_with_its_process)
{
    int l = launch_add(TL_START, 100);
    long lock;

    proc_add(l, 100, 1);
    ev_add(l, 100, TE_SPAWN, 101, 0, "fork");
    proc_add(l, 101, 100);
    end_of(l, 100, EXITED(0));
    ev_add(l, 101, TE_OPEN, 3, 0, "open the pidfile as fd 3 (O_RDWR|O_CREAT)");
    lock = ev_add(l, 101, TE_LOCK, 3, 1, "F_SETLK write lock on the pidfile (fd 3): done");
    ev_add(l, 101, TE_SPAWN, 102, 0, "fork");
    proc_add(l, 102, 101);
    end_of(l, 101, EXITED(0));
    roles(l, 102);
    res[CK_PIDFILE_LOCKED].status = ST_WARN;
    explain();
    assert_on_event(CK_PIDFILE_LOCKED, lock);
    ck_assert_ptr_nonnull(strstr(why_of(CK_PIDFILE_LOCKED), "fork"));
}
END_TEST

/* ---- New-style ---- */

START_TEST(test_service_journal_and_stopping)
{
    int l = launch_add(TL_SERVICE, 102);
    long dup, sent, end;

    proc_add(l, 102, 1);
    ev_add(l, 102, TE_EXEC, 0, 0, "./svc");
    dup = ev_add(l, 102, TE_DUP, 1, 4, "dup2: /dev/null (fd 4) onto fd 1");
    sent = ev_add(l, 102, TE_CHECKER, SIGTERM, TC_SIGNAL, NULL);
    end = end_of(l, 102, EXITED(0));
    roles(l, 102);
    ev.svc = (struct service_seen){ .ran = 1, .started = 102, .main = 102, .ready_ms = 5,
                                    .term_ms = 500, .exit_ms = 501 };
    ev.daemon.fds[1].is_journal = 0;
    ev.daemon.fds[2].is_journal = 1;
    fails(CK_LOGS_TO_STDERR);
    fails(CK_NOTIFY_STOPPING);
    explain();
    assert_on_event(CK_LOGS_TO_STDERR, dup);
    assert_on_event(CK_NOTIFY_STOPPING, end);
    (void)sent;
}
END_TEST

START_TEST(test_service_forked_away)
{
    int l = launch_add(TL_SERVICE, 102);
    long end;

    proc_add(l, 102, 1);
    ev_add(l, 102, TE_SPAWN, 103, 0, "fork");
    proc_add(l, 103, 102);
    end = end_of(l, 102, EXITED(0));
    roles(l, 103);
    ev.daemon.st.pid = 103;
    ev.svc = (struct service_seen){ .ran = 1, .started = 102, .main = 102, .ready_ms = -1 };
    fails(CK_STAYS_FOREGROUND);
    fails(CK_NOTIFY_READY);
    explain();
    assert_on_event(CK_STAYS_FOREGROUND, end);
    ck_assert_ptr_nonnull(strstr(why_of(CK_STAYS_FOREGROUND), "forking pid 103"));
    /* No READY=1 at all: shown on the main process. */
    assert_on_process(CK_NOTIFY_READY, 102);
}
END_TEST

/* ---- Limits ---- */

/* An empty record, or one without the daemon: every check failed, and
 * nothing is marked that the record does not show. */
START_TEST(test_nothing_to_show)
{
    for (int i = 0; i < CK_COUNT; i++)
        res[i].status = ST_FAIL;
    explain();
    ck_assert_int_eq(t.nmarks, 0);
    launch_add(TL_START, 100);
    explain();
    for (int m = 0; m < t.nmarks; m++)
        ck_assert_int_eq(t.marks[m].pid, 0);    /* at most launch-wide marks */
}
END_TEST

/* A full table of marks is no error: what does not fit is left out. */
START_TEST(test_full_mark_table)
{
    int l = double_fork();

    roles(l, 102);
    for (int i = 0; i < TRACE_MAX_MARKS; i++)
        ck_assert_int_eq(trace_mark_process(&t, l, 102, CK_CWD, "x"), 0);
    strcpy(ev.daemon.cwd, "/tmp");
    fails(CK_CWD);
    explain();
    ck_assert_int_eq(t.nmarks, TRACE_MAX_MARKS);
}
END_TEST

/* The line of a process, and what it inherits. */
START_TEST(test_query_line)
{
    int l = double_fork(), other = launch_add(TL_SECOND, 200);
    struct tq_line line;
    struct tq_match umask = { -1, 0, TE_UMASK, NULL, NULL };

    proc_add(other, 102, 1);            /* the same pid in another launch */
    ck_assert_int_eq(tq_line(&t, l, 102, &line), 0);
    ck_assert_int_eq(line.n, 3);
    ck_assert_int_eq(line.pid[0], 100);
    ck_assert_int_eq(line.pid[2], 102);
    ck_assert_int_ge(line.spawn[2], 0);
    ck_assert_int_eq(t.ev[line.spawn[2]].pid, 101);
    ck_assert_int_ge(tq_line_last(&t, &line, &umask), 0);
    ck_assert_int_eq(tq_line(&t, l, 999, &line), -1);
    ck_assert_int_eq(line.n, 0);
    ck_assert_int_eq(tq_launch(&t, TL_SECOND), other);
    ck_assert_int_eq(tq_launch(&t, TL_STALE), -1);
    ck_assert_ptr_null(tq_proc(&t, other, 100));
    ck_assert_int_eq(tq_exit(&t, l, 101) >= 0, 1);
    ck_assert_int_eq(tq_exit(&t, l, 102), -1);
}
END_TEST

static Suite *explain_suite(void)
{
    Suite *s = suite_create("trace_explain");
    TCase *core = tcase_create("Core"), *service = tcase_create("New-style"),
          *limits = tcase_create("Limits");

    tcase_add_checked_fixture(core, setup, teardown);
    tcase_add_checked_fixture(service, setup, teardown);
    tcase_add_checked_fixture(limits, setup, teardown);
    tcase_add_test(core, test_passing_checks_unmarked);
    tcase_add_test(core, test_pidfile_names_the_intermediate);
    tcase_add_test(core, test_seed_as_published);
    tcase_add_test(core, test_signal_steps);
    tcase_add_test(core, test_setpgid_is_not_setsid);
    tcase_add_test(core, test_no_setsid_marks_the_daemon);
    tcase_add_test(core, test_steps_after_the_fork_are_not_inherited);
    tcase_add_test(core, test_umask_never_set_or_set_wrong);
    tcase_add_test(core, test_stdio_reused_by_the_pidfile);
    tcase_add_test(core, test_zombie_is_its_exit);
    tcase_add_test(core, test_launcher_left_nothing);
    tcase_add_test(core, test_daemon_death_is_its_exit);
    tcase_add_test(core, test_daemon_crash_when_stopping);
    tcase_add_test(core, test_sigterm_ignored_or_unanswered);
    tcase_add_test(core, test_stop_command_signals_another_pid);
    tcase_add_test(core, test_stop_command_sends_nothing);
    tcase_add_test(core, test_stop_command_term_ignored);
    tcase_add_test(core, test_pidfile_left_behind);
    tcase_add_test(core, test_pidfile_removed_before_the_launcher);
    tcase_add_test(core, test_starts_that_remove_the_pidfile);
    tcase_add_test(core, test_second_instance);
    tcase_add_test(core, test_leftover_is_the_sweep);
    tcase_add_test(core, test_pidfile_made_after_the_launcher);
    tcase_add_test(core, test_lock_lost_with_its_process);
    tcase_add_test(service, test_service_journal_and_stopping);
    tcase_add_test(service, test_service_forked_away);
    tcase_add_test(limits, test_nothing_to_show);
    tcase_add_test(limits, test_full_mark_table);
    tcase_add_test(limits, test_query_line);
    suite_add_tcase(s, core);
    suite_add_tcase(s, service);
    suite_add_tcase(s, limits);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(explain_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
