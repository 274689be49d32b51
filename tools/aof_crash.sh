#!/usr/bin/env bash
# Runs the append-only log's kill -9 test (tests/persist/aof_crash_test.cc)
# with many more kills than CI does: a child writes through a Store from
# four threads (appendfsync always, everysec, and always with BGREWRITEAOF
# running over and over) and is killed at random moments; after each kill
# the log is reloaded and every acknowledged write checked.
#   usage: tools/aof_crash.sh [KILLS per case, default 1000]
# Environment: BUILD_ROOT (default ./build), as tools/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh
ensure_packages "${BUILD_PACKAGES[@]}"

KILLS=${1:-1000}
BUILD_ROOT=${BUILD_ROOT:-build}

configure "$BUILD_ROOT/release" --buildtype=release
meson compile -C "$BUILD_ROOT/release" aof_crash_test >/dev/null
echo "== aof kill -9: $KILLS kills per case"
AOF_CRASH_KILLS=$KILLS "$BUILD_ROOT/release/tests/persist/aof_crash_test" 2>&1 |
  grep -v '^\[doctest\] \(doctest version\|run with\)'
