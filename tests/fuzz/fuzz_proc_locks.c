/* fuzz_proc_locks.c — proc_locks_find (checker/proc.h) against a reference
 * reader of /proc/locks written here, on arbitrary text.
 *
 * A line of /proc/locks (fs/locks.c, lock_get_status):
 *     ID: [->]KIND MODE TYPE PID MAJ:MIN:INO START END
 * with MAJ and MIN in hex, INO in decimal, "<none>:0" for a lock on no
 * inode, and "->" (indented) before a waiter blocked on the lock above.
 *
 * Promises checked, for the (device, inode) of every lock held in the text
 * and for one that is in none:
 * - nothing past len is read (ASan: the input is in a buffer of exactly
 *   its size);
 * - the answer is the reference's: lines are read in order, blank lines
 *   skipped; a malformed line met before a match makes the text EINVAL
 *   (-1, errno EINVAL); the first held lock on the file gives 1 and its
 *   fields (kind, type, pid, major, minor, inode), NUL-terminated; waiters
 *   and "<none>" never match; otherwise 0. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "fuzz.h"
#include "proc.h"

#define FUZZ_MAX_LEN 4096

enum line_kind { BLANK, MALFORMED, OTHER, HELD };

struct ref_line {
    enum line_kind kind;
    struct proc_lock lock;
};

/* A view of part of the input. */
struct span {
    const uint8_t *p;
    size_t n;
};

static int blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

static int in_set(uint8_t c, const char *set)
{
    return c != '\0' && strchr(set, c) != NULL;
}

/* A whole unsigned number in a base, leading zeros allowed, into 64 bits. */
static int number(struct span s, int base, uint64_t *v)
{
    const char *set = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
    char text[40];
    size_t i;

    if (s.n == 0)
        return 0;
    for (i = 0; i < s.n; i++)
        if (!in_set(s.p[i], set))
            return 0;
    while (s.n > 1 && s.p[0] == '0') {
        s.p++;
        s.n--;
    }
    if (s.n >= sizeof text)
        return 0;
    memcpy(text, s.p, s.n);
    text[s.n] = '\0';
    errno = 0;
    *v = strtoull(text, NULL, base);
    return errno == 0;
}

static int pid_number(struct span s, pid_t *pid)
{
    int negative = s.n > 0 && s.p[0] == '-';
    uint64_t v;

    if (negative) {
        s.p++;
        s.n--;
    }
    if (!number(s, 10, &v) || v > (negative ? (uint64_t)INT_MAX + 1 : (uint64_t)INT_MAX))
        return 0;
    *pid = negative ? (pid_t)(-(int64_t)v) : (pid_t)v;
    return 1;
}

static int copy_word(struct span s, char *dst, size_t cap)
{
    if (s.n >= cap)
        return 0;
    memcpy(dst, s.p, s.n);
    dst[s.n] = '\0';
    return 1;
}

/* "MAJ:MIN:INO": 1 filled, 0 malformed; "<none>...": 2. */
static int file_id(struct span s, struct proc_lock *lk)
{
    const uint8_t *c1, *c2;
    uint64_t maj, min, ino;

    if (s.n >= 6 && memcmp(s.p, "<none>", 6) == 0)
        return 2;
    c1 = memchr(s.p, ':', s.n);
    c2 = c1 ? memchr(c1 + 1, ':', s.n - (size_t)(c1 + 1 - s.p)) : NULL;
    if (c2 == NULL ||
        !number((struct span){ s.p, (size_t)(c1 - s.p) }, 16, &maj) ||
        !number((struct span){ c1 + 1, (size_t)(c2 - c1 - 1) }, 16, &min) ||
        !number((struct span){ c2 + 1, s.n - (size_t)(c2 + 1 - s.p) }, 10, &ino) ||
        maj > UINT_MAX || min > UINT_MAX)
        return 0;
    lk->major = (unsigned)maj;
    lk->minor = (unsigned)min;
    lk->ino = ino;
    return 1;
}

static struct ref_line classify(const uint8_t *p, const uint8_t *end)
{
    struct ref_line r = { MALFORMED, { { 0 }, { 0 }, 0, 0, 0, 0 } };
    struct span w[8];
    const uint8_t *colon;
    uint64_t seq;
    size_t nw = 0;
    int waiter = 0, file;
    char mode[16];

    while (p < end && blank(*p))
        p++;
    if (p == end) {
        r.kind = BLANK;
        return r;
    }
    colon = memchr(p, ':', (size_t)(end - p));
    if (colon == NULL || !number((struct span){ p, (size_t)(colon - p) }, 10, &seq))
        return r;
    p = colon + 1;
    for (;;) {
        while (p < end && blank(*p))
            p++;
        if (end - p < 2 || p[0] != '-' || p[1] != '>')
            break;
        waiter = 1;
        p += 2;
    }
    /* The rest: exactly seven words. */
    while (p < end) {
        const uint8_t *start = p;

        while (p < end && !blank(*p))
            p++;
        if (nw == 8)
            return r;
        w[nw++] = (struct span){ start, (size_t)(p - start) };
        while (p < end && blank(*p))
            p++;
    }
    if (nw != 7 || !copy_word(w[0], r.lock.kind, sizeof r.lock.kind) ||
        !copy_word(w[1], mode, sizeof mode) ||
        !copy_word(w[2], r.lock.type, sizeof r.lock.type) ||
        !pid_number(w[3], &r.lock.pid))
        return r;
    file = file_id(w[4], &r.lock);
    if (file == 0)
        return r;
    r.kind = file == 1 && !waiter ? HELD : OTHER;
    return r;
}

#define MAX_QUERIES 8

struct query {
    unsigned major, minor;
    unsigned long long ino;
};

/* The reference's answer for one file. */
static int ref_find(const uint8_t *data, size_t size, const struct query *q, struct proc_lock *out)
{
    const uint8_t *line = data, *end = data + size;

    while (line < end) {
        const uint8_t *eol = memchr(line, '\n', (size_t)(end - line));
        struct ref_line r;

        if (eol == NULL)
            eol = end;
        r = classify(line, eol);
        if (r.kind == MALFORMED)
            return -1;
        if (r.kind == HELD && r.lock.major == q->major && r.lock.minor == q->minor &&
            r.lock.ino == q->ino) {
            *out = r.lock;
            return 1;
        }
        line = eol + 1;
    }
    return 0;
}

/* The files of the held locks (the first few), and one more. */
static size_t queries(const uint8_t *data, size_t size, struct query *q)
{
    const uint8_t *line = data, *end = data + size;
    size_t n = 0;

    while (line < end && n < MAX_QUERIES - 1) {
        const uint8_t *eol = memchr(line, '\n', (size_t)(end - line));
        struct ref_line r;

        if (eol == NULL)
            eol = end;
        r = classify(line, eol);
        if (r.kind == HELD)
            q[n++] = (struct query){ r.lock.major, r.lock.minor, r.lock.ino };
        line = eol + 1;
    }
    q[n++] = (struct query){ 0xfffu, 0xfffffu, 0x7ffffffffffffff1ull };
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct query q[MAX_QUERIES];
    size_t n = queries(data, size, q), i;

    for (i = 0; i < n; i++) {
        struct proc_lock got, want;
        int r, expected = ref_find(data, size, &q[i], &want);

        memset(&got, 0, sizeof got);
        errno = 0;
        r = proc_locks_find((const char *)data, size, makedev(q[i].major, q[i].minor),
                            (ino_t)q[i].ino, &got);
        FUZZ_ASSERT(r == expected);
        if (r < 0)
            FUZZ_ASSERT(errno == EINVAL);
        if (r != 1)
            continue;
        FUZZ_ASSERT(memchr(got.kind, '\0', sizeof got.kind) != NULL);
        FUZZ_ASSERT(memchr(got.type, '\0', sizeof got.type) != NULL);
        FUZZ_ASSERT(strcmp(got.kind, want.kind) == 0 && strcmp(got.type, want.type) == 0);
        FUZZ_ASSERT(got.pid == want.pid);
        FUZZ_ASSERT(got.major == want.major && got.minor == want.minor && got.ino == want.ino);
    }
    return 0;
}
