/* never-detaches — runs in the foreground: no fork, so the command the
 * caller started never returns (and keeps the terminal, and dies with it).
 * Every other step, the pidfile included, is done in place. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.detach = false;
    return zoo_main(&r, argc, argv);
}
