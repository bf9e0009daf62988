/* stdio-closed-reused — closes 0, 1 and 2 and leaves them closed, as the
 * seed's C recipe does. Not a fault by the letter of the checks: the next
 * file it opens, its own pidfile, lands on 0, and a descriptor open on
 * something the daemon opened itself is allowed. A pass case for stdio. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.stdio = ZOO_STDIO_CLOSE;
    return zoo_main(&r, argc, argv);
}
