/* seed-as-published.c: the C recipe of the 2015 tutorial this kit grew from
 * (itself after the Linux Daemon Writing HOWTO), its fragments put together
 * in the order it gives them, as published. Only what kept it from
 * compiling was changed:
 *  - the fragments are statements: they are wrapped in main(), with the
 *    #includes they need;
 *  - a semicolon was missing after "pid = fork()" and after "umask(0)";
 *  - exit(FAILURE) named a constant that does not exist: EXIT_FAILURE;
 *  - one comment was in Chinese; it is translated.
 * Everything else, the faults included, is the recipe's own: there is no
 * second fork, inherited descriptors and signal settings are kept, there
 * is no pidfile (it ignores "start /PIDFILE"), the standard descriptors are
 * closed rather than redirected, the loop wakes every 30 s, and nothing
 * handles SIGTERM. test-steps.py asserts what the checker makes of it. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

int main(void)
{
pid_t pid, sid;
/* Fork off the parent process */
pid = fork();
if(pid < 0) { exit(EXIT_FAILURE); }  // fork process failed
if(pid > 0) { exit(EXIT_SUCCESS); }  // succeed and exit parent process

/* Change the file mode mask */
umask(0);

/* Open any logs here */

/* Create a new SID for the child process */
sid = setsid();
if (sid < 0) { exit(EXIT_FAILURE); }  // don't forget to enable your log 

if ( (chdir("/")) < 0 ) { exit(EXIT_FAILURE); } // returns -1 on failure

close(STDIN_FILENO);
close(STDOUT_FILENO);
close(STDERR_FILENO);

/* Daemon-specific initialization goes here */

/* The big loop */
while(1) { 
    /* Do your task here */
    sleep(30);
}
}
