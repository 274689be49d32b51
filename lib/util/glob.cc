// Redis 7.0 glob semantics (see glob.h).
#include "util/glob_match.h"

#include <cctype>
#include <utility>

namespace hashstore::internal {

namespace {

constexpr int kMaxNesting = 1000;

class Matcher {
 public:
  Matcher(std::string_view pattern, bool nocase) : pat_(pattern), nocase_(nocase) {}

  // Matches pat_[p..] against s; sets give_up_ when an inner '*' proved
  // that the rest cannot match anywhere later.
  bool match(size_t p, std::string_view s, int nesting) {
    if (nesting > kMaxNesting) return false;
    size_t i = 0;  // position in s
    while (p < pat_.size() && i < s.size()) {
      const char c = pat_[p];
      if (c == '*') {
        while (p + 1 < pat_.size() && pat_[p + 1] == '*') ++p;
        if (p + 1 == pat_.size()) return true;  // a trailing '*' takes the rest
        for (; i < s.size(); ++i) {
          if (match(p + 1, s.substr(i), nesting + 1)) return true;
          if (give_up_) return false;
        }
        give_up_ = true;
        return false;
      }
      if (c == '?') {
        ++i;
      } else if (c == '[') {
        if (!match_set(&p, s[i])) return false;
        ++i;
      } else {
        if (c == '\\' && p + 1 < pat_.size()) ++p;
        if (!same(pat_[p], s[i])) return false;
        ++i;
      }
      ++p;
      if (i == s.size()) {
        while (p < pat_.size() && pat_[p] == '*') ++p;
        break;
      }
    }
    return p == pat_.size() && i == s.size();
  }

 private:
  bool same(char a, char b) const {
    if (!nocase_) return a == b;
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  }

  // *p is at '['; on return *p is at the closing ']' (or the last pattern
  // byte when the set is left open). Returns whether byte b is matched.
  bool match_set(size_t* p, char b) const {
    size_t q = *p + 1;
    const bool negate = q < pat_.size() && pat_[q] == '^';
    if (negate) ++q;
    bool hit = false;
    for (;; ++q) {
      if (q >= pat_.size()) {  // open set: ends with the pattern
        q = pat_.size() - 1;
        break;
      }
      const char c = pat_[q];
      if (c == '\\' && pat_.size() - q >= 2) {
        ++q;
        if (pat_[q] == b) hit = true;
      } else if (c == ']') {
        break;
      } else if (pat_.size() - q >= 3 && pat_[q + 1] == '-') {
        int lo = static_cast<signed char>(pat_[q]);
        int hi = static_cast<signed char>(pat_[q + 2]);
        int x = static_cast<signed char>(b);
        if (lo > hi) std::swap(lo, hi);
        if (nocase_) {
          lo = std::tolower(lo);
          hi = std::tolower(hi);
          x = std::tolower(x);
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
  bool give_up_ = false;
};

}  // namespace

bool glob_match(std::string_view pattern, std::string_view str, bool nocase) {
  return Matcher(pattern, nocase).match(0, str, 0);
}

}  // namespace hashstore::internal
