/* check_judges.c — unit tests of the table of checks and its judges, on
 * evidence made up here: a correct daemon passes everything, each fault
 * fails exactly its check, the profiles turn failures into warnings, and
 * --step skips what comes later. */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

#include "checks.h"
#include "text.h"

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
    opt.stop_command = "./d stop";
    ev.has_pidfile = 1;
    strcpy(ev.pidfile_path, "/tmp/x/daemon.pid");
    ev.uid = 1000;
    ev.checker_pid = 100;
    ev.hostile_umask = 077;
    ev.blocked_sig = 36;
    ev.ignored_sig = 37;
    ev.launch = (struct launch_result){ .exited = 1, .status = 0, .elapsed_ms = 3,
                                        .left_behind = 2 };
    ev.pidfile_at_exit = 1;
    ev.launch_sid = 101;
    ev.pidfile.view.exists = 1;
    ev.pidfile.view.st.st_mode = S_IFREG | 0644;
    ev.pidfile.view.st.st_uid = 1000;
    strcpy(ev.pidfile.view.bytes, "200\n");
    ev.pidfile.view.len = 4;
    ev.pidfile.form = PIDFILE_OK;
    ev.pidfile.pid = 200;
    ev.pidfile.owner = OWNER_DESCENDANT;
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
    ev.pidfile_change = PIDFILE_KEPT;
    ev.hangup_ran = 1;
    ev.survived_hangup = 1;
    ev.stop_ran = 1;
    ev.stop_by_command = 1;
    ev.stop_cmd = (struct launch_result){ .exited = 1, .status = 0, .elapsed_ms = 2 };
    ev.stopped = 1;
    ev.stale_ran = 1;
    ev.third = (struct launch_result){ .exited = 1, .status = 0 };
    ev.stale_after = ev.pidfile;
}

/* What a check of a correct daemon gives: a pass, or a skip when the
 * profile does not judge it (the new-style checks under sysv). */
static enum status good_status(int i)
{
    return checks[i].judged & (1u << opt.profile) ? ST_PASS : ST_SKIP;
}

/* Judge, then assert that exactly the given check departs from a good run. */
static void judge_expect_only(enum check_id id, enum status want)
{
    checks_judge_all(&ev, &opt, res);
    for (int i = 0; i < CK_COUNT; i++) {
        enum status s = res[i].status;
        if (i == (int)id)
            ck_assert_msg(s == want, "%s: %s, expected %s (%s / %s)", checks[i].id,
                          status_name(s), status_name(want), res[i].observed, res[i].message);
        else
            ck_assert_msg(s == good_status(i), "%s: %s (%s / %s)", checks[i].id,
                          status_name(s), res[i].observed, res[i].message);
    }
}

START_TEST(test_good_passes_all)
{
    good_evidence();
    checks_judge_all(&ev, &opt, res);
    for (int i = 0; i < CK_COUNT; i++)
        ck_assert_msg(res[i].status == good_status(i), "%s: %s", checks[i].id, res[i].message);
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
        CK_SURVIVES_HANGUP, CK_LAUNCHER_EXITS, CK_STDIO_OPEN, CK_STDIO, CK_STDIO,
        CK_STOP_COMMAND, CK_STOP_COMMAND, CK_DAEMON_RUNNING,
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
    case 15: ev.launch.left_behind = 0; break;             /* never forked */
    case 16: ev.daemon.nfds = 2; break;                     /* fd 2 closed */
    case 17: ev.daemon.fds[2].is_pidfile = 1; break;        /* the pidfile on 2 */
    case 18: ev.daemon.fds[1] = (struct fd_seen){ .fd = 1, .is_regular = 1, .have_flags = 1,
                                                  .flags = 02 /* O_RDWR */ }; break;
    case 19: ev.stop_cmd.status = 1 << 8; break;
    case 20: pid_list_add(&ev.stop_cmd_left, 300, "sleep"); break;
    case 21: ev.daemon_end = (struct process_end){ 1, 200, "d", SIGSEGV }; break; /* crashed */
    }
    judge_expect_only(id[_i], ST_FAIL);
    ck_assert_int_eq(checks_exit_status(res), 1);
}
END_TEST

/* A daemon that died: daemon-running alone fails, and says how. */
START_TEST(test_dead_daemon_says_how)
{
    good_evidence();
    ev.daemon.found = 0;
    ev.stop_ran = 0;
    ev.daemon_end = (struct process_end){ 1, 200, "d", SIGPIPE };
    checks_judge_all(&ev, &opt, res);
    ck_assert_int_eq(res[CK_LAUNCHER_EXITS].status, ST_PASS);
    ck_assert_int_eq(res[CK_DAEMON_RUNNING].status, ST_FAIL);
    ck_assert_ptr_nonnull(strstr(res[CK_DAEMON_RUNNING].observed, "killed by SIGPIPE"));
    ck_assert_int_eq(res[CK_NO_CTTY].status, ST_SKIP);
    ck_assert_ptr_nonnull(strstr(res[CK_NO_CTTY].message, "see daemon-running"));
}
END_TEST

/* A stop command that never signals: the daemon stopped on the checker's
 * own SIGTERM, so stops-on-sigterm names the stop command, not SIGTERM. */
START_TEST(test_stop_command_blamed)
{
    good_evidence();
    ev.stopped = 0;
    ev.term_after_command = 1;
    ev.stopped_by_term = 1;
    judge_expect_only(CK_STOPS_ON_SIGTERM, ST_FAIL);
    ck_assert_ptr_nonnull(strstr(res[CK_STOPS_ON_SIGTERM].message, "stop command"));
    ck_assert_ptr_null(strstr(res[CK_STOPS_ON_SIGTERM].message, "handle SIGTERM"));
}
END_TEST

/* A zombie counts by the later look, not by the inspection's sample: one
 * reaped in between passes, one still there fails and says for how long. */
START_TEST(test_zombie_judged_by_later_look)
{
    good_evidence();
    ev.daemon.zombies_seen = 1;
    ev.daemon.zombie[0] = (struct zombie_seen){ 300, 4242, "job" };
    ev.daemon.zombies_looked = 1;
    ev.daemon.zombies_after_ms = 1250;
    judge_expect_only(CK_NO_ZOMBIES, ST_PASS);
    ck_assert_ptr_nonnull(strstr(res[CK_NO_ZOMBIES].observed, "reaped by the daemon"));
    pid_list_add(&ev.daemon.zombies, 300, "job");
    judge_expect_only(CK_NO_ZOMBIES, ST_FAIL);
    ck_assert_ptr_nonnull(strstr(res[CK_NO_ZOMBIES].observed, "300 (job)"));
    ck_assert_ptr_nonnull(strstr(res[CK_NO_ZOMBIES].observed, "1250 ms after the inspection"));
}
END_TEST

/* A failed stop command is told what a stop command is for, not what a
 * start is for. */
START_TEST(test_stop_command_told_its_own_goal)
{
    good_evidence();
    ev.stop_cmd.status = 1 << 8;
    judge_expect_only(CK_STOP_COMMAND, ST_FAIL);
    ck_assert_ptr_nonnull(strstr(res[CK_STOP_COMMAND].message, "once the daemon is stopped"));
    ev.stop_cmd.exited = 0;
    judge_expect_only(CK_STOP_COMMAND, ST_FAIL);
    ck_assert_ptr_null(strstr(res[CK_STOP_COMMAND].message, "in the background"));
    ck_assert_ptr_nonnull(strstr(res[CK_STOP_COMMAND].message, "once the daemon is gone"));
}
END_TEST

/* Nothing arrived at an abstract NOTIFY_SOCKET: the address's form is
 * blamed only when the journal shows the service tried it. */
START_TEST(test_abstract_blamed_on_evidence_only)
{
    static const char failed[] = "svc[12]: serving\n"
                                 "svc[12]: unable to notify the service manager: No such file "
                                 "or directory\n";
    static const char named[] = "svc[12]: NOTIFY_SOCKET=@checker-notify/1/x\n";
    static const char quiet[] = "svc[12]: serving on 127.0.0.1:8080\n";
    struct result r;

    memset(&ev, 0, sizeof ev);
    memset(&opt, 0, sizeof opt);
    opt.profile = PROFILE_NEW_STYLE;
    opt.notify = NOTIFY_ABSTRACT;
    opt.timeout_ms = 1000;
    ev.svc.ran = 1;
    ev.svc.ready_ms = -1;

    memset(&r, 0, sizeof r);
    checks[CK_NOTIFY_READY].judge(&ev, &opt, &r);
    ck_assert_int_eq(r.status, ST_FAIL);
    ck_assert_ptr_nonnull(strstr(r.message, "either the service never sent READY=1"));
    ck_assert_ptr_nonnull(strstr(r.message, "abstract address"));

    ev.svc.journal_hints = journal_notify_hints(failed, strlen(failed), "@checker-notify/1/x");
    ck_assert_uint_eq(ev.svc.journal_hints, JOURNAL_NOTIFY_ENOENT);
    memset(&r, 0, sizeof r);
    checks[CK_NOTIFY_READY].judge(&ev, &opt, &r);
    ck_assert_ptr_null(strstr(r.message, "either"));
    ck_assert_ptr_nonnull(strstr(r.message, "abstract address"));
    ck_assert_ptr_nonnull(strstr(r.observed, "No such file or directory"));

    ev.svc.journal_hints = journal_notify_hints(named, strlen(named), "@checker-notify/1/x");
    ck_assert_uint_eq(ev.svc.journal_hints, JOURNAL_NAMES_NOTIFY);
    memset(&r, 0, sizeof r);
    checks[CK_NOTIFY_READY].judge(&ev, &opt, &r);
    ck_assert_ptr_null(strstr(r.message, "either"));
    ck_assert_ptr_nonnull(strstr(r.message, "read NOTIFY_SOCKET"));

    /* Its address alone, without the '@', also shows the variable was read. */
    ck_assert_uint_eq(journal_notify_hints("to checker-notify/1/x\n", 22, "@checker-notify/1/x"),
                      JOURNAL_NAMES_NOTIFY);
    ck_assert_uint_eq(journal_notify_hints(quiet, strlen(quiet), "@checker-notify/1/x"), 0);
    ck_assert_uint_eq(journal_notify_hints(quiet, 0, NULL), 0);
}
END_TEST

START_TEST(test_signals_named)
{
    char name[32];

    good_evidence();
    ev.blocked_sig = SIGRTMIN + 2;
    ev.ignored_sig = SIGRTMIN + 3;
    ev.daemon.status.sigblk = 1ull << (SIGRTMIN + 2 - 1);
    judge_expect_only(CK_SIGNALS_RESET, ST_FAIL);
    ck_assert_ptr_nonnull(strstr(res[CK_SIGNALS_RESET].expected, "SIGRTMIN+2"));
    ck_assert_ptr_nonnull(strstr(res[CK_SIGNALS_RESET].observed, "SIGRTMIN+2 blocked"));
    signal_name(SIGTERM, name, sizeof name);
    ck_assert_str_eq(name, "SIGTERM");
    signal_name(SIGRTMIN, name, sizeof name);
    ck_assert_str_eq(name, "SIGRTMIN");
}
END_TEST

START_TEST(test_pidfile_forms_and_targets)
{
    good_evidence();
    ev.pidfile.form = PIDFILE_NO_NEWLINE;
    judge_expect_only(CK_PIDFILE_CONTENT, ST_FAIL);
    good_evidence();
    ev.pidfile.owner = OWNER_INIT;
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
    ev.launch.left_behind = 0;
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
    tcase_add_loop_test(core, test_one_fault_one_failure, 0, 22);
    tcase_add_test(core, test_dead_daemon_says_how);
    tcase_add_test(core, test_stop_command_blamed);
    tcase_add_test(core, test_zombie_judged_by_later_look);
    tcase_add_test(core, test_stop_command_told_its_own_goal);
    tcase_add_test(core, test_abstract_blamed_on_evidence_only);
    tcase_add_test(core, test_signals_named);
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
