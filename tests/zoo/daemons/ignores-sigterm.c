/* ignores-sigterm — ignores SIGTERM: a stop never ends it. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.ignore_sigterm = true;
    return zoo_main(&r, argc, argv);
}
