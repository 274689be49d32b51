# Shared by tools/demo.sh and tools/test.sh: installs missing Debian
# packages (quietly, only when missing) and configures build directories.

# ensure_packages PKG...: installs the packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

# configure DIR [meson setup options...]: sets DIR up once; later calls reuse it.
configure() {
  local dir=$1; shift
  if [ -f "$dir/build.ninja" ]; then
    return 0
  fi
  rm -rf "$dir"
  meson setup "$dir" "$@" >/dev/null
}

BUILD_PACKAGES=(g++ pkg-config meson ninja-build libabsl-dev libxxhash-dev liblzf-dev doctest-dev)
