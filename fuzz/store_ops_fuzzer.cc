// Fuzz target: hash commands on a Store against a std::map model.
//
// Property: for any byte string, decoded as a sequence of operations (HSET,
// HSETNX, HDEL, HGET, HINCRBY, HINCRBYFLOAT, HGETALL, HSCAN, RENAME,
// RENAMENX, COPY, DEL and EXISTS of key lists, HRESERVEALL (the multi-key
// calls with equal and overlapping keys), CONFIG SET of the thresholds, PEXPIRE, PERSIST, the field TTL commands
// HPEXPIRE (NX/XX/GT/LT), HPERSIST, HPTTL, HSETEX, HGETEX, HGETDEL, clock
// advances and expiry cycles) over a small alphabet of keys, fields and
// values, every reply equals a model whose keys and fields expire, no key
// holds an empty hash (a key goes with its last field), and
// after every step each hash's encoding is consistent with Redis's rules: a
// listpack hash never has more fields than the entries limit, nor a field or
// value longer than the value limit, at the time of its last write.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <hashstore/store.h>

#include "fuzz_input.h"
#include "small_store.h"

namespace {

using Hash = std::map<std::string, std::string>;

const char* const kValues[] = {"",     "0",   "-1",   "1",   "9223372036854775807",
                               "-9223372036854775808", "abc", "1.5", "01", " 1",
                               "3006.5"};

std::string value_of(FuzzInput& in) {
  uint8_t b = in.byte();
  if (b < 200) return kValues[b % (sizeof kValues / sizeof kValues[0])];
  return std::string(static_cast<size_t>(b - 190), 'x');  // 10..65 bytes
}

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "store_ops_fuzzer: %s\n", what);
  std::abort();
}

// The model's HINCRBY: Redis's strict integer parse and overflow check.
bool model_int(const std::string& s, long long* out) {
  if (s.empty() || s.size() > 20) return false;
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0' || std::to_string(v) != s) return false;
  *out = v;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in{data, size};
  hashstore::ManualClock clock(1000);
  const hashstore::Options opt = small_store_options(&clock);
  hashstore::Store store(opt);
  std::map<std::string, Hash> model;
  std::map<std::string, int64_t> expires;  // the model's key TTLs (absolute ms)
  // The model's field TTLs: key -> field -> absolute ms.
  std::map<std::string, std::map<std::string, int64_t>> fttl;
  auto field_ttl = [&](const std::string& k, const std::string& f) -> std::optional<int64_t> {
    auto it = fttl.find(k);
    if (it == fttl.end()) return std::nullopt;
    auto jt = it->second.find(f);
    return jt == it->second.end() ? std::nullopt : std::optional<int64_t>(jt->second);
  };
  auto has_field = [&](const std::string& k, const std::string& f) {
    auto it = model.find(k);
    return it != model.end() && it->second.count(f) > 0;
  };
  // Removes a field (and its TTL); the key goes with its last field.
  auto drop_field = [&](const std::string& k, const std::string& f) {
    model[k].erase(f);
    fttl[k].erase(f);
    if (model[k].empty()) model.erase(k);
  };
  size_t max_entries = 4, max_value = 16;
  // Since the limits last changed: keys written (so bound by the entries
  // limit) and keys created (so every field and value is bound by the value
  // limit too; older long values may legitimately stay in a listpack).
  std::map<std::string, bool> written, born;
  auto note_write = [&](const std::string& k, bool existed) {
    written[k] = true;
    if (!existed) born[k] = true;
  };

  // The model forgets keys and fields whose time has come, and the TTLs of
  // whatever is gone.
  auto purge = [&] {
    for (auto it = expires.begin(); it != expires.end();) {
      if (it->second <= clock.now_ms()) {
        model.erase(it->first);
        it = expires.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [k, fields] : fttl) {
      for (auto it = fields.begin(); it != fields.end();) {
        if (it->second <= clock.now_ms() && model.count(k)) {
          model[k].erase(it->first);
          if (model[k].empty()) model.erase(k);
        }
        it = has_field(k, it->first) ? std::next(it) : fields.erase(it);
      }
    }
    for (auto it = expires.begin(); it != expires.end();) {
      it = model.count(it->first) ? std::next(it) : expires.erase(it);
    }
  };
  // RENAME's effect on the model: dst takes src's hash and TTLs.
  auto move_key = [&](const std::string& src, const std::string& dst) {
    Hash h = model[src];
    model.erase(src);
    model[dst] = h;
    fttl[dst] = fttl[src];
    fttl.erase(src);
    expires.erase(dst);
    if (expires.count(src)) {
      expires[dst] = expires[src];
      expires.erase(src);
    }
    written[dst] = written[src];
    born[dst] = born[src];
  };
  for (int steps = 0; in.n > 0 && steps < 2000; ++steps) {
    purge();
    const uint8_t op = in.byte() % 25;
    const std::string key = std::string("k").append(std::to_string(in.byte() % 4));
    const std::string field = std::string("f").append(std::to_string(in.byte() % 8));
    switch (op) {
      case 0:
      case 1: {
        std::string v = value_of(in);
        const bool existed = model.count(key) > 0;
        bool added = model[key].emplace(field, v).second;
        model[key][field] = v;
        fttl[key].erase(field);  // overwriting clears the field's TTL
        if (store.hset(key, field, v).value() != (added ? 1 : 0)) fail("hset");
        note_write(key, existed);
        break;
      }
      case 2: {
        std::string v = value_of(in);
        const bool existed = model.count(key) > 0;
        bool added = model[key].emplace(field, v).second;
        if (store.hsetnx(key, field, v).value() != added) fail("hsetnx");
        if (added) note_write(key, existed);
        break;
      }
      case 3: {
        int64_t removed = 0;
        if (auto it = model.find(key); it != model.end()) {
          removed = static_cast<int64_t>(it->second.erase(field));
          fttl[key].erase(field);
          if (it->second.empty()) model.erase(it);
        }
        if (store.hdel(key, {field}) != removed) fail("hdel");
        break;
      }
      case 4: {
        auto want = [&](const std::string& f) -> std::optional<std::string> {
          if (auto it = model.find(key); it != model.end()) {
            if (auto v = it->second.find(f); v != it->second.end()) return v->second;
          }
          return std::nullopt;
        };
        const uint8_t other = in.byte();
        if (other < 128) {
          if (store.hget(key, field) != want(field)) fail("hget");
          break;
        }
        // HMGET with a second field and the first one again.
        const std::string field2 = std::string("f").append(std::to_string(other % 8));
        const auto got = store.hmget(key, {field, field2, field});
        if (got.size() != 3 || got[0] != want(field) || got[1] != want(field2) ||
            got[2] != want(field)) {
          fail("hmget");
        }
        break;
      }
      case 5: {
        const int64_t incr = static_cast<int8_t>(in.byte());
        const bool existed = model.count(key) > 0;
        Hash& h = model[key];
        long long cur = 0;
        bool ok = true;
        if (auto f = h.find(field); f != h.end()) {
          ok = model_int(f->second, &cur) &&
               !(incr > 0 && cur > INT64_MAX - incr) && !(incr < 0 && cur < INT64_MIN - incr);
        }
        auto r = store.hincrby(key, field, incr);
        if (r.ok() != ok) fail("hincrby status");
        if (ok) {
          if (*r != cur + incr) fail("hincrby value");
          h[field] = std::to_string(cur + incr);
          note_write(key, existed);
        }
        if (h.empty()) model.erase(key);
        break;
      }
      case 6: {
        auto r = store.hincrbyfloat(key, field, 0.25L);
        const bool existed = model.count(key) > 0;
        Hash& h = model[key];
        if (r.ok()) {
          h[field] = *r;  // formatting is pinned by unit tests; here: state agreement
          note_write(key, existed);
        } else if (h.count(field) == 0) {
          fail("hincrbyfloat on a missing field failed");
        }
        if (h.empty()) model.erase(key);
        break;
      }
      case 7: {
        auto all = store.hgetall(key);
        Hash got(all.begin(), all.end());
        auto it = model.find(key);
        if (got != (it == model.end() ? Hash{} : it->second)) fail("hgetall");
        break;
      }
      case 8: {
        Hash got;
        uint64_t cursor = 0;
        int guard = 0;
        do {
          hashstore::ScanOptions opt;
          opt.count = 1 + in.byte() % 4;
          auto page = store.hscan(key, cursor, opt);
          for (size_t i = 0; i + 1 < page.items.size(); i += 2) got[page.items[i]] = page.items[i + 1];
          cursor = page.cursor;
        } while (cursor != 0 && ++guard < 10000);
        auto it = model.find(key);
        if (got != (it == model.end() ? Hash{} : it->second)) fail("hscan");
        break;
      }
      case 9: {
        const std::string dst = std::string("k").append(std::to_string(in.byte() % 4));
        auto st = store.rename(key, dst);
        if (model.count(key) == 0) {
          if (st.ok()) fail("rename of a missing key");
        } else {
          if (!st.ok()) fail("rename");
          if (dst == key) break;  // renaming a key to itself changes nothing
          move_key(key, dst);
        }
        break;
      }
      case 10: {
        const std::string dst = std::string("k").append(std::to_string(in.byte() % 4));
        if (dst == key) {
          // Refused, as Redis refuses it, and nothing changes (the checks
          // after the step compare the whole keyspace).
          const bool replace = in.byte() % 2 == 0;
          if (store.copy(key, dst, replace).status().message() !=
              "ERR source and destination objects are the same") {
            fail("copy onto itself");
          }
          break;
        }
        absl::StatusOr<bool> result = store.copy(key, dst, /*replace=*/true);
        if (!result.ok()) fail("copy: no maxmemory is set");
        const bool copied = *result;
        if (copied != (model.count(key) > 0)) fail("copy");
        if (copied) {
          model[dst] = model[key];
          fttl[dst] = fttl[key];
          expires.erase(dst);
          if (expires.count(key)) expires[dst] = expires[key];
          written[dst] = written[key];
          born[dst] = born[key];
        }
        break;
      }
      case 12: {
        const int64_t ms = static_cast<int64_t>(in.byte() % 60) - 10;  // may be in the past
        const bool set = store.pexpire(key, ms).value();
        if (set != (model.count(key) > 0)) fail("pexpire");
        if (set) {
          if (ms <= 0) {
            model.erase(key);
            expires.erase(key);
          } else {
            expires[key] = clock.now_ms() + ms;
          }
        }
        break;
      }
      case 13:
        clock.advance_ms(in.byte() % 40);
        break;
      case 14: {
        const bool removed = store.persist(key);
        if (removed != (model.count(key) > 0 && expires.count(key) > 0)) fail("persist");
        expires.erase(key);
        break;
      }
      case 15: {
        store.expire_cycle(in.byte() % 4);
        const int64_t want = !model.count(key) ? -2
                             : !expires.count(key) ? -1
                                                   : expires[key] - clock.now_ms();
        if (store.pttl(key) != want) fail("pttl");
        break;
      }
      case 16: {  // HPEXPIRE key ms [NX|XX|GT|LT] FIELDS 1 field
        const int64_t ms = static_cast<int64_t>(in.byte() % 60) - 10;
        static const unsigned kFlags[] = {0, hashstore::kExpireNX, hashstore::kExpireXX,
                                          hashstore::kExpireGT, hashstore::kExpireLT};
        const size_t flag_index = in.byte() % 5;
        const unsigned flags = kFlags[flag_index];
        // Through the command layer, so that its parsing is fuzzed too.
        static const char* const kFlagWords[] = {"", "NX", "xx", "Gt", "LT"};
        std::vector<std::string> args = {"HPEXPIRE", key, std::to_string(ms)};
        if (flag_index != 0) args.push_back(kFlagWords[flag_index]);
        for (const char* a : {"FIELDS", "1"}) args.push_back(a);
        args.push_back(field);
        const hashstore::Reply reply = store.execute(args);
        if (ms < 0) {
          if (!reply.is_error()) fail("hpexpire accepted a negative time");
          break;
        }
        int64_t want;
        const int64_t when = clock.now_ms() + ms;
        const std::optional<int64_t> cur = field_ttl(key, field);
        if (!has_field(key, field)) {
          want = -2;
        } else if (((flags & hashstore::kExpireNX) && cur) ||
                   ((flags & hashstore::kExpireXX) && !cur) ||
                   ((flags & hashstore::kExpireGT) && (!cur || when <= *cur)) ||
                   ((flags & hashstore::kExpireLT) && cur && when >= *cur)) {
          want = 0;
        } else if (ms == 0) {
          want = 2;
          drop_field(key, field);
        } else {
          want = 1;
          fttl[key][field] = when;
        }
        if (reply.kind() != hashstore::Reply::Kind::kArray || reply.elements().size() != 1 ||
            reply.elements()[0].integer() != want) {
          fail("hpexpire");
        }
        break;
      }
      case 17: {  // HPERSIST
        const std::string_view f = field;
        const int64_t want = !has_field(key, field) ? -2 : field_ttl(key, field) ? 1 : -1;
        fttl[key].erase(field);
        if (store.hpersist(key, std::span<const std::string_view>(&f, 1)) !=
            std::vector<int64_t>{want}) {
          fail("hpersist");
        }
        break;
      }
      case 18: {  // HPTTL and HTTL
        const std::string_view f = field;
        const std::optional<int64_t> t = field_ttl(key, field);
        const int64_t ms = !has_field(key, field) ? -2 : t ? *t - clock.now_ms() : -1;
        const int64_t secs = ms < 0 ? ms : (ms + 999) / 1000;
        const auto fields = std::span<const std::string_view>(&f, 1);
        if (store.hpttl(key, fields) != std::vector<int64_t>{ms}) fail("hpttl");
        if (store.httl(key, fields) != std::vector<int64_t>{secs}) fail("httl");
        break;
      }
      case 19: {  // HSETEX [FNX|FXX] [PX ms|KEEPTTL] FIELDS 1 field value
        const std::string v = value_of(in);
        const uint8_t b = in.byte();
        const auto cond = static_cast<hashstore::FieldCondition>(b % 3);
        hashstore::FieldTtl ttl;
        const int64_t ms = (b / 3) % 30;
        if ((b / 90) % 3 == 1) {
          ttl = {hashstore::FieldTtl::kPX, ms};
        } else if ((b / 90) % 3 == 2) {
          ttl = {hashstore::FieldTtl::kKeepTtl, 0};
        }
        const hashstore::FieldValue pair{field, v};
        auto r = store.hsetex(key, std::span<const hashstore::FieldValue>(&pair, 1), ttl, cond);
        const bool present = has_field(key, field);
        const bool want = !((cond == hashstore::FieldCondition::kFNX && present) ||
                            (cond == hashstore::FieldCondition::kFXX && !present));
        if (!r.ok() || *r != want) fail("hsetex");
        if (!want) break;
        const bool existed = model.count(key) > 0;
        model[key][field] = v;
        if (ttl.kind != hashstore::FieldTtl::kKeepTtl) fttl[key].erase(field);
        if (ttl.kind == hashstore::FieldTtl::kPX) {
          if (ms == 0) {
            drop_field(key, field);
          } else {
            fttl[key][field] = clock.now_ms() + ms;
          }
        }
        if (model.count(key)) note_write(key, existed);
        break;
      }
      case 20: {  // HGETDEL
        const std::string_view f = field;
        std::optional<std::string> want;
        if (has_field(key, field)) {
          want = model[key][field];
          drop_field(key, field);
        }
        if (store.hgetdel(key, std::span<const std::string_view>(&f, 1)) !=
            std::vector<std::optional<std::string>>{want}) {
          fail("hgetdel");
        }
        break;
      }
      case 21: {  // HGETEX [PX ms | PERSIST]
        const std::string_view f = field;
        const uint8_t b = in.byte();
        hashstore::FieldTtl ttl;
        if (b % 3 == 1) ttl = {hashstore::FieldTtl::kPX, static_cast<int64_t>(b / 3 % 30)};
        if (b % 3 == 2) ttl = {hashstore::FieldTtl::kPersist, 0};
        std::optional<std::string> want;
        if (has_field(key, field)) {
          want = model[key][field];
          if (ttl.kind == hashstore::FieldTtl::kPersist) fttl[key].erase(field);
          if (ttl.kind == hashstore::FieldTtl::kPX) {
            if (ttl.value == 0) {
              drop_field(key, field);
            } else {
              fttl[key][field] = clock.now_ms() + ttl.value;
            }
          }
        }
        auto r = store.hgetex(key, std::span<const std::string_view>(&f, 1), ttl);
        if (!r.ok() || *r != std::vector<std::optional<std::string>>{want}) fail("hgetex");
        break;
      }
      case 22: {  // RENAMENX, onto itself too
        const std::string dst = std::string("k").append(std::to_string(in.byte() % 4));
        absl::StatusOr<bool> r = store.renamenx(key, dst);
        if (model.count(key) == 0) {
          if (r.ok()) fail("renamenx of a missing key");
          break;
        }
        const bool want = dst != key && model.count(dst) == 0;
        if (!r.ok() || *r != want) fail("renamenx");
        if (want) move_key(key, dst);
        break;
      }
      case 23: {  // EXISTS then DEL of a list of keys that may repeat
        std::vector<std::string> keys{key};
        for (int i = in.byte() % 4; i > 0; --i) {
          keys.push_back(std::string("k").append(std::to_string(in.byte() % 4)));
        }
        const std::vector<std::string_view> views(keys.begin(), keys.end());
        int64_t present = 0;
        for (const std::string& k : keys) present += model.count(k) ? 1 : 0;
        if (store.exists(views) != present) fail("exists");
        int64_t removed = 0;
        for (const std::string& k : keys) {
          if (model.erase(k)) ++removed;
          expires.erase(k);
          fttl.erase(k);
        }
        if (store.del(views) != removed) fail("del");
        break;
      }
      case 24: {  // HRESERVEALL: lines on equal and overlapping keys and fields
        std::vector<std::string> keys, fields;
        std::vector<hashstore::ReserveItem> items;
        const int lines = 1 + in.byte() % 3;
        for (int i = 0; i < lines; ++i) {
          keys.push_back(i == 0 ? key : std::string("k").append(std::to_string(in.byte() % 4)));
          fields.push_back(i == 0 ? field : std::string("f").append(std::to_string(in.byte() % 8)));
        }
        for (int i = 0; i < lines; ++i) items.push_back({keys[i], fields[i], 1 + in.byte() % 4});
        // The model: each line in order; a non-integer value is an error,
        // a line short of its running demand refuses the whole cart.
        std::map<std::pair<std::string, std::string>, long long> demand;
        bool error = false, short_line = false;
        for (const hashstore::ReserveItem& item : items) {
          const std::string k(item.key), f(item.field);
          long long have = 0;
          if (has_field(k, f) && !model_int(model[k][f], &have)) {
            error = true;
            break;
          }
          long long& want = demand[{k, f}];
          want += item.amount;
          if (have < want) {
            short_line = true;
            break;
          }
        }
        auto r = store.reserve_all(items);
        if (r.ok() == error) fail("reserve_all status");
        if (error) break;
        if (r->has_value() == short_line) fail("reserve_all refused or took");
        if (short_line) break;
        std::vector<int64_t> left;
        for (const hashstore::ReserveItem& item : items) {
          const std::string k(item.key), f(item.field);
          long long have = 0;
          model_int(model[k][f], &have);
          model[k][f] = std::to_string(have - item.amount);
          left.push_back(have - item.amount);
          written[k] = true;
        }
        if (**r != left) fail("reserve_all remainders");
        break;
      }
      case 11: {
        max_entries = in.byte() % 8;
        max_value = in.byte() % 32;
        store.execute({"CONFIG", "SET", "hash-max-listpack-entries", std::to_string(max_entries)});
        store.execute({"CONFIG", "SET", "hash-max-listpack-value", std::to_string(max_value)});
        written.clear();
        born.clear();
        break;
      }
    }
    purge();
    // Invariants on every key.
    if (store.dbsize() != static_cast<int64_t>(model.size())) fail("dbsize");
    for (const auto& [k, h] : model) {
      if (h.empty()) fail("model holds an empty hash");
      if (store.hlen(k) != static_cast<int64_t>(h.size())) fail("hlen");
      const auto encoding = store.object_encoding(k);
      if (encoding == "listpack" || encoding == "listpackex") {
        if (written[k] && h.size() > max_entries) fail("listpack over the entries limit");
        for (const auto& [f, v] : h) {
          if (!born[k]) break;
          if (f.size() > max_value || v.size() > max_value) fail("listpack over the value limit");
        }
      }
    }
  }
  return 0;
}
