/* 05-chdir.c: step 5: chdir("/").
 *
 * The daemon inherited its launcher's working directory. Holding it keeps
 * that file system busy (it cannot be unmounted) for the daemon's whole
 * life, and relative paths would mean something different for every
 * launcher. "/" always exists and is never unmounted. */
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
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: the real loop comes at step 7 */
}
