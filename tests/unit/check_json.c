/* check_json.c — unit tests of checker/json.c: escaping of every byte a
 * candidate can put in a path or a command line, and the exact layout of
 * nested output, one-line and indented. */
#include <check.h>
#include <limits.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "utf8.h"

/* Output written to memory, read back as one string. */
struct capture {
    FILE *f;
    char *buf;
    size_t len;
};

static FILE *capture_open(struct capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    ck_assert_ptr_nonnull(c->f);
    return c->f;
}

/* Compare what was written with expected, and free it. */
static void capture_check(struct capture *c, const char *expected)
{
    ck_assert_int_eq(fclose(c->f), 0);
    ck_assert_str_eq(c->buf, expected);
    free(c->buf);
}

static void check_escape(const char *in, size_t len, const char *expected)
{
    struct capture c;

    json_escape(capture_open(&c), in, len);
    capture_check(&c, expected);
}

#define ESCAPE(lit, expected) check_escape((lit), sizeof (lit) - 1, (expected))

START_TEST(escape_quote_and_backslash)
{
    ESCAPE("a\"b\\c", "a\\\"b\\\\c");
    ESCAPE("/tmp/x", "/tmp/x");     /* '/' may stay as it is */
}
END_TEST

START_TEST(escape_control_characters)
{
    ESCAPE("\n\t\r\b\f", "\\n\\t\\r\\b\\f");
    ESCAPE("\x01\x1f", "\\u0001\\u001f");
    ESCAPE("\x7f", "\\u007f");
    ESCAPE("a\0b", "a\\u0000b");
    ESCAPE("\x1b[31m", "\\u001b[31m");
}
END_TEST

START_TEST(escape_valid_utf8_kept)
{
    ESCAPE("caf\xc3\xa9", "caf\xc3\xa9");                   /* U+00E9 */
    ESCAPE("\xe2\x82\xac", "\xe2\x82\xac");                 /* U+20AC */
    ESCAPE("\xe5\xae\x88\xe6\x8a\xa4", "\xe5\xae\x88\xe6\x8a\xa4");
    ESCAPE("\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");         /* U+1F600 */
    ESCAPE("\xef\xbf\xbd", "\xef\xbf\xbd");                 /* a real U+FFFD stays raw */
}
END_TEST

START_TEST(escape_utf8_bounds_kept)
{
    ESCAPE("\xc2\x80", "\xc2\x80");                         /* U+0080 */
    ESCAPE("\xdf\xbf", "\xdf\xbf");                         /* U+07FF */
    ESCAPE("\xe0\xa0\x80", "\xe0\xa0\x80");                 /* U+0800 */
    ESCAPE("\xed\x9f\xbf", "\xed\x9f\xbf");                 /* U+D7FF */
    ESCAPE("\xee\x80\x80", "\xee\x80\x80");                 /* U+E000 */
    ESCAPE("\xf0\x90\x80\x80", "\xf0\x90\x80\x80");         /* U+10000 */
    ESCAPE("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");         /* U+10FFFF */
}
END_TEST

#define FFFD "\\ufffd"

/* Each byte of a broken sequence is replaced on its own. */
START_TEST(escape_invalid_utf8_replaced)
{
    ESCAPE("\xff", FFFD);
    ESCAPE("a\xff" "b", "a" FFFD "b");
    ESCAPE("\x80", FFFD);                                   /* lone continuation */
    ESCAPE("\xc0\x80", FFFD FFFD);                          /* overlong NUL */
    ESCAPE("\xc1\xbf", FFFD FFFD);                          /* overlong '\x7f' */
    ESCAPE("\xe0\x80\x80", FFFD FFFD FFFD);                 /* overlong, 3 bytes */
    ESCAPE("\xf0\x80\x80\x80", FFFD FFFD FFFD FFFD);        /* overlong, 4 bytes */
    ESCAPE("\xed\xa0\x80", FFFD FFFD FFFD);                 /* surrogate U+D800 */
    ESCAPE("\xed\xbf\xbf", FFFD FFFD FFFD);                 /* surrogate U+DFFF */
    ESCAPE("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD);        /* U+110000 */
    ESCAPE("\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD);
    ESCAPE("\xc3" "A", FFFD "A");                           /* lead, no continuation */
    ESCAPE("\xe2\x82" "x", FFFD FFFD "x");
}
END_TEST

/* A sequence cut by the end of the string must not be read past it. */
START_TEST(escape_truncated_sequence_at_end)
{
    ESCAPE("ok\xe2\x82", "ok" FFFD FFFD);
    ESCAPE("\xf0\x9f\x98", FFFD FFFD FFFD);
    ESCAPE("\xc3", FFFD);
    check_escape("\xc3\xa9", 1, FFFD);      /* the length, not a NUL, ends it */
}
END_TEST

static void write_report(struct json *j)
{
    json_object_begin(j);
    json_key(j, "verdict");
    json_string(j, "pass");
    json_key(j, "command");
    json_array_begin(j);
    json_string(j, "./d");
    json_string(j, "-x");
    json_array_end(j);
    json_key(j, "daemon");
    json_object_begin(j);
    json_key(j, "pid");
    json_int(j, 1234);
    json_key(j, "tty_nr");
    json_int(j, 0);
    json_key(j, "fds");
    json_object_begin(j);
    json_object_end(j);
    json_object_end(j);
    json_key(j, "checks");
    json_array_begin(j);
    json_array_end(j);
    json_key(j, "ok");
    json_bool(j, 1);
    json_key(j, "none");
    json_null(j);
    json_object_end(j);
}

START_TEST(layout_one_line)
{
    struct capture c;
    struct json j;

    json_init(&j, capture_open(&c), 0);
    write_report(&j);
    capture_check(&c, "{\"verdict\":\"pass\",\"command\":[\"./d\",\"-x\"],"
                      "\"daemon\":{\"pid\":1234,\"tty_nr\":0,\"fds\":{}},"
                      "\"checks\":[],\"ok\":true,\"none\":null}");
}
END_TEST

START_TEST(layout_indented)
{
    struct capture c;
    struct json j;

    json_init(&j, capture_open(&c), 2);
    write_report(&j);
    capture_check(&c,
                  "{\n"
                  "  \"verdict\": \"pass\",\n"
                  "  \"command\": [\n"
                  "    \"./d\",\n"
                  "    \"-x\"\n"
                  "  ],\n"
                  "  \"daemon\": {\n"
                  "    \"pid\": 1234,\n"
                  "    \"tty_nr\": 0,\n"
                  "    \"fds\": {}\n"
                  "  },\n"
                  "  \"checks\": [],\n"
                  "  \"ok\": true,\n"
                  "  \"none\": null\n"
                  "}");
}
END_TEST

START_TEST(layout_array_of_objects)
{
    struct capture c;
    struct json j;
    int i;

    json_init(&j, capture_open(&c), 2);
    json_array_begin(&j);
    for (i = 1; i <= 2; i++) {
        json_object_begin(&j);
        json_key(&j, "n");
        json_int(&j, i);
        json_key(&j, "s");
        json_bool(&j, i == 2);
        json_object_end(&j);
    }
    json_array_end(&j);
    capture_check(&c,
                  "[\n"
                  "  {\n"
                  "    \"n\": 1,\n"
                  "    \"s\": false\n"
                  "  },\n"
                  "  {\n"
                  "    \"n\": 2,\n"
                  "    \"s\": true\n"
                  "  }\n"
                  "]");
}
END_TEST

START_TEST(strings_and_keys_escaped)
{
    struct capture c;
    struct json j;

    json_init(&j, capture_open(&c), 0);
    json_object_begin(&j);
    json_key(&j, "a\"b\n");
    json_string(&j, "/tmp/\xff\n\"x\"");
    json_key(&j, "n");
    json_string(&j, NULL);
    json_key(&j, "nul");
    json_string_n(&j, "a\0b", 3);
    json_key(&j, "null_n");
    json_string_n(&j, NULL, 5);
    json_object_end(&j);
    capture_check(&c, "{\"a\\\"b\\n\":\"/tmp/\\ufffd\\n\\\"x\\\"\",\"n\":null,"
                      "\"nul\":\"a\\u0000b\",\"null_n\":null}");
}
END_TEST

/* Through fmemopen as well: the writer needs nothing but a FILE. */
START_TEST(fmemopen_stream)
{
    char buf[64];
    FILE *f = fmemopen(buf, sizeof buf, "w");
    struct json j;

    ck_assert_ptr_nonnull(f);
    json_init(&j, f, 0);
    json_array_begin(&j);
    json_int(&j, -1);
    json_string(&j, "\t");
    json_array_end(&j);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_str_eq(buf, "[-1,\"\\t\"]");
}
END_TEST

START_TEST(integer_extremes)
{
    struct capture c;
    struct json j;

    json_init(&j, capture_open(&c), 0);
    json_array_begin(&j);
    json_int(&j, LLONG_MIN);
    json_int(&j, LLONG_MAX);
    json_int(&j, 0);
    json_array_end(&j);
    capture_check(&c, "[-9223372036854775808,9223372036854775807,0]");
}
END_TEST

/* Nesting deeper than the writer tracks turns the too-deep container into
 * null and drops its content: still valid JSON, no write out of count[]. */
START_TEST(depth_beyond_limit)
{
    char expected[128];
    struct capture c;
    struct json j;
    int i, pos = 0;

    json_init(&j, capture_open(&c), 0);
    json_array_begin(&j);
    json_int(&j, 1);
    for (i = 0; i < JSON_MAX_DEPTH + 5; i++)
        json_array_begin(&j);
    json_int(&j, 2);
    json_key(&j, "dropped");
    json_object_begin(&j);
    json_object_end(&j);
    for (i = 0; i < JSON_MAX_DEPTH + 5; i++)
        json_array_end(&j);
    json_int(&j, 3);
    json_array_end(&j);

    pos += sprintf(expected + pos, "[1,");
    for (i = 0; i < JSON_MAX_DEPTH - 2; i++)
        pos += sprintf(expected + pos, "[");
    pos += sprintf(expected + pos, "null");
    for (i = 0; i < JSON_MAX_DEPTH - 2; i++)
        pos += sprintf(expected + pos, "]");
    sprintf(expected + pos, ",3]");
    capture_check(&c, expected);
}
END_TEST

/* More ends than begins: ignored, nothing written. */
START_TEST(unbalanced_end_ignored)
{
    struct capture c;
    struct json j;

    json_init(&j, capture_open(&c), 2);
    json_object_end(&j);
    json_array_end(&j);
    json_array_begin(&j);
    json_array_end(&j);
    json_array_end(&j);
    capture_check(&c, "[]");
}
END_TEST

START_TEST(empty_string)
{
    struct capture c;
    struct json j;

    json_init(&j, capture_open(&c), 0);
    json_string(&j, "");
    capture_check(&c, "\"\"");
    check_escape("", 0, "");
    check_escape(NULL, 0, "");
}
END_TEST

/* Found by tests/fuzz/fuzz_utf8: with no byte available, utf8_valid_len
 * must not look at s[0]. Here s[0] is on a page that cannot be read, so a
 * look is a SIGSEGV, whatever the byte would have been. */
START_TEST(utf8_nothing_available_nothing_read)
{
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    ck_assert_ptr_ne(map, MAP_FAILED);
    ck_assert_int_eq(mprotect(map + page, (size_t)page, PROT_NONE), 0);
    map[page - 2] = 0xc3;
    map[page - 1] = 0xa9;
    ck_assert_uint_eq(utf8_valid_len(map + page - 2, 2), 2);
    ck_assert_uint_eq(utf8_valid_len(map + page - 1, 1), 0);
    ck_assert_uint_eq(utf8_valid_len(map + page, 0), 0);
    ck_assert_int_eq(munmap(map, (size_t)page * 2), 0);
}
END_TEST

static Suite *json_suite(void)
{
    Suite *s = suite_create("json");
    TCase *core = tcase_create("Core");
    TCase *limits = tcase_create("Limits");
    TCase *errors = tcase_create("Errors");

    tcase_set_timeout(core, 5);
    tcase_add_test(core, escape_quote_and_backslash);
    tcase_add_test(core, escape_control_characters);
    tcase_add_test(core, escape_valid_utf8_kept);
    tcase_add_test(core, layout_one_line);
    tcase_add_test(core, layout_indented);
    tcase_add_test(core, layout_array_of_objects);
    tcase_add_test(core, strings_and_keys_escaped);
    tcase_add_test(core, fmemopen_stream);
    suite_add_tcase(s, core);

    tcase_set_timeout(limits, 5);
    tcase_add_test(limits, escape_utf8_bounds_kept);
    tcase_add_test(limits, integer_extremes);
    tcase_add_test(limits, depth_beyond_limit);
    tcase_add_test(limits, empty_string);
    suite_add_tcase(s, limits);

    tcase_set_timeout(errors, 5);
    tcase_add_test(errors, escape_invalid_utf8_replaced);
    tcase_add_test(errors, escape_truncated_sequence_at_end);
    tcase_add_test(errors, utf8_nothing_available_nothing_read);
    tcase_add_test(errors, unbalanced_end_ignored);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(json_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
