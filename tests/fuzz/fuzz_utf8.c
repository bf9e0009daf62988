/* fuzz_utf8.c — utf8_valid_len (checker/utf8.h) against the reference
 * decoder of fuzz.h, at every offset of the input and for every number of
 * available bytes that can matter (0 to 4, and all that is left).
 *
 * Promises checked: the length is 2 to 4 exactly when a well-formed
 * multi-byte sequence (RFC 3629: no overlong form, no surrogate, nothing
 * above U+10FFFF) starts at s within avail bytes, 0 otherwise and for
 * ASCII; nothing at or past s + avail is read (ASan). */
#include "fuzz.h"
#include "utf8.h"

#define FUZZ_MAX_LEN 256

static size_t expected_len(const uint8_t *s, size_t avail)
{
    size_t n;

    if (avail > 0 && s[0] < 0x80)
        return 0;           /* ASCII is the callers' business */
    ref_utf8_decode(s, avail, &n);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i, avail;

    for (i = 0; i <= size; i++) {
        size_t left = size - i;

        for (avail = 0; avail <= left && avail <= 4; avail++)
            FUZZ_ASSERT(utf8_valid_len(data + i, avail) == expected_len(data + i, avail));
        if (left > 4)
            FUZZ_ASSERT(utf8_valid_len(data + i, left) == expected_len(data + i, left));
    }
    return 0;
}
