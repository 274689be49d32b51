#!/usr/bin/env bash
# The main demo: installs what is missing, builds hashstore in release mode,
# runs hashstore-cli on tools/demo/demo.redis (a short tour of the hash
# commands), then the five use-case examples in tools/examples.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh
ensure_packages "${BUILD_PACKAGES[@]}"
BUILD_ROOT=${BUILD_ROOT:-build}
configure "$BUILD_ROOT/release" --buildtype=release
meson compile -C "$BUILD_ROOT/release" >/dev/null
cli="$BUILD_ROOT/release/tools/cli/hashstore-cli"
echo "== hashstore-cli on tools/demo/demo.redis"
# --echo prints each command before its reply, as a transcript.
"$cli" --echo < tools/demo/demo.redis
for example in profiles catalog sessions config cart metrics; do
  echo
  "$BUILD_ROOT/release/tools/examples/example-$example"
done
