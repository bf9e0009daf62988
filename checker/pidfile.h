/* pidfile.h — looking at a daemon's pidfile from the outside.
 *
 * The checker reads a pidfile but never follows a link to write or delete
 * one; what it finds is kept as a view so that several checks can judge
 * the same observation. */
#ifndef CHECKER_PIDFILE_H
#define CHECKER_PIDFILE_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define PIDFILE_MAX_BYTES 64    /* more than any valid pidfile holds */

struct pidfile_view {
    int exists;             /* lstat succeeded */
    int lstat_errno;        /* why it did not (0 when it did) */
    struct stat st;         /* lstat: the link itself when it is one */
    int read_errno;         /* 0 when the content below was read */
    char bytes[PIDFILE_MAX_BYTES + 1];
    size_t len;             /* bytes read, at most PIDFILE_MAX_BYTES */
    int truncated;          /* the file holds more than PIDFILE_MAX_BYTES */
};

/* Why a pidfile's bytes are not a valid pidfile, or PIDFILE_OK. */
enum pidfile_form {
    PIDFILE_OK = 0,
    PIDFILE_EMPTY,          /* no bytes */
    PIDFILE_NOT_DECIMAL,    /* a byte other than a digit before the newline */
    PIDFILE_NO_NEWLINE,     /* digits, then end of file */
    PIDFILE_TRAILING,       /* anything after the single newline (the seed's "/n" lands in NOT_DECIMAL) */
    PIDFILE_LEADING_ZERO,   /* "0123\n": not the canonical decimal form */
    PIDFILE_OUT_OF_RANGE,   /* 0, or more than a pid can be */
    PIDFILE_TOO_LONG        /* larger than PIDFILE_MAX_BYTES */
};

/* Look at path without following a final symlink for lstat; the content is
 * read only from a regular file (opened O_NOFOLLOW|O_NONBLOCK, so neither a
 * link nor a FIFO can redirect or block the read). Always fills *out;
 * returns 0, or -1 with errno when the path itself is unusable (ENAMETOOLONG). */
int pidfile_inspect(const char *path, struct pidfile_view *out);

/* Judge bytes as a pidfile: exactly a pid in ASCII decimal and one newline. */
enum pidfile_form pidfile_parse(const char *buf, size_t len, int truncated, pid_t *pid);

/* A short English phrase for a form, e.g. "no newline after the pid". */
const char *pidfile_form_str(enum pidfile_form form);

/* Write bytes as a C-like quoted string ("1234\n", "\xff"), NUL-terminated
 * and cut to fit; for reports that must show exactly what a file holds. */
void quote_bytes(const char *buf, size_t len, char *out, size_t cap);

#endif
