#!/usr/bin/env bash
# The main demo: installs what is missing, builds hashstore in release mode
# and runs hashstore-cli on tools/demo/demo.redis, a short tour of the hash
# commands (profiles, counters, a price, the listpack -> hashtable switch).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh
ensure_packages "${BUILD_PACKAGES[@]}"
BUILD_ROOT=${BUILD_ROOT:-build}
configure "$BUILD_ROOT/release" --buildtype=release
meson compile -C "$BUILD_ROOT/release" >/dev/null
cli="$BUILD_ROOT/release/tools/cli/hashstore-cli"
# --echo prints each command before its reply, as a transcript.
"$cli" --echo < tools/demo/demo.redis
