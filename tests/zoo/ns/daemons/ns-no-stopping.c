/* ns-no-stopping — on SIGTERM it exits 0 without sending STOPPING=1.
 *
 * How the fault is seen for sure: no STOPPING=1 ever arrives, and the
 * main process's exit comes after the SIGTERM: notify-stopping fails (a
 * warn: exit 0). */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.stopping = false;
    return zoons_main(&r, argc, argv);
}
