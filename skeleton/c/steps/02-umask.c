/* 02-umask.c: step 2: umask(0).
 *
 * The umask the daemon inherits is whatever its launcher had (022 from a
 * login shell, 077 from a careful script): the modes of the files it creates
 * would depend on who started it. umask(0) makes the mode given to open()
 * and mkdir() the mode the file gets, so every file must now be created
 * with an explicit, deliberate mode (see the pidfile, step 9). */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(void)
{
    if (step_fork() > 0)                                      /* step 1: fork; */
        _exit(0);                                             /* step 1: the parent exits */
    umask(0);                                                 /* step 2: file modes are ours alone */
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: the real loop comes at step 7 */
}
