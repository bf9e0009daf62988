/* ns-dies-on-sighup — catches no SIGHUP: its default action ends the
 * service when the manager asks for a reload.
 *
 * How the fault is seen for sure: SIGHUP is neither blocked nor caught,
 * so the kernel kills it on delivery; the checker sees the main process
 * end by SIGHUP within the settle time that follows: reload-on-sighup
 * fails (a warn). It was running until then (daemon-running is judged
 * before the SIGHUP), and with nothing left to stop, stops-on-sigterm and
 * notify-stopping cannot be judged and skip: exit 0. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.reload = ZOONS_RELOAD_DEFAULT;
    return zoons_main(&r, argc, argv);
}
