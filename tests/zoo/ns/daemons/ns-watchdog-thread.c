/* ns-watchdog-thread — pings the watchdog from a thread of the main
 * process, not from its main loop: correct, since a thread's datagrams
 * carry the process's credentials (the kernel puts the thread group id in
 * SCM_CREDENTIALS). The pair of ns-watchdog-from-child: every check passes. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.watchdog = ZOONS_WATCHDOG_THREAD;
    return zoons_main(&r, argc, argv);
}
