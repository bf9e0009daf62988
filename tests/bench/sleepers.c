/* sleepers.c — N processes that sleep and do nothing else, for the bench
 * that shows the checker's cost follows the candidate, not the machine.
 *
 *     sleepers N      fork N children that wait in pause(); print "ready"
 *                     once they all exist; end them all (SIGTERM to the
 *                     process group, then reap) when standard input closes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long n = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
    char byte;

    if (n <= 0 || n > 100000) {
        fprintf(stderr, "usage: sleepers N (1 to 100000)\n");
        return 2;
    }
    if (setpgid(0, 0) < 0) {
        perror("sleepers: setpgid");
        return 1;
    }
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();

        if (pid < 0) {
            perror("sleepers: fork");
            killpg(0, SIGKILL);
            return 1;
        }
        if (pid == 0) {
            for (;;)
                pause();
        }
    }
    printf("ready\n");
    fflush(stdout);
    while (read(0, &byte, 1) > 0)
        ;
    /* Our own group: the children, and us, which ignores it meanwhile. */
    signal(SIGTERM, SIG_IGN);
    killpg(0, SIGTERM);
    while (wait(NULL) > 0 || errno == EINTR)
        ;
    return 0;
}
