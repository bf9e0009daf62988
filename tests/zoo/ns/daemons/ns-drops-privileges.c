/* ns-drops-privileges — a correct service that, started as root, becomes
 * nobody before it serves and says READY=1 (zoons.h), as squid's workers
 * and many others do. Every new-style check passes: the manager's notify
 * socket must be reachable by a user that is not the manager's. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;

    r.drop_privileges = true;
    return zoons_main(&r, argc, argv);
}
