/* 08-second-fork.c: the starting point of exercise 8 (fork a second time).
 *
 * The steps before this one are done; each TODO comment marks where step
 * 8 goes. steps.h (skeleton/c/steps/steps.h) gives step_check(), which
 * reports a failed call and exits, and the helpers of the earlier steps.
 * Build and grade it with `make exercise 8` from the top of the kit. */
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
    /* TODO step 8: fork again, and let the session leader exit (_exit). */
    step_check(chdir("/"), "change directory to /");          /* step 5: hold no file system busy */
    step_check(step_stdio_to_dev_null(),                      /* step 6: stdio to /dev/null, */
               "redirect stdio to /dev/null");                /*         not closed */
    step_check(step_catch_sigchld(), "catch SIGCHLD");        /* step 7: a child's end wakes the loop */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    step_big_loop();                                          /* step 7: sleep; collect ended children */
}
