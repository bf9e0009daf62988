#!/bin/bash
# run.sh — runs the fuzz targets that tests/fuzz/module.mk built.
#
#   run.sh mode FUZZ_CC CC   prints how the targets can be built here:
#                            libfuzzer, replay-asan or replay
#   run.sh check MODE        every committed seed through every target, then
#                            (libfuzzer only) each target FUZZ_CHECK_SECONDS
#   run.sh fuzz libfuzzer    each target FUZZ_SECONDS on its scratch corpus
#   run.sh merge libfuzzer   the scratch corpus's new coverage into the
#                            committed corpus
#
# The make targets pass FUZZ_DIR, FUZZ_BUILD, FUZZ_NAMES, FUZZ_SECONDS,
# FUZZ_CHECK_SECONDS and FUZZ_JOBS in the environment. At most FUZZ_JOBS
# targets run at once. Each prints one line: ok/FAIL, executions, the final
# cov/ft, the corpus size and the crashes; the run ends with
# "N passed, M failed" and exits 1 if any failed.
set -u

prog=run.sh
scratch=
cleanup() { [ -n "$scratch" ] && rm -rf "$scratch"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# A probe program: a fuzz target, plus what else is given.
write_probe() {
    printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
        'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { return d != NULL && n > 1; }' \
        "$@" >"$scratch/probe.c"
}

# Does this compiler exist and link the probe with these flags?
links() {
    local cc=$1; shift
    command -v "$cc" >/dev/null 2>&1 &&
        "$cc" "$@" -o "$scratch/probe" "$scratch/probe.c" >/dev/null 2>&1
}

mode() {
    local fuzz_cc=$1 cc=$2
    scratch=$(mktemp -d) || exit 1
    write_probe
    if links "$fuzz_cc" -fsanitize=fuzzer,address,undefined; then
        echo libfuzzer
        return
    fi
    write_probe 'int main(void) { return LLVMFuzzerTestOneInput(NULL, 0); }'
    if links "$cc" -fsanitize=address,undefined && "$scratch/probe"; then
        echo replay-asan
    else
        echo replay
    fi
}

# The number N of "#define FUZZ_MAX_LEN N" in a target's source: the
# longest input worth trying for that parser.
max_len() {
    local n
    n=$(sed -n 's/^#define FUZZ_MAX_LEN \([0-9][0-9]*\).*/\1/p' "$FUZZ_DIR/fuzz_$1.c")
    echo "${n:-4096}"
}

dict_flag() {
    [ -f "$FUZZ_DIR/$1.dict" ] && echo "-dict=$FUZZ_DIR/$1.dict"
}

# The execution count and the last "cov: X ft: Y corp: N/SIZE" that
# libFuzzer printed (N: the inputs of its corpus in memory, seeds included).
stats() {
    local log=$1 execs cov ft corp
    execs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    corp=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' "$log" | tail -n 1 | cut -d' ' -f2)
    echo "${execs:-?} execs, cov ${cov:-?} ft ${ft:-?}, corpus ${corp:-?}"
}

count_files() {
    find "$1" -maxdepth 1 -type f | wc -l
}

# One target for a given time: on success "ok ...", else "FAIL ..." with the
# saved crash input and the command that replays it.
fuzz_one() {
    local name=$1 seconds=$2 corpus=$3 artifacts=$4 log=$5 bin status crashes line start
    bin=$FUZZ_BUILD/libfuzzer/fuzz_$name
    mkdir -p "$corpus" "$artifacts" || return 1
    # Crashes of earlier runs stay in $artifacts; only this run's count.
    touch "$scratch/$name.start" || return 1
    start=$SECONDS
    # The first directory receives what is found; the committed seeds are
    # only read.
    # shellcheck disable=SC2046
    UBSAN_OPTIONS=print_stacktrace=1 "$bin" -max_total_time="$seconds" \
        -max_len="$(max_len "$name")" -timeout=10 -rss_limit_mb=1024 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" $(dict_flag "$name") \
        "$corpus" "$FUZZ_DIR/corpus/$name" >"$log" 2>&1
    status=$?
    crashes=$(find "$artifacts" -maxdepth 1 -type f -newer "$scratch/$name.start" \
        \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    # A crash stops libFuzzer early: the time it really ran is shown.
    line="fuzz_$name $((SECONDS - start))s: $(stats "$log") ($(count_files "$corpus") new files), $crashes crashes"
    if [ "$status" -eq 0 ] && [ "$crashes" -eq 0 ]; then
        echo "ok $line"
        return 0
    fi
    echo "FAIL $line (exit $status)"
    grep -m 5 -E 'ERROR|broken promise|runtime error|Test unit written' "$log" | sed 's/^/    /'
    find "$artifacts" -maxdepth 1 -type f -newer "$scratch/$name.start" | head -n 3 |
        sed "s|^|    replay: $bin |"
    return 1
}

# Every file of every target's committed corpus through one target.
replay_one() {
    local mode=$1 name=$2 log=$3 bin n status
    bin=$FUZZ_BUILD/$mode/fuzz_$name
    n=$(find "$FUZZ_DIR/corpus" -type f | wc -l)
    if [ "$mode" = libfuzzer ]; then
        # Files, not directories: libFuzzer then runs each one once.
        find "$FUZZ_DIR/corpus" -type f -print0 | sort -z |
            xargs -0 "$bin" -timeout=10 -rss_limit_mb=1024 >"$log" 2>&1
    else
        "$bin" "$FUZZ_DIR"/corpus/* >"$log" 2>&1
    fi
    status=$?
    if [ "$status" -eq 0 ]; then
        echo "ok replay fuzz_$name: $n seeds ($mode)"
        return 0
    fi
    echo "FAIL replay fuzz_$name ($mode, exit $status)"
    grep -E 'Running:' "$log" | tail -n 1 | sed 's/^/    crashed on: /'
    grep -m 5 -E 'ERROR|broken promise|runtime error' "$log" | sed 's/^/    /'
    return 1
}

# Runs "$@" NAME for each target, FUZZ_JOBS at a time; each job's result
# line goes to its own file, printed as soon as that job ends.
pool() {
    local name running=0 pid
    declare -A jobs=()
    for name in $FUZZ_NAMES; do
        if [ "$running" -ge "$FUZZ_JOBS" ]; then
            wait -n -p pid
            report "${jobs[$pid]}"
            unset "jobs[$pid]"
            running=$((running - 1))
        fi
        "$@" "$name" >"$scratch/$name.result" 2>&1 &
        jobs[$!]=$name
        running=$((running + 1))
    done
    while [ "$running" -gt 0 ]; do
        wait -n -p pid
        report "${jobs[$pid]}"
        unset "jobs[$pid]"
        running=$((running - 1))
    done
}

passed=0
failed=0
report() {
    cat "$scratch/$1.result"
    if head -n 1 "$scratch/$1.result" | grep -q '^ok '; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
    fi
}

job_replay() { replay_one "$MODE" "$1" "$scratch/$1.replay.log"; }
job_check() {
    fuzz_one "$1" "$FUZZ_CHECK_SECONDS" "$scratch/corpus/$1" "$FUZZ_BUILD/artifacts/$1" \
        "$scratch/$1.fuzz.log"
}
job_fuzz() {
    fuzz_one "$1" "$FUZZ_SECONDS" "$FUZZ_BUILD/corpus/$1" "$FUZZ_BUILD/artifacts/$1" \
        "$FUZZ_BUILD/logs/$1.log"
}
job_merge() {
    local bin=$FUZZ_BUILD/libfuzzer/fuzz_$1 before after
    before=$(count_files "$FUZZ_DIR/corpus/$1")
    mkdir -p "$FUZZ_BUILD/corpus/$1" || return 1
    if ! "$bin" -merge=1 -max_len="$(max_len "$1")" "$FUZZ_DIR/corpus/$1" \
            "$FUZZ_BUILD/corpus/$1" >"$scratch/$1.merge.log" 2>&1; then
        echo "FAIL merge fuzz_$1"
        tail -n 5 "$scratch/$1.merge.log" | sed 's/^/    /'
        return 1
    fi
    after=$(count_files "$FUZZ_DIR/corpus/$1")
    echo "ok merge fuzz_$1: corpus $before -> $after files"
}

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}

cmd=${1:-}
case $cmd in
mode)
    [ $# -eq 3 ] || { echo "usage: $prog mode FUZZ_CC CC" >&2; exit 2; }
    mode "$2" "$3"
    ;;
check|fuzz|merge)
    [ $# -eq 2 ] || { echo "usage: $prog $cmd MODE" >&2; exit 2; }
    MODE=$2
    scratch=$(mktemp -d) || exit 1
    for name in $FUZZ_NAMES; do
        [ -d "$FUZZ_DIR/corpus/$name" ] ||
            { echo "$prog: fuzz_$name has no seed directory $FUZZ_DIR/corpus/$name" >&2; exit 1; }
    done
    case $cmd in
    check)
        echo "fuzz-check: $MODE build; seeds of every target through every target"
        pool job_replay
        if [ "$MODE" = libfuzzer ]; then
            echo "fuzz-check: each target fuzzed for ${FUZZ_CHECK_SECONDS}s"
            pool job_check
        else
            for name in $FUZZ_NAMES; do
                echo "skip fuzz fuzz_$name (no libFuzzer here: seeds replayed only)"
            done
        fi
        ;;
    fuzz)
        mkdir -p "$FUZZ_BUILD/logs" || exit 1
        echo "fuzz: each target for ${FUZZ_SECONDS}s, $FUZZ_JOBS at a time; logs in $FUZZ_BUILD/logs"
        pool job_fuzz
        ;;
    merge)
        pool job_merge
        ;;
    esac
    finish
    ;;
*)
    echo "usage: $prog mode|check|fuzz|merge ..." >&2
    exit 2
    ;;
esac
