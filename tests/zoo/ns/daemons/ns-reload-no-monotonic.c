/* ns-reload-no-monotonic — on SIGHUP it sends RELOADING=1 without
 * MONOTONIC_USEC=, then READY=1: systemd's Type=notify-reload cannot tell
 * that reload from an older one, and refuses it.
 *
 * How the fault is seen for sure: the one RELOADING=1 datagram lacks the
 * key, whatever the timing. reload-on-sighup fails (a warn: exit 0). */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.reload = ZOONS_RELOAD_NO_MONOTONIC;
    return zoons_main(&r, argc, argv);
}
