/* judges_pidfile.c — the judges of the pidfile and of what it is for:
 * pidfile-exists, -content, -safe, -locked, single-instance and
 * stale-pidfile. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "judge_text.h"
#include "judges.h"
#include "text.h"

void judge_pidfile_exists(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    expect(r, "%s present when the launcher exits", ev->pidfile_path);
    if (ev->pidfile_at_exit) {
        observe(r, "present");
        verdict(r, ST_PASS, "the pidfile was there when the launcher returned");
        return;
    }
    if (ev->pidfile.view.exists) {
        observe(r, "absent when the launcher exited, present %ld ms later",
                (long)opt->settle_ms + ev->pidfile_wait_ms);
        verdict(r, ST_FAIL, "the pidfile was written after the launcher returned (a race): "
                "let the launcher wait until the daemon has written it");
        return;
    }
    if (ev->pidfile_before_stop.view.exists) {
        observe(r, "absent when the launcher exited and for %.1f s after; present before "
                "the stop", opt->timeout_ms / 1000.0);
        verdict(r, ST_FAIL, "the pidfile was written long after the launcher returned: let "
                "the launcher wait until the daemon has written it");
        return;
    }
    observe(r, "absent");
    verdict(r, ST_FAIL, "no pidfile was written at %s", ev->pidfile_path);
}

static const char *owner_str(enum pid_owner o)
{
    switch (o) {
    case OWNER_DESCENDANT: return "(the daemon)";
    case OWNER_DEAD: return "which is not running";
    case OWNER_INIT: return "which is init: a stop command would signal pid 1";
    case OWNER_CHECKER: return "which is the checker itself, not the daemon";
    case OWNER_STRANGER: return "a process that the candidate did not start";
    case OWNER_NONE: break;
    }
    return "";
}

/* Judge a pidfile's content: well formed, naming a live process of the
 * candidate. 1 when good. */
static int judge_pidfile_seen(const struct pidfile_seen *p, struct result *r)
{
    char quoted[160];

    quote_bytes(p->view.bytes, p->view.len, quoted, sizeof quoted);
    if (p->form != PIDFILE_OK) {
        observe(r, "%s", quoted);
        verdict(r, ST_FAIL, "the pidfile must hold the pid in decimal and one newline: %s",
                pidfile_form_str(p->form));
        return 0;
    }
    observe(r, "%s: pid %d %s", quoted, (int)p->pid, owner_str(p->owner));
    if (p->owner != OWNER_DESCENDANT) {
        verdict(r, ST_FAIL, "the pidfile must name the running daemon: write getpid() from "
                "the daemon itself, after the last fork");
        return 0;
    }
    return 1;
}

void judge_pidfile_content(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    (void)opt;
    expect(r, "the daemon's pid in decimal, then \"\\n\"");
    if (ev->pidfile.view.read_errno) {
        observe(r, "unreadable: %s", strerror(ev->pidfile.view.read_errno));
        verdict(r, ST_FAIL, "the pidfile could not be read");
        return;
    }
    if (judge_pidfile_seen(&ev->pidfile, r))
        verdict(r, ST_PASS, "the pidfile names the daemon");
}

void judge_pidfile_safe(const struct evidence *ev, const struct options *opt,
                        struct result *r)
{
    const struct stat *st = &ev->pidfile.view.st;
    unsigned mode = st->st_mode & 07777;

    (void)opt;
    expect(r, "a regular file owned by uid %u, not writable by group or others",
           (unsigned)ev->uid);
    if (S_ISLNK(st->st_mode)) {
        observe(r, "a symbolic link");
        verdict(r, ST_FAIL, "the pidfile is a symbolic link: whoever controls its target "
                "controls what is read and written; open it with O_NOFOLLOW");
        return;
    }
    observe(r, "%s, mode %04o, owner uid %u", S_ISREG(st->st_mode) ? "regular file"
            : "not a regular file", mode, (unsigned)st->st_uid);
    if (!S_ISREG(st->st_mode)) {
        verdict(r, ST_FAIL, "the pidfile must be a regular file");
        return;
    }
    if (st->st_uid != ev->uid) {
        verdict(r, ST_FAIL, "the pidfile belongs to another user");
        return;
    }
    if (mode & 022) {
        verdict(r, ST_FAIL, "others can rewrite the pidfile and choose what stop kills: create "
                "it with mode 0644 and fchmod(fd, 0644)");
        return;
    }
    verdict(r, ST_PASS, "the pidfile is safe");
}

void judge_pidfile_locked(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    const struct proc_lock *l = &ev->daemon.lock;

    (void)opt;
    expect(r, "a lock held on the pidfile");
    if (!ev->daemon.lock_held) {
        observe(r, "no lock on device %u:%u inode %llu (asked the kernel, and the fdinfo "
                "of the start's processes)", major(ev->pidfile.view.st.st_dev),
                minor(ev->pidfile.view.st.st_dev),
                (unsigned long long)ev->pidfile.view.st.st_ino);
        verdict(r, ST_FAIL, "lock the pidfile (fcntl F_SETLK or flock) and hold the lock while "
                "the daemon runs");
        return;
    }
    if (ev->daemon.lock_holder)
        observe(r, "%s %s lock, through a descriptor of pid %d", l->kind, l->type,
                (int)ev->daemon.lock_holder);
    else if (l->pid > 0)
        observe(r, "%s %s lock (taken by pid %d)", l->kind, l->type, (int)l->pid);
    else
        observe(r, "%s %s lock", l->kind, l->type);
    verdict(r, ST_PASS, "the pidfile is locked");
}

static void describe_change(const struct evidence *ev, char *out, size_t cap)
{
    switch (ev->pidfile_change) {
    case PIDFILE_APPEARED:
        snprintf(out, cap, "a pidfile appeared");
        return;
    case PIDFILE_REMOVED:
        snprintf(out, cap, "the pidfile was removed");
        return;
    case PIDFILE_REPLACED:
        snprintf(out, cap, "the pidfile was replaced (inode %llu, was %llu)", ev->ino_after,
                 ev->ino_before);
        return;
    case PIDFILE_REWRITTEN:
        snprintf(out, cap, "the pidfile was rewritten");
        return;
    case PIDFILE_KEPT:
        break;
    }
    snprintf(out, cap, "the pidfile was left as it was");
}

void judge_single_instance(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    char st[96], printed[200], change[128];

    expect(r, "the second start exits non-zero; the first daemon and its pidfile untouched");
    if (!ev->single_ran) {
        skip(r, "no daemon was running to start a second one against (see daemon-running)");
        return;
    }
    output_excerpt(&ev->second, printed, sizeof printed);
    describe_wait_status(ev->second.status, st, sizeof st);
    if (!ev->second.exited) {
        observe(r, "the second start was still running after %.1f s",
                opt->timeout_ms / 1000.0);
        verdict(r, ST_FAIL, "a second start must refuse at once when the daemon runs");
        return;
    }
    if (ev->second_new.count > 0) {
        observe(r, "the second start %s and left pid %d (%s) running%s", st,
                (int)ev->second_new.pid[0], ev->second_new.comm[0], printed);
        verdict(r, ST_FAIL, "two instances ran at once: take the pidfile's lock first, and "
                "refuse when it is held");
        return;
    }
    if (WIFEXITED(ev->second.status) && WEXITSTATUS(ev->second.status) == 0) {
        observe(r, "the second start %s%s", st, printed);
        verdict(r, ST_FAIL, "a start that refuses must exit non-zero");
        return;
    }
    if (!ev->first_survived) {
        observe(r, "the second start %s; the first daemon died", st);
        verdict(r, ST_FAIL, "the second start must leave the running daemon alone");
        return;
    }
    if (ev->pidfile_change != PIDFILE_KEPT) {
        describe_change(ev, change, sizeof change);
        observe(r, "the second start %s; %s", st, change);
        verdict(r, ST_FAIL, "the second start must not touch the running daemon's pidfile: "
                "open it without O_TRUNC, and write only once the lock is yours");
        return;
    }
    observe(r, "the second start %s%s", st, printed);
    verdict(r, ST_PASS, "a second instance was refused");
}

void judge_stale_pidfile(const struct evidence *ev, const struct options *opt,
                         struct result *r)
{
    char quoted[160];

    expect(r, "a start with a stale pidfile exits 0 and the pidfile names the new daemon");
    if (!ev->stale_ran) {
        skip(r, "the first start did not leave a daemon, so a restart proves nothing");
        return;
    }
    if (!judge_launch(&ev->third, "the start with a stale pidfile", GOAL_STARTED,
                      opt, r))
        return;
    if (!ev->stale_after.view.exists) {
        observe(r, "no pidfile after the start with a stale one (pid %d)", (int)ev->stale_pid);
        verdict(r, ST_FAIL, "the daemon must rewrite a stale pidfile, not delete it");
        return;
    }
    if (!S_ISREG(ev->stale_after.view.st.st_mode)) {
        skip(r, "the pidfile is not a regular file (see pidfile-safe)");
        return;
    }
    /* Whom it names; how it is written is pidfile-content's business. */
    if (ev->stale_after.owner != OWNER_DESCENDANT) {
        quote_bytes(ev->stale_after.view.bytes, ev->stale_after.view.len, quoted,
                    sizeof quoted);
        observe(r, "the pidfile holds %s after a start with a stale one naming pid %d", quoted,
                (int)ev->stale_pid);
        verdict(r, ST_FAIL, "decide by the lock, not by the file's existence: open the pidfile"
                " without O_EXCL and try F_SETLK; when it succeeds the file is stale: "
                "ftruncate(fd, 0) and write the new pid");
        return;
    }
    observe(r, "stale pid %d replaced by pid %d, the new daemon", (int)ev->stale_pid,
            (int)ev->stale_after.pid);
    verdict(r, ST_PASS, "the stale pidfile was taken over");
}
