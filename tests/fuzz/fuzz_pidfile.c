/* fuzz_pidfile.c — pidfile_parse and quote_bytes (checker/pidfile.h) on
 * the bytes a daemon left in its pidfile.
 *
 * Promises checked:
 * - pidfile_parse: PIDFILE_OK exactly when the bytes are a pid from 1 to
 *   the kernel's PID_MAX_LIMIT in canonical decimal and one newline, and
 *   *pid is then that pid; every other form is the one its name says
 *   (empty, no newline after digits, trailing bytes, leading zero, ...);
 *   a truncated file is always PIDFILE_TOO_LONG; *pid is the leading
 *   number whenever it could be a pid, 0 otherwise; every form has a
 *   phrase;
 * - quote_bytes, for the buffer sizes where something changes (tiny, and
 *   around the size of the whole quoted text): the output is NUL-terminated inside the buffer (ASan sees a
 *   byte written past it), printable ASCII only (a report line cannot be
 *   broken by it), and the whole input quoted, which unquotes to exactly
 *   the input, whenever it fits; otherwise a quoted prefix of it followed
 *   by "..." (nothing at all below 6 bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "pidfile.h"

#define FUZZ_MAX_LEN 160

#define PID_MAX_LIMIT 4194304L      /* include/linux/threads.h */

static int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* The leading decimal number, or -1 when it is larger than any pid. */
static long leading_value(const uint8_t *s, size_t len, size_t *ndigits)
{
    long v = 0;
    size_t i;

    for (i = 0; i < len && is_digit(s[i]); i++)
        if (v >= 0 && (v = v * 10 + (s[i] - '0')) > PID_MAX_LIMIT)
            v = -1;
    *ndigits = i;
    return v;
}

static void check_parse(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    size_t nd;
    long v = leading_value(data, size, &nd);
    int canonical = nd > 0 && nd + 1 == size && data[nd] == '\n' && data[0] != '0' &&
                    v > 0;
    pid_t pid = -7;
    enum pidfile_form form = pidfile_parse(buf, size, 0, &pid);
    const char *phrase = pidfile_form_str(form);

    FUZZ_ASSERT(phrase != NULL && strcmp(phrase, "unknown form") != 0);
    FUZZ_ASSERT(pid == (nd > 0 && v > 0 ? (pid_t)v : 0));
    FUZZ_ASSERT((form == PIDFILE_OK) == canonical);
    switch (form) {
    case PIDFILE_OK:
        break;
    case PIDFILE_EMPTY:
        FUZZ_ASSERT(size == 0);
        break;
    case PIDFILE_NOT_DECIMAL:
        FUZZ_ASSERT(nd == 0 || (nd < size && data[nd] != '\n'));
        break;
    case PIDFILE_NO_NEWLINE:
        FUZZ_ASSERT(nd > 0 && nd == size);
        break;
    case PIDFILE_TRAILING:
        FUZZ_ASSERT(nd > 0 && nd + 1 < size && data[nd] == '\n');
        break;
    case PIDFILE_LEADING_ZERO:
        FUZZ_ASSERT(nd > 1 && nd + 1 == size && data[0] == '0' && v > 0);
        break;
    case PIDFILE_OUT_OF_RANGE:
        FUZZ_ASSERT(nd > 0 && nd + 1 == size && v <= 0);
        break;
    case PIDFILE_TOO_LONG:
        FUZZ_ASSERT(!"TOO_LONG without truncation");
        break;
    }
    FUZZ_ASSERT(form == PIDFILE_EMPTY || size > 0);

    /* Truncated: always too long, and the pid still read. */
    pid = -7;
    FUZZ_ASSERT(pidfile_parse(buf, size, 1, &pid) == PIDFILE_TOO_LONG);
    FUZZ_ASSERT(pid == (nd > 0 && v > 0 ? (pid_t)v : 0));
    FUZZ_ASSERT(pidfile_parse(buf, size, 0, NULL) == form);
}

/* Undo quote_bytes' escapes over [s, end); the bytes go to out. The count,
 * or -1 when the text is not something quote_bytes writes. */
static long unquote(const char *s, const char *end, uint8_t *out)
{
    long n = 0;

    while (s < end) {
        if (*s != '\\') {
            FUZZ_ASSERT(*s != '"');
            out[n++] = (uint8_t)*s++;
            continue;
        }
        FUZZ_ASSERT(end - s >= 2);
        switch (s[1]) {
        case 'n':  out[n++] = '\n'; s += 2; break;
        case 't':  out[n++] = '\t'; s += 2; break;
        case 'r':  out[n++] = '\r'; s += 2; break;
        case '\\': out[n++] = '\\'; s += 2; break;
        case '"':  out[n++] = '"';  s += 2; break;
        case 'x': {
            char hex[3] = { 0 };

            FUZZ_ASSERT(end - s >= 4);
            memcpy(hex, s + 2, 2);
            FUZZ_ASSERT(strspn(hex, "0123456789abcdef") == 2);
            out[n++] = (uint8_t)strtoul(hex, NULL, 16);
            s += 4;
            break;
        }
        default:
            return -1;
        }
    }
    return n;
}

/* How long quote_bytes' text of the whole input is, NUL excluded. */
static size_t quoted_len(const uint8_t *data, size_t size)
{
    size_t n = 2, i;

    for (i = 0; i < size; i++)
        n += strchr("\n\t\r\\\"", data[i]) != NULL && data[i] != '\0' ? 2
             : data[i] < 0x20 || data[i] >= 0x7f ? 4 : 1;
    return n;
}

static void check_quote(const uint8_t *data, size_t size, size_t cap, uint8_t *scratch)
{
    /* Exactly cap bytes: a write past them is a heap overflow. */
    char *out = malloc(cap ? cap : 1);
    size_t len, i, need = quoted_len(data, size);
    long n;

    FUZZ_ASSERT(out != NULL);
    if (cap == 0)
        out[0] = 'U';   /* untouched */
    quote_bytes((const char *)data, size, out, cap);
    if (cap == 0) {
        FUZZ_ASSERT(out[0] == 'U');
        free(out);
        return;
    }
    len = strnlen(out, cap);
    FUZZ_ASSERT(len < cap);
    for (i = 0; i < len; i++)
        FUZZ_ASSERT(out[i] >= 0x20 && out[i] < 0x7f);
    if (cap > need) {
        /* The whole input fits: it is all there. */
        FUZZ_ASSERT(len == need && out[0] == '"' && out[len - 1] == '"');
        n = unquote(out + 1, out + len - 1, scratch);
        FUZZ_ASSERT(n == (long)size && memcmp(scratch, data, size) == 0);
    } else if (cap > 5) {
        /* A prefix, cut between two escapes, and the cut shown. */
        FUZZ_ASSERT(len >= 5 && out[0] == '"' && memcmp(out + len - 4, "\"...", 4) == 0);
        n = unquote(out + 1, out + len - 4, scratch);
        FUZZ_ASSERT(n >= 0 && (size_t)n < size && memcmp(scratch, data, (size_t)n) == 0);
    } else {
        /* Too small even for "\"...": nothing that could mislead. */
        FUZZ_ASSERT(len == 0);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t need = quoted_len(data, size), cap;
    uint8_t *scratch = malloc(size + 1);

    FUZZ_ASSERT(scratch != NULL);
    check_parse(data, size);
    /* The small sizes, the sizes around the whole text, the size that
     * the option parser's messages use, and one in the middle. */
    for (cap = 0; cap <= 8; cap++)
        check_quote(data, size, cap, scratch);
    for (cap = need > 2 ? need - 2 : 0; cap <= need + 2; cap++)
        check_quote(data, size, cap, scratch);
    check_quote(data, size, 96, scratch);
    check_quote(data, size, need / 2, scratch);
    free(scratch);
    return 0;
}
