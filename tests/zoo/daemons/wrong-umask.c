/* wrong-umask — never sets its umask: the files it creates get whatever
 * mode its starter's umask allows. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.set_umask = false;
    return zoo_main(&r, argc, argv);
}
