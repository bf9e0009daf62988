/* 04-setsid.c: the starting point of exercise 4 (leave the session: setsid).
 *
 * The steps before this one are done; each TODO comment marks where step
 * 4 goes. steps.h (skeleton/c/steps/steps.h) gives step_check(), which
 * reports a failed call and exits, and the helpers of the earlier steps.
 * Build and grade it with `make exercise 4` from the top of the kit. */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(void)
{
    if (step_fork() > 0)                                      /* step 1: fork; */
        _exit(0);                                             /* step 1: the parent exits */
    umask(0);                                                 /* step 2: file modes are ours alone */
    step_open_log();                                          /* step 3: syslog, facility daemon */
    /* TODO step 4: leave the terminal's session (and check for failure). */
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: the real loop comes at step 7 */
}
