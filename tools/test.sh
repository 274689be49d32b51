#!/usr/bin/env bash
# Runs every test of hashstore, installing what is missing first:
#   1. release build: doctest suites, fuzz corpus replays, compat vs redis-server
#   2. AddressSanitizer + UndefinedBehaviorSanitizer build: doctest suites and replays
#   3. ThreadSanitizer build: the threaded tests (suite 'threads')
#   4. clang + libFuzzer (+ASan/UBSan): every fuzz target for FUZZ_SECONDS each
#   5. consumers: the release build installed into a temporary directory and
#      used from CMake, pkg-config, C, Python and a meson subproject
#      (tests/consumers/run_consumers.sh)
# Environment: FUZZ_SECONDS (default 20), BUILD_ROOT (default ./build).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh
ensure_packages "${BUILD_PACKAGES[@]}" clang libclang-rt-14-dev redis-server redis-tools cmake

BUILD_ROOT=${BUILD_ROOT:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
# ThreadSanitizer with its lock-order (deadlock) detector on.
export TSAN_OPTIONS="halt_on_error=1 detect_deadlocks=1 second_deadlock_stack=1"
# The chaos test's storm per build (tools/chaos.sh runs it for longer).
export HASHSTORE_CHAOS_SECONDS=${HASHSTORE_CHAOS_SECONDS:-20}
passed=0
failed=0

# count_meson DIR: adds the results of DIR's last meson test run to the totals.
count_meson() {
  local log=$1/meson-logs/testlog.json ok bad
  ok=$(grep -c '"result": "OK"' "$log" || true)
  bad=$(grep -c -E '"result": "(FAIL|TIMEOUT|ERROR|UNEXPECTEDPASS)"' "$log" || true)
  passed=$((passed + ok)); failed=$((failed + bad))
}

run_meson_tests() {
  local dir=$1; shift
  meson compile -C "$dir" >/dev/null
  local rc=0
  meson test -C "$dir" --print-errorlogs "$@" || rc=$?
  count_meson "$dir"
  return $rc
}

status=0
echo "== release build"
# Both library kinds, so that the consumers (step 5) get a static and a
# shared library from one compile; the tests link the static one.
configure "$BUILD_ROOT/release" --buildtype=release -Ddefault_library=both
if [ "$(meson introspect "$BUILD_ROOT/release" --buildoptions | python3 -c '
import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "default_library"))')" != both ]; then
  meson configure "$BUILD_ROOT/release" -Ddefault_library=both >/dev/null  # set up by tools/demo.sh
fi
run_meson_tests "$BUILD_ROOT/release" || status=1

echo "== ASan + UBSan build"
configure "$BUILD_ROOT/asan" --buildtype=debugoptimized -Db_sanitize=address,undefined \
  -Db_lundef=false -Dbenchmarks=false
run_meson_tests "$BUILD_ROOT/asan" --suite unit --suite fuzz || status=1

echo "== ThreadSanitizer build"
configure "$BUILD_ROOT/tsan" --buildtype=debugoptimized -Db_sanitize=thread -Db_lundef=false \
  -Dbenchmarks=false
# Only the threaded tests need this build: compile just them.
# Keep this list equal to the tests of suite 'threads' (tests/*/meson.build).
meson compile -C "$BUILD_ROOT/tsan" concurrency_test single_flight_test loader_test events_test \
  chaos_test rw_lock_test command_stats_test aof_test >/dev/null
rc=0
meson test -C "$BUILD_ROOT/tsan" --no-rebuild --print-errorlogs --suite threads || rc=$?
count_meson "$BUILD_ROOT/tsan"
[ $rc -eq 0 ] || status=1

echo "== libFuzzer (${FUZZ_SECONDS}s per target)"
CC=clang CXX=clang++ configure "$BUILD_ROOT/fuzz" --buildtype=debugoptimized \
  -Db_sanitize=address,undefined -Db_lundef=false -Dtests=false -Dbenchmarks=false \
  -Dtools=false -Dexamples=false -Dfuzzer_ldflags=-fsanitize=fuzzer
meson compile -C "$BUILD_ROOT/fuzz" >/dev/null
for exe in "$BUILD_ROOT"/fuzz/fuzz/*_fuzzer; do
  name=$(basename "$exe" _fuzzer)
  work=$(mktemp -d)
  mkdir -p "$BUILD_ROOT/fuzz/artifacts/$name"
  if "$exe" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=4096 \
       -artifact_prefix="$BUILD_ROOT/fuzz/artifacts/$name/" -print_final_stats=1 \
       "$work" "fuzz/corpus/$name" >"$work.log" 2>&1; then
    echo "fuzz $name: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" | grep -o '[0-9]*$') runs)"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED"; tail -40 "$work.log"; failed=$((failed + 1)); status=1
  fi
  rm -rf "$work" "$work.log"
done

echo "== consumers of an install (CMake, pkg-config, C, Python, meson subproject)"
log=$(mktemp)
rc=0
bash tests/consumers/run_consumers.sh "$BUILD_ROOT/release" | tee "$log" || rc=$?
ok=$(grep -c '^consumer .*: ok' "$log" || true)
bad=$(grep -c '^consumer .*: FAILED' "$log" || true)
[ $rc -eq 0 ] || [ "$bad" -gt 0 ] || bad=1
passed=$((passed + ok)); failed=$((failed + bad))
[ $rc -eq 0 ] || status=1
rm -f "$log"

echo "tests: $passed passed, $failed failed"
exit $status
