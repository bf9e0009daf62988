/* ns-no-watchdog — ignores WATCHDOG_USEC: it never pings.
 *
 * How the fault is seen for sure: no WATCHDOG=1 at all between READY=1 and
 * SIGTERM, a span of two settle times, longer than the interval the zoo's
 * cases ask for: watchdog fails. Without --watchdog nothing fails. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.watchdog = ZOONS_WATCHDOG_NEVER;
    return zoons_main(&r, argc, argv);
}
