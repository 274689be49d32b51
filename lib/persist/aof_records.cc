// Building, checking and applying the append-only log's records
// (aof_records.h; format: aof_format.h).
#include "persist/aof_records.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <xxhash.h>

#include "absl/strings/str_cat.h"
#include "encoding/field_entry.h"
#include "encoding/listpack.h"
#include "hash/listpack_fields.h"
#include "keyspace/key_entry.h"
#include "persist/snapshot_format.h"
#include "store/hash_access.h"
#include "store/store_internal.h"
#include "util/absl_view.h"
#include "util/bytes.h"
#include "util/varint.h"

namespace hashstore::internal::aof {

using snapshot::get_u32;
using snapshot::get_u64;
using snapshot::put_u32;
using snapshot::put_u64;
using snapshot::put_varint;

namespace {

void put_string(std::string* out, std::string_view s) {
  put_varint(out, s.size());
  out->append(s);
}

// A field's value and TTL as the key's entry holds them now.
struct FieldNow {
  bool present = false;
  std::string_view value;
  std::optional<int64_t> expire_ms;
};

FieldNow field_now(const void* entry, std::string_view field, char* buf) {
  FieldNow r;
  const uint8_t flags = key_entry::flags(entry);
  if (flags & key_entry::kTable) {
    const FieldTable* t = key_entry::table(entry);
    const void* fe = t->find(field, t->hash(field));
    if (fe == nullptr) return r;
    r.present = true;
    r.value = field_entry::value(fe);
    r.expire_ms = field_entry::expiry(fe);
    return r;
  }
  const uint8_t* lp = key_entry::listpack(entry);
  const size_t stride = (flags & key_entry::kFieldTtl) ? 3 : 2;
  const uint32_t off = lp::find_field(lp, field, stride);
  if (off == kLpNone) return r;
  const LpField f = lp_field_at(lp, off, stride);
  r.present = true;
  r.value = lp::get_string(lp, f.value, buf);
  r.expire_ms = lp_ttl_of(lp, f);
  return r;
}

void put_key_head(std::string* out, uint8_t kflags, std::string_view key, const void* entry) {
  const std::optional<int64_t> expire = key_entry::expire_ms(entry);
  if (expire) kflags |= kKeyTtl;
  out->push_back(static_cast<char>(kflags));
  put_string(out, key);
  if (expire) put_u64(out, static_cast<uint64_t>(*expire));
}

void put_field(std::string* out, std::string_view field, bool present, std::string_view value,
               std::optional<int64_t> expire_ms) {
  uint8_t fflags = present ? kPresent : 0;
  if (present && expire_ms) fflags |= kFieldTtl;
  out->push_back(static_cast<char>(fflags));
  put_string(out, field);
  if (!present) return;
  put_string(out, value);
  if (expire_ms) put_u64(out, static_cast<uint64_t>(*expire_ms));
}

void append_del(std::string_view key, std::string* out) {
  append_record(out, kDel, [&](std::string* o) { put_string(o, key); });
}

// Reads the payload front to back; every read checks the bytes left.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view p) : p_(p) {}
  bool u8(uint8_t* v) {
    if (pos_ + 1 > p_.size()) return false;
    *v = static_cast<uint8_t>(p_[pos_++]);
    return true;
  }
  bool i64(int64_t* v) {
    if (p_.size() - pos_ < 8) return false;
    *v = static_cast<int64_t>(get_u64(reinterpret_cast<const uint8_t*>(p_.data() + pos_)));
    pos_ += 8;
    return true;
  }
  bool varint(uint64_t* v) {
    return snapshot::read_varint(reinterpret_cast<const uint8_t*>(p_.data()), p_.size(), &pos_,
                                 v) == snapshot::VarintRead::kOk;
  }
  bool string(std::string_view* s) {
    uint64_t n;
    if (!varint(&n) || n > p_.size() - pos_) return false;
    *s = p_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == p_.size(); }
  size_t left() const { return p_.size() - pos_; }

 private:
  std::string_view p_;
  size_t pos_ = 0;
};

absl::Status bad(std::string_view what) {
  return absl::DataLossError(absl::StrCat("bad record: ", to_absl(what)));
}

}  // namespace

uint16_t head_check(uint32_t length, uint8_t type) {
  uint8_t b[5];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<uint8_t>(length >> (8 * i));
  b[4] = type;
  return static_cast<uint16_t>(XXH3_64bits(b, sizeof b));
}

std::string file_header() {
  std::string h(kMagic, sizeof kMagic);
  put_u32(&h, kVersion);
  put_u32(&h, 0);
  put_u64(&h, XXH3_64bits(h.data(), h.size()));
  return h;
}

absl::Status check_header(std::string_view bytes) {
  if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return absl::DataLossError("not an append-only log (bad magic)");
  }
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  if (get_u64(p + 16) != XXH3_64bits(p, 16)) {
    return absl::DataLossError("append-only log header checksum mismatch");
  }
  const uint32_t version = get_u32(p + 8);
  if (version != kVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat("append-only log version ", version, " is not supported (this build reads ",
                     kVersion, ")"));
  }
  if (get_u32(p + 12) != 0) return absl::DataLossError("append-only log header: unknown flags");
  return absl::OkStatus();
}

namespace {

// Write v little-endian at p; return the byte after it.
char* put_u64_at(char* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) *p++ = static_cast<char>(v >> (8 * i));
  return p;
}
char* put_u32_at(char* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) *p++ = static_cast<char>(v >> (8 * i));
  return p;
}

// Fills in the head check and the payload's checksum of the frame at
// `frame`, whose length and type are written and whose payload follows.
void seal_frame(char* frame) {
  const uint32_t length = get_u32(reinterpret_cast<const uint8_t*>(frame));
  const uint8_t type = static_cast<uint8_t>(frame[4]);
  const uint16_t head = head_check(length, type);
  frame[5] = static_cast<char>(head);
  frame[6] = static_cast<char>(head >> 8);
  put_u64_at(frame + 7, XXH3_64bits(frame + kFrameSize, length));
}

}  // namespace

void put_frame(std::string* out, size_t start, RecordType type) {
  const size_t payload = out->size() - start - kFrameSize;
  snapshot::set_u32_at(out, start, static_cast<uint32_t>(payload));
  (*out)[start + 4] = static_cast<char>(type);
  seal_frame(out->data() + start);
}

void append_whole_key(std::string_view key, const void* entry, std::string* out) {
  append_record(out, kHash, [&](std::string* o) {
    put_key_head(o, kReplace, key, entry);
    const uint8_t flags = key_entry::flags(entry);
    if (flags & key_entry::kTable) {
      const FieldTable* t = key_entry::table(entry);
      put_varint(o, t->size());
      t->for_each([&](const void* fe) {
        put_field(o, field_entry::field(fe), true, field_entry::value(fe), field_entry::expiry(fe));
      });
      return;
    }
    const uint8_t* lp = key_entry::listpack(entry);
    const size_t stride = (flags & key_entry::kFieldTtl) ? 3 : 2;
    put_varint(o, lp::count(lp) / stride);
    for_each_lp_field(lp, stride, [&](std::string_view f, std::string_view v,
                                      std::optional<int64_t> ttl) { put_field(o, f, true, v, ttl); });
  });
}

// Each event becomes one record read from the key's state now (the end of
// this lock hold): a deletion is a kDel whatever followed it (a later event
// of the same hold then states what the key became); a change of named
// fields lists those fields; a change of the whole key (RENAME's or COPY's
// destination, a key TTL set or removed) replaces the key. A key that is
// gone now is a kDel.
void append_events(StoreImpl& impl, Shard& shard, std::string* out) {
  char buf[kMaxInt64Chars];
  for (const KeyspaceEvent& e : shard.events) {
    const bool whole = e.fields.empty();
    if (whole && e.reason != kEventChanged) {
      append_del(e.key, out);
      continue;
    }
    const void* entry = shard.keyspace.find(e.key, impl.hash(e.key));
    if (entry == nullptr) {
      append_del(e.key, out);
    } else if (whole) {
      append_whole_key(e.key, entry, out);
    } else {
      // Unsealed: seal_records fills the frame in when it is gathered.
      const size_t start = out->size();
      out->append(kFrameSize, '\0');
      put_key_head(out, 0, e.key, entry);
      put_varint(out, e.fields.size());
      for (const std::string& f : e.fields) {
        const FieldNow now = field_now(entry, f, buf);
        put_field(out, f, now.present, now.value, now.expire_ms);
      }
      snapshot::set_u32_at(out, start, static_cast<uint32_t>(out->size() - start - kFrameSize));
      (*out)[start + 4] = static_cast<char>(kHash);
    }
  }
}

namespace {

// The string's length (util/varint.h's LEB128, as put_varint writes it) and
// its bytes at p; returns the byte after them. Inlined: a record puts three.
[[gnu::always_inline]] inline char* put_string_at(char* p, std::string_view s) {
  p = reinterpret_cast<char*>(write_varint(reinterpret_cast<uint8_t*>(p), s.size()));
  copy_bytes(p, s.data(), s.size());  // short strings without a memcpy call
  return p + s.size();
}

}  // namespace

// The same bytes as append_record(kHash) with put_key_head and one
// put_field would make, written in one piece (the size is known up front),
// but unsealed.
void append_field_record(std::string_view key, std::optional<int64_t> key_expire_ms,
                         std::string_view field, std::string_view value, std::string* out) {
  const size_t payload = 1 + varint_size(key.size()) + key.size() + (key_expire_ms ? 8 : 0) +
                         1 + 1 + varint_size(field.size()) + field.size() +
                         varint_size(value.size()) + value.size();
  // Built on the stack and appended in one copy when it is short (most
  // are): resize() would zero the bytes first, which cost half the record.
  constexpr size_t kStackRecord = 256;
  char stack[kStackRecord];
  const size_t start = out->size();
  const bool on_stack = kFrameSize + payload <= kStackRecord;
  if (!on_stack) out->resize(start + kFrameSize + payload);
  char* const frame = on_stack ? stack : out->data() + start;
  char* p = frame + kFrameSize;
  *p++ = static_cast<char>(key_expire_ms ? kKeyTtl : 0);
  p = put_string_at(p, key);
  if (key_expire_ms) p = put_u64_at(p, static_cast<uint64_t>(*key_expire_ms));
  *p++ = 1;  // count
  *p++ = static_cast<char>(kPresent);
  p = put_string_at(p, field);
  p = put_string_at(p, value);
  assert(p == frame + kFrameSize + payload);
  (void)p;
  put_u32_at(frame, static_cast<uint32_t>(payload));
  frame[4] = static_cast<char>(kHash);
  // The head check and checksum: seal_records, when the buffer is gathered.
  if (on_stack) out->append(frame, kFrameSize + payload);
}

void seal_records(std::string* bytes, size_t from) {
  char* const base = bytes->data();
  for (size_t at = from; at < bytes->size();) {
    assert(bytes->size() - at >= kFrameSize);
    char* const frame = base + at;
    seal_frame(frame);
    at += kFrameSize + snapshot::get_u32(reinterpret_cast<const uint8_t*>(frame));
  }
}

void append_flushall(std::string* out) {
  append_record(out, kFlushAll, [](std::string*) {});
}

absl::Status parse_record(uint8_t type, std::string_view payload, Record* out) {
  PayloadReader r(payload);
  out->type = static_cast<RecordType>(type);
  out->key_flags = 0;
  out->key = {};
  out->key_expire_ms.reset();
  out->fields.clear();
  switch (type) {
    case kFlushAll:
      if (!r.done()) return bad("FLUSHALL with a payload");
      return absl::OkStatus();
    case kDel:
      if (!r.string(&out->key)) return bad("DEL key overruns the record");
      if (!r.done()) return bad("bytes after DEL's key");
      return absl::OkStatus();
    case kHash:
      break;
    default:
      return bad(absl::StrCat("unknown type ", type));
  }
  if (!r.u8(&out->key_flags)) return bad("empty hash record");
  if (out->key_flags & ~kKnownKeyFlags) return bad("unknown key flags");
  if (!r.string(&out->key)) return bad("key overruns the record");
  if (out->key_flags & kKeyTtl) {
    int64_t t;
    if (!r.i64(&t)) return bad("key TTL overruns the record");
    if (t < 0 || t > kMaxKeyExpireMs) return bad("key TTL out of range");
    out->key_expire_ms = t;
  }
  uint64_t count;
  if (!r.varint(&count)) return bad("field count overruns the record");
  // Every field takes at least two bytes: the count cannot exceed that.
  if (count > r.left() / 2) return bad("field count larger than the record");
  out->fields.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    FieldState f;
    uint8_t fflags;
    if (!r.u8(&fflags) || !r.string(&f.field)) return bad("field overruns the record");
    if (fflags & ~kKnownFieldFlags) return bad("unknown field flags");
    f.present = fflags & kPresent;
    if ((fflags & kFieldTtl) && !f.present) return bad("TTL of an absent field");
    if (f.present && !r.string(&f.value)) return bad("value overruns the record");
    if (fflags & kFieldTtl) {
      int64_t t;
      if (!r.i64(&t)) return bad("field TTL overruns the record");
      if (t < 0 || t > kMaxFieldExpireMs) return bad("field TTL out of range");
      f.expire_ms = t;
    }
    out->fields.push_back(f);
  }
  if (!r.done()) return bad("bytes after the last field");
  if ((out->key_flags & kReplace) && out->fields.empty()) return bad("replaced key with no field");
  return absl::OkStatus();
}

namespace {

// How many fields a record may list for apply_plain_hash to check them for
// duplicates pairwise (more: the HashObject path, which settles them).
constexpr size_t kMaxPairwise = 16;

// A listpack built aside without a realloc per entry: the callback grows a
// reused buffer (by doubling), which make_listpack then copies once.
struct ListpackScratch {
  std::string bytes = std::string(256, '\0');
  uint8_t* data() { return reinterpret_cast<uint8_t*>(bytes.data()); }
  uint8_t* resize(size_t n) {
    if (n > bytes.size()) bytes.resize(std::max(n, 2 * bytes.size()));
    return data();
  }
};

// Whether a new key with these fields is a listpack under limits (no
// field twice, all short enough, few enough).
bool fits_listpack(const HashLimits& limits, const std::vector<FieldState>& fields) {
  if (fields.size() > kMaxPairwise || fields.size() > limits.max_listpack_entries) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].field.size() > limits.max_listpack_value ||
        fields[i].value.size() > limits.max_listpack_value) {
      return false;
    }
    for (size_t j = 0; j < i; ++j) {
      if (fields[j].field == fields[i].field) return false;
    }
  }
  return true;
}

// Replay's common record — a kHash whose fields are all present, with no
// TTL on the key or a field — applied to the key's shard directly, as
// Store::hset would leave it: a new key's listpack is built in one piece
// (the snapshot loader's way), an existing key's fields are set on its
// HashObject. The Store is not shared yet: the shard's lock is uncontended
// (it keeps the byte count). Returns false, having changed nothing, for any
// other record, and for a key that has a TTL the record does not (the
// caller then replays it through the Store's calls).
bool apply_plain_hash(StoreImpl& impl, const Record& r) {
  if (r.key_expire_ms || r.fields.empty()) return false;
  for (const FieldState& f : r.fields) {
    if (!f.present || f.expire_ms) return false;
  }
  const uint64_t h = impl.hash(r.key);
  Shard& shard = impl.shard_for(h);
  StoreImpl::ShardLock lock(impl, shard, LockMode::kExclusive);
  Now now(impl.clock());
  Keyspace& ks = shard.keyspace;
  void* e = ks.find_for_write(r.key, h, now);
  if (e != nullptr && (r.key_flags & kReplace)) {
    ks.erase(r.key, h);
    e = nullptr;
  }
  if (e != nullptr && key_entry::expire_ms(e)) return false;  // PERSIST's work
  const HashLimits limits = impl.limits();
  if (e == nullptr && fits_listpack(limits, r.fields)) {
    thread_local ListpackScratch scratch;
    lp::init(scratch.data());
    uint8_t* lp = scratch.data();
    auto grow = [&](size_t n) { return scratch.resize(n); };
    for (const FieldState& f : r.fields) {
      lp = lp::append(lp, f.field, grow);
      lp = lp::append(lp, f.value, grow);
    }
    void* entry = ks.insert(
        key_entry::make_listpack(r.key, std::nullopt, lp, lp::bytes(lp), std::nullopt, ks.alloc()),
        h);
    impl.touch(entry, now, /*created=*/true);
    shard.note_write(r.key);
    return true;
  }
  // As hash_set_pairs (Store::hset): a long field or value converts first.
  on_hash_held(impl, shard, r.key, h, Use::kCreate, now, false, [&](HashObject& hash) {
    for (const FieldState& f : r.fields) {
      if (f.field.size() > limits.max_listpack_value || f.value.size() > limits.max_listpack_value) {
        hash.convert_to_table();
        break;
      }
    }
    for (const FieldState& f : r.fields) hash.set(f.field, f.value);
    return true;
  });
  return true;
}

}  // namespace

absl::Status apply_record(Store& store, const Record& r) {
  if (r.type == kHash) {
    StoreImpl& impl = StoreInternal::impl(store);
    if (absl::Status room = impl.make_room(); !room.ok()) return room;
    if (apply_plain_hash(impl, r)) return absl::OkStatus();
  }
  switch (r.type) {
    case kFlushAll:
      store.flushall();
      return absl::OkStatus();
    case kDel:
      store.del({r.key});
      return absl::OkStatus();
    case kHash:
      break;
  }
  if (r.key_flags & kReplace) store.del({r.key});
  std::vector<FieldValue> set;
  std::vector<std::string_view> gone;
  for (const FieldState& f : r.fields) {
    if (f.present) {
      set.push_back(FieldValue{f.field, f.value});
    } else {
      gone.push_back(f.field);
    }
  }
  if (!gone.empty()) store.hdel(r.key, gone);
  if (!set.empty()) {
    // HSET drops a field's TTL, as Redis's does; the TTLs are set after.
    absl::StatusOr<int64_t> n = store.hset(r.key, set);
    if (!n.ok()) return n.status();
    for (const FieldState& f : r.fields) {
      if (!f.expire_ms) continue;
      const std::string_view one[] = {f.field};
      absl::StatusOr<std::vector<int64_t>> t = store.hpexpireat(r.key, *f.expire_ms, one);
      if (!t.ok()) return t.status();
    }
  }
  if (r.key_expire_ms) {
    absl::StatusOr<bool> t = store.pexpireat(r.key, *r.key_expire_ms);
    if (!t.ok()) return t.status();
  } else {
    store.persist(r.key);
  }
  return absl::OkStatus();
}

}  // namespace hashstore::internal::aof
