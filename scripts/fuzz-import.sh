#!/usr/bin/env bash
# The import fuzzer (Tests/DuetProjectTests/FuzzImportTests.swift) over a big
# corpus, built in release mode. Prints the summary: inputs per format,
# accepted, rejected, time, and any failure with the seed that reproduces it.
#
#   scripts/fuzz-import.sh [INPUTS [SEED]]     (default 100000 inputs, the test's seed)
#   DUET_FUZZ_REPLAY=0x… scripts/fuzz-import.sh   (only those inputs, with details)
set -euo pipefail
cd "$(dirname "$0")/.."
export DUET_FUZZ_INPUTS="${1:-100000}"
if [ -n "${2:-}" ]; then export DUET_FUZZ_SEED="$2"; fi
swift test -c release --filter FuzzImportTests/fuzzImport
