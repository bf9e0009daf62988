/* check_tracker.c — unit tests of checker/tracker.c, the part that may send
 * signals: it must see exactly the test's own descendants, orphans
 * included, and nothing else; and before it is ready it must do nothing. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "tracker.h"

/* Report this process's pid, once its state is set (the test's
 * handshake), then wait until the pipe is closed, and exit. */
static _Noreturn void report_and_wait(int go, int report)
{
    pid_t self = getpid();
    char byte;

    (void)!write(report, &self, sizeof self);
    while (read(go, &byte, 1) < 0 && errno == EINTR)
        ;
    _exit(0);
}

static _Noreturn void waits(int go, int report)
{
    report_and_wait(go, report);
}

static _Noreturn void waits_ignoring_term(int go, int report)
{
    signal(SIGTERM, SIG_IGN);
    report_and_wait(go, report);
}

/* Fork a grandchild that runs body with the read end of a "go" pipe and
 * the write end of a "report" pipe, and let its parent exit: the
 * grandchild becomes an orphan that reparents to the subreaper. Returns
 * the go pipe's write end (closing it ends the grandchild) and the pid the
 * grandchild reported. */
static int orphan_running(pid_t *pid, void (*body)(int go, int report))
{
    int go[2], report[2];
    pid_t child;

    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(report), 0);
    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        if (fork() == 0) {
            close(go[1]);
            close(report[0]);
            body(go[0], report[1]);
        }
        _exit(0);
    }
    close(go[0]);
    close(report[1]);
    ck_assert_int_eq(read(report[0], pid, sizeof *pid), (ssize_t)sizeof *pid);
    close(report[0]);
    waitpid(child, NULL, 0);
    return go[1];
}

static int orphan(pid_t *pid, int ignore_term)
{
    return orphan_running(pid, ignore_term ? waits_ignoring_term : waits);
}

/* A sweep that counts exactly pid as left behind, and leaves nothing. */
static void sweep_ends_only(struct tracker *t, pid_t pid, long timeout_ms)
{
    struct procset s = { 0 }, counted = { 0 };

    ck_assert_int_eq(tracker_sweep(t, timeout_ms, &counted), 0);
    ck_assert_uint_eq(counted.n, 1);
    ck_assert_int_eq(counted.v[0].pid, pid);
    procset_free(&counted);
    ck_assert_int_eq(tracker_scan(t, &s), 0);
    ck_assert_uint_eq(s.n, 0);
    procset_free(&s);
}

START_TEST(test_not_ready_does_nothing)
{
    struct tracker t = { 0 };
    struct procset s = { 0 };

    /* The zeroed tracker of a run whose set-up failed: its "self" is 0,
     * and pid 0 is the parent of init: the whole machine. */
    ck_assert_int_eq(tracker_scan(&t, &s), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(tracker_sweep(&t, 10, NULL), 0);
    ck_assert_int_eq(kill(getppid(), 0), 0);    /* the test runner is alive */
    procset_free(&s);
}
END_TEST

START_TEST(test_scan_sees_orphans_only)
{
    struct tracker t;
    struct procset s = { 0 };
    const char *step;
    pid_t grandchild;
    int go;

    ck_assert_int_eq(tracker_init(&t, &step), 0);
    go = orphan(&grandchild, 0);
    ck_assert_int_eq(tracker_scan(&t, &s), 0);
    ck_assert_ptr_nonnull(procset_find(&s, grandchild));
    ck_assert_int_eq(procset_find(&s, grandchild)->ppid, getpid());
    ck_assert_ptr_null(procset_find(&s, 1));
    ck_assert_ptr_null(procset_find(&s, getpid()));
    ck_assert_ptr_null(procset_find(&s, getppid()));
    close(go);
    ck_assert_int_eq(tracker_wait_exit(&t, procset_find(&s, grandchild), now_ms() + 5000), 1);
    procset_free(&s);
    tracker_fini(&t);
}
END_TEST

START_TEST(test_never_signals_the_unseen)
{
    struct tracker t;
    struct tracked parent = { .pid = getppid() };
    const char *step;

    ck_assert_int_eq(tracker_init(&t, &step), 0);
    ck_assert_int_eq(tracker_signal(&t, &parent, SIGTERM), -1);
    ck_assert_int_eq(errno, EPERM);
    tracker_fini(&t);
}
END_TEST

START_TEST(test_sweep_kills_what_ignores_term)
{
    struct tracker t;
    const char *step;
    pid_t grandchild;
    int go;

    ck_assert_int_eq(tracker_init(&t, &step), 0);
    go = orphan(&grandchild, 1);
    sweep_ends_only(&t, grandchild, 100);
    close(go);
    tracker_fini(&t);
}
END_TEST

/* A helper (a holder, say the stop command's) that leads a session of its
 * own, starts a grandchild in it and exits: the orphan belongs to the
 * helper's launch by its session, though its parent is now the tracker. */
START_TEST(test_orphan_keeps_its_launch)
{
    struct tracker t;
    struct procset s = { 0 };
    const char *step;
    int go[2], report[2];
    pid_t helper, grandchild = 0;

    ck_assert_int_eq(tracker_init(&t, &step), 0);
    t.current = ORIGIN_FIRST;
    ck_assert_int_eq(pipe(go), 0);
    ck_assert_int_eq(pipe(report), 0);
    helper = fork();
    ck_assert_int_ge(helper, 0);
    if (helper == 0) {
        char byte;
        setsid();
        if (fork() == 0) {
            pid_t self = getpid();
            close(go[1]);
            (void)!write(report[1], &self, sizeof self);
            while (read(go[0], &byte, 1) < 0 && errno == EINTR)
                ;
            _exit(0);
        }
        _exit(0);
    }
    ck_assert_int_eq(tracker_add_helper(&t, helper, ORIGIN_STOP), 0);
    close(go[0]);
    close(report[1]);
    ck_assert_int_eq(read(report[0], &grandchild, sizeof grandchild), (ssize_t)sizeof grandchild);
    waitpid(helper, NULL, 0);
    tracker_forget_helper(&t, helper);
    ck_assert_int_eq(tracker_scan(&t, &s), 0);
    ck_assert_ptr_nonnull(procset_find(&s, grandchild));
    ck_assert_int_eq(procset_find(&s, grandchild)->ppid, getpid());
    ck_assert_int_eq(procset_find(&s, grandchild)->origin, ORIGIN_STOP);
    close(go[1]);
    ck_assert_int_eq(tracker_wait_exit(&t, procset_find(&s, grandchild), now_ms() + 5000), 1);
    procset_free(&s);
    tracker_fini(&t);
}
END_TEST

/* The grandchild's two threads: the main one ends, the other reports
 * once it has (its join returns), then waits. */
static struct leaderless {
    pthread_t main;
    int go, report;
} leaderless;

static void *outlive_main(void *arg)
{
    (void)arg;
    pthread_join(leaderless.main, NULL);
    report_and_wait(leaderless.go, leaderless.report);
}

static _Noreturn void main_thread_ends(int go, int report)
{
    pthread_t other;

    leaderless = (struct leaderless){ pthread_self(), go, report };
    if (pthread_create(&other, NULL, outlive_main, NULL) != 0)
        _exit(1);
    pthread_exit(NULL);
}

/* An orphan whose main thread has ended while another runs on: /proc shows
 * its leader as a zombie. Returns as orphan_running does, once the zombie
 * shows. */
static int leaderless_orphan(pid_t *pid)
{
    int go = orphan_running(pid, main_thread_ends);
    char state = 0;

    /* The main thread's join returns as its exit begins: the zombie state
     * follows within the same exit, with no event to wait on. */
    for (long until = now_ms() + 5000; state != 'Z' && now_ms() < until; sched_yield()) {
        struct proc_stat st;
        int dir = proc_open(*pid);

        state = dir >= 0 && proc_read_stat(dir, &st) == 0 ? st.state : 0;
        if (dir >= 0)
            close(dir);
    }
    ck_assert_int_eq(state, 'Z');
    return go;
}

/* A leader that is a zombie while its other threads run is alive to the
 * sweep: counted as left behind, signalled, and waited for until its
 * whole group has ended. */
START_TEST(test_sweep_ends_a_zombie_leaders_threads)
{
    struct tracker t;
    struct procset s = { 0 };
    const char *step;
    pid_t grandchild;
    int go;

    ck_assert_int_eq(tracker_init(&t, &step), 0);
    go = leaderless_orphan(&grandchild);
    ck_assert_int_eq(tracker_scan(&t, &s), 0);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_int_eq(s.v[0].state, 'Z');
    ck_assert_int_eq(s.v[0].threads, 2);
    procset_free(&s);
    sweep_ends_only(&t, grandchild, 5000);
    close(go);
    tracker_fini(&t);
}
END_TEST

/* What the tracker reaps is recorded: who it was and how it ended. */
START_TEST(test_reaped_orphan_recorded)
{
    struct tracker t;
    struct procset s = { 0 };
    const struct ended *e;
    const char *step;
    pid_t grandchild;
    int go;

    ck_assert_int_eq(tracker_init(&t, &step), 0);
    go = orphan(&grandchild, 0);
    ck_assert_int_eq(tracker_scan(&t, &s), 0);
    close(go);                                  /* it exits with status 0 */
    ck_assert_int_eq(tracker_wait_exit(&t, procset_find(&s, grandchild), now_ms() + 5000), 1);
    ck_assert_int_eq(tracker_reap(&t), 0);
    e = tracker_end_of(&t, procset_find(&s, grandchild));
    ck_assert_ptr_nonnull(e);
    ck_assert(WIFEXITED(e->status) && WEXITSTATUS(e->status) == 0);
    ck_assert_int_eq(e->who.pid, grandchild);
    procset_free(&s);
    tracker_fini(&t);
}
END_TEST

static Suite *tracker_suite(void)
{
    Suite *s = suite_create("tracker");
    TCase *core = tcase_create("Core"), *safety = tcase_create("Safety");

    tcase_set_timeout(core, 10);
    tcase_set_timeout(safety, 10);
    tcase_add_test(core, test_scan_sees_orphans_only);
    tcase_add_test(core, test_sweep_kills_what_ignores_term);
    tcase_add_test(core, test_sweep_ends_a_zombie_leaders_threads);
    tcase_add_test(core, test_orphan_keeps_its_launch);
    tcase_add_test(core, test_reaped_orphan_recorded);
    tcase_add_test(safety, test_not_ready_does_nothing);
    tcase_add_test(safety, test_never_signals_the_unseen);
    suite_add_tcase(s, core);
    suite_add_tcase(s, safety);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(tracker_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
