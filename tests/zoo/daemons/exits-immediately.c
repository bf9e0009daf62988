/* exits-immediately — the launcher returns 0 but never starts a daemon:
 * "started" with nothing running. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.start_daemon = false;
    return zoo_main(&r, argc, argv);
}
