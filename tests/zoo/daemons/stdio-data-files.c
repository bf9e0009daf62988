/* stdio-data-files — closes 0, 1 and 2, then opens its log (write-only,
 * append), a state file (read-write) and its pidfile, which land on 0, 1
 * and 2. Nothing is closed, yet one stray fprintf(stderr, ...) would
 * overwrite the pidfile: stdio must fail, stdio-open pass. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.stdio = ZOO_STDIO_DATA;
    return zoo_main(&r, argc, argv);
}
