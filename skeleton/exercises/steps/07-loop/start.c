/* 07-loop.c: the starting point of exercise 7 (the big loop).
 *
 * The steps before this one are done; each TODO comment marks where step
 * 7 goes. steps.h (skeleton/c/steps/steps.h) gives step_check(), which
 * reports a failed call and exits, and the helpers of the earlier steps.
 * Build and grade it with `make exercise 7` from the top of the kit. */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(void)
{
    if (step_fork() > 0)                                      /* step 1: fork; */
        _exit(0);                                             /* step 1: the parent exits */
    umask(0);                                                 /* step 2: file modes are ours alone */
    step_open_log();                                          /* step 3: syslog, facility daemon */
    step_check(setsid(), "create a new session");             /* step 4: leave the terminal's session */
    step_check(chdir("/"), "change directory to /");          /* step 5: hold no file system busy */
    step_check(step_stdio_to_dev_null(),                      /* step 6: stdio to /dev/null, */
               "redirect stdio to /dev/null");                /*         not closed */
    /* TODO step 7: the big loop. Catch SIGCHLD before the job starts (its
     * end must wake the loop), then replace the placeholder below with a
     * loop that sleeps until a signal comes and, after each SIGCHLD,
     * collects every child that has ended: until then the job stays a
     * zombie. */
    step_check(step_start_job(), "start the start-up job");   /* the work, here one child (given) */
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: replace it */
}
