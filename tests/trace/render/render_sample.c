/* render_sample.c — sample traces, built by hand, written in the trace's
 * three renderings (text, JSON, HTML), for tests/trace/run.py to check and
 * for a person to look at.
 *
 *   render_sample OUTDIR [NAME...]
 *
 * writes OUTDIR/NAME.txt, NAME.json, NAME.html and NAME.manifest.json (what
 * the trace holds: its events' kinds in its order, its processes; for the
 * test to count the picture's lanes and markers against) for each sample,
 * or for the ones named. The samples: a correct
 * classic daemon over a whole run; the seed's recipe as it behaves; a
 * pidfile written by the intermediate before its fork; a daemon with 40
 * workers, which it signals at the end; a stop command that signals the
 * stale pid of the pidfile and a daemon that leaves its pidfile behind;
 * hostile bytes everywhere the candidate has a say; and a trace of random
 * nonsense, which must render as validly as the others. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "json.h"
#include "trace.h"
#include "trace_render.h"
#include "trace_words.h"

#define MS 1000LL
#define EXITED(code) ((code) << 8)

static const char *prog = "render_sample";

static void die(const char *what)
{
    fprintf(stderr, "%s: unable to %s: %s\n", prog, what, strerror(errno));
    exit(1);
}

/* ---- building a trace -------------------------------------------------- */

static void trace_start(struct trace *t)
{
    memset(t, 0, sizeof *t);
}

static void trace_end(struct trace *t)
{
    free(t->ev);
    free(t->procs);
}

static int launch(struct trace *t, enum trace_launch_kind kind, long long t0, pid_t first)
{
    t->launches[t->nlaunches] = (struct trace_launch){ kind, t0, first };
    return t->nlaunches++;
}

static struct trace_proc *proc(struct trace *t, int l, pid_t pid, pid_t ppid, enum trace_role role,
                               long long start, pid_t sid, pid_t pgid, const char *comm)
{
    struct trace_proc *p;

    if (t->nprocs == t->procs_cap) {
        t->procs_cap = t->procs_cap ? 2 * t->procs_cap : 16;
        t->procs = realloc(t->procs, t->procs_cap * sizeof *t->procs);
        if (t->procs == NULL)
            die("allocate the processes");
    }
    p = &t->procs[t->nprocs++];
    memset(p, 0, sizeof *p);
    *p = (struct trace_proc){ .pid = pid, .ppid = ppid, .launch = l, .role = role,
                              .start_us = start, .end_us = -1, .sid = sid, .pgid = pgid };
    snprintf(p->comm, sizeof p->comm, "%s", comm);
    return p;
}

static struct trace_proc *find(struct trace *t, pid_t pid)
{
    for (size_t i = t->nprocs; i-- > 0;)
        if (t->procs[i].pid == pid)
            return &t->procs[i];
    return NULL;
}

/* An event; value and arg as trace.h says for its kind. Returns its index. */
static size_t ev(struct trace *t, int l, long long us, pid_t pid, enum trace_kind kind,
                 long long value, long long arg, const char *detail)
{
    struct trace_event *e;
    struct trace_proc *p = find(t, pid);

    if (t->nev == t->ev_cap) {
        t->ev_cap = t->ev_cap ? 2 * t->ev_cap : 64;
        t->ev = realloc(t->ev, t->ev_cap * sizeof *t->ev);
        if (t->ev == NULL)
            die("allocate the events");
    }
    e = &t->ev[t->nev];
    memset(e, 0, sizeof *e);
    e->us = us;
    e->launch = l;
    e->pid = pid;
    e->ppid = p ? p->ppid : 0;
    e->kind = kind;
    e->value = value;
    e->arg = arg;
    e->check = -1;
    snprintf(e->detail, sizeof e->detail, "%s", detail ? detail : "");
    if (kind == TE_EXIT && p != NULL) {
        p->end_us = us;
        p->status = (int)value;
    }
    return t->nev++;
}

static int check_index(const char *id)
{
    const struct check *c = check_find(id);

    if (c == NULL) {
        fprintf(stderr, "%s: no check named %s in this checker\n", prog, id);
        exit(1);
    }
    return (int)(c - checks);
}

static void fail(struct result *results, const char *id)
{
    results[check_index(id)].status = ST_FAIL;
}

static void mark(struct trace *t, struct result *results, size_t event, const char *id,
                 const char *why)
{
    fail(results, id);
    if (trace_mark_event(t, event, check_index(id), why) < 0)
        die("mark an event");
}

static void mark_proc(struct trace *t, struct result *results, int l, pid_t pid, const char *id,
                      const char *why)
{
    fail(results, id);
    if (trace_mark_process(t, l, pid, check_index(id), why) < 0)
        die("mark a process");
}

/* The steps the reference daemon takes once it runs in the daemon's
 * process, from us on: the directory, the umask, /dev/null on 0-2, the
 * checker's sentinels closed, signals reset, the pidfile opened, locked and
 * written, its handlers. Returns the time after them. */
static long long daemon_setup(struct trace *t, int l, pid_t pid, long long us, int pidfile)
{
    char pidtext[32];

    ev(t, l, us += 25, pid, TE_CHDIR, 0, 0, "/");
    ev(t, l, us += 6, pid, TE_UMASK, 0, 0, NULL);
    ev(t, l, us += 14, pid, TE_OPEN, 5, 0, "open /dev/null as fd 5 (O_RDWR)");
    for (int fd = 0; fd < 3; fd++)
        ev(t, l, us += 4, pid, TE_DUP, fd, 5, NULL);
    ev(t, l, us += 5, pid, TE_CLOSE, 3, 0, NULL);
    ev(t, l, us += 3, pid, TE_CLOSE, 4, 0, NULL);
    ev(t, l, us += 6, pid, TE_SIGMASK, 0, 0, "SIGRTMIN+2 unblocked");
    ev(t, l, us += 4, pid, TE_SIGACTION, SIGRTMIN + 1, 0, NULL);
    if (pidfile) {
        snprintf(pidtext, sizeof pidtext, "\"%d\\n\"", (int)pid);
        ev(t, l, us += 30, pid, TE_OPEN, 3, 0, "open the pidfile as fd 3 (O_RDWR|O_CREAT)");
        ev(t, l, us += 9, pid, TE_LOCK, 3, 1, "F_SETLK write lock on the pidfile (fd 3): done");
        ev(t, l, us += 12, pid, TE_PIDFILE_WRITE, 0, 0, pidtext);
    }
    ev(t, l, us += 8, pid, TE_SIGACTION, SIGTERM, 2, NULL);
    ev(t, l, us += 3, pid, TE_SIGACTION, SIGHUP, 2, NULL);
    return us;
}

/* A launcher that forks an intermediate, which makes a session and forks
 * the daemon: the classic double fork, from us on. */
static long long double_fork(struct trace *t, int l, pid_t base, long long us, const char *comm,
                             pid_t term_sid)
{
    pid_t la = base, mid = base + 1, dm = base + 2;

    proc(t, l, la, 2990, TR_LAUNCHER, us, term_sid, la, comm);
    ev(t, l, us += 40, la, TE_EXEC, 0, 0, "/work/skeleton/c/mydaemon");
    ev(t, l, us += 270, la, TE_SPAWN, mid, 0, "fork");
    proc(t, l, mid, la, TR_INTERMEDIATE, us + 5, 0, 0, comm);
    ev(t, l, us += 40, la, TE_EXIT, EXITED(0), 0, NULL);
    ev(t, l, us += 20, mid, TE_SETSID, mid, 0, NULL);
    ev(t, l, us += 25, mid, TE_SPAWN, dm, 0, "fork");
    proc(t, l, dm, mid, TR_DAEMON, us + 4, 0, 0, comm);
    ev(t, l, us += 18, mid, TE_EXIT, EXITED(0), 0, NULL);
    return us;
}

/* ---- the samples ------------------------------------------------------- */

/* The reference daemon over a whole run: first start, second start
 * refused by the lock, hang-up, the stop command, a start over a stale
 * pidfile, its stop. Every check passes. */
static void sample_classic(struct trace *t, struct result *r)
{
    int first = launch(t, TL_START, 0, 3000), second, stop, stale;
    long long us;

    (void)r;
    us = double_fork(t, first, 3000, 0, "mydaemon", 2990);
    daemon_setup(t, first, 3002, us, 1);
    second = launch(t, TL_SECOND, 262100, 3010);
    proc(t, second, 3010, 2990, TR_LAUNCHER, 262100, 2995, 3010, "mydaemon");
    ev(t, second, 262140, 3010, TE_EXEC, 0, 0, "/work/skeleton/c/mydaemon");
    ev(t, second, 262400, 3010, TE_OPEN, 3, 0, "open the pidfile as fd 3 (O_RDWR|O_CREAT)");
    ev(t, second, 262420, 3010, TE_LOCK, -EAGAIN, 1,
       "F_SETLK write lock on the pidfile (fd 3): EAGAIN");
    ev(t, second, 262500, 3010, TE_EXIT, EXITED(1), 0, NULL);
    ev(t, first, 263400, 0, TE_CHECKER, 0, TC_HANGUP, NULL);
    stop = launch(t, TL_STOP, 515000, 3015);
    ev(t, stop, 515000, 0, TE_CHECKER, 0, TC_STOP_COMMAND, NULL);
    proc(t, stop, 3015, 2990, TR_LAUNCHER, 515000, 2990, 3015, "mydaemon");
    ev(t, stop, 515060, 3015, TE_EXEC, 0, 0, "/work/skeleton/c/mydaemon");
    ev(t, stop, 515300, 3015, TE_KILL, SIGTERM, 3002,
       "pidfd_send_signal(fd 4 = pid 3002, SIGTERM) to the pidfile's pid: done");
    ev(t, first, 515400, 3002, TE_SIGNAL, SIGTERM, 0, NULL);
    ev(t, first, 515600, 3002, TE_UNLINK, 0, TU_REMOVED,
       "unlinkat(fd 5, \"daemon.pid\") from /tmp/checker.Xq2, the pidfile: done");
    ev(t, first, 515700, 3002, TE_EXIT, EXITED(0), 0, NULL);
    ev(t, stop, 515800, 3015, TE_EXIT, EXITED(0), 0, NULL);
    stale = launch(t, TL_STALE, 521000, 3020);
    us = double_fork(t, stale, 3020, 521000, "mydaemon", 2996);
    daemon_setup(t, stale, 3022, us, 1);
    ev(t, stale, 776000, 3022, TE_CHECKER, SIGTERM, TC_SIGNAL, NULL);
    ev(t, stale, 776080, 3022, TE_SIGNAL, SIGTERM, 0, NULL);
    ev(t, stale, 776200, 3022, TE_UNLINK, 0, TU_REMOVED, NULL);
    ev(t, stale, 776300, 3022, TE_EXIT, EXITED(0), 0, NULL);
}

/* skeleton/c/steps/seed-as-published.c as it behaves: one fork, setsid in
 * the child, which then leads its session; 0-2 closed, the checker's
 * descriptors and signals left as they were; no pidfile; SIGTERM kills it. */
static void sample_seed(struct trace *t, struct result *r)
{
    int l = launch(t, TL_START, 0, 3000);
    size_t setsid_ev;

    proc(t, l, 3000, 2990, TR_LAUNCHER, 0, 2990, 3000, "seed-as-publish");
    ev(t, l, 35, 3000, TE_EXEC, 0, 0, "skeleton/c/steps/bin/seed-as-published");
    ev(t, l, 290, 3000, TE_SPAWN, 3001, 0, "fork");
    proc(t, l, 3001, 3000, TR_DAEMON, 296, 0, 0, "seed-as-publish");
    ev(t, l, 330, 3000, TE_EXIT, EXITED(0), 0, NULL);
    ev(t, l, 318, 3001, TE_UMASK, 0, 0, NULL);
    setsid_ev = ev(t, l, 341, 3001, TE_SETSID, 3001, 0, NULL);
    ev(t, l, 352, 3001, TE_CHDIR, 0, 0, "/");
    ev(t, l, 360, 3001, TE_CLOSE, 0, 0, NULL);
    ev(t, l, 363, 3001, TE_CLOSE, 1, 0, NULL);
    ev(t, l, 366, 3001, TE_CLOSE, 2, 0, NULL);
    ev(t, l, 251900, 0, TE_CHECKER, 0, TC_HANGUP, NULL);
    ev(t, l, 503000, 3001, TE_CHECKER, SIGTERM, TC_SIGNAL, NULL);
    ev(t, l, 503060, 3001, TE_SIGNAL, SIGTERM, 0, NULL);
    ev(t, l, 503090, 3001, TE_EXIT, SIGTERM, 0, NULL);
    mark(t, r, setsid_ev, "not-session-leader",
         "3001 made its own session and never forked again: it leads that session, so "
         "opening a terminal would make it its controlling terminal");
    mark_proc(t, r, l, 3001, "no-inherited-fds",
              "fds 3 and 4, which the checker handed in, were never closed");
    mark_proc(t, r, l, 3001, "signals-reset",
              "SIGRTMIN+2 is still blocked and SIGRTMIN+1 still ignored: nothing reset them");
    for (int c = 0; c < CK_COUNT; c++)
        if (strncmp(checks[c].id, "pidfile", 7) == 0 || strcmp(checks[c].id, "single-instance") == 0
            || strcmp(checks[c].id, "stale-pidfile") == 0)
            r[c].status = ST_SKIP;
}

/* The pidfile written by the intermediate before its fork: it names a
 * process that is about to exit. */
static void sample_pidfile_early(struct trace *t, struct result *r)
{
    int l = launch(t, TL_START, 0, 3000);
    size_t write_ev;
    long long us = 0;

    proc(t, l, 3000, 2990, TR_LAUNCHER, 0, 2990, 3000, "earlypid");
    ev(t, l, us += 40, 3000, TE_EXEC, 0, 0, "tests/zoo/bin/pidfile-wrong-pid");
    ev(t, l, us += 250, 3000, TE_SPAWN, 3001, 0, "fork");
    proc(t, l, 3001, 3000, TR_INTERMEDIATE, us + 5, 0, 0, "earlypid");
    ev(t, l, us += 30, 3000, TE_EXIT, EXITED(0), 0, NULL);
    ev(t, l, us += 20, 3001, TE_SETSID, 3001, 0, NULL);
    ev(t, l, us += 30, 3001, TE_OPEN, 3, 0, "open the pidfile as fd 3 (O_RDWR|O_CREAT)");
    write_ev = ev(t, l, us += 12, 3001, TE_PIDFILE_WRITE, 0, 0, "\"3001\\n\"");
    ev(t, l, us += 20, 3001, TE_SPAWN, 3002, 0, "fork");
    proc(t, l, 3002, 3001, TR_DAEMON, us + 4, 0, 0, "earlypid");
    ev(t, l, us += 15, 3001, TE_EXIT, EXITED(0), 0, NULL);
    daemon_setup(t, l, 3002, us, 0);
    ev(t, l, 258000, 0, TE_CHECKER, 0, TC_HANGUP, NULL);
    ev(t, l, 510000, 3002, TE_CHECKER, SIGTERM, TC_SIGNAL, NULL);
    ev(t, l, 510050, 3002, TE_SIGNAL, SIGTERM, 0, NULL);
    ev(t, l, 510400, 3002, TE_EXIT, EXITED(0), 0, NULL);
    mark(t, r, write_ev, "pidfile-content",
         "the intermediate wrote its own pid, 3001, then forked the daemon and exited: the "
         "pidfile names a dead process; the daemon is 3002");
}

/* A daemon that closes a range of descriptors one by one, then forks 40
 * workers; one of them crashes. */
static void sample_workers(struct trace *t, struct result *r)
{
    int l = launch(t, TL_START, 0, 3000);
    long long us;

    (void)r;
    us = double_fork(t, l, 3000, 0, "pool", 2990);
    us = daemon_setup(t, l, 3002, us, 1);
    for (int fd = 5; fd < 12; fd++)     /* a loop over the descriptors: folded in the text */
        ev(t, l, us += 3, 3002, TE_CLOSE, fd, 0, NULL);
    for (int k = 0; k < 40; k++) {
        pid_t w = 3003 + k;

        ev(t, l, us + 60 * k, 3002, TE_SPAWN, w, 0, "fork");
        proc(t, l, w, 3002, TR_WORKER, us + 60 * k + 5, 0, 0, "pool-worker");
        ev(t, l, us + 60 * k + 40, w, TE_SIGACTION, SIGTERM, 0, NULL);
    }
    ev(t, l, 180400, 3017, TE_SIGNAL, SIGSEGV, 0, NULL);
    ev(t, l, 180500, 3017, TE_EXIT, SIGSEGV | 0x80, 0, NULL);
    ev(t, l, 260000, 0, TE_CHECKER, 0, TC_HANGUP, NULL);
    ev(t, l, 512000, 3002, TE_CHECKER, SIGTERM, TC_SIGNAL, NULL);
    ev(t, l, 512050, 3002, TE_SIGNAL, SIGTERM, 0, NULL);
    for (int k = 0; k < 40; k++) {      /* the daemon ends its workers: folded as their forks */
        pid_t w = 3003 + k;
        char words[64];

        if (w == 3017)
            continue;
        snprintf(words, sizeof words, "kill(%d, SIGTERM): done", (int)w);
        ev(t, l, 512100 + 2 * k, 3002, TE_KILL, SIGTERM, w, words);
    }
    for (int k = 0; k < 40; k++) {
        pid_t w = 3003 + k;

        if (w == 3017)
            continue;
        ev(t, l, 512200 + 15 * k, w, TE_SIGNAL, SIGTERM, 0, NULL);
        ev(t, l, 512900 + 20 * k, w, TE_EXIT, SIGTERM, 0, NULL);
    }
    ev(t, l, 514000, 3002, TE_EXIT, EXITED(0), 0, NULL);
}

/* A stop command that reads the pidfile, which names the intermediate
 * (long gone), and signals that pid; the daemon runs on until the
 * checker's SIGTERM, then removes a file of the pidfile's name from /,
 * its working directory, and leaves the pidfile behind. */
static void sample_stop_stale_pid(struct trace *t, struct result *r)
{
    int l = launch(t, TL_START, 0, 3000), stop;
    size_t write_ev, sent, end;
    long long us;

    us = double_fork(t, l, 3000, 0, "stale-stop", 2990);
    write_ev = ev(t, l, us += 30, 3002, TE_PIDFILE_WRITE, 0, 0, "\"3001\\n\"");
    daemon_setup(t, l, 3002, us, 0);
    ev(t, l, 258000, 0, TE_CHECKER, 0, TC_HANGUP, NULL);
    stop = launch(t, TL_STOP, 510000, 3010);
    ev(t, stop, 510000, 0, TE_CHECKER, 0, TC_STOP_COMMAND, NULL);
    proc(t, stop, 3010, 2990, TR_LAUNCHER, 510000, 2990, 3010, "sh");
    ev(t, stop, 510050, 3010, TE_EXEC, 0, 0, "/bin/sh -c kill $(cat /tmp/checker.Xq2/daemon.pid)");
    ev(t, stop, 510400, 3010, TE_KILL, 0, 3001, "kill(3001, 0) (a probe of the pidfile's pid): ESRCH");
    sent = ev(t, stop, 510420, 3010, TE_KILL, SIGTERM, 3001,
              "kill(3001, SIGTERM) to the pidfile's pid: ESRCH");
    ev(t, stop, 510600, 3010, TE_EXIT, EXITED(1), 0, NULL);
    ev(t, l, 5510000, 3002, TE_CHECKER, SIGTERM, TC_SIGNAL, NULL);
    ev(t, l, 5510060, 3002, TE_SIGNAL, SIGTERM, 0, NULL);
    ev(t, l, 5510100, 3002, TE_UNLINK, -ENOENT, TU_ELSEWHERE,
       "unlink(\"daemon.pid\") from /, not the pidfile (another directory): ENOENT");
    end = ev(t, l, 5510200, 3002, TE_EXIT, EXITED(0), 0, NULL);
    mark(t, r, write_ev, "pidfile-content",
         "pid 3002 writes pid 3001 here, but pid 3001 is the intermediate, which exits at +0.4 ms");
    mark(t, r, sent, "stops-on-sigterm",
         "the stop command sent SIGTERM here to pid 3001, the pid the pidfile holds, the "
         "intermediate of the first start, which had exited at +0.4 ms, not to the daemon, pid 3002");
    mark(t, r, sent, "stop-command",
         "the stop command's SIGTERM failed here with ESRCH (no such process)");
    mark(t, r, end - 1, "pidfile-removed",
         "pid 3002 removes a file named like the pidfile here, but in another directory");
}

/* Whatever bytes a candidate can put in a name, a path, a pidfile or a
 * message: markup, quotes, terminal escapes, invalid UTF-8, C1 controls,
 * noncharacters; an event of a process the trace never recorded; an event
 * of a launch it does not have. */
static void sample_hostile(struct trace *t, struct result *r)
{
    int l = launch(t, TL_START, 0, 3000);
    size_t w;

    proc(t, l, 3000, 2990, TR_LAUNCHER, 0, 2990, 3000, "<script>alert(1)</script>");
    ev(t, l, 30, 3000, TE_EXEC, 0, 0, "./\"><img src=x onerror=alert(1)>\x1b[31mred\xff\xfe");
    ev(t, l, 200, 3000, TE_SPAWN, 3001, 0, "clone");
    proc(t, l, 3001, 3000, TR_DAEMON, 205, 0, 0, "a&amp;b\"'<]]>--\xc2\x9b\xef\xbf\xbe");
    ev(t, l, 260, 3000, TE_EXIT, EXITED(0), 0, NULL);
    ev(t, l, 300, 3001, TE_SETSID, 3001, 0, NULL);
    ev(t, l, 320, 3001, TE_CHDIR, 0, 0, "/tmp/<!-- -->/&#0;/\x01\x02\x7f/é/\xe2\x80\xae");
    ev(t, l, 340, 3001, TE_OPEN, -ENOENT, 0,
       "open the pidfile /nonexistent/</svg></div><script>x</script> (O_RDONLY): ENOENT");
    w = ev(t, l, 360, 3001, TE_PIDFILE_WRITE, 0, 0, "\"\xff\xfe<b>3001</b>\\n\"");
    ev(t, l, 380, 3001, TE_NOTIFY, 0, 0, "READY=1\nSTATUS=<b>&amp;</b>\r\n\x1b]0;title\x07");
    ev(t, l, 400, 3001, TE_SIGACTION, 999, 7, NULL);
    ev(t, l, 410, 3001, TE_UNSEEN, 0, 0, "a setuid program was executed: \x1b[2J\x1b[H");
    ev(t, l, 420, 4242, TE_CHDIR, 0, 0, "a process the trace never recorded");
    ev(t, 5, 430, 4243, TE_UMASK, 077, 0, NULL);
    ev(t, l, 440, 9999, TE_CHECKER, SIGKILL, TC_SWEEP, NULL);
    ev(t, l, 450, 3001, TE_EXIT, 0x7f7f, 0, NULL);
    mark(t, r, w, "pidfile-content",
         "it holds \"\xff\xfe<b>3001</b>\\n\": <script>alert(2)</script> & not a pid");
    mark_proc(t, r, l, 0, "stale-pidfile", "a launch-wide mark: <i>nothing</i> & \x1b[31m");
    t->dropped = 12;
}

/* A deterministic pseudo-random number (xorshift64), for the fuzz sample. */
static unsigned long long fuzz_state = 0x9e3779b97f4a7c15ull;

static long long fuzz(long long lo, long long hi)
{
    fuzz_state ^= fuzz_state << 13;
    fuzz_state ^= fuzz_state >> 7;
    fuzz_state ^= fuzz_state << 17;
    return lo + (long long)(fuzz_state % (unsigned long long)(hi - lo + 1));
}

static void fuzz_bytes(char *buf, size_t cap)
{
    size_t n = (size_t)fuzz(0, (long long)cap - 1);

    for (size_t i = 0; i < n; i++)
        buf[i] = (char)fuzz(1, 255);
    buf[n] = '\0';
}

/* What no tracer should record, and a renderer must survive: unknown
 * kinds, pids reused across launches and in cycles of parents, launches
 * the trace lacks, times out of order and before the run, ends before
 * starts, any byte in any text, marks of checks that do not exist. Its
 * renderings are checked for validity, not against a golden file. */
static void sample_fuzz(struct trace *t, struct result *r)
{
    char text[TRACE_WHY];

    for (int l = 0; l < 3; l++)
        launch(t, (enum trace_launch_kind)fuzz(0, 6), fuzz(-1000, 900000), (pid_t)fuzz(1, 40));
    for (int i = 0; i < 60; i++) {
        struct trace_proc *p;

        fuzz_bytes(text, 32);
        p = proc(t, (int)fuzz(-1, 9), (pid_t)fuzz(1, 40), (pid_t)fuzz(0, 40),
                 (enum trace_role)fuzz(0, 7), fuzz(-5000, 900000), (pid_t)fuzz(0, 40),
                 (pid_t)fuzz(0, 40), text);
        p->end_us = fuzz(0, 3) ? fuzz(-5000, 900000) : -1;
        p->status = (int)fuzz(0, 0xffff);
    }
    for (int i = 0; i < 400; i++) {
        size_t e;

        fuzz_bytes(text, TRACE_DETAIL);
        e = ev(t, (int)fuzz(-1, 9), fuzz(-5000, 900000), (pid_t)fuzz(0, 45),
               (enum trace_kind)fuzz(-1, TE_UNLINK + 2), fuzz(-200, 70000), fuzz(-3, 1100), text);
        t->ev[e].ppid = (pid_t)fuzz(0, 45);
        if (fuzz(0, 30) == 0) {
            fuzz_bytes(text, TRACE_WHY);
            trace_mark_event(t, e, (int)fuzz(-2, CK_COUNT + 3), text);
        }
    }
    for (int i = 0; i < 6; i++) {
        fuzz_bytes(text, 64);
        trace_mark_process(t, (int)fuzz(0, 2), (pid_t)fuzz(0, 45), (int)fuzz(0, CK_COUNT - 1), text);
    }
    for (int c = 0; c < CK_COUNT; c++)
        r[c].status = (enum status)fuzz(0, 3);
    t->dropped = (size_t)fuzz(0, 5);
}

struct sample {
    const char *name;
    void (*build)(struct trace *t, struct result *r);
};

static const struct sample samples[] = {
    { "classic", sample_classic },
    { "seed", sample_seed },
    { "pidfile-early", sample_pidfile_early },
    { "workers", sample_workers },
    { "stop-stale-pid", sample_stop_stale_pid },
    { "hostile", sample_hostile },
    { "fuzz", sample_fuzz },
};

/* ---- writing ------------------------------------------------------------ */

static FILE *open_out(const char *dir, const char *name, const char *ext)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof path, "%s/%s.%s", dir, name, ext);
    f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "%s: unable to create %s: %s\n", prog, path, strerror(errno));
        exit(1);
    }
    return f;
}

static void close_out(FILE *f, const char *name)
{
    if (ferror(f) || fclose(f) != 0) {
        fprintf(stderr, "%s: unable to write the output of %s: %s\n", prog, name, strerror(errno));
        exit(1);
    }
}

/* Whether the picture shows a mark of this check: a check of the table
 * that failed or warned. */
static int shown(const struct result *results, int check)
{
    return check >= 0 && check < CK_COUNT
        && (results[check].status == ST_FAIL || results[check].status == ST_WARN);
}

/* Events that explain a shown failure, counted as the picture must. */
static long long marked_events(const struct trace *t, const struct result *results)
{
    long long n = 0;

    for (size_t i = 0; i < t->nev; i++) {
        int marked = shown(results, t->ev[i].check);

        for (int m = 0; m < t->nmarks && !marked; m++)
            marked = t->marks[m].event == (long)i && shown(results, t->marks[m].check);
        n += marked;
    }
    return n;
}

static long long stray_marks(const struct trace *t, const struct result *results)
{
    long long n = 0;

    for (int m = 0; m < t->nmarks; m++)
        n += t->marks[m].event < 0 && shown(results, t->marks[m].check);
    return n;
}

static void write_manifest(FILE *f, const struct trace *t, const struct result *results)
{
    struct json j;

    json_init(&j, f, 2);
    json_object_begin(&j);
    json_key(&j, "events");
    json_int(&j, (long long)t->nev);
    json_key(&j, "marked_events");
    json_int(&j, marked_events(t, results));
    json_key(&j, "stray_marks");
    json_int(&j, stray_marks(t, results));
    json_key(&j, "kinds");
    json_array_begin(&j);
    for (size_t i = 0; i < t->nev; i++)
        json_string(&j, trace_kind_name(t->ev[i].kind));
    json_array_end(&j);
    json_key(&j, "pids");
    json_array_begin(&j);
    for (size_t i = 0; i < t->nprocs; i++)
        json_int(&j, t->procs[i].pid);
    json_array_end(&j);
    json_object_end(&j);
    fputc('\n', f);
}

/* The hostile sample's command: 10 KB of one argument, and then some. */
static char **command_of(const char *name, char *big, size_t size)
{
    static char *plain[] = { "./mydaemon", "start", "--pidfile", "/tmp/checker.Xq2/daemon.pid", NULL };
    static char *hostile[] = { "./</title><script>alert(3)</script>", NULL, "\xff\xfe", NULL };

    if (strcmp(name, "hostile") != 0)
        return plain;
    for (size_t i = 0; i + 1 < size; i++)
        big[i] = "<&\"'x\xff"[i % 6];
    big[size - 1] = '\0';
    hostile[1] = big;
    return hostile;
}

static void render(const char *dir, const struct sample *s)
{
    struct trace t;
    struct result results[CK_COUNT];
    static char big[10 * 1024 + 1];
    struct json j;
    FILE *f;

    trace_start(&t);
    memset(results, 0, sizeof results);     /* ST_PASS */
    s->build(&t, results);
    f = open_out(dir, s->name, "txt");
    if (trace_text(f, &t, results, 0) < 0)
        die("write the timeline");
    close_out(f, s->name);
    f = open_out(dir, s->name, "json");
    json_init(&j, f, 2);
    json_object_begin(&j);
    json_key(&j, "trace");
    if (trace_json(&j, &t) < 0)
        die("write the JSON");
    json_object_end(&j);
    fputc('\n', f);
    close_out(f, s->name);
    f = open_out(dir, s->name, "html");
    if (trace_html(f, &t, results, command_of(s->name, big, sizeof big)) < 0)
        die("write the picture");
    close_out(f, s->name);
    f = open_out(dir, s->name, "manifest.json");
    write_manifest(f, &t, results);
    close_out(f, s->name);
    trace_end(&t);
}

int main(int argc, char **argv)
{
    size_t n = sizeof samples / sizeof samples[0];

    if (argc < 2) {
        fprintf(stderr, "usage: %s OUTDIR [NAME...]\n", prog);
        return 2;
    }
    for (size_t i = 0; i < n; i++) {
        int wanted = argc == 2;

        for (int a = 2; a < argc; a++)
            wanted |= strcmp(argv[a], samples[i].name) == 0;
        if (wanted)
            render(argv[1], &samples[i]);
    }
    return 0;
}
