"""make_class.py - writes the submissions of a made-up class, for the tests
and the benchmark of checker-grade.

Correct submissions are copies of the kit's reference daemons
(skeleton/c, skeleton/python); a faulty one is such a copy with exactly one
fault planted by a textual change that must apply exactly once. The hostile
ones (a fork loop, a disk filler, a deleter) are only ever graded isolated.
"""
import os
import shutil

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKC = os.path.join(ROOT, "skeleton", "c")
SKPY = os.path.join(ROOT, "skeleton", "python")
# Every source of the reference daemon, as a student would hand it in.
C_FILES = tuple(sorted(f for f in os.listdir(SKC) if f.endswith((".c", ".h"))))
PY_FILES = tuple(sorted(f for f in os.listdir(SKPY) if f.endswith(".py") and f != "seed_daemon.py"))
C_BUILD = "cc -O2 -D_GNU_SOURCE -o daemon *.c"

# name: (file, text, replacement, the checks it must fail)
FAULTS = {
    "umask": ("mydaemon.c", "o->umask = 0;", "o->umask = 022;", {"umask"}),
    "cwd": ("mydaemon.c", '.dir = "/",', '.dir = "/tmp",', {"cwd"}),
    "pidfile-mode": ("pidfile.c", "#define PIDFILE_MODE 0644", "#define PIDFILE_MODE 0666",
                     {"pidfile-safe"}),
    "inherited-fds": ("mydaemon.c", "if (fd_close_from(3) < 0)", "if (0 && fd_close_from(3) < 0)",
                      {"no-inherited-fds"}),
}
PY_FAULTS = {
    "umask": ("daemon.py", "os.umask(0)", "os.umask(0o22)", {"umask"}),
}


def copy_files(src, names, dst):
    os.makedirs(dst)
    for n in names:
        shutil.copy(os.path.join(src, n), os.path.join(dst, n))


def plant(dst, fault):
    path, old, new, _ = fault
    path = os.path.join(dst, path)
    with open(path) as f:
        text = f.read()
    if text.count(old) != 1:
        raise RuntimeError(f"make_class: {old!r} is not once in {path}: the skeleton changed")
    with open(path, "w") as f:
        f.write(text.replace(old, new))


def write(dst, name, text):
    os.makedirs(dst, exist_ok=True)
    with open(os.path.join(dst, name), "w") as f:
        f.write(text)


def correct_c(dst):
    copy_files(SKC, C_FILES, dst)


def faulty_c(dst, fault):
    correct_c(dst)
    plant(dst, FAULTS[fault])


def correct_python(dst):
    copy_files(SKPY, PY_FILES, dst)


def faulty_python(dst, fault):
    correct_python(dst)
    plant(dst, PY_FAULTS[fault])


def broken_c(dst):
    """Does not compile: a semicolon missing."""
    correct_c(dst)
    plant(dst, ("mydaemon.c", "return run_daemon(o, channel);", "return run_daemon(o, channel)",
                None))


def with_makefile(dst, recipe):
    """A C submission built by a Makefile whose recipe is `recipe` (lines)."""
    correct_c(dst)
    write(dst, "Makefile", "daemon:\n" + "".join(f"\t{line}\n" for line in recipe))


def hangs_at_start(dst):
    """Its start never returns: it neither forks nor exits."""
    write(dst, "hang.c", "#include <unistd.h>\n"
          "int main(void)\n{\n\tfor (;;)\n\t\tpause();\n}\n")


def hangs_in_build(dst):
    """Its build never ends (and costs no CPU meanwhile)."""
    with_makefile(dst, ["tail -f /dev/null", C_BUILD])


def fork_loop(dst):
    """Puts itself in the background, then forks without end."""
    write(dst, "bomb.c", "#include <unistd.h>\n"
          "int main(void)\n{\n\tif (fork() != 0)\n\t\treturn 0;\n\tsetsid();\n"
          "\tfor (;;)\n\t\tfork();\n}\n")


def disk_filler(dst):
    """Writes a gigabyte while it builds."""
    with_makefile(dst, ["head -c 1G /dev/zero > junk", C_BUILD])


def deleter(dst, victims):
    """Tries to delete files outside its copy while it builds."""
    with_makefile(dst, [f"rm {v}" for v in victims] + [C_BUILD])
