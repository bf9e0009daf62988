/* stdio-open — leaves 0, 1 and 2 on what the launcher had, here the
 * terminal: its output goes to a user's screen, or fails with EIO after
 * the logout. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.stdio = ZOO_STDIO_KEEP;
    return zoo_main(&r, argc, argv);
}
