// hashstore::Pipeline: single-key commands queued, then run together by
// Store::run() — the in-process counterpart of a Redis pipeline.
//
//   hashstore::Pipeline p;
//   for (const std::string& user : page) p.hget(user, "name");
//   hashstore::PipelineReplies names = store.run(p);  // one per command
//   for (size_t i = 0; i < names.size(); ++i) show(names.string(i));
//
// What it buys: run() knows every key before it starts, so it looks up each
// key's slots and entry a few commands ahead of the one it is running; the
// memory latency of one lookup hides behind the work of the others. For
// hundreds of thousands of keys (more than the CPU caches hold) this is
// where the time of a single call goes (README, "Measured").
//
// Each reply is what Store::execute() replies to the same command (HGET,
// HMGET, HGETALL, HSET, HDEL, HINCRBY, HRESERVE): bulk or nil, arrays,
// integers, and errors with Redis's text; an error in one command does not
// stop the others. Replies are kept flat (PipelineReplies): every value is
// a view into one buffer, so a batch allocates nothing per value, and a
// PipelineReplies run into again reuses its memory.
//
// run() holds the shards of all the pipeline's keys for its whole run, as
// execute_batch() does, so no other call sees it half done. It holds them
// for writing even when every command reads (a read may have to reclaim
// expired fields), so keep pipelines to tens or hundreds of commands when
// other threads share the Store.
//
// A Pipeline copies the keys, fields and values it is given (the caller's
// strings may go away at once) and can be run many times or on several
// Stores; clear() empties it and keeps its memory for the next batch.
#ifndef HASHSTORE_PIPELINE_H_
#define HASHSTORE_PIPELINE_H_

#if (defined(_MSVC_LANG) ? _MSVC_LANG : __cplusplus) < 202002L
#error "hashstore needs C++20: compile with -std=c++20 (MSVC: /std:c++20)"
#else

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/reply.h>

namespace hashstore {

class Store;

namespace internal {

// Strings kept back to back in one buffer and addressed by index: a
// Pipeline's keys and arguments, a PipelineReplies' values. An entry may be
// nil (HMGET's missing fields).
class PackedStrings {
 public:
  PackedStrings() = default;
  PackedStrings(const PackedStrings&) = default;
  PackedStrings& operator=(const PackedStrings&) = default;
  // A moved-from object is empty and usable: its used length goes to 0
  // with its buffer (left as it was, used_ would point past the buffer).
  PackedStrings(PackedStrings&& o) noexcept
      : bytes_(std::exchange(o.bytes_, {})),
        used_(std::exchange(o.used_, 0)),
        spans_(std::exchange(o.spans_, {})) {}
  PackedStrings& operator=(PackedStrings&& o) noexcept {
    bytes_ = std::exchange(o.bytes_, {});
    used_ = std::exchange(o.used_, 0);
    spans_ = std::exchange(o.spans_, {});
    return *this;
  }

  // Appends s; returns its index (pipeline.cc: inline there, its only user).
  size_t add(std::string_view s);
  size_t add_nil() {
    spans_.push_back(Span{0, kNil});
    return spans_.size() - 1;
  }
  bool is_nil(size_t i) const { return spans_[i].size == kNil; }
  // REQUIRES: !is_nil(i).
  std::string_view operator[](size_t i) const {
    return std::string_view(bytes_.data() + spans_[i].offset, spans_[i].size);
  }
  size_t size() const { return spans_.size(); }
  // Forgets every string; the memory stays for the next ones.
  void clear() {
    used_ = 0;
    spans_.clear();
  }

 private:
  static constexpr size_t kNil = ~size_t{0};
  struct Span {
    size_t offset;
    size_t size;  // kNil: a nil entry
  };
  // Makes room for `more` bytes past used_ (at least doubling the buffer).
  void grow(size_t more);

  // bytes_[0, used_) holds the strings; the rest is room (bytes_.size() is
  // the buffer's length, grown by resize, so adding needs no append's checks).
  std::string bytes_;
  size_t used_ = 0;
  std::vector<Span> spans_;
};

}  // namespace internal

class Pipeline {
 public:
  Pipeline& hget(std::string_view key, std::string_view field);
  Pipeline& hmget(std::string_view key, std::span<const std::string_view> fields);
  Pipeline& hmget(std::string_view key, std::initializer_list<std::string_view> fields);
  Pipeline& hgetall(std::string_view key);
  Pipeline& hset(std::string_view key, std::string_view field, std::string_view value);
  Pipeline& hdel(std::string_view key, std::span<const std::string_view> fields);
  Pipeline& hdel(std::string_view key, std::initializer_list<std::string_view> fields);
  Pipeline& hincrby(std::string_view key, std::string_view field, int64_t increment);
  // HRESERVE key field amount (Store::reserve).
  Pipeline& reserve(std::string_view key, std::string_view field, int64_t amount);

  size_t size() const { return commands_.size(); }
  bool empty() const { return commands_.empty(); }
  void clear();

 private:
  friend class Store;
  enum class Kind : uint8_t { kHget, kHmget, kHgetall, kHset, kHdel, kHincrby, kReserve };
  struct Command {
    Kind kind;
    uint32_t first;  // index in strings_ of the key; its other strings follow
    uint32_t count;  // strings, the key included
    int64_t number;  // HINCRBY's increment, HRESERVE's amount
  };
  Pipeline& add(Kind kind, std::string_view key, std::span<const std::string_view> args,
                int64_t number);
  std::string_view string(uint32_t i) const { return strings_[i]; }

  internal::PackedStrings strings_;  // every string queued
  std::vector<Command> commands_;
};

// The replies of one Store::run, one per command, in order. Views returned
// stay valid until the object is run into again, cleared or destroyed.
class PipelineReplies {
 public:
  size_t size() const { return items_.size(); }
  // kNil, kInteger, kBulk, kArray or kError.
  Reply::Kind kind(size_t i) const { return items_[i].kind; }
  bool is_nil(size_t i) const { return kind(i) == Reply::Kind::kNil; }
  bool is_error(size_t i) const { return kind(i) == Reply::Kind::kError; }
  // REQUIRES: kind(i) == kInteger.
  int64_t integer(size_t i) const { return items_[i].number; }
  // REQUIRES: kind(i) is kBulk (the value) or kError (Redis's text).
  std::string_view string(size_t i) const { return strings_[items_[i].first]; }
  // REQUIRES: kind(i) == kArray. Its length, and element j: a bulk string,
  // or nullopt for HMGET's missing fields.
  size_t elements(size_t i) const { return items_[i].count; }
  std::optional<std::string_view> element(size_t i, size_t j) const {
    const size_t s = items_[i].first + j;
    if (strings_.is_nil(s)) return std::nullopt;
    return strings_[s];
  }
  // Reply i as a Reply (copies its bytes).
  Reply reply(size_t i) const;
  void clear();

 private:
  friend class Store;
  struct Item {
    Reply::Kind kind;
    uint32_t count;  // kArray: elements
    size_t first;    // kBulk / kError: its string; kArray: its first element's
    int64_t number;  // kInteger
  };
  void add_nil() { items_.push_back(Item{Reply::Kind::kNil, 0, 0, 0}); }
  void add_integer(int64_t v) { items_.push_back(Item{Reply::Kind::kInteger, 0, 0, v}); }
  void add_bulk(std::string_view s) {
    items_.push_back(Item{Reply::Kind::kBulk, 0, strings_.add(s), 0});
  }
  void add_error(std::string_view s) {
    items_.push_back(Item{Reply::Kind::kError, 0, strings_.add(s), 0});
  }
  // An array reply whose elements are added next with add_element / add_nil_element.
  void add_array() { items_.push_back(Item{Reply::Kind::kArray, 0, strings_.size(), 0}); }
  void add_element(std::string_view s) {
    strings_.add(s);
    ++items_.back().count;
  }
  void add_nil_element() {
    strings_.add_nil();
    ++items_.back().count;
  }

  internal::PackedStrings strings_;
  std::vector<Item> items_;
  std::vector<uint64_t> hashes_;  // Store::run's scratch: the commands' key hashes
};

}  // namespace hashstore

#endif  // C++20
#endif  // HASHSTORE_PIPELINE_H_
