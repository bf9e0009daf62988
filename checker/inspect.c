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

#include "fdio.h"
#include "inspect.h"

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

/* The pidfile's identity now, when it is a regular file. */
static int pidfile_identity(const char *pidfile, struct object_id *id)
{
    struct stat st;

    if (!pidfile || lstat(pidfile, &st) < 0 || !S_ISREG(st.st_mode))
        return -1;
    *id = (struct object_id){ st.st_dev, st.st_ino };
    return 0;
}

static void inspect_fd(int pdir, int fddir, const char *name, const struct inspect_ref *ref,
                       const struct object_id *pidfile, struct fd_seen *f)
{
    struct proc_fdinfo info;
    struct stat st;
    char link[PATH_MAX + 8];

    f->fd = atoi(name);
    snprintf(link, sizeof link, "fd/%s", name);
    if (proc_read_link(pdir, link, f->target, sizeof f->target) < 0)
        snprintf(f->target, sizeof f->target, "?");
    if (proc_socket_inode(f->target, &f->socket_inode) < 0)
        f->socket_inode = 0;
    if (proc_read_fdinfo(pdir, f->fd, &info) == 0 && info.have_flags) {
        f->have_flags = 1;
        f->flags = info.flags;
    }
    /* fstatat follows the magic link to the object itself. */
    if (fstatat(fddir, name, &st, 0) < 0)
        return;
    f->is_regular = S_ISREG(st.st_mode);
    f->is_terminal = S_ISCHR(st.st_mode) && is_terminal_device(st.st_rdev);
    f->is_launch_tty = same_object(&st, &ref->tty);
    f->is_pidfile = pidfile && same_object(&st, pidfile);
    f->is_journal = ref->journal.ino != 0 && same_object(&st, &ref->journal);
    for (int i = 0; i < SENTINEL_FDS; i++)
        f->sentinel |= same_object(&st, &ref->sentinel[i]);
}

static int inspect_fds(int pdir, const struct inspect_ref *ref, const struct object_id *pidfile,
                       struct daemon_seen *d)
{
    int fddir = openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *dir;
    struct dirent *e;

    if (fddir < 0)
        return -1;
    dir = fdopendir(fddir);
    if (!dir) {
        fd_close_keep_errno(fddir);
        return -1;
    }
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        if (d->nfds == EV_MAX_FDS)
            break;
        memset(&d->fds[d->nfds], 0, sizeof d->fds[0]);
        inspect_fd(pdir, dirfd(dir), e->d_name, ref, pidfile, &d->fds[d->nfds++]);
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
 * F_OFD_GETLK reports a lock that would conflict with a write lock.
 * 1 when one is held, 0 when none (flock locks are invisible to it). */
static int query_fcntl_lock(const char *pidfile, const struct object_id *id, struct proc_lock *l)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    struct stat now;
    int fd = open(pidfile, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), r = 0;

    if (fd < 0)
        return 0;
    if (fstat(fd, &now) == 0 && now.st_dev == id->dev && now.st_ino == id->ino &&
        fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) {
        snprintf(l->kind, sizeof l->kind, "%s", fl.l_pid > 0 ? "POSIX" : "OFDLCK");
        snprintf(l->type, sizeof l->type, "%s", fl.l_type == F_WRLCK ? "WRITE" : "READ");
        l->pid = fl.l_pid > 0 ? fl.l_pid : -1;
        l->major = major(id->dev);
        l->minor = minor(id->dev);
        l->ino = id->ino;
        r = 1;
    }
    close(fd);
    return r;
}

/* A lock held through one of pid's descriptors on the pidfile, as its
 * fdinfo lists it. fdinfo shows every kind of lock (flock ones too)
 * attached to that open file, whoever took it, and it does so inside a
 * PID namespace, where /proc/locks hides a lock whose taker has exited.
 * The cost follows the process's descriptors. 1 when found. */
static int lock_through_fds_of(pid_t pid, const struct object_id *id, struct proc_lock *l)
{
    int pdir = proc_open(pid), fddir, found = 0;
    struct dirent *e;
    DIR *dir;

    if (pdir < 0)
        return 0;
    fddir = openat(pdir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    dir = fddir >= 0 ? fdopendir(fddir) : NULL;
    if (!dir) {
        if (fddir >= 0)
            close(fddir);
        close(pdir);
        return 0;
    }
    while (!found && (e = readdir(dir)) != NULL) {
        struct proc_fdinfo info;
        struct stat st;

        if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
            fstatat(dirfd(dir), e->d_name, &st, 0) < 0 || st.st_dev != id->dev ||
            st.st_ino != id->ino)
            continue;
        if (proc_read_fdinfo(pdir, atoi(e->d_name), &info) == 0 && info.locked) {
            *l = info.lock;
            found = 1;
        }
    }
    closedir(dir);
    close(pdir);
    return found;
}

/* The lock on the pidfile: the kernel's answer for POSIX and OFD locks,
 * then the fdinfo of the daemon and of every other live process of its
 * start, for flock locks (and a lock whose taker has exited). */
static void inspect_lock(const struct tracked *p, const struct procset *now,
                         const struct object_id *pidfile, const char *path,
                         struct daemon_seen *d)
{
    if (query_fcntl_lock(path, pidfile, &d->lock)) {
        d->lock_held = 1;
        return;
    }
    if (lock_through_fds_of(p->pid, pidfile, &d->lock)) {
        d->lock_held = 1;
        d->lock_holder = p->pid;
        return;
    }
    for (size_t i = 0; i < now->n; i++) {
        const struct tracked *q = &now->v[i];

        if (q->pid == p->pid || q->origin != p->origin || !tracked_alive(q))
            continue;
        if (lock_through_fds_of(q->pid, pidfile, &d->lock)) {
            d->lock_held = 1;
            d->lock_holder = q->pid;
            return;
        }
    }
}

int inspect_daemon(const struct tracked *p, const struct procset *now,
                   const struct inspect_ref *ref, struct daemon_seen *d)
{
    struct object_id pidfile;
    int have_pidfile = pidfile_identity(ref->pidfile, &pidfile) == 0;
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
    if (inspect_fds(pdir, ref, have_pidfile ? &pidfile : NULL, d) < 0)
        d->fds_errno = errno;
    close(pdir);
    /* Only seen here: one sample counts nothing (see zombies in evidence.h). */
    for (size_t i = 0; i < now->n; i++) {
        const struct tracked *z = &now->v[i];

        if (z->ppid != p->pid || z->state != 'Z')
            continue;
        if (d->zombies_seen < EV_MAX_PIDS) {
            struct zombie_seen *k = &d->zombie[d->zombies_seen];
            k->pid = z->pid;
            k->starttime = z->starttime;
            snprintf(k->comm, sizeof k->comm, "%s", z->comm);
        }
        d->zombies_seen++;
    }
    if (have_pidfile)
        inspect_lock(p, now, &pidfile, ref->pidfile, d);
    return 0;
}

void inspect_pidfile(const char *path, const struct procset *now, pid_t checker,
                     struct pidfile_seen *out)
{
    const struct tracked *p;

    memset(out, 0, sizeof *out);
    pidfile_inspect(path, &out->view);
    out->owner = OWNER_NONE;
    if (!out->view.exists || out->view.read_errno)
        return;
    /* A malformed pidfile may still name a pid ("1234" without its
     * newline): who it names is told apart from how it is written. */
    out->form = pidfile_parse(out->view.bytes, out->view.len, out->view.truncated, &out->pid);
    if (out->pid <= 0)
        return;
    p = procset_find(now, out->pid);
    if (p && tracked_alive(p) && p->origin != ORIGIN_STOP)
        out->owner = OWNER_DESCENDANT;
    else if (out->pid == 1)
        out->owner = OWNER_INIT;
    else if (out->pid == checker)
        out->owner = OWNER_CHECKER;
    else if (proc_alive(out->pid, 0))
        out->owner = OWNER_STRANGER;
    else
        out->owner = OWNER_DEAD;
}

const struct tracked *find_daemon(const struct procset *now, const struct pidfile_seen *pf,
                                  enum origin origin)
{
    const struct tracked *best = NULL;

    if (pf && pf->owner == OWNER_DESCENDANT) {
        const struct tracked *p = procset_find(now, pf->pid);
        if (p && p->origin == origin)
            return p;
    }
    for (size_t i = 0; i < now->n; i++) {
        const struct tracked *p = &now->v[i], *parent;

        if (!tracked_alive(p) || p->origin != origin)
            continue;
        parent = procset_find(now, p->ppid);
        if (parent && tracked_alive(parent) && parent->origin == origin)
            continue;
        if (!best || p->starttime < best->starttime ||
            (p->starttime == best->starttime && p->pid < best->pid))
            best = p;
    }
    return best;
}
