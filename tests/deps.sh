#!/bin/sh
# Installs what the tests need (Debian packages) when running as root, and
# otherwise says exactly what is missing. Called by `make check`.
set -u

missing=""
pkg-config --exists check 2>/dev/null || missing="$missing check"
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v valgrind >/dev/null 2>&1 || missing="$missing valgrind"
command -v python3 >/dev/null 2>&1 || missing="$missing python3"
command -v prove >/dev/null 2>&1 || missing="$missing perl"
command -v xmllint >/dev/null 2>&1 || missing="$missing libxml2-utils"

[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || { echo "deps: fatal: unable to run apt-get update" >&2; exit 1; }
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
        { echo "deps: fatal: unable to install:$missing" >&2; exit 1; }
    exit 0
fi

echo "deps: fatal: missing packages:$missing; install them with: sudo apt-get install$missing" >&2
exit 1
