/* 11-daemon7.c: the starting point of exercise 11 (what daemon(7) adds).
 *
 * The steps before this one are done; each TODO comment marks where step
 * 11 goes. steps.h (skeleton/c/steps/steps.h) gives step_check(), which
 * reports a failed call and exits, and the helpers of the earlier steps.
 * Build and grade it with `make exercise 11` from the top of the kit. */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(int argc, char **argv)
{
    const char *pidfile;
    enum step_command command =                               /* step 9: start /PIDFILE */
        step_parse_args(argc, argv, STEP_START | STEP_STOP, &pidfile); /* step 10: or stop */

    if (command == STEP_STOP)                                 /* step 10: stop: SIGTERM to the */
        return step_stop_daemon(pidfile);                     /*          lock holder, then wait */
    /* TODO step 11, part 1: close every descriptor above 2 that the
     * launcher left open, then give every signal its default action and
     * unblock them all: before the fork, as daemon(7) orders it. */
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
    step_check(step_catch_sigterm(), "catch SIGTERM");        /* step 10: before anyone knows our pid */
    /* TODO step 11, part 2: take a stale pidfile over (nobody holds its
     * lock) instead of refusing it: decide by the lock, not by O_EXCL. */
    step_check(step_pidfile_create(pidfile),                  /* step 9: new, locked, 0644, "PID\n"; */
               "create pidfile %s", pidfile);                 /*         its descriptor stays open */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    step_check(step_report_ready(), "report readiness");      /* step 9: now the launcher may exit */
    step_big_loop();                                          /* step 7: sleep, collect; step 10: until SIGTERM */
    step_check(unlink(pidfile), "remove pidfile %s", pidfile); /* step 10: under the lock, */
    return 0;                                                 /* step 10: then exit 0 */
}
