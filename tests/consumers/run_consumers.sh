#!/usr/bin/env bash
# Uses hashstore the ways its users do, from a build that is already
# compiled (tools/test.sh passes its release build, configured with
# default_library=both so that a static and a shared library are installed):
#
#   1. `meson install --destdir` into a temporary directory (the install is
#      relocatable: hashstore.pc and hashstoreConfig.cmake find their prefix
#      from where they lie);
#   2. cmake:      find_package(hashstore) + hashstore::hashstore (shared:
#                  its SONAME is checked) and hashstore::hashstore_static;
#   3. pkg-config: c++ $(pkg-config --cflags --libs hashstore);
#   4. c:          tests/capi/capi_test.c, compiled as C11 against the
#                  installed c.h and shared library;
#   5. python:     tests/capi/capi_ctypes_test.py on the installed .so;
#   6. meson:      a project with hashstore as a subproject (this source
#                  tree): only hashstore's library may be built, and its
#                  `meson install` installs the project's program alone.
#
# Usage: run_consumers.sh BUILD_DIR
# Prints "consumer NAME: ok" or "consumer NAME: FAILED" per consumer and
# exits 1 if any failed. Needs cmake, ninja, pkg-config, c++, cc, python3.
set -uo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
here=$src/tests/consumers
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0

# Each consumer's line gives the seconds it took since the previous one.
last=$SECONDS
ok() { echo "consumer $1: ok ($((SECONDS - last)) s)"; last=$SECONDS; }
fail() { echo "consumer $1: FAILED ($2)"; status=1; last=$SECONDS; }
# quiet LOG CMD...: runs CMD with its output in LOG; prints LOG if it fails.
quiet() {
  local log=$1; shift
  if "$@" >"$log" 2>&1; then return 0; fi
  tail -40 "$log"
  return 1
}

version=$(meson introspect "$build" --projectinfo |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
soversion=$(echo "$version" | awk -F. '{ print ($1 == "0") ? "0." $2 : $1 }')

# ---- 1. install -------------------------------------------------------------
if ! quiet "$work/install.log" meson install -C "$build" --no-rebuild --destdir "$work/stage"; then
  fail install "meson install"
  exit 1
fi
pc=$(find "$work/stage" -name hashstore.pc | head -1)
config=$(find "$work/stage" -name hashstoreConfig.cmake | head -1)
if [ -z "$pc" ] || [ -z "$config" ]; then
  fail install "no hashstore.pc or hashstoreConfig.cmake installed"
  exit 1
fi
libdir=$(dirname "$(dirname "$pc")")
prefix=$(find "$work/stage" -type d -path '*/include/hashstore' | head -1)
prefix=$(dirname "$(dirname "$prefix")")
echo "installed hashstore $version into $prefix (libdir $libdir)"
for f in "$prefix/include/hashstore/store.h" "$prefix/include/hashstore/types.h" \
         "$prefix/include/hashstore/c.h" "$prefix/include/hashstore/version.h" \
         "$libdir/libhashstore.a" "$libdir/libhashstore.so.$version" \
         "$libdir/libhashstore.so.$soversion" "$libdir/libhashstore.so" \
         "$(dirname "$config")/hashstoreConfigVersion.cmake"; do
  [ -e "$f" ] || fail install "missing $f"
done
if [ -x "$prefix/bin/hashstore-cli" ]; then
  [ "$("$prefix/bin/hashstore-cli" --version)" = "hashstore-cli $version" ] ||
    fail install "installed hashstore-cli --version"
fi
# The build's own files must not be needed: move the install elsewhere.
mv "$work/stage" "$work/moved"
prefix=${prefix/$work\/stage/$work\/moved}
libdir=${libdir/$work\/stage/$work\/moved}
[ $status -eq 0 ] && ok install

# ---- 2. CMake ----------------------------------------------------------------
if quiet "$work/cmake.log" cmake -S "$here/cmake" -B "$work/cmake" -G Ninja \
     -DCMAKE_PREFIX_PATH="$prefix" -DHASHSTORE_EXPECTED_VERSION="$version" &&
   quiet "$work/cmake-build.log" cmake --build "$work/cmake"; then
  if ! readelf -d "$work/cmake/consumer" | grep -q "NEEDED.*\[libhashstore.so.$soversion\]"; then
    fail cmake "consumer does not need libhashstore.so.$soversion"
  elif ! LD_LIBRARY_PATH="$libdir" "$work/cmake/consumer"; then
    fail cmake "consumer (shared)"
  elif [ ! -x "$work/cmake/consumer_static" ] || readelf -d "$work/cmake/consumer_static" | grep -q libhashstore; then
    fail cmake "consumer_static missing or not static"
  elif ! "$work/cmake/consumer_static"; then
    fail cmake "consumer_static"
  else
    ok cmake
  fi
else
  fail cmake "configure or build"
fi

# ---- 3. pkg-config ----------------------------------------------------------------
export PKG_CONFIG_PATH="$libdir/pkgconfig"
if quiet "$work/pc.log" sh -c "c++ -std=c++20 -Wall -Wextra -Werror '$here/consumer_main.cc' \
     \$(pkg-config --cflags --libs hashstore) -o '$work/pc_consumer'" &&
   LD_LIBRARY_PATH="$libdir" "$work/pc_consumer"; then
  ok pkg-config
else
  fail pkg-config "build or run"
fi

# ---- 4. C --------------------------------------------------------------------------
if quiet "$work/c.log" sh -c "cc -std=c11 -Wall -Wextra -Werror '$src/tests/capi/capi_test.c' \
     \$(pkg-config --cflags --libs hashstore) -o '$work/c_consumer'" &&
   quiet "$work/c-run.log" env LD_LIBRARY_PATH="$libdir" "$work/c_consumer"; then
  ok c
else
  fail c "build or run of tests/capi/capi_test.c"
fi
unset PKG_CONFIG_PATH

# ---- 5. Python (ctypes) -----------------------------------------------------------------
if quiet "$work/py.log" python3 "$src/tests/capi/capi_ctypes_test.py" "$libdir/libhashstore.so.$soversion"; then
  ok python
else
  fail python "capi_ctypes_test.py on the installed library"
fi

# ---- 6. meson subproject ------------------------------------------------------------------
# A copy of the consumer project, with this tree as subprojects/hashstore.
msub=$work/meson_subproject
mkdir -p "$msub/subprojects"
cp "$here/meson_subproject/meson.build" "$here/consumer_main.cc" "$msub/"
ln -s "$src" "$msub/subprojects/hashstore"
# What is tested is what gets built and installed, not the code: a unity
# build without optimization (one translation unit per internal library)
# compiles the library in a quarter of the time. The consumer's werror and
# warning_level=3 reach hashstore too, as they would in a user's project.
if quiet "$work/msub.log" meson setup "$msub/build" "$msub" --buildtype=plain \
     -Dunity=on -Dunity_size=100 --force-fallback-for=hashstore &&
   quiet "$work/msub-build.log" meson compile -C "$msub/build" &&
   quiet "$work/msub-run.log" "$msub/build/consumer"; then
  # Only the library's targets (the internal layers and libhashstore).
  extra=$(meson introspect "$msub/build" --targets | python3 -c '
import json, sys
allowed = {"hashstore", "hs_util", "hs_encoding", "hs_hash", "hs_keyspace", "hs_store",
           "hs_persist", "hs_command", "hs_capi"}
print(" ".join(sorted(t["name"] for t in json.load(sys.stdin)
                      if t["subproject"] == "hashstore" and t["name"] not in allowed)))')
  installed=$(quiet "$work/msub-install.log" meson install -C "$msub/build" --no-rebuild \
                --destdir "$work/msub-stage" && cd "$work/msub-stage" && find . -type f | sort)
  if [ -n "$extra" ]; then
    fail meson "the subproject built more than the library: $extra"
  elif [ "$(echo "$installed" | sed 's|.*/||')" != "consumer" ]; then
    fail meson "installed more than the consumer: $(echo $installed)"
  else
    ok meson
  fi
else
  fail meson "configure, build or run"
fi

exit $status
