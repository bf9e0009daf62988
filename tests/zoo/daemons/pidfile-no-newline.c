/* pidfile-no-newline — writes its pid without the final newline. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.pidfile_newline = false;
    return zoo_main(&r, argc, argv);
}
