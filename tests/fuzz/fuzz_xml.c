/* fuzz_xml.c — xml_escape (checker/xml.h) fed arbitrary bytes.
 *
 * Promises checked, on the escaped text written to a memory FILE:
 * - it is well-formed as XML 1.0 character data and as an attribute value
 *   in either quotes: valid UTF-8, only characters of XML's Char
 *   production, no raw '<', '>', '"' or '\'', and '&' only as one of the
 *   five predefined entities;
 * - it says what the input says: with the entities read back, each byte
 *   of the input up to its first NUL gives its character when XML can
 *   carry it and U+FFFD when it cannot (control characters but tab,
 *   newline and return; ill-formed UTF-8, one U+FFFD per byte; the
 *   non-characters U+FFFE and U+FFFF);
 * - NULL writes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "xml.h"

#define FUZZ_MAX_LEN 1024

/* XML 1.0, production [2] Char. */
static int xml_char(uint32_t cp)
{
    return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) ||
           (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/* What the escaped text must read back as, one code point per entry. */
static size_t expected(const uint8_t *s, size_t len, uint32_t *out)
{
    size_t i = 0, n = 0, k;

    while (i < len) {
        uint32_t cp = ref_utf8_decode(s + i, len - i, &k);

        if (k == 0) {
            k = 1;
            cp = 0xfffd;
        } else if (cp == 0x7f || !xml_char(cp)) {
            cp = 0xfffd;
        }
        out[n++] = cp;
        i += k;
    }
    return n;
}

static const struct {
    const char *entity;
    uint32_t cp;
} entities[] = {
    { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' }, { "&apos;", '\'' },
};

/* The escaped text read back, checked character by character; the number
 * of characters. */
static size_t read_back(const uint8_t *t, size_t len, uint32_t *out, size_t cap)
{
    size_t i = 0, n = 0, k, e;

    while (i < len) {
        uint32_t cp = ref_utf8_decode(t + i, len - i, &k);

        FUZZ_ASSERT(k > 0);                 /* valid UTF-8 */
        FUZZ_ASSERT(xml_char(cp));
        FUZZ_ASSERT(cp != '<' && cp != '>' && cp != '"' && cp != '\'');
        if (cp == '&') {
            for (e = 0; e < sizeof entities / sizeof entities[0]; e++) {
                size_t elen = strlen(entities[e].entity);

                if (len - i >= elen && memcmp(t + i, entities[e].entity, elen) == 0) {
                    cp = entities[e].cp;
                    k = elen;
                    break;
                }
            }
            FUZZ_ASSERT(e < sizeof entities / sizeof entities[0]);
        }
        FUZZ_ASSERT(n < cap);
        out[n++] = cp;
        i += k;
    }
    return n;
}

static void check_escape(const char *s, size_t len)
{
    char *text = NULL;
    size_t tlen = 0, n, m;
    FILE *f = open_memstream(&text, &tlen);
    uint32_t *want = calloc(len + 1, sizeof *want), *got = calloc(len + 1, sizeof *got);

    FUZZ_ASSERT(f != NULL && want != NULL && got != NULL);
    xml_escape(f, s);
    FUZZ_ASSERT(fclose(f) == 0);
    n = expected((const uint8_t *)s, len, want);
    m = read_back((const uint8_t *)text, tlen, got, len + 1);
    FUZZ_ASSERT(m == n);
    FUZZ_ASSERT(memcmp(got, want, n * sizeof *got) == 0);
    free(text);
    free(want);
    free(got);
}

static void check_null(void)
{
    char *text = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&text, &tlen);

    FUZZ_ASSERT(f != NULL);
    xml_escape(f, NULL);
    FUZZ_ASSERT(fclose(f) == 0);
    FUZZ_ASSERT(tlen == 0);
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t len = strnlen((const char *)data, size);
    char *s = malloc(len + 1);

    FUZZ_ASSERT(s != NULL);
    memcpy(s, data, len);
    s[len] = '\0';
    check_escape(s, len);
    free(s);
    check_null();
    return 0;
}
