/* closed-stdio.c: the classic bug of step 6, on purpose: step 11's daemon,
 * but with 0, 1 and 2 closed (the seed's way) instead of put on /dev/null.
 *
 * open() returns the lowest free descriptor, so the next three files the
 * daemon opens become its standard descriptors: its log lands on 0, its
 * state file on 1 and its pidfile on 2. Then one stray message to stderr,
 * the kind any library may print, is written into the pidfile, over the
 * pid (the pid was written with pwrite(), which leaves the offset at 0).
 * Nothing fails, nothing is reported: the pidfile simply no longer names
 * the daemon. docs/tutorial/06-stdio.md shows what the checker makes of it.
 *
 *     closed-stdio start /ABSOLUTE/PIDFILE    (log: PIDFILE.log, state:
 *                                              PIDFILE.state) */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "steps.h"

/* PIDFILE with SUFFIX appended, opened with FLAGS, mode 0644. */
static int open_beside(const char *pidfile, const char *suffix, int flags)
{
    char path[PATH_MAX];

    snprintf(path, sizeof path, "%s%s", pidfile, suffix);
    return step_check(open(path, flags | O_CREAT | O_CLOEXEC, 0644), "open %s", path);
}

int main(int argc, char **argv)
{
    const char *pidfile;

    step_parse_args(argc, argv, STEP_START, &pidfile);
    step_check(close_range(3, ~0U, 0), "close inherited descriptors");
    step_check(step_reset_signals(), "reset signal dispositions and mask");
    if (step_fork_with_ready_pipe() > 0)
        _exit(step_wait_until_ready());
    umask(0);
    step_open_log();
    step_check(setsid(), "create a new session");
    if (step_fork() > 0)
        _exit(0);
    step_check(chdir("/"), "change directory to /");
    close(0);                                   /* the bug: closed, not */
    close(1);                                   /* redirected to /dev/null */
    close(2);
    step_check(step_catch_sigchld(), "catch SIGCHLD");
    step_check(step_catch_sigterm(), "catch SIGTERM");
    open_beside(pidfile, ".log", O_WRONLY | O_APPEND);   /* lands on 0 */
    open_beside(pidfile, ".state", O_RDWR);              /* lands on 1 */
    step_check(step_pidfile_take(pidfile),               /* lands on 2 */
               "take pidfile %s", pidfile);
    fprintf(stderr, "warning: no configuration file, using the defaults\n");
    step_check(step_start_job(), "start the start-up job");
    step_check(step_report_ready(), "report readiness");
    step_big_loop();
    step_check(unlink(pidfile), "remove pidfile %s", pidfile);
    return 0;
}
