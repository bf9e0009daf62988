/* 11-daemon7.c: step 11: what systemd's daemon(7) adds to the seed.
 *
 * - Inherited descriptors: the launcher may have left any number open
 *   (a socket, a lock, the write end of a pipe someone waits on). The
 *   daemon would keep them for its whole life. close_range() closes all
 *   of them but 0-2 in one call, however high the descriptor limit; a
 *   loop up to the limit costs a million close() calls in a container.
 * - Signals: ignored dispositions and the blocked mask survive fork and
 *   exec, so a daemon started from a program that ignored or blocked a
 *   signal would silently not see it. Back to defaults, mask empty.
 *   (Both are done first, before the fork, as daemon(7) orders it.)
 * - The pidfile is judged by its lock, not by its existence: a file whose
 *   lock nobody holds is stale (its daemon died) and taken over, so a crash
 *   no longer blocks the next start; a file locked by a running instance
 *   refuses the second one, which exits 1 and touches nothing. */
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

int main(int argc, char **argv)
{
    const char *pidfile;
    enum step_command command =                               /* step 9: start /PIDFILE */
        step_parse_args(argc, argv, STEP_START | STEP_STOP, &pidfile); /* step 10: or stop */

    if (command == STEP_STOP)                                 /* step 10: stop: SIGTERM to the */
        return step_stop_daemon(pidfile);                     /*          lock holder, then wait */
    step_check(close_range(3, ~0U, 0),                        /* step 11: close inherited */
               "close inherited descriptors");                /*          descriptors */
    step_check(step_reset_signals(),                          /* step 11: default dispositions, */
               "reset signal dispositions and mask");         /*          empty mask */
    if (step_fork_with_ready_pipe() > 0)                      /* step 1: fork; step 9: + readiness pipe; */
        _exit(step_wait_until_ready());                       /* step 9: the parent exits once told */
    umask(0);                                                 /* step 2: file modes are ours alone */
    step_open_log();                                          /* step 3: syslog, facility daemon */
    step_check(setsid(), "create a new session");             /* step 4: leave the terminal's session */
    if (step_fork() > 0)                                      /* step 8: fork again; */
        _exit(0);                                             /* step 8: the session leader exits */
    step_check(chdir("/"), "change directory to /");          /* step 5: hold no file system busy */
    step_check(step_stdio_to_dev_null(),                      /* step 6: stdio to /dev/null, */
               "redirect stdio to /dev/null");                /*         not closed */
    step_check(step_catch_sigchld(), "catch SIGCHLD");        /* step 7: a child's end wakes the loop */
    step_check(step_catch_sigterm(), "catch SIGTERM");        /* step 10: before anyone knows our pid */
    step_check(step_pidfile_take(pidfile),                    /* step 11: stale taken over, live refused; */
               "take pidfile %s", pidfile);                   /* step 9: locked, 0644, "PID\n", kept open */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    step_check(step_report_ready(), "report readiness");      /* step 9: now the launcher may exit */
    step_big_loop();                                          /* step 7: sleep, collect; step 10: until SIGTERM */
    step_check(unlink(pidfile), "remove pidfile %s", pidfile); /* step 10: under the lock, */
    return 0;                                                 /* step 10: then exit 0 */
}
