// Tests of lib/encoding/listpack: exact bytes (pinned from redis-server
// 7.0.15's DUMP of the same hashes), walking, mutation, field lookup,
// validation of untrusted bytes, and a randomized model test.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "encoding/listpack.h"

using hashstore::internal::kLpEmptySize;
using hashstore::internal::kLpNone;
using hashstore::internal::OwnedListpack;
namespace lp = hashstore::internal::lp;

namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string hex(const OwnedListpack& l) { return hex(l.data(), l.size()); }

std::vector<uint8_t> unhex(const std::string& h) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::vector<std::string> contents(const uint8_t* p) {
  std::vector<std::string> out;
  char buf[21];
  for (uint32_t off = lp::first(p); off != lp::end_offset(p); off = lp::next(p, off)) {
    out.emplace_back(lp::get_string(p, off, buf));
  }
  return out;
}

std::vector<std::string> contents_backwards(const uint8_t* p) {
  std::vector<std::string> out;
  char buf[21];
  for (uint32_t off = lp::last(p); off != kLpNone; off = lp::prev(p, off)) {
    out.emplace_back(lp::get_string(p, off, buf));
  }
  return {out.rbegin(), out.rend()};
}

uint64_t test_seed() {
  const char* s = std::getenv("HASHSTORE_SEED");
  return s ? std::strtoull(s, nullptr, 10) : 20261124;
}

}  // namespace

TEST_CASE("Listpack bytes equal Redis's") {
  SUBCASE("empty") {
    OwnedListpack l;
    CHECK(hex(l) == "07000000" "0000" "ff");
  }
  SUBCASE("HSET lp a 1 (redis-server 7.0.15 DUMP)") {
    OwnedListpack l;
    l.append("a");
    l.append("1");
    CHECK(hex(l) == "0c00000002008161020101ff");
  }
  SUBCASE("every integer width and the strings that stay strings") {
    // HSET lp name Alice age 127 n 128 neg -1 m -4096 p 4095 q 4096 r -32768
    //   s 32767 t 32768 u 8388607 v 8388608 w -2147483648 x 2147483648
    //   y -9223372036854775808 z 9223372036854775807 z1 -0 z2 01 z3 +1 z4 " 1"
    // as DUMPed by redis-server 7.0.15.
    const char* expected =
        "b30000002800846e616d650585416c6963650683616765047f01816e02c08002836e656704dfff02816d02d0"
        "0002817002cfff02817102f1001003817202f1008003817302f1ff7f03817402f200800004817502f2ffff7f"
        "04817602f30000800005817702f30000008005817802f4000000800000000009817902f40000000000000080"
        "09817a02f4ffffffffffffff7f09827a3103822d3003827a320382303103827a3303822b3103827a34038220"
        "3103ff";
    const std::vector<std::string> items = {
        "name", "Alice", "age", "127", "n", "128", "neg", "-1", "m", "-4096", "p", "4095",
        "q", "4096", "r", "-32768", "s", "32767", "t", "32768", "u", "8388607", "v", "8388608",
        "w", "-2147483648", "x", "2147483648", "y", "-9223372036854775808",
        "z", "9223372036854775807", "z1", "-0", "z2", "01", "z3", "+1", "z4", " 1"};
    OwnedListpack l;
    for (const auto& s : items) l.append(s);
    CHECK(hex(l) == expected);
    CHECK(contents(l.data()) == items);  // integers read back byte for byte
    CHECK(lp::validate(l.data(), l.size()).ok());
  }
  SUBCASE("string length boundaries 63/64/4095/4096 (headers and backlens from DUMP)") {
    struct Case {
      size_t len;
      std::string head;
      std::string backlen;
    };
    for (const Case& c : {Case{63, "bf", "40"}, Case{64, "e040", "42"}, Case{4095, "efff", "2081"},
                          Case{4096, "f000100000", "2085"}}) {
      CAPTURE(c.len);
      OwnedListpack l;
      const std::string s(c.len, 'x');
      l.append(s);
      const uint8_t* p = l.data();
      const size_t head = c.head.size() / 2, bl = c.backlen.size() / 2;
      REQUIRE(l.size() == kLpEmptySize + head + c.len + bl);
      CHECK(hex(p + 6, head) == c.head);
      CHECK(hex(p + 6 + head + c.len, bl) == c.backlen);
      CHECK(lp::entry_size_for(s) == head + c.len + bl);
      CHECK(contents_backwards(p) == std::vector<std::string>{s});
    }
  }
}

TEST_CASE("Listpack::walk") {
  OwnedListpack l;
  const std::vector<std::string> items = {"", "x", "-1", "300", "hello world", std::string(70, 'y'),
                                          "9223372036854775807", std::string(5000, 'z')};
  for (const auto& s : items) l.append(s);
  CHECK(lp::count(l.data()) == items.size());
  CHECK(contents(l.data()) == items);
  CHECK(contents_backwards(l.data()) == items);
  SUBCASE("get distinguishes ints from strings") {
    auto e = lp::get(l.data(), lp::next(l.data(), lp::next(l.data(), lp::first(l.data()))));
    CHECK(e.is_int);
    CHECK(e.int_value == -1);
  }
}

TEST_CASE("Listpack mutations") {
  OwnedListpack l;
  for (const char* s : {"a", "1", "b", "2", "c", "3"}) l.append(s);
  uint8_t* p = l.data();
  SUBCASE("insert at start, middle and end") {
    l.insert_before(lp::first(l.data()), "first");
    l.insert_before(lp::next(l.data(), lp::next(l.data(), lp::first(l.data()))), "mid");
    l.insert_before(lp::end_offset(l.data()), "last");
    CHECK(contents(l.data()) ==
          std::vector<std::string>{"first", "a", "mid", "1", "b", "2", "c", "3", "last"});
    CHECK(lp::validate(l.data(), l.size()).ok());
  }
  SUBCASE("replace with the same size writes in place") {
    const uint32_t before = lp::bytes(p);
    l.replace(lp::next(p, lp::first(p)), "9");
    CHECK(lp::bytes(l.data()) == before);
    CHECK(contents(l.data()) == std::vector<std::string>{"a", "9", "b", "2", "c", "3"});
  }
  SUBCASE("replace that grows and that shrinks") {
    l.replace(lp::next(p, lp::first(p)), std::string(100, 'q'));
    CHECK(contents(l.data())[1] == std::string(100, 'q'));
    l.replace(lp::next(l.data(), lp::first(l.data())), "-5000");
    CHECK(contents(l.data()) == std::vector<std::string>{"a", "-5000", "b", "2", "c", "3"});
    CHECK(lp::validate(l.data(), l.size()).ok());
  }
  SUBCASE("erase ranges") {
    l.erase(lp::next(l.data(), lp::next(l.data(), lp::first(l.data()))), 2);
    CHECK(contents(l.data()) == std::vector<std::string>{"a", "1", "c", "3"});
    l.erase(lp::first(l.data()), 4);
    CHECK(lp::count(l.data()) == 0);
    CHECK(hex(l) == "070000000000ff");
  }
}

TEST_CASE("Listpack::find_field") {
  OwnedListpack l;
  for (const char* s : {"name", "age", "age", "42", "42", "x", "7", "name"}) l.append(s);
  const uint8_t* p = l.data();
  SUBCASE("values are skipped: a value equal to the field does not match") {
    const uint32_t off = lp::find_field(p, "age");
    REQUIRE(off != kLpNone);
    char buf[21];
    CHECK(lp::get_string(p, lp::next(p, off), buf) == "42");
    CHECK(lp::find_field(p, "nope") == kLpNone);
  }
  SUBCASE("integer fields match by value") {
    const uint32_t off = lp::find_field(p, "42");
    REQUIRE(off != kLpNone);
    char buf[21];
    CHECK(lp::get_string(p, lp::next(p, off), buf) == "x");
    CHECK(lp::find_field(p, "042") == kLpNone);
    CHECK(lp::find_field(p, "7") != kLpNone);
  }
}

TEST_CASE("Listpack::find_field finds short names in non-canonical string encodings") {
  // validate() accepts a short string stored with a 12-bit or 32-bit
  // length, as Redis does; a lookup must still find it (found by the
  // listpack_validate fuzzer: "" stored as a 12-bit string).
  // Entries: "" (12-bit), "v", "ab" (32-bit), "w", "cd" (6-bit), "x".
  const std::vector<uint8_t> bytes = {
      0, 0, 0, 0, 6, 0,                       // header: size patched below, 6 entries
      0xE0, 0x00, 0x02,                       // "" as a 12-bit string, backlen 2
      0x81, 'v', 0x02,                        // "v"
      0xF0, 0x02, 0x00, 0x00, 0x00, 'a', 'b', 0x07,  // "ab" as a 32-bit string, backlen 7
      0x81, 'w', 0x02,                        // "w"
      0x82, 'c', 'd', 0x03,                   // "cd"
      0x81, 'x', 0x02,                        // "x"
      0xFF};
  std::vector<uint8_t> l = bytes;
  l[0] = static_cast<uint8_t>(l.size());
  REQUIRE(lp::validate(l.data(), l.size(), /*deep=*/true).ok());
  const uint8_t* p = l.data();
  char buf[21];
  for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
           {"", "v"}, {"ab", "w"}, {"cd", "x"}}) {
    const uint32_t off = lp::find_field(p, field);
    REQUIRE(off != kLpNone);
    CHECK(lp::get_string(p, lp::next(p, off), buf) == value);
  }
  CHECK(lp::find_field(p, "a") == kLpNone);
}

TEST_CASE("Listpack with an unknown count") {
  OwnedListpack l;
  for (int i = 0; i < 70000; ++i) l.append(i % 2 ? "v" : "f");
  CHECK(l.data()[4] == 0xff);
  CHECK(l.data()[5] == 0xff);
  CHECK(lp::count(l.data()) == 70000);
  CHECK(lp::validate(l.data(), l.size()).ok());
}

TEST_CASE("Listpack inside a larger buffer") {
  // A key entry keeps its key bytes in front of the listpack; the resize
  // callback must keep them.
  std::vector<uint8_t> buf(8 + kLpEmptySize);
  std::memcpy(buf.data(), "KEYBYTES", 8);
  lp::init(buf.data() + 8);
  auto resize = [&](size_t n) {
    buf.resize(8 + n);
    return buf.data() + 8;
  };
  uint8_t* p = buf.data() + 8;
  for (int i = 0; i < 100; ++i) p = lp::append(p, std::to_string(i * 1000), resize);
  p = lp::erase(p, lp::first(p), 50, resize);
  CHECK(std::memcmp(buf.data(), "KEYBYTES", 8) == 0);
  CHECK(buf.size() == 8 + lp::bytes(p));
  CHECK(lp::count(p) == 50);
  CHECK(lp::validate(p, lp::bytes(p)).ok());
}

TEST_CASE("Listpack::validate") {
  OwnedListpack l;
  for (const char* s : {"field", "12345", "x", "-7", "long value here"}) l.append(s);
  const std::vector<uint8_t> good(l.data(), l.data() + l.size());
  REQUIRE(lp::validate(good.data(), good.size()).ok());

  SUBCASE("wrong total in the header") {
    auto b = good;
    b[0] ^= 1;
    auto st = lp::validate(b.data(), b.size());
    CHECK_FALSE(st.ok());
    CHECK(std::string(st.message()).find("byte offset 0") != std::string::npos);
  }
  SUBCASE("missing end byte") {
    auto b = good;
    b[b.size() - 1] = 0x00;
    CHECK_FALSE(lp::validate(b.data(), b.size()).ok());
  }
  SUBCASE("wrong count, only in deep mode") {
    auto b = good;
    b[4] = 4;
    CHECK_FALSE(lp::validate(b.data(), b.size(), /*deep=*/true).ok());
    CHECK(lp::validate(b.data(), b.size(), /*deep=*/false).ok());
  }
  SUBCASE("wrong back-length") {
    auto b = good;
    b[6 + 6] ^= 0x01;  // backlen of "field" (6-byte entry)
    auto st = lp::validate(b.data(), b.size());
    CHECK_FALSE(st.ok());
    CHECK(std::string(st.message()).find("back-length at byte offset 12") != std::string::npos);
  }
  SUBCASE("a string length past the end") {
    auto b = good;
    b[6] = 0xBF;  // "field" claims 63 bytes
    CHECK_FALSE(lp::validate(b.data(), b.size()).ok());
  }
  SUBCASE("unused encoding bytes") {
    for (int e = 0xF5; e <= 0xFE; ++e) {
      CAPTURE(e);
      auto b = good;
      b[6] = static_cast<uint8_t>(e);
      CHECK_FALSE(lp::validate(b.data(), b.size()).ok());
    }
  }
  SUBCASE("every truncation is refused, header fixed up or not") {
    for (size_t n = 0; n < good.size(); ++n) {
      CAPTURE(n);
      std::vector<uint8_t> b(good.begin(), good.begin() + static_cast<long>(n));
      CHECK_FALSE(lp::validate(b.data(), b.size()).ok());
      if (n >= 6) {
        b[0] = static_cast<uint8_t>(n);
        b[1] = b[2] = b[3] = 0;
        b[n - 1] = 0xFF;
        if (n > 7) CHECK_FALSE(lp::validate(b.data(), b.size()).ok());
      }
    }
  }
  SUBCASE("a DUMP-derived listpack is valid") {
    auto b = unhex("0c00000002008161020101ff");
    CHECK(lp::validate(b.data(), b.size()).ok());
  }
}

TEST_CASE("Listpack randomized against std::vector") {
  const uint64_t seed = test_seed();
  CAPTURE(seed);
  std::mt19937_64 rng(seed);
  OwnedListpack l;
  std::vector<std::string> model;
  auto random_value = [&]() -> std::string {
    switch (rng() % 6) {
      case 0: return std::to_string(static_cast<int64_t>(rng()));
      case 1: return std::to_string(static_cast<int64_t>(rng() % 20000) - 10000);
      case 2: return std::string(rng() % 70, 'a' + static_cast<char>(rng() % 26));
      case 3: return std::string(rng() % 5000, 'b');
      case 4: return std::string("0").append(std::to_string(rng() % 10));
      default: return std::to_string(rng() % 128);
    }
  };
  auto offset_of = [&](size_t index) {
    uint32_t off = lp::first(l.data());
    for (size_t i = 0; i < index; ++i) off = lp::next(l.data(), off);
    return off;
  };
  for (int step = 0; step < 1000000; ++step) {
    const int op = static_cast<int>(rng() % 5);
    if (op == 0 || model.empty()) {
      auto v = random_value();
      l.append(v);
      model.push_back(v);
    } else if (op == 1) {
      const size_t i = rng() % (model.size() + 1);
      auto v = random_value();
      l.insert_before(i == model.size() ? lp::end_offset(l.data()) : offset_of(i), v);
      model.insert(model.begin() + static_cast<long>(i), v);
    } else if (op == 2) {
      const size_t i = rng() % model.size();
      auto v = random_value();
      l.replace(offset_of(i), v);
      model[i] = v;
    } else if (op == 3) {
      const size_t i = rng() % model.size();
      const size_t n = 1 + rng() % std::min<size_t>(3, model.size() - i);
      l.erase(offset_of(i), n);
      model.erase(model.begin() + static_cast<long>(i), model.begin() + static_cast<long>(i + n));
    } else {
      const size_t i = rng() % model.size();
      char buf[21];
      REQUIRE(lp::get_string(l.data(), offset_of(i), buf) == model[i]);
    }
    if (model.size() > 200) {
      l.erase(lp::first(l.data()), 100);
      model.erase(model.begin(), model.begin() + 100);
    }
    if (step % 1000 == 0) {
      REQUIRE(lp::validate(l.data(), l.size()).ok());
      REQUIRE(contents(l.data()) == model);
      REQUIRE(contents_backwards(l.data()) == model);
    }
  }
  CHECK(contents(l.data()) == model);
}

TEST_CASE("OwnedListpack::resizer") {
  OwnedListpack a;
  SUBCASE("lp:: mutations through resizer() keep data() current") {
    uint8_t* p = lp::append(a.data(), std::string(300, 'r'), a.resizer());
    CHECK(p == a.data());
    p = lp::append_int(p, -5, a.resizer());
    CHECK(p == a.data());
    CHECK(contents(a.data()) == std::vector<std::string>{std::string(300, 'r'), "-5"});
  }
  SUBCASE("a moved-to listpack resizes itself, not the moved-from one") {
    a.append("x");
    OwnedListpack b(std::move(a));
    uint8_t* p = lp::append(b.data(), std::string(100, 'y'), b.resizer());
    CHECK(p == b.data());
    CHECK(contents(b.data()) == std::vector<std::string>{"x", std::string(100, 'y')});
    OwnedListpack c;
    c = std::move(b);
    p = lp::erase(c.data(), lp::first(c.data()), 1, c.resizer());
    CHECK(p == c.data());
    CHECK(contents(c.data()) == std::vector<std::string>{std::string(100, 'y')});
  }
}
