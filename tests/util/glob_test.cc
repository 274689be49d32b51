// Tests of lib/util/glob: Redis 7.0's stringmatchlen. The table rows are what
// redis-server 7.0.15 returned for HSCAN g 0 MATCH <pattern> COUNT 1000 on a
// hash whose fields are kFields (binary fields included); a row's mask has
// '1' at the index of each field that came back.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "util/glob_match.h"

using hashstore::internal::glob_match;
using hashstore::internal::kMaxGlobNesting;

namespace {

// The adjacent literal after each \x escape ("\xff" "") ends the escape.
const std::vector<std::string>& fields() {
  static const std::vector<std::string> kFields = {
      "",
      "a",
      "ab",
      "abc",
      "abd",
      "acd",
      "abe",
      "aXd",
      "a*",
      "a]",
      "[",
      "a\\",
      "\\",
      "a-",
      "A",
      "ABC",
      std::string("a\x00""b", 3),
      std::string("\x00""", 1),
      "\xff""",
      "\x80""",
      "a^",
      "^",
      "b",
      "-",
      "]",
      "a[",
      "\?",
      "hello",
      "hallo",
      "hxllo",
      "heeeello",
      "x*y",
      "x\?y"
  };
  return kFields;
}

std::string mask_of(const std::string& pattern) {
  std::string mask;
  for (const std::string& f : fields()) mask += glob_match(pattern, f) ? '1' : '0';
  return mask;
}

}  // namespace

TEST_CASE("glob::glob_match") {
  SUBCASE("agrees with HSCAN MATCH on redis-server 7.0") {
    struct Row {
      std::string pattern;
      std::string mask;
    };
    const Row rows[] = {
        {"", "100000000000000000000000000000000"},
        {"**", "011111111111111111111111111111111"},
        {"\?", "010000000010101001110111101000000"},
        {"\?\?", "001000001101010000001000010000000"},
        {"a", "010000000000000000000000000000000"},
        {"a*", "011111111101010010001000010000000"},
        {"*a*", "011111111101010010001000010010000"},
        {"a\?c", "000100000000000000000000000000000"},
        {"a[bc]d", "000011000000000000000000000000000"},
        {"a[^b]d", "000001010000000000000000000000000"},
        {"a[b-d]e", "000000100000000000000000000000000"},
        {"a[d-b]e", "000000100000000000000000000000000"},
        {"a\\*", "000000001000000000000000000000000"},
        {"[", "000000000000000000000000000000000"},
        {"a[", "000000000000000000000000000000000"},
        {"a[b", "001000000000000000000000000000000"},
        {"a[\\]]", "000000000100000000000000000000000"},
        {"[^", "010000000010101001110111101000000"},
        {"[]", "000000000000000000000000000000000"},
        {"[]]", "000000000000000000000000000000000"},
        {"[]a]", "000000000000000000000000000000000"},
        {"[!a]", "010000000000000000000000000000000"},
        {"[a-]", "010000000000000000000100100000000"},
        {"[-a]", "010000000000000000000001000000000"},
        {"[\\]", "000000000000000000000000100000000"},
        {"\\", "000000000000100000000000000000000"},
        {"a\\", "000000000001000000000000000000000"},
        {"\\\\", "000000000000100000000000000000000"},
        {"[\\\\]", "000000000000100000000000000000000"},
        {"\\a", "010000000000000000000000000000000"},
        {"[z-a]", "010000000000000000000010000000000"},
        {"[\x80""-\xff""]", "000000000000000000110000000000000"},
        {"[a-\xff""]", "010000000010101001100101101000000"},
        {std::string("[\x00""-b]", 5), "010000000010101001000111101000000"},
        {std::string("\x00""", 1), "000000000000000001000000000000000"},
        {std::string("a\x00""b", 3), "000000000000000010000000000000000"},
        {"a\?b", "000000000000000010000000000000000"},
        {"[^a-z]", "000000000010101001110101101000000"},
        {"[^]", "010000000010101001110111101000000"},
        {"[a-]*", "010000000000000000000100100000000"},
        {"h\?llo", "000000000000000000000000000111000"},
        {"h*llo", "000000000000000000000000000111100"},
        {"h[ae]llo", "000000000000000000000000000110000"},
        {"h[^e]llo", "000000000000000000000000000011000"},
        {"h[a-b]llo", "000000000000000000000000000010000"},
        {"*\\*", "000000001000000000000000000000000"},
        {"x\\\?y", "000000000000000000000000000000001"},
        {"x[\?]y", "000000000000000000000000000000001"},
        {"x[*]y", "000000000000000000000000000000010"},
        {"*[", "000000000000000000000000000000000"},
        {"[*", "000000000000000000000000000000000"},
        {"*]", "000000000100000000000000100000000"},
        {"[a-c-e]", "010000000000000000000011000000000"},
        {"[^\\]]", "010000000010101001110111001000000"},
        {"a[^", "001000001101010000001000010000000"},
        {"\?*", "011111111111111111111111111111111"},
        {"*\?", "011111111111111111111111111111111"},
        {"***a", "010000000000000000000000000000000"},
        {"a**", "011111111101010010001000010000000"},
        {"[[]", "000000000010000000000000000000000"},
        {"[\\", "000000000000100000000000000000000"},
        {"[a\\", "010000000000100000000000000000000"},
        {"\\[", "000000000010000000000000000000000"},
        {"a[-]", "000000000000010000000000000000000"},
        {"[a-c]\?", "001000001101010000001000010000000"},
        {"-", "000000000000000000000001000000000"},
        {"[---]", "000000000000000000000001000000000"},
        {"\xff""", "000000000000000000100000000000000"},
        {"[\xff""]", "000000000000000000100000000000000"},
        {std::string("[^\x00""]", 4), "010000000010101000110111101000000"},
        {"ABC", "000000000000000100000000000000000"},
        {"[A-Z]*", "000000000000001100000000000000000"},
        {"[a-Z]", "010000000010100000000100100000000"},
        {"[Z-a]", "010000000010100000000100100000000"},
    };
    for (const Row& r : rows) {
      CAPTURE(r.pattern);
      REQUIRE(r.mask.size() == fields().size());
      CHECK(mask_of(r.pattern) == r.mask);
    }
  }

  SUBCASE("'*' alone does not match the empty string") {
    // Redis's HSCAN/KEYS skip matching for the pattern "*" (they returned
    // every field, "" included); stringmatchlen itself never matches "".
    CHECK_FALSE(glob_match("*", ""));
    CHECK_FALSE(glob_match("**", ""));
    CHECK(glob_match("", ""));
    CHECK(mask_of("*") == std::string(1, '0').append(fields().size() - 1, '1'));
  }

  SUBCASE("nocase folds ASCII letters only") {
    CHECK(glob_match("HELLO", "hello", /*nocase=*/true));
    CHECK_FALSE(glob_match("HELLO", "hello"));
    CHECK(glob_match("hash-max-*", "HASH-MAX-LISTPACK-VALUE", /*nocase=*/true));
    CHECK(glob_match("[A-C]x", "bX", /*nocase=*/true));
    CHECK(glob_match("[abc]", "B", /*nocase=*/true));
    CHECK_FALSE(glob_match("[\\B]", "b", /*nocase=*/true));  // an escaped set byte never folds
    CHECK_FALSE(glob_match("\xc9", "\xe9", /*nocase=*/true));  // Latin-1 É/é are not ASCII
    CHECK(glob_match("[^a]", "A"));
    CHECK_FALSE(glob_match("[^a]", "A", /*nocase=*/true));
  }

  SUBCASE("nesting limit is exactly 1000 '*'s") {
    // Redis 7.0.15: "*a" repeated 1000 times matched 1000 'a's; 1001 did not.
    REQUIRE(kMaxGlobNesting == 1000);
    const int sizes[] = {999, 1000, 1001, 1100};
    for (int n : sizes) {
      CAPTURE(n);
      std::string pattern;
      for (int i = 0; i < n; ++i) pattern += "*a";
      CHECK(glob_match(pattern, std::string(static_cast<size_t>(n), 'a')) == (n <= kMaxGlobNesting));
    }
    // "a*" repeated n times then "b", against n 'a's and a 'b'.
    for (int n : sizes) {
      CAPTURE(n);
      std::string pattern;
      for (int i = 0; i < n; ++i) pattern += "a*";
      pattern += "b";
      CHECK(glob_match(pattern, std::string(static_cast<size_t>(n), 'a') + "b") == (n <= kMaxGlobNesting));
    }
  }

  SUBCASE("abusive patterns finish") {
    // Exponential without Redis's early exit (20 stars over 60 bytes would
    // take ~C(60,20) steps); with it, a few thousand.
    const std::string s(60, 'a');
    CHECK_FALSE(glob_match("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
    CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", std::string(4000, 'a')));
    CHECK(glob_match("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s + "b"));
  }

  SUBCASE("binary-safe") {
    const std::string nul(1, '\0');
    CHECK(glob_match("?", nul));
    CHECK(glob_match(std::string("a\0*", 3), std::string("a\0bc", 4)));
    CHECK_FALSE(glob_match(std::string("a\0b", 3), "a"));
    CHECK(glob_match(std::string("[\0]", 3), nul));
    CHECK_FALSE(glob_match("[^", ""));  // no byte to match
  }
}
