#!/bin/sh
# Installs what the tests need (Debian packages) when running as root, and
# otherwise says exactly what is missing. Called by `make check`.
#   check, pkg-config   the C unit tests (libcheck)
#   valgrind            memory checks of the unit tests
#   python3             the end-to-end runners
#   perl (prove)        TAP reports read by a real harness
#   libxml2-utils       JUnit reports validated against a schema
#   clang, libclang-rt-14-dev   libFuzzer targets and sanitizer builds
#   chromium            every HTML page the kit writes, rendered headless
#   systemd             systemd-socket-activate and systemd-analyze, real
#                       clients of the new-style protocol (no systemd runs)
# The first five are needed; the others only by tests that skip, with their
# reason, where they are missing and cannot be installed (not root).
set -u

missing=""
optional=""
pkg-config --exists check 2>/dev/null || missing="$missing check"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
command -v prove >/dev/null 2>&1 || missing="$missing perl"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"
command -v clang >/dev/null 2>&1 || optional="$optional clang"
ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-"$(uname -m)".a >/dev/null 2>&1 ||
    optional="$optional libclang-rt-14-dev"
command -v chromium >/dev/null 2>&1 || optional="$optional chromium"
command -v systemd-socket-activate >/dev/null 2>&1 || optional="$optional systemd"

[ -z "$missing$optional" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    missing="$missing$optional"
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || { echo "deps: fatal: unable to run apt-get update" >&2; exit 1; }
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
        { echo "deps: fatal: unable to install:$missing" >&2; exit 1; }
    exit 0
fi

[ -n "$optional" ] &&
    echo "deps: not installed (the tests that need them skip):$optional; sudo apt-get install$optional"
[ -z "$missing" ] && exit 0
echo "deps: fatal: missing packages:$missing; install them with: sudo apt-get install$missing" >&2
exit 1
