/* check_judges.c — unit tests of the table of checks and its judges, on
 * evidence made up here: a correct daemon passes everything, each fault
 * fails exactly its check, the profiles turn failures into warnings, and
 * --step skips what comes later. */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "checks.h"

static struct evidence ev;
static struct options opt;
static struct result res[CK_COUNT];

/* The evidence of a daemon that does everything right. */
static void good_evidence(void)
{
    memset(&ev, 0, sizeof ev);
    memset(&opt, 0, sizeof opt);
    opt.cwd = "/";
    opt.timeout_ms = 5000;
    opt.settle_ms = 250;
    ev.has_pidfile = 1;
    strcpy(ev.pidfile_path, "/tmp/x/daemon.pid");
    ev.uid = 1000;
    ev.checker_pid = 100;
    ev.hostile_umask = 077;
    ev.blocked_sig = 36;
    ev.ignored_sig = 37;
    ev.launch = (struct launch_result){ .exited = 1, .status = 0, .elapsed_ms = 3 };
    ev.pidfile_at_exit = 1;
    ev.launch_sid = 101;
    ev.pidfile.view.exists = 1;
    ev.pidfile.view.st.st_mode = S_IFREG | 0644;
    ev.pidfile.view.st.st_uid = 1000;
    strcpy(ev.pidfile.view.bytes, "200\n");
    ev.pidfile.view.len = 4;
    ev.pidfile.form = PIDFILE_OK;
    ev.pidfile.pid = 200;
    ev.pidfile.named = NAMED_DESCENDANT;
    ev.daemon.found = 1;
    ev.daemon.st = (struct proc_stat){ .pid = 200, .ppid = 100, .pgrp = 199, .session = 199,
                                       .state = 'S', .comm = "d" };
    ev.daemon.status_ok = 1;
    ev.daemon.status.have_umask = 1;
    strcpy(ev.daemon.cwd, "/");
    ev.daemon.cwd_is_expected = 1;
    ev.daemon.nfds = 3;
    for (int i = 0; i < 3; i++) {
        ev.daemon.fds[i].fd = i;
        strcpy(ev.daemon.fds[i].target, "/dev/null");
    }
    ev.daemon.lock_held = 1;
    ev.alive_after_checks = 1;
    ev.single_ran = 1;
    ev.second = (struct launch_result){ .exited = 1, .status = 1 << 8 };
    ev.first_survived = 1;
    ev.pidfile_kept = 1;
    ev.hangup_ran = 1;
    ev.survived_hangup = 1;
    ev.stop_ran = 1;
    ev.stopped = 1;
    ev.stale_ran = 1;
    ev.third = (struct launch_result){ .exited = 1, .status = 0 };
    ev.stale_after = ev.pidfile;
}

/* Judge, then assert that exactly the given check is not a pass or skip. */
static void judge_expect_only(enum check_id id, enum status want)
{
    checks_judge_all(&ev, &opt, res);
    for (int i = 0; i < CK_COUNT; i++) {
        enum status s = res[i].status;
        if (i == (int)id)
            ck_assert_msg(s == want, "%s: %s, expected %s (%s / %s)", checks[i].id,
                          status_name(s), status_name(want), res[i].observed, res[i].message);
        else
            ck_assert_msg(s == ST_PASS, "%s: %s (%s / %s)", checks[i].id, status_name(s),
                          res[i].observed, res[i].message);
    }
}

START_TEST(test_good_passes_all)
{
    good_evidence();
    checks_judge_all(&ev, &opt, res);
    for (int i = 0; i < CK_COUNT; i++)
        ck_assert_msg(res[i].status == ST_PASS, "%s: %s", checks[i].id, res[i].message);
    ck_assert_int_eq(checks_exit_status(res), 0);
}
END_TEST

/* One fault each: the index names which. */
START_TEST(test_one_fault_one_failure)
{
    static const enum check_id id[] = {
        CK_NO_CTTY, CK_NEW_SESSION, CK_NOT_SESSION_LEADER, CK_CWD, CK_UMASK, CK_STDIO,
        CK_NO_INHERITED_FDS, CK_SIGNALS_RESET, CK_PIDFILE_EXISTS, CK_PIDFILE_SAFE,
        CK_SINGLE_INSTANCE, CK_NO_ZOMBIES, CK_PIDFILE_REMOVED, CK_NO_LEFTOVERS,
        CK_SURVIVES_HANGUP,
    };
    good_evidence();
    switch (_i) {
    case 0: ev.daemon.st.tty_nr = 34816; break;
    case 1: ev.daemon.st.session = ev.launch_sid; break;
    case 2: ev.daemon.st.session = ev.daemon.st.pid; break;
    case 3: ev.daemon.cwd_is_expected = 0; break;
    case 4: ev.daemon.status.umask = 077; break;
    case 5: ev.daemon.fds[1].is_launch_tty = 1; break;
    case 6: ev.daemon.fds[ev.daemon.nfds++] = (struct fd_seen){ .fd = 3, .sentinel = 1 }; break;
    case 7: ev.daemon.status.sigblk = 1ull << 35; break;
    case 8: ev.pidfile_at_exit = 0; break;
    case 9: ev.pidfile.view.st.st_mode = S_IFREG | 0666; break;
    case 10: ev.second.status = 0; break;
    case 11: ev.daemon.zombies.count = 1; break;
    case 12: ev.pidfile_after_stop = 1; break;
    case 13: ev.leftovers.count = 1; break;
    case 14: ev.survived_hangup = 0; break;
    }
    judge_expect_only(id[_i], ST_FAIL);
    ck_assert_int_eq(checks_exit_status(res), 1);
}
END_TEST

START_TEST(test_pidfile_forms_and_targets)
{
    good_evidence();
    ev.pidfile.form = PIDFILE_NO_NEWLINE;
    judge_expect_only(CK_PIDFILE_CONTENT, ST_FAIL);
    good_evidence();
    ev.pidfile.named = NAMED_INIT;
    judge_expect_only(CK_PIDFILE_CONTENT, ST_FAIL);
    ck_assert_ptr_nonnull(strstr(res[CK_PIDFILE_CONTENT].observed, "init"));
}
END_TEST

START_TEST(test_unlocked_only_warns)
{
    good_evidence();
    ev.daemon.lock_held = 0;
    judge_expect_only(CK_PIDFILE_LOCKED, ST_WARN);
    ck_assert_int_eq(checks_exit_status(res), 0);
}
END_TEST

START_TEST(test_seed_profile_warns_on_daemon7)
{
    good_evidence();
    opt.profile = PROFILE_SEED;
    ev.daemon.st.session = ev.daemon.st.pid;
    judge_expect_only(CK_NOT_SESSION_LEADER, ST_WARN);
    ck_assert_int_eq(checks_exit_status(res), 0);
}
END_TEST

START_TEST(test_step_skips_later_checks)
{
    good_evidence();
    opt.step = 4;
    ev.daemon.status.umask = 077;           /* step 2: still judged */
    ev.daemon.st.session = ev.daemon.st.pid; /* step 8: not yet */
    checks_judge_all(&ev, &opt, res);
    ck_assert_int_eq(res[CK_UMASK].status, ST_FAIL);
    ck_assert_int_eq(res[CK_NOT_SESSION_LEADER].status, ST_SKIP);
    ck_assert_ptr_nonnull(strstr(res[CK_NOT_SESSION_LEADER].message, "comes at step 8"));
}
END_TEST

START_TEST(test_no_daemon_skips_inspections)
{
    good_evidence();
    ev.daemon.found = 0;
    ev.stop_ran = 0;
    checks_judge_all(&ev, &opt, res);
    ck_assert_int_eq(res[CK_LAUNCHER_EXITS].status, ST_FAIL);
    ck_assert_int_eq(res[CK_DAEMON_RUNNING].status, ST_FAIL);
    ck_assert_int_eq(res[CK_NO_CTTY].status, ST_SKIP);
    ck_assert_int_eq(res[CK_STOPS_ON_SIGTERM].status, ST_SKIP);
}
END_TEST

START_TEST(test_table_is_complete)
{
    for (int i = 0; i < CK_COUNT; i++) {
        ck_assert_ptr_nonnull(checks[i].id);
        ck_assert_ptr_nonnull(checks[i].judge);
        ck_assert_ptr_nonnull(step_find(checks[i].step));
        ck_assert_ptr_eq(check_find(checks[i].id), &checks[i]);
        ck_assert(checks[i].fix_c[0] && checks[i].fix_python[0] && checks[i].why[0]);
    }
    ck_assert_ptr_null(check_find("no-such-check"));
    ck_assert_ptr_null(step_find(0));
    ck_assert_ptr_null(step_find(STEP_COUNT + 1));
}
END_TEST

static Suite *judges_suite(void)
{
    Suite *s = suite_create("judges");
    TCase *core = tcase_create("Core"), *limits = tcase_create("Limits");

    tcase_add_test(core, test_good_passes_all);
    tcase_add_loop_test(core, test_one_fault_one_failure, 0, 15);
    tcase_add_test(core, test_pidfile_forms_and_targets);
    tcase_add_test(limits, test_unlocked_only_warns);
    tcase_add_test(limits, test_seed_profile_warns_on_daemon7);
    tcase_add_test(limits, test_step_skips_later_checks);
    tcase_add_test(limits, test_no_daemon_skips_inspections);
    tcase_add_test(limits, test_table_is_complete);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(judges_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
