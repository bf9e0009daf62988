/* pidfile-very-late — the launcher returns at once and the pidfile comes
 * 600 ms after it was reaped: after the default settle time. The checker
 * must still see the pidfile (and judge it, and see it removed), not
 * report that none was ever written. The delay is the fault under test. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.late_pidfile = true;
    r.late_ms = 600;
    return zoo_main(&r, argc, argv);
}
