/* fuzz_json.c — the JSON writer (checker/json.h) fed arbitrary bytes.
 *
 * Promises checked, on output written to a memory FILE:
 * - json_escape: the text between two quotes is a valid JSON string in
 *   valid UTF-8 that decodes to the input, where each well-formed UTF-8
 *   sequence is kept as it is and each byte of an ill-formed one becomes an
 *   escaped \ufffd (so that a U+FFFD really in the input, kept raw, stays
 *   distinguishable from a replaced byte);
 * - the writer as a whole: the input also drives a legal sequence of calls
 *   (objects, arrays, keys, strings, numbers, nesting past JSON_MAX_DEPTH),
 *   and the document that comes out is one valid JSON value, checked by
 *   the small validator below. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"

#define FUZZ_MAX_LEN 1024

/* ---- a JSON validator, with the string decoder the escaping check uses ---- */

struct reader {
    const uint8_t *p, *end;
};

/* One decoded character of a JSON string, and whether it was escaped. */
struct jchar {
    uint32_t cp;
    int escaped;
};

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The body of a string (after its opening quote) up to and past its closing
 * quote; the characters go to out (when not NULL, at most cap of them).
 * The number of characters, or -1 when the body is not valid JSON. */
static long read_string_body(struct reader *r, struct jchar *out, size_t cap)
{
    size_t n = 0;

    for (;;) {
        struct jchar c = { 0, 0 };
        size_t len;

        if (r->p == r->end)
            return -1;
        if (*r->p == '"') {
            r->p++;
            return (long)n;
        }
        if (*r->p < 0x20)
            return -1;
        if (*r->p == '\\') {
            const char *simple = "\"\\/bfnrt", *hit;
            static const uint8_t meaning[] = { '"', '\\', '/', '\b', '\f', '\n', '\r', '\t' };

            if (r->end - r->p < 2)
                return -1;
            c.escaped = 1;
            hit = r->p[1] != '\0' ? strchr(simple, r->p[1]) : NULL;
            if (hit != NULL) {
                c.cp = meaning[hit - simple];
                r->p += 2;
            } else if (r->p[1] == 'u' && r->end - r->p >= 6) {
                for (int i = 2; i < 6; i++) {
                    int h = hex_value(r->p[i]);

                    if (h < 0)
                        return -1;
                    c.cp = c.cp << 4 | (uint32_t)h;
                }
                /* The writer never needs a surrogate pair. */
                if (c.cp >= 0xd800 && c.cp <= 0xdfff)
                    return -1;
                r->p += 6;
            } else {
                return -1;
            }
        } else {
            c.cp = ref_utf8_decode(r->p, (size_t)(r->end - r->p), &len);
            if (len == 0)
                return -1;
            r->p += len;
        }
        if (out != NULL) {
            FUZZ_ASSERT(n < cap);
            out[n] = c;
        }
        n++;
    }
}

static void skip_ws(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t' || *r->p == '\r'))
        r->p++;
}

static int eat(struct reader *r, char c)
{
    if (r->p < r->end && *r->p == (uint8_t)c) {
        r->p++;
        return 1;
    }
    return 0;
}

static int eat_word(struct reader *r, const char *w)
{
    size_t n = strlen(w);

    if ((size_t)(r->end - r->p) < n || memcmp(r->p, w, n) != 0)
        return 0;
    r->p += n;
    return 1;
}

static int digits(struct reader *r)
{
    const uint8_t *start = r->p;

    while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
        r->p++;
    return r->p > start;
}

static int read_number(struct reader *r)
{
    eat(r, '-');
    if (!eat(r, '0') && !digits(r))
        return 0;
    if (eat(r, '.') && !digits(r))
        return 0;
    if (eat(r, 'e') || eat(r, 'E')) {
        if (!eat(r, '+'))
            eat(r, '-');
        if (!digits(r))
            return 0;
    }
    return 1;
}

static int read_value(struct reader *r, int depth);

/* The members or elements of a container, after its opening character. */
static int read_container(struct reader *r, int depth, char close, int is_object)
{
    skip_ws(r);
    if (eat(r, close))
        return 1;
    for (;;) {
        if (is_object) {
            skip_ws(r);
            if (!eat(r, '"') || read_string_body(r, NULL, 0) < 0)
                return 0;
            skip_ws(r);
            if (!eat(r, ':'))
                return 0;
        }
        if (!read_value(r, depth + 1))
            return 0;
        skip_ws(r);
        if (eat(r, close))
            return 1;
        if (!eat(r, ','))
            return 0;
    }
}

static int read_value(struct reader *r, int depth)
{
    if (depth > JSON_MAX_DEPTH + 1)
        return 0;       /* deeper than the writer ever nests */
    skip_ws(r);
    if (r->p == r->end)
        return 0;
    switch (*r->p) {
    case '{':
        r->p++;
        return read_container(r, depth, '}', 1);
    case '[':
        r->p++;
        return read_container(r, depth, ']', 0);
    case '"':
        r->p++;
        return read_string_body(r, NULL, 0) >= 0;
    case 't':
        return eat_word(r, "true");
    case 'f':
        return eat_word(r, "false");
    case 'n':
        return eat_word(r, "null");
    }
    return read_number(r);
}

static int valid_document(const uint8_t *text, size_t len)
{
    struct reader r = { text, text + len };

    if (!read_value(&r, 0))
        return 0;
    skip_ws(&r);
    return r.p == r.end;
}

/* ---- the checks ---- */

/* What the input must decode to: its well-formed characters as they are,
 * each byte of an ill-formed sequence as U+FFFD, escaped. */
static size_t expected_chars(const uint8_t *s, size_t len, struct jchar *out)
{
    size_t i = 0, n = 0, k;

    while (i < len) {
        uint32_t cp = ref_utf8_decode(s + i, len - i, &k);

        if (k == 0) {
            out[n++] = (struct jchar){ 0xfffd, 1 };
            i++;
        } else {
            out[n++] = (struct jchar){ cp, -1 };    /* escaped or not, as it needs */
            i += k;
        }
    }
    return n;
}

static void check_escape(const uint8_t *data, size_t size)
{
    char *text = NULL;
    size_t len = 0, n, i;
    FILE *f = open_memstream(&text, &len);
    struct jchar *want = calloc(size + 1, sizeof *want);
    struct jchar *got = calloc(size + 1, sizeof *got);
    struct reader r;
    long m;

    FUZZ_ASSERT(f != NULL && want != NULL && got != NULL);
    fputc('"', f);
    json_escape(f, (const char *)data, size);
    fputc('"', f);
    FUZZ_ASSERT(fclose(f) == 0);

    FUZZ_ASSERT(ref_utf8_valid((const uint8_t *)text, len));
    r = (struct reader){ (const uint8_t *)text + 1, (const uint8_t *)text + len };
    m = read_string_body(&r, got, size + 1);
    FUZZ_ASSERT(m >= 0 && r.p == r.end);
    n = expected_chars(data, size, want);
    FUZZ_ASSERT((size_t)m == n);
    for (i = 0; i < n; i++) {
        FUZZ_ASSERT(got[i].cp == want[i].cp);
        if (want[i].escaped == 1)
            FUZZ_ASSERT(got[i].escaped);
        if (want[i].cp >= 0x80 && want[i].escaped == -1)
            FUZZ_ASSERT(!got[i].escaped);   /* kept raw, unlike a replaced byte */
    }
    free(text);
    free(want);
    free(got);
}

/* ---- the writer driven by the input ---- */

#define DRIVE_MAX_DEPTH (JSON_MAX_DEPTH + 4)

struct drive {
    const uint8_t *p, *end;
    struct json j;
    char open[DRIVE_MAX_DEPTH];     /* '{' or '[' per open level */
    int depth;
};

static unsigned take(struct drive *d)
{
    return d->p < d->end ? *d->p++ : 0;
}

/* A string of up to max bytes of the input, NUL-terminated (and so cut at
 * an input NUL). */
static char *take_cstring(struct drive *d, unsigned max)
{
    size_t n = take(d) % (max + 1), left = (size_t)(d->end - d->p);
    char *s;

    if (n > left)
        n = left;
    s = malloc(n + 1);
    FUZZ_ASSERT(s != NULL);
    memcpy(s, d->p, n);
    s[n] = '\0';
    d->p += n;
    return s;
}

/* In an object every value needs its key first. */
static void key_if_needed(struct drive *d)
{
    char *key;

    if (d->depth == 0 || d->open[d->depth - 1] != '{')
        return;
    key = take_cstring(d, 12);
    json_key(&d->j, key[0] == '\x01' ? NULL : key);
    free(key);
}

static void drive_begin(struct drive *d, char kind)
{
    if (d->depth == DRIVE_MAX_DEPTH) {
        key_if_needed(d);
        json_null(&d->j);
        return;
    }
    key_if_needed(d);
    if (kind == '{')
        json_object_begin(&d->j);
    else
        json_array_begin(&d->j);
    d->open[d->depth++] = kind;
}

static void drive_end(struct drive *d)
{
    if (d->open[--d->depth] == '{')
        json_object_end(&d->j);
    else
        json_array_end(&d->j);
}

static void scalar(struct drive *d, unsigned op)
{
    size_t n, left;
    char *s;
    long long v = 0;

    key_if_needed(d);
    switch (op) {
    case 0:
        n = take(d) % 48;
        left = (size_t)(d->end - d->p);
        if (n > left)
            n = left;
        json_string_n(&d->j, (const char *)d->p, n);
        d->p += n;
        break;
    case 1:
        s = take_cstring(d, 48);
        json_string(&d->j, s);
        free(s);
        break;
    case 2:
        for (int i = 0; i < 8; i++)
            v = (long long)((unsigned long long)v << 8 | take(d));
        json_int(&d->j, v);
        break;
    case 3:
        json_bool(&d->j, (int)(take(d) & 1));
        break;
    case 4:
        json_null(&d->j);
        break;
    default:
        json_string(&d->j, NULL);
        break;
    }
}

static void check_writer(const uint8_t *data, size_t size)
{
    struct drive d = { data, data + size, { 0 }, { 0 }, 0 };
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int steps = 0;

    FUZZ_ASSERT(f != NULL);
    json_init(&d.j, f, (int)(take(&d) % 5) - 1);   /* -1 must act as 0 */
    drive_begin(&d, take(&d) & 1 ? '[' : '{');
    while (d.p < d.end && d.depth > 0 && steps++ < 4096) {
        unsigned op = take(&d) % 10;

        if (op == 0)
            drive_begin(&d, '{');
        else if (op == 1)
            drive_begin(&d, '[');
        else if (op == 2)
            drive_end(&d);
        else
            scalar(&d, op - 3);
    }
    while (d.depth > 0)
        drive_end(&d);
    FUZZ_ASSERT(fclose(f) == 0);
    FUZZ_ASSERT(ref_utf8_valid((const uint8_t *)text, len));
    FUZZ_ASSERT(valid_document((const uint8_t *)text, len));
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_escape(data, size);
    check_writer(data, size);
    return 0;
}
