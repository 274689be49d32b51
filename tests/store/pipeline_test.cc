// hashstore::Pipeline and Store::run: every reply equals what an
// independent model (std::map, Redis's rules written out) gives for the same
// random commands (both encodings, keys created and deleted mid-run,
// errors), and the flat replies, reuse, field expiry and events behave.
// Atomicity under threads is in concurrency_test.cc.
#include <doctest/doctest.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/pipeline.h>
#include <hashstore/store.h>

#include "absl/strings/str_cat.h"

namespace {

using hashstore::Pipeline;
using hashstore::PipelineReplies;
using hashstore::Reply;
using hashstore::Store;

// A reply in a comparable form: HGETALL's pairs sorted (a table-encoded
// hash has no fixed order: each field table hashes with its own seed).
std::string comparable(const Reply& r, std::string_view command) {
  if (command != "HGETALL" || r.kind() != Reply::Kind::kArray) return r.debug_string();
  std::vector<std::pair<std::string, std::string>> pairs;
  for (size_t j = 0; j + 1 < r.elements().size(); j += 2) {
    pairs.emplace_back(r.elements()[j].string(), r.elements()[j + 1].string());
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [f, v] : pairs) absl::StrAppend(&out, f, "=", v, ";");
  return out;
}

std::vector<std::pair<std::string, std::string>> sorted_hgetall(Store& s, const std::string& key) {
  auto pairs = s.hgetall(key);
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

// Queues one random command on p and its string form on batch.
void random_command(std::mt19937_64& rng, Pipeline& p,
                    std::vector<std::vector<std::string>>& batch) {
  const std::string key = absl::StrCat("k", rng() % 40);
  auto field = [&] { return absl::StrCat("f", rng() % 12); };
  auto value = [&]() -> std::string {
    switch (rng() % 4) {
      case 0: return std::to_string(static_cast<int64_t>(rng() % 2000) - 1000);
      case 1: return std::string(70, 'v');  // converts the hash to a table
      case 2: return "";
      default: return absl::StrCat("v", rng() % 100);
    }
  };
  switch (rng() % 9) {
    case 0:
    case 1: {
      const std::string f = field();
      p.hget(key, f);
      batch.push_back({"HGET", key, f});
      break;
    }
    case 2: {
      const std::string a = field(), b = field(), c = field();
      p.hmget(key, {a, b, c});
      batch.push_back({"HMGET", key, a, b, c});
      break;
    }
    case 3:
      p.hgetall(key);
      batch.push_back({"HGETALL", key});
      break;
    case 4:
    case 5: {
      const std::string f = field(), v = value();
      p.hset(key, f, v);
      batch.push_back({"HSET", key, f, v});
      break;
    }
    case 6: {
      const std::string a = field(), b = field();
      p.hdel(key, {a, b});
      batch.push_back({"HDEL", key, a, b});
      break;
    }
    case 7: {
      const std::string f = field();
      const int64_t by = static_cast<int64_t>(rng() % 21) - 10;
      p.hincrby(key, f, by);
      batch.push_back({"HINCRBY", key, f, std::to_string(by)});
      break;
    }
    default: {
      const std::string f = field();
      const int64_t amount = static_cast<int64_t>(rng() % 40) - 2;  // 0 and -1 are errors
      p.reserve(key, f, amount);
      batch.push_back({"HRESERVE", key, f, std::to_string(amount)});
      break;
    }
  }
}

// An independent model of the commands random_command queues: nested
// std::maps and Redis 7's rules written out, giving the reply each command
// must get. (Comparing run() with execute_batch() would check the Store
// against itself.)
class Model {
 public:
  Reply apply(const std::vector<std::string>& c) {
    const std::string& name = c[0];
    const std::string& key = c[1];
    auto it = keys_.find(key);
    Hash* hash = it == keys_.end() ? nullptr : &it->second;
    if (name == "HGET") return lookup(hash, c[2]);
    if (name == "HMGET") {
      std::vector<Reply> out;
      for (size_t i = 2; i < c.size(); ++i) out.push_back(lookup(hash, c[i]));
      return Reply::array(std::move(out));
    }
    if (name == "HGETALL") {
      std::vector<Reply> out;
      if (hash != nullptr) {
        for (const auto& [f, v] : *hash) {
          out.push_back(Reply::bulk(f));
          out.push_back(Reply::bulk(v));
        }
      }
      return Reply::array(std::move(out));
    }
    if (name == "HSET") {
      Hash& h = keys_[key];
      const bool fresh = h.count(c[2]) == 0;
      h[c[2]] = c[3];
      return Reply::integer(fresh ? 1 : 0);
    }
    if (name == "HDEL") {
      int64_t removed = 0;
      if (hash != nullptr) {
        for (size_t i = 2; i < c.size(); ++i) removed += static_cast<int64_t>(hash->erase(c[i]));
        if (hash->empty()) keys_.erase(key);
      }
      return Reply::integer(removed);
    }
    if (name == "HINCRBY") {
      const int64_t by = std::stoll(c[3]);
      std::optional<int64_t> current = int_value(hash, c[2]);
      if (!current) return Reply::error("ERR hash value is not an integer");
      // |stored values| <= 1000 + increments of at most 10: no overflow here.
      keys_[key][c[2]] = std::to_string(*current + by);
      return Reply::integer(*current + by);
    }
    // HRESERVE
    const int64_t amount = std::stoll(c[3]);
    if (amount < 1) return Reply::error("ERR amount must be a positive integer");
    std::optional<int64_t> current = int_value(hash, c[2]);
    if (!current) return Reply::error("ERR hash value is not an integer");
    if (*current < amount) return Reply::nil();  // short: nothing changes, no key created
    (*hash)[c[2]] = std::to_string(*current - amount);
    return Reply::integer(*current - amount);
  }
  const std::map<std::string, std::map<std::string, std::string>>& keys() const { return keys_; }

 private:
  using Hash = std::map<std::string, std::string>;
  static Reply lookup(const Hash* hash, const std::string& field) {
    if (hash == nullptr) return Reply::nil();
    auto f = hash->find(field);
    return f == hash->end() ? Reply::nil() : Reply::bulk(f->second);
  }
  // The field's value as a canonical int64 (0 when the key or field is
  // missing), or nullopt when it is not one.
  static std::optional<int64_t> int_value(const Hash* hash, const std::string& field) {
    if (hash == nullptr) return 0;
    auto f = hash->find(field);
    if (f == hash->end()) return 0;
    int64_t v = 0;
    const std::string& s = f->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || std::to_string(v) != s) {
      return std::nullopt;
    }
    return v;
  }
  std::map<std::string, Hash> keys_;
};

TEST_CASE("Store::run replies as a model of the commands says, command by command") {
  hashstore::Options options;
  SUBCASE("thread-safe Store") { options.thread_safe = true; }
  SUBCASE("single-threaded Store (no locks)") { options.thread_safe = false; }
  Store ours(options);
  Model model;
  std::mt19937_64 rng(20261206);
  Pipeline p;
  PipelineReplies replies;
  size_t errors = 0, nils = 0, arrays = 0;
  for (int round = 0; round < 300; ++round) {
    p.clear();
    std::vector<std::vector<std::string>> batch;
    const size_t n = 1 + rng() % 64;
    for (size_t i = 0; i < n; ++i) random_command(rng, p, batch);
    REQUIRE(p.size() == n);
    ours.run(p, replies);
    REQUIRE(replies.size() == n);
    for (size_t i = 0; i < n; ++i) {
      INFO("round " << round << " command " << i << ": " << batch[i][0] << " " << batch[i][1]);
      const Reply expected = model.apply(batch[i]);
      CHECK(replies.kind(i) == expected.kind());
      CHECK(comparable(replies.reply(i), batch[i][0]) == comparable(expected, batch[i][0]));
      errors += replies.is_error(i);
      nils += replies.is_nil(i);
      arrays += replies.kind(i) == Reply::Kind::kArray;
    }
  }
  // The run covered every kind of reply.
  CHECK(errors > 0);
  CHECK(nils > 0);
  CHECK(arrays > 0);
  // And the store holds what the model holds, some hashes converted to tables.
  CHECK(ours.dbsize() == static_cast<int64_t>(model.keys().size()));
  size_t tables = 0;
  for (int k = 0; k < 40; ++k) {
    const std::string key = absl::StrCat("k", k);
    auto it = model.keys().find(key);
    std::vector<std::pair<std::string, std::string>> want;
    if (it != model.keys().end()) want.assign(it->second.begin(), it->second.end());
    CHECK(sorted_hgetall(ours, key) == want);
    tables += ours.object_encoding(key) == std::optional<std::string>("hashtable");
  }
  CHECK(tables > 0);
}

TEST_CASE("Store::run: a long pipeline creating keys while the keyspace grows") {
  // 5,000 new keys in one run: the key tables grow and rehash between the
  // prefetch of a key and its command; every reply must still be right.
  Store store;
  Pipeline p;
  for (int i = 0; i < 5000; ++i) {
    p.hset(absl::StrCat("user:", i), "name", absl::StrCat("n", i));
    p.hget(absl::StrCat("user:", i / 2), "name");
  }
  const PipelineReplies r = store.run(p);
  REQUIRE(r.size() == 10000);
  for (int i = 0; i < 5000; ++i) {
    CHECK(r.integer(2 * i) == 1);
    REQUIRE(r.kind(2 * i + 1) == Reply::Kind::kBulk);
    CHECK(r.string(2 * i + 1) == absl::StrCat("n", i / 2));
  }
  CHECK(store.dbsize() == 5000);
}

TEST_CASE("PipelineReplies: the flat accessors") {
  Store store;
  REQUIRE(store.hset("u", {{"name", "ada"}, {"age", "36"}, {"stock", "3"}}).ok());
  Pipeline p;
  p.hget("u", "name")
      .hget("u", "missing")
      .hget("nokey", "name")
      .hmget("u", {"age", "missing", "name"})
      .hmget("nokey", {"a", "b"})
      .hgetall("u")
      .hgetall("nokey")
      .hincrby("u", "name", 1)
      .reserve("u", "stock", 5)
      .reserve("u", "stock", 2)
      .reserve("u", "stock", 0)
      .hdel("u", {"age", "missing"});
  const PipelineReplies r = store.run(p);
  REQUIRE(r.size() == 12);
  CHECK(r.string(0) == "ada");
  CHECK(r.is_nil(1));
  CHECK(r.is_nil(2));
  REQUIRE(r.elements(3) == 3);
  CHECK(r.element(3, 0) == "36");
  CHECK(!r.element(3, 1).has_value());
  CHECK(r.element(3, 2) == "ada");
  REQUIRE(r.elements(4) == 2);
  CHECK(!r.element(4, 0).has_value());
  CHECK(!r.element(4, 1).has_value());
  REQUIRE(r.elements(5) == 6);
  CHECK(r.element(5, 0) == "name");
  CHECK(r.element(5, 5) == "3");
  CHECK(r.kind(6) == Reply::Kind::kArray);
  CHECK(r.elements(6) == 0);
  CHECK(r.is_error(7));
  CHECK(r.string(7) == "ERR hash value is not an integer");
  CHECK(r.is_nil(8));  // only 3 in stock: nothing taken
  CHECK(r.integer(9) == 1);
  CHECK(r.string(10) == "ERR amount must be a positive integer");
  CHECK(r.integer(11) == 1);
  // The errors changed nothing; the rest ran.
  CHECK(store.hgetall("u") == std::vector<std::pair<std::string, std::string>>{
                                  {"name", "ada"}, {"stock", "1"}});
}

TEST_CASE("Store::run: HMGET and HDEL without fields reply Redis's arity error") {
  Store store;
  REQUIRE(store.hset("u", "f", "v").ok());
  Pipeline p;
  p.hmget("u", std::span<const std::string_view>()).hdel("u", {}).hget("u", "f");
  const PipelineReplies r = store.run(p);
  REQUIRE(r.size() == 3);
  CHECK(r.reply(0) == store.execute({"HMGET", "u"}));
  CHECK(r.string(0) == "ERR wrong number of arguments for 'hmget' command");
  CHECK(r.reply(1) == store.execute({"HDEL", "u"}));
  CHECK(r.string(2) == "v");  // the errors stopped nothing
}

TEST_CASE("Pipeline: copies its strings, runs again, clears; replies reuse their memory") {
  Store store;
  Pipeline p;
  {
    std::string key = "counter", field = "n";
    p.hincrby(key, field, 5);
    key.assign(100, 'x');  // the pipeline kept its own copy
    field.clear();
  }
  PipelineReplies r;
  store.run(p, r);
  store.run(p, r);
  REQUIRE(r.size() == 1);
  CHECK(r.integer(0) == 10);
  p.clear();
  CHECK(p.empty());
  store.run(p, r);
  CHECK(r.size() == 0);  // run() clears what was there
  CHECK(store.run(Pipeline()).size() == 0);
}

TEST_CASE("Store::run: expired fields are never returned and are reclaimed") {
  hashstore::ManualClock clock;
  hashstore::Options o;
  o.clock = &clock;
  Store store(o);
  REQUIRE(store.hset("s", {{"token", "t1"}, {"user", "ada"}}).ok());
  const std::string_view token[] = {"token"};
  REQUIRE(*store.hpexpire("s", 100, token) == std::vector<int64_t>{1});
  clock.advance_ms(100);
  Pipeline p;
  p.hget("s", "token").hgetall("s").hmget("s", {"token", "user"});
  const PipelineReplies r = store.run(p);
  CHECK(r.is_nil(0));
  REQUIRE(r.elements(1) == 2);
  CHECK(r.element(1, 0) == "user");
  CHECK(!r.element(2, 0).has_value());
  CHECK(r.element(2, 1) == "ada");
  CHECK(store.hlen("s") == 1);
}

TEST_CASE("Store::run: listeners hear the writes, per key in order") {
  Store store;
  std::vector<std::string> heard_a, heard_b;
  store.subscribe([&](const hashstore::Event& e) {
    const bool changed = e.reason == hashstore::Event::Reason::kChanged;
    const std::string what =
        absl::StrCat(changed ? "changed:" : "other:", e.fields.empty() ? "" : e.fields[0]);
    (e.key == "a" ? heard_a : heard_b).push_back(what);
  });
  Pipeline p;
  p.hset("a", "x", "1").hget("a", "x").hincrby("b", "n", 2).hset("a", "y", "2");
  CHECK(store.run(p).size() == 4);
  // Per key, in the order they happened (keys on different shards may interleave).
  CHECK(heard_a == std::vector<std::string>{"changed:x", "changed:y"});
  CHECK(heard_b == std::vector<std::string>{"changed:n"});
}

}  // namespace

TEST_CASE("Store::run keeps queued strings and replies of every length, through reuse") {
  // Keys, fields and values of 0..80 bytes cover each way a string is
  // copied in and out (none, bytes, 4- and 8-byte words, memcpy), and the
  // buffers grow many times on the way; the second round reuses them.
  Store s;
  Pipeline p;
  PipelineReplies replies;
  auto text = [](size_t n, size_t salt) {
    std::string t;
    for (size_t j = 0; j < n; ++j) t.push_back(static_cast<char>('a' + (n * 7 + j + salt) % 26));
    return t;
  };
  for (size_t round = 0; round < 2; ++round) {
    p.clear();
    for (size_t n = 0; n <= 80; ++n) {
      p.hset(absl::StrCat("k", text(n, round)), text(n, round + 1), text(n, round + 2));
    }
    for (size_t n = 0; n <= 80; ++n) {
      p.hget(absl::StrCat("k", text(n, round)), text(n, round + 1));
      p.hmget(absl::StrCat("k", text(n, round)), {text(n, round + 1), "missing"});
    }
    s.run(p, replies);
    REQUIRE(replies.size() == 3 * 81);
    for (size_t n = 0; n <= 80; ++n) {
      CAPTURE(n);
      // New each time, but for key "k" field "" (no text at n = 0), set again.
      CHECK(replies.integer(n) == (round == 1 && n == 0 ? 0 : 1));
      const size_t get = 81 + 2 * n;
      CHECK(replies.string(get) == text(n, round + 2));
      REQUIRE(replies.elements(get + 1) == 2);
      CHECK(replies.element(get + 1, 0) == std::optional<std::string_view>(text(n, round + 2)));
      CHECK_FALSE(replies.element(get + 1, 1).has_value());
    }
  }
}

TEST_CASE("A moved-from Pipeline and PipelineReplies take new commands and replies") {
  Store s;
  Pipeline p;
  p.hset("a", "f", "a value long enough to need the heap buffer");
  Pipeline q = std::move(p);
  PipelineReplies r;
  s.run(q, r);
  PipelineReplies kept = std::move(r);
  REQUIRE(kept.size() == 1);
  CHECK(kept.integer(0) == 1);
  // Both moved-from objects are used again without clear().
  p.hset("b", "g", "another value that is long enough for the heap");  // NOLINT(bugprone-use-after-move)
  p.hget("a", "f");
  s.run(p, r);  // NOLINT(bugprone-use-after-move)
  REQUIRE(r.size() == 2);
  CHECK(r.integer(0) == 1);
  CHECK(r.string(1) == "a value long enough to need the heap buffer");
  Pipeline assigned;
  assigned = std::move(q);
  q.hget("b", "g");  // NOLINT(bugprone-use-after-move)
  s.run(q, r);
  REQUIRE(r.size() == 1);
  CHECK(r.string(0) == "another value that is long enough for the heap");
}
