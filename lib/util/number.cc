// Redis-exact number parsing and formatting (see number.h).
#include "util/number.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace hashstore::internal {

static_assert(std::numeric_limits<long double>::digits == 64,
              "HINCRBYFLOAT needs the 80-bit x87 long double Redis uses");

bool parse_int64(std::string_view s, int64_t* out) {
  // At most 20 characters: a sign and 19 digits.
  if (s.empty() || s.size() >= kMaxInt64Chars) return false;
  if (s == "0") {
    *out = 0;
    return true;
  }
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative) ++i;
  if (i == s.size() || s[i] < '1' || s[i] > '9') return false;  // no "-", "-0", "01", "+1"
  uint64_t magnitude = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (magnitude > (UINT64_MAX - digit) / 10) return false;
    magnitude = magnitude * 10 + digit;
  }
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
  if (negative) {
    if (magnitude > kMaxPositive + 1) return false;
    *out = magnitude == kMaxPositive + 1 ? INT64_MIN : -static_cast<int64_t>(magnitude);
  } else {
    if (magnitude > kMaxPositive) return false;
    *out = static_cast<int64_t>(magnitude);
  }
  return true;
}

size_t format_int64(int64_t v, char* buf) {
  // Digits are produced backwards into a scratch buffer, then copied.
  char tmp[kMaxInt64Chars];
  size_t n = 0;
  uint64_t magnitude = v < 0 ? uint64_t{0} - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  do {
    tmp[n++] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  size_t len = 0;
  if (v < 0) buf[len++] = '-';
  while (n > 0) buf[len++] = tmp[--n];
  return len;
}

std::string int64_to_string(int64_t v) {
  char buf[kMaxInt64Chars];
  return std::string(buf, format_int64(v, buf));
}

bool parse_long_double(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return false;
  char buf[kMaxLongDoubleChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  // strtold skips leading white space; Redis refuses it.
  const unsigned char first = static_cast<unsigned char>(buf[0]);
  if (first == ' ' || (first >= '\t' && first <= '\r')) return false;
  errno = 0;
  char* end = nullptr;
  const long double v = std::strtold(buf, &end);
  // end short of the whole input: trailing bytes, or an embedded NUL.
  if (static_cast<size_t>(end - buf) != s.size()) return false;
  if (errno == ERANGE && (std::isinf(v) || v == 0.0L)) return false;
  if (std::isnan(v)) return false;
  *out = v;
  return true;
}

std::string format_long_double(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[kMaxLongDoubleChars];
  int n = std::snprintf(buf, sizeof buf, "%.17Lf", v);
  if (n < 0 || static_cast<size_t>(n) >= sizeof buf) return std::string();
  size_t len = static_cast<size_t>(n);
  if (std::memchr(buf, '.', len) != nullptr) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, len);
}

}  // namespace hashstore::internal
