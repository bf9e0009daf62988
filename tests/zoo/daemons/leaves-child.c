/* leaves-child — starts a worker and, on SIGTERM, exits without stopping
 * it: the worker outlives the daemon. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.workers = 1;
    r.stop_workers = false;
    return zoo_main(&r, argc, argv);
}
