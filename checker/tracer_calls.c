/* tracer_calls.c — the signals a traced process sends and the names it
 * removes or replaces, read from a call's registers and /proc (see
 * tracer_calls.h). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"
#include "text.h"
#include "tracer_calls.h"

#ifndef RENAME_EXCHANGE
# define RENAME_EXCHANGE (1 << 1)
#endif
#ifndef AT_REMOVEDIR
# define AT_REMOVEDIR 0x200
#endif

const int sent_stop_signals[] = { SIGHUP, SIGINT, SIGQUIT, SIGKILL, SIGTERM };
const size_t sent_nstop_signals = sizeof sent_stop_signals / sizeof *sent_stop_signals;

int sent_call_kind(uint64_t nr)
{
#ifdef SYS_pidfd_send_signal
    if (nr == SYS_pidfd_send_signal)
        return 1;
#endif
    if (nr == SYS_kill || nr == SYS_rt_sigqueueinfo)
        return 1;
    if (nr == SYS_tkill || nr == SYS_tgkill || nr == SYS_rt_tgsigqueueinfo)
        return 2;
    return 0;
}

int sent_sig_arg(uint64_t nr)
{
    return nr == SYS_tgkill || nr == SYS_rt_tgsigqueueinfo ? 2 : 1;
}

int sent_matters(int sig)
{
    if (sig == 0)
        return 1;
    for (size_t i = 0; i < sent_nstop_signals; i++)
        if (sent_stop_signals[i] == sig)
            return 1;
    return 0;
}

/* The process a thread belongs to, or 0. */
static pid_t process_of(pid_t thread)
{
    char path[64], text[4096];
    const char *at;

    if (thread <= 0)
        return 0;
    snprintf(path, sizeof path, "/proc/%d/status", (int)thread);
    if (proc_read_file(AT_FDCWD, path, text, sizeof text) < 0)
        return 0;
    at = strstr(text, "\nTgid:");
    return at ? (pid_t)atoi(at + 6) : 0;
}

/* The process behind descriptor fd of thread tid: a pidfd (its fdinfo's
 * Pid, -1 once the process has ended), or a /proc/PID directory, which
 * pidfd_send_signal takes as well. 0 when unknown. */
static pid_t pidfd_process(pid_t tid, int fd, int *ended)
{
    char path[64], text[1024];
    const char *at;
    int pid;

    snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", (int)tid, fd);
    if (proc_read_file(AT_FDCWD, path, text, sizeof text) >= 0 &&
        (at = strstr(text, "\nPid:")) != NULL) {
        pid = atoi(at + 5);
        *ended = pid < 0;
        return pid > 0 ? (pid_t)pid : 0;
    }
    snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)tid, fd);
    if (proc_read_link(AT_FDCWD, path, text, sizeof text) >= 0 &&
        strncmp(text, "/proc/", 6) == 0 && (pid = atoi(text + 6)) > 0)
        return (pid_t)pid;
    return 0;
}

int sent_decode(pid_t tid, uint64_t nr, const uint64_t *args, struct sent_call *k)
{
    memset(k, 0, sizeof *k);
    k->pidfd = -1;
    if (nr == SYS_kill || nr == SYS_rt_sigqueueinfo) {
        k->call = nr == SYS_kill ? "kill" : "rt_sigqueueinfo";
        k->target = (pid_t)args[0];
        k->sig = (int)args[1];
    } else if (nr == SYS_tkill) {
        k->call = "tkill";
        k->thread = (pid_t)args[0];
        k->target = process_of(k->thread);
        k->sig = (int)args[1];
    } else if (nr == SYS_tgkill || nr == SYS_rt_tgsigqueueinfo) {
        k->call = nr == SYS_tgkill ? "tgkill" : "rt_tgsigqueueinfo";
        k->target = (pid_t)args[0];
        k->thread = (pid_t)args[1];
        k->sig = (int)args[2];
#ifdef SYS_pidfd_send_signal
    } else if (nr == SYS_pidfd_send_signal) {
        k->call = "pidfd_send_signal";
        k->pidfd = (int)args[0];
        k->target = pidfd_process(tid, k->pidfd, &k->ended);
        k->sig = (int)args[1];
#endif
    } else {
        return -1;
    }
    (void)tid;
    return 0;
}

void sent_words(const struct sent_call *k, pid_t pidfile_pid, char *buf, size_t cap)
{
    char sig[24];
    size_t used = 0;
    int theirs = pidfile_pid > 0 && k->target == pidfile_pid;

    buf[0] = '\0';
    if (k->sig == 0)
        snprintf(sig, sizeof sig, "0");
    else
        signal_name(k->sig, sig, sizeof sig);
    if (k->pidfd >= 0 && k->target > 0)
        appendf(buf, cap, &used, "%s(fd %d = pid %d, %s)", k->call, k->pidfd, (int)k->target, sig);
    else if (k->pidfd >= 0)
        appendf(buf, cap, &used, "%s(fd %d = %s, %s)", k->call, k->pidfd,
                k->ended ? "a process that has ended" : "not a process", sig);
    else if (k->thread > 0 && strcmp(k->call, "tkill") != 0)
        appendf(buf, cap, &used, "%s(%d, %d, %s)", k->call, (int)k->target, (int)k->thread, sig);
    else
        appendf(buf, cap, &used, "%s(%d, %s)", k->call,
                (int)(k->thread > 0 ? k->thread : k->target), sig);
    if (k->sig == 0)
        appendf(buf, cap, &used, " (a probe%s)", theirs ? " of the pidfile's pid" : "");
    else if (theirs)
        appendf(buf, cap, &used, " to the pidfile's pid");
    else if (k->pidfd < 0 && k->target == 0 && k->thread == 0)
        appendf(buf, cap, &used, " to its own process group");
    else if (k->pidfd < 0 && k->target == -1)
        appendf(buf, cap, &used, " to every process it may signal");
    else if (k->pidfd < 0 && k->target < -1)
        appendf(buf, cap, &used, " to process group %d%s", -(int)k->target,
                pidfile_pid > 0 && -k->target == pidfile_pid ? " (the pidfile's pid's)" : "");
}

pid_t pidfile_pid_now(const char *path)
{
    char text[32];
    struct stat st;
    long long pid = 0;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

    if (fd < 0)
        return 0;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return 0;
    }
    n = read(fd, text, sizeof text - 1);
    close(fd);
    for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9' && pid <= INT_MAX; i++)
        pid = pid * 10 + (text[i] - '0');
    return pid > 0 && pid <= INT_MAX ? (pid_t)pid : 0;
}

int pidfile_place_init(struct pidfile_place *pf, const char *pidfile)
{
    const char *slash = strrchr(pidfile, '/');
    struct stat st;

    memset(pf, 0, sizeof *pf);
    pf->base = slash ? slash + 1 : pidfile;
    if (!*pf->base) {
        errno = EINVAL;
        return -1;
    }
    if (!slash)
        snprintf(pf->dir, sizeof pf->dir, ".");
    else if (slash == pidfile)
        snprintf(pf->dir, sizeof pf->dir, "/");
    else
        snprintf(pf->dir, sizeof pf->dir, "%.*s", (int)(slash - pidfile), pidfile);
    if (stat(pf->dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        pf->known = 1;
        pf->dev = st.st_dev;
        pf->ino = st.st_ino;
    }
    return 0;
}

static int place_known(struct pidfile_place *pf)
{
    struct stat st;

    if (!pf->known && stat(pf->dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        pf->known = 1;
        pf->dev = st.st_dev;
        pf->ino = st.st_ino;
    }
    return pf->known;
}

enum name_match name_match(pid_t tid, int dirfd, const char *path, struct pidfile_place *pf)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    int dirlen = slash ? (int)(slash - path) : 0;
    char where[PATH_MAX + 64];
    struct stat st;
    int n;

    if (!pf->base || !*pf->base || strcmp(base, pf->base) != 0 || !place_known(pf))
        return NM_OTHER;
    /* Through the process's own root, working directory or descriptor:
     * the directory it would find, whatever mount namespace or chroot. */
    if (path[0] == '/')
        n = snprintf(where, sizeof where, "/proc/%d/root/%.*s", (int)tid, dirlen - 1, path + 1);
    else if (dirfd == AT_FDCWD)
        n = snprintf(where, sizeof where, "/proc/%d/cwd/%.*s", (int)tid, dirlen, path);
    else
        n = snprintf(where, sizeof where, "/proc/%d/fd/%d/%.*s", (int)tid, dirfd, dirlen, path);
    if (dirlen == 0 && path[0] == '/')
        n = snprintf(where, sizeof where, "/proc/%d/root/", (int)tid);
    if (n < 0 || (size_t)n >= sizeof where || stat(where, &st) < 0 || !S_ISDIR(st.st_mode))
        return NM_OTHER;
    return st.st_dev == pf->dev && st.st_ino == pf->ino ? NM_PIDFILE : NM_ELSEWHERE;
}

int name_call_is(uint64_t nr)
{
#ifdef SYS_unlink
    if (nr == SYS_unlink)
        return 1;
#endif
#ifdef SYS_rename
    if (nr == SYS_rename)
        return 1;
#endif
#ifdef SYS_renameat
    if (nr == SYS_renameat)
        return 1;
#endif
#ifdef SYS_renameat2
    if (nr == SYS_renameat2)
        return 1;
#endif
    return nr == SYS_unlinkat;
}

int name_call_decode(uint64_t nr, const uint64_t *args, struct name_call *c)
{
    memset(c, 0, sizeof *c);
    c->dirfd[0] = c->dirfd[1] = AT_FDCWD;
#ifdef SYS_unlink
    if (nr == SYS_unlink) {
        *c = (struct name_call){ "unlink", 1, { AT_FDCWD, AT_FDCWD }, { args[0], 0 }, 0 };
        return 0;
    }
#endif
#ifdef SYS_rename
    if (nr == SYS_rename) {
        *c = (struct name_call){ "rename", 2, { AT_FDCWD, AT_FDCWD }, { args[0], args[1] }, 0 };
        return 0;
    }
#endif
#ifdef SYS_renameat
    if (nr == SYS_renameat) {
        *c = (struct name_call){ "renameat", 2, { (int)args[0], (int)args[2] },
                                 { args[1], args[3] }, 0 };
        return 0;
    }
#endif
#ifdef SYS_renameat2
    if (nr == SYS_renameat2) {
        *c = (struct name_call){ "renameat2", 2, { (int)args[0], (int)args[2] },
                                 { args[1], args[3] }, (args[4] & RENAME_EXCHANGE) != 0 };
        return 0;
    }
#endif
    if (nr == SYS_unlinkat && !(args[2] & AT_REMOVEDIR)) {
        *c = (struct name_call){ "unlinkat", 1, { (int)args[0], AT_FDCWD }, { args[1], 0 }, 0 };
        return 0;
    }
    return -1;
}

/* Where a relative path starts: the working directory or the descriptor's
 * directory, as a path ("?" when /proc does not say). */
static void start_dir(pid_t tid, int dirfd, char *buf, size_t cap)
{
    char link[64];

    if (dirfd == AT_FDCWD)
        snprintf(link, sizeof link, "/proc/%d/cwd", (int)tid);
    else
        snprintf(link, sizeof link, "/proc/%d/fd/%d", (int)tid, dirfd);
    if (proc_read_link(AT_FDCWD, link, buf, cap) < 0)
        snprintf(buf, cap, "?");
}

void name_call_words(pid_t tid, const struct name_call *c, const char *const paths[2],
                     char *buf, size_t cap)
{
    char dir[96];
    size_t used = 0;
    int relative = 0;

    buf[0] = '\0';
    appendf(buf, cap, &used, "%s(", c->call);
    for (int i = 0; i < c->npaths; i++) {
        if (c->dirfd[i] != AT_FDCWD && paths[i][0] != '/')
            appendf(buf, cap, &used, "fd %d, ", c->dirfd[i]);
        appendf(buf, cap, &used, "%s\"%s\"", i ? ", " : "", paths[i]);
        relative |= paths[i][0] != '/';
    }
    appendf(buf, cap, &used, ")");
    /* Where a relative name started from: the mistake is often there. */
    for (int i = 0; i < c->npaths && relative; i++)
        if (paths[i][0] != '/') {
            start_dir(tid, c->dirfd[i], dir, sizeof dir);
            appendf(buf, cap, &used, " from %s", dir);
            break;
        }
}
