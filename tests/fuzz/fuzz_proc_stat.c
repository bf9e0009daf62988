/* fuzz_proc_stat.c — proc_stat_parse (checker/proc.h) on what a hostile
 * process can make of /proc/PID/stat: its command name may hold spaces,
 * parentheses, newlines and anything else.
 *
 * Promises checked:
 * - nothing past len is read (ASan; every parse gets a buffer of exactly
 *   its length);
 * - -1 comes with errno EINVAL;
 * - on success every field is the one a separate tokenizer finds: comm is
 *   the bytes between the first '(' and the last ')', cut to 63 and
 *   NUL-terminated; state, ppid, pgrp, session, tty_nr, tpgid, flags,
 *   num_threads (field 20) and starttime (field 22) are the fields of
 *   proc(5);
 * - a line in the kernel's own shape (pid, " (", name, ") ", one state
 *   character, single spaces, decimal fields) is accepted;
 * - a line cut anywhere after the name and up to the end of starttime
 *   (inside its digits included) is refused, never read as a smaller start
 *   time; cut later, it parses to the same values or is refused. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proc.h"

#define FUZZ_MAX_LEN 2048

#define STAT_FIELDS 22      /* fields up to starttime, counted from 1 as in proc(5) */

/* A field of the line: [start, end) of the input. */
struct field {
    size_t start, end;
};

/* What a tokenizer unlike the parser's finds in the line. */
struct ref {
    const uint8_t *lparen, *rparen;
    struct field f[STAT_FIELDS + 1];    /* f[4] .. f[22]; f[3] is the state */
    int strict;                         /* the kernel's own shape */
};

static int all_digits(const uint8_t *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* digits, leading zeros dropped, into a string that strto* can take; 0
 * when there are too many digits for 64 bits anyway. */
static int significant(const uint8_t *s, size_t n, char *text, size_t cap)
{
    if (!all_digits(s, n))
        return 0;
    while (n > 1 && *s == '0') {
        s++;
        n--;
    }
    if (n >= cap)
        return 0;
    memcpy(text, s, n);
    text[n] = '\0';
    return 1;
}

/* [-]digits within [min, max]. */
static int decimal(const uint8_t *s, size_t n, long long min, long long max, long long *v)
{
    int negative = n > 0 && s[0] == '-';
    char text[24];
    char *end;

    if (!significant(s + negative, n - (size_t)negative, text, sizeof text))
        return 0;
    errno = 0;
    *v = strtoll(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    if (negative)
        *v = -*v;
    return *v >= min && *v <= max;
}

static int is_sep(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* Split what follows ") S" on blanks and newlines. 0 when there are not
 * enough fields. */
static int split_fields(const uint8_t *data, size_t size, struct ref *r)
{
    size_t i = (size_t)(r->rparen - data) + 3;
    int k;

    r->strict = 1;
    for (k = 4; k <= STAT_FIELDS; k++) {
        size_t start;

        /* The kernel separates fields by exactly one space. */
        if (i >= size || data[i] != ' ' || (i + 1 < size && is_sep(data[i + 1])))
            r->strict = 0;
        while (i < size && is_sep(data[i]))
            i++;
        start = i;
        while (i < size && !is_sep(data[i]))
            i++;
        if (i == start)
            return 0;
        r->f[k] = (struct field){ start, i };
    }
    return 1;
}

static int ref_tokenize(const uint8_t *data, size_t size, struct ref *r)
{
    memset(r, 0, sizeof *r);
    r->lparen = memchr(data, '(', size);
    r->rparen = memrchr(data, ')', size);
    if (r->lparen == NULL || r->rparen == NULL || r->rparen < r->lparen)
        return 0;
    if ((size_t)(r->rparen - data) + 3 > size)
        return 0;
    return split_fields(data, size, r);
}

/* The kernel's shape: "PID (NAME) S F4 F5 ... F22" then a space or a
 * newline, every number in range. */
static int kernel_shape(const uint8_t *data, size_t size, const struct ref *r)
{
    size_t pidlen = (size_t)(r->lparen - data);
    const uint8_t *s = r->rparen;
    long long v;
    int k;

    if (!r->strict || pidlen < 2 || data[pidlen - 1] != ' ' ||
        !decimal(data, pidlen - 1, 1, INT_MAX, &v))
        return 0;
    if ((size_t)(s - data) + 4 > size || s[1] != ' ' || is_sep(s[2]) || s[3] != ' ')
        return 0;
    for (k = 4; k <= 8; k++)
        if (!decimal(data + r->f[k].start, r->f[k].end - r->f[k].start, INT_MIN, INT_MAX, &v))
            return 0;
    /* Field 9, the kernel's PF_* flags: an unsigned decimal, no sign. */
    if (!all_digits(data + r->f[9].start, r->f[9].end - r->f[9].start) ||
        !decimal(data + r->f[9].start, r->f[9].end - r->f[9].start, 0, UINT_MAX, &v))
        return 0;
    if (!decimal(data + r->f[20].start, r->f[20].end - r->f[20].start, INT_MIN, INT_MAX, &v))
        return 0;
    if (!all_digits(data + r->f[22].start, r->f[22].end - r->f[22].start) ||
        r->f[22].end - r->f[22].start > 19)     /* below UINT64_MAX: no overflow to argue */
        return 0;
    return r->f[22].end < size && (data[r->f[22].end] == ' ' || data[r->f[22].end] == '\n');
}

static long long field_value(const uint8_t *data, const struct field *f)
{
    long long v = 0;

    FUZZ_ASSERT(decimal(data + f->start, f->end - f->start, INT_MIN, INT_MAX, &v));
    return v;
}

static unsigned flags_value(const uint8_t *data, const struct field *f)
{
    long long v = 0;

    FUZZ_ASSERT(decimal(data + f->start, f->end - f->start, 0, UINT_MAX, &v));
    return (unsigned)v;
}

/* starttime; the parser refuses what does not fit in 64 bits. */
static unsigned long long starttime_value(const uint8_t *data, const struct field *f)
{
    char text[24];
    unsigned long long v;

    FUZZ_ASSERT(significant(data + f->start, f->end - f->start, text, sizeof text));
    errno = 0;
    v = strtoull(text, NULL, 10);
    FUZZ_ASSERT(errno == 0);
    return v;
}

/* The parse of exactly len bytes, in a buffer of that size. */
static int parse_exact(const uint8_t *data, size_t len, struct proc_stat *st)
{
    char *copy = malloc(len ? len : 1);
    int r;

    FUZZ_ASSERT(copy != NULL);
    memcpy(copy, data, len);
    errno = 0;
    r = proc_stat_parse(copy, len, st);
    FUZZ_ASSERT(r == 0 || (r == -1 && errno == EINVAL));
    free(copy);
    return r;
}

static void check_fields(const uint8_t *data, const struct ref *r, const struct proc_stat *st)
{
    size_t n = (size_t)(r->rparen - r->lparen - 1);
    long long pid;

    if (n > sizeof st->comm - 1)
        n = sizeof st->comm - 1;
    FUZZ_ASSERT(memcmp(st->comm, r->lparen + 1, n) == 0 && st->comm[n] == '\0');
    /* The pid: whatever blanks led it, the number just before " (". */
    FUZZ_ASSERT(r->lparen - data >= 2 && r->lparen[-1] == ' ');
    {
        const uint8_t *p = data;

        while (*p == ' ' || *p == '\t')
            p++;
        FUZZ_ASSERT(decimal(p, (size_t)(r->lparen - 1 - p), INT_MIN, INT_MAX, &pid));
    }
    FUZZ_ASSERT(st->pid == pid);
    FUZZ_ASSERT(st->state == (char)r->rparen[2]);
    FUZZ_ASSERT(st->ppid == field_value(data, &r->f[4]));
    FUZZ_ASSERT(st->pgrp == field_value(data, &r->f[5]));
    FUZZ_ASSERT(st->session == field_value(data, &r->f[6]));
    FUZZ_ASSERT(st->tty_nr == field_value(data, &r->f[7]));
    FUZZ_ASSERT(st->tpgid == field_value(data, &r->f[8]));
    FUZZ_ASSERT(st->flags == flags_value(data, &r->f[9]));
    FUZZ_ASSERT(st->num_threads == field_value(data, &r->f[20]));
    FUZZ_ASSERT(st->starttime == starttime_value(data, &r->f[22]));
}

static int same_stat(const struct proc_stat *a, const struct proc_stat *b)
{
    return a->pid == b->pid && strcmp(a->comm, b->comm) == 0 && a->state == b->state &&
           a->ppid == b->ppid && a->pgrp == b->pgrp && a->session == b->session &&
           a->tty_nr == b->tty_nr && a->tpgid == b->tpgid && a->num_threads == b->num_threads &&
           a->starttime == b->starttime;
}

/* Cuts after the name: refused up to the end of starttime, the same values
 * after it. About 32 cut points per input, so that fuzzing stays fast on
 * long lines. */
static void check_cuts(const uint8_t *data, size_t size, const struct ref *r,
                       const struct proc_stat *whole)
{
    size_t first = (size_t)(r->rparen - data) + 1, last = r->f[22].end, len, step;
    struct proc_stat st;

    step = (size - first) / 32 + 1;
    for (len = first; len < size; len += step) {
        if (len <= last)
            FUZZ_ASSERT(parse_exact(data, len, &st) == -1);
        else if (parse_exact(data, len, &st) == 0)
            FUZZ_ASSERT(same_stat(&st, whole));
    }
    /* Inside and right after the digits of starttime, always (its first
     * and last 24 cut points, when leading zeros make it long). */
    for (len = r->f[22].start; len <= last; len++) {
        if (len == r->f[22].start + 24 && last > len + 24)
            len = last - 24;
        FUZZ_ASSERT(parse_exact(data, len, &st) == -1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_stat st;
    struct ref r;
    int parsed = parse_exact(data, size, &st), shaped;

    shaped = ref_tokenize(data, size, &r) && kernel_shape(data, size, &r);
    if (shaped)
        FUZZ_ASSERT(parsed == 0);
    if (parsed < 0)
        return 0;
    FUZZ_ASSERT(r.lparen != NULL && r.f[22].end > 0);
    FUZZ_ASSERT(memchr(st.comm, '\0', sizeof st.comm) != NULL);
    check_fields(data, &r, &st);
    check_cuts(data, size, &r, &st);
    return 0;
}
