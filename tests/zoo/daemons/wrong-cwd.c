/* wrong-cwd — never changes directory: it keeps its starter's working
 * directory busy (that file system cannot be unmounted) and its relative
 * paths depend on where it was started. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.workdir = NULL;
    return zoo_main(&r, argc, argv);
}
