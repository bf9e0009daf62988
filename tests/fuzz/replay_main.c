/* replay_main.c — a main() for the fuzz targets where libFuzzer is missing.
 *
 * It feeds every file named on the command line, and every regular file
 * inside every directory named there, to LLVMFuzzerTestOneInput, once each,
 * in a buffer of exactly the file's size (so that AddressSanitizer, when it
 * is built in, sees a read past the end). It prints each input's name before
 * running it: when a target aborts, the last name on stderr is the culprit. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static const char *prog = "replay";

/* The whole file in a buffer of its own size; NULL with errno on failure. */
static uint8_t *read_whole(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rbe");
    uint8_t *buf = NULL, *grown;
    size_t len = 0, cap = 0, n;

    if (f == NULL)
        return NULL;
    do {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            grown = realloc(buf, cap);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    if (ferror(f)) {
        free(buf);
        fclose(f);
        errno = EIO;
        return NULL;
    }
    fclose(f);
    /* Shrunk to the exact size: a read one byte past the input must land
     * outside the allocation. */
    grown = malloc(len ? len : 1);
    if (grown == NULL) {
        free(buf);
        return NULL;
    }
    memcpy(grown, buf, len);
    free(buf);
    *size = len;
    return grown;
}

static int replay_file(const char *path)
{
    size_t size = 0;
    uint8_t *data;

    fprintf(stderr, "Running: %s\n", path);
    data = read_whole(path, &size);
    if (data == NULL) {
        fprintf(stderr, "%s: unable to read %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    LLVMFuzzerTestOneInput(data, size);
    free(data);
    return 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's regular files, in name order so that runs repeat. */
static int replay_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, i;
    int r = 0;

    if (d == NULL) {
        fprintf(stderr, "%s: unable to open directory %s: %s\n", prog, dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char **grown;
        char *path;
        struct stat st;

        if (e->d_name[0] == '.')
            continue;
        if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
            r = -1;
            break;
        }
        if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
            free(path);
            continue;
        }
        grown = realloc(names, (n + 1) * sizeof *names);
        if (grown == NULL) {
            free(path);
            r = -1;
            break;
        }
        names = grown;
        names[n++] = path;
    }
    closedir(d);
    if (r == 0 && n > 0)
        qsort(names, n, sizeof *names, compare_names);
    for (i = 0; i < n; i++) {
        if (r == 0 && replay_file(names[i]) < 0)
            r = -1;
        else if (r == 0)
            (*count)++;
        free(names[i]);
    }
    free(names);
    if (r < 0 && errno == ENOMEM)
        fprintf(stderr, "%s: unable to list %s: %s\n", prog, dir, strerror(errno));
    return r;
}

int main(int argc, char **argv)
{
    size_t count = 0;
    int i;

    if (argc > 0)
        prog = argv[0];
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", prog);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        struct stat st;

        if (stat(argv[i], &st) < 0) {
            fprintf(stderr, "%s: unable to stat %s: %s\n", prog, argv[i], strerror(errno));
            return 1;
        }
        if (S_ISDIR(st.st_mode) ? replay_dir(argv[i], &count) < 0
                                : replay_file(argv[i]) < 0)
            return 1;
        if (!S_ISDIR(st.st_mode))
            count++;
    }
    printf("replayed %zu inputs\n", count);
    return 0;
}
