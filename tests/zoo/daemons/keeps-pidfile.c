/* keeps-pidfile — does not remove its pidfile on SIGTERM (the seed's
 * atexit() cleanup, which a signal never runs). */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.remove_pidfile = false;
    return zoo_main(&r, argc, argv);
}
