/* signals-not-reset — keeps the signal mask and ignored signals it
 * inherited, so signals its starter blocked or ignored never reach it. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.reset_signals = false;
    return zoo_main(&r, argc, argv);
}
