/* 10-start-stop.c: step 10: start and stop.
 *
 * "stop /PIDFILE" sends SIGTERM to the daemon and waits until it has ended.
 * It signals the pid the pidfile names only when that pid holds the file's
 * lock: a pidfile left behind by a crash may name a pid that now belongs to
 * someone else.
 * The daemon catches SIGTERM to clean up: the handler only records it, and
 * the loop, woken by it, removes the pidfile and exits 0. (The seed's
 * cleanup, registered with atexit, never runs: a signal's default action
 * ends the process without calling exit().) pause() would now be a race: a
 * SIGTERM arriving between the test of the flag and pause() would be slept
 * through, so SIGTERM stays blocked except inside sigsuspend(). */
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
    step_check(step_pidfile_create(pidfile),                  /* step 9: new, locked, 0644, "PID\n"; */
               "create pidfile %s", pidfile);                 /*         its descriptor stays open */
    step_check(step_start_job(), "start the start-up job");   /* step 7: the work, here one child */
    step_check(step_report_ready(), "report readiness");      /* step 9: now the launcher may exit */
    step_big_loop();                                          /* step 7: sleep, collect; step 10: until SIGTERM */
    step_check(unlink(pidfile), "remove pidfile %s", pidfile); /* step 10: under the lock, */
    return 0;                                                 /* step 10: then exit 0 */
}
