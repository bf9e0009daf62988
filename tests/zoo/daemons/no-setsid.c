/* no-setsid — forks twice but never calls setsid(): the daemon stays in
 * the launcher's session and foreground process group, keeps the terminal
 * as its controlling terminal, and dies of the SIGHUP a logout sends. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.session = ZOO_SESSION_KEEP;
    return zoo_main(&r, argc, argv);
}
