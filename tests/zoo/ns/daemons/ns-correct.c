/* ns-correct — the new-style reference: everything right (zoons.h).
 *
 * Serves on the passed descriptor 3 (or on its own 127.0.0.1 socket when
 * none was passed), says READY=1 once it serves, pings the watchdog every
 * half interval from its main loop, answers SIGHUP with RELOADING=1 +
 * MONOTONIC_USEC= then READY=1, and SIGTERM with STOPPING=1 and exit 0;
 * it keeps stdout and stderr on the journal and never forks. Every
 * new-style check passes, whichever options the checker is given. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    return zoons_main(&zoons_correct, argc, argv);
}
