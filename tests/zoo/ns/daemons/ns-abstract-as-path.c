/* ns-abstract-as-path — takes an abstract NOTIFY_SOCKET ("@name") for a
 * path: it sends to a file named "@name" in its working directory, which
 * does not exist, and logs the failure once to the journal.
 *
 * How the fault is seen for sure: with --notify-socket abstract nothing
 * ever arrives, so notify-ready fails at the timeout, and notify-stopping
 * (and watchdog, when asked) fail with it: one mistake, every message
 * lost. reload-on-sighup passes: it survives SIGHUP, and sent nothing that
 * could be wrong. With a path NOTIFY_SOCKET it is the correct service. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.abstract_as_path = true;
    return zoons_main(&r, argc, argv);
}
