/* 07-loop.c: step 7: the big loop.
 *
 * Until now the child waited in a placeholder, pause() for ever, which
 * does nothing but keep it alive. A daemon's loop is where it waits for
 * events and acts on them, and the first event every daemon that starts
 * processes must handle is a child's end: a child that has ended stays a
 * zombie until its parent collects it with waitpid(). So the daemon here
 * does its "work" in a child (a start-up job that ends at once), and its
 * loop sleeps until a signal comes, collecting every ended child after
 * each SIGCHLD. The seed's loop wakes every 30 s with nothing to do
 * (sleep(30)); this one wakes only for a signal, so an idle daemon costs
 * no CPU time at all. SIGTERM keeps its default action: it ends the daemon
 * (step 10 takes it over). */
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
    step_check(step_catch_sigchld(), "catch SIGCHLD");        /* step 7: a child's end wakes the loop */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    step_big_loop();                                          /* step 7: sleep; collect ended children */
}
