// Redis 7.0 glob matching (see glob.h for the rules and their costs).
//
// The matcher walks pattern and string together. A '*' tries the rest of the
// pattern at every later start in the string (one recursion level per '*').
// When the rest fails at every start, no longer match of an earlier '*' can
// help either (it would only start the rest later still), so the failure is
// remembered in give_up_ and every enclosing '*' returns at once: this is
// what keeps "a*a*a*...b" polynomial.
//
// Redis reads its pattern as a NUL-terminated C string and sometimes looks at
// the byte just past the end (always that NUL). Here every such read is a
// bounds check instead: at(i) returns '\0' past the end, which is what Redis
// sees, so the results agree and nothing is read out of bounds.
#include "util/glob_match.h"

#include <cstddef>
#include <utility>

namespace hashstore::internal {

namespace {

// tolower() in the "C" locale, on a char widened to int as Redis widens it.
int fold(int c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }

class Matcher {
 public:
  Matcher(std::string_view pattern, bool nocase) : pat_(pattern), nocase_(nocase) {}

  // Matches pat_[p..] against all of s.
  bool match(size_t p, std::string_view s, int nesting) {
    if (nesting > kMaxGlobNesting) return false;
    size_t i = 0;  // next byte of s
    while (p < pat_.size() && i < s.size()) {
      switch (pat_[p]) {
        case '*': {
          while (at(p + 1) == '*') ++p;
          if (p + 1 == pat_.size()) return true;  // a trailing '*' takes the rest
          for (; i < s.size(); ++i) {
            if (match(p + 1, s.substr(i), nesting + 1)) return true;
            if (give_up_) return false;
          }
          give_up_ = true;
          return false;
        }
        case '?':
          break;
        case '[':
          if (!match_set(&p, s[i])) return false;
          break;
        case '\\':
          if (p + 1 < pat_.size()) ++p;
          [[fallthrough]];
        default:
          if (!same(pat_[p], s[i])) return false;
          break;
      }
      ++p;
      ++i;
      if (i == s.size()) {
        while (at(p) == '*') ++p;
        break;
      }
    }
    return p == pat_.size() && i == s.size();
  }

 private:
  // The pattern byte at i, or the C string terminator Redis would read.
  char at(size_t i) const { return i < pat_.size() ? pat_[i] : '\0'; }

  bool same(char a, char b) const {
    if (!nocase_) return a == b;
    return fold(a) == fold(b);
  }

  // *p is at '['. Returns whether byte b is in the set; leaves *p at the
  // set's closing ']' or, for a set left open, at the pattern's last byte.
  bool match_set(size_t* p, char b) const {
    size_t q = *p + 1;
    const bool negate = at(q) == '^';
    if (negate) ++q;
    bool hit = false;
    for (;; ++q) {
      const size_t left = pat_.size() - q;  // bytes from q to the end (q <= size)
      const char c = at(q);
      if (c == '\\' && left >= 2) {
        ++q;
        if (pat_[q] == b) hit = true;  // an escaped byte never folds case
      } else if (c == ']') {
        break;
      } else if (left == 0) {  // open set: it ends with the pattern
        --q;
        break;
      } else if (left >= 3 && pat_[q + 1] == '-') {
        // Bytes widen as signed chars, as Redis's `int start = pattern[0]`
        // does on x86-64.
        int lo = static_cast<signed char>(pat_[q]);
        int hi = static_cast<signed char>(pat_[q + 2]);
        int x = static_cast<signed char>(b);
        if (lo > hi) std::swap(lo, hi);
        if (nocase_) {
          lo = fold(lo);
          hi = fold(hi);
          x = fold(x);
        }
        if (x >= lo && x <= hi) hit = true;
        q += 2;
      } else if (same(c, b)) {
        hit = true;
      }
    }
    *p = q;
    return negate ? !hit : hit;
  }

  std::string_view pat_;
  bool nocase_;
  bool give_up_ = false;  // Redis's skipLongerMatches
};

}  // namespace

bool glob_match(std::string_view pattern, std::string_view str, bool nocase) {
  return Matcher(pattern, nocase).match(0, str, 0);
}

}  // namespace hashstore::internal
