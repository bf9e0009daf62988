/* pidfile-late — its launcher returns at once, and the pidfile appears
 * only after the caller has already reaped it: whoever reads the pidfile
 * right after "started" finds none. (zoo.c says how the delay is made
 * deterministic.) */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.late_pidfile = true;
    return zoo_main(&r, argc, argv);
}
