#!/usr/bin/env bash
# Runs the cargo-fuzz targets for a bounded time each and prints a summary.
#
#   scripts/fuzz.sh SECONDS [JOBS] [TARGET...]
#
# SECONDS per target; JOBS targets at a time (default 2, one per core); all
# targets (`cargo fuzz list`: the codec's, sasl, client_session,
# server_session, pair) when none are named. Uses the stable toolchain without
# sanitizers (`cargo fuzz run -s none`), the dictionary fuzz/dict/<target>.dict
# if there is one (sasl, client_session, server_session, pair) or else
# fuzz/dict/imap.dict, and the seed corpus fuzz/corpus/<target>/ (new inputs go
# to fuzz/target/corpus/<target>/, so the committed seeds stay small). Exits 1
# if any target found a crash; crashing inputs are in fuzz/artifacts/<target>/
# and belong, once fixed, under imap-codec/tests/data/fuzz/<target>/, or
# imap-state/tests/data/fuzz/<target>/ for the targets of imapkit-state
# (replayed by `cargo test`).
#
# FUZZ_SANITIZER=address (or another `cargo fuzz -s` value) builds with that
# sanitizer instead, on the stable toolchain through RUSTC_BOOTSTRAP=1, in
# fuzz/target/sanitizer-<name> so that the plain build stays as it is. The
# library crates forbid `unsafe`; a sanitizer watches the dependencies'
# unsafe code (bytes, memchr, nom, flate2's backend); AddressSanitizer runs
# the targets 3 to 6 times slower here.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:?usage: scripts/fuzz.sh SECONDS [JOBS] [TARGET...]}
jobs=${2:-2}
shift $(( $# >= 2 ? 2 : 1 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo fuzz list)

sanitizer=${FUZZ_SANITIZER:-none}
fuzz_args=(-s "$sanitizer")
if [ "$sanitizer" != none ]; then
    export RUSTC_BOOTSTRAP=1
    fuzz_args+=(--target-dir "target/sanitizer-$sanitizer")
fi
cargo fuzz build "${fuzz_args[@]}" >/dev/null
mkdir -p target/logs
run() {
    local t=$1 work=target/corpus/$1 dict=dict/imap.dict
    [ -f "dict/$t.dict" ] && dict=dict/$t.dict
    mkdir -p "$work" "artifacts/$t"
    cargo fuzz run "${fuzz_args[@]}" "$t" "$work" "corpus/$t" -- \
        -max_total_time="$secs" -dict="$dict" -print_final_stats=1 \
        -rss_limit_mb=2048 -timeout=10 >"target/logs/$t.log" 2>&1
}
pids=()
status=0
for t in "${targets[@]}"; do
    run "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then
        wait "${pids[0]}" || status=1
        pids=("${pids[@]:1}")
    fi
done
for p in "${pids[@]}"; do wait "$p" || status=1; done

printf '%-20s %14s %10s %8s %s\n' target executions exec/s seconds result
for t in "${targets[@]}"; do
    log=target/logs/$t.log
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    per=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    if grep -q "SUMMARY: libFuzzer\|panicked at" "$log"; then
        result="CRASH (see $log)"
    elif [ -z "$execs" ]; then
        # No final stats: the target did not build, or did not run to its end.
        result="FAILED (see $log)"
        status=1
    else
        result=ok
    fi
    printf '%-20s %14s %10s %8s %s\n' "$t" "${execs:-?}" "${per:-?}" "${took:-?}" "$result"
done
exit $status
