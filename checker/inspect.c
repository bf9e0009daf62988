/* inspect.c — the daemon's state, read through one /proc/PID directory
 * descriptor so that every read describes the same process. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inspect.h"

#define LOCKS_MAX (8u << 20)    /* /proc/locks can be long on a busy machine */

int is_terminal_device(unsigned long rdev)
{
    unsigned m = major(rdev);

    /* tty and serial (4), /dev/tty and the console (5), pty slaves
     * (136-143), USB serial (188), ARM serial (204) */
    return m == 4 || m == 5 || (m >= 136 && m <= 143) || m == 188 || m == 204;
}

static int same_object(const struct stat *st, const struct object_id *id)
{
    return st->st_dev == id->dev && st->st_ino == id->ino;
}

static void inspect_fd(int fddir, const char *name, const struct inspect_ref *ref,
                       struct fd_seen *f)
{
    struct stat st;

    f->fd = atoi(name);
    if (readlinkat(fddir, name, f->target, sizeof f->target - 1) < 0)
        snprintf(f->target, sizeof f->target, "?");
    /* fstatat follows the magic link to the object itself. */
    if (fstatat(fddir, name, &st, 0) < 0)
        return;
    f->is_terminal = S_ISCHR(st.st_mode) && is_terminal_device(st.st_rdev);
    f->is_launch_tty = same_object(&st, &ref->launch->tty);
    for (int i = 0; i < SENTINEL_FDS; i++)
        f->sentinel |= same_object(&st, &ref->launch->sentinel[i]);
}

static int inspect_fds(int pdir, const struct inspect_ref *ref, struct daemon_seen *d)
{
    int fddir = openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir;
    struct dirent *e;

    if (fddir < 0)
        return -1;
    dir = fdopendir(fddir);
    if (!dir) {
        close(fddir);
        return -1;
    }
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        if (d->nfds == EV_MAX_FDS)
            break;
        memset(&d->fds[d->nfds], 0, sizeof d->fds[0]);
        inspect_fd(dirfd(dir), e->d_name, ref, &d->fds[d->nfds++]);
    }
    closedir(dir);
    return 0;
}

static void inspect_cwd(int pdir, const struct inspect_ref *ref, struct daemon_seen *d)
{
    struct stat st;

    if (proc_read_link(pdir, "cwd", d->cwd, sizeof d->cwd) < 0) {
        d->cwd_errno = errno;
        return;
    }
    if (fstatat(pdir, "cwd", &st, 0) < 0) {
        d->cwd_errno = errno;
        return;
    }
    d->cwd_is_expected = ref->expected_cwd_ok && same_object(&st, &ref->expected_cwd);
}

/* A POSIX or OFD lock, asked of the kernel without taking one:
 * F_OFD_GETLK reports a lock that would conflict with a write lock. 1 when
 * one is held, 0 when none (flock locks are invisible to it), -1 on error. */
static int query_fcntl_lock(const char *pidfile, const struct stat *st, struct proc_lock *l)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    struct stat now;
    int fd = open(pidfile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), r = -1;

    if (fd < 0)
        return -1;
    if (fstat(fd, &now) == 0 && now.st_dev == st->st_dev && now.st_ino == st->st_ino &&
        fcntl(fd, F_OFD_GETLK, &fl) == 0) {
        r = fl.l_type != F_UNLCK;
        if (r) {
            snprintf(l->kind, sizeof l->kind, "%s", fl.l_pid > 0 ? "POSIX" : "OFDLCK");
            snprintf(l->type, sizeof l->type, "%s", fl.l_type == F_WRLCK ? "WRITE" : "READ");
            l->pid = fl.l_pid > 0 ? fl.l_pid : -1;
            l->major = major(st->st_dev);
            l->minor = minor(st->st_dev);
            l->ino = st->st_ino;
        }
    }
    close(fd);
    return r;
}

/* Any lock, flock included, as /proc/locks lists it by device and inode.
 * Reading it is slow (the kernel waits for an RCU grace period to freeze
 * the lock lists), so it is asked only when the direct query found none. */
static int find_in_proc_locks(const struct stat *st, struct proc_lock *l)
{
    size_t cap = 64 << 10;
    char *buf = NULL;
    ssize_t n = -1;
    int found = 0;

    for (; cap <= LOCKS_MAX; cap *= 4) {
        char *bigger = realloc(buf, cap);
        if (!bigger)
            break;
        buf = bigger;
        n = proc_read_file(AT_FDCWD, "/proc/locks", buf, cap);
        if (n >= 0 || errno != ERANGE)
            break;
    }
    if (n >= 0)
        found = proc_locks_find(buf, (size_t)n, st->st_dev, st->st_ino, l) == 1;
    free(buf);
    return found;
}

static void inspect_lock(const char *pidfile, struct daemon_seen *d)
{
    struct stat st;

    if (!pidfile || lstat(pidfile, &st) < 0 || !S_ISREG(st.st_mode))
        return;
    d->lock_held = query_fcntl_lock(pidfile, &st, &d->lock) == 1 ||
                   find_in_proc_locks(&st, &d->lock);
}

int inspect_daemon(const struct tracked *p, const struct procset *now,
                   const struct inspect_ref *ref, struct daemon_seen *d)
{
    int pdir;

    memset(d, 0, sizeof *d);
    pdir = proc_open(p->pid);
    if (pdir < 0)
        return -1;
    if (proc_read_stat(pdir, &d->st) < 0 || d->st.starttime != p->starttime) {
        close(pdir);
        errno = ESRCH;
        return -1;
    }
    d->found = 1;
    d->status_ok = proc_read_status(pdir, &d->status) == 0;
    inspect_cwd(pdir, ref, d);
    if (inspect_fds(pdir, ref, d) < 0)
        d->fds_errno = errno;
    close(pdir);
    for (size_t i = 0; i < now->n; i++) {
        if (now->v[i].ppid == p->pid && now->v[i].state == 'Z')
            pid_list_add(&d->zombies, now->v[i].pid, now->v[i].comm);
    }
    inspect_lock(ref->pidfile, d);
    return 0;
}

void inspect_pidfile(const char *path, const struct procset *now, pid_t checker,
                     struct pidfile_seen *out)
{
    const struct tracked *p;

    memset(out, 0, sizeof *out);
    pidfile_inspect(path, &out->view);
    out->named = NAMED_NOTHING;
    if (!out->view.exists || out->view.read_errno)
        return;
    /* A malformed pidfile may still name a pid ("1234" without its
     * newline): who it names is told apart from how it is written. */
    out->form = pidfile_parse(out->view.bytes, out->view.len, out->view.truncated, &out->pid);
    if (out->pid <= 0)
        return;
    p = procset_find(now, out->pid);
    if (p && tracked_alive(p))
        out->named = NAMED_DESCENDANT;
    else if (out->pid == 1)
        out->named = NAMED_INIT;
    else if (out->pid == checker)
        out->named = NAMED_CHECKER;
    else if (proc_alive(out->pid, 0))
        out->named = NAMED_STRANGER;
    else
        out->named = NAMED_DEAD;
}


const struct tracked *find_daemon(const struct procset *now, const struct pidfile_seen *pf,
                                  const struct procset *not_in)
{
    const struct tracked *best = NULL;

    if (pf && pf->named == NAMED_DESCENDANT) {
        const struct tracked *p = procset_find(now, pf->pid);
        if (p && !procset_has(not_in, p))
            return p;
    }
    for (size_t i = 0; i < now->n; i++) {
        const struct tracked *p = &now->v[i], *parent;

        if (!tracked_alive(p) || procset_has(not_in, p))
            continue;
        parent = procset_find(now, p->ppid);
        if (parent && tracked_alive(parent) && !procset_has(not_in, parent))
            continue;
        if (!best || p->starttime < best->starttime ||
            (p->starttime == best->starttime && p->pid < best->pid))
            best = p;
    }
    return best;
}
