// Redis-exact number parsing and formatting (see number.h for the grammar).
#include "util/number.h"

#include <locale.h>

#include <cassert>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>

namespace hashstore::internal {

static_assert(std::numeric_limits<long double>::digits == 64,
              "HINCRBYFLOAT needs the 80-bit x87 long double Redis uses on x86-64");
static_assert(std::numeric_limits<double>::digits == 53);

namespace {

constexpr uint64_t kInt64MaxMagnitude = static_cast<uint64_t>(INT64_MAX);

// isspace() in the "C" locale, which is what redis-server runs its ctype in.
bool is_c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses the canonical unsigned decimal "0" | [1-9][0-9]* that fills all of
// s. Returns false on any other byte, a leading zero, "" or overflow.
bool parse_canonical_magnitude(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  if (s[0] < '1' || s[0] > '9') return false;
  uint64_t v = 0;
  if (s.size() <= 19) {
    // At most 9,999,999,999,999,999,999 < 2^64: no digit can overflow, so
    // the common short number takes no overflow test per digit.
    for (char c : s) {
      const unsigned digit = static_cast<unsigned char>(c) - unsigned{'0'};
      if (digit > 9) return false;
      v = v * 10 + digit;
    }
    *out = v;
    return true;
  }
  for (char c : s) {
    if (!is_digit(c)) return false;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - digit) / 10) return false;  // v * 10 + digit overflows
    v = v * 10 + digit;
  }
  *out = v;
  return true;
}

// strtold/strtod/snprintf read the decimal point from the thread's locale; a
// program that embeds hashstore may have called setlocale(LC_ALL, "de_DE"),
// where the point is ','. Redis never changes LC_NUMERIC, so the number
// syntax is pinned to the "C" locale for the duration of one call.
class ScopedCLocale {
 public:
  ScopedCLocale() {
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(0));
    if (c_locale != static_cast<locale_t>(0)) previous_ = uselocale(c_locale);
  }
  ~ScopedCLocale() {
    if (previous_ != static_cast<locale_t>(0)) uselocale(previous_);
  }
  ScopedCLocale(const ScopedCLocale&) = delete;
  ScopedCLocale& operator=(const ScopedCLocale&) = delete;

 private:
  locale_t previous_ = static_cast<locale_t>(0);
};

// Redis's shared acceptance rule for string2ld and string2d, applied after
// strtold/strtod parsed buf (a NUL-terminated copy of s): the first byte is
// not white space, the parse consumed every byte of s (so a trailing byte or
// an embedded NUL fails), the value is not NaN, and ERANGE is only tolerated
// for a denormal result, not for an overflow to infinity or an underflow to 0.
template <typename F>
bool redis_float_ok(std::string_view s, const char* buf, const char* end, int err, F v) {
  if (is_c_space(s[0])) return false;
  if (static_cast<size_t>(end - buf) != s.size()) return false;
  if (err == ERANGE && (std::isinf(v) || v == 0)) return false;
  if (err == EINVAL) return false;
  return !std::isnan(v);
}

}  // namespace

// ---------------------------------------------------------------------------
// Integers
// ---------------------------------------------------------------------------

bool parse_int64(std::string_view s, int64_t* out) {
  // At most a sign and 19 digits; longer strings fail before any arithmetic.
  if (s.empty() || s.size() >= kMaxInt64Chars) return false;
  const bool negative = s[0] == '-';
  if (negative) s.remove_prefix(1);
  uint64_t magnitude;
  if (!parse_canonical_magnitude(s, &magnitude)) return false;
  if (negative) {
    if (magnitude == 0) return false;  // "-0"
    if (magnitude > kInt64MaxMagnitude + 1) return false;
    // Two's complement negation in uint64, so INT64_MIN needs no special case.
    *out = static_cast<int64_t>(uint64_t{0} - magnitude);
  } else {
    if (magnitude > kInt64MaxMagnitude) return false;
    *out = static_cast<int64_t>(magnitude);
  }
  return true;
}

bool parse_uint64(std::string_view s, uint64_t* out) {
  return parse_canonical_magnitude(s, out);
}

bool parse_cursor(std::string_view s, uint64_t* out) {
  // Redis hands strtoul() the sds buffer: it stops at the first NUL.
  const size_t nul = s.find('\0');
  if (nul != std::string_view::npos) s = s.substr(0, nul);
  if (!s.empty() && is_c_space(s[0])) return false;
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  const size_t first_digit = i;
  uint64_t magnitude = 0;
  bool overflow = false;  // strtoul keeps consuming digits, then reports ERANGE
  for (; i < s.size() && is_digit(s[i]); ++i) {
    const uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (magnitude > (UINT64_MAX - digit) / 10) overflow = true;
    magnitude = magnitude * 10 + digit;
  }
  if (i == first_digit) {
    // No digits: strtoul returns 0 with the end pointer at the very start,
    // which Redis accepts only when that start is already the terminator.
    if (!s.empty()) return false;
    *out = 0;
    return true;
  }
  if (i != s.size() || overflow) return false;
  *out = negative ? uint64_t{0} - magnitude : magnitude;
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

// ---------------------------------------------------------------------------
// Floating point
// ---------------------------------------------------------------------------

bool parse_long_double(std::string_view s, long double* out) {
  if (s.empty() || s.size() >= kMaxLongDoubleChars) return false;
  char buf[kMaxLongDoubleChars];
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  ScopedCLocale c_locale;
  errno = 0;
  char* end = nullptr;
  const long double v = std::strtold(buf, &end);
  if (!redis_float_ok(s, buf, end, errno, v)) return false;
  *out = v;
  return true;
}

bool parse_double(std::string_view s, double* out) {
  if (s.empty()) return false;
  // string2d has no length limit; short inputs stay on the stack.
  constexpr size_t kStackChars = 512;
  char stack_buf[kStackChars];
  std::unique_ptr<char[]> heap_buf;
  char* buf = stack_buf;
  if (s.size() >= kStackChars) {
    heap_buf.reset(new char[s.size() + 1]);
    buf = heap_buf.get();
  }
  std::memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  ScopedCLocale c_locale;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(buf, &end);
  if (!redis_float_ok(s, buf, end, errno, v)) return false;
  *out = v;
  return true;
}

std::string format_long_double(long double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // The largest finite long double prints 4933 integer digits, '.', 17
  // decimals and maybe '-': 4952 bytes, below Redis's 5 KiB buffer, so
  // ld2string's "no room" failure cannot happen.
  char buf[kMaxLongDoubleChars];
  int n;
  {
    ScopedCLocale c_locale;
    n = std::snprintf(buf, sizeof buf, "%.17Lf", v);
  }
  assert(n > 0 && static_cast<size_t>(n) < sizeof buf);
  size_t len = static_cast<size_t>(n);
  if (std::memchr(buf, '.', len) != nullptr) {
    while (buf[len - 1] == '0') --len;
    if (buf[len - 1] == '.') --len;
  }
  if (len == 2 && buf[0] == '-' && buf[1] == '0') return "0";
  return std::string(buf, len);
}

}  // namespace hashstore::internal
