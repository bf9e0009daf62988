/* 04-setsid.c: step 4: setsid().
 *
 * The child is still in the launcher's session, with its terminal as
 * controlling terminal: a logout (hangup) or a ^C there would reach it.
 * setsid() makes it the leader of a new session with no terminal at all. It
 * fails only for a process-group leader, which a fresh child never is:
 * that is why step 1 forked first. */
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
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: the real loop comes at step 7 */
}
