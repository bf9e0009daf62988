/* scan.c — the subtree below a root, read from /proc (see scan.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fdio.h"
#include "scan.h"

/* More processes than this below the checker is a fork bomb: the walk
 * stops there, and the sweep that follows ends what it has seen. */
#define SCAN_MAX 100000

/* A growing list of pids, each with its count of threads when its stat
 * was read (0: unknown, as for a pid just listed in a children file). */
struct pids {
    struct listed {
        pid_t pid;
        int threads;
    } *v;
    size_t n, cap;
};

static int pids_add(struct pids *l, pid_t pid, int threads)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct listed *v = realloc(l->v, cap * sizeof *v);

        if (!v)
            return -1;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (struct listed){ pid, threads };
    return 0;
}

/* Add the pids of a children file ("12 345 6789 ") to l. The file is read
 * in chunks, so a number cut by a chunk's end is carried to the next. */
static int add_children_of(int file, struct pids *l)
{
    char chunk[4096];
    long pid = -1;
    ssize_t n;

    while ((n = fd_read_upto(file, chunk, sizeof chunk)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            char c = chunk[i];

            if (c >= '0' && c <= '9') {
                pid = (pid < 0 ? 0 : pid) * 10 + (c - '0');
                if (pid > 1L << 30)
                    return -1;      /* no pid is that large: not a children file */
            } else if (pid >= 0) {
                if (pids_add(l, (pid_t)pid, 0) < 0)
                    return -1;
                pid = -1;
            }
        }
        if ((size_t)n < sizeof chunk)
            break;
    }
    if (n < 0)
        return -1;
    return pid >= 0 ? pids_add(l, (pid_t)pid, 0) : 0;
}

/* Add the pids of the children file at path, below dirfd, to kids. A
 * thread that has ended meanwhile has none. */
static int add_children_at(int dirfd, const char *path, struct pids *kids)
{
    int file = openat(dirfd, path, O_RDONLY | O_CLOEXEC), rc;

    if (file < 0)
        return errno == ENOENT || errno == ESRCH ? 0 : -1;
    rc = add_children_of(file, kids);
    fd_close_keep_errno(file);
    return rc;
}

/* The children of every thread of p: a child belongs to the thread that
 * forked it. A process gone meanwhile has none. With one thread, its task
 * list is not read: a thread it starts later, and what that thread forks,
 * the next scan sees, as it sees any process forked while a scan goes on. */
static int children_of(int procfd, const struct listed *p, struct pids *kids)
{
    char path[64];
    struct dirent *e;
    DIR *tasks;
    int dfd;

    if (p->threads == 1) {
        snprintf(path, sizeof path, "%d/task/%d/children", (int)p->pid, (int)p->pid);
        return add_children_at(procfd, path, kids);
    }
    snprintf(path, sizeof path, "%d/task", (int)p->pid);
    dfd = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return errno == ENOENT || errno == ESRCH ? 0 : -1;
    tasks = fdopendir(dfd);
    if (!tasks) {
        fd_close_keep_errno(dfd);
        return -1;
    }
    while ((e = readdir(tasks)) != NULL) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "%.20s/children", e->d_name);
        if (add_children_at(dirfd(tasks), path, kids) < 0) {
            closedir(tasks);
            return -1;
        }
    }
    closedir(tasks);
    return 0;
}

/* Read pid's stat into p. 0, or -1 when it is gone (not an error). */
static int stat_of(int procfd, pid_t pid, struct tracked *p)
{
    struct proc_stat st;
    char name[32];

    snprintf(name, sizeof name, "%d/stat", (int)pid);
    if (proc_read_stat_at(procfd, name, &st) < 0)
        return -1;
    *p = (struct tracked){ 0 };
    tracked_from_stat(p, &st);
    return 0;
}

/* Read the subtree below each pid of queue from position i on, breadth
 * first: each process is read once, after its parent. */
static int walk_from(int procfd, struct pids *queue, size_t i, struct procset *out)
{
    for (; i < queue->n && out->n < SCAN_MAX; i++) {
        struct pids kids = { 0 };

        if (children_of(procfd, &queue->v[i], &kids) < 0) {
            free(kids.v);
            return -1;
        }
        for (size_t k = 0; k < kids.n; k++) {
            struct tracked p;

            /* A process that reparented during the walk can be listed
             * twice: by its old parent, then by the root. */
            if (procset_find(out, kids.v[k].pid) || stat_of(procfd, kids.v[k].pid, &p) < 0)
                continue;
            if (procset_add(out, &p) < 0 || pids_add(queue, p.pid, p.threads) < 0) {
                free(kids.v);
                return -1;
            }
        }
        free(kids.v);
    }
    return 0;
}

/* The walk, then the root's children again until they hold no one new: an
 * orphan moves to the root (the checker is the subreaper) while the walk
 * goes on, and would be missed if its old parent was read after the move
 * and the root before it. The root has one thread when it is this process
 * (the checker runs no other); of another, the count is not known. */
static int walk_children(int procfd, pid_t root, struct procset *out)
{
    struct pids queue = { 0 };
    int root_threads = root == getpid();
    size_t before;
    int rc;

    if (pids_add(&queue, root, root_threads) < 0)
        return -1;
    do {
        before = out->n;
        rc = walk_from(procfd, &queue, queue.n - 1, out);
        if (rc == 0 && out->n > before && pids_add(&queue, root, root_threads) < 0)
            rc = -1;
    } while (rc == 0 && out->n > before && out->n < SCAN_MAX);
    free(queue.v);
    return rc;
}

/* A parent starts before its children: ordering by start time puts every
 * parent first, as the children walk does. */
static int by_start(const void *a, const void *b)
{
    const struct tracked *p = a, *q = b;

    if (p->starttime != q->starttime)
        return p->starttime < q->starttime ? -1 : 1;
    return (p->pid > q->pid) - (p->pid < q->pid);
}

/* Every process on the machine, then the subtree of root marked until
 * nothing more is added (readdir's order need not put parents first). */
static int walk_all(int procfd, pid_t root, struct procset *out)
{
    struct procset all = { 0 };
    struct dirent *e;
    char *in = NULL;
    DIR *d;
    int dup_fd = dup(procfd), grew = 1, rc = 0;

    if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
        if (dup_fd >= 0)
            fd_close_keep_errno(dup_fd);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        struct tracked p;
        char *end;
        long pid = strtol(e->d_name, &end, 10);

        if (*end || pid <= 0 || stat_of(procfd, (pid_t)pid, &p) < 0)
            continue;
        if (procset_add(&all, &p) < 0) {
            rc = -1;
            break;
        }
    }
    closedir(d);
    if (rc == 0 && !(in = calloc(all.n ? all.n : 1, 1)))
        rc = -1;
    while (rc == 0 && grew) {
        grew = 0;
        for (size_t i = 0; i < all.n; i++) {
            const struct tracked *parent = procset_find(&all, all.v[i].ppid);

            if (!in[i] && (all.v[i].ppid == root || (parent && in[parent - all.v]))) {
                in[i] = 1;
                grew = 1;
            }
        }
    }
    for (size_t i = 0; rc == 0 && i < all.n; i++)
        if (in[i] && procset_add(out, &all.v[i]) < 0)
            rc = -1;
    if (rc == 0 && out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, by_start);
    free(in);
    procset_free(&all);
    return rc;
}

int scan_follows_children(void)
{
    static int known = -1;
    char path[64];

    if (known < 0) {
        snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)getpid(), (int)getpid());
        known = access(path, R_OK) == 0;
    }
    return known;
}

int scan_below(pid_t root, struct procset *out)
{
    int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int rc;

    if (procfd < 0)
        return -1;
    rc = scan_follows_children() ? walk_children(procfd, root, out)
                                 : walk_all(procfd, root, out);
    fd_close_keep_errno(procfd);
    if (rc < 0 && errno == 0)
        errno = ENOMEM;
    return rc;
}
