/* ns-stdio-devnull — moves stdout and stderr to /dev/null, the classic
 * daemon's habit, and so throws away the journal the manager gave it.
 *
 * How the fault is seen for sure: it redirects before it says READY=1, so
 * /proc/PID/fd/1 and 2 name /dev/null whenever the checker looks, and the
 * journal stays empty: logs-to-stderr fails (a warn: exit 0). */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.stdio_devnull = true;
    return zoons_main(&r, argc, argv);
}
