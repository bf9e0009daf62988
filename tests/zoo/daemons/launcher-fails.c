/* launcher-fails — cannot start: the directory it moves to does not exist.
 * The daemon says so through the readiness pipe and the launcher exits 1,
 * which is the right way to fail; the checker must report it as such. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.workdir = "/nonexistent/zoo-workdir";
    return zoo_main(&r, argc, argv);
}
