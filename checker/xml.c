/* xml.c — XML escaping for the JUnit report. */
#include <string.h>

#include "utf8.h"
#include "xml.h"

#define REPLACEMENT "\xef\xbf\xbd"     /* U+FFFD in UTF-8 */

static void escape_ascii(FILE *out, unsigned char c)
{
    switch (c) {
    case '&':  fputs("&amp;", out);  return;
    case '<':  fputs("&lt;", out);   return;
    case '>':  fputs("&gt;", out);   return;
    case '"':  fputs("&quot;", out); return;
    case '\'': fputs("&apos;", out); return;
    case '\t': case '\n': case '\r':
        fputc(c, out);
        return;
    }
    if (c < 0x20 || c == 0x7f)
        fputs(REPLACEMENT, out);    /* not even &#N; may name these in XML 1.0 */
    else
        fputc(c, out);
}

void xml_escape(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = s ? strlen(s) : 0, i = 0;

    while (i < len) {
        size_t n;

        if (p[i] < 0x80) {
            escape_ascii(out, p[i++]);
            continue;
        }
        n = utf8_valid_len(p + i, len - i);
        if (n == 0) {
            fputs(REPLACEMENT, out);
            i++;
            continue;
        }
        /* U+FFFE and U+FFFF are valid UTF-8 but no XML 1.0 characters. */
        if (n == 3 && p[i] == 0xef && p[i + 1] == 0xbf && p[i + 2] >= 0xbe)
            fputs(REPLACEMENT, out);
        else
            fwrite(p + i, 1, n, out);
        i += n;
    }
}
