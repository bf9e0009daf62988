/* dies-after-ready — starts right (forks twice, reports ready, the
 * launcher exits 0), then dies of SIGPIPE: it writes to the readiness
 * pipe again once the launcher has gone. launcher-exits must pass (the
 * fork and exit were right); daemon-running fails, saying how it died. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.die_after_ready = true;
    return zoo_main(&r, argc, argv);
}
