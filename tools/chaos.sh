#!/usr/bin/env bash
# Runs the chaos test (tests/store/chaos_test.cc: every public call of the
# Store from many threads at once) for as long as asked, first under
# AddressSanitizer + UndefinedBehaviorSanitizer, then under ThreadSanitizer
# with its deadlock detector. Any sanitizer report or failed invariant stops
# it with a non-zero status.
#   usage: tools/chaos.sh [SECONDS per sanitizer, default 600] [SEED]
# Environment: BUILD_ROOT (default ./build), as tools/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh
ensure_packages "${BUILD_PACKAGES[@]}"

SECONDS_EACH=${1:-600}
SEED=${2:-$(date +%s)}
BUILD_ROOT=${BUILD_ROOT:-build}

configure "$BUILD_ROOT/asan" --buildtype=debugoptimized -Db_sanitize=address,undefined \
  -Db_lundef=false -Dbenchmarks=false
configure "$BUILD_ROOT/tsan" --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false \
  -Dbenchmarks=false
meson compile -C "$BUILD_ROOT/asan" chaos_test >/dev/null
meson compile -C "$BUILD_ROOT/tsan" chaos_test >/dev/null

echo "== chaos under ASan + UBSan: ${SECONDS_EACH}s, seed $SEED"
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
  HASHSTORE_CHAOS_SECONDS=$SECONDS_EACH HASHSTORE_SEED=$SEED \
  "$BUILD_ROOT/asan/tests/store/chaos_test" 2>&1 | grep -v '^\[doctest\] \(doctest version\|run with\)'
echo "== chaos under TSan: ${SECONDS_EACH}s, seed $SEED"
TSAN_OPTIONS="halt_on_error=1 detect_deadlocks=1 second_deadlock_stack=1" \
  HASHSTORE_CHAOS_SECONDS=$SECONDS_EACH HASHSTORE_SEED=$SEED \
  "$BUILD_ROOT/tsan/tests/store/chaos_test" 2>&1 | grep -v '^\[doctest\] \(doctest version\|run with\)'
