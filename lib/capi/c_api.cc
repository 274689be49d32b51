// The C API (include/hashstore/c.h) over hashstore::Store: each function
// converts its C arguments to the C++ call's, makes the call, and converts
// the result back — malloc()ed copies for strings, handles for lists and
// replies, a malloc()ed message in *errptr for an error Status. Nothing here
// keeps state besides the handles.
//
// Sits above lib/command (execute) and uses only the public C++ API.
#include <hashstore/c.h>

#include <cstdlib>
#include <iterator>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <hashstore/clock.h>
#include <hashstore/options.h>
#include <hashstore/reply.h>
#include <hashstore/store.h>
#include <hashstore/version.h>

#include "util/number.h"

// ---- Handle types ------------------------------------------------------------

struct hashstore_options_t {
  hashstore::Options options;
  int policy = HASHSTORE_NOEVICTION;  // checked by hashstore_open
  void* clock_state = nullptr;
  int64_t (*clock_fn)(void*) = nullptr;
};

namespace hashstore::internal {

// A Clock that asks the C callback. (In a named namespace: hashstore_t, a
// global type, holds one.)
class CApiClock final : public Clock {
 public:
  CApiClock(void* state, int64_t (*fn)(void*)) : state_(state), fn_(fn) {}
  int64_t now_ms() const override { return fn_(state_); }

 private:
  void* state_;
  int64_t (*fn_)(void*);
};

}  // namespace hashstore::internal

struct hashstore_t {
  // Declared first, destroyed last: the Store reads it until its end.
  std::unique_ptr<hashstore::internal::CApiClock> clock;
  std::unique_ptr<hashstore::Store> store;
};

// Entries are kept as strings; nil entries are flagged.
struct hashstore_strings_t {
  std::vector<std::string> items;
  std::vector<bool> nil;  // same size as items
};

// A reply tree owning its bytes; elements are owned by their parent.
struct hashstore_reply_t {
  int type = HASHSTORE_REPLY_NIL;
  int64_t integer = 0;
  std::string bytes;
  std::vector<hashstore_reply_t> elements;
};

struct hashstore_event_t {
  const hashstore::Event* event;
};

namespace {

// The C flags are the C++ ones, passed through.
static_assert(unsigned{HASHSTORE_EXPIRE_NX} == hashstore::kExpireNX &&
              unsigned{HASHSTORE_EXPIRE_XX} == hashstore::kExpireXX &&
              unsigned{HASHSTORE_EXPIRE_GT} == hashstore::kExpireGT &&
              unsigned{HASHSTORE_EXPIRE_LT} == hashstore::kExpireLT);
constexpr unsigned kAllExpireFlags =
    HASHSTORE_EXPIRE_NX | HASHSTORE_EXPIRE_XX | HASHSTORE_EXPIRE_GT | HASHSTORE_EXPIRE_LT;
constexpr size_t kMaxShards = size_t{1} << 16;

// HASHSTORE_NOEVICTION ... HASHSTORE_VOLATILE_TTL, in that order.
using hashstore::EvictionPolicy;
constexpr EvictionPolicy kPolicies[] = {
    EvictionPolicy::kNoEviction,   EvictionPolicy::kAllKeysLru,     EvictionPolicy::kAllKeysLfu,
    EvictionPolicy::kAllKeysRandom, EvictionPolicy::kVolatileLru,   EvictionPolicy::kVolatileLfu,
    EvictionPolicy::kVolatileRandom, EvictionPolicy::kVolatileTtl,
};
static_assert(HASHSTORE_NOEVICTION == 0 && HASHSTORE_ALLKEYS_LRU == 1 && HASHSTORE_ALLKEYS_LFU == 2 &&
              HASHSTORE_ALLKEYS_RANDOM == 3 && HASHSTORE_VOLATILE_LRU == 4 &&
              HASHSTORE_VOLATILE_LFU == 5 && HASHSTORE_VOLATILE_RANDOM == 6 &&
              HASHSTORE_VOLATILE_TTL == 7 && std::size(kPolicies) == 8);

// A view of a C byte string; (NULL, 0) is the empty string.
std::string_view view(const char* p, size_t n) {
  return n == 0 ? std::string_view() : std::string_view(p, n);
}

// n views from parallel arrays.
std::vector<std::string_view> views(size_t n, const char* const* ptrs, const size_t* lens) {
  std::vector<std::string_view> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(view(ptrs[i], lens[i]));
  return out;
}

// A malloc()ed, NUL-terminated copy of s (abort on allocation failure, as
// the rest of the library does).
char* copy_out(std::string_view s) {
  char* p = static_cast<char*>(std::malloc(s.size() + 1));
  if (p == nullptr) std::abort();
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  p[s.size()] = '\0';
  return p;
}

// Stores message in *errptr as c.h says: the old message freed, a
// malloc()ed copy in its place. A NULL errptr drops it.
void set_error(char** errptr, std::string_view message) {
  if (errptr == nullptr) return;
  std::free(*errptr);
  *errptr = copy_out(message);
}

// false (after setting *errptr) when st is an error.
bool ok_or_report(const absl::Status& st, char** errptr) {
  if (st.ok()) return true;
  set_error(errptr, std::string_view(st.message().data(), st.message().size()));
  return false;
}

hashstore_strings_t* make_list() { return new hashstore_strings_t(); }

void push(hashstore_strings_t* list, std::string s) {
  list->items.push_back(std::move(s));
  list->nil.push_back(false);
}

void push_nil(hashstore_strings_t* list) {
  list->items.emplace_back();
  list->nil.push_back(true);
}

int reply_type(hashstore::Reply::Kind kind) {
  switch (kind) {
    case hashstore::Reply::Kind::kStatus:
      return HASHSTORE_REPLY_STATUS;
    case hashstore::Reply::Kind::kError:
      return HASHSTORE_REPLY_ERROR;
    case hashstore::Reply::Kind::kInteger:
      return HASHSTORE_REPLY_INTEGER;
    case hashstore::Reply::Kind::kBulk:
      return HASHSTORE_REPLY_BULK;
    case hashstore::Reply::Kind::kNil:
      return HASHSTORE_REPLY_NIL;
    case hashstore::Reply::Kind::kArray:
      return HASHSTORE_REPLY_ARRAY;
  }
  return HASHSTORE_REPLY_NIL;
}

// Converts r into out, moving its elements.
void convert(hashstore::Reply&& r, hashstore_reply_t* out) {
  out->type = reply_type(r.kind());
  switch (r.kind()) {
    case hashstore::Reply::Kind::kStatus:
    case hashstore::Reply::Kind::kError:
    case hashstore::Reply::Kind::kBulk:
      out->bytes = r.string();
      break;
    case hashstore::Reply::Kind::kInteger:
      out->integer = r.integer();
      break;
    case hashstore::Reply::Kind::kNil:
      break;
    case hashstore::Reply::Kind::kArray: {
      std::vector<hashstore::Reply>& elements = r.mutable_elements();
      out->elements.resize(elements.size());
      for (size_t i = 0; i < elements.size(); ++i) convert(std::move(elements[i]), &out->elements[i]);
      break;
    }
  }
}

hashstore::Store& S(hashstore_t* db) { return *db->store; }

// The expire calls (fn is Store::expire, pexpire, expireat or pexpireat):
// 1 / 0 / -1 as c.h says; flags outside HASHSTORE_EXPIRE_* are an error.
using ExpireFn = absl::StatusOr<bool> (hashstore::Store::*)(std::string_view, int64_t, unsigned);
int expire_with(hashstore_t* db, ExpireFn fn, const char* key, size_t keylen, int64_t when,
                unsigned flags, char** errptr) {
  if ((flags & ~kAllExpireFlags) != 0) {
    set_error(errptr, "ERR unknown expire flags (HASHSTORE_EXPIRE_NX, XX, GT, LT only)");
    return -1;
  }
  const absl::StatusOr<bool> r = (S(db).*fn)(view(key, keylen), when, flags);
  if (!ok_or_report(r.status(), errptr)) return -1;
  return *r ? 1 : 0;
}

// Owns a C subscriber's state; the destructor runs when the Store drops its
// last copy of the listener.
class Subscription {
 public:
  Subscription(void* state, void (*destructor)(void*),
               void (*on_event)(void*, const hashstore_event_t*))
      : state_(state), destructor_(destructor), on_event_(on_event) {}
  ~Subscription() {
    if (destructor_ != nullptr) destructor_(state_);
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  void deliver(const hashstore::Event& e) const {
    const hashstore_event_t event{&e};
    on_event_(state_, &event);
  }

 private:
  void* state_;
  void (*destructor_)(void*);
  void (*on_event_)(void*, const hashstore_event_t*);
};

}  // namespace

extern "C" {

// ---- Version and memory ------------------------------------------------------

const char* hashstore_version(void) { return hashstore::version(); }
int hashstore_version_major(void) { return HASHSTORE_VERSION_MAJOR; }
int hashstore_version_minor(void) { return HASHSTORE_VERSION_MINOR; }
int hashstore_version_patch(void) { return HASHSTORE_VERSION_PATCH; }

void hashstore_free(void* ptr) { std::free(ptr); }

// ---- Options -------------------------------------------------------------------

hashstore_options_t* hashstore_options_create(void) { return new hashstore_options_t(); }
void hashstore_options_destroy(hashstore_options_t* options) { delete options; }

void hashstore_options_set_shards(hashstore_options_t* options, size_t shards) {
  options->options.shards = shards;
}
void hashstore_options_set_thread_safe(hashstore_options_t* options, unsigned char thread_safe) {
  options->options.thread_safe = thread_safe != 0;
}
void hashstore_options_set_hash_max_listpack_entries(hashstore_options_t* options,
                                                     size_t entries) {
  options->options.hash_max_listpack_entries = entries;
}
void hashstore_options_set_hash_max_listpack_value(hashstore_options_t* options, size_t bytes) {
  options->options.hash_max_listpack_value = bytes;
}
void hashstore_options_set_hash_seed(hashstore_options_t* options, uint64_t seed) {
  options->options.hash_seed = seed;
}
void hashstore_options_set_maxmemory(hashstore_options_t* options, size_t bytes) {
  options->options.maxmemory = bytes;
}
void hashstore_options_set_maxmemory_policy(hashstore_options_t* options, int policy) {
  options->policy = policy;
}
void hashstore_options_set_maxmemory_samples(hashstore_options_t* options, int samples) {
  options->options.maxmemory_samples = samples;
}
void hashstore_options_set_expiry_thread(hashstore_options_t* options, unsigned char enabled,
                                         int64_t interval_ms) {
  options->options.expiry_thread = enabled != 0;
  options->options.expiry_interval_ms = interval_ms;
}
void hashstore_options_set_clock(hashstore_options_t* options, void* state,
                                 int64_t (*now_ms)(void*)) {
  options->clock_state = state;
  options->clock_fn = now_ms;
}

// ---- Opening and closing -----------------------------------------------------------

hashstore_t* hashstore_open(const hashstore_options_t* options, char** errptr) {
  const hashstore_options_t defaults;
  const hashstore_options_t& o = options != nullptr ? *options : defaults;
  hashstore::Options opt = o.options;
  if (opt.shards > kMaxShards) {
    set_error(errptr, "ERR shards must be at most 65536");
    return nullptr;
  }
  if (o.policy < HASHSTORE_NOEVICTION || o.policy > HASHSTORE_VOLATILE_TTL) {
    set_error(errptr, "ERR unknown maxmemory policy (HASHSTORE_NOEVICTION ... HASHSTORE_VOLATILE_TTL)");
    return nullptr;
  }
  if (opt.maxmemory_samples < 1) {
    set_error(errptr, "ERR maxmemory samples must be at least 1");
    return nullptr;
  }
  if (opt.expiry_thread && opt.expiry_interval_ms < 1) {
    set_error(errptr, "ERR expiry interval must be at least 1 ms");
    return nullptr;
  }
  opt.maxmemory_policy = kPolicies[o.policy];
  auto* db = new hashstore_t();
  if (o.clock_fn != nullptr) {
    db->clock = std::make_unique<hashstore::internal::CApiClock>(o.clock_state, o.clock_fn);
    opt.clock = db->clock.get();
  } else {
    opt.clock = nullptr;
  }
  db->store = std::make_unique<hashstore::Store>(opt);
  return db;
}

void hashstore_close(hashstore_t* db) {
  if (db == nullptr) return;
  db->store.reset();  // before the clock it reads
  delete db;
}

// ---- Lists ---------------------------------------------------------------------------

size_t hashstore_strings_count(const hashstore_strings_t* list) { return list->items.size(); }

const char* hashstore_strings_get(const hashstore_strings_t* list, size_t i, size_t* len) {
  if (i >= list->items.size() || list->nil[i]) {
    if (len != nullptr) *len = 0;
    return nullptr;
  }
  if (len != nullptr) *len = list->items[i].size();
  return list->items[i].c_str();
}

void hashstore_strings_destroy(hashstore_strings_t* list) { delete list; }

// ---- Field commands ---------------------------------------------------------------------

int64_t hashstore_hset(hashstore_t* db, const char* key, size_t keylen, size_t num_pairs,
                       const char* const* fields, const size_t* fieldlens,
                       const char* const* values, const size_t* valuelens, char** errptr) {
  std::vector<hashstore::FieldValue> pairs;
  pairs.reserve(num_pairs);
  for (size_t i = 0; i < num_pairs; ++i) {
    pairs.emplace_back(view(fields[i], fieldlens[i]), view(values[i], valuelens[i]));
  }
  const absl::StatusOr<int64_t> r =
      S(db).hset(view(key, keylen), std::span<const hashstore::FieldValue>(pairs));
  if (!ok_or_report(r.status(), errptr)) return -1;
  return *r;
}

char* hashstore_hget(hashstore_t* db, const char* key, size_t keylen, const char* field,
                     size_t fieldlen, size_t* vallen) {
  const std::optional<std::string> v = S(db).hget(view(key, keylen), view(field, fieldlen));
  if (!v) {
    *vallen = 0;
    return nullptr;
  }
  *vallen = v->size();
  return copy_out(*v);
}

hashstore_strings_t* hashstore_hmget(hashstore_t* db, const char* key, size_t keylen,
                                     size_t num_fields, const char* const* fields,
                                     const size_t* fieldlens) {
  const std::vector<std::string_view> f = views(num_fields, fields, fieldlens);
  std::vector<std::optional<std::string>> values =
      S(db).hmget(view(key, keylen), std::span<const std::string_view>(f));
  hashstore_strings_t* list = make_list();
  for (std::optional<std::string>& v : values) {
    if (v) {
      push(list, std::move(*v));
    } else {
      push_nil(list);
    }
  }
  return list;
}

hashstore_strings_t* hashstore_hgetall(hashstore_t* db, const char* key, size_t keylen) {
  std::vector<std::pair<std::string, std::string>> pairs = S(db).hgetall(view(key, keylen));
  hashstore_strings_t* list = make_list();
  for (auto& [f, v] : pairs) {
    push(list, std::move(f));
    push(list, std::move(v));
  }
  return list;
}

int64_t hashstore_hdel(hashstore_t* db, const char* key, size_t keylen, size_t num_fields,
                       const char* const* fields, const size_t* fieldlens) {
  const std::vector<std::string_view> f = views(num_fields, fields, fieldlens);
  return S(db).hdel(view(key, keylen), std::span<const std::string_view>(f));
}

int hashstore_hexists(hashstore_t* db, const char* key, size_t keylen, const char* field,
                      size_t fieldlen) {
  return S(db).hexists(view(key, keylen), view(field, fieldlen)) ? 1 : 0;
}

int64_t hashstore_hlen(hashstore_t* db, const char* key, size_t keylen) {
  return S(db).hlen(view(key, keylen));
}

int64_t hashstore_hincrby(hashstore_t* db, const char* key, size_t keylen, const char* field,
                          size_t fieldlen, int64_t increment, char** errptr) {
  const absl::StatusOr<int64_t> r =
      S(db).hincrby(view(key, keylen), view(field, fieldlen), increment);
  if (!ok_or_report(r.status(), errptr)) return 0;
  return *r;
}

char* hashstore_hincrbyfloat(hashstore_t* db, const char* key, size_t keylen, const char* field,
                             size_t fieldlen, const char* increment, size_t incrementlen,
                             size_t* vallen, char** errptr) {
  *vallen = 0;
  long double incr;
  if (!hashstore::internal::parse_long_double(view(increment, incrementlen), &incr)) {
    set_error(errptr, "ERR value is not a valid float");  // HINCRBYFLOAT's text
    return nullptr;
  }
  const absl::StatusOr<std::string> r =
      S(db).hincrbyfloat(view(key, keylen), view(field, fieldlen), incr);
  if (!ok_or_report(r.status(), errptr)) return nullptr;
  *vallen = r->size();
  return copy_out(*r);
}

hashstore_strings_t* hashstore_hscan(hashstore_t* db, const char* key, size_t keylen,
                                     uint64_t cursor, const char* pattern, size_t patternlen,
                                     int64_t count, unsigned char novalues,
                                     uint64_t* next_cursor, char** errptr) {
  if (count < 1) {
    set_error(errptr, "ERR syntax error");  // Redis's reply to COUNT 0
    *next_cursor = 0;
    return nullptr;
  }
  hashstore::ScanOptions opt;
  if (pattern != nullptr) opt.match = view(pattern, patternlen);
  opt.count = count;
  opt.novalues = novalues != 0;
  hashstore::ScanPage page = S(db).hscan(view(key, keylen), cursor, opt);
  *next_cursor = page.cursor;
  hashstore_strings_t* list = make_list();
  for (std::string& s : page.items) push(list, std::move(s));
  return list;
}

// ---- Keys and key TTLs ----------------------------------------------------------------------

int hashstore_del(hashstore_t* db, const char* key, size_t keylen) {
  const std::string_view k[] = {view(key, keylen)};
  return S(db).del(std::span<const std::string_view>(k)) > 0 ? 1 : 0;
}

int hashstore_expire(hashstore_t* db, const char* key, size_t keylen, int64_t seconds,
                     unsigned flags, char** errptr) {
  return expire_with(db, &hashstore::Store::expire, key, keylen, seconds, flags, errptr);
}
int hashstore_pexpire(hashstore_t* db, const char* key, size_t keylen, int64_t milliseconds,
                      unsigned flags, char** errptr) {
  return expire_with(db, &hashstore::Store::pexpire, key, keylen, milliseconds, flags, errptr);
}
int hashstore_expireat(hashstore_t* db, const char* key, size_t keylen, int64_t unix_seconds,
                       unsigned flags, char** errptr) {
  return expire_with(db, &hashstore::Store::expireat, key, keylen, unix_seconds, flags, errptr);
}
int hashstore_pexpireat(hashstore_t* db, const char* key, size_t keylen, int64_t unix_ms,
                        unsigned flags, char** errptr) {
  return expire_with(db, &hashstore::Store::pexpireat, key, keylen, unix_ms, flags, errptr);
}

int64_t hashstore_ttl(hashstore_t* db, const char* key, size_t keylen) {
  return S(db).ttl(view(key, keylen));
}
int64_t hashstore_pttl(hashstore_t* db, const char* key, size_t keylen) {
  return S(db).pttl(view(key, keylen));
}
int64_t hashstore_expiretime(hashstore_t* db, const char* key, size_t keylen) {
  return S(db).expiretime(view(key, keylen));
}
int64_t hashstore_pexpiretime(hashstore_t* db, const char* key, size_t keylen) {
  return S(db).pexpiretime(view(key, keylen));
}
int hashstore_persist(hashstore_t* db, const char* key, size_t keylen) {
  return S(db).persist(view(key, keylen)) ? 1 : 0;
}
size_t hashstore_expire_cycle(hashstore_t* db, size_t max_keys_per_shard) {
  return S(db).expire_cycle(max_keys_per_shard);
}

// ---- Reservations --------------------------------------------------------------------------

int hashstore_reserve(hashstore_t* db, const char* key, size_t keylen, const char* field,
                      size_t fieldlen, int64_t amount, int64_t* remaining, char** errptr) {
  const absl::StatusOr<std::optional<int64_t>> r =
      S(db).reserve(view(key, keylen), view(field, fieldlen), amount);
  if (!ok_or_report(r.status(), errptr)) return -1;
  if (!r->has_value()) return 0;
  if (remaining != nullptr) *remaining = **r;
  return 1;
}

int hashstore_reserve_all(hashstore_t* db, size_t num_items, const char* const* keys,
                          const size_t* keylens, const char* const* fields,
                          const size_t* fieldlens, const int64_t* amounts, int64_t* remaining,
                          char** errptr) {
  if (num_items == 0) {
    // What HRESERVEALL replies to numitems 0.
    set_error(errptr, "ERR numitems must be a positive integer");
    return -1;
  }
  std::vector<hashstore::ReserveItem> items;
  items.reserve(num_items);
  for (size_t i = 0; i < num_items; ++i) {
    items.push_back(
        hashstore::ReserveItem{view(keys[i], keylens[i]), view(fields[i], fieldlens[i]), amounts[i]});
  }
  const absl::StatusOr<std::optional<std::vector<int64_t>>> r =
      S(db).reserve_all(std::span<const hashstore::ReserveItem>(items));
  if (!ok_or_report(r.status(), errptr)) return -1;
  if (!r->has_value()) return 0;
  if (remaining != nullptr) {
    for (size_t i = 0; i < num_items; ++i) remaining[i] = (**r)[i];
  }
  return 1;
}

// ---- Any command ----------------------------------------------------------------------------

hashstore_reply_t* hashstore_execute(hashstore_t* db, size_t argc, const char* const* argv,
                                     const size_t* argvlen) {
  std::vector<std::string_view> args;
  args.reserve(argc);
  for (size_t i = 0; i < argc; ++i) {
    args.push_back(argvlen != nullptr ? view(argv[i], argvlen[i]) : std::string_view(argv[i]));
  }
  auto* out = new hashstore_reply_t();
  convert(S(db).execute(std::span<const std::string_view>(args)), out);
  return out;
}

int hashstore_reply_type(const hashstore_reply_t* reply) { return reply->type; }

int64_t hashstore_reply_integer(const hashstore_reply_t* reply) {
  return reply->type == HASHSTORE_REPLY_INTEGER ? reply->integer : 0;
}

const char* hashstore_reply_string(const hashstore_reply_t* reply, size_t* len) {
  const bool has = reply->type == HASHSTORE_REPLY_BULK || reply->type == HASHSTORE_REPLY_STATUS ||
                   reply->type == HASHSTORE_REPLY_ERROR;
  if (len != nullptr) *len = has ? reply->bytes.size() : 0;
  return has ? reply->bytes.c_str() : nullptr;
}

size_t hashstore_reply_length(const hashstore_reply_t* reply) { return reply->elements.size(); }

const hashstore_reply_t* hashstore_reply_element(const hashstore_reply_t* reply, size_t i) {
  return i < reply->elements.size() ? &reply->elements[i] : nullptr;
}

void hashstore_reply_destroy(hashstore_reply_t* reply) { delete reply; }

// ---- Persistence ------------------------------------------------------------------------------

void hashstore_save(hashstore_t* db, const char* path, char** errptr) {
  ok_or_report(S(db).save(path), errptr);
}

void hashstore_load(hashstore_t* db, const char* path, char** errptr) {
  ok_or_report(S(db).load(path), errptr);
}

// ---- Events --------------------------------------------------------------------------------------

int hashstore_event_reason(const hashstore_event_t* event) {
  switch (event->event->reason) {
    case hashstore::Event::Reason::kChanged:
      return HASHSTORE_EVENT_CHANGED;
    case hashstore::Event::Reason::kDeleted:
      return HASHSTORE_EVENT_DELETED;
    case hashstore::Event::Reason::kExpired:
      return HASHSTORE_EVENT_EXPIRED;
    case hashstore::Event::Reason::kEvicted:
      return HASHSTORE_EVENT_EVICTED;
  }
  return HASHSTORE_EVENT_CHANGED;
}

const char* hashstore_event_key(const hashstore_event_t* event, size_t* len) {
  if (len != nullptr) *len = event->event->key.size();
  return event->event->key.c_str();
}

size_t hashstore_event_field_count(const hashstore_event_t* event) {
  return event->event->fields.size();
}

const char* hashstore_event_field(const hashstore_event_t* event, size_t i, size_t* len) {
  const std::vector<std::string>& fields = event->event->fields;
  if (i >= fields.size()) {
    if (len != nullptr) *len = 0;
    return nullptr;
  }
  if (len != nullptr) *len = fields[i].size();
  return fields[i].c_str();
}

uint64_t hashstore_subscribe(hashstore_t* db, void* state, void (*destructor)(void*),
                             void (*on_event)(void*, const hashstore_event_t*)) {
  auto sub = std::make_shared<const Subscription>(state, destructor, on_event);
  return S(db).subscribe([sub](const hashstore::Event& e) { sub->deliver(e); });
}

void hashstore_unsubscribe(hashstore_t* db, uint64_t id) { S(db).unsubscribe(id); }

}  // extern "C"
