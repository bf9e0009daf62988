/* ns-ready-early — says READY=1 before it can serve: before its start-up
 * work, before listen() on a socket of its own, before accept() on the
 * passed one.
 *
 * How the fault is seen for sure: the start-up work that READY=1 did not
 * wait for ends only with the first signal the manager sends, the SIGHUP
 * that comes after the settle time. So with --socket-activation, the
 * connection the checker makes when READY=1 arrives sits unanswered in the
 * passed socket's queue for the whole settle time, however loaded the
 * machine: notify-ready fails. After the SIGHUP it serves (and reloads
 * properly), so the connection is answered before the stop, and
 * socket-activation itself passes. Without --socket-activation the checker
 * has no address to try, and nothing fails: the fault cannot be seen. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.ready = ZOONS_READY_EARLY;
    return zoons_main(&r, argc, argv);
}
