/* 10-start-stop.c: the starting point of exercise 10 (start and stop).
 *
 * The steps before this one are done; each TODO comment marks where step
 * 10 goes. steps.h (skeleton/c/steps/steps.h) gives step_check(), which
 * reports a failed call and exits, and the helpers of the earlier steps.
 * Build and grade it with `make exercise 10` from the top of the kit. */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(int argc, char **argv)
{
    const char *pidfile;

    step_parse_args(argc, argv, STEP_START, &pidfile);        /* step 9: start /PIDFILE */
    /* TODO step 10, part 1: accept "stop /PIDFILE" too (STEP_START |
     * STEP_STOP), and for it send SIGTERM to the daemon the pidfile names,
     * only if that very pid holds the pidfile's lock, then wait until it
     * has ended; exit 0 (also when no daemon runs). */
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
    /* TODO step 10, part 2: catch SIGTERM, so that the big loop returns
     * when it comes (before the pidfile exists: see steps.h). */
    step_check(step_pidfile_create(pidfile),                  /* step 9: new, locked, 0644, "PID\n"; */
               "create pidfile %s", pidfile);                 /*         its descriptor stays open */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    step_check(step_report_ready(), "report readiness");      /* step 9: now the launcher may exit */
    step_big_loop();                                          /* step 7: sleep; collect ended children */
    /* TODO step 10, part 3: once the loop has returned, remove the pidfile
     * (its lock is still ours) and exit 0. */
}
