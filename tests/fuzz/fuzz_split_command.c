/* fuzz_split_command.c — split_command (checker/options.h), which turns
 * --stop-command and --compare strings into argv, against a reference
 * splitter written here from the documented rules.
 *
 * The rules (options.h): words as a shell splits them, nothing expanded;
 * blanks (space, tab, newline) separate words; '...' keeps everything up to
 * the next '; "..." keeps everything but \" and \\, which stand for " and
 * \ (any other backslash is kept with what follows); outside quotes a
 * backslash keeps the next character, whatever it is.
 *
 * Promises checked: the same words as the reference, in order, argc of
 * them and a NULL after the last; NULL with errno EINVAL exactly when a
 * quote is left open; nothing read past the string's NUL (ASan); nothing
 * leaked once free_command has run (LeakSanitizer). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "options.h"

#define FUZZ_MAX_LEN 512

struct words {
    char **w;
    int n;
};

static int separator(char c)
{
    return c == ' ' || c == '\t' || c == '\n';
}

/* The reference: 0 and the words, or -1 for an open quote. A state machine
 * with one state per context, unlike the parser's single loop. */
static int ref_split(const char *s, struct words *out)
{
    enum { BETWEEN, WORD, SINGLE, DOUBLE } state = BETWEEN;
    size_t len = strlen(s);
    char *word = malloc(len + 1);
    size_t wn = 0;

    FUZZ_ASSERT(word != NULL);
    out->w = calloc(len + 2, sizeof *out->w);
    out->n = 0;
    FUZZ_ASSERT(out->w != NULL);
    for (;; s++) {
        char c = *s;

        if (state == SINGLE) {
            if (c == '\0')
                break;
            if (c == '\'')
                state = WORD;
            else
                word[wn++] = c;
            continue;
        }
        if (state == DOUBLE) {
            if (c == '\0')
                break;
            if (c == '"')
                state = WORD;
            else if (c == '\\' && (s[1] == '"' || s[1] == '\\'))
                word[wn++] = *++s;
            else
                word[wn++] = c;
            continue;
        }
        /* BETWEEN or WORD */
        if (c == '\0' || separator(c)) {
            if (state == WORD) {
                word[wn] = '\0';
                out->w[out->n] = strdup(word);
                FUZZ_ASSERT(out->w[out->n] != NULL);
                out->n++;
                wn = 0;
            }
            state = BETWEEN;
            if (c == '\0')
                break;
            continue;
        }
        state = WORD;
        if (c == '\'')
            state = SINGLE;
        else if (c == '"')
            state = DOUBLE;
        else if (c == '\\' && s[1] != '\0')
            word[wn++] = *++s;
        else
            word[wn++] = c;
    }
    free(word);
    return state == SINGLE || state == DOUBLE ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    struct words want;
    char **got;
    int argc = -1, expected, i;

    FUZZ_ASSERT(s != NULL);
    memcpy(s, data, size);
    s[size] = '\0';
    expected = ref_split(s, &want);
    errno = 0;
    got = split_command(s, &argc);
    if (expected < 0) {
        FUZZ_ASSERT(got == NULL && errno == EINVAL);
    } else {
        FUZZ_ASSERT(got != NULL);
        FUZZ_ASSERT(argc == want.n);
        for (i = 0; i < argc; i++) {
            FUZZ_ASSERT(got[i] != NULL);
            FUZZ_ASSERT(strcmp(got[i], want.w[i]) == 0);
        }
        FUZZ_ASSERT(got[argc] == NULL);
    }
    free_command(got);
    for (i = 0; i < want.n; i++)
        free(want.w[i]);
    free(want.w);
    free(s);
    return 0;
}
