/* 09-pidfile.c: the starting point of exercise 9 (the pidfile).
 *
 * The steps before this one are done; each TODO comment marks where step
 * 9 goes. steps.h (skeleton/c/steps/steps.h) gives step_check(), which
 * reports a failed call and exits, and the helpers of the earlier steps.
 * Build and grade it with `make exercise 9` from the top of the kit. */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(int argc, char **argv)
{
    const char *pidfile;

    step_parse_args(argc, argv, STEP_START, &pidfile);        /* start /PIDFILE (given) */
    /* TODO step 9, part 1: a readiness pipe, created before this fork;
     * the parent keeps the read end and exits only once the daemon has
     * said "ready" on it (or with 1, and the daemon's message, if the
     * daemon failed or ended first). */
    if (step_fork() > 0)                                      /* step 1: fork; */
        _exit(0);                                             /* step 1: the parent exits */
    umask(0);                                                 /* step 2: file modes are ours alone */
    step_open_log();                                          /* step 3: syslog, facility daemon */
    step_check(setsid(), "create a new session");             /* step 4: leave the terminal's session */
    if (step_fork() > 0)                                      /* step 8: fork again; */
        _exit(0);                                             /* step 8: the session leader exits */
    step_check(chdir("/"), "change directory to /");          /* step 5: hold no file system busy */
    step_check(step_stdio_to_dev_null(),                      /* step 6: stdio to /dev/null, */
               "redirect stdio to /dev/null");                /*         not closed */
    step_check(step_catch_sigchld(), "catch SIGCHLD");        /* step 7: a child's end wakes the loop */
    /* TODO step 9, part 2: create the pidfile PIDFILE: it must not exist
     * yet (O_EXCL), mode 0644, locked (fcntl F_SETLK) for the daemon's
     * whole life, holding the pid and a newline. */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    /* TODO step 9, part 3: say "ready" to the waiting launcher, and close
     * the pipe's write end. */
    step_big_loop();                                          /* step 7: sleep; collect ended children */
}
