/* check_xml.c — unit tests of checker/xml.c: what the JUnit report writes
 * of the candidate's bytes must stay well-formed XML 1.0. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "xml.h"

#define FFFD "\xef\xbf\xbd"

/* xml_escape(s) into memory, compared with expected. */
static void check_escape(const char *s, const char *expected)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);

    ck_assert_ptr_nonnull(f);
    xml_escape(f, s);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_str_eq(buf, expected);
    free(buf);
}

START_TEST(specials_as_entities)
{
    check_escape("a<b>&\"'", "a&lt;b&gt;&amp;&quot;&apos;");
    check_escape("tab\tnl\ncr\r", "tab\tnl\ncr\r");
    check_escape("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
}
END_TEST

START_TEST(null_writes_nothing)
{
    check_escape(NULL, "");
}
END_TEST

START_TEST(unusable_bytes_replaced)
{
    check_escape("\x01\x1b[31m\x7f", FFFD FFFD "[31m" FFFD);
    check_escape("\xff\xc0\x80", FFFD FFFD FFFD);
    check_escape("\xed\xa0\x80", FFFD FFFD FFFD);          /* surrogate */
}
END_TEST

/* Found by tests/fuzz/fuzz_xml: U+FFFE and U+FFFF are valid UTF-8 but not
 * characters XML 1.0 can carry (production [2] Char); a parser rejects the
 * whole report. U+FFFD itself and the C1 controls are allowed. */
START_TEST(noncharacters_replaced)
{
    check_escape("a\xef\xbf\xbe" "b", "a" FFFD "b");
    check_escape("\xef\xbf\xbf", FFFD);
    check_escape(FFFD, FFFD);
    check_escape("\xc2\x85", "\xc2\x85");
    check_escape("\xef\xbf\xbc", "\xef\xbf\xbc");
}
END_TEST

static Suite *xml_suite(void)
{
    Suite *s = suite_create("xml");
    TCase *core = tcase_create("Core");
    TCase *errors = tcase_create("Errors");

    tcase_set_timeout(core, 5);
    tcase_add_test(core, specials_as_entities);
    tcase_add_test(core, null_writes_nothing);
    suite_add_tcase(s, core);

    tcase_set_timeout(errors, 5);
    tcase_add_test(errors, unusable_bytes_replaced);
    tcase_add_test(errors, noncharacters_replaced);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(xml_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
