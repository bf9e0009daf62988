/* fuzz_proc_net_tcp.c — proc_tcp_listeners and proc_socket_inode
 * (checker/proc.h) on arbitrary text: /proc/net/tcp and tcp6 tables, and
 * descriptor link targets such as "socket:[12345]".
 *
 * Promises checked:
 * - nothing past len is read (ASan);
 * - the count is -1 with EINVAL, or >= 0 and the same whatever the room
 *   given: with room for all, every listener's port fits 16 bits, and with
 *   less room only the first ones are written (the same as with all);
 * - a link target is a socket's exactly when it reads "socket:[DIGITS]",
 *   and then its inode is those digits (checked with strtoull). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proc.h"

#define FUZZ_MAX_LEN 4096
#define ROOM 64

static void check_table(const uint8_t *data, size_t size)
{
    struct proc_tcp_listener all[ROOM], few[2];
    long n, m;

    errno = 0;
    n = proc_tcp_listeners((const char *)data, size, all, ROOM);
    FUZZ_ASSERT(n >= 0 || (n == -1 && errno == EINVAL));
    m = proc_tcp_listeners((const char *)data, size, few, 2);
    FUZZ_ASSERT(m == n);
    for (long i = 0; i < n && i < ROOM; i++)
        FUZZ_ASSERT(all[i].port <= 65535);
    for (long i = 0; i < n && i < 2; i++)
        FUZZ_ASSERT(few[i].port == all[i].port && few[i].inode == all[i].inode);
}

static void check_link(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *stop;
    unsigned long long ino = 0, want;
    size_t n;
    int r, looks;

    FUZZ_ASSERT(text != NULL);
    memcpy(text, data, size);
    text[size] = '\0';
    n = strlen(text);
    looks = n > 9 && strncmp(text, "socket:[", 8) == 0 && text[n - 1] == ']' &&
            strspn(text + 8, "0123456789") == n - 9;
    r = proc_socket_inode(text, &ino);
    if (looks) {
        errno = 0;
        want = strtoull(text + 8, &stop, 10);
        FUZZ_ASSERT(r == (errno ? -1 : 0));
        if (r == 0)
            FUZZ_ASSERT(ino == want);
    } else {
        FUZZ_ASSERT(r == -1);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_table(data, size);
    check_link(data, size);
    return 0;
}
