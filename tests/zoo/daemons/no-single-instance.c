/* no-single-instance — tries the lock but carries on when another
 * instance holds it: a second start runs a second daemon, which rewrites
 * the pidfile. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.guard = ZOO_GUARD_NONE;
    return zoo_main(&r, argc, argv);
}
