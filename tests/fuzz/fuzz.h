/* fuzz.h — what every fuzz target shares: the entry point that libFuzzer
 * (or replay_main.c) calls, an assertion that libFuzzer records as a crash,
 * and reference decoders written independently of checker/, so that a
 * target can cross-check the checker's output against them. */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* abort(), not a return: libFuzzer saves the input that broke a promise
 * exactly as it saves one that crashed, and the replay driver dies on it. */
#define FUZZ_ASSERT(cond) \
    do { \
        if (!(cond)) { \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
            abort(); \
        } \
    } while (0)

/* The code point of the well-formed UTF-8 sequence at s (RFC 3629), its
 * length in *len; 0 with *len 0 when there is none within avail bytes.
 * Deliberately unlike checker/utf8.c: it decodes first, then rejects what
 * the value shows to be wrong (overlong, surrogate, beyond U+10FFFF). */
static inline uint32_t ref_utf8_decode(const uint8_t *s, size_t avail, size_t *len)
{
    static const uint32_t least[5] = { 0, 0, 0x80, 0x800, 0x10000 };
    uint32_t cp;
    size_t n, i;

    *len = 0;
    if (avail == 0)
        return 0;
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        cp = s[0] & 0x1fu;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        cp = s[0] & 0x0fu;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (avail < n)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3fu);
    }
    if (cp < least[n] || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    *len = n;
    return cp;
}

/* The whole range is well-formed UTF-8. */
static inline int ref_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0, n;

    while (i < len) {
        ref_utf8_decode(s + i, len - i, &n);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

#endif
