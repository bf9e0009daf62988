/* 03-log.c: step 3: open the log.
 *
 * A daemon has no terminal to print on (step 6 takes stdio away), so what
 * it has to say goes to syslog. Opening it early means every later failure
 * can be told; see step_open_log() for why it connects at once. */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(void)
{
    if (step_fork() > 0)                                      /* step 1: fork; */
        _exit(0);                                             /* step 1: the parent exits */
    umask(0);                                                 /* step 2: file modes are ours alone */
    step_open_log();                                          /* step 3: syslog, facility daemon */
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: the real loop comes at step 7 */
}
