// Pipeline (hashstore/pipeline.h): queuing commands, and Store::run, which
// runs them under the held shards of all their keys while it fetches the
// slots and entries of the keys a few commands ahead into the cache.
#include <hashstore/pipeline.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <hashstore/reply.h>
#include <hashstore/store.h>

#include "hash/hash_commands.h"
#include "store/hash_access.h"
#include "store/key_writes.h"
#include "store/store_impl.h"
#include "util/bytes.h"

namespace hashstore {

// ---- Strings ------------------------------------------------------------------

namespace internal {

// Inline, and defined here: only Pipeline::add and Store::run (through
// PipelineReplies) add strings. A short one is copied without a memcpy call.
inline size_t PackedStrings::add(std::string_view s) {
  if (s.size() > bytes_.size() - used_) grow(s.size());
  copy_bytes(bytes_.data() + used_, s.data(), s.size());
  spans_.push_back(Span{used_, s.size()});
  used_ += s.size();
  return spans_.size() - 1;
}

void PackedStrings::grow(size_t more) {
  bytes_.resize(std::max(used_ + more, 2 * bytes_.size() + 64));
}

}  // namespace internal

// ---- Queuing ------------------------------------------------------------------

Pipeline& Pipeline::add(Kind kind, std::string_view key, std::span<const std::string_view> args,
                        int64_t number) {
  commands_.push_back(Command{kind, static_cast<uint32_t>(strings_.size()),
                              static_cast<uint32_t>(1 + args.size()), number});
  strings_.add(key);
  for (std::string_view a : args) strings_.add(a);
  return *this;
}

Pipeline& Pipeline::hget(std::string_view key, std::string_view field) {
  return add(Kind::kHget, key, {&field, 1}, 0);
}

Pipeline& Pipeline::hmget(std::string_view key, std::span<const std::string_view> fields) {
  return add(Kind::kHmget, key, fields, 0);
}

Pipeline& Pipeline::hmget(std::string_view key, std::initializer_list<std::string_view> fields) {
  return hmget(key, std::span<const std::string_view>(fields.begin(), fields.size()));
}

Pipeline& Pipeline::hgetall(std::string_view key) { return add(Kind::kHgetall, key, {}, 0); }

Pipeline& Pipeline::hset(std::string_view key, std::string_view field, std::string_view value) {
  const std::string_view args[] = {field, value};
  return add(Kind::kHset, key, args, 0);
}

Pipeline& Pipeline::hdel(std::string_view key, std::span<const std::string_view> fields) {
  return add(Kind::kHdel, key, fields, 0);
}

Pipeline& Pipeline::hdel(std::string_view key, std::initializer_list<std::string_view> fields) {
  return hdel(key, std::span<const std::string_view>(fields.begin(), fields.size()));
}

Pipeline& Pipeline::hincrby(std::string_view key, std::string_view field, int64_t increment) {
  return add(Kind::kHincrby, key, {&field, 1}, increment);
}

Pipeline& Pipeline::reserve(std::string_view key, std::string_view field, int64_t amount) {
  return add(Kind::kReserve, key, {&field, 1}, amount);
}

void Pipeline::clear() {
  strings_.clear();
  commands_.clear();
}

// ---- Replies ------------------------------------------------------------------

void PipelineReplies::clear() {
  strings_.clear();
  items_.clear();
}

Reply PipelineReplies::reply(size_t i) const {
  switch (kind(i)) {
    case Reply::Kind::kInteger:
      return Reply::integer(integer(i));
    case Reply::Kind::kBulk:
      return Reply::bulk(string(i));
    case Reply::Kind::kError:
      return Reply::error(std::string(string(i)));
    case Reply::Kind::kArray: {
      std::vector<Reply> out;
      out.reserve(elements(i));
      for (size_t j = 0; j < elements(i); ++j) {
        const auto e = element(i, j);
        out.push_back(e ? Reply::bulk(*e) : Reply::nil());
      }
      return Reply::array(std::move(out));
    }
    case Reply::Kind::kStatus:  // no pipeline command replies with a status
    case Reply::Kind::kNil:
      break;
  }
  return Reply::nil();
}

// ---- Running ------------------------------------------------------------------

namespace {

// How far ahead run() prefetches: a key's slot bucket this many commands
// before it runs, its entry half as many (by then the bucket has arrived).
constexpr size_t kSlotsAhead = 8;
constexpr size_t kEntryAhead = kSlotsAhead / 2;

}  // namespace

PipelineReplies Store::run(const Pipeline& p) {
  PipelineReplies out;
  run(p, out);
  return out;
}

void Store::run(const Pipeline& p, PipelineReplies& out) {
  using internal::HashObject;
  using internal::Use;
  using internal::ValueBuffer;
  using Kind = Pipeline::Kind;
  out.clear();
  const size_t n = p.commands_.size();
  if (n == 0) return;
  out.items_.reserve(n);
  std::vector<uint64_t>& hashes = out.hashes_;
  hashes.resize(n);
  bool writes = false;
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = impl_->hash(p.string(p.commands_[i].first));
    writes |= p.commands_[i].kind >= Kind::kHset;
  }
  // Evict before taking the shards, as execute_batch does (no eviction can
  // run while they are held); under noeviction writes are refused one by one.
  if (writes) impl_->make_room().IgnoreError();
  internal::StoreImpl::HoldShards hold(*impl_, hashes, /*all_shards=*/false);
  auto shard = [&](size_t i) -> internal::Shard& { return impl_->shard_for(hashes[i]); };
  for (size_t i = 0; i < std::min(n, kSlotsAhead); ++i) shard(i).keyspace.prefetch_slots(hashes[i]);
  for (size_t i = 0; i < std::min(n, kEntryAhead); ++i) shard(i).keyspace.prefetch_entry(hashes[i]);
  std::vector<std::string_view> fields;  // HDEL's
  // Each command is counted for INFO commandstats as its typed call would
  // be; calls it makes (reserve()) are not counted again. A run inside a
  // counted command counts nothing of its own.
  internal::CommandStats& stats = impl_->command_stats();
  internal::CallThread& thread = internal::tl_call_thread;
  const bool counted = thread.enter();
  struct Leave {
    internal::CallThread* t;
    ~Leave() {
      if (t != nullptr) t->leave();
    }
  } leave{counted ? &thread : nullptr};
  static constexpr internal::CommandId kIds[] = {
      internal::kHget, internal::kHmget,   internal::kHgetall, internal::kHset,
      internal::kHdel, internal::kHincrby, internal::kHreserve};
  static_assert(std::size(kIds) == static_cast<size_t>(Kind::kReserve) + 1);
  internal::CommandId id = internal::kHget;
  auto failed = [&](const absl::Status& status) {
    std::string error(status.message());
    if (counted) stats.failed(id, error);
    out.add_error(std::move(error));
  };
  auto add_result = [&](const absl::StatusOr<int64_t>& r) {
    if (r.ok()) {
      out.add_integer(*r);
    } else {
      failed(r.status());
    }
  };
  for (size_t i = 0; i < n; ++i) {
    if (i + kSlotsAhead < n) {
      shard(i + kSlotsAhead).keyspace.prefetch_slots(hashes[i + kSlotsAhead]);
    }
    if (i + kEntryAhead < n) {
      shard(i + kEntryAhead).keyspace.prefetch_entry(hashes[i + kEntryAhead]);
    }
    const Pipeline::Command& c = p.commands_[i];
    const std::string_view key = p.string(c.first);
    const std::string_view arg = c.count > 1 ? p.string(c.first + 1) : std::string_view();
    id = kIds[static_cast<size_t>(c.kind)];
    // HMGET and HDEL need a field: without one, Redis's arity error (a
    // rejected call, as Redis counts it).
    if ((c.kind == Kind::kHmget || c.kind == Kind::kHdel) && c.count == 1) {
      const absl::Status arity = internal::wrong_arity(c.kind == Kind::kHmget ? "hmget" : "hdel");
      std::string error(arity.message());
      if (counted) stats.rejected(id, error);
      out.add_error(std::move(error));
      continue;
    }
    if (counted) stats.count(id, thread.base());
    // Reads append their values straight to `out`: fn(hash) sees the
    // hash (a HashView on the fast path, a HashObject when due fields must
    // be reclaimed first); returns whether the key exists.
    auto read = [&](auto&& fn) HS_FAST_LAMBDA {
      bool exists = false;
      if (internal::read_fast_held(*impl_, shard(i), key, hashes[i],
                                   [&](const internal::HashView& hash) HS_FAST_LAMBDA {
                                     exists = true;
                                     fn(hash);
                                   })) {
        return exists;
      }
      return internal::on_hash_held(*impl_, shard(i), key, hashes[i], Use::kRead, false,
                                    [&](HashObject& hash) {
                                      fn(hash);
                                      return true;
                                    });
    };
    // A write as the Store's method does it (key_writes.h), without hashing
    // the key again: the room check first (inside a run it only checks).
    auto write = [&](const auto& op) {
      using Result = typename std::remove_cvref_t<decltype(op)>::Result;
      if (absl::Status room = impl_->make_room(); !room.ok()) return Result(room);
      return internal::run_write_held(*impl_, shard(i), key, hashes[i], op);
    };
    switch (c.kind) {
      case Kind::kHget: {
        ValueBuffer buf;
        std::string_view v;
        if (!read([&](const auto& hash) {
              if (hash.find(arg, &buf, &v)) {
                out.add_bulk(v);
              } else {
                out.add_nil();
              }
            })) {
          out.add_nil();
        }
        break;
      }
      case Kind::kHmget: {
        out.add_array();
        ValueBuffer buf;
        std::string_view v;
        const bool found = read([&](const auto& hash) {
          for (uint32_t j = 1; j < c.count; ++j) {
            if (hash.find(p.string(c.first + j), &buf, &v)) {
              out.add_element(v);
            } else {
              out.add_nil_element();
            }
          }
        });
        if (!found) {
          for (uint32_t j = 1; j < c.count; ++j) out.add_nil_element();
        }
        break;
      }
      case Kind::kHgetall:
        out.add_array();
        read([&](const auto& hash) {
          hash.for_each([&](std::string_view f, std::string_view v) {
            out.add_element(f);
            out.add_element(v);
          });
        });
        break;
      case Kind::kHset:
        add_result(write(internal::HsetOne{arg, p.string(c.first + 2)}));
        break;
      case Kind::kHdel:
        fields.clear();
        for (uint32_t j = 1; j < c.count; ++j) fields.push_back(p.string(c.first + j));
        out.add_integer(internal::run_write_held(*impl_, shard(i), key, hashes[i],
                                                 internal::Hdel{fields}));
        break;
      case Kind::kHincrby:
        add_result(write(internal::Hincrby{arg, c.number}));
        break;
      case Kind::kReserve: {
        // An amount under 1 is refused by reserve() before any lookup.
        using Result = absl::StatusOr<std::optional<int64_t>>;
        const Result r = c.number < 1
                             ? reserve(key, arg, c.number)
                             : internal::run_write_held(*impl_, shard(i), key, hashes[i],
                                                        internal::Reserve{arg, c.number});
        if (!r.ok()) {
          failed(r.status());
        } else if (*r) {
          out.add_integer(**r);
        } else {
          out.add_nil();
        }
        break;
      }
    }
  }
}

}  // namespace hashstore
