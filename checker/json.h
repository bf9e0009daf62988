/* json.h — a small streaming JSON writer.
 *
 * Strings come from the candidate (paths, command lines, file contents) and
 * may hold any byte: control characters and quotes are escaped, valid UTF-8
 * is kept as it is, and each byte of an invalid UTF-8 sequence becomes
 * U+FFFD, so the output is always valid JSON in valid UTF-8. */
#ifndef CHECKER_JSON_H
#define CHECKER_JSON_H

#include <stddef.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
    FILE *out;
    int depth;
    int indent;                     /* spaces per level; 0 writes one line */
    int count[JSON_MAX_DEPTH];      /* values written at each depth */
    int after_key;                  /* a key was written, its value comes next */
};

void json_init(struct json *j, FILE *out, int indent);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);            /* NULL writes null */
void json_string_n(struct json *j, const char *s, size_t len);
void json_int(struct json *j, long long v);
void json_bool(struct json *j, int v);
void json_null(struct json *j);

/* The escaping alone, into a FILE: what json_string writes between quotes. */
void json_escape(FILE *out, const char *s, size_t len);

#endif
