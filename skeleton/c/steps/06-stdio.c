/* 06-stdio.c: step 6: the standard descriptors.
 *
 * Descriptors 0, 1 and 2 are still the launcher's terminal (or pipe, or
 * file). The seed closes them, but a closed 0-2 is a trap: open() returns
 * the lowest free number, so the next file or socket the daemon opens
 * becomes "stdout", and the first stray printf() or library warning writes
 * into it. Pointing all three at /dev/null keeps the numbers taken, reads
 * see end of file and writes vanish: never leave them closed. */
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
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: the real loop comes at step 7 */
}
