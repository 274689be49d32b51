// Tests of lib/util/number: Redis's strict integer parsing and its long
// double parsing/formatting. Expected values were read off redis-server
// 7.0.15 (HINCRBY / HINCRBYFLOAT replies).
#include <doctest/doctest.h>

#include <cstdlib>
#include <limits>
#include <random>
#include <string>

#include "util/number.h"

using hashstore::internal::format_int64;
using hashstore::internal::format_long_double;
using hashstore::internal::int64_to_string;
using hashstore::internal::kMaxInt64Chars;
using hashstore::internal::parse_int64;
using hashstore::internal::parse_long_double;

TEST_CASE("parse_int64 is Redis's string2ll") {
  struct Case {
    const char* in;
    bool ok;
    int64_t value;
  };
  const Case cases[] = {
      {"0", true, 0},
      {"1", true, 1},
      {"-1", true, -1},
      {"9223372036854775807", true, INT64_MAX},
      {"-9223372036854775808", true, INT64_MIN},
      {"9223372036854775808", false, 0},
      {"-9223372036854775809", false, 0},
      {"99999999999999999999", false, 0},
      {"", false, 0},
      {"-", false, 0},
      {"+1", false, 0},
      {"01", false, 0},
      {"-0", false, 0},
      {"00", false, 0},
      {" 1", false, 0},
      {"1 ", false, 0},
      {"1.0", false, 0},
      {"1e3", false, 0},
      {"0x10", false, 0},
      {"123456789012345678901", false, 0},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    int64_t v = 12345;
    CHECK(parse_int64(c.in, &v) == c.ok);
    CHECK(v == (c.ok ? c.value : 12345));  // untouched on failure
  }
  int64_t v;
  CHECK_FALSE(parse_int64(std::string_view("1\0", 2), &v));
}

TEST_CASE("format_int64 round-trips with parse_int64") {
  const char* seed_env = std::getenv("HASHSTORE_SEED");
  std::mt19937_64 rng(seed_env ? std::strtoull(seed_env, nullptr, 10) : 20261124);
  char buf[kMaxInt64Chars];
  for (int64_t edge : {INT64_MIN, INT64_MIN + 1, int64_t{-1}, int64_t{0}, int64_t{1}, INT64_MAX}) {
    CHECK(std::string(buf, format_int64(edge, buf)) == std::to_string(edge));
  }
  for (int i = 0; i < 200000; ++i) {
    const int64_t x = static_cast<int64_t>(rng()) >> (rng() % 64);
    const std::string s = int64_to_string(x);
    REQUIRE(s == std::to_string(x));
    int64_t back;
    REQUIRE(parse_int64(s, &back));
    REQUIRE(back == x);
  }
}

TEST_CASE("parse_long_double is Redis's string2ld") {
  struct Case {
    const char* in;
    bool ok;
  };
  // Accepted/refused exactly as HINCRBYFLOAT's argument by redis-server 7.0.
  const Case cases[] = {
      {"1", true},         {"5.0e3", true},     {"-0.0", true},   {".5", true},
      {"1.", true},        {"0x10", true},      {"0x1p3", true},  {"+.5", true},
      {"1e400", true},     {"1e-400", true},    {"1.5e-4950", true},
      {"1e4932", true},    {"inf", true},       {"-inf", true},   {"infinity", true},
      {"1e4933", false},   {"-1e4933", false},  {"nan", false},   {"", false},
      {" 1", false},       {"1 ", false},       {"  ", false},    {"1,5", false},
      {"1_0", false},      {"1e", false},       {"e5", false},    {"\t1", false},
  };
  for (const Case& c : cases) {
    CAPTURE(c.in);
    long double v;
    CHECK(parse_long_double(c.in, &v) == c.ok);
  }
  long double v;
  CHECK_FALSE(parse_long_double(std::string_view("1\0", 2), &v));
  CHECK_FALSE(parse_long_double(std::string(6000, '1'), &v));  // over MAX_LONG_DOUBLE_CHARS
}

TEST_CASE("format_long_double is Redis's ld2string(LD_STR_HUMAN)") {
  auto sum = [](const char* a, const char* b) {
    long double x, y;
    REQUIRE(parse_long_double(a, &x));
    REQUIRE(parse_long_double(b, &y));
    return format_long_double(x + y);
  };
  // HINCRBYFLOAT results from redis-server 7.0.15.
  CHECK(sum("19.99", "0.5") == "20.49");
  CHECK(sum("10.5", "0.1") == "10.6");
  CHECK(sum("3006.5", "0.001") == "3006.50099999999999989");
  CHECK(sum("0", "5.0e3") == "5000");
  CHECK(sum("0", "-0.0") == "0");
  CHECK(sum("0", "0.00000000000000001") == "0.00000000000000001");
  CHECK(sum("0", "-0.000000000000000001") == "0");  // never "-0"
  CHECK(sum("0", "1e-400") == "0");
  CHECK(sum("0", "1e63") == "999999999999999999965225407341472151966654053379893968647487488");
  CHECK(sum("0", "5e64") == "50000000000000000001294171714073772345581560354074875597187710976");
  CHECK(sum("0", "0x10") == "16");
  CHECK(format_long_double(std::numeric_limits<long double>::infinity()) == "inf");
  CHECK(format_long_double(-std::numeric_limits<long double>::infinity()) == "-inf");
  // 1e4932 prints all 4933 digits, as Redis does.
  CHECK(sum("0", "1e4932").size() == 4933);
}
