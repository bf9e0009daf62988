/* fuzz_proc_status.c — proc_status_parse (checker/proc.h) against a
 * reference reader written here, on arbitrary text.
 *
 * Promises checked:
 * - nothing past len is read (ASan: the input is in a buffer of exactly
 *   its size);
 * - the result and every field are the reference's: a line "Key:" of a
 *   key the checker uses (Umask, SigBlk, SigIgn, SigCgt, SigPnd, ShdPnd,
 *   voluntary_ctxt_switches, VmRSS) must hold one number of its kind
 *   (octal up to 0777, 64-bit hex, a non-negative long, a non-negative long
 *   and an optional "kB"), blanks around it, else the text is EINVAL; the
 *   last such line wins; other lines are ignored; a key that is absent
 *   keeps its default (have_umask 0, masks 0, counters -1);
 * - a cut file (text that does not end with its newline) is EINVAL, never
 *   a field read from half a number;
 * - -1 comes with errno EINVAL. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proc.h"

#define FUZZ_MAX_LEN 4096

enum kind { OCTAL_MODE, HEX64, COUNT, KB };

static const struct key {
    const char *name;
    enum kind kind;
} keys[] = {
    { "Umask", OCTAL_MODE }, { "SigBlk", HEX64 }, { "SigIgn", HEX64 }, { "SigCgt", HEX64 },
    { "voluntary_ctxt_switches", COUNT }, { "VmRSS", KB }, { "SigPnd", HEX64 },
    { "ShdPnd", HEX64 },
};

#define NKEYS (sizeof keys / sizeof keys[0])

static int blank(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* The one number of a line's value [p, end), by its kind. */
static int ref_value(const uint8_t *p, const uint8_t *end, enum kind kind, uint64_t *out)
{
    const char *allowed = kind == OCTAL_MODE ? "01234567"
                        : kind == HEX64 ? "0123456789abcdefABCDEF" : "0123456789";
    char token[64], *stop;
    const uint8_t *t;
    size_t n, i;
    int negative = 0;

    while (p < end && blank(*p))
        p++;
    for (t = p; t < end && !blank(*t); t++)
        ;
    n = (size_t)(t - p);
    if ((kind == COUNT || kind == KB) && n > 0 && *p == '-') {
        negative = 1;       /* "-0" is zero; any other negative is refused below */
        p++;
        n--;
    }
    if (n == 0)
        return -1;
    for (i = 0; i < n; i++)
        if (p[i] == '\0' || strchr(allowed, p[i]) == NULL)
            return -1;
    /* Leading zeros are harmless; 40 significant digits overflow in any
     * base here. */
    while (n > 1 && *p == '0') {
        p++;
        n--;
    }
    if (n >= 40)
        return -1;
    memcpy(token, p, n);
    token[n] = '\0';
    errno = 0;
    *out = strtoull(token, &stop, kind == OCTAL_MODE ? 8 : kind == HEX64 ? 16 : 10);
    if (errno != 0 || *stop != '\0')
        return -1;
    if (kind == OCTAL_MODE && *out > 0777)
        return -1;
    if ((kind == COUNT || kind == KB) && (*out > LONG_MAX || (negative && *out != 0)))
        return -1;
    while (t < end && blank(*t))
        t++;
    if (kind == KB && end - t >= 2 && t[0] == 'k' && t[1] == 'B') {
        t += 2;
        while (t < end && blank(*t))
            t++;
    }
    return t == end ? 0 : -1;
}

/* The reference: 0 and *s filled, or -1. */
static int ref_parse(const uint8_t *data, size_t size, struct proc_status *s)
{
    const uint8_t *line = data, *end = data + size;

    memset(s, 0, sizeof *s);
    s->voluntary_ctxt_switches = -1;
    s->vmrss_kb = -1;
    if (size > 0 && data[size - 1] != '\n')
        return -1;          /* cut */
    while (line < end) {
        const uint8_t *eol = memchr(line, '\n', (size_t)(end - line));
        size_t len = (size_t)(eol - line), k;

        for (k = 0; k < NKEYS; k++) {
            size_t klen = strlen(keys[k].name);
            uint64_t v;

            if (len <= klen || memcmp(line, keys[k].name, klen) != 0 || line[klen] != ':')
                continue;
            if (ref_value(line + klen + 1, eol, keys[k].kind, &v) < 0)
                return -1;
            switch (k) {
            case 0: s->umask = (unsigned)v; s->have_umask = 1; break;
            case 1: s->sigblk = v; break;
            case 2: s->sigign = v; break;
            case 3: s->sigcgt = v; break;
            case 4: s->voluntary_ctxt_switches = (long)v; break;
            case 5: s->vmrss_kb = (long)v; break;
            case 6: s->sigpnd = v; break;
            case 7: s->shdpnd = v; break;
            }
        }
        line = eol + 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct proc_status got, want;
    int r, expected = ref_parse(data, size, &want);

    errno = 0;
    r = proc_status_parse((const char *)data, size, &got);
    FUZZ_ASSERT(r == expected);
    if (r < 0) {
        FUZZ_ASSERT(errno == EINVAL);
        return 0;
    }
    FUZZ_ASSERT(got.have_umask == want.have_umask);
    FUZZ_ASSERT(got.umask == want.umask);
    FUZZ_ASSERT(got.sigblk == want.sigblk);
    FUZZ_ASSERT(got.sigign == want.sigign);
    FUZZ_ASSERT(got.sigcgt == want.sigcgt);
    FUZZ_ASSERT(got.sigpnd == want.sigpnd);
    FUZZ_ASSERT(got.shdpnd == want.shdpnd);
    FUZZ_ASSERT(got.voluntary_ctxt_switches == want.voluntary_ctxt_switches);
    FUZZ_ASSERT(got.vmrss_kb == want.vmrss_kb);
    return 0;
}
