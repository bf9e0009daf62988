/* seed-as-published.c: what the seed tutorial's C recipe does, as one
 * program of the kit's. The tutorial gives its recipe in fragments (after
 * the Linux Daemon Writing HOWTO); this file makes the same system calls
 * in the same order, and keeps every fault of the recipe on purpose, each
 * marked "fault:" below, so that the checker has them to find
 * (expected-checks.txt lists what it must report). Steps 01 to 11 beside
 * this file are the correct path.
 *
 * Where the published fragments do not compile (no semicolon after fork()
 * nor after umask(0); exit(FAILURE), a constant that does not exist), this
 * program does what they evidently mean. It ignores its arguments,
 * "start PIDFILE" included: the recipe has no pidfile. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* fault: every failure ends the process without a word (the recipe's log
 * is a comment), and exit() runs atexit handlers and flushes stdio in a
 * process that should only vanish: _exit() is the call for that. */
static void vanish(int status)
{
    exit(status);
}

/* The caller returns at once; a child it will never hear from goes on. */
static void continue_in_child(void)
{
    pid_t child = fork();

    if (child < 0)
        vanish(EXIT_FAILURE);
    if (child > 0)
        vanish(EXIT_SUCCESS);
}

/* fault: the three descriptors are closed, not put on /dev/null: the next
 * open() is given 0, 1 or 2, and a stray printf or perror writes there. */
static void drop_standard_descriptors(void)
{
    close(STDIN_FILENO);
    close(STDOUT_FILENO);
    close(STDERR_FILENO);
}

int main(void)
{
    continue_in_child();

    /* fault (latent): with umask 0, any file created without an explicit
     * mode (fopen, open(..., 0666)) is writable by everyone. */
    umask(0);

    if (setsid() < 0)
        vanish(EXIT_FAILURE);
    /* fault: no second fork: the daemon stays its session's leader, and
     * the first terminal it opens becomes its controlling terminal. */

    if (chdir("/") < 0)
        vanish(EXIT_FAILURE);

    drop_standard_descriptors();

    /* fault: descriptors inherited above 2 stay open, and signals the
     * launcher blocked or ignored stay so (what daemon(7) adds).
     * fault: no pidfile: nothing refuses a second instance, and a stop
     * command has nothing to read.
     * fault: no SIGTERM handler; with nothing to clean up yet, the default
     * action is harmless here, but any later pidfile would be left behind. */
    for (;;)
        sleep(30);  /* fault: wakes every 30 s for nothing, instead of
                     * sleeping until an event (a signal, a descriptor). */
}
