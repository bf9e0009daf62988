/* ns-watchdog-from-child — pings the watchdog from a child process,
 * ignoring that WATCHDOG_PID names the main process: systemd drops those
 * pings and kills the service when the interval runs out.
 *
 * How the fault is seen for sure: every WATCHDOG=1 carries the child's
 * credentials, none the main process's, so between READY=1 and SIGTERM
 * (two settle times, longer than the interval the zoo's cases ask for)
 * the main process is silent: watchdog fails. The child lives only while
 * the main process holds a pipe open; the main process closes it and
 * reaps the child before it exits, so there is no leftover. Without
 * --watchdog there is no child and nothing fails. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.watchdog = ZOONS_WATCHDOG_CHILD;
    return zoons_main(&r, argc, argv);
}
