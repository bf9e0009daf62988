/* pidfile.h - a locked pidfile, in the manner of FreeBSD's pidfile(3).
 *
 * "Running" means "holding the lock": the daemon takes a write lock on the
 * pidfile and keeps it for its whole life, so the kernel drops it the moment
 * the daemon dies, whatever killed it. A pidfile that is present but not
 * locked is therefore stale by definition, and the lock holder's pid, which
 * the kernel reports (F_GETLK), is what `stop` trusts, not the file's text.
 *
 * The lock is a classic POSIX record lock (fcntl F_SETLK), not flock(2):
 * F_GETLK names the pid that holds it, which lets a reader check the file's
 * content against the kernel's answer. Such a lock belongs to a process and
 * is not inherited across fork(), so pidfile_open() must be called in the
 * final process, after the last fork. It is also dropped when that process
 * closes ANY descriptor on the file, which is why this unit never opens the
 * pidfile a second time in the process that holds it.
 *
 * Every function returns -1 and sets errno on failure; none prints.
 */
#ifndef SKELETON_PIDFILE_H
#define SKELETON_PIDFILE_H

#include <limits.h>
#include <sys/types.h>

struct pidfile {
	int fd;                   /* the locked pidfile, or -1 */
	int dirfd;                /* its directory (O_PATH), or -1 */
	char name[NAME_MAX + 1];  /* its name inside that directory */
	dev_t dev;                /* identity of the locked file */
	ino_t ino;
};

/* What a reader learns about a pidfile. */
struct pidfile_info {
	pid_t content;  /* pid written in the file; 0 when not exactly "PID\n" */
	pid_t holder;   /* pid holding the lock; 0 when nobody does (stale) */
};

/* Opens or creates the pidfile PATH (never through a symlink), locks it and
 * checks that PATH still names the locked file. Refuses a file that is not
 * a regular file (EINVAL) or that another user owns (EPERM).
 * When another live process holds the lock, fails with EEXIST and stores
 * that process's pid in *holder (if holder is not NULL).
 * The file is not written: call pidfile_write() once the pid is final. */
int pidfile_open(struct pidfile *pf, const char *path, pid_t *holder);

/* Replaces the content with "PID\n" (the calling process's pid) and sets
 * mode 0644 whatever the umask. */
int pidfile_write(struct pidfile *pf);

/* Deletes the pidfile, if PATH still names the file this process locked,
 * then closes it (releasing the lock). Fails with ESTALE, after closing,
 * when PATH now names another file, which is left alone. */
int pidfile_remove(struct pidfile *pf);

/* Closes the pidfile and releases the lock, leaving the file in place. */
int pidfile_close(struct pidfile *pf);

/* Reads the pidfile PATH without modifying it (never through a symlink):
 * its content and the pid of the lock holder. ENOENT when there is none.
 * Meant for another process than the holder (`status`, `stop`): the holder
 * would see no lock (its own never conflicts), and closing the descriptor
 * read here would drop its lock. */
int pidfile_read(const char *path, struct pidfile_info *info);

/* Returns in *pid the daemon that the pidfile PATH proves to be running:
 * the file is locked by a live process and names exactly that process.
 * Fails with ENOENT (no pidfile), ESRCH (stale: nobody holds the lock) or
 * EBADMSG (locked, but the content does not name the holder). */
int pidfile_verify(const char *path, pid_t *pid);

/* Blocks until nobody holds the lock on PATH (its daemon closed it or
 * died) or PATH is gone. For `stop` where pidfd_open(2) is missing (Linux
 * before 5.3, some seccomp filters, valgrind): the lock's release is then
 * the only event that marks the daemon's end. Interrupted by a signal, it
 * fails with EINTR, which lets the caller bound the wait with a timer. */
int pidfile_wait_released(const char *path);

/* Deletes PATH if it is a stale pidfile: it takes the lock itself first, so
 * a live instance's pidfile is never deleted (EEXIST, holder in *holder). */
int pidfile_remove_stale(const char *path, pid_t *holder);

#endif
