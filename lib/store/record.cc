// Text forms of typed record members (include/hashstore/record.h).
#include <hashstore/record.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "util/number.h"

namespace hashstore::internal::record {

std::string format(int64_t v) { return internal::int64_to_string(v); }

std::string format(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string format(bool v) { return v ? "1" : "0"; }

bool parse(std::string_view s, int64_t* out) { return internal::parse_int64(s, out); }

bool parse(std::string_view s, double* out) {
  // Like Redis's string2d: the whole text, no leading space, no NaN.
  if (s.empty() || s.size() > 300 || s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) return false;
  const std::string text(s);
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || std::isnan(v) || (errno == ERANGE && std::isinf(v))) {
    return false;
  }
  *out = v;
  return true;
}

bool parse(std::string_view s, bool* out) {
  if (s == "1" || s == "true") {
    *out = true;
    return true;
  }
  if (s == "0" || s == "false") {
    *out = false;
    return true;
  }
  return false;
}

const char* type_name(const int64_t*) { return "an integer"; }
const char* type_name(const double*) { return "a number"; }
const char* type_name(const bool*) { return "a boolean (1/0/true/false)"; }

}  // namespace hashstore::internal::record
