/* ns-forks-away — daemonizes as a classic daemon would, under a manager
 * that wants it in the foreground: it forks, the child calls setsid() and
 * becomes the service, and the started process exits 0 once the child has
 * said READY=1 (from its own pid, with no MAINPID=).
 *
 * How the fault is seen for sure: the parent exits only after the child's
 * READY=1 is queued on the notify socket, so the order is fixed: a READY=1
 * from a process that is not the main one (refused: stays-foreground's
 * main process is then the started pid), then the main process's exit, well
 * before the settle time ends. stays-foreground and notify-ready fail. The
 * child still serves, reloads and stops correctly when it is the process
 * signalled, and it holds the journal pipe. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.fork = ZOONS_FORK_AWAY;
    return zoons_main(&r, argc, argv);
}
