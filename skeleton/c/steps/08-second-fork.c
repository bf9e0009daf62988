/* 08-second-fork.c: step 8: the second fork.
 *
 * After setsid() the daemon leads its session, and a session leader that
 * opens a terminal without O_NOCTTY acquires it as controlling terminal:
 * one careless open() and the daemon is bound to a terminal again. Forking
 * once more and letting the leader exit leaves a daemon that is not a
 * session leader, and so can never acquire one. */
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
    if (step_fork() > 0)                                      /* step 8: fork again; */
        _exit(0);                                             /* step 8: the session leader exits */
    step_check(chdir("/"), "change directory to /");          /* step 5: hold no file system busy */
    step_check(step_stdio_to_dev_null(),                      /* step 6: stdio to /dev/null, */
               "redirect stdio to /dev/null");                /*         not closed */
    step_check(step_catch_sigchld(), "catch SIGCHLD");        /* step 7: a child's end wakes the loop */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    step_big_loop();                                          /* step 7: sleep; collect ended children */
}
