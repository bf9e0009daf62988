/* fuzz_proc_fdinfo.c — proc_fdinfo_parse (checker/proc.h) on arbitrary
 * text, the way /proc/PID/fdinfo/N reads: "key:\tvalue" lines, "flags" in
 * octal, "lock:" followed by a /proc/locks line.
 *
 * Promises checked:
 * - nothing past len is read (ASan: the input is in a buffer of its size);
 * - the result is 0 or -1 with EINVAL, and the same twice;
 * - on 0: have_flags says whether a "flags:" line came, the flags are the
 *   last such line's octal value (checked against strtoul here), locked is
 *   0 or 1, a lock's kind and type are NUL-terminated and within their
 *   arrays;
 * - adding a line that is no key at all ("x\n") changes nothing;
 * - a "flags:" line that is not octal makes the whole text EINVAL. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proc.h"

#define FUZZ_MAX_LEN 2048

/* The value of the last "flags:" line, as strtoul reads octal, or -1 when
 * there is none; -2 when such a line is not wholly octal. */
static long long ref_flags(const uint8_t *data, size_t size)
{
    long long last = -1;
    size_t i = 0;

    while (i < size) {
        const uint8_t *eol = memchr(data + i, '\n', size - i);
        size_t end = eol ? (size_t)(eol - data) : size;

        if (end - i >= 6 && memcmp(data + i, "flags:", 6) == 0) {
            char text[40];
            size_t n = end - i - 6, k = 0, j;
            char *stop;

            for (j = 0; j < n && (data[i + 6 + j] == ' ' || data[i + 6 + j] == '\t'); j++)
                ;
            /* leading zeros change no value: strtoul reads any number of them */
            while (j + 1 < n && data[i + 6 + j] == '0' && data[i + 6 + j + 1] >= '0' &&
                   data[i + 6 + j + 1] <= '7')
                j++;
            while (n > 0 && (data[i + 6 + n - 1] == ' ' || data[i + 6 + n - 1] == '\t'))
                n--;
            if (j >= n || n - j >= sizeof text)
                return -2;
            for (; j < n; j++) {
                if (data[i + 6 + j] < '0' || data[i + 6 + j] > '7')
                    return -2;
                text[k++] = (char)data[i + 6 + j];
            }
            text[k] = '\0';
            errno = 0;
            last = (long long)strtoull(text, &stop, 8);
            if (errno || last > 0xffffffffLL)
                return -2;
        }
        i = end + 1;
    }
    return last;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_fdinfo a, b;
    long long want = ref_flags(data, size);
    uint8_t *more;
    int r;

    errno = 0;
    r = proc_fdinfo_parse((const char *)data, size, &a);
    FUZZ_ASSERT(r == 0 || (r == -1 && errno == EINVAL));
    FUZZ_ASSERT(proc_fdinfo_parse((const char *)data, size, &b) == r);
    if (want == -2)
        FUZZ_ASSERT(r == -1);
    if (r < 0)
        return 0;
    FUZZ_ASSERT(a.have_flags == (want >= 0));
    if (want >= 0)
        FUZZ_ASSERT(a.flags == (unsigned)want);
    FUZZ_ASSERT(a.locked == 0 || a.locked == 1);
    FUZZ_ASSERT(memchr(a.lock.kind, '\0', sizeof a.lock.kind) != NULL);
    FUZZ_ASSERT(memchr(a.lock.type, '\0', sizeof a.lock.type) != NULL);
    FUZZ_ASSERT(memcmp(&a, &b, sizeof a) == 0);

    /* A line with no key changes nothing (after a complete last line). */
    if (size == 0 || data[size - 1] != '\n')
        return 0;
    more = malloc(size + 2);
    FUZZ_ASSERT(more != NULL);
    memcpy(more, data, size);
    memcpy(more + size, "x\n", 2);
    FUZZ_ASSERT(proc_fdinfo_parse((const char *)more, size + 2, &b) == 0);
    FUZZ_ASSERT(memcmp(&a, &b, sizeof a) == 0);
    free(more);
    return 0;
}
