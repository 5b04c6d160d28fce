#!/usr/bin/env bash
# Fuzzes the session readers with libFuzzer: one target per reader family (Fuzz/Targets),
# each handing every input to the family's readers and checking ReaderInvariants (no
# crash, lines accounted, a malformed record skipped and counted without touching the
# totals, a read cut in two runs equal to one read). AddressSanitizer is on.
#
#   scripts/fuzz.sh                   build, then fuzz every target for FUZZ_SECONDS (20) each
#   scripts/fuzz.sh run claude codex  only those targets
#   scripts/fuzz.sh build             only build (.build-fuzz/bin/fuzz-<family>)
#   scripts/fuzz.sh replay claude FILE...   run one target on saved inputs
#   FUZZ_SECONDS=600 scripts/fuzz.sh run codex   a longer run on demand
#
# Seeds are read at run time from the samples (../shared/samples, or AIUSAGE_SAMPLES),
# Fuzz/Seeds/<family> and Fuzz/Regressions/<family>; the corpus grows in
# .build-fuzz/corpus/<family> and is kept between runs. An input that breaks an
# invariant or crashes is saved in .build-fuzz/artifacts/<family>/ and the run fails:
# minimise it (`replay` prints the violation), write a small input of your own that
# shows the same fault into Fuzz/Regressions/<family>/, and ReaderInvariantTests runs it
# in the normal suite from then on.
#
# How the targets are built (SwiftPM cannot build a libFuzzer binary without a main):
# swiftc compiles AIUsageCore and AIUsageReaders (the files that do not need GRDB: the
# database readers are not fuzzed here) with -sanitize=fuzzer,address, the invariant
# checks from Tests/_AIUsageTestSupport with -sanitize=address, and links each
# target's @_cdecl("LLVMFuzzerTestOneInput") file with -sanitize=fuzzer,address, so
# libFuzzer supplies main.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/.build-fuzz"
FAMILIES=(claude codex gemini-qwen copilot cursor amp aider cline opencode droid)
SECONDS_PER_TARGET="${FUZZ_SECONDS:-20}"
MAX_LEN="${FUZZ_MAX_LEN:-16384}"
SAMPLES="${AIUSAGE_SAMPLES:-$ROOT/../shared/samples}"
[ -d "$SAMPLES" ] || SAMPLES=/work/shared/samples
SWIFTC="${SWIFTC:-swiftc}"
# Sources/CZstd: the module map of the zstd system library (the Codex reader reads .jsonl.zst);
# Sources/CJSONScan/include: the readers' vector loop inside JSON strings (header only).
COMMON=(-swift-version 6 -O -g -parse-as-library -I Sources/CZstd -I Sources/CJSONScan/include)
LINK=(-use-ld=lld -lzstd)

say() { echo "==> $*" >&2; }

sources_newer_than() {  # whether any input of the build is newer than $1
    local stamp=$1
    [ -e "$stamp" ] || return 0
    [ -n "$(find Sources/AIUsageCore Sources/AIUsageReaders Sources/CJSONScan Fuzz Tests/_AIUsageTestSupport scripts/fuzz.sh -newer "$stamp" \( -name '*.s*' -o -name '*.h' -o -name '*.modulemap' \) -print -quit)" ]
}

build() {
    local stamp="$OUT/bin/.built"
    if ! sources_newer_than "$stamp"; then
        say "fuzz targets up to date ($OUT/bin)"
        return
    fi
    mkdir -p "$OUT/modules" "$OUT/obj" "$OUT/bin"
    local core readers support
    mapfile -t core < <(find Sources/AIUsageCore -name '*.swift' | sort)
    # The database readers import GRDB; everything else of the module is fuzzed.
    mapfile -t readers < <(find Sources/AIUsageReaders -name '*.swift' | sort | xargs grep -L -E '^(internal |public |@_implementationOnly )?import GRDB')
    support=(Tests/_AIUsageTestSupport/StrictJSON.swift Tests/_AIUsageTestSupport/ReaderFamilies.swift
        Tests/_AIUsageTestSupport/ReaderInvariants.swift Fuzz/FuzzEntry.swift)
    say "compiling AIUsageCore (${#core[@]} files, instrumented)"
    "$SWIFTC" "${COMMON[@]}" -sanitize=fuzzer,address -wmo -module-name AIUsageCore -emit-module \
        -emit-module-path "$OUT/modules/AIUsageCore.swiftmodule" -c -o "$OUT/obj/AIUsageCore.o" "${core[@]}"
    say "compiling AIUsageReaders (${#readers[@]} files, instrumented)"
    "$SWIFTC" "${COMMON[@]}" -sanitize=fuzzer,address -wmo -module-name AIUsageReaders -I "$OUT/modules" -emit-module \
        -emit-module-path "$OUT/modules/AIUsageReaders.swiftmodule" -c -o "$OUT/obj/AIUsageReaders.o" "${readers[@]}"
    say "compiling the invariant checks"
    "$SWIFTC" "${COMMON[@]}" -sanitize=address -wmo -module-name ReaderFuzzSupport -I "$OUT/modules" -emit-module \
        -emit-module-path "$OUT/modules/ReaderFuzzSupport.swiftmodule" -c -o "$OUT/obj/ReaderFuzzSupport.o" "${support[@]}"
    for family in "${FAMILIES[@]}"; do
        say "linking fuzz-$family"
        "$SWIFTC" "${COMMON[@]}" -sanitize=fuzzer,address -module-name "Fuzz_${family//-/_}" -I "$OUT/modules" \
            "Fuzz/Targets/fuzz-$family.swift" \
            "$OUT/obj/AIUsageCore.o" "$OUT/obj/AIUsageReaders.o" "$OUT/obj/ReaderFuzzSupport.o" "${LINK[@]}" -o "$OUT/bin/fuzz-$family"
    done
    touch "$stamp"
}

sample_globs() {  # the sample files that seed a family (as ReaderFamily.sampleSelection)
    case $1 in
    claude) echo "claude-code/*.jsonl" ;;
    codex) echo "codex/*.jsonl" ;;
    gemini-qwen) echo "gemini/*.json gemini/*.jsonl qwen/*.jsonl" ;;
    copilot) echo "copilot/*.json copilot/*.jsonl" ;;
    cursor) echo "cursor/*.jsonl" ;;
    amp) echo "amp/*.json" ;;
    aider) echo "aider/*.md aider/*.history" ;;
    cline) echo "" ;;  # no published Cline task: Fuzz/Seeds/cline holds small written ones
    opencode) echo "opencode/*.json" ;;
    droid) echo "droid/*.jsonl droid/*.json" ;;
    esac
}

seed_dirs() {  # the read-only seed folders of one family: samples linked, never copied
    local family=$1 seeds="$OUT/seeds/$1" glob file
    rm -rf "$seeds"
    mkdir -p "$seeds"
    for glob in $(sample_globs "$family"); do
        for file in "$SAMPLES"/$glob; do
            [ -f "$file" ] && ln -sf "$file" "$seeds/$(basename "$file")"
        done
    done
    echo "$seeds"
    for extra in "Fuzz/Seeds/$family" "Fuzz/Regressions/$family"; do
        if [ -d "$extra" ] && [ -n "$(ls -A "$extra")" ]; then echo "$ROOT/$extra"; fi
    done
}

run_target() {
    local family=$1 corpus="$OUT/corpus/$1" artifacts="$OUT/artifacts/$1/" log="$OUT/logs/$1.log"
    mkdir -p "$corpus" "$artifacts" "$OUT/logs"
    local seeds
    mapfile -t seeds < <(seed_dirs "$family")
    say "fuzz-$family for ${SECONDS_PER_TARGET}s (seeds: ${#seeds[@]} folder(s))"
    local status=0
    local scratch="$OUT/scratch/$family"  # the files each input is written to
    mkdir -p "$scratch"
    SWIFT_BACKTRACE=enable=no AIUSAGE_FUZZ_SCRATCH="$scratch" ASAN_OPTIONS="detect_leaks=0:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
        "$OUT/bin/fuzz-$family" -max_total_time="$SECONDS_PER_TARGET" -max_len="$MAX_LEN" -timeout=20 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" "${seeds[@]}" >"$log" 2>&1 || status=$?
    rm -rf "$scratch"
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" | tr '\n' ' ' >&2 || true
    echo >&2
    if [ "$status" -ne 0 ]; then
        echo "fuzz-$family FAILED (exit $status); the end of $log:" >&2
        grep -E '==aiusage-fuzz==|^  [a-z-]+:|ERROR: |SUMMARY: |Swift runtime failure|Test unit written' "$log" | head -20 >&2 || tail -30 "$log" >&2
        grep -m 3 -E ' in .* /.*/Sources/' "$log" | sed 's/^ *#[0-9]* 0x[0-9a-f]* in [^ ]* /    at /' >&2 || true
        return 1
    fi
}

command=${1:-run}
[ $# -gt 0 ] && shift
case "$command" in
build) build ;;
run)
    build
    targets=("$@")
    [ ${#targets[@]} -gt 0 ] || targets=("${FAMILIES[@]}")
    failed=()
    for family in "${targets[@]}"; do
        run_target "$family" || failed+=("$family")
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "fuzzing found inputs that break the reader invariants: ${failed[*]} (inputs in $OUT/artifacts/)" >&2
        exit 1
    fi
    say "fuzzing: ${#targets[@]} target(s), ${SECONDS_PER_TARGET}s each, no invariant broken"
    ;;
replay)
    build
    family=${1:?usage: scripts/fuzz.sh replay FAMILY FILE...}
    shift
    mkdir -p "$OUT/scratch/replay"
    SWIFT_BACKTRACE=enable=no ASAN_OPTIONS="detect_leaks=0" AIUSAGE_FUZZ_SCRATCH="$OUT/scratch/replay" "$OUT/bin/fuzz-$family" "$@"
    ;;
*)
    echo "usage: scripts/fuzz.sh [build | run [FAMILY...] | replay FAMILY FILE...]" >&2
    exit 2
    ;;
esac
