// Snapshot reader: framing and checksums, record parsing and validation,
// keys built aside and committed at the end (see snapshot_reader.h).
#include "persist/snapshot_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>
#include <xxhash.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "hash/listpack_fields.h"
#include "keyspace/key_entry.h"
#include "keyspace/keyspace.h"
#include "persist/io_error.h"
#include "persist/key_stage.h"
#include "persist/listpack_scan.h"
#include "persist/snapshot_format.h"
#include "util/absl_view.h"
#include "util/number.h"
#include "util/random.h"

namespace hashstore::internal::snapshot {

namespace {

// ---- Byte sources: the file, or memory --------------------------------------

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual uint64_t size() const = 0;
  // Reads the next n bytes. REQUIRES: n <= what remains of size().
  virtual absl::Status read(uint8_t* dst, size_t n) = 0;
};

class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  uint64_t size() const override { return bytes_.size(); }
  absl::Status read(uint8_t* dst, size_t n) override {
    if (n > 0) std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
    return absl::OkStatus();
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

class FileSource final : public ByteSource {
 public:
  // name: "ERR snapshot <path>", the start of every error message.
  FileSource(int fd, uint64_t size, std::string name) : fd_(fd), size_(size), name_(std::move(name)) {}
  ~FileSource() override { ::close(fd_); }
  uint64_t size() const override { return size_; }
  absl::Status read(uint8_t* dst, size_t n) override {
    while (n > 0) {
      const ssize_t got = ::read(fd_, dst, std::min<size_t>(n, size_t{1} << 30));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return errno_status(errno, name_, absl::StatusCode::kDataLoss);
      if (got == 0) return absl::DataLossError(absl::StrCat(name_, ": the file shrank while read"));
      dst += got;
      n -= static_cast<size_t>(got);
    }
    return absl::OkStatus();
  }

 private:
  int fd_;
  uint64_t size_;
  std::string name_;
};

// ---- The parser ----------------------------------------------------------------

class Parser {
 public:
  Parser(StoreImpl& impl, ByteSource& src, std::string label, const LoadOptions& options)
      : impl_(impl),
        src_(src),
        label_(std::move(label)),
        options_(options),
        limits_(impl.limits()),
        now_(impl.clock().now_ms()),
        stage_(impl) {}

  absl::StatusOr<LoadResult> run();

 private:
  absl::Status fail(uint64_t at, std::string_view what) const {
    return absl::DataLossError(absl::StrCat(label_, to_absl(what), " at byte ", at));
  }
  // Reads n bytes at pos_ into buf_ (and the whole-file hash).
  absl::Status take(size_t n) {
    buf_.resize(n);
    if (absl::Status st = src_.read(buf_.data(), n); !st.ok()) return st;
    XXH3_64bits_update(file_hash_, buf_.data(), n);
    pos_ += n;
    return absl::OkStatus();
  }
  absl::Status header();
  absl::Status block(uint64_t at);
  absl::Status trailer(uint64_t at);

  // Record parsing over one block's payload; `base` is its file offset.
  struct Cursor {
    const uint8_t* p;
    size_t n;
    size_t pos;
    uint64_t base;
    size_t left() const { return n - pos; }
    uint64_t at() const { return base + pos; }
  };
  absl::Status record(Cursor& c);
  absl::Status read_varint(Cursor& c, uint64_t* v, std::string_view what);
  absl::Status read_bytes(Cursor& c, std::string_view* out, std::string_view what);
  absl::Status read_i64(Cursor& c, int64_t* v, std::string_view what);
  absl::Status listpack_hash(std::string_view key, std::optional<int64_t> expire,
                             bool field_ttls, const uint8_t* lp, size_t size, uint64_t at);
  absl::Status table_hash(Cursor& c, std::string_view key, std::optional<int64_t> expire,
                          bool field_ttls, uint64_t at);
  absl::Status stage(void* entry, uint64_t at) {
    stage_.add(entry, at);
    return absl::OkStatus();
  }

  StoreImpl& impl_;
  ByteSource& src_;
  const std::string label_;
  const LoadOptions options_;
  const HashLimits limits_;
  const int64_t now_;
  KeyStage stage_;
  uint64_t pos_ = 0;
  std::vector<uint8_t> buf_;
  XXH3_state_t* file_hash_ = nullptr;
  uint64_t records_ = 0;
  LoadResult result_;
};

absl::StatusOr<LoadResult> Parser::run() {
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(),
                                                                        XXH3_freeState);
  if (state == nullptr) return absl::ResourceExhaustedError("ERR out of memory");
  file_hash_ = state.get();
  XXH3_64bits_reset(file_hash_);
  result_.bytes = src_.size();
  if (absl::Status st = check_store_empty(impl_); !st.ok()) return st;  // refuse early
  if (absl::Status st = header(); !st.ok()) return st;
  for (;;) {
    const uint64_t at = pos_;
    if (src_.size() - pos_ < 1) return fail(at, "truncated: the trailer is missing");
    if (absl::Status st = take(1); !st.ok()) return st;
    const uint8_t type = buf_[0];
    absl::Status st;
    if (type == kTrailerType) {
      st = trailer(at);
      if (!st.ok()) return st;
      break;
    }
    if (type != kBlockKeys) {
      return fail(at, absl::StrFormat("unknown block type 0x%02x", type));
    }
    if (st = block(at); !st.ok()) return st;
  }
  // Everything passed: the keys go in together, if the store is still empty.
  KeyStage::Duplicate dup;
  absl::StatusOr<uint64_t> keys = stage_.commit(&dup);
  if (!keys.ok()) {
    return keys.status().code() == absl::StatusCode::kDataLoss ? fail(dup.at, "duplicate key")
                                                                : keys.status();
  }
  result_.keys = *keys;
  return result_;
}

absl::Status Parser::header() {
  if (src_.size() < kHeaderSize) {
    return fail(0, absl::StrCat("truncated: ", src_.size(), " bytes, less than a header"));
  }
  if (absl::Status st = take(kHeaderSize); !st.ok()) return st;
  const uint8_t* h = buf_.data();
  if (std::memcmp(h, kMagic, sizeof kMagic) != 0) {
    return fail(0, "not a hashstore snapshot (bad magic)");
  }
  if (options_.verify_checksums && XXH3_64bits(h, kHeaderBodySize) != get_u64(h + kHeaderBodySize)) {
    return fail(kHeaderBodySize, "header checksum mismatch");
  }
  if (get_u32(h + 8) != kVersion) {
    return fail(8, absl::StrCat("unsupported version ", get_u32(h + 8)));
  }
  if (get_u32(h + 12) != 0) return fail(12, "unknown header flags");
  if (get_u32(h + 28) != 0) return fail(28, "reserved header field is not 0");
  return absl::OkStatus();
}

absl::Status Parser::block(uint64_t at) {
  const uint64_t left = src_.size() - pos_;
  if (left < kBlockHeaderSize - 1 + kChecksumSize + kTrailerSize) {
    return fail(at, "truncated: block header");
  }
  uint8_t head[kBlockHeaderSize];
  head[0] = kBlockKeys;
  if (absl::Status st = take(kBlockHeaderSize - 1); !st.ok()) return st;
  std::memcpy(head + 1, buf_.data(), kBlockHeaderSize - 1);
  const uint32_t length = get_u32(head + 1);
  const uint32_t count = get_u32(head + 5);
  const uint64_t room = left - (kBlockHeaderSize - 1) - kChecksumSize - kTrailerSize;
  if (length > room) {
    return fail(at + 1, absl::StrCat("truncated: block length ", length, " exceeds the ", room,
                                     " bytes left"));
  }
  if (absl::Status st = take(length); !st.ok()) return st;
  std::vector<uint8_t> payload;
  payload.swap(buf_);
  if (absl::Status st = take(kChecksumSize); !st.ok()) return st;
  if (options_.verify_checksums) {
    XXH3_state_t* s = XXH3_createState();
    XXH3_64bits_reset(s);
    XXH3_64bits_update(s, head, sizeof head);
    XXH3_64bits_update(s, payload.data(), payload.size());
    const uint64_t sum = XXH3_64bits_digest(s);
    XXH3_freeState(s);
    if (sum != get_u64(buf_.data())) {
      return fail(at, absl::StrCat("checksum mismatch in the block of ", length, " bytes"));
    }
  }
  Cursor c{payload.data(), payload.size(), 0, at + kBlockHeaderSize};
  for (uint32_t i = 0; i < count; ++i) {
    if (c.left() == 0) {
      return fail(c.at(), absl::StrCat("block ends after ", i, " of its ", count, " records"));
    }
    if (absl::Status st = record(c); !st.ok()) return st;
  }
  if (c.left() != 0) return fail(c.at(), "bytes after the block's last record");
  buf_.swap(payload);  // keep the larger buffer for the next block
  return absl::OkStatus();
}

absl::Status Parser::trailer(uint64_t at) {
  if (src_.size() - pos_ < kTrailerSize - 1) return fail(at, "truncated: trailer");
  if (absl::Status st = take(8); !st.ok()) return st;
  const uint64_t keys = get_u64(buf_.data());
  const uint64_t sum = XXH3_64bits_digest(file_hash_);
  if (absl::Status st = take(8); !st.ok()) return st;
  if (options_.verify_checksums && sum != get_u64(buf_.data())) {
    return fail(at + 9, "whole-file checksum mismatch");
  }
  if (keys != records_) {
    return fail(at + 1, absl::StrCat("the trailer counts ", keys, " keys but the blocks hold ",
                                     records_));
  }
  if (pos_ != src_.size()) return fail(pos_, "bytes after the trailer");
  return absl::OkStatus();
}

absl::Status Parser::read_varint(Cursor& c, uint64_t* v, std::string_view what) {
  const uint64_t at = c.at();
  switch (snapshot::read_varint(c.p, c.n, &c.pos, v)) {
    case snapshot::VarintRead::kOk:
      return absl::OkStatus();
    case snapshot::VarintRead::kTruncated:
      return fail(at, absl::StrCat("truncated ", to_absl(what)));
    case snapshot::VarintRead::kOverflow:
      break;
  }
  return fail(at, absl::StrCat(to_absl(what), " overflows"));
}

absl::Status Parser::read_bytes(Cursor& c, std::string_view* out, std::string_view what) {
  uint64_t n;
  if (absl::Status st = read_varint(c, &n, absl::StrCat(to_absl(what), " length")); !st.ok()) {
    return st;
  }
  if (n > c.left()) {
    return fail(c.at(), absl::StrCat(to_absl(what), " of ", n, " bytes exceeds the ", c.left(),
                                     " bytes left in its block"));
  }
  *out = std::string_view(reinterpret_cast<const char*>(c.p + c.pos), n);
  c.pos += n;
  return absl::OkStatus();
}

absl::Status Parser::read_i64(Cursor& c, int64_t* v, std::string_view what) {
  if (c.left() < 8) return fail(c.at(), absl::StrCat("truncated ", to_absl(what)));
  *v = static_cast<int64_t>(get_u64(c.p + c.pos));
  c.pos += 8;
  return absl::OkStatus();
}

absl::Status Parser::record(Cursor& c) {
  const uint64_t at = c.at();
  ++records_;
  const uint8_t flags = c.p[c.pos++];
  if (flags & ~kRecKnownFlags) return fail(at, absl::StrFormat("unknown record flags 0x%02x", flags));
  std::string_view key;
  if (absl::Status st = read_bytes(c, &key, "key"); !st.ok()) return st;
  std::optional<int64_t> expire;
  if (flags & kRecKeyTtl) {
    int64_t t;
    if (absl::Status st = read_i64(c, &t, "key TTL"); !st.ok()) return st;
    expire = t;
  }
  const bool field_ttls = flags & kRecFieldTtls;
  if (flags & kRecTable) return table_hash(c, key, expire, field_ttls, at);
  if (c.left() < 4) return fail(c.at(), "truncated listpack length");
  const uint32_t size = get_u32(c.p + c.pos);
  c.pos += 4;
  if (size > c.left()) {
    return fail(c.at(), absl::StrCat("listpack of ", size, " bytes exceeds the ", c.left(),
                                     " bytes left in its block"));
  }
  const uint8_t* lp = c.p + c.pos;
  const uint64_t lp_at = c.at();
  c.pos += size;
  return listpack_hash(key, expire, field_ttls, lp, size, lp_at);
}

// A hash field while building a table or a rebuilt listpack.
FieldBounds bounds_of(int64_t earliest, int64_t latest, bool every_field_has_ttl) {
  FieldBounds b;
  b.next_ms = earliest;
  b.gone_ms = every_field_has_ttl ? latest : INT64_MAX;
  return b;
}

absl::Status Parser::listpack_hash(std::string_view key, std::optional<int64_t> expire,
                                   bool field_ttls, const uint8_t* lp, size_t size,
                                   uint64_t at) {
  if (absl::Status st = lp::validate(lp, size, /*deep=*/true); !st.ok()) {
    return fail(at, absl::StrCat("bad listpack (", st.message(), ")"));
  }
  const size_t stride = field_ttls ? 3 : 2;
  // Pass 1: shape, canonical integers, TTLs, lengths.
  const LpScan scan = scan_hash_listpack(lp, stride, now_, limits_, /*ttls_ordered=*/false);
  switch (scan.problem) {
    case LpScanProblem::kNone:
      break;
    case LpScanProblem::kPartialGroup:
      return fail(at, absl::StrCat("listpack ends inside a field (entries are not a multiple of ",
                                   stride, ")"));
    case LpScanProblem::kBadTtl:
    case LpScanProblem::kTtlOrder:  // not asked for
      return fail(at + scan.problem_at,
                  "field TTL entry is not a non-negative integer below 2^48");
  }
  if (!scan.canonical) {
    return fail(at + scan.first_noncanonical, "listpack string entry holds a canonical integer");
  }
  const size_t groups = scan.groups, live = scan.live;
  bool fits = scan.fits;
  char buf[kMaxInt64Chars];
  const uint32_t end = lp::end_offset(lp);
  if (groups == 0) return fail(at, "empty hash");
  if (groups > limits_.max_listpack_entries) fits = false;
  if (fits) {
    // Pass 2: duplicates (a lookup per field: within the entries limit).
    for (uint32_t off = lp::first(lp); off != end;) {
      if (lp::find_field(lp, lp::get_string(lp, off, buf), stride) != off) {
        return fail(at + off, "duplicate field");
      }
      for (size_t k = 0; k < stride; ++k) off = lp::next(lp, off);
    }
  }
  if (expire && *expire <= now_) {
    ++result_.expired;
    return absl::OkStatus();
  }
  if (live == 0) {
    ++result_.expired;
    return absl::OkStatus();
  }
  const FieldBounds bounds = bounds_of(scan.earliest, scan.latest, scan.with_ttl == live);
  const std::optional<FieldBounds> opt_bounds =
      field_ttls ? std::optional<FieldBounds>(bounds) : std::nullopt;
  if (fits && live == groups) {
    return stage(key_entry::make_listpack(key, expire, lp, size, opt_bounds), at);
  }
  // Walks the live groups: (field, value, ttl or 0).
  auto live_groups = [&](auto&& fn) {
    return for_each_lp_field(
        lp, stride, [&](std::string_view f, std::string_view v, std::optional<int64_t> ttl) {
          return (ttl && *ttl <= now_) || fn(f, v, ttl.value_or(kLpNoTtl));
        });
  };
  if (fits) {
    OwnedListpack o;
    live_groups([&](std::string_view f, std::string_view v, int64_t ttl) {
      o.append(f);
      o.append(v);
      if (stride == 3) lp::append_int(o.data(), ttl, o.resizer());
      return true;
    });
    return stage(key_entry::make_listpack(key, expire, o.data(), o.size(), opt_bounds), at);
  }
  // Over the thresholds: a table, as a write would have converted it.
  auto table = std::make_unique<FieldTable>(random_seed());
  const bool unique = live_groups([&](std::string_view f, std::string_view v, int64_t ttl) {
    const uint64_t h = table->hash(f);
    if (table->find(f, h) != nullptr) return false;
    table->insert(table->make(f, v, ttl != 0 ? std::optional<int64_t>(ttl) : std::nullopt),
                  h);
    return true;
  });
  if (!unique) return fail(at, "duplicate field");
  return stage(key_entry::make_table(key, expire, table.release(), opt_bounds), at);
}

absl::Status Parser::table_hash(Cursor& c, std::string_view key, std::optional<int64_t> expire,
                                bool field_ttls, uint64_t at) {
  uint64_t count;
  if (absl::Status st = read_varint(c, &count, "field count"); !st.ok()) return st;
  if (count == 0) return fail(at, "empty hash");
  if (count > c.left() / 3) {  // each field takes at least 3 bytes
    return fail(c.at(), absl::StrCat("field count ", count, " exceeds what the block holds"));
  }
  auto table = std::make_unique<FieldTable>(random_seed());
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t fat = c.at();
    if (c.left() == 0) return fail(fat, "truncated field");
    const uint8_t fflags = c.p[c.pos++];
    if (fflags & ~kFieldHasTtl) return fail(fat, absl::StrFormat("unknown field flags 0x%02x", fflags));
    std::string_view f, v;
    if (absl::Status st = read_bytes(c, &f, "field"); !st.ok()) return st;
    if (absl::Status st = read_bytes(c, &v, "value"); !st.ok()) return st;
    std::optional<int64_t> ttl;
    if (fflags & kFieldHasTtl) {
      int64_t t;
      if (absl::Status st = read_i64(c, &t, "field TTL"); !st.ok()) return st;
      ttl = t;
    }
    const uint64_t h = table->hash(f);
    if (table->find(f, h) != nullptr) return fail(fat, "duplicate field");
    // An expired field goes in too, so that a duplicate of it is refused;
    // expire_some() drops it below.
    table->insert(table->make(f, v, ttl), h);
  }
  if (expire && *expire <= now_) {
    ++result_.expired;
    return absl::OkStatus();
  }
  table->expire_some(now_, SIZE_MAX);
  if (table->size() == 0) {
    ++result_.expired;
    return absl::OkStatus();
  }
  std::optional<FieldBounds> bounds;
  if (field_ttls || table->ttl_count() > 0) {
    bounds = FieldBounds{};
    if (table->ttl_count() > 0) {
      bounds = bounds_of(*table->earliest_expiry(), *table->latest_expiry(),
                         table->ttl_count() == table->size());
    }
  }
  return stage(key_entry::make_table(key, expire, table.release(), bounds), at);
}

}  // namespace

absl::Status open_for_load(const std::string& path, const std::string& label, int* fd,
                           uint64_t* size) {
  if (path.empty()) return absl::InvalidArgumentError("ERR load: the path is empty");
  *fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (*fd < 0) {
    // NOT_FOUND, PERMISSION_DENIED... (io_error.h); anything else: the
    // file cannot be read, as for a read error. The label ends in ": ".
    std::string_view prefix = label;
    if (prefix.ends_with(": ")) prefix.remove_suffix(2);
    return errno_status(errno, prefix, absl::StatusCode::kDataLoss);
  }
  struct stat st;
  if (::fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(*fd);
    *fd = -1;
    return absl::DataLossError(absl::StrCat(label, "not a regular file"));
  }
  *size = static_cast<uint64_t>(st.st_size);
  return absl::OkStatus();
}

absl::StatusOr<LoadResult> load_snapshot_file(StoreImpl& impl, const std::string& path,
                                              const LoadOptions& options) {
  const std::string label = absl::StrCat("ERR snapshot ", path, ": ");
  int fd;
  uint64_t size;
  if (absl::Status st = open_for_load(path, label, &fd, &size); !st.ok()) return st;
  FileSource src(fd, size, absl::StrCat("ERR snapshot ", path));
  return Parser(impl, src, label, options).run();
}

absl::StatusOr<LoadResult> load_snapshot_bytes(StoreImpl& impl, std::string_view bytes,
                                               std::string_view name,
                                               const LoadOptions& options) {
  MemorySource src(bytes);
  return Parser(impl, src, absl::StrCat("ERR snapshot ", to_absl(name), ": "), options).run();
}

}  // namespace hashstore::internal::snapshot
