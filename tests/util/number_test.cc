// Tests of lib/util/number. Every table row was read off redis-server 7.0.15
// (HINCRBY, HINCRBYFLOAT, HSCAN cursors, ZADD scores); the scripts that asked
// it sent each input as one RESP bulk string, NUL bytes included.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <string>

#include "util/number.h"

using hashstore::internal::format_int64;
using hashstore::internal::format_long_double;
using hashstore::internal::int64_to_string;
using hashstore::internal::kMaxInt64Chars;
using hashstore::internal::kMaxLongDoubleChars;
using hashstore::internal::parse_cursor;
using hashstore::internal::parse_double;
using hashstore::internal::parse_int64;
using hashstore::internal::parse_long_double;
using hashstore::internal::parse_uint64;

namespace {

// Fixed default seed; HASHSTORE_SEED=<n> replays another run.
uint64_t test_seed() {
  const char* env = std::getenv("HASHSTORE_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261124;
}

std::string repeat(char c, size_t n) { return std::string(n, c); }

// prefix + n copies of c + suffix. (GCC 12 warns falsely, -Wrestrict, on
// `"literal" + std::string&&`.)
std::string padded(std::string_view prefix, char c, size_t n, std::string_view suffix = {}) {
  std::string s(prefix);
  s.append(n, c);
  s.append(suffix);
  return s;
}

// HINCRBYFLOAT's decision procedure in Redis 7.0 t_hash.c, built from the
// util functions: which check refuses what, and with which error. The field
// is absent when base is nullopt.
std::string hincrbyfloat_reply(std::optional<std::string> base, const std::string& incr) {
  long double by;
  if (!parse_long_double(incr, &by)) return "ERR value is not a valid float";
  if (std::isnan(by) || std::isinf(by)) return "ERR value is NaN or Infinity";
  long double value = 0;
  if (base && !parse_long_double(*base, &value)) return "ERR hash value is not a float";
  value += by;
  if (std::isnan(value) || std::isinf(value)) return "ERR increment would produce NaN or Infinity";
  return format_long_double(value);
}

}  // namespace

TEST_CASE("number::parse_int64") {
  struct Case {
    std::string in;
    bool ok;
    int64_t value;
  };
  // HINCRBY h f <in>: accepted, or "ERR value is not an integer or out of
  // range"; HSET h f <in> + HINCRBY h f 1 fails ("ERR hash value is not an
  // integer") for the same inputs.
  const Case cases[] = {
      {"0", true, 0},
      {"1", true, 1},
      {"-1", true, -1},
      {"42", true, 42},
      {"9223372036854775807", true, INT64_MAX},
      {"-9223372036854775808", true, INT64_MIN},
      {"9223372036854775808", false, 0},
      {"-9223372036854775809", false, 0},
      {"18446744073709551616", false, 0},
      {"99999999999999999999", false, 0},
      {"123456789012345678901", false, 0},
      {"9999999999999999999", false, 0},  // 19 digits: fits uint64, not int64
      {"1234567", true, 1234567},
      {"-1234567", true, -1234567},
      {"1:", false, 0},  // the bytes beside '0' and '9'
      {"1/", false, 0},
      {"", false, 0},
      {"-", false, 0},
      {"+1", false, 0},
      {"01", false, 0},
      {"00", false, 0},
      {"-0", false, 0},
      {"-00", false, 0},
      {" 1", false, 0},
      {"1 ", false, 0},
      {"1.0", false, 0},
      {"1e3", false, 0},
      {"0x10", false, 0},
      {std::string("1\0", 2), false, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    int64_t v = 12345;
    CHECK(parse_int64(c.in, &v) == c.ok);
    CHECK(v == (c.ok ? c.value : 12345));  // untouched on failure
  }
}

TEST_CASE("number::parse_uint64") {
  struct Case {
    std::string in;
    bool ok;
    uint64_t value;
  };
  const Case cases[] = {
      {"0", true, 0},
      {"7", true, 7},
      {"9223372036854775808", true, uint64_t{1} << 63},
      {"18446744073709551615", true, UINT64_MAX},
      {"18446744073709551616", false, 0},
      {"99999999999999999999", false, 0},
      {"9999999999999999999", true, 9999999999999999999u},  // the longest with no overflow test
      {"10000000000000000000", true, 10000000000000000000u},
      {"1:", false, 0},
      {"1/", false, 0},
      {"", false, 0},
      {"-1", false, 0},
      {"-0", false, 0},
      {"+1", false, 0},
      {"01", false, 0},
      {" 1", false, 0},
      {"1 ", false, 0},
      {std::string("1\0", 2), false, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    uint64_t v = 12345;
    CHECK(parse_uint64(c.in, &v) == c.ok);
    CHECK(v == (c.ok ? c.value : 12345));
  }
}

TEST_CASE("number::parse_cursor") {
  struct Case {
    std::string in;
    bool ok;
    uint64_t value;
  };
  // HSCAN h <in>: accepted or "ERR invalid cursor". The values were pinned by
  // comparing the next cursor HSCAN returned on a 2000-field hash with the
  // one returned for the plain decimal cursor.
  const Case cases[] = {
      {"0", true, 0},
      {"5", true, 5},
      {"+5", true, 5},
      {"05", true, 5},
      {"007", true, 7},
      {"00", true, 0},
      {"+0", true, 0},
      {"-0", true, 0},
      {"", true, 0},
      {std::string("\0", 1), true, 0},
      {std::string("\0" "0", 2), true, 0},
      {std::string("5\0zz", 4), true, 5},
      {std::string("1\0x", 3), true, 1},
      {"-1", true, UINT64_MAX},
      {"18446744073709551615", true, UINT64_MAX},
      {"-18446744073709551615", true, 1},
      {"-18446744073709551611", true, 5},
      {"18446744073709551616", false, 0},
      {"-18446744073709551616", false, 0},
      {"99999999999999999999999", false, 0},
      {" 0", false, 0},
      {"\t0", false, 0},
      {"  ", false, 0},
      {"0 ", false, 0},
      {"0x10", false, 0},
      {"1.0", false, 0},
      {"+", false, 0},
      {"-", false, 0},
      {"+-1", false, 0},
      {"abc", false, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    uint64_t v = 12345;
    CHECK(parse_cursor(c.in, &v) == c.ok);
    CHECK(v == (c.ok ? c.value : 12345));
  }
}

TEST_CASE("number::format_int64") {
  SUBCASE("edges match std::to_string") {
    char buf[kMaxInt64Chars];
    for (int64_t v : {INT64_MIN, INT64_MIN + 1, int64_t{-10}, int64_t{-9}, int64_t{-1}, int64_t{0},
                      int64_t{1}, int64_t{9}, int64_t{10}, INT64_MAX - 1, INT64_MAX}) {
      CAPTURE(v);
      CHECK(std::string(buf, format_int64(v, buf)) == std::to_string(v));
    }
    CHECK(format_int64(INT64_MIN, buf) == kMaxInt64Chars - 1);
  }

  SUBCASE("random values round-trip through parse_int64") {
    const uint64_t seed = test_seed();
    INFO("HASHSTORE_SEED=" << seed);
    std::mt19937_64 rng(seed);
    for (int i = 0; i < 200000; ++i) {
      // Shifting by a random amount spreads values over every digit count.
      const int64_t x = static_cast<int64_t>(rng()) >> (rng() % 64);
      CAPTURE(x);
      const std::string s = int64_to_string(x);
      REQUIRE(s == std::to_string(x));
      int64_t back = 0;
      REQUIRE(parse_int64(s, &back));
      REQUIRE(back == x);
      // The unsigned parsers agree on the non-negative half.
      uint64_t u = 0;
      REQUIRE(parse_uint64(s, &u) == (x >= 0));
      uint64_t cursor = 0;
      REQUIRE(parse_cursor(s, &cursor));
      REQUIRE(cursor == static_cast<uint64_t>(x));
    }
  }
}

TEST_CASE("number::parse_long_double") {
  SUBCASE("HINCRBYFLOAT on an absent field") {
    struct Case {
      std::string incr;
      const char* reply;  // exactly what redis-server 7.0.15 replied
    };
    const Case cases[] = {
        {"5.0e3", "5000"},
        {"-0.0", "0"},
        {"0x10", "16"},
        {"0x1p3", "8"},
        {".5", "0.5"},
        {"1.", "1"},
        {"+.5", "0.5"},
        {"1.5", "1.5"},
        {"1e+3", "1000"},
        {"1E3", "1000"},
        {"1e-400", "0"},   // representable in long double, prints as 0
        {"1e-4950", "0"},  // denormal: ERANGE, but kept
        {"0.00000000000000001", "0.00000000000000001"},
        {"-0.000000000000000001", "0"},  // rounds to "-0", printed "0"
        {"1e63", "999999999999999999965225407341472151966654053379893968647487488"},
        {"5e64", "50000000000000000001294171714073772345581560354074875597187710976"},
        {"inf", "ERR value is NaN or Infinity"},
        {"-inf", "ERR value is NaN or Infinity"},
        {"infinity", "ERR value is NaN or Infinity"},
        {"INF", "ERR value is NaN or Infinity"},
        {"nan", "ERR value is not a valid float"},
        {"NaN", "ERR value is not a valid float"},
        {"-nan", "ERR value is not a valid float"},
        {"1e4933", "ERR value is not a valid float"},   // overflows to inf
        {"-1e4933", "ERR value is not a valid float"},
        {"1e-5000", "ERR value is not a valid float"},  // underflows to 0
        {"", "ERR value is not a valid float"},
        {" 1", "ERR value is not a valid float"},
        {"\t1", "ERR value is not a valid float"},
        {"\n1", "ERR value is not a valid float"},
        {"\v1", "ERR value is not a valid float"},
        {"1 ", "ERR value is not a valid float"},
        {std::string("1\0", 2), "ERR value is not a valid float"},
        {"\x85" "1", "ERR value is not a valid float"},
        {"1e", "ERR value is not a valid float"},
        {"0x", "ERR value is not a valid float"},
        {"0b1", "ERR value is not a valid float"},
        {"1_0", "ERR value is not a valid float"},
        {"1,5", "ERR value is not a valid float"},
        {"abc", "ERR value is not a valid float"},
        // Length limit: 5119 bytes pass, 5120 do not.
        {repeat('0', 5119), "0"},
        {padded("", '0', 5118, "1"), "1"},
        {padded("-", '0', 5118), "0"},
        {padded("0.", '0', 5000, "1e5000"), "0.1"},
        {repeat('0', 5120), "ERR value is not a valid float"},
        {repeat('1', 5119), "ERR value is not a valid float"},            // 1.1e5118 overflows
        {padded("0.", '0', 5000, "1"), "ERR value is not a valid float"},  // underflows
    };
    for (const Case& c : cases) {
      CAPTURE(c.incr.substr(0, 40));
      CAPTURE(c.incr.size());
      CHECK(hincrbyfloat_reply(std::nullopt, c.incr) == c.reply);
    }
  }

  SUBCASE("accepts infinity, refuses NaN, leaves out untouched") {
    long double v = 7;
    REQUIRE(parse_long_double("inf", &v));
    CHECK(std::isinf(v));
    CHECK(v > 0);
    REQUIRE(parse_long_double("-Infinity", &v));
    CHECK(std::isinf(v));
    CHECK(v < 0);
    v = 7;
    CHECK_FALSE(parse_long_double("nan", &v));
    CHECK_FALSE(parse_long_double("nan(123)", &v));
    CHECK_FALSE(parse_long_double(" 1", &v));
    CHECK(v == 7);
    CHECK(kMaxLongDoubleChars == 5120);
  }

  SUBCASE("a denormal is kept, not flushed") {
    long double v = 0;
    REQUIRE(parse_long_double("1e-4950", &v));
    CHECK(v > 0);
    CHECK(std::fpclassify(v) == FP_SUBNORMAL);
  }
}

TEST_CASE("number::format_long_double") {
  SUBCASE("HINCRBYFLOAT on a stored field") {
    struct Case {
      std::string base;
      std::string incr;
      std::string reply;  // exactly what redis-server 7.0.15 replied
    };
    const Case cases[] = {
        {"19.99", "0.5", "20.49"},
        {"10.5", "0.1", "10.6"},
        {"3006.5", "0.001", "3006.50099999999999989"},
        {"5", "-5", "0"},
        {"-1.5", "0", "-1.5"},
        {"-0", "0", "0"},
        {"0x10", "1", "17"},
        {"inf", "1", "ERR increment would produce NaN or Infinity"},
        {"1e4932", "1e4932", "ERR increment would produce NaN or Infinity"},
        {"nan", "1", "ERR hash value is not a float"},
        {" 1", "1", "ERR hash value is not a float"},
        {"1 ", "1", "ERR hash value is not a float"},
        {"", "1", "ERR hash value is not a float"},
        {"abc", "1", "ERR hash value is not a float"},
        {"1e-5000", "1", "ERR hash value is not a float"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.base);
      CAPTURE(c.incr);
      CHECK(hincrbyfloat_reply(c.base, c.incr) == c.reply);
    }
  }

  SUBCASE("huge values print every integer digit") {
    // Redis replied 401 bytes for 1e400, 4933 for 1e4932 and 310 for
    // 1.7976931348623157e309, each starting with these digits.
    struct Case {
      const char* incr;
      size_t size;
      const char* prefix;
    };
    const Case cases[] = {
        {"1e400", 401, "10000000000000000000"},
        {"1e4932", 4933, "10000000000000000000"},
        {"1.7976931348623157e309", 310, "17976931348623157000"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.incr);
      const std::string r = hincrbyfloat_reply(std::nullopt, c.incr);
      CHECK(r.size() == c.size);
      CHECK(r.compare(0, 20, c.prefix) == 0);
      CHECK(r.find('.') == std::string::npos);
    }
  }

  SUBCASE("the largest finite values fit and parse back") {
    const long double max = std::numeric_limits<long double>::max();
    for (long double v : {max, -max}) {
      const std::string s = format_long_double(v);
      CAPTURE(s.size());
      CHECK(s.size() < kMaxLongDoubleChars);
      long double back = 0;
      CHECK(parse_long_double(s, &back));
      CHECK(back == v);
    }
  }

  SUBCASE("infinities and zeros") {
    const long double inf = std::numeric_limits<long double>::infinity();
    CHECK(format_long_double(inf) == "inf");
    CHECK(format_long_double(-inf) == "-inf");
    CHECK(format_long_double(0.0L) == "0");
    CHECK(format_long_double(-0.0L) == "0");
    CHECK(format_long_double(-1e-30L) == "0");
    CHECK(format_long_double(100.0L) == "100");  // zeros before '.' stay
    CHECK(format_long_double(-2.5L) == "-2.5");
  }
}

TEST_CASE("number::parse_double") {
  struct Case {
    std::string in;
    bool ok;
    double value;
  };
  // ZADD z <in> m: accepted (ZSCORE shown as value) or "ERR value is not a
  // valid float".
  const double inf = std::numeric_limits<double>::infinity();
  const Case cases[] = {
      {"1", true, 1},
      {"1.5", true, 1.5},
      {".5", true, 0.5},
      {"1.", true, 1},
      {"+.5", true, 0.5},
      {"-0", true, -0.0},
      {"5.0e3", true, 5000},
      {"0x10", true, 16},
      {"0x1p3", true, 8},
      {"1e308", true, 1e308},
      {"4e-320", true, 4e-320},  // denormal: kept
      {"inf", true, inf},
      {"+inf", true, inf},
      {"-inf", true, -inf},
      {"infinity", true, inf},
      {repeat('0', 6000), true, 0},  // no length limit, unlike string2ld
      {padded("", '0', 6000, "1"), true, 1},
      {"1e309", false, 0},   // overflow
      {"-1e309", false, 0},
      {"1e-400", false, 0},  // underflow to 0
      {"nan", false, 0},
      {"-nan", false, 0},
      {"", false, 0},
      {" 1", false, 0},
      {"\t1", false, 0},
      {"1 ", false, 0},
      {std::string("1\0", 2), false, 0},
      {"1e", false, 0},
      {"abc", false, 0},
      {"1_0", false, 0},
      {"1,5", false, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in.substr(0, 40));
    double v = 12345;
    CHECK(parse_double(c.in, &v) == c.ok);
    CHECK(v == (c.ok ? c.value : 12345));
  }
}
