/* pidfile.c - a pidfile that is locked for the daemon's whole life, written
 * race-free, and trusted only while its lock is held. See pidfile.h.
 */
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PIDFILE_MODE 0644
/* A pid line is at most 10 digits and a newline; anything longer is not one. */
#define PIDFILE_MAX_CONTENT 16
/* How often to retry when the file is replaced or unlocked under our feet;
 * each retry means another process changed it meanwhile, so a few suffice. */
#define PIDFILE_ATTEMPTS 8

static void close_keeping_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

/* Opens the directory that holds PATH, so that the file itself can be
 * checked and removed later through the same directory, whatever the
 * working directory has become by then. */
static int pidfile_locate(struct pidfile *pf, const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	size_t namelen = strlen(name);
	char dir[PATH_MAX];

	if (namelen == 0 || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	if (namelen > NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!slash) {
		strcpy(dir, ".");
	} else {
		size_t dirlen = slash == path ? 1 : (size_t)(slash - path);
		if (dirlen >= sizeof dir) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(dir, path, dirlen);
		dir[dirlen] = '\0';
	}
	pf->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pf->dirfd < 0)
		return -1;
	memcpy(pf->name, name, namelen + 1);
	return 0;
}

static struct flock whole_file(short type)
{
	struct flock fl;

	memset(&fl, 0, sizeof fl);
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = 0;
	fl.l_len = 0;
	return fl;
}

/* The pid holding a write-conflicting lock on fd, or 0 if there is none.
 * A process never conflicts with its own locks, so it sees 0 for them. */
static pid_t lock_holder(int fd)
{
	struct flock fl = whole_file(F_WRLCK);

	if (fcntl(fd, F_GETLK, &fl) < 0)
		return -1;
	return fl.l_type == F_UNLCK ? 0 : fl.l_pid;
}

/* A regular file that the caller owns: a FIFO would block readers, a
 * device is not a pidfile, and a file another user can rewrite lets that
 * user choose which process `stop` kills. */
static int check_file(int fd, struct stat *st, int want_owner)
{
	if (fstat(fd, st) < 0)
		return -1;
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if (want_owner && st->st_uid != geteuid()) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* 1 if NAME in DIRFD is (still) the file DEV/INO, 0 if it is another file
 * or gone, -1 on error. */
static int names_file(int dirfd, const char *name, dev_t dev, ino_t ino)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : -1;
	return st.st_dev == dev && st.st_ino == ino;
}

/* Open (creating it if asked) and lock, flopen(3)-style: after the lock
 * is ours, the name must still point at the locked file, otherwise the
 * previous owner unlinked it between our open and our lock and somebody
 * may already hold a newer file under that name. */
static int open_locked(struct pidfile *pf, int create, pid_t *holder)
{
	int flags = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | (create ? O_CREAT : 0);

	for (int attempt = 0; attempt < PIDFILE_ATTEMPTS; attempt++) {
		struct stat st;
		struct flock fl = whole_file(F_WRLCK);
		int fd = openat(pf->dirfd, pf->name, flags, PIDFILE_MODE);

		if (fd < 0)
			return -1;
		if (check_file(fd, &st, 1) < 0) {
			close_keeping_errno(fd);
			return -1;
		}
		if (fcntl(fd, F_SETLK, &fl) < 0) {
			if (errno != EAGAIN && errno != EACCES) {
				close_keeping_errno(fd);
				return -1;
			}
			pid_t h = lock_holder(fd);
			close_keeping_errno(fd);
			if (h < 0)
				return -1;
			if (h > 0) {
				if (holder)
					*holder = h;
				errno = EEXIST;
				return -1;
			}
			continue;  /* released in between: try again */
		}
		int same = names_file(pf->dirfd, pf->name, st.st_dev, st.st_ino);
		if (same < 0) {
			close_keeping_errno(fd);
			return -1;
		}
		if (same) {
			pf->fd = fd;
			pf->dev = st.st_dev;
			pf->ino = st.st_ino;
			return 0;
		}
		close(fd);
		if (!create) {
			errno = ENOENT;
			return -1;
		}
	}
	errno = EAGAIN;
	return -1;
}

static void pidfile_reset(struct pidfile *pf)
{
	pf->fd = -1;
	pf->dirfd = -1;
	pf->name[0] = '\0';
}

static int pidfile_open_mode(struct pidfile *pf, const char *path, int create, pid_t *holder)
{
	pidfile_reset(pf);
	if (pidfile_locate(pf, path) < 0)
		return -1;
	if (open_locked(pf, create, holder) < 0) {
		close_keeping_errno(pf->dirfd);
		pf->dirfd = -1;
		return -1;
	}
	return 0;
}

int pidfile_open(struct pidfile *pf, const char *path, pid_t *holder)
{
	return pidfile_open_mode(pf, path, 1, holder);
}

int pidfile_write(struct pidfile *pf)
{
	char line[PIDFILE_MAX_CONTENT];
	int len = snprintf(line, sizeof line, "%ld\n", (long)getpid());

	/* A file left by someone else, or created under a restrictive umask,
	 * gets the FHS mode before it gets content. */
	if (fchmod(pf->fd, PIDFILE_MODE) < 0)
		return -1;
	if (ftruncate(pf->fd, 0) < 0)
		return -1;
	ssize_t n = pwrite(pf->fd, line, (size_t)len, 0);
	if (n < 0)
		return -1;
	if (n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int pidfile_close(struct pidfile *pf)
{
	int rc = 0;

	if (pf->fd >= 0 && close(pf->fd) < 0)
		rc = -1;
	if (pf->dirfd >= 0 && close(pf->dirfd) < 0)
		rc = -1;
	pidfile_reset(pf);
	return rc;
}

int pidfile_remove(struct pidfile *pf)
{
	/* Unlink while still holding the lock: a contender that opened the
	 * old file will find, once the lock is free, that the name is gone. */
	int same = names_file(pf->dirfd, pf->name, pf->dev, pf->ino);
	int rc = 0, saved = 0;

	if (same < 0 || (same == 1 && unlinkat(pf->dirfd, pf->name, 0) < 0)) {
		rc = -1;
		saved = errno;
	} else if (same == 0) {
		rc = -1;
		saved = ESTALE;
	}
	if (pidfile_close(pf) < 0 && rc == 0)
		return -1;
	if (rc < 0)
		errno = saved;
	return rc;
}

/* The pid in a file that holds exactly "PID\n" in ASCII decimal, without
 * sign, blanks or leading zeros; 0 for anything else. */
static pid_t parse_pid_line(const char *buf, size_t len)
{
	long pid = 0;

	if (len < 2 || buf[len - 1] != '\n' || buf[0] == '0')
		return 0;
	for (size_t i = 0; i < len - 1; i++) {
		if (buf[i] < '0' || buf[i] > '9')
			return 0;
		pid = pid * 10 + (buf[i] - '0');
		if (pid > 0x7fffffff)
			return 0;
	}
	return (pid_t)pid;
}

static int read_content(int fd, pid_t *pid)
{
	char buf[PIDFILE_MAX_CONTENT + 1];
	ssize_t n = pread(fd, buf, sizeof buf, 0);

	if (n < 0)
		return -1;
	*pid = (size_t)n > PIDFILE_MAX_CONTENT ? 0 : parse_pid_line(buf, (size_t)n);
	return 0;
}

int pidfile_read(const char *path, struct pidfile_info *info)
{
	struct stat st;
	/* Read-only is enough: F_GETLK needs no write access, so anyone who
	 * may read the pidfile may ask whether it is live. */
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (check_file(fd, &st, 0) < 0 || read_content(fd, &info->content) < 0)
		goto fail;
	info->holder = lock_holder(fd);
	if (info->holder < 0)
		goto fail;
	return close(fd);
fail:
	close_keeping_errno(fd);
	return -1;
}

int pidfile_verify(const char *path, pid_t *pid)
{
	struct pidfile_info info;

	if (pidfile_read(path, &info) < 0)
		return -1;
	if (info.holder == 0) {
		errno = ESRCH;
		return -1;
	}
	if (info.content != info.holder) {
		errno = EBADMSG;
		return -1;
	}
	*pid = info.holder;
	return 0;
}

int pidfile_wait_released(const char *path)
{
	/* A read lock is enough to conflict with the holder's write lock, and
	 * needs only read access to the file. */
	struct flock fl = whole_file(F_RDLCK);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fcntl(fd, F_SETLKW, &fl) < 0) {
		close_keeping_errno(fd);
		return -1;
	}
	return close(fd);
}

int pidfile_remove_stale(const char *path, pid_t *holder)
{
	struct pidfile pf;

	if (pidfile_open_mode(&pf, path, 0, holder) < 0)
		return -1;
	return pidfile_remove(&pf);
}
