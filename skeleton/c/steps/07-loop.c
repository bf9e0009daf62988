/* 07-loop.c: step 7: the big loop.
 *
 * Until now the child ended as soon as it was set up: nothing was left
 * running. Now it stays, and waits. The seed's loop wakes every 30 s with
 * nothing to do (sleep(30)); this one wakes only for a signal, so an idle
 * daemon costs no CPU time at all. SIGTERM still has its default action:
 * it ends the daemon (step 10 takes it over). */
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
    step_big_loop();                                          /* step 7: sleep until a signal */
}
