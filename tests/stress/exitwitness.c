/* exitwitness.c — runs a command (the checker) and testifies about what it
 * left at its exit: descriptors it did not start with, and processes it
 * started that outlived it.
 *
 *     exitwitness [--] COMMAND [ARG...]
 *
 * Descriptors. A descriptor that a program forgot to close can be seen from
 * outside only at the program's exit, after its last instruction and before
 * the kernel closes its file table. ptrace gives exactly that moment: with
 * PTRACE_O_TRACEEXIT the tracee stops in do_exit() before its files are
 * released, and with PTRACE_O_TRACEEXEC it stops right after its exec, once
 * close-on-exec has acted. /proc/PID/fd at the first stop is what the
 * command started with; at the second, what it ends with. Only the command
 * itself is traced (no PTRACE_O_TRACEFORK): its children run untraced, and
 * every signal it receives is handed on unchanged, so it runs as it would
 * without the witness. Nothing is preloaded into it and its environment is
 * left as it is.
 *
 * Processes. The witness is a child subreaper: whatever the command started
 * and left running is adopted here when the command exits (a subreaper
 * inside the command, such as the checker, hands its orphans on when it
 * dies). Each one is named with its state (a stopped or traced process is
 * named as such) and killed: it descends from the witness, which started it.
 *
 * One "exitwitness: ..." line on stderr per finding. Exit status: the
 * command's (128 + N when killed by signal N), or 125 when the witness
 * itself could not do its work.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROG "exitwitness"
#define WITNESS_FAILED 125
#define MAX_FDS 1024
#define MAX_ADOPTED 4096

struct fd_entry {
    int fd;
    char target[256];
};

struct fd_table {
    int n;
    int overflow;
    struct fd_entry e[MAX_FDS];
};

static struct fd_table at_start, at_exit;

static _Noreturn void die(const char *what)
{
    fprintf(stderr, PROG ": fatal: unable to %s: %s\n", what, strerror(errno));
    exit(WITNESS_FAILED);
}

static int by_fd(const void *a, const void *b)
{
    const struct fd_entry *x = a, *y = b;

    return (x->fd > y->fd) - (x->fd < y->fd);
}

/* The descriptors of pid, each with what it is open on, in fd order. */
static int read_fds(pid_t pid, struct fd_table *t)
{
    char path[64];
    DIR *d;
    struct dirent *e;

    snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
    d = opendir(path);
    if (!d)
        return -1;
    t->n = t->overflow = 0;
    while ((e = readdir(d)) != NULL) {
        struct fd_entry *slot;
        ssize_t len;

        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        if (t->n == MAX_FDS) {
            t->overflow++;
            continue;
        }
        slot = &t->e[t->n];
        slot->fd = atoi(e->d_name);
        len = readlinkat(dirfd(d), e->d_name, slot->target, sizeof slot->target - 1);
        if (len < 0)
            continue;   /* a stopped tracee closes nothing: cannot happen */
        slot->target[len] = '\0';
        t->n++;
    }
    closedir(d);
    qsort(t->e, (size_t)t->n, sizeof t->e[0], by_fd);
    return 0;
}

static int held_at_start(const struct fd_entry *e)
{
    for (int i = 0; i < at_start.n; i++)
        if (at_start.e[i].fd == e->fd)
            return strcmp(at_start.e[i].target, e->target) == 0;
    return 0;
}

/* A descriptor open at exit that was not open at start on the same object
 * is a leak, the same fd number reused for something else included. */
static int report_leaked_fds(pid_t pid)
{
    int leaked = at_exit.overflow;

    for (int i = 0; i < at_exit.n; i++)
        leaked += !held_at_start(&at_exit.e[i]);
    if (!leaked)
        return 0;
    fprintf(stderr, PROG ": at its exit, pid %ld had %d descriptor%s it did not start with "
            "(%d open at start, %d at exit):", (long)pid, leaked, leaked == 1 ? "" : "s",
            at_start.n, at_exit.n + at_exit.overflow);
    for (int i = 0, first = 1; i < at_exit.n; i++)
        if (!held_at_start(&at_exit.e[i])) {
            fprintf(stderr, "%s %d -> %s", first ? "" : ",", at_exit.e[i].fd, at_exit.e[i].target);
            first = 0;
        }
    if (at_exit.overflow)
        fprintf(stderr, " and %d more", at_exit.overflow);
    fputc('\n', stderr);
    return -1;
}

/* The child waits on go_fd until it is traced, so that its exec is seen. */
static pid_t start_traced(char **argv)
{
    int go[2];
    pid_t pid;
    long options = PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL;

    if (pipe2(go, O_CLOEXEC) < 0)
        die("create a pipe");
    pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        char c;

        close(go[1]);
        while (read(go[0], &c, 1) < 0 && errno == EINTR)
            continue;
        execvp(argv[0], argv);
        fprintf(stderr, PROG ": fatal: unable to run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(go[0]);
    if (ptrace(PTRACE_SEIZE, pid, NULL, (void *)options) < 0) {
        int saved = errno;

        kill(pid, SIGKILL);     /* never let it run untraced */
        waitpid(pid, NULL, 0);
        errno = saved;
        die("trace the command (PTRACE_SEIZE)");
    }
    close(go[1]);
    return pid;
}

static int is_stop_signal(int sig)
{
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* Follows the command to its end, taking the two pictures of its
 * descriptors on the way; its wait status. */
static int follow(pid_t pid, int *pictures)
{
    int status;

    *pictures = 0;
    for (;;) {
        int event, sig;
        long inject = 0;
        enum __ptrace_request resume = PTRACE_CONT;

        if (waitpid(pid, &status, __WALL) < 0) {
            if (errno == EINTR)
                continue;
            die("wait for the command");
        }
        if (WIFEXITED(status) || WIFSIGNALED(status))
            return status;
        if (!WIFSTOPPED(status))
            continue;
        event = status >> 16;
        sig = WSTOPSIG(status);
        if (event == PTRACE_EVENT_EXEC && !(*pictures & 1)) {
            if (read_fds(pid, &at_start) < 0)
                die("read the command's descriptors at its start");
            *pictures |= 1;
        } else if (event == PTRACE_EVENT_EXIT) {
            if (read_fds(pid, &at_exit) < 0)
                die("read the command's descriptors at its exit");
            *pictures |= 2;
        } else if (event == PTRACE_EVENT_STOP) {
            /* A group-stop (SIGSTOP and kin): stay stopped as without us. */
            if (is_stop_signal(sig))
                resume = PTRACE_LISTEN;
        } else if (event == 0) {
            inject = sig;       /* a signal for the command: deliver it */
        }
        if (ptrace(resume, pid, NULL, (void *)inject) < 0 && errno != ESRCH)
            die("resume the command");
    }
}

static const char *state_name(char state)
{
    switch (state) {
    case 'T': return "stopped";
    case 't': return "stopped by a tracer";
    case 'D': return "in uninterruptible sleep";
    case 'R': return "running";
    case 'S': return "sleeping";
    default: return "alive";
    }
}

/* Reads /proc/PID/stat: the command name, the state and the parent. */
static int read_stat(long pid, char *comm, size_t size, char *state, long *ppid)
{
    char path[64], buf[1024];
    const char *open_paren, *close_paren;
    size_t n;
    FILE *f;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    f = fopen(path, "re");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    open_paren = strchr(buf, '(');
    close_paren = strrchr(buf, ')');
    if (!open_paren || !close_paren || close_paren < open_paren ||
        sscanf(close_paren + 1, " %c %ld", state, ppid) != 2)
        return -1;
    snprintf(comm, size, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
    return 0;
}

static long adopted[MAX_ADOPTED];
static int n_adopted;

static int seen_before(long pid)
{
    for (int i = 0; i < n_adopted; i++)
        if (adopted[i] == pid)
            return 1;
    if (n_adopted < MAX_ADOPTED)
        adopted[n_adopted++] = pid;
    return 0;
}

/* Names and kills every live child (all of them adopted: the command was
 * the only one the witness started); how many were new. */
static int kill_children(pid_t command)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;
    int found = 0;

    if (!proc)
        die("open /proc");
    while ((e = readdir(proc)) != NULL) {
        long pid = strtol(e->d_name, NULL, 10), ppid;
        char comm[64], state;

        if (pid <= 0 || read_stat(pid, comm, sizeof comm, &state, &ppid) < 0)
            continue;   /* not a process, or gone meanwhile */
        if (ppid != (long)getpid() || state == 'Z' || state == 'X')
            continue;   /* not ours, or already dead: reaped below */
        if (!seen_before(pid)) {
            fprintf(stderr, PROG ": left behind when pid %ld exited: pid %ld (%s), %s (state %c)\n",
                    (long)command, pid, comm, state_name(state), state);
            found++;
        }
        kill((pid_t)pid, SIGKILL);
    }
    closedir(proc);
    return found;
}

/* Until no child is left: kill the live ones, reap one, look again (a
 * killed child's own children are adopted by the time it is reaped). */
static int sweep_adopted(pid_t command)
{
    int found = 0;

    for (;;) {
        found += kill_children(command);
        if (waitpid(-1, NULL, __WALL) < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ECHILD)
                return found;
            die("reap an adopted process");
        }
    }
}

int main(int argc, char **argv)
{
    int i = 1, status, pictures;
    pid_t pid;

    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc) {
        fprintf(stderr, "usage: " PROG " [--] COMMAND [ARG...]\n");
        return 2;
    }
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        die("become a child subreaper");
    pid = start_traced(argv + i);
    status = follow(pid, &pictures);
    /* Findings are told on stderr; the status stays the command's. */
    if (pictures == 3)
        report_leaked_fds(pid);
    sweep_adopted(pid);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
