/* forks-40-workers — a correct supervisor with 40 workers, which it stops
 * and reaps before it exits on SIGTERM. A checker must judge the
 * supervisor, not a worker, and pass everything. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.workers = 40;
    return zoo_main(&r, argc, argv);
}
