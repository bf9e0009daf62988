/* 06-stdio.c: the starting point of exercise 6 (detach the standard descriptors).
 *
 * The steps before this one are done; each TODO comment marks where step
 * 6 goes. steps.h (skeleton/c/steps/steps.h) gives step_check(), which
 * reports a failed call and exits, and the helpers of the earlier steps.
 * Build and grade it with `make exercise 6` from the top of the kit. */
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
    /* TODO step 6: put /dev/null on descriptors 0, 1 and 2 (open it once,
     * then make 0, 1 and 2 copies of it); never leave them closed. */
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: the real loop comes at step 7 */
}
