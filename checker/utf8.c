/* utf8.c — telling valid UTF-8 from arbitrary bytes, for the writers of
 * JSON and XML, which must emit valid UTF-8 whatever the candidate wrote. */
#include "utf8.h"

static int is_continuation(unsigned char c)
{
    return (c & 0xc0) == 0x80;
}

/* The length of the valid UTF-8 sequence at s, or 0. Per RFC 3629: no
 * overlong form, no surrogate (U+D800..U+DFFF), nothing above U+10FFFF. */
size_t utf8_valid_len(const unsigned char *s, size_t avail)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t need, i;

    if (avail == 0)
        return 0;           /* s[0] is not ours to read */
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        need = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        need = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        need = 4;
    else
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;          /* below: overlong */
    else if (s[0] == 0xed)
        hi = 0x9f;          /* above: surrogates */
    else if (s[0] == 0xf0)
        lo = 0x90;          /* below: overlong */
    else if (s[0] == 0xf4)
        hi = 0x8f;          /* above: beyond U+10FFFF */
    if (avail < need || s[1] < lo || s[1] > hi)
        return 0;
    for (i = 2; i < need; i++)
        if (!is_continuation(s[i]))
            return 0;
    return need;
}

