// Tests for lib/persist's RDB building blocks: rdb_crc64 (Redis's check
// value, chunking, combining) and rdb_ziplist (ziplist and zipmap
// validation and iteration, on the byte examples from Redis's own
// ziplist.c and zipmap.c comments and on damaged copies).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "persist/rdb_crc64.h"
#include "persist/rdb_format.h"
#include "persist/rdb_ziplist.h"
#include "rdb_test_util.h"

namespace {

namespace rdb = hashstore::internal::rdb;
using rdb::ZiplistItem;

const uint8_t* u8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

std::vector<std::string> ziplist_items(const std::string& z) {
  std::vector<std::string> out;
  rdb::ziplist_for_each(u8(z), [&](const ZiplistItem& it) {
    out.push_back(it.is_int ? std::to_string(it.int_value) : std::string(it.str));
  });
  return out;
}

}  // namespace

TEST_CASE("crc64") {
  SUBCASE("Redis's check value") {
    CHECK(rdb::crc64_update(0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
    CHECK(rdb::crc64_update(0, "", 0) == 0);
  }
  SUBCASE("any chunking gives the same CRC, and combine joins two") {
    std::mt19937_64 rng(7);
    std::string data(3000, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    const uint64_t whole = rdb::crc64_update(0, data.data(), data.size());
    for (size_t split : {size_t{0}, size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{1000},
                         size_t{2999}, size_t{3000}}) {
      CAPTURE(split);
      const uint64_t a = rdb::crc64_update(0, data.data(), split);
      CHECK(rdb::crc64_update(a, data.data() + split, data.size() - split) == whole);
      const uint64_t b = rdb::crc64_update(0, data.data() + split, data.size() - split);
      CHECK(rdb::crc64_combine(a, b, data.size() - split) == whole);
    }
  }
  SUBCASE("a bitwise reference, the tables and the folding agree on random inputs") {
    std::mt19937_64 rng(11);
    for (int round = 0; round < 300; ++round) {
      // Lengths around the folding's steps (16, 64 bytes), offsets off
      // alignment, and a starting CRC carried in.
      std::string data(rng() % (round < 200 ? 300 : 5000) + 1, '\0');
      for (char& c : data) c = static_cast<char>(rng());
      const size_t off = rng() % std::min<size_t>(data.size(), 17);
      const uint64_t start = round % 2 ? rng() : 0;
      uint64_t ref = start;
      for (size_t i = off; i < data.size(); ++i) {
        ref ^= static_cast<unsigned char>(data[i]);
        for (int b = 0; b < 8; ++b) ref = (ref & 1) ? (ref >> 1) ^ rdb::kCrc64PolyReflected : ref >> 1;
      }
      CAPTURE(data.size());
      CAPTURE(off);
      CHECK(rdb::crc64_update(start, data.data() + off, data.size() - off) == ref);
      CHECK(rdb::crc64_update_tables(start, data.data() + off, data.size() - off) == ref);
    }
  }
}

TEST_CASE("ziplist_validate") {
  // ziplist.c's example: the integers 2 and 5.
  const std::string example("\x0f\x00\x00\x00\x0c\x00\x00\x00\x02\x00\x00\xf3\x02\xf6\xff", 15);
  size_t count = 0;

  SUBCASE("Redis's documented example") {
    REQUIRE(rdb::ziplist_validate(u8(example), example.size(), &count).ok());
    CHECK(count == 2);
    CHECK(ziplist_items(example) == std::vector<std::string>{"2", "5"});
  }
  SUBCASE("every encoding round trips through the encoder") {
    const std::vector<std::string> entries = {
        "0", "12", "13", "-1", "127", "-128", "128", "32767", "-32768", "32768", "8388607",
        "-8388608", "8388608", "2147483647", "-2147483648", "2147483648",
        "9223372036854775807", "-9223372036854775808", "", "abc", "01", "-0", " 1",
        std::string(63, 'a'), std::string(64, 'b'), std::string(300, 'c'),
        std::string(16384, 'd'), "tail"};
    const std::string z = rdbtest::ziplist(entries);
    REQUIRE(rdb::ziplist_validate(u8(z), z.size(), &count).ok());
    CHECK(count == entries.size());
    CHECK(ziplist_items(z) == entries);
  }
  SUBCASE("an empty ziplist") {
    const std::string z = rdbtest::ziplist({});
    REQUIRE(rdb::ziplist_validate(u8(z), z.size(), &count).ok());
    CHECK(count == 0);
  }
  SUBCASE("damage is refused") {
    auto refused = [&](std::string z, const char* why) {
      INFO(why);
      size_t n;
      const absl::Status st = rdb::ziplist_validate(u8(z), z.size(), &n);
      CHECK(st.code() == absl::StatusCode::kDataLoss);
      CHECK(std::string(st.message()).find("at byte offset") != std::string::npos);
    };
    std::string z = example;
    z[0] = 16;
    refused(z, "zlbytes");
    z = example;
    z[4] = 10;
    refused(z, "tail not at the last entry");
    z = example;
    z[4] = 15;
    refused(z, "tail past the end");
    z = example;
    z[8] = 3;
    refused(z, "count");
    z = example;
    z[12] = 3;
    refused(z, "prevlen");
    z = example;
    z[11] = static_cast<char>(0xC1);
    refused(z, "unknown integer encoding");
    z = example;
    z[13] = static_cast<char>(0x05);  // a 5-byte string where 1 byte is left
    refused(z, "string past the end");
    z = example;
    z[14] = 0;
    refused(z, "no end byte");
    z = example;
    z[11] = static_cast<char>(0xFF);
    refused(z, "0xFF as an encoding");
    z = example;
    z[10] = static_cast<char>(0xFF);
    refused(z, "end byte inside");
    refused(example.substr(0, 10), "shorter than a header");
    // A 32-bit string length running far past the buffer.
    std::string big = rdbtest::ziplist({std::string(20000, 'x')});
    big[10 + 2] = 0x7F;
    refused(big, "32-bit length");
  }
  SUBCASE("the count 65535 means unknown") {
    std::string z = example;
    z[8] = static_cast<char>(0xFF);
    z[9] = static_cast<char>(0xFF);
    REQUIRE(rdb::ziplist_validate(u8(z), z.size(), &count).ok());
    CHECK(count == 2);
  }
  SUBCASE("every truncation and every bit flip is refused or still a valid ziplist") {
    const std::string z = rdbtest::ziplist({"field", "1", "f2", std::string(300, 'v'), "-70000"});
    for (size_t n = 0; n < z.size(); ++n) {
      size_t c;
      CHECK_FALSE(rdb::ziplist_validate(u8(z), n, &c).ok());
    }
    for (size_t bit = 0; bit < z.size() * 8; ++bit) {
      std::string d = z;
      d[bit / 8] = static_cast<char>(d[bit / 8] ^ (1 << (bit % 8)));
      size_t c;
      if (rdb::ziplist_validate(u8(d), d.size(), &c).ok()) ziplist_items(d);  // walks safely
    }
  }
}

TEST_CASE("zipmap_validate") {
  // zipmap.c's example: "foo" => "bar", "hello" => "world".
  const std::string example("\x02\x03" "foo" "\x03\x00" "bar" "\x05" "hello" "\x05\x00" "world" "\xff",
                            24);
  size_t pairs = 0;
  auto items = [](const std::string& z) {
    std::vector<std::pair<std::string, std::string>> out;
    rdb::zipmap_for_each(u8(z), [&](std::string_view f, std::string_view v) {
      out.emplace_back(f, v);
    });
    return out;
  };
  SUBCASE("Redis's documented example") {
    REQUIRE(rdb::zipmap_validate(u8(example), example.size(), &pairs).ok());
    CHECK(pairs == 2);
    CHECK(items(example) ==
          std::vector<std::pair<std::string, std::string>>{{"foo", "bar"}, {"hello", "world"}});
  }
  SUBCASE("free bytes and 5-byte lengths") {
    std::string z = rdbtest::zipmap({{"k", std::string(300, 'v')}, {std::string(260, 'f'), ""}});
    REQUIRE(rdb::zipmap_validate(u8(z), z.size(), &pairs).ok());
    CHECK(items(z)[0].second.size() == 300);
    CHECK(items(z)[1].first.size() == 260);
    // Two free bytes after "bar".
    const std::string with_free("\x01\x03" "foo" "\x03\x02" "barXY" "\xff", 13);
    REQUIRE(rdb::zipmap_validate(u8(with_free), with_free.size(), &pairs).ok());
    CHECK(items(with_free)[0].second == "bar");
  }
  SUBCASE("damage is refused") {
    auto refused = [&](std::string z, const char* why) {
      INFO(why);
      size_t n;
      CHECK(rdb::zipmap_validate(u8(z), z.size(), &n).code() == absl::StatusCode::kDataLoss);
    };
    std::string z = example;
    z[0] = 3;
    refused(z, "count");
    z = example;
    z[1] = 30;
    refused(z, "field past the end");
    z = example;
    z[5] = 30;
    refused(z, "value past the end");
    z = example;
    z[6] = 20;
    refused(z, "free bytes past the end");
    z = example;
    z[5] = static_cast<char>(0xFF);
    refused(z, "0xFF as a value length");
    refused(std::string("\x00\xff", 2), "no pairs");
    refused(example.substr(0, 23), "no end byte");
    for (size_t n = 0; n < example.size(); ++n) refused(example.substr(0, n), "truncated");
  }
  SUBCASE("the count 254 means unknown") {
    std::string z = example;
    z[0] = static_cast<char>(254);
    CHECK(rdb::zipmap_validate(u8(z), z.size(), &pairs).ok());
  }
}
