// Fuzz target for lib/util/number and lib/util/glob.
//
// Property, for any input bytes s:
//   - No parser reads outside s (s is an exactly sized heap buffer under
//     ASan) and each leaves *out untouched when it refuses.
//   - parse_int64 / parse_uint64 accept s iff s is the canonical decimal of
//     some value (std::to_string of it), and format_int64 then gives back
//     exactly s.
//   - parse_cursor agrees with Redis's own rule computed with libc strtoull on
//     a NUL-terminated copy (first byte not space, end at a NUL, no ERANGE).
//   - parse_long_double / parse_double never yield NaN; a finite long double
//     formats to at most 4951 bytes that parse back.
//   - glob_match terminates on every split of s into (pattern, string) (the
//     first byte picks the split and nocase), and for small inputs agrees with
//     a plain exponential transcription of Redis's stringmatchlen.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

#include "util/glob_match.h"
#include "util/number.h"

namespace {

using namespace hashstore::internal;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "number_fuzzer: property failed: %s\n", what);
    std::abort();
  }
}

void check_integers(std::string_view s) {
  int64_t i = 77;
  if (parse_int64(s, &i)) {
    char buf[kMaxInt64Chars];
    check(std::string_view(buf, format_int64(i, buf)) == s, "parse_int64 accepted a non-canonical string");
  } else {
    check(i == 77, "parse_int64 wrote on failure");
    // Refused: s must not be the canonical form of any int64.
    const std::string copy(s);
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(copy.c_str(), &end, 10);
    const bool whole = !copy.empty() && end == copy.c_str() + copy.size() && errno == 0;
    check(!(whole && std::to_string(v) == copy), "parse_int64 refused a canonical int64");
  }
  uint64_t u = 77;
  if (parse_uint64(s, &u)) {
    check(std::to_string(u) == s, "parse_uint64 accepted a non-canonical string");
  } else {
    check(u == 77, "parse_uint64 wrote on failure");
    const std::string copy(s);
    errno = 0;
    char* end = nullptr;
    const unsigned long long v = std::strtoull(copy.c_str(), &end, 10);
    const bool whole = !copy.empty() && end == copy.c_str() + copy.size() && errno == 0;
    check(!(whole && std::to_string(v) == copy), "parse_uint64 refused a canonical uint64");
  }
  // Redis's parseScanCursorOrReply, on the C string Redis would see.
  const std::string c_string(s.data(), std::min(s.size(), std::string_view(s).find('\0')));
  errno = 0;
  char* end = nullptr;
  const unsigned long long want = std::strtoull(c_string.c_str(), &end, 10);
  const unsigned char first = c_string.empty() ? 0 : static_cast<unsigned char>(c_string[0]);
  const bool want_ok = !(first == ' ' || (first >= '\t' && first <= '\r')) && *end == '\0' && errno != ERANGE;
  uint64_t cursor = 77;
  const bool got_ok = parse_cursor(s, &cursor);
  check(got_ok == want_ok, "parse_cursor disagrees with strtoull");
  check(cursor == (got_ok ? want : 77), "parse_cursor value");
}

void check_floats(std::string_view s) {
  long double ld = 7;
  if (parse_long_double(s, &ld)) {
    check(!std::isnan(ld), "parse_long_double gave NaN");
    if (std::isfinite(ld)) {
      const std::string text = format_long_double(ld);
      check(!text.empty() && text.size() <= 4951, "format_long_double size");
      check(text != "-0", "format_long_double printed -0");
      long double back = 0;
      check(parse_long_double(text, &back), "format_long_double output does not parse");
    }
  } else {
    check(ld == 7, "parse_long_double wrote on failure");
  }
  double d = 7;
  if (parse_double(s, &d)) {
    check(!std::isnan(d), "parse_double gave NaN");
  } else {
    check(d == 7, "parse_double wrote on failure");
  }
}

// Redis's stringmatchlen without its early exit: exponential, so only run on
// small inputs. Reads past the pattern as the NUL Redis would see.
bool reference_match(std::string_view pat, std::string_view str, bool nocase, int nesting) {
  auto at = [&](size_t i) { return i < pat.size() ? pat[i] : '\0'; };
  auto low = [](int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
  auto eq = [&](char a, char b) { return nocase ? low(a) == low(b) : a == b; };
  if (nesting > 1000) return false;
  size_t p = 0, i = 0;
  while (p < pat.size() && i < str.size()) {
    if (pat[p] == '*') {
      while (at(p + 1) == '*') ++p;
      if (p + 1 == pat.size()) return true;
      for (; i < str.size(); ++i) {
        if (reference_match(pat.substr(p + 1), str.substr(i), nocase, nesting + 1)) return true;
      }
      return false;
    } else if (pat[p] == '?') {
    } else if (pat[p] == '[') {
      ++p;
      const bool negate = at(p) == '^';
      if (negate) ++p;
      bool hit = false;
      for (;; ++p) {
        if (at(p) == '\\' && pat.size() - p >= 2) {
          ++p;
          hit |= pat[p] == str[i];
        } else if (at(p) == ']') {
          break;
        } else if (p == pat.size()) {
          --p;
          break;
        } else if (pat.size() - p >= 3 && pat[p + 1] == '-') {
          int a = static_cast<signed char>(pat[p]), b = static_cast<signed char>(pat[p + 2]);
          int c = static_cast<signed char>(str[i]);
          if (a > b) std::swap(a, b);
          if (nocase) a = low(a), b = low(b), c = low(c);
          hit |= c >= a && c <= b;
          p += 2;
        } else {
          hit |= eq(pat[p], str[i]);
        }
      }
      if (negate == hit) return false;
    } else {
      if (pat[p] == '\\' && p + 1 < pat.size()) ++p;
      if (!eq(pat[p], str[i])) return false;
    }
    ++p;
    ++i;
    if (i == str.size()) {
      while (at(p) == '*') ++p;
      break;
    }
  }
  return p == pat.size() && i == str.size();
}

void check_glob(std::string_view s) {
  if (s.empty()) return;
  const uint8_t control = static_cast<uint8_t>(s[0]);
  s.remove_prefix(1);
  const bool nocase = (control & 1) != 0;
  const size_t split = s.empty() ? 0 : (control >> 1) % (s.size() + 1);
  const std::string_view pattern = s.substr(0, split);
  const std::string_view str = s.substr(split);
  const bool got = glob_match(pattern, str, nocase);
  size_t stars = 0;
  for (char c : pattern) stars += c == '*';
  if (stars <= 4 && str.size() <= 32) {
    check(got == reference_match(pattern, str, nocase, 0), "glob_match disagrees with the reference");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view s(reinterpret_cast<const char*>(data), size);
  check_integers(s);
  check_floats(s);
  check_glob(s);
  return 0;
}
