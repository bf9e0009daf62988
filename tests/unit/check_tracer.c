/* check_tracer.c — unit tests of checker/tracer.c and checker/trace.c.
 *
 * Each test is the checker in small: it seizes a launcher of its own
 * (which waits on the go pipe, then execs /bin/sh with a script whose
 * steps are known), feeds every waitpid() result to the tracer, and
 * compares the record with the script. The record's own bounds and roles
 * are tested without any process. Tests that trace run in both modes
 * (a loop test: 0 filter, 1 every system call). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "trace.h"
#include "trace_words.h"
#include "tracer.h"
#include "unit_tmpdir.h"

struct scene {
    struct trace rec;
    struct tracer *tr;
    pid_t launcher;
    int status;             /* the launcher's wait status, once it ended */
    int ended;
    char pidfile[256];
};

static const enum tracer_mode modes[] = { TRACER_FILTER, TRACER_SYSCALL };

static void scene_init(struct scene *s, enum tracer_mode mode)
{
    struct tracer_config cfg = { .mode = mode, .sentinel_fds = { 3, 4, 9 }, .nsentinel_fds = 3 };

    memset(s, 0, sizeof *s);
    ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    unit_path(s->pidfile, sizeof s->pidfile, "pidfile");
    trace_init(&s->rec, 0, 0);
    cfg.pidfile = s->pidfile;
    cfg.watched_sigs[0] = SIGRTMIN + 2;
    cfg.nwatched_sigs = 1;
    s->tr = tracer_new(&cfg, &s->rec);
    ck_assert_ptr_nonnull(s->tr);
}

static void scene_free(struct scene *s)
{
    tracer_free(s->tr);
    trace_free(&s->rec);
}

/* The launcher: waits for the go byte (how: 1 tracer_child_go, 0 only
 * reads it, as a launcher whose filter could not be installed), then
 * runs the script with the pidfile as $1. in_fd becomes its stdin. */
static pid_t launch(struct scene *s, const char *script, int how, int in_fd, int seize)
{
    int go[2], launch_index;
    pid_t pid;

    ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
    launch_index = tracer_launch(s->tr, TL_START, 0);
    ck_assert_int_eq(launch_index, s->rec.nlaunches - 1);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char byte;
        close(go[1]);
        if (in_fd >= 0)
            dup2(in_fd, 0);
        if (how)
            tracer_child_go(s->tr, go[0]);
        else if (read(go[0], &byte, 1) != 1)
            _exit(120);
        execl("/bin/sh", "sh", "-c", script, "sh", s->pidfile, (char *)NULL);
        _exit(127);
    }
    close(go[0]);
    s->launcher = pid;
    if (seize)
        ck_assert_int_eq(tracer_go(s->tr, go[1], tracer_seize(s->tr, pid, launch_index) == 0), 0);
    close(go[1]);
    return pid;
}

/* One waitpid result into the tracer, as the checker's loop does. */
static pid_t pump_one(struct scene *s, int flags)
{
    int status;
    pid_t pid = waitpid(-1, &status, __WALL | flags);

    if (pid <= 0)
        return pid;
    tracer_on_wait(s->tr, pid, status);
    if (pid == s->launcher && (WIFEXITED(status) || WIFSIGNALED(status))) {
        s->ended = 1;
        s->status = status;
    }
    return pid;
}

/* Until every child has ended (ECHILD). */
static void pump_all(struct scene *s)
{
    while (pump_one(s, 0) > 0)
        ;
    ck_assert_int_eq(errno, ECHILD);
    ck_assert_int_eq(tracer_live(s->tr), 0);
}

static long find_event(const struct trace *t, enum trace_kind kind, pid_t pid, const char *text)
{
    for (size_t i = 0; i < t->nev; i++)
        if (t->ev[i].kind == kind && (!pid || t->ev[i].pid == pid) &&
            (!text || strstr(t->ev[i].detail, text)))
            return (long)i;
    return -1;
}

static void dump(const struct trace *t)
{
    for (size_t i = 0; i < t->nev; i++)
        fprintf(stderr, "  %6lld %5d %-13s %lld %s\n", t->ev[i].us, (int)t->ev[i].pid,
                trace_kind_name(t->ev[i].kind), t->ev[i].value, t->ev[i].detail);
}

START_TEST(test_steps_in_order)
{
    /* dash redirects a builtin's output by copying the file onto fd 1. */
    static const char script[] = "umask 027; cd /; echo $$ > \"$1\"; exit 3";
    struct scene s;
    char pid_text[32];
    long exec, um, cd, open, write, end;

    scene_init(&s, modes[_i]);
    launch(&s, script, 1, -1, 1);
    pump_all(&s);
    ck_assert_int_eq(s.status, 3 << 8);
    snprintf(pid_text, sizeof pid_text, "\"%d\\n\"", (int)s.launcher);
    exec = find_event(&s.rec, TE_EXEC, s.launcher, "sh -c");
    um = find_event(&s.rec, TE_UMASK, s.launcher, "umask 027");     /* dash reads it first */
    cd = find_event(&s.rec, TE_CHDIR, s.launcher, "/");
    open = find_event(&s.rec, TE_OPEN, s.launcher, "the pidfile");
    write = find_event(&s.rec, TE_PIDFILE_WRITE, s.launcher, pid_text);
    end = find_event(&s.rec, TE_EXIT, s.launcher, "exit 3");
    if (exec < 0 || um < 0 || cd < 0 || open < 0 || write < 0 || end < 0)
        dump(&s.rec);
    ck_assert_int_ge(exec, 0);
    ck_assert_int_gt(um, exec);
    ck_assert_int_eq(s.rec.ev[um].value, 027);
    ck_assert_int_gt(cd, um);
    ck_assert_int_gt(open, cd);
    ck_assert_int_gt(write, open);
    ck_assert_int_gt(end, write);
    ck_assert_int_eq(s.rec.ev[end].value, 3 << 8);
    ck_assert_int_eq(s.rec.mode, modes[_i] == TRACER_FILTER ? TM_FILTER : TM_SYSCALL);
    ck_assert_int_eq(s.rec.launches[0].first, s.launcher);
    ck_assert_uint_eq(s.rec.nprocs, 1);
    ck_assert_int_eq(s.rec.procs[0].role, TR_LAUNCHER);
    ck_assert_int_eq(s.rec.procs[0].status, 3 << 8);
    scene_free(&s);
}
END_TEST

START_TEST(test_children_and_their_parents)
{
    static const char script[] = "(exit 4) & wait $!; exit $?";
    struct scene s;
    long spawn, child_end;
    pid_t child;

    scene_init(&s, modes[_i]);
    launch(&s, script, 1, -1, 1);
    pump_all(&s);
    ck_assert_int_eq(s.status, 4 << 8);
    spawn = find_event(&s.rec, TE_SPAWN, s.launcher, NULL);
    ck_assert_int_ge(spawn, 0);
    child = (pid_t)s.rec.ev[spawn].value;
    child_end = find_event(&s.rec, TE_EXIT, child, "exit 4");
    ck_assert_int_gt(child_end, spawn);
    /* The child's real parent was the shell, not the tracer. */
    ck_assert_int_eq(tracer_exit_parent(s.tr, child), s.launcher);
    ck_assert_int_eq(tracer_exit_parent(s.tr, s.launcher), getpid());
    ck_assert_ptr_nonnull(trace_find_proc(&s.rec, child));
    ck_assert_int_eq(trace_find_proc(&s.rec, child)->ppid, s.launcher);
    ck_assert_int_eq(trace_find_proc(&s.rec, child)->exit_ppid, s.launcher);
    scene_free(&s);
}
END_TEST

START_TEST(test_signal_reinjected)
{
    /* The trap must run: the signal reaches the shell as if untraced. */
    static const char script[] = "trap 'exit 7' TERM; kill -TERM $$; exit 1";
    struct scene s;
    char from[32];

    scene_init(&s, modes[_i]);
    launch(&s, script, 1, -1, 1);
    pump_all(&s);
    ck_assert_int_eq(s.status, 7 << 8);
    snprintf(from, sizeof from, "SIGTERM from pid %d", (int)s.launcher);
    ck_assert_int_ge(find_event(&s.rec, TE_SIGACTION, s.launcher, "SIGTERM: caught"), 0);
    ck_assert_int_ge(find_event(&s.rec, TE_SIGNAL, s.launcher, from), 0);
    scene_free(&s);
}
END_TEST

START_TEST(test_killed)
{
    struct scene s;
    long end;

    scene_init(&s, modes[_i]);
    launch(&s, "kill -KILL $$; exit 1", 1, -1, 1);
    pump_all(&s);
    ck_assert(WIFSIGNALED(s.status) && WTERMSIG(s.status) == SIGKILL);
    end = find_event(&s.rec, TE_EXIT, s.launcher, "killed by SIGKILL");
    ck_assert_int_ge(end, 0);
    ck_assert_int_eq(s.rec.ev[end].value, SIGKILL);
    scene_free(&s);
}
END_TEST

/* A stopped process stays stopped until SIGCONT, as it would untraced. */
START_TEST(test_group_stop_kept)
{
    struct scene s;
    char state = 0;

    scene_init(&s, modes[_i]);
    launch(&s, "kill -STOP $$; exit 6", 1, -1, 1);
    while (find_event(&s.rec, TE_SIGNAL, s.launcher, "SIGSTOP") < 0)
        ck_assert_int_gt(pump_one(&s, 0), 0);
    /* Bounded: the stop follows the signal's delivery at once. */
    for (int tries = 0; tries < 2000 && state != 't' && state != 'T'; tries++) {
        struct proc_stat st;
        char path[64], buf[1024];
        ssize_t n;

        pump_one(&s, WNOHANG);
        snprintf(path, sizeof path, "/proc/%d/stat", (int)s.launcher);
        n = proc_read_file(AT_FDCWD, path, buf, sizeof buf);
        if (n > 0 && proc_stat_parse(buf, (size_t)n, &st) == 0)
            state = st.state;
        if (state != 't' && state != 'T')
            poll(NULL, 0, 1);
    }
    ck_assert(state == 't' || state == 'T');
    ck_assert_int_eq(s.ended, 0);
    ck_assert_int_eq(kill(s.launcher, SIGCONT), 0);
    pump_all(&s);
    ck_assert_int_eq(s.status, 6 << 8);
    ck_assert_int_ge(find_event(&s.rec, TE_SIGNAL, s.launcher, "SIGCONT"), 0);
    scene_free(&s);
}
END_TEST

/* waitpid(-1) reports the newest tracees first: a child can run, exit and
 * be waited for before its parent's fork event is seen. Forced here: the
 * parent's event is held back until the child's end went through. */
START_TEST(test_fork_event_after_child_end)
{
    struct scene s;
    unsigned long child = 0;
    siginfo_t si;
    long spawn;
    int status;

    scene_init(&s, modes[_i]);
    launch(&s, "(exit 4); exit 0", 1, -1, 1);
    for (;;) {
        memset(&si, 0, sizeof si);
        ck_assert_int_eq(waitid(P_PID, (id_t)s.launcher, &si,
                                WEXITED | WSTOPPED | WNOWAIT | __WALL), 0);
        if (si.si_code == CLD_TRAPPED && si.si_status == (SIGTRAP | PTRACE_EVENT_FORK << 8))
            break;
        ck_assert_int_eq(waitpid(s.launcher, &status, __WALL), s.launcher);
        tracer_on_wait(s.tr, s.launcher, status);
    }
    ck_assert_int_eq(ptrace(PTRACE_GETEVENTMSG, s.launcher, 0L, &child), 0);
    while (find_event(&s.rec, TE_EXIT, (pid_t)child, NULL) < 0) {
        ck_assert_int_eq(waitpid((pid_t)child, &status, __WALL), (pid_t)child);
        tracer_on_wait(s.tr, (pid_t)child, status);
    }
    pump_all(&s);
    ck_assert_int_eq(s.status, 0);
    spawn = find_event(&s.rec, TE_SPAWN, s.launcher, NULL);
    ck_assert_int_ge(spawn, 0);
    ck_assert_int_eq(s.rec.ev[spawn].value, (long long)child);
    ck_assert_str_eq(s.rec.ev[spawn].detail, "fork");
    /* One record of the child, ended; no second spawn for it. */
    ck_assert_uint_eq(s.rec.nprocs, 2);
    ck_assert_int_ge(trace_find_proc(&s.rec, (pid_t)child)->end_us, 0);
    for (size_t i = (size_t)spawn + 1; i < s.rec.nev; i++)
        ck_assert(s.rec.ev[i].kind != TE_SPAWN);
    scene_free(&s);
}
END_TEST

static size_t count_events(const struct trace *t, enum trace_kind kind, long long value)
{
    size_t n = 0;

    for (size_t i = 0; i < t->nev; i++)
        n += t->ev[i].kind == kind && t->ev[i].value == value;
    return n;
}

/* The signals the shell sends: to its child (recorded before the child
 * takes it), to itself (any signal: it is of the run), probes of itself
 * (the repeats counted), and to a pid that does not exist (SIGTERM only:
 * another signal to a stranger is not the run's business). */
START_TEST(test_signals_sent)
{
    static const char script[] =
        "exec 2>/dev/null; trap : USR1; sleep 30 & k=$!; kill -TERM $k; wait $k; kill -USR1 $$; "
        "for i in 1 2 3 4 5; do kill -0 $$; done; "
        "kill -TERM 2147483000 2>/dev/null; kill -USR1 2147483000 2>/dev/null; exit 0";
    struct scene s;
    long spawn, term, took, usr1, stray;
    long probes[2] = { -1, -1 };
    pid_t child;

    scene_init(&s, modes[_i]);
    launch(&s, script, 1, -1, 1);
    pump_all(&s);
    ck_assert_int_eq(s.status, 0);
    spawn = find_event(&s.rec, TE_SPAWN, s.launcher, NULL);
    ck_assert_int_ge(spawn, 0);
    child = (pid_t)s.rec.ev[spawn].value;
    term = find_event(&s.rec, TE_KILL, s.launcher, ", SIGTERM): done");
    took = find_event(&s.rec, TE_SIGNAL, child, "SIGTERM");
    usr1 = find_event(&s.rec, TE_KILL, s.launcher, ", SIGUSR1): done");
    stray = find_event(&s.rec, TE_KILL, s.launcher, "(2147483000, SIGTERM): ESRCH");
    if (term < 0 || usr1 < 0 || stray < 0)
        dump(&s.rec);
    ck_assert_int_ge(term, 0);
    ck_assert_int_eq(s.rec.ev[term].arg, child);
    ck_assert_int_eq(s.rec.ev[term].value, SIGTERM);
    ck_assert(took < 0 || took > term);
    ck_assert_int_ge(usr1, 0);
    ck_assert_int_eq(s.rec.ev[usr1].arg, s.launcher);
    ck_assert_int_ge(stray, 0);
    ck_assert_int_eq(count_events(&s.rec, TE_KILL, SIGUSR1), 1);
    /* Five probes: two recorded, the other three counted on the second. */
    for (size_t i = 0, n = 0; i < s.rec.nev; i++)
        if (s.rec.ev[i].kind == TE_KILL && s.rec.ev[i].value == 0 && n < 2)
            probes[n++] = (long)i;
    ck_assert_uint_eq(count_events(&s.rec, TE_KILL, 0), 2);
    ck_assert_ptr_nonnull(strstr(s.rec.ev[probes[0]].detail, "(a probe): done"));
    ck_assert_ptr_nonnull(strstr(s.rec.ev[probes[1]].detail, ": done (and 3 more times, until "));
    ck_assert_str_eq(trace_kind_name(TE_KILL), "kill");
    scene_free(&s);
}
END_TEST

/* The pidfile's name: replaced by a rename onto it, renamed away,
 * removed by a relative name from its directory, and its last name
 * removed from another directory (which fails); other names are not
 * recorded. */
START_TEST(test_pidfile_name_removed)
{
    static const char script[] =
        "d=$(dirname \"$1\"); b=$(basename \"$1\"); mkdir \"$d/sub\" || exit 2; "
        "echo 1 > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; mv \"$1\" \"$1.old\"; "
        "echo 2 > \"$1\"; cd \"$d\" && rm -f \"$b\"; cd sub && rm -f \"$b\"; "
        "rm -f \"$1.old\"; rmdir \"$d/sub\"; exit 0";
    struct scene s;
    long replaced = -1, away = -1, removed = -1, elsewhere = -1;
    size_t n = 0;

    scene_init(&s, modes[_i]);
    launch(&s, script, 1, -1, 1);
    pump_all(&s);
    ck_assert_int_eq(s.status, 0);
    for (size_t i = 0; i < s.rec.nev; i++) {
        const struct trace_event *e = &s.rec.ev[i];
        if (e->kind != TE_UNLINK)
            continue;
        n++;
        if (e->arg == TU_REPLACED && e->value == 0)
            replaced = (long)i;
        else if (e->arg == TU_MOVED_AWAY && e->value == 0)
            away = (long)i;
        else if (e->arg == TU_REMOVED && e->value == 0)
            removed = (long)i;
        else if (e->arg == TU_ELSEWHERE && e->value == -ENOENT)
            elsewhere = (long)i;
    }
    if (n != 4 || replaced < 0 || away < 0 || removed < 0 || elsewhere < 0)
        dump(&s.rec);
    ck_assert_uint_eq(n, 4);
    ck_assert_int_ge(replaced, 0);
    ck_assert_int_gt(away, replaced);
    ck_assert_int_gt(removed, away);
    ck_assert_int_gt(elsewhere, removed);
    ck_assert_ptr_nonnull(strstr(s.rec.ev[removed].detail, "\"pidfile\") from "));
    ck_assert_ptr_nonnull(strstr(s.rec.ev[removed].detail, ", the pidfile: done"));
    ck_assert_ptr_nonnull(strstr(s.rec.ev[elsewhere].detail, "/sub, not the pidfile"));
    ck_assert_str_eq(trace_kind_name(TE_UNLINK), "unlink");
    scene_free(&s);
}
END_TEST

/* A launcher that cannot install the filter is traced all the same. */
START_TEST(test_filter_missing_falls_back)
{
    struct scene s;

    scene_init(&s, TRACER_FILTER);
    ck_assert_int_eq(s.rec.mode, TM_FILTER);
    launch(&s, "umask 022; exit 0", 0, -1, 1);
    pump_all(&s);
    ck_assert_int_eq(s.status, 0);
    ck_assert_int_ge(find_event(&s.rec, TE_NOTE, s.launcher, "could not be installed"), 0);
    ck_assert_int_ge(find_event(&s.rec, TE_UMASK, s.launcher, NULL), 0);
    scene_free(&s);
}
END_TEST

/* Already traced (the checker under strace -f): said, and run untraced. */
START_TEST(test_already_traced)
{
    struct scene s;
    int go[2], hold[2], rc;
    pid_t target, rival;
    char byte;

    scene_init(&s, TRACER_FILTER);
    ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
    ck_assert_int_eq(pipe2(hold, O_CLOEXEC), 0);
    target = fork();
    ck_assert_int_ge(target, 0);
    if (target == 0) {
        close(go[1]);
        _exit(tracer_child_go(s.tr, go[0]) == 0 ? 0 : 1);
    }
    rival = fork();
    ck_assert_int_ge(rival, 0);
    if (rival == 0) {
        close(hold[1]);
        if (ptrace(PTRACE_SEIZE, target, 0L, 0L) < 0)
            _exit(2);
        while (read(hold[0], &byte, 1) < 0 && errno == EINTR)
            ;
        _exit(0);   /* the target is detached as this tracer exits */
    }
    close(hold[0]);
    /* Wait until the rival is attached: its TracerPid shows. */
    for (int tries = 0; tries < 5000; tries++) {
        char path[64], buf[4096], *at;
        snprintf(path, sizeof path, "/proc/%d/status", (int)target);
        if (proc_read_file(AT_FDCWD, path, buf, sizeof buf) > 0 &&
            (at = strstr(buf, "TracerPid:")) && atoi(at + 10) == rival)
            break;
        poll(NULL, 0, 1);
    }
    s.launcher = target;
    rc = tracer_seize(s.tr, target, tracer_launch(s.tr, TL_START, 0));
    ck_assert_int_eq(rc, -1);
    ck_assert_int_eq(errno, EPERM);
    ck_assert_int_ge(find_event(&s.rec, TE_UNSEEN, target, "already traced"), 0);
    ck_assert_int_eq(tracer_go(s.tr, go[1], 0), 0);
    close(go[1]);
    close(go[0]);
    close(hold[1]);
    ck_assert_int_eq(waitpid(rival, &rc, 0), rival);
    ck_assert_int_eq(rc, 0);
    ck_assert_int_eq(waitpid(target, &rc, 0), target);
    ck_assert_int_eq(rc, 0);        /* it was told: not traced */
    ck_assert_int_eq(tracer_live(s.tr), 0);
    scene_free(&s);
}
END_TEST

/* What the checker left alive is killed and reaped by tracer_finish. */
START_TEST(test_finish_ends_the_rest)
{
    struct scene s;
    int in[2];

    scene_init(&s, modes[_i]);
    ck_assert_int_eq(pipe2(in, O_CLOEXEC), 0);
    launch(&s, "read line; exit 0", 1, in[0], 1);
    close(in[0]);
    while (find_event(&s.rec, TE_EXEC, s.launcher, NULL) < 0)
        ck_assert_int_gt(pump_one(&s, 0), 0);
    ck_assert_int_gt(tracer_live(s.tr), 0);
    ck_assert_int_eq(tracer_finish(s.tr), 0);
    ck_assert_int_eq(tracer_live(s.tr), 0);
    ck_assert_int_ge(find_event(&s.rec, TE_EXIT, s.launcher, "killed by SIGKILL"), 0);
    ck_assert_int_eq(waitpid(-1, NULL, __WALL | WNOHANG), -1);
    ck_assert_int_eq(errno, ECHILD);
    close(in[1]);
    scene_free(&s);
}
END_TEST

START_TEST(test_child_go_untraced)
{
    struct scene s;
    int go[2];

    scene_init(&s, TRACER_FILTER);
    ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
    ck_assert_int_eq(tracer_go(s.tr, go[1], 0), 0);
    ck_assert_int_eq(tracer_child_go(s.tr, go[0]), 0);
    close(go[1]);
    ck_assert_int_eq(tracer_child_go(s.tr, go[0]), 0);     /* no byte: the checker is gone */
    close(go[0]);
    scene_free(&s);
}
END_TEST

START_TEST(test_record_bounds)
{
    struct trace t;

    trace_init(&t, 3, 2);
    for (int i = 0; i < 5; i++)
        trace_add_event(&t, 0, 100, 1, TE_UMASK, i, "event %d", i);
    ck_assert_uint_eq(t.nev, 3);
    ck_assert_uint_eq(t.dropped, 2);
    ck_assert_str_eq(t.ev[2].detail, "event 2");
    for (int i = 0; i < 3; i++)
        trace_add_proc(&t, 0, 100 + i, 1);
    ck_assert_uint_eq(t.nprocs, 2);
    ck_assert_uint_eq(t.procs_dropped, 1);
    for (int i = 0; i < TRACE_MAX_LAUNCHES; i++)
        ck_assert_int_eq(trace_add_launch(&t, TL_START), i);
    ck_assert_int_eq(trace_add_launch(&t, TL_START), -1);
    ck_assert_int_eq(errno, ENOSPC);
    trace_free(&t);
}
END_TEST

START_TEST(test_record_roles)
{
    struct trace t;
    /* launcher 10 -> 11 (gone) -> 12 the daemon -> 13 worker; 14 a stray */
    static const pid_t pid[] = { 10, 11, 12, 13, 14 }, ppid[] = { 1, 10, 11, 12, 10 };

    trace_init(&t, 0, 0);
    ck_assert_int_eq(trace_add_launch(&t, TL_START), 0);
    t.launches[0].first = 10;
    for (int i = 0; i < 5; i++)
        ck_assert_int_eq(trace_add_proc(&t, 0, pid[i], ppid[i]), i);
    t.procs[1].end_us = 5;
    t.procs[4].end_us = 500;
    trace_assign_roles(&t, 0, 12);
    ck_assert_int_eq(t.procs[0].role, TR_LAUNCHER);
    ck_assert_int_eq(t.procs[1].role, TR_INTERMEDIATE);
    ck_assert_int_eq(t.procs[2].role, TR_DAEMON);
    ck_assert_int_eq(t.procs[3].role, TR_WORKER);
    ck_assert_int_eq(t.procs[4].role, TR_INTERMEDIATE);
    ck_assert_ptr_eq(trace_find_proc(&t, 13), &t.procs[3]);
    ck_assert_ptr_null(trace_find_proc(&t, 99));
    ck_assert_str_eq(trace_kind_name(TE_PIDFILE_WRITE), "pidfile-write");
    ck_assert_str_eq(trace_kind_name(TE_NOTE), "trace-note");
    ck_assert_str_eq(trace_role_name(TR_WORKER), "worker");
    ck_assert_str_eq(trace_launch_name(TL_STALE), "stale");
    trace_free(&t);
}
END_TEST

static Suite *tracer_suite(void)
{
    Suite *s = suite_create("tracer");
    TCase *core = tcase_create("Core"), *hostile = tcase_create("Hostile"),
          *record = tcase_create("Record");
    int nmodes = (int)(sizeof modes / sizeof *modes);

    tcase_set_timeout(core, 20);
    tcase_set_timeout(hostile, 20);
    tcase_add_unchecked_fixture(core, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_unchecked_fixture(hostile, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_loop_test(core, test_steps_in_order, 0, nmodes);
    tcase_add_loop_test(core, test_children_and_their_parents, 0, nmodes);
    tcase_add_loop_test(core, test_signal_reinjected, 0, nmodes);
    tcase_add_loop_test(core, test_fork_event_after_child_end, 0, nmodes);
    tcase_add_loop_test(core, test_signals_sent, 0, nmodes);
    tcase_add_loop_test(core, test_pidfile_name_removed, 0, nmodes);
    tcase_add_test(core, test_child_go_untraced);
    tcase_add_loop_test(hostile, test_killed, 0, nmodes);
    tcase_add_loop_test(hostile, test_group_stop_kept, 0, nmodes);
    tcase_add_test(hostile, test_filter_missing_falls_back);
    tcase_add_test(hostile, test_already_traced);
    tcase_add_loop_test(hostile, test_finish_ends_the_rest, 0, nmodes);
    tcase_add_test(record, test_record_bounds);
    tcase_add_test(record, test_record_roles);
    suite_add_tcase(s, core);
    suite_add_tcase(s, hostile);
    suite_add_tcase(s, record);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tracer_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
