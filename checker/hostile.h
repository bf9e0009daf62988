/* hostile.h — what makes the launch environment hostile: the facts that
 * the launch plants and that the evidence and the judges later compare
 * the daemon with. One definition, so that a report never names a
 * sentinel the launch did not plant. */
#ifndef CHECKER_HOSTILE_H
#define CHECKER_HOSTILE_H

/* Descriptors handed to the candidate on sentinel objects (memfds), and
 * how many of them: "3, 4 and 9" in the reports. */
#define SENTINEL_FDS 3
#define SENTINEL_FD_NUMBERS { 3, 4, 9 }

/* The sentinel environment variable, set to "1". */
#define SENTINEL_ENV "CHECKER_SENTINEL"

/* The same for every launch of a run. */
struct hostile {
    const char *cwd;            /* the scratch working directory */
    unsigned umask;
    int blocked_sig;            /* SIGRTMIN+n: no daemon has a reason to block it */
    int ignored_sig;            /* ... or to ignore it */
    char *const *envp;          /* the environment, the sentinel variable in it */
};

#endif
