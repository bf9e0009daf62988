/* pidfile.c — observing a pidfile without trusting it.
 *
 * The path is in a directory the candidate controls, so between two system
 * calls it may become a symlink, a FIFO or another file. The view is taken
 * with lstat first, and the content is read only through a descriptor that
 * is proven (fstat: same device and inode, still regular) to be the file
 * that lstat saw. */
#include "fdio.h"
#include "pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The kernel's PID_MAX_LIMIT: no pid can be larger on any configuration. */
#define PID_MAX_LIMIT 4194304L

/* Why the content of a non-regular file is not read, as an errno. */
static int unread_reason(mode_t mode)
{
    if (S_ISLNK(mode))
        return ELOOP;
    if (S_ISDIR(mode))
        return EISDIR;
    return EINVAL;
}

/* The file behind fd is still the one lstat saw, and regular. ESTALE when it
 * was replaced in between. */
static int same_regular_file(int fd, const struct stat *seen)
{
    struct stat now;

    if (fstat(fd, &now) < 0)
        return -1;
    if (!S_ISREG(now.st_mode) || now.st_dev != seen->st_dev || now.st_ino != seen->st_ino) {
        errno = ESTALE;
        return -1;
    }
    return 0;
}

static int read_content(const char *path, struct pidfile_view *v)
{
    /* O_NONBLOCK: should the path turn into a FIFO after lstat, open and
     * read return at once instead of waiting for a writer. */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    ssize_t n;

    if (fd < 0)
        return -1;
    if (same_regular_file(fd, &v->st) < 0) {
        fd_close_keep_errno(fd);
        return -1;
    }
    /* One byte more than kept tells a file that is too long. */
    n = fd_read_upto(fd, v->bytes, PIDFILE_MAX_BYTES + 1);
    if (n < 0) {
        fd_close_keep_errno(fd);
        return -1;
    }
    if (close(fd) < 0)
        return -1;
    v->truncated = n > PIDFILE_MAX_BYTES;
    v->len = v->truncated ? PIDFILE_MAX_BYTES : (size_t)n;
    v->bytes[v->len] = '\0';
    return 0;
}

int pidfile_inspect(const char *path, struct pidfile_view *out)
{
    memset(out, 0, sizeof *out);
    if (path == NULL) {
        out->lstat_errno = out->read_errno = EINVAL;
        errno = EINVAL;
        return -1;
    }
    if (lstat(path, &out->st) < 0) {
        out->lstat_errno = errno;
        out->read_errno = errno;
        /* A missing file is an observation; any other failure means the
         * path itself cannot be looked at. */
        return errno == ENOENT ? 0 : -1;
    }
    out->exists = 1;
    if (!S_ISREG(out->st.st_mode)) {
        out->read_errno = unread_reason(out->st.st_mode);
        return 0;
    }
    if (read_content(path, out) < 0) {
        out->read_errno = errno;
        out->len = 0;
        out->truncated = 0;
        out->bytes[0] = '\0';
    }
    return 0;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The value of the leading run of digits, capped just above any pid. */
static long leading_number(const char *buf, size_t len, size_t *ndigits)
{
    long v = 0;
    size_t i;

    for (i = 0; i < len && is_digit(buf[i]); i++)
        if (v <= PID_MAX_LIMIT)
            v = v * 10 + (buf[i] - '0');
    *ndigits = i;
    return v;
}

static enum pidfile_form judge_layout(const char *buf, size_t len, size_t ndigits)
{
    if (ndigits == 0)
        return PIDFILE_NOT_DECIMAL;
    if (ndigits == len)
        return PIDFILE_NO_NEWLINE;
    if (buf[ndigits] != '\n')
        return PIDFILE_NOT_DECIMAL;
    if (ndigits + 1 < len)
        return PIDFILE_TRAILING;
    return PIDFILE_OK;
}

/* *pid receives the leading number whenever it could be a pid, whatever the
 * form: a report can then say which process a malformed file names. */
enum pidfile_form pidfile_parse(const char *buf, size_t len, int truncated, pid_t *pid)
{
    size_t ndigits;
    long v;
    enum pidfile_form layout;

    if (pid != NULL)
        *pid = 0;
    if (buf == NULL)
        len = 0;
    v = leading_number(buf, len, &ndigits);
    if (pid != NULL && ndigits > 0 && v > 0 && v <= PID_MAX_LIMIT)
        *pid = (pid_t)v;
    if (truncated)
        return PIDFILE_TOO_LONG;
    if (len == 0)
        return PIDFILE_EMPTY;
    layout = judge_layout(buf, len, ndigits);
    if (layout != PIDFILE_OK)
        return layout;
    if (v == 0 || v > PID_MAX_LIMIT)
        return PIDFILE_OUT_OF_RANGE;
    if (buf[0] == '0')
        return PIDFILE_LEADING_ZERO;
    return PIDFILE_OK;
}

const char *pidfile_form_str(enum pidfile_form form)
{
    switch (form) {
    case PIDFILE_OK:            return "a pid and one newline";
    case PIDFILE_EMPTY:         return "empty";
    case PIDFILE_NOT_DECIMAL:   return "not a decimal number followed by a newline";
    case PIDFILE_NO_NEWLINE:    return "no newline after the pid";
    case PIDFILE_TRAILING:      return "more bytes after the newline";
    case PIDFILE_LEADING_ZERO:  return "a leading zero before the pid";
    case PIDFILE_OUT_OF_RANGE:  return "a number that no pid can be";
    case PIDFILE_TOO_LONG:      return "longer than any pidfile";
    }
    return "unknown form";
}

/* The escaped form of one byte, NUL-terminated, at most 4 characters. */
static void escape_byte(unsigned char c, char out[5])
{
    switch (c) {
    case '\n': strcpy(out, "\\n");  return;
    case '\t': strcpy(out, "\\t");  return;
    case '\r': strcpy(out, "\\r");  return;
    case '\\': strcpy(out, "\\\\"); return;
    case '"':  strcpy(out, "\\\""); return;
    }
    if (c < 0x20 || c >= 0x7f)
        snprintf(out, 5, "\\x%02x", c);
    else {
        out[0] = (char)c;
        out[1] = '\0';
    }
}

static size_t quoted_len(const char *buf, size_t len)
{
    size_t total = 2, i;
    char e[5];

    for (i = 0; i < len; i++) {
        escape_byte((unsigned char)buf[i], e);
        total += strlen(e);
    }
    return total;
}

/* When the whole does not fit, the quoted part is closed early and "..."
 * follows it outside the quotes, so a cut is never mistaken for content. */
void quote_bytes(const char *buf, size_t len, char *out, size_t cap)
{
    static const char cut_mark[] = "\"...";
    size_t pos = 0, i, room;
    int whole;

    if (out == NULL || cap == 0)
        return;
    if (buf == NULL)
        len = 0;
    whole = quoted_len(buf, len) < cap;
    room = whole ? cap - 1 : (cap > sizeof cut_mark ? cap - sizeof cut_mark : 0);
    if (room > 0)
        out[pos++] = '"';
    for (i = 0; i < len; i++) {
        char e[5];
        size_t n;

        escape_byte((unsigned char)buf[i], e);
        n = strlen(e);
        if (pos + n > room)
            break;
        memcpy(out + pos, e, n);
        pos += n;
    }
    if (whole)
        out[pos++] = '"';
    else if (pos > 0)
        for (i = 0; cut_mark[i] != '\0' && pos + 1 < cap; i++)
            out[pos++] = cut_mark[i];
    out[pos] = '\0';
}
