// Test helpers for the RDB suites: RdbBuilder writes RDB bytes record by
// record (rdb_format.h's grammar), and encoders for the packed hash
// encodings (listpack through OwnedListpack; ziplist and zipmap written
// here from their layouts, ziplist integers in the smallest encoding as
// Redis's zipTryEncoding picks it), and a picture of a store's keys to
// compare (key_image.h).
#ifndef HASHSTORE_TESTS_PERSIST_RDB_TEST_UTIL_H_
#define HASHSTORE_TESTS_PERSIST_RDB_TEST_UTIL_H_

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <hashstore/store.h>

#include "key_image.h"

#include "encoding/listpack.h"
#include "persist/rdb_crc64.h"
#include "persist/rdb_format.h"
#include "util/number.h"

namespace rdbtest {

namespace rdb = hashstore::internal::rdb;

class RdbBuilder {
 public:
  explicit RdbBuilder(int version = 10) {
    out_ = "REDIS00";
    if (version < 10) out_ += "0";
    out_ += std::to_string(version);
  }
  RdbBuilder& raw(std::string_view b) {
    out_.append(b);
    return *this;
  }
  RdbBuilder& byte(uint8_t b) {
    out_.push_back(static_cast<char>(b));
    return *this;
  }
  RdbBuilder& len(uint64_t n) {
    rdb::put_len(&out_, n);
    return *this;
  }
  RdbBuilder& str(std::string_view s) {
    rdb::put_string(&out_, s);
    return *this;
  }
  RdbBuilder& le64(int64_t v) {
    rdb::put_le64(&out_, static_cast<uint64_t>(v));
    return *this;
  }
  RdbBuilder& le32(int32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>(static_cast<uint32_t>(v) >> (8 * i)));
    return *this;
  }
  RdbBuilder& aux(std::string_view k, std::string_view v) { return byte(rdb::kOpAux).str(k).str(v); }
  RdbBuilder& select(uint64_t db) { return byte(rdb::kOpSelectDb).len(db); }
  RdbBuilder& expire_ms(int64_t ms) { return byte(rdb::kOpExpireTimeMs).le64(ms); }
  RdbBuilder& key(uint8_t type, std::string_view k) { return byte(type).str(k); }
  // A type 16 hash.
  RdbBuilder& listpack_hash(std::string_view k, std::string_view lp) {
    return key(rdb::kTypeHashListpack, k).str(lp);
  }
  // A type 4 hash of the given pairs.
  RdbBuilder& plain_hash(std::string_view k,
                         const std::vector<std::pair<std::string, std::string>>& pairs) {
    key(rdb::kTypeHash, k).len(pairs.size());
    for (const auto& [f, v] : pairs) str(f).str(v);
    return *this;
  }
  // EOF and the CRC-64 (or 0: "not computed").
  std::string finish(bool crc = true) {
    std::string f = out_;
    f.push_back(static_cast<char>(rdb::kOpEof));
    rdb::put_le64(&f, crc ? rdb::crc64_update(0, f.data(), f.size()) : 0);
    return f;
  }
  const std::string& bytes() const { return out_; }

 private:
  std::string out_;
};

inline std::string listpack(const std::vector<std::string>& entries) {
  hashstore::internal::OwnedListpack lp;
  for (const std::string& e : entries) lp.append(e);
  return std::string(reinterpret_cast<const char*>(lp.data()), lp.size());
}

// A ziplist of the entries, each stored as Redis stores it: a canonical
// integer of at most 32 characters as an integer, the rest as strings.
inline std::string ziplist(const std::vector<std::string>& entries) {
  std::string body;
  size_t prev = 0, last = 0;
  for (const std::string& e : entries) {
    std::string entry;
    if (prev < 254) {
      entry.push_back(static_cast<char>(prev));
    } else {
      entry.push_back(static_cast<char>(0xFE));
      for (int i = 0; i < 4; ++i) entry.push_back(static_cast<char>(prev >> (8 * i)));
    }
    int64_t v;
    auto le = [&](int bytes) {
      for (int i = 0; i < bytes; ++i) entry.push_back(static_cast<char>(static_cast<uint64_t>(v) >> (8 * i)));
    };
    if (e.size() <= 32 && hashstore::internal::parse_int64(e, &v)) {
      if (v >= 0 && v <= 12) {
        entry.push_back(static_cast<char>(0xF1 + v));
      } else if (v >= INT8_MIN && v <= INT8_MAX) {
        entry.push_back(static_cast<char>(0xFE));
        le(1);
      } else if (v >= INT16_MIN && v <= INT16_MAX) {
        entry.push_back(static_cast<char>(0xC0));
        le(2);
      } else if (v >= -(1 << 23) && v < (1 << 23)) {
        entry.push_back(static_cast<char>(0xF0));
        le(3);
      } else if (v >= INT32_MIN && v <= INT32_MAX) {
        entry.push_back(static_cast<char>(0xD0));
        le(4);
      } else {
        entry.push_back(static_cast<char>(0xE0));
        le(8);
      }
    } else if (e.size() < 64) {
      entry.push_back(static_cast<char>(e.size()));
      entry += e;
    } else if (e.size() < 16384) {
      entry.push_back(static_cast<char>(0x40 | (e.size() >> 8)));
      entry.push_back(static_cast<char>(e.size() & 0xFF));
      entry += e;
    } else {
      entry.push_back(static_cast<char>(0x80));
      for (int i = 3; i >= 0; --i) entry.push_back(static_cast<char>(e.size() >> (8 * i)));
      entry += e;
    }
    last = 10 + body.size();
    body += entry;
    prev = entry.size();
  }
  if (entries.empty()) last = 10;
  std::string z;
  const size_t total = 10 + body.size() + 1;
  for (size_t v : {total, last}) {
    for (int i = 0; i < 4; ++i) z.push_back(static_cast<char>(v >> (8 * i)));
  }
  const size_t count = entries.size() < 65535 ? entries.size() : 65535;
  z.push_back(static_cast<char>(count & 0xFF));
  z.push_back(static_cast<char>(count >> 8));
  z += body;
  z.push_back(static_cast<char>(0xFF));
  return z;
}

// A zipmap of the pairs (no free bytes).
inline std::string zipmap(const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::string z(1, static_cast<char>(pairs.size() < 254 ? pairs.size() : 254));
  auto put = [&](size_t n) {
    if (n < 254) {
      z.push_back(static_cast<char>(n));
    } else {
      z.push_back(static_cast<char>(0xFE));
      for (int i = 0; i < 4; ++i) z.push_back(static_cast<char>(n >> (8 * i)));
    }
  };
  for (const auto& [f, v] : pairs) {
    put(f.size());
    z += f;
    put(v.size());
    z.push_back('\0');
    z += v;
  }
  z.push_back(static_cast<char>(0xFF));
  return z;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace rdbtest

#endif  // HASHSTORE_TESTS_PERSIST_RDB_TEST_UTIL_H_
