/* witness.c — runs a command (the checker) and testifies afterwards that it
 * signalled nobody it had no business signalling.
 *
 *     witness [--stranger] -- COMMAND [ARG...]
 *
 * The witness catches every signal it can and records any that arrives. With
 * --stranger it first forks an unrelated process, which records signals the
 * same way, and replaces "{stranger}" in the arguments with that pid. Run as
 * pid 1 of a fresh PID namespace (unshare --pid --fork --mount-proc) it is
 * also the "pid 1" a hostile pidfile names, and at the end it checks that no
 * other process is left in the namespace.
 *
 * Exit status: the command's (128 + N when killed by signal N), or 125 when
 * a testimony failed, with one "witness: ..." line on stderr per finding.
 *
 * Limit: the kernel drops SIGKILL and SIGSTOP sent to a namespace's init
 * from inside it, so a SIGKILL aimed at pid 1 leaves no trace here; the
 * stranger, an ordinary process, would be seen dying of one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WITNESS_FAILED 125

static volatile sig_atomic_t seen_signal, seen_sender;

static void record(int sig, siginfo_t *info, void *ctx)
{
    (void)ctx;
    seen_signal = sig;
    seen_sender = info ? info->si_pid : 0;
}

/* SIGCHLD stays at its default: our own children's ends are expected. */
static int catch_everything(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = record;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD)
            continue;
        if (sigaction(sig, &sa, NULL) < 0 && errno != EINVAL)
            return -1;
    }
    return 0;
}

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "witness: fatal: unable to %s: %s\n", what, strerror(errno));
    exit(WITNESS_FAILED);
}

/* The stranger waits for EOF on its pipe and exits 0 unless it was
 * signalled. */
static _Noreturn void stranger(int fd)
{
    char c;
    ssize_t n;

    do
        n = read(fd, &c, 1);
    while (n < 0 && errno == EINTR);
    if (seen_signal) {
        fprintf(stderr, "witness: the stranger (pid %ld) got signal %d from pid %ld\n",
                (long)getpid(), (int)seen_signal, (long)seen_sender);
        _exit(1);
    }
    _exit(0);
}

static pid_t start_stranger(int *keep_fd)
{
    int fds[2];
    pid_t pid;

    if (pipe2(fds, O_CLOEXEC) < 0)
        die("create the stranger's pipe");
    pid = fork();
    if (pid < 0)
        die("fork the stranger");
    if (pid == 0) {
        close(fds[1]);
        stranger(fds[0]);
    }
    close(fds[0]);
    *keep_fd = fds[1];
    return pid;
}

/* arg with every "{stranger}" replaced by pid_text, in a new string. */
static char *replace_stranger(const char *arg, const char *pid_text)
{
    static const char key[] = "{stranger}";
    size_t cap = strlen(arg) + 1, len = 0;
    const char *hit;
    char *out;

    for (hit = strstr(arg, key); hit; hit = strstr(hit + 1, key))
        cap += strlen(pid_text);
    out = malloc(cap);
    if (!out)
        die("allocate the arguments");
    while ((hit = strstr(arg, key))) {
        memcpy(out + len, arg, (size_t)(hit - arg));
        len += (size_t)(hit - arg);
        memcpy(out + len, pid_text, strlen(pid_text));
        len += strlen(pid_text);
        arg = hit + sizeof key - 1;
    }
    memcpy(out + len, arg, strlen(arg) + 1);
    return out;
}

/* The copies are never freed: the child execs them, the parent soon exits. */
static char **substitute(char **argv, int argc, pid_t stranger_pid)
{
    char **out = calloc((size_t)argc + 1, sizeof *out), pid_text[24];

    if (!out)
        die("allocate the arguments");
    snprintf(pid_text, sizeof pid_text, "%ld", (long)stranger_pid);
    for (int i = 0; i < argc; i++)
        out[i] = stranger_pid > 0 ? replace_stranger(argv[i], pid_text) : argv[i];
    return out;
}

static pid_t run_command(char **argv)
{
    pid_t pid = fork();

    if (pid < 0)
        die("fork the command");
    if (pid == 0) {
        /* exec resets caught signals to their defaults */
        execvp(argv[0], argv);
        fprintf(stderr, "witness: fatal: unable to run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

static int wait_for(pid_t pid)
{
    int status;

    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("wait for a child");
    return status;
}

static int stranger_verdict(pid_t pid, int fd)
{
    int status;

    close(fd);
    status = wait_for(pid);
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "witness: the stranger (pid %ld) was killed by signal %d\n",
                (long)pid, WTERMSIG(status));
        return -1;
    }
    return WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* As a namespace's init: adopted zombies first, then anyone still alive. */
static int namespace_empty(void)
{
    DIR *proc;
    struct dirent *e;
    int found = 0;

    while (waitpid(-1, NULL, WNOHANG) > 0)
        continue;
    proc = opendir("/proc");
    if (!proc)
        die("open /proc");
    while ((e = readdir(proc))) {
        char path[64], stat[512];
        long pid = strtol(e->d_name, NULL, 10);
        const char *close_paren;
        FILE *f;
        size_t n;

        if (pid <= 1)
            continue;
        snprintf(path, sizeof path, "/proc/%ld/stat", pid);
        f = fopen(path, "re");
        if (!f)
            continue;   /* gone meanwhile */
        n = fread(stat, 1, sizeof stat - 1, f);
        fclose(f);
        stat[n] = '\0';
        close_paren = strrchr(stat, ')');
        if (close_paren && close_paren[1] == ' ' && close_paren[2] == 'Z')
            continue;
        fprintf(stderr, "witness: left running in the namespace: %.*s\n",
                close_paren ? (int)(close_paren - stat + 1) : (int)n, stat);
        found = 1;
    }
    closedir(proc);
    return found ? -1 : 0;
}

int main(int argc, char **argv)
{
    bool want_stranger = false;
    pid_t stranger_pid = 0, command;
    int stranger_fd = -1, status, failed = 0, i = 1;

    if (i < argc && strcmp(argv[i], "--stranger") == 0) {
        want_stranger = true;
        i++;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc) {
        fprintf(stderr, "usage: witness [--stranger] -- COMMAND [ARG...]\n");
        return 2;
    }
    if (catch_everything() < 0)
        die("catch signals");
    if (want_stranger)
        stranger_pid = start_stranger(&stranger_fd);
    command = run_command(substitute(argv + i, argc - i, stranger_pid));
    status = wait_for(command);
    if (want_stranger && stranger_verdict(stranger_pid, stranger_fd) < 0)
        failed = 1;
    if (seen_signal) {
        fprintf(stderr, "witness: the witness (pid %ld) got signal %d from pid %ld\n",
                (long)getpid(), (int)seen_signal, (long)seen_sender);
        failed = 1;
    }
    if (getpid() == 1 && namespace_empty() < 0)
        failed = 1;
    if (failed)
        return WITNESS_FAILED;
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}
