/* fuzz_notify.c — libFuzzer target for the sd_notify datagram parser and
 * the record it feeds (checker/notify.c): any bytes at all must be parsed
 * without a crash, an overread or a leak, and what the parse says must be
 * consistent with the bytes.
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -Ichecker \
 *       tests/fuzz/fuzz_notify.c checker/notify.c checker/utf8.c
 *   ./a.out tests/fuzz/corpus/notify */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What must hold of any parse. */
static void check_parse(const char *buf, size_t len, const struct notify_parse *p)
{
    if (p->flaws & ~((1u << NOTIFY_NFLAWS) - 1))
        abort();
    if (p->facts & ~((1u << NOTIFY_NFACTS) - 1))
        abort();
    if (p->flaws && !(p->flaws & NOTIFY_BIT(p->first_flaw)))
        abort();
    if ((p->lines == 0) != ((p->flaws & NOTIFY_BIT(NOTIFY_EMPTY)) != 0))
        abort();
    if (!!memchr(buf, '\0', len) != !!(p->flaws & NOTIFY_BIT(NOTIFY_NUL)))
        abort();
    if ((p->facts & NOTIFY_BIT(NOTIFY_MAINPID)) &&
        (p->mainpid <= 0 || p->mainpid > NOTIFY_PID_MAX))
        abort();
    if ((p->facts & NOTIFY_BIT(NOTIFY_STATUS)) &&
        (p->status_off > len || p->status_len > len - p->status_off ||
         p->status_off < 7 || memcmp(buf + p->status_off - 7, "STATUS=", 7) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct notify_record rec;
    static int ready;
    struct notify_origin o = { 0 };
    struct notify_parse p;
    const char *buf = (const char *)data;
    size_t n = size < NOTIFY_MAX_DATAGRAM ? size : NOTIFY_MAX_DATAGRAM;

    notify_parse(buf, size, &p);
    check_parse(buf, size, &p);

    /* One record across all inputs: its bounds must hold however many
     * datagrams arrive, from however many senders. */
    if (!ready) {
        if (notify_record_init(&rec) < 0)
            return 0;
        ready = 1;
    }
    o.ms = (long)rec.total;
    o.pid = size > 0 ? 1 + data[0] % 32 : 1;
    o.has_creds = 1;
    o.len = size;
    if (size > NOTIFY_MAX_DATAGRAM)
        o.flaws = NOTIFY_BIT(NOTIFY_TRUNCATED);
    notify_record_add(&rec, &o, buf, n);
    if (rec.nmsgs > NOTIFY_KEEP || rec.nsenders > NOTIFY_MAX_SENDERS ||
        rec.nmainpids > NOTIFY_MAX_MAINPIDS || rec.nreloads > NOTIFY_MAX_RELOADS ||
        strlen(rec.status) > NOTIFY_STATUS_MAX)
        abort();
    if (rec.nmsgs > 0 && rec.msgs[rec.nmsgs - 1].raw_len > NOTIFY_RAW_MAX)
        abort();
    return 0;
}
