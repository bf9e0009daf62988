/* ns-notify-from-child — leaves NOTIFY_SOCKET in its environment, and a
 * helper child (what a start-up script running `systemd-notify --ready`
 * is) sends READY=1 for it.
 *
 * How the fault is seen for sure: the datagram's credentials name the
 * helper, not the main process, and it carries no MAINPID=; systemd
 * refuses it ("reception only permitted for main PID"), and so does the
 * checker. The main process itself never sends READY=1 before the reload,
 * so the wait for it ends only at the timeout: notify-ready fails. The
 * helper has exited and been reaped before the settle time ends (the main
 * process waits for it), so it is no zombie and no leftover. Everything
 * else (watchdog, reload, stop) comes from the main process. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.ready = ZOONS_READY_CHILD;
    return zoons_main(&r, argc, argv);
}
