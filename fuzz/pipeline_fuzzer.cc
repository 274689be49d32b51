// Fuzz target: Store::run (hashstore::Pipeline) against execute_batch.
//
// Property: for any byte string, decoded as a sequence of pipelines of
// HGET, HMGET, HGETALL, HSET, HDEL, HINCRBY and HRESERVE over a small
// alphabet of keys, fields and values (with field TTLs set and the clock
// moved between pipelines, so reads meet expired fields), every reply of
// Store::run on one Store equals, command by command, execute_batch's reply
// on a second Store given the same commands as strings (HGETALL compared as
// a set of pairs: a table-encoded hash has no fixed order), and both Stores
// hold the same data afterwards. Low conversion thresholds make the
// listpack -> table conversion happen inside pipelines. Between pipelines
// the typed multi-key calls (RENAME, RENAMENX, COPY, DEL, reserve_all) run
// on keys that are often equal or overlapping, beside the same commands as
// strings on the second Store.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/pipeline.h>
#include <hashstore/store.h>

#include "fuzz_input.h"
#include "small_store.h"

namespace {

using hashstore::Reply;

const char* const kValues[] = {"", "0", "-1", "7", "9223372036854775807", "abc", "01",
                               "xxxxxxxxxxxxxxxxxxxx"};  // the last converts (limit 16)

[[noreturn]] void fail(const char* what, size_t i) {
  std::fprintf(stderr, "pipeline_fuzzer: %s (command %zu)\n", what, i);
  std::abort();
}

// prefix then n, built by appending (GCC 12 warns falsely, -Wrestrict, on
// "k" + std::to_string(n)).
std::string name(const char* prefix, unsigned n) {
  std::string s(prefix);
  s += std::to_string(n);
  return s;
}

// HGETALL's pairs sorted, other replies as they are.
std::string comparable(const Reply& r, std::string_view command) {
  if (command != "HGETALL" || r.kind() != Reply::Kind::kArray) return r.debug_string();
  std::vector<std::string> pairs;
  for (size_t j = 0; j + 1 < r.elements().size(); j += 2) {
    pairs.push_back(r.elements()[j].string() + "=" + r.elements()[j + 1].string());
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const std::string& p : pairs) out += p + ";";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzInput in{data, size};
  hashstore::ManualClock clock(1000);
  const hashstore::Options opt = small_store_options(&clock);
  hashstore::Store ours(opt), model(opt);
  hashstore::Pipeline p;
  hashstore::PipelineReplies replies;
  for (int round = 0; round < 16 && in.n > 0; ++round) {
    p.clear();
    std::vector<std::vector<std::string>> batch;
    const size_t n = in.byte() % 24;
    for (size_t i = 0; i < n; ++i) {
      const uint8_t op = in.byte();
      const std::string key = name("k", in.byte() % 6);
      const std::string f = name("f", in.byte() % 7);
      const std::string g = name("f", in.byte() % 7);
      const std::string v = kValues[in.byte() % (sizeof kValues / sizeof kValues[0])];
      const int64_t number = static_cast<int64_t>(in.byte() % 16) - 3;
      switch (op % 8) {
        case 0: p.hget(key, f); batch.push_back({"HGET", key, f}); break;
        case 1: p.hmget(key, {f, g}); batch.push_back({"HMGET", key, f, g}); break;
        case 2: p.hgetall(key); batch.push_back({"HGETALL", key}); break;
        case 3:
        case 4: p.hset(key, f, v); batch.push_back({"HSET", key, f, v}); break;
        case 5: p.hdel(key, {f}); batch.push_back({"HDEL", key, f}); break;
        case 6:
          p.hincrby(key, f, number);
          batch.push_back({"HINCRBY", key, f, std::to_string(number)});
          break;
        default:
          p.reserve(key, f, number);
          batch.push_back({"HRESERVE", key, f, std::to_string(number)});
          break;
      }
    }
    ours.run(p, replies);
    const std::vector<Reply> expected = model.execute_batch(batch);
    if (replies.size() != expected.size()) fail("reply count", 0);
    for (size_t i = 0; i < expected.size(); ++i) {
      if (comparable(replies.reply(i), batch[i][0]) != comparable(expected[i], batch[i][0])) {
        fail("reply differs from execute_batch", i);
      }
    }
    // Between pipelines: a field TTL on both, and time moving on.
    const std::string key = name("k", in.byte() % 6);
    const std::string f = name("f", in.byte() % 7);
    const std::string ms = std::to_string(1 + in.byte() % 50);
    const Reply a = ours.execute({"HPEXPIRE", key, ms, "FIELDS", "1", f});
    const Reply b = model.execute({"HPEXPIRE", key, ms, "FIELDS", "1", f});
    if (!(a == b)) fail("HPEXPIRE differs", 0);
    // A multi-key call, typed on ours and as a command on the model.
    const std::string dst = name("k", in.byte() % 6);
    Reply typed, text;
    switch (in.byte() % 5) {
      case 0: {
        const absl::Status st = ours.rename(key, dst);
        typed = st.ok() ? Reply::ok() : Reply::error(std::string(st.message()));
        text = model.execute({"RENAME", key, dst});
        break;
      }
      case 1: {
        const absl::StatusOr<bool> r = ours.renamenx(key, dst);
        typed = r.ok() ? Reply::integer(*r ? 1 : 0) : Reply::error(std::string(r.status().message()));
        text = model.execute({"RENAMENX", key, dst});
        break;
      }
      case 2: {
        const absl::StatusOr<bool> r = ours.copy(key, dst, /*replace=*/true);
        typed = r.ok() ? Reply::integer(*r ? 1 : 0) : Reply::error(std::string(r.status().message()));
        text = model.execute({"COPY", key, dst, "REPLACE"});
        break;
      }
      case 3:
        typed = Reply::integer(ours.del({key, dst, key}));
        text = model.execute({"DEL", key, dst, key});
        break;
      default: {
        const hashstore::ReserveItem items[] = {{key, f, 1}, {dst, f, 2}, {key, f, 1}};
        const auto r = ours.reserve_all(items);
        if (!r.ok()) {
          typed = Reply::error(std::string(r.status().message()));
        } else if (!r->has_value()) {
          typed = Reply::nil();
        } else {
          std::vector<Reply> left;
          for (int64_t x : **r) left.push_back(Reply::integer(x));
          typed = Reply::array(std::move(left));
        }
        text = model.execute({"HRESERVEALL", "3", key, f, "1", dst, f, "2", key, f, "1"});
        break;
      }
    }
    if (!(typed == text)) fail("a multi-key call differs from its command", 0);
    clock.advance_ms(in.byte() % 40);
  }
  if (ours.dbsize() != model.dbsize()) fail("dbsize differs", 0);
  for (int k = 0; k < 6; ++k) {
    const std::string key = name("k", static_cast<unsigned>(k));
    auto x = ours.hgetall(key), y = model.hgetall(key);
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    if (x != y) fail("contents differ", static_cast<size_t>(k));
  }
  return 0;
}
