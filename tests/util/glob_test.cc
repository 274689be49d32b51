// Tests of lib/util/glob: Redis 7.0's pattern rules. Each row's expected
// set is what KEYS <pattern> returned from redis-server 7.0.15 over the keys
// abc abd acd abe a aXd "a*" "a]" "[" ab.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "util/glob_match.h"

using hashstore::internal::glob_match;

namespace {

std::set<std::string> matches(const std::string& pattern) {
  static const std::vector<std::string> keys = {"abc", "abd", "acd", "abe", "a",
                                                "aXd", "a*",  "a]",  "[",   "ab"};
  std::set<std::string> out;
  for (const auto& k : keys) {
    if (glob_match(pattern, k)) out.insert(k);
  }
  return out;
}

}  // namespace

TEST_CASE("glob_match agrees with Redis KEYS") {
  using S = std::set<std::string>;
  const S everything_with_a = {"a", "a*", "aXd", "a]", "ab", "abc", "abd", "abe", "acd"};
  CHECK(matches("a*") == everything_with_a);
  CHECK(matches("*a*") == everything_with_a);
  CHECK(matches("a?c") == S{"abc"});
  CHECK(matches("a[bc]d") == S{"abd", "acd"});
  CHECK(matches("a[^b]d") == S{"aXd", "acd"});
  CHECK(matches("a[b-d]e") == S{"abe"});
  CHECK(matches("a[d-b]e") == S{"abe"});  // reversed ranges work
  CHECK(matches("a\\*") == S{"a*"});
  CHECK(matches("[") == S{});
  CHECK(matches("a[") == S{});
  CHECK(matches("a[b") == S{"ab"});  // an open set closes at the end
  CHECK(matches("a[\\]]") == S{"a]"});
}

TEST_CASE("glob_match edge cases") {
  CHECK(glob_match("", ""));
  CHECK_FALSE(glob_match("", "a"));
  CHECK_FALSE(glob_match("**", ""));  // Redis: the loop never starts on an empty string
  CHECK(glob_match("a**", "a"));
  CHECK(glob_match("?", std::string(1, '\0')));
  CHECK(glob_match(std::string("a\0b", 3), std::string("a\0b", 3)));
  CHECK_FALSE(glob_match(std::string("a\0b", 3), "a"));
  CHECK(glob_match("h?llo", "hello"));
  CHECK(glob_match("h*llo", "heeeello"));
  CHECK(glob_match("HELLO", "hello", /*nocase=*/true));
  CHECK(glob_match("hash-max-*", "HASH-MAX-LISTPACK-VALUE", /*nocase=*/true));
  CHECK_FALSE(glob_match("HELLO", "hello"));
  CHECK(glob_match("[a-]", "]"));  // "[a-]" is the range a..']' as in Redis
  CHECK(glob_match("[^", "x"));
}

TEST_CASE("glob_match stays fast on abusive patterns") {
  // Without Redis's early exit this is exponential; it must simply finish.
  const std::string s(60, 'a');
  CHECK_FALSE(glob_match("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
  std::string deep;
  for (int i = 0; i < 1500; ++i) deep += "*a";
  CHECK_FALSE(glob_match(deep, std::string(1500, 'a')));  // nesting limit
}
