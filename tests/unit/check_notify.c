/* check_notify.c — unit tests of checker/notify.c: the parser on every key
 * and every malformed form, the record's facts and bounds, and the socket
 * of both kinds fed by real senders: a client written here the way
 * sd_notify(3) describes, and systemd-notify itself. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "notify.h"
#include "unit_tmpdir.h"

/* Parse a string literal (its bytes, without the final NUL). */
#define PARSE(lit, p) notify_parse((lit), sizeof (lit) - 1, (p))
#define BIT(x) NOTIFY_BIT(x)
/* notify_open's second argument. */
#define AT_PATH 0
#define AT_ABSTRACT 1

static long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* ---- The parser ---- */

struct one_key {
    const char *text;
    enum notify_fact fact;
};

static const struct one_key every_key[] = {
    { "READY=1", NOTIFY_READY },
    { "RELOADING=1", NOTIFY_RELOADING },
    { "STOPPING=1", NOTIFY_STOPPING },
    { "WATCHDOG=1", NOTIFY_WATCHDOG },
    { "WATCHDOG=trigger", NOTIFY_WATCHDOG_TRIGGER },
    { "STATUS=Serving 3 clients", NOTIFY_STATUS },
    { "MAINPID=4242", NOTIFY_MAINPID },
    { "MONOTONIC_USEC=123456789", NOTIFY_MONOTONIC_USEC },
    { "EXTEND_TIMEOUT_USEC=5000000", NOTIFY_EXTEND_TIMEOUT_USEC },
    { "WATCHDOG_USEC=2000000", NOTIFY_WATCHDOG_USEC },
    { "ERRNO=2", NOTIFY_ERRNO },
    { "BUSERROR=org.freedesktop.DBus.Error.TimedOut", NOTIFY_BUSERROR },
    { "FDSTORE=1", NOTIFY_FDSTORE },
    { "BARRIER=1", NOTIFY_BARRIER },
    { "X_MYSERVICE_PHASE=warm", NOTIFY_PRIVATE },
    { "FDNAME=listener", NOTIFY_UNKNOWN },
};

START_TEST(parse_every_key)
{
    const struct one_key *k = &every_key[_i];
    struct notify_parse p;

    notify_parse(k->text, strlen(k->text), &p);
    ck_assert_msg(p.facts == BIT(k->fact), "%s: facts %#x", k->text, p.facts);
    ck_assert_msg(p.flaws == 0, "%s: flaws %#x", k->text, p.flaws);
    ck_assert_uint_eq(p.lines, 1);
}
END_TEST

START_TEST(parse_values)
{
    struct notify_parse p;

    PARSE("MAINPID=4242", &p);
    ck_assert_int_eq(p.mainpid, 4242);
    PARSE("MAINPID=4194304", &p);       /* the largest pid Linux can have */
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_MAINPID));
    ck_assert_int_eq(p.mainpid, 4194304);
    PARSE("MONOTONIC_USEC=18446744073709551615", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_MONOTONIC_USEC));
    ck_assert(p.monotonic_usec == 18446744073709551615ULL);
    PARSE("EXTEND_TIMEOUT_USEC=0005", &p);
    ck_assert(p.extend_timeout_usec == 5);
    PARSE("WATCHDOG_USEC=2000000", &p);
    ck_assert(p.watchdog_usec == 2000000);
    PARSE("ERRNO=2147483647", &p);
    ck_assert_int_eq(p.errno_value, 2147483647);
    PARSE("READY=1\nSTATUS=caf\xc3\xa9 ouvert", &p);
    ck_assert_uint_eq(p.status_off, 15);
    ck_assert_uint_eq(p.status_len, 12);
    PARSE("STATUS=", &p);               /* an empty status clears it */
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_STATUS));
    ck_assert_uint_eq(p.status_len, 0);
}
END_TEST

START_TEST(parse_several_lines)
{
    struct notify_parse p, q, crlf;
    const unsigned want = BIT(NOTIFY_READY) | BIT(NOTIFY_STATUS) | BIT(NOTIFY_MAINPID);

    PARSE("READY=1\nSTATUS=Serving\nMAINPID=42\n", &p);
    PARSE("READY=1\nSTATUS=Serving\nMAINPID=42", &q);
    PARSE("READY=1\r\nSTATUS=Serving\r\nMAINPID=42\r\n", &crlf);
    ck_assert_uint_eq(p.facts, want);
    ck_assert_uint_eq(q.facts, want);
    ck_assert_uint_eq(crlf.facts, want);
    ck_assert_uint_eq(p.flaws | q.flaws | crlf.flaws, 0);
    ck_assert_uint_eq(p.lines, 3);
    ck_assert_uint_eq(q.lines, 3);
    ck_assert_uint_eq(crlf.lines, 3);
    ck_assert_int_eq(p.mainpid, 42);
    ck_assert_uint_eq(crlf.status_len, 7);      /* the '\r' is not part of it */
    /* Empty lines between are skipped, as systemd splits. */
    PARSE("\n\nREADY=1\n\n\nSTOPPING=1\n\n", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_READY) | BIT(NOTIFY_STOPPING));
    ck_assert_uint_eq(p.flaws, 0);
}
END_TEST

/* A valued key's first occurrence counts (what systemd reads); a boolean
 * one counts wherever its exact form is. Both say the key came twice. */
START_TEST(parse_repeated_keys)
{
    struct notify_parse p;

    PARSE("MAINPID=5\nMAINPID=6", &p);
    ck_assert_int_eq(p.mainpid, 5);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_REPEATED));
    ck_assert_uint_eq(p.flaw_line, 2);
    PARSE("MAINPID=x\nMAINPID=6", &p);
    ck_assert_uint_eq(p.facts & BIT(NOTIFY_MAINPID), 0);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_BAD_VALUE) | BIT(NOTIFY_REPEATED));
    PARSE("READY=1\nREADY=1\n", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_READY));
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_REPEATED));
    PARSE("READY=yes\nREADY=1\n", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_READY));
    ck_assert_int_eq(p.first_flaw, NOTIFY_BAD_VALUE);
    PARSE("WATCHDOG=1\nWATCHDOG=trigger", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_WATCHDOG) | BIT(NOTIFY_WATCHDOG_TRIGGER));
    PARSE("X_A=1\nX_A=2\nFOO=1\nFOO=2", &p);    /* not known: not judged */
    ck_assert_uint_eq(p.flaws, 0);
    ck_assert_uint_eq(p.privates, 2);
    ck_assert_uint_eq(p.unknowns, 2);
}
END_TEST

START_TEST(parse_unknown_kept)
{
    struct notify_parse p;

    PARSE("READY=1\nFDNAME=web\nX_PHASE=2\nready=1\nX_=1", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_READY) | BIT(NOTIFY_UNKNOWN) | BIT(NOTIFY_PRIVATE));
    ck_assert_uint_eq(p.unknowns, 2);       /* FDNAME, and "ready": keys are case-sensitive */
    ck_assert_uint_eq(p.privates, 2);
    ck_assert_uint_eq(p.flaws, 0);
}
END_TEST

START_TEST(parse_no_equals)
{
    struct notify_parse p;

    PARSE("READY", &p);
    ck_assert_uint_eq(p.facts, 0);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_NO_EQUALS));
    ck_assert_uint_eq(p.flaw_line, 1);
    PARSE("READY=1\nhello\n", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_READY));
    ck_assert_int_eq(p.first_flaw, NOTIFY_NO_EQUALS);
    ck_assert_uint_eq(p.flaw_line, 2);
}
END_TEST

START_TEST(parse_empty_key)
{
    struct notify_parse p;

    PARSE("=1", &p);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_EMPTY_KEY));
    PARSE("READY=1\n\n=READY", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_READY));
    ck_assert_uint_eq(p.flaw_line, 3);
}
END_TEST

static const char *const bad_values[] = {
    "READY=yes", "READY=", "READY=11", "READY=1 ", "READY= 1", "READY=0",
    "RELOADING=true", "STOPPING=2", "FDSTORE=0", "BARRIER=", "WATCHDOG=2", "WATCHDOG=Trigger",
    "MAINPID=", "MAINPID=abc", "MAINPID=0", "MAINPID=00", "MAINPID=-1", "MAINPID=+5",
    "MAINPID= 5", "MAINPID=5 ", "MAINPID=0x10", "MAINPID=4194305", "MAINPID=2147483648",
    "MAINPID=99999999999999999999999999",
    "MONOTONIC_USEC=18446744073709551616", "MONOTONIC_USEC=99999999999999999999",
    "MONOTONIC_USEC=-1", "MONOTONIC_USEC=", "MONOTONIC_USEC=1.5",
    "EXTEND_TIMEOUT_USEC=5s", "WATCHDOG_USEC=-2",
    "ERRNO=-1", "ERRNO=2147483648", "ERRNO=ENOENT",
};

START_TEST(parse_bad_values)
{
    const char *text = bad_values[_i];
    struct notify_parse p;

    notify_parse(text, strlen(text), &p);
    ck_assert_msg(p.facts == 0, "%s: facts %#x", text, p.facts);
    ck_assert_msg(p.flaws == BIT(NOTIFY_BAD_VALUE), "%s: flaws %#x", text, p.flaws);
    ck_assert_int_eq(p.mainpid, 0);
}
END_TEST

/* systemd drops a datagram with a NUL byte whole; the parser says where. */
START_TEST(parse_nul_byte)
{
    struct notify_parse p;

    PARSE("READY=1\0", &p);
    ck_assert_uint_eq(p.facts, 0);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_NUL));
    PARSE("READY=1\n\0\n", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_READY));
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_NUL));
    ck_assert_uint_eq(p.flaw_line, 2);
    PARSE("\0", &p);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_NUL));
    PARSE("STATUS=a\0b", &p);
    ck_assert_uint_eq(p.facts, 0);
}
END_TEST

START_TEST(parse_bad_utf8)
{
    static const char *const bad[] = {
        "STATUS=\xff", "STATUS=\xc0\xaf", "STATUS=\xed\xa0\x80", "STATUS=\xe2\x82",
        "STATUS=\xf4\x90\x80\x80", "\x80READY=1", "X_\xfe=1",
    };
    struct notify_parse p;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        notify_parse(bad[i], strlen(bad[i]), &p);
        ck_assert_msg(p.flaws == BIT(NOTIFY_BAD_UTF8), "%zu: flaws %#x", i, p.flaws);
        ck_assert_uint_eq(p.facts, 0);
    }
    PARSE("READY=1\nSTATUS=\xff\xfe", &p);      /* the other lines still count */
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_READY));
    ck_assert_uint_eq(p.flaw_line, 2);
    PARSE("STATUS=\xf0\x9f\x9a\x80 \xe2\x82\xac", &p);
    ck_assert_uint_eq(p.facts, BIT(NOTIFY_STATUS));
    ck_assert_uint_eq(p.flaws, 0);
}
END_TEST

START_TEST(parse_empty)
{
    struct notify_parse p;

    PARSE("", &p);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_EMPTY));
    ck_assert_uint_eq(p.lines, 0);
    notify_parse(NULL, 0, &p);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_EMPTY));
    PARSE("\n\r\n\n", &p);
    ck_assert_uint_eq(p.flaws, BIT(NOTIFY_EMPTY));
    ck_assert_uint_eq(p.facts, 0);
}
END_TEST

START_TEST(parse_words)
{
    int f, g;

    for (f = 0; f < NOTIFY_NFACTS; f++) {
        ck_assert_uint_gt(strlen(notify_fact_str((enum notify_fact)f)), 0);
        for (g = 0; g < f; g++)
            ck_assert_str_ne(notify_fact_str((enum notify_fact)f), notify_fact_str((enum notify_fact)g));
    }
    for (f = 0; f < NOTIFY_NFLAWS; f++) {
        ck_assert_uint_gt(strlen(notify_flaw_str((enum notify_flaw)f)), 0);
        for (g = 0; g < f; g++)
            ck_assert_str_ne(notify_flaw_str((enum notify_flaw)f), notify_flaw_str((enum notify_flaw)g));
    }
    ck_assert_str_eq(notify_fact_str(NOTIFY_NFACTS), "?");
    ck_assert_str_eq(notify_flaw_str(NOTIFY_NFLAWS), "?");
}
END_TEST

/* ---- The record ---- */

static struct notify_record rec;

static void record_setup(void)
{
    ck_assert_int_eq(notify_record_init(&rec), 0);
}

static void record_teardown(void)
{
    notify_record_free(&rec);
}

/* A datagram from pid at ms, with credentials (pid 0: without). */
static void add_n(long ms, pid_t pid, const char *text, size_t len)
{
    struct notify_origin o = { 0 };

    o.ms = ms;
    o.mono_us = 1000000000LL + ms * 1000LL;
    o.pid = pid;
    o.has_creds = pid > 0;
    o.flaws = pid > 0 ? 0 : BIT(NOTIFY_NO_CREDS);
    o.len = len;
    notify_record_add(&rec, &o, text, len);
}

static void add(long ms, pid_t pid, const char *text)
{
    add_n(ms, pid, text, strlen(text));
}

START_TEST(record_first_ready)
{
    ck_assert_int_eq(rec.first_ready_ms, -1);
    add(10, 100, "STATUS=Starting");
    add(50, 100, "READY=1\nMAINPID=101");
    add(80, 101, "READY=1\nSTATUS=Serving");
    ck_assert_uint_eq(rec.total, 3);
    ck_assert_uint_eq(rec.nmsgs, 3);
    ck_assert_int_eq(rec.first_ready_ms, 50);
    ck_assert_int_eq(rec.first_ready_sender, 100);
    ck_assert_int_eq(rec.first_ready_mainpid, 101);
    ck_assert_int_eq(rec.last_ready_ms, 80);
    ck_assert_uint_eq(rec.fact_count[NOTIFY_READY], 2);
    ck_assert_str_eq(rec.status, "Serving");
    ck_assert(notify_mainpid_seen(&rec, 101));
    ck_assert(!notify_mainpid_seen(&rec, 100));
    ck_assert_uint_eq(rec.nmainpids, 1);
    ck_assert_int_eq(rec.mainpids[0].sender, 100);
    ck_assert_int_eq(rec.mainpids[0].ms, 50);
    ck_assert_uint_eq(rec.nsenders, 2);
    ck_assert_uint_eq(notify_sender_find(&rec, 100)->datagrams, 2);
    ck_assert_ptr_null(notify_sender_find(&rec, 999));
    ck_assert_str_eq(rec.msgs[1].raw, "READY=1\nMAINPID=101");
    ck_assert_int_eq(rec.msgs[1].from.pid, 100);
}
END_TEST

/* What systemd would drop is kept for the report, never counted. */
START_TEST(record_dropped_not_counted)
{
    struct notify_origin o = { 0 };

    add(5, 0, "READY=1");                       /* no credentials */
    add_n(6, 100, "READY=1\n\0", 9);            /* a NUL byte */
    o.ms = 7;
    o.pid = 100;
    o.has_creds = 1;
    o.len = 5000;
    o.flaws = BIT(NOTIFY_TRUNCATED);
    notify_record_add(&rec, &o, "READY=1\nSTOPPING=1", 18);
    ck_assert_uint_eq(rec.total, 3);
    ck_assert_uint_eq(rec.dropped, 3);
    ck_assert_uint_eq(rec.flawed, 3);
    ck_assert_uint_eq(rec.flaw_count[NOTIFY_NO_CREDS], 1);
    ck_assert_uint_eq(rec.flaw_count[NOTIFY_NUL], 1);
    ck_assert_uint_eq(rec.flaw_count[NOTIFY_TRUNCATED], 1);
    ck_assert_int_eq(rec.first_ready_ms, -1);
    ck_assert_int_eq(rec.first_stopping_ms, -1);
    ck_assert_uint_eq(rec.fact_count[NOTIFY_READY], 0);
    ck_assert_uint_eq(rec.nmsgs, 3);
    ck_assert(notify_msg_dropped(&rec.msgs[0]));
    ck_assert_int_eq(rec.msgs[0].p.first_flaw, NOTIFY_NO_CREDS);
    ck_assert_int_eq(rec.msgs[0].from.pid, 0);
    ck_assert_int_eq(rec.msgs[1].p.first_flaw, NOTIFY_NUL);
    ck_assert_uint_eq(rec.msgs[1].raw_len, 9);
    ck_assert_int_eq(rec.msgs[2].p.first_flaw, NOTIFY_TRUNCATED);
    ck_assert_uint_eq(rec.msgs[2].from.len, 5000);
    /* The facts are still parsed, for the report to say what was lost. */
    ck_assert_uint_ne(rec.msgs[2].p.facts & BIT(NOTIFY_READY), 0);
    add(8, 100, "READY=1\nbad line");       /* flawed, not dropped */
    ck_assert_int_eq(rec.first_ready_ms, 8);
    ck_assert_uint_eq(rec.dropped, 3);
    ck_assert_uint_eq(rec.flawed, 4);
}
END_TEST

START_TEST(record_reload)
{
    const struct notify_reload *e;

    add(50, 100, "READY=1");
    add(100, 100, "RELOADING=1");
    ck_assert_uint_eq(rec.reloads_without_monotonic, 1);
    e = notify_reload_since(&rec, 90);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->ms, 100);
    ck_assert_int_eq(e->has_monotonic, 0);
    ck_assert_int_eq(e->ready_ms, -1);
    add(150, 100, "READY=1");
    ck_assert_int_eq(notify_reload_since(&rec, 90)->ready_ms, 150);
    ck_assert_int_eq(rec.first_ready_ms, 50);
    ck_assert_int_eq(rec.last_ready_ms, 150);

    add(200, 100, "RELOADING=1\nMONOTONIC_USEC=1000200000");
    e = notify_reload_since(&rec, 160);
    ck_assert_int_eq(e->ms, 200);
    ck_assert_int_eq(e->has_monotonic, 1);
    ck_assert(e->monotonic_usec == 1000200000ULL);
    ck_assert(e->arrival_us == 1000200000LL);
    ck_assert_int_eq(e->ready_ms, -1);
    add(260, 101, "READY=1");
    ck_assert_int_eq(notify_reload_since(&rec, 160)->ready_ms, 260);
    ck_assert_int_eq(notify_reload_since(&rec, 160)->ready_sender, 101);
    ck_assert_uint_eq(rec.reloads_without_monotonic, 1);

    /* READY=1 in the RELOADING=1 datagram itself does not follow it. */
    add(300, 100, "RELOADING=1\nMONOTONIC_USEC=1000300000\nREADY=1");
    ck_assert_int_eq(notify_reload_since(&rec, 290)->ready_ms, -1);
    ck_assert_ptr_null(notify_reload_since(&rec, 301));
    ck_assert_uint_eq(rec.fact_count[NOTIFY_RELOADING], 3);
    ck_assert_int_eq(rec.last_reload.ms, 300);
}
END_TEST

START_TEST(record_reload_past_bound)
{
    char text[64];
    int i;

    for (i = 0; i < NOTIFY_MAX_RELOADS + 10; i++) {
        snprintf(text, sizeof text, "RELOADING=1\nMONOTONIC_USEC=%d", i);
        add(i * 10, 100, text);
    }
    ck_assert_uint_eq(rec.nreloads, NOTIFY_MAX_RELOADS);
    ck_assert_uint_eq(rec.fact_count[NOTIFY_RELOADING], NOTIFY_MAX_RELOADS + 10);
    /* Past the kept ones, the latest stands for them. */
    ck_assert_int_eq(notify_reload_since(&rec, 200)->ms, (NOTIFY_MAX_RELOADS + 9) * 10);
    add(1000, 100, "READY=1");
    ck_assert_int_eq(notify_reload_since(&rec, 200)->ready_ms, 1000);
    ck_assert_int_eq(notify_reload_since(&rec, 0)->ready_ms, 1000);
}
END_TEST

START_TEST(record_stopping)
{
    ck_assert(!notify_stopping_before(&rec, 1000));
    add(500, 100, "STOPPING=1\nSTATUS=Shutting down");
    add(600, 100, "STOPPING=1");
    ck_assert(notify_stopping_before(&rec, 501));
    ck_assert(!notify_stopping_before(&rec, 500));
    ck_assert_int_eq(rec.first_stopping_ms, 500);
    ck_assert_int_eq(rec.first_stopping_sender, 100);
    ck_assert_uint_eq(rec.fact_count[NOTIFY_STOPPING], 2);
}
END_TEST

START_TEST(record_watchdog_gaps)
{
    struct notify_gap g;

    add(100, 7, "WATCHDOG=1");
    add(200, 7, "WATCHDOG=1");
    add(300, 7, "WATCHDOG=1\nSTATUS=ok");
    add(350, 8, "WATCHDOG=1");              /* another sender's ping is not 7's */
    add(700, 7, "WATCHDOG=1");
    add(720, 7, "WATCHDOG=trigger");
    notify_watchdog_gap(&rec, 7, 100, 800, &g);
    ck_assert_uint_eq(g.pings, 4);
    ck_assert_int_eq(g.max_gap_ms, 400);
    ck_assert_int_eq(g.exact, 1);
    notify_watchdog_gap(&rec, 7, 0, 250, &g);
    ck_assert_uint_eq(g.pings, 2);
    ck_assert_int_eq(g.max_gap_ms, 100);
    notify_watchdog_gap(&rec, 7, 710, 1500, &g);    /* none in it: all of it */
    ck_assert_uint_eq(g.pings, 0);
    ck_assert_int_eq(g.max_gap_ms, 790);
    notify_watchdog_gap(&rec, 9, 0, 1000, &g);
    ck_assert_uint_eq(g.pings, 0);
    ck_assert_int_eq(g.max_gap_ms, 1000);
    ck_assert_int_eq(g.exact, 1);
    notify_watchdog_gap(&rec, 7, 500, 400, &g);
    ck_assert_int_eq(g.max_gap_ms, 0);
    ck_assert_uint_eq(notify_sender_find(&rec, 7)->pings, 4);
    ck_assert_uint_eq(rec.fact_count[NOTIFY_WATCHDOG_TRIGGER], 1);
}
END_TEST

/* Past the kept times the answer is an upper bound: a long silence among
 * the unkept pings is never hidden. */
START_TEST(record_watchdog_past_bound)
{
    const struct notify_sender *s;
    struct notify_gap g;
    long t = 0;
    int i;

    for (i = 0; i < NOTIFY_WATCHDOG_KEEP + 1000; i++) {
        add(t, 7, "WATCHDOG=1");
        t += (i == NOTIFY_WATCHDOG_KEEP + 500) ? 1000 : 10;
    }
    s = notify_sender_find(&rec, 7);
    ck_assert_uint_eq(s->pings, NOTIFY_WATCHDOG_KEEP + 1000);
    ck_assert_uint_eq(s->nping_ms, NOTIFY_WATCHDOG_KEEP);
    ck_assert_int_eq(s->overflow_max_gap, 1000);
    /* Inside the kept times: exact. */
    notify_watchdog_gap(&rec, 7, 0, 10000, &g);
    ck_assert_int_eq(g.exact, 1);
    ck_assert_int_eq(g.max_gap_ms, 10);
    ck_assert_uint_eq(g.pings, 1001);
    /* Across them: the silence is found. */
    notify_watchdog_gap(&rec, 7, 0, t, &g);
    ck_assert_int_eq(g.exact, 0);
    ck_assert_int_eq(g.max_gap_ms, 1000);
    ck_assert_uint_eq(g.pings, NOTIFY_WATCHDOG_KEEP + 1000);
    /* After the last ping: the tail counts. */
    notify_watchdog_gap(&rec, 7, 0, s->last_ping_ms + 3000, &g);
    ck_assert_int_eq(g.max_gap_ms, 3000);
    ck_assert_uint_le(notify_record_footprint(&rec),
                      NOTIFY_KEEP * sizeof(struct notify_msg) + NOTIFY_WATCHDOG_KEEP * sizeof(long));
}
END_TEST

/* 10,000 datagrams from 40 senders, each with a new MAINPID: everything
 * is counted, and memory stops growing at the bounds. */
START_TEST(record_bounds)
{
    char text[64];
    size_t bound = NOTIFY_KEEP * sizeof(struct notify_msg) +
                   NOTIFY_MAX_SENDERS * NOTIFY_WATCHDOG_KEEP * sizeof(long);
    int i;

    for (i = 0; i < 10000; i++) {
        snprintf(text, sizeof text, "WATCHDOG=1\nMAINPID=%d\nX_SEQ=%d", 1000 + i, i);
        add(i, 100 + i % 40, text);
    }
    ck_assert_uint_eq(rec.total, 10000);
    ck_assert_uint_eq(rec.nmsgs, NOTIFY_KEEP);
    ck_assert_uint_eq(rec.fact_count[NOTIFY_WATCHDOG], 10000);
    ck_assert_uint_eq(rec.fact_count[NOTIFY_PRIVATE], 10000);
    ck_assert_uint_eq(rec.nsenders, NOTIFY_MAX_SENDERS);
    ck_assert_uint_eq(rec.other_senders, 10000 - 250 * NOTIFY_MAX_SENDERS);
    ck_assert_uint_eq(notify_sender_find(&rec, 100)->pings, 250);
    ck_assert_uint_eq(rec.nmainpids, NOTIFY_MAX_MAINPIDS);
    ck_assert_uint_eq(rec.mainpids_dropped, 10000 - NOTIFY_MAX_MAINPIDS);
    ck_assert_str_eq(rec.msgs[NOTIFY_KEEP - 1].raw, "WATCHDOG=1\nMAINPID=1255\nX_SEQ=255");
    ck_assert_uint_le(notify_record_footprint(&rec), bound);
}
END_TEST

/* The raw text and the status are cut to their bounds; the status copy
 * on a character boundary. */
START_TEST(record_cuts)
{
    char big[NOTIFY_MAX_DATAGRAM];
    size_t len;

    memcpy(big, "STATUS=", 7);
    len = 7;
    while (len + 2 <= 7 + NOTIFY_STATUS_MAX) {     /* "é" up to the bound exactly */
        memcpy(big + len, "\xc3\xa9", 2);
        len += 2;
    }
    memset(big + len, 'a', 1000);
    len += 1000;
    add_n(1, 100, big, len);
    ck_assert_uint_eq(rec.msgs[0].raw_len, NOTIFY_RAW_MAX);
    ck_assert_uint_eq(strlen(rec.status), NOTIFY_STATUS_MAX);
    ck_assert_int_eq(memcmp(rec.status, big + 7, NOTIFY_STATUS_MAX), 0);
    memset(big, 'b', sizeof big);
    memcpy(big, "STATUS=", 7);
    big[7] = 'x';
    memcpy(big + 7 + NOTIFY_STATUS_MAX - 1, "\xe2\x82\xac", 3);  /* "€" across the bound */
    add_n(2, 100, big, 7 + NOTIFY_STATUS_MAX + 100);
    ck_assert_uint_eq(strlen(rec.status), NOTIFY_STATUS_MAX - 1);
    ck_assert_int_eq(rec.status[0], 'x');
}
END_TEST

/* ---- The socket ---- */

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* A directory of the test's own inside the test case's, so that a test
 * that fails half-way leaves its socket file to nobody else. */
static const char *fresh_dir(char *buf, size_t cap)
{
    unit_path(buf, cap, "sock.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(buf));
    return buf;
}

/* A sender written from sd_notify(3): "/..." is a path, "@..." an
 * abstract name whose '@' becomes a NUL byte and whose length counts only
 * the bytes of the name. */
struct client {
    int fd;
    struct sockaddr_un sa;
    socklen_t len;
};

static int client_open(struct client *c, const char *env)
{
    size_t n = strlen(env);

    memset(c, 0, sizeof *c);
    c->sa.sun_family = AF_UNIX;
    if ((env[0] != '/' && env[0] != '@') || n >= sizeof c->sa.sun_path) {
        errno = EINVAL;
        return -1;
    }
    memcpy(c->sa.sun_path, env, n);
    if (env[0] == '@') {
        c->sa.sun_path[0] = '\0';
        c->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    } else {
        c->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
    }
    c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    return c->fd < 0 ? -1 : 0;
}

static int client_send(struct client *c, const void *buf, size_t len, const int *fds, int nfds)
{
    union {
        struct cmsghdr align;
        char bytes[CMSG_SPACE(32 * sizeof(int))];
    } control;
    struct iovec iov = { .iov_base = (void *)(size_t)buf, .iov_len = len };
    struct msghdr mh = {
        .msg_name = &c->sa, .msg_namelen = c->len, .msg_iov = &iov, .msg_iovlen = 1,
    };

    if (nfds > 32) {
        errno = EINVAL;
        return -1;
    }
    if (nfds > 0) {
        struct cmsghdr *cm;
        memset(&control, 0, sizeof control);
        mh.msg_control = control.bytes;
        mh.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
        memcpy(CMSG_DATA(cm), fds, (size_t)nfds * sizeof(int));
    }
    return sendmsg(c->fd, &mh, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
}

/* One datagram from a fresh socket: what sd_notify() does. */
static int notify_once(const char *env, const char *text)
{
    struct client c;
    int r;

    if (client_open(&c, env) < 0)
        return -1;
    r = client_send(&c, text, strlen(text), NULL, 0);
    close(c.fd);
    return r;
}

/* What a forked sender does; it returns 0 on success. */
typedef int sender_fn(const char *env, const void *arg);

struct child {
    pid_t pid;
    int done;       /* read end of a pipe whose only writer is the child */
};

static struct child spawn_sender(sender_fn *fn, const char *env, const void *arg)
{
    struct child c;
    int p[2];

    ck_assert_int_eq(pipe(p), 0);
    c.pid = fork();
    ck_assert_int_ge(c.pid, 0);
    if (c.pid == 0) {
        close(p[0]);
        _exit(fn(env, arg) == 0 ? 0 : 1);
    }
    close(p[1]);
    c.done = p[0];
    return c;
}

/* Receive until the child has ended (its end of the pipe closes), then
 * what is left: a sender that exited has queued all it sent. Returns the
 * child's wait status. */
static int collect(struct notify *n, struct child *c)
{
    long deadline = mono_ms() + 20000;
    int status, ended = 0;

    while (!ended) {
        struct pollfd p[2] = { { n->fd, POLLIN, 0 }, { c->done, POLLIN, 0 } };
        long left = deadline - mono_ms();
        int r;

        ck_assert_msg(left > 0, "the sender did not end in time");
        r = poll(p, 2, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        ck_assert_int_ge(r, 0);
        if (p[0].revents & POLLIN)
            ck_assert_int_ge(notify_receive(n), 0);
        if (p[1].revents & (POLLIN | POLLHUP))
            ended = 1;
    }
    while (notify_receive(n) > 0)
        ;
    close(c->done);
    ck_assert_int_eq(waitpid(c->pid, &status, 0), c->pid);
    return status;
}

static void assert_clean_exit(int status)
{
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "sender status %#x", status);
}

static int send_ready(const char *env, const void *arg)
{
    (void)arg;
    return notify_once(env, "READY=1\nSTATUS=Serving\nMAINPID=") == 0 &&
           notify_once(env, "READY=1\nSTATUS=Serving") == 0 ? 0 : -1;
}

static void check_round_trip(struct notify *n)
{
    struct child c = spawn_sender(send_ready, n->env, NULL);

    assert_clean_exit(collect(n, &c));
    ck_assert_uint_eq(n->rec.total, 2);
    ck_assert_int_eq(n->rec.msgs[0].from.pid, c.pid);
    ck_assert_int_eq(n->rec.msgs[0].from.has_creds, 1);
    ck_assert_int_eq(n->rec.msgs[0].from.uid, getuid());
    ck_assert_int_eq(n->rec.msgs[0].from.gid, getgid());
    ck_assert_uint_eq(n->rec.msgs[0].p.flaws, BIT(NOTIFY_BAD_VALUE));
    ck_assert_int_eq(n->rec.first_ready_sender, c.pid);
    ck_assert_int_ge(n->rec.first_ready_ms, 0);
    ck_assert_int_lt(n->rec.first_ready_ms, 20000);
    ck_assert_str_eq(n->rec.status, "Serving");
    ck_assert_uint_eq(n->rec.dropped, 0);
}

START_TEST(socket_path)
{
    char dir[PATH_MAX], want[PATH_MAX + 8];
    struct notify n;
    struct stat st;
    const char *env;

    env = notify_open(&n, AT_PATH, fresh_dir(dir, sizeof dir), mono_ms());
    ck_assert_ptr_nonnull(env);
    snprintf(want, sizeof want, "%s/notify", dir);
    ck_assert_str_eq(env, want);
    ck_assert_int_eq(lstat(env, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_int_ne(fcntl(n.fd, F_GETFD) & FD_CLOEXEC, 0);
    ck_assert_int_ne(fcntl(n.fd, F_GETFL) & O_NONBLOCK, 0);
    ck_assert_int_eq(notify_receive(&n), 0);        /* nothing yet: no blocking */
    check_round_trip(&n);
    ck_assert_int_eq(notify_close(&n), 0);
    ck_assert_int_eq(lstat(want, &st), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_uint_eq(n.rec.total, 2);              /* the record outlives the socket */
    notify_free(&n);
}
END_TEST

START_TEST(socket_abstract)
{
    struct sockaddr_un sa;
    socklen_t len = sizeof sa;
    struct notify n;
    const char *env;
    size_t name;

    env = notify_open(&n, AT_ABSTRACT, NULL, mono_ms());
    ck_assert_ptr_nonnull(env);
    ck_assert_int_eq(env[0], '@');
    name = strlen(env) - 1;
    /* The address is a NUL and the name's bytes, and nothing more. */
    ck_assert_int_eq(getsockname(n.fd, (struct sockaddr *)&sa, &len), 0);
    ck_assert_uint_eq(len, offsetof(struct sockaddr_un, sun_path) + 1 + name);
    ck_assert_int_eq(sa.sun_path[0], '\0');
    ck_assert_int_eq(memcmp(sa.sun_path + 1, env + 1, name), 0);
    check_round_trip(&n);
    notify_free(&n);
}
END_TEST

/* What NOTIFY_SOCKET=@name means, shown by the two mistakes its users
 * make most: a length that counts a final NUL names another socket, and
 * "@name" taken as a path names a file that does not exist. */
START_TEST(socket_abstract_mistakes)
{
    struct notify n;
    struct client c;
    const char *env = notify_open(&n, AT_ABSTRACT, NULL, mono_ms());

    ck_assert_ptr_nonnull(env);
    ck_assert_int_eq(client_open(&c, env), 0);
    c.len++;                                    /* the trailing NUL counted */
    ck_assert_int_eq(client_send(&c, "READY=1", 7, NULL, 0), -1);
    ck_assert_int_eq(errno, ECONNREFUSED);
    c.sa.sun_path[0] = '@';                     /* the '@' kept: a path */
    c.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(env) + 1);
    ck_assert_int_eq(client_send(&c, "READY=1", 7, NULL, 0), -1);
    ck_assert_int_eq(errno, ENOENT);
    c.sa.sun_path[0] = '\0';                    /* right: arrives */
    c.len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(env));
    ck_assert_int_eq(client_send(&c, "READY=1", 7, NULL, 0), 0);
    close(c.fd);
    ck_assert_int_eq(notify_receive(&n), 1);
    ck_assert_int_eq(n.rec.first_ready_sender, getpid());
    ck_assert_int_eq(notify_receive(&n), 0);
    notify_free(&n);
}
END_TEST

static int send_with_fds(const char *env, const void *arg)
{
    int nfds = *(const int *)arg, fds[32], i, r;
    struct client c;

    for (i = 0; i < nfds; i++)
        if ((fds[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
            return -1;
    if (client_open(&c, env) < 0)
        return -1;
    r = client_send(&c, "FDSTORE=1\nFDNAME=x", 18, fds, nfds);
    close(c.fd);
    return r;
}

/* Descriptors a service sends are closed on arrival: the checker's own
 * count does not grow, not even when more come than there is room for. */
START_TEST(socket_rights_closed)
{
    char dir[PATH_MAX];
    struct notify n;
    struct child c;
    int before, three = 3, many = NOTIFY_MAX_FDS + 10;

    ck_assert_ptr_nonnull(notify_open(&n, AT_PATH, fresh_dir(dir, sizeof dir), mono_ms()));
    before = count_fds();
    c = spawn_sender(send_with_fds, n.env, &three);
    assert_clean_exit(collect(&n, &c));
    ck_assert_int_eq(count_fds(), before);
    ck_assert_uint_eq(n.rec.total, 1);
    ck_assert_int_eq(n.rec.msgs[0].from.nfds, 3);
    ck_assert_uint_eq(n.rec.msgs[0].p.facts, BIT(NOTIFY_FDSTORE) | BIT(NOTIFY_UNKNOWN));
    ck_assert_uint_eq(n.rec.fds, 3);

    c = spawn_sender(send_with_fds, n.env, &many);
    assert_clean_exit(collect(&n, &c));
    ck_assert_int_eq(count_fds(), before);
    ck_assert_uint_eq(n.rec.total, 2);
    ck_assert_int_le(n.rec.msgs[1].from.nfds, NOTIFY_MAX_FDS);
    ck_assert_uint_ne(n.rec.msgs[1].p.flaws & BIT(NOTIFY_CTRUNC), 0);
    ck_assert(notify_msg_dropped(&n.rec.msgs[1]));
    ck_assert_int_eq(n.rec.msgs[1].from.pid, c.pid);    /* credentials come first */
    notify_free(&n);
}
END_TEST

static int send_sized(const char *env, const void *arg)
{
    size_t len = *(const size_t *)arg;
    char *buf = malloc(len);
    struct client c;
    int r;

    if (!buf || client_open(&c, env) < 0)
        return -1;
    memset(buf, 'a', len);
    memcpy(buf, "READY=1\nX_PAD=", 14);
    r = client_send(&c, buf, len, NULL, 0);
    close(c.fd);
    free(buf);
    return r;
}

/* systemd's bound: 4096 bytes are taken, 4097 are not. */
START_TEST(socket_oversized)
{
    size_t fits = NOTIFY_MAX_DATAGRAM, over = NOTIFY_MAX_DATAGRAM + 1, large = 60000;
    struct notify n;
    struct child c;

    ck_assert_ptr_nonnull(notify_open(&n, AT_ABSTRACT, NULL, mono_ms()));
    c = spawn_sender(send_sized, n.env, &over);
    assert_clean_exit(collect(&n, &c));
    c = spawn_sender(send_sized, n.env, &large);
    assert_clean_exit(collect(&n, &c));
    ck_assert_int_eq(n.rec.first_ready_ms, -1);
    ck_assert_uint_eq(n.rec.dropped, 2);
    ck_assert_uint_eq(n.rec.msgs[0].from.len, over);
    ck_assert_uint_eq(n.rec.msgs[1].from.len, large);
    ck_assert_int_eq(n.rec.msgs[1].p.first_flaw, NOTIFY_TRUNCATED);
    ck_assert_uint_eq(n.rec.msgs[1].raw_len, NOTIFY_RAW_MAX);
    c = spawn_sender(send_sized, n.env, &fits);
    assert_clean_exit(collect(&n, &c));
    ck_assert_uint_eq(n.rec.msgs[2].from.len, fits);
    ck_assert_uint_eq(n.rec.msgs[2].p.flaws, 0);
    ck_assert_int_ge(n.rec.first_ready_ms, 0);
    notify_free(&n);
}
END_TEST

#define FLOOD 10000

static int send_flood(const char *env, const void *arg)
{
    char text[64];
    struct client c;
    int i, len;

    (void)arg;
    if (client_open(&c, env) < 0)
        return -1;
    for (i = 0; i < FLOOD; i++) {
        len = snprintf(text, sizeof text, "WATCHDOG=1\nX_SEQ=%d", i);
        /* A blocking send waits while the checker's queue is full. */
        if (client_send(&c, text, (size_t)len, NULL, 0) < 0)
            return -1;
    }
    close(c.fd);
    return 0;
}

START_TEST(socket_flood)
{
    char dir[PATH_MAX];
    size_t bound = NOTIFY_KEEP * sizeof(struct notify_msg) + NOTIFY_WATCHDOG_KEEP * sizeof(long);
    const struct notify_sender *s;
    struct notify n;
    struct child c;

    ck_assert_ptr_nonnull(notify_open(&n, AT_PATH, fresh_dir(dir, sizeof dir), mono_ms()));
    c = spawn_sender(send_flood, n.env, NULL);
    assert_clean_exit(collect(&n, &c));
    ck_assert_uint_eq(n.rec.total, FLOOD);
    ck_assert_uint_eq(n.rec.nmsgs, NOTIFY_KEEP);
    ck_assert_uint_eq(n.rec.fact_count[NOTIFY_WATCHDOG], FLOOD);
    ck_assert_uint_eq(n.rec.dropped, 0);
    s = notify_sender_find(&n.rec, c.pid);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->datagrams, FLOOD);
    ck_assert_uint_eq(s->pings, FLOOD);
    ck_assert_uint_eq(s->nping_ms, NOTIFY_WATCHDOG_KEEP);
    ck_assert_str_eq(n.rec.msgs[NOTIFY_KEEP - 1].raw, "WATCHDOG=1\nX_SEQ=255");
    ck_assert_uint_le(notify_record_footprint(&n.rec), bound);
    notify_free(&n);
}
END_TEST

static const char *find_systemd_notify(void)
{
    static const char *const where[] = { "/usr/bin/systemd-notify", "/bin/systemd-notify" };
    size_t i;

    for (i = 0; i < sizeof where / sizeof where[0]; i++)
        if (access(where[i], X_OK) == 0)
            return where[i];
    return NULL;
}

static int run_systemd_notify(const char *env, const void *arg)
{
    char var[NOTIFY_ENV_MAX + 16];
    char *argv[] = { (char *)(size_t)arg, "--ready", "--status=checked", NULL };
    char *envp[] = { var, NULL };

    snprintf(var, sizeof var, "NOTIFY_SOCKET=%s", env);
    execve(argv[0], argv, envp);
    return -1;
}

/* A client nobody here wrote. systemd-notify (v252) sends READY=1, then
 * BARRIER=1 with a pipe's write end, and waits until that end is closed:
 * it exits 0 only because the receiver closes descriptors at once. It
 * claims its parent's pid in the credentials, which the kernel allows to
 * root only; otherwise they carry its own pid. */
START_TEST(socket_systemd_notify)
{
    const char *prog = find_systemd_notify();
    int abstract = _i;
    char dir[PATH_MAX];
    struct notify n;
    struct child c;
    size_t i, barrier = NOTIFY_KEEP;

    if (!prog) {
        printf("skip socket_systemd_notify (systemd-notify not installed)\n");
        return;
    }
    ck_assert_ptr_nonnull(notify_open(&n, abstract, fresh_dir(dir, sizeof dir), mono_ms()));
    c = spawn_sender(run_systemd_notify, n.env, prog);
    assert_clean_exit(collect(&n, &c));
    ck_assert_int_ge(n.rec.first_ready_ms, 0);
    ck_assert_msg(n.rec.first_ready_sender == c.pid || n.rec.first_ready_sender == getpid(),
                  "READY=1 from %d", (int)n.rec.first_ready_sender);
    ck_assert_str_eq(n.rec.status, "checked");
    ck_assert_uint_eq(n.rec.dropped, 0);
    for (i = 0; i < n.rec.nmsgs; i++)
        if (n.rec.msgs[i].p.facts & BIT(NOTIFY_BARRIER))
            barrier = i;
    ck_assert_uint_lt(barrier, n.rec.nmsgs);
    ck_assert_int_eq(n.rec.msgs[barrier].from.nfds, 1);
    notify_free(&n);
}
END_TEST

START_TEST(socket_errors)
{
    char longdir[200];
    struct notify n;
    int before = count_fds();

    ck_assert_ptr_null(notify_open(&n, AT_PATH, "relative/dir", 0));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(notify_open(&n, AT_PATH, NULL, 0));
    ck_assert_int_eq(errno, EINVAL);
    memset(longdir, 'd', sizeof longdir - 1);
    longdir[0] = '/';
    longdir[sizeof longdir - 1] = '\0';
    ck_assert_ptr_null(notify_open(&n, AT_PATH, longdir, 0));
    ck_assert_int_eq(errno, ENAMETOOLONG);
    ck_assert_ptr_null(notify_open(&n, AT_PATH, "/nonexistent/checker-notify", 0));
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(count_fds(), before);
    n.fd = -1;
    ck_assert_int_eq(notify_receive(&n), -1);
    ck_assert_int_eq(errno, EBADF);
}
END_TEST

/* A second socket never takes the first one's place. */
START_TEST(socket_name_taken)
{
    char dir[PATH_MAX];
    struct notify a, b;
    struct stat st, st2;
    int before = count_fds();

    ck_assert_ptr_nonnull(notify_open(&a, AT_PATH, fresh_dir(dir, sizeof dir), 0));
    ck_assert_int_eq(lstat(a.env, &st), 0);
    ck_assert_ptr_null(notify_open(&b, AT_PATH, dir, 0));
    ck_assert_int_eq(errno, EADDRINUSE);
    ck_assert_int_eq(lstat(a.env, &st2), 0);
    ck_assert(st.st_ino == st2.st_ino);
    notify_free(&a);
    ck_assert_int_eq(count_fds(), before);
}
END_TEST

/* What the service put in the socket's place is not the socket: a link
 * is neither followed nor removed, nor is another file. */
START_TEST(socket_close_replaced)
{
    char dir[PATH_MAX], target[PATH_MAX + 16], path[PATH_MAX + 16];
    struct notify n;
    struct stat st;
    int fd;

    fresh_dir(dir, sizeof dir);
    snprintf(target, sizeof target, "%s/precious", dir);
    snprintf(path, sizeof path, "%s/notify", dir);
    fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_ptr_nonnull(notify_open(&n, AT_PATH, dir, 0));
    ck_assert_str_eq(n.env, path);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(symlink(target, path), 0);
    ck_assert_int_eq(notify_close(&n), 0);
    ck_assert_int_eq(lstat(path, &st), 0);
    ck_assert(S_ISLNK(st.st_mode));
    ck_assert_int_eq(stat(target, &st), 0);
    ck_assert_int_eq(notify_close(&n), 0);      /* twice is harmless */
    notify_free(&n);
}
END_TEST

static Suite *notify_suite(void)
{
    Suite *s = suite_create("notify");
    TCase *parse = tcase_create("Parse");
    TCase *malformed = tcase_create("Malformed");
    TCase *record = tcase_create("Record");
    TCase *sock = tcase_create("Socket");

    tcase_set_timeout(parse, 5);
    tcase_add_loop_test(parse, parse_every_key, 0, (int)(sizeof every_key / sizeof every_key[0]));
    tcase_add_test(parse, parse_values);
    tcase_add_test(parse, parse_several_lines);
    tcase_add_test(parse, parse_repeated_keys);
    tcase_add_test(parse, parse_unknown_kept);
    tcase_add_test(parse, parse_words);
    suite_add_tcase(s, parse);

    tcase_set_timeout(malformed, 5);
    tcase_add_test(malformed, parse_no_equals);
    tcase_add_test(malformed, parse_empty_key);
    tcase_add_loop_test(malformed, parse_bad_values, 0, (int)(sizeof bad_values / sizeof bad_values[0]));
    tcase_add_test(malformed, parse_nul_byte);
    tcase_add_test(malformed, parse_bad_utf8);
    tcase_add_test(malformed, parse_empty);
    suite_add_tcase(s, malformed);

    tcase_set_timeout(record, 5);
    tcase_add_checked_fixture(record, record_setup, record_teardown);
    tcase_add_test(record, record_first_ready);
    tcase_add_test(record, record_dropped_not_counted);
    tcase_add_test(record, record_reload);
    tcase_add_test(record, record_reload_past_bound);
    tcase_add_test(record, record_stopping);
    tcase_add_test(record, record_watchdog_gaps);
    tcase_add_test(record, record_watchdog_past_bound);
    tcase_add_test(record, record_bounds);
    tcase_add_test(record, record_cuts);
    suite_add_tcase(s, record);

    tcase_set_timeout(sock, 30);
    tcase_add_unchecked_fixture(sock, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_test(sock, socket_path);
    tcase_add_test(sock, socket_abstract);
    tcase_add_test(sock, socket_abstract_mistakes);
    tcase_add_test(sock, socket_rights_closed);
    tcase_add_test(sock, socket_oversized);
    tcase_add_test(sock, socket_flood);
    tcase_add_loop_test(sock, socket_systemd_notify, 0, 2);
    tcase_add_test(sock, socket_errors);
    tcase_add_test(sock, socket_name_taken);
    tcase_add_test(sock, socket_close_replaced);
    suite_add_tcase(s, sock);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(notify_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
