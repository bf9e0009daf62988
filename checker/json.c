/* json.c — a streaming JSON writer that cannot emit invalid JSON.
 *
 * The writer keeps, per nesting level, how many values it has written, which
 * is all it needs to place commas and line breaks. Containers nested deeper
 * than it can track are written as null and their content is dropped, so
 * the output stays well-formed. Errors of the FILE are left for the caller
 * to see with ferror(). */
#include "json.h"
#include "utf8.h"

#include <string.h>

/* The deepest level whose values are tracked; a container opened there
 * would need count[JSON_MAX_DEPTH]. */
#define JSON_LAST_LEVEL (JSON_MAX_DEPTH - 1)

void json_init(struct json *j, FILE *out, int indent)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->indent = indent > 0 ? indent : 0;
}

static int dropping(const struct json *j)
{
    return j->depth > JSON_LAST_LEVEL;
}

static void newline_and_indent(struct json *j)
{
    int i;

    if (j->indent == 0)
        return;
    fputc('\n', j->out);
    for (i = 0; i < j->depth * j->indent; i++)
        fputc(' ', j->out);
}

/* What comes before any value or key: a comma after a sibling, a line
 * break in indented output; nothing right after a key. */
static void before_item(struct json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->count[j->depth] > 0)
        fputc(',', j->out);
    if (j->depth > 0)
        newline_and_indent(j);
    j->count[j->depth]++;
}

static void container_begin(struct json *j, char open)
{
    if (dropping(j)) {
        j->depth++;
        return;
    }
    before_item(j);
    if (j->depth == JSON_LAST_LEVEL) {
        fputs("null", j->out);
        j->depth++;
        return;
    }
    fputc(open, j->out);
    j->depth++;
    j->count[j->depth] = 0;
}

static void container_end(struct json *j, char close)
{
    int had_items;

    if (j->depth == 0)
        return;
    if (dropping(j)) {
        j->depth--;
        return;
    }
    had_items = j->count[j->depth] > 0;
    j->after_key = 0;
    j->depth--;
    if (had_items)
        newline_and_indent(j);
    fputc(close, j->out);
}

void json_object_begin(struct json *j)
{
    container_begin(j, '{');
}

void json_object_end(struct json *j)
{
    container_end(j, '}');
}

void json_array_begin(struct json *j)
{
    container_begin(j, '[');
}

void json_array_end(struct json *j)
{
    container_end(j, ']');
}

void json_key(struct json *j, const char *key)
{
    if (dropping(j))
        return;
    before_item(j);
    fputc('"', j->out);
    if (key != NULL)
        json_escape(j->out, key, strlen(key));
    fputs(j->indent ? "\": " : "\":", j->out);
    j->after_key = 1;
}

/* A scalar already formatted as text. */
static void scalar(struct json *j, const char *text)
{
    if (dropping(j))
        return;
    before_item(j);
    fputs(text, j->out);
}

void json_string_n(struct json *j, const char *s, size_t len)
{
    if (s == NULL) {
        json_null(j);
        return;
    }
    if (dropping(j))
        return;
    before_item(j);
    fputc('"', j->out);
    json_escape(j->out, s, len);
    fputc('"', j->out);
}

void json_string(struct json *j, const char *s)
{
    json_string_n(j, s, s != NULL ? strlen(s) : 0);
}

void json_int(struct json *j, long long v)
{
    char text[24];

    snprintf(text, sizeof text, "%lld", v);
    scalar(j, text);
}

void json_bool(struct json *j, int v)
{
    scalar(j, v ? "true" : "false");
}

void json_null(struct json *j)
{
    scalar(j, "null");
}

static void escape_ascii(FILE *out, unsigned char c)
{
    switch (c) {
    case '"':  fputs("\\\"", out); return;
    case '\\': fputs("\\\\", out); return;
    case '\b': fputs("\\b", out);  return;
    case '\f': fputs("\\f", out);  return;
    case '\n': fputs("\\n", out);  return;
    case '\r': fputs("\\r", out);  return;
    case '\t': fputs("\\t", out);  return;
    }
    if (c < 0x20 || c == 0x7f)
        fprintf(out, "\\u%04x", c);
    else
        fputc(c, out);
}

/* An invalid byte is replaced alone and the scan resumes at the next byte,
 * so each byte of a broken sequence becomes one U+FFFD. The escaped form
 * tells a replaced byte from a U+FFFD that was really in the input. */
void json_escape(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;

    if (s == NULL)
        return;
    while (i < len) {
        size_t n;

        if (p[i] < 0x80) {
            escape_ascii(out, p[i]);
            i++;
            continue;
        }
        n = utf8_valid_len(p + i, len - i);
        if (n == 0) {
            fputs("\\ufffd", out);
            i++;
            continue;
        }
        fwrite(p + i, 1, n, out);
        i += n;
    }
}
