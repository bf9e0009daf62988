/* ns-ignores-sigterm — ignores SIGTERM: a stop never ends it, and the
 * manager (the checker) has to kill it once the timeout has run out.
 *
 * How the fault is seen for sure: SIGTERM is set to SIG_IGN, so the main
 * process is alive when the timeout ends: stops-on-sigterm fails. It
 * never got to stopping, so notify-stopping cannot be judged and skips; the
 * process killed is not counted again as a leftover. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.ignore_sigterm = true;
    return zoons_main(&r, argc, argv);
}
