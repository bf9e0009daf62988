/* ns-no-ready-after-reload — on SIGHUP it sends RELOADING=1 (with
 * MONOTONIC_USEC=) and reloads, but never says READY=1 again: a manager
 * waits for it until its timeout and then fails the reload.
 *
 * How the fault is seen for sure: no READY=1 follows the RELOADING=1 at
 * all, in the settle time or later. reload-on-sighup fails; it is not
 * required, so the run warns and exits 0. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.reload = ZOONS_RELOAD_NO_READY;
    return zoons_main(&r, argc, argv);
}
