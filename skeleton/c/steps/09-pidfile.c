/* 09-pidfile.c: step 9: the pidfile.
 *
 * The pidfile tells the world which pid is the daemon ("stop" will signal
 * it). Three things make it trustworthy:
 *  - the final process writes it (after the last fork, the pid is final),
 *    and the launcher returns only once it exists: the daemon reports
 *    "ready" through a pipe, and the launcher waits for that report (a
 *    script that reads the pidfile right after "start" returned must find
 *    it), or passes on the daemon's error and fails;
 *  - mode 0644 and content "PID\n": nobody else can rewrite it;
 *  - the daemon holds a lock on it for its whole life, so "running" can
 *    be told from "a file that was left behind" (step 10 relies on it).
 * The command line is read from this step on: "start /PIDFILE".
 * The pidfile must not exist (O_EXCL): a second instance is refused, but so
 * is a start after a crash left a stale file behind (step 11 fixes that). */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(int argc, char **argv)
{
    const char *pidfile;

    step_parse_args(argc, argv, STEP_START, &pidfile);        /* step 9: start /PIDFILE */
    if (step_fork_with_ready_pipe() > 0)                      /* step 1: fork; step 9: + readiness pipe; */
        _exit(step_wait_until_ready());                       /* step 9: the parent exits once told */
    umask(0);                                                 /* step 2: file modes are ours alone */
    step_open_log();                                          /* step 3: syslog, facility daemon */
    step_check(setsid(), "create a new session");             /* step 4: leave the terminal's session */
    if (step_fork() > 0)                                      /* step 8: fork again; */
        _exit(0);                                             /* step 8: the session leader exits */
    step_check(chdir("/"), "change directory to /");          /* step 5: hold no file system busy */
    step_check(step_stdio_to_dev_null(),                      /* step 6: stdio to /dev/null, */
               "redirect stdio to /dev/null");                /*         not closed */
    step_check(step_catch_sigchld(), "catch SIGCHLD");        /* step 7: a child's end wakes the loop */
    step_check(step_pidfile_create(pidfile),                  /* step 9: new, locked, 0644, "PID\n"; */
               "create pidfile %s", pidfile);                 /*         its descriptor stays open */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    step_check(step_report_ready(), "report readiness");      /* step 9: now the launcher may exit */
    step_big_loop();                                          /* step 7: sleep; collect ended children */
}
