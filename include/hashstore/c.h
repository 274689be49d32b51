/* hashstore's C API: a Store of Redis-style hashes for C and for languages
 * that call C (C#, Rust, Go, Python's ctypes...). It wraps the C++ API
 * (store.h) one call for one call; replies, edge cases and error texts are
 * the C++ API's, which are Redis 7's.
 *
 * Conventions (those of leveldb's c.h):
 *  - Handles are opaque pointers, made by a *_create / hashstore_open call and
 *    released by the matching *_destroy / hashstore_close call.
 *  - Strings are byte strings: a pointer and a length; any byte, NUL
 *    included, may appear. A pointer may be NULL when its length is 0.
 *    Every other pointer argument must be non-NULL unless said otherwise.
 *  - Calls that can fail take `char** errptr`. On failure they store in
 *    *errptr a malloc()ed NUL-terminated message (Redis's text, e.g.
 *    "ERR hash value is not an integer"), freeing what *errptr held; on
 *    success *errptr is left unchanged, so set it to NULL before the call.
 *    Free the message with hashstore_free(). errptr itself may be NULL to
 *    drop the message (the return value still tells failure, except for
 *    the void calls hashstore_save and hashstore_load).
 *  - Returned byte strings (char*) are malloc()ed copies, NUL-terminated
 *    (the NUL is not counted in the length), owned by the caller and freed
 *    with hashstore_free(). Lists (hashstore_strings_t) and replies
 *    (hashstore_reply_t) are handles freed by their own destroy function.
 *  - No C++ exception crosses this API.
 *
 * Threading: a hashstore_t may be called from many threads at once (unless
 * opened with thread_safe = 0), each call atomic, as the C++ Store. Options,
 * lists, replies and events are plain data: one thread at a time.
 *
 * Time: TTLs follow the options' clock (hashstore_options_set_clock), by
 * default the system's real-time clock, in milliseconds since the epoch. */
#ifndef HASHSTORE_C_H_
#define HASHSTORE_C_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(HASHSTORE_SHARED_LIBRARY)
#if defined(HASHSTORE_COMPILE_LIBRARY)
#define HASHSTORE_EXPORT __declspec(dllexport)
#else
#define HASHSTORE_EXPORT __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define HASHSTORE_EXPORT __attribute__((visibility("default")))
#else
#define HASHSTORE_EXPORT
#endif

typedef struct hashstore_t hashstore_t;
typedef struct hashstore_options_t hashstore_options_t;
typedef struct hashstore_strings_t hashstore_strings_t;
typedef struct hashstore_reply_t hashstore_reply_t;
typedef struct hashstore_event_t hashstore_event_t;

/* ---- Version and memory ------------------------------------------------ */

/* The version of the library linked in ("0.1.0"; version.h has the
 * version of the headers). The string is static. */
HASHSTORE_EXPORT const char* hashstore_version(void);
HASHSTORE_EXPORT int hashstore_version_major(void);
HASHSTORE_EXPORT int hashstore_version_minor(void);
HASHSTORE_EXPORT int hashstore_version_patch(void);

/* Frees a string this API returned (a value, an error message). NULL is
 * ignored. */
HASHSTORE_EXPORT void hashstore_free(void* ptr);

/* ---- Options ------------------------------------------------------------- */

/* What Options::maxmemory_policy takes (Redis's maxmemory-policy). */
enum {
  HASHSTORE_NOEVICTION = 0,
  HASHSTORE_ALLKEYS_LRU = 1,
  HASHSTORE_ALLKEYS_LFU = 2,
  HASHSTORE_ALLKEYS_RANDOM = 3,
  HASHSTORE_VOLATILE_LRU = 4,
  HASHSTORE_VOLATILE_LFU = 5,
  HASHSTORE_VOLATILE_RANDOM = 6,
  HASHSTORE_VOLATILE_TTL = 7
};

/* Options start as the C++ defaults (hashstore/options.h): 512 entries and
 * 64 bytes per listpack, a random hash seed, the system clock, shards sized
 * to the machine, thread-safe, no expiry thread, no maxmemory. */
HASHSTORE_EXPORT hashstore_options_t* hashstore_options_create(void);
HASHSTORE_EXPORT void hashstore_options_destroy(hashstore_options_t* options);
/* Shards (rounded up to a power of two; 0: sized to the machine). More than
 * 65536 makes hashstore_open fail. */
HASHSTORE_EXPORT void hashstore_options_set_shards(hashstore_options_t* options, size_t shards);
/* 0: no locking at all, for a program that calls from one thread only. */
HASHSTORE_EXPORT void hashstore_options_set_thread_safe(hashstore_options_t* options,
                                                        unsigned char thread_safe);
HASHSTORE_EXPORT void hashstore_options_set_hash_max_listpack_entries(
    hashstore_options_t* options, size_t entries);
HASHSTORE_EXPORT void hashstore_options_set_hash_max_listpack_value(hashstore_options_t* options,
                                                                    size_t bytes);
/* A fixed seed for the keyspace hash (reproducible SCAN order). */
HASHSTORE_EXPORT void hashstore_options_set_hash_seed(hashstore_options_t* options, uint64_t seed);
/* Cache mode: bytes of data kept (0: no limit), the policy (HASHSTORE_*
 * above; another value makes hashstore_open fail) and the keys sampled per
 * eviction (at least 1, else hashstore_open fails). */
HASHSTORE_EXPORT void hashstore_options_set_maxmemory(hashstore_options_t* options, size_t bytes);
HASHSTORE_EXPORT void hashstore_options_set_maxmemory_policy(hashstore_options_t* options,
                                                             int policy);
HASHSTORE_EXPORT void hashstore_options_set_maxmemory_samples(hashstore_options_t* options,
                                                              int samples);
/* Active expiry in a background thread every interval_ms (at least 1, else
 * hashstore_open fails); ignored when not thread-safe. */
HASHSTORE_EXPORT void hashstore_options_set_expiry_thread(hashstore_options_t* options,
                                                          unsigned char enabled,
                                                          int64_t interval_ms);
/* The clock: now_ms(state) returns Unix time in milliseconds and may be
 * called from any thread the store is called from. NULL now_ms: the system
 * clock. REQUIRES: state stays valid until hashstore_close. */
HASHSTORE_EXPORT void hashstore_options_set_clock(hashstore_options_t* options, void* state,
                                                  int64_t (*now_ms)(void* state));

/* ---- Opening and closing --------------------------------------------------- */

/* A new, empty store configured by options (NULL: the defaults; options
 * may be destroyed right after). NULL with *errptr set when an option is
 * out of range. */
HASHSTORE_EXPORT hashstore_t* hashstore_open(const hashstore_options_t* options, char** errptr);
/* Stops the expiry thread, waits for a background save, releases every
 * subscription (their destructors run) and frees the store. NULL is
 * ignored. */
HASHSTORE_EXPORT void hashstore_close(hashstore_t* db);

/* ---- Lists of byte strings ---------------------------------------------------- */

/* What HMGET, HGETALL and HSCAN return: n entries, each a byte string or
 * nil (HMGET's missing fields). */
HASHSTORE_EXPORT size_t hashstore_strings_count(const hashstore_strings_t* list);
/* Entry i: its bytes (NUL-terminated, *len without the NUL), or NULL for a
 * nil entry or i >= count (*len is then 0). Valid until the list is
 * destroyed. len may be NULL. */
HASHSTORE_EXPORT const char* hashstore_strings_get(const hashstore_strings_t* list, size_t i,
                                                   size_t* len);
HASHSTORE_EXPORT void hashstore_strings_destroy(hashstore_strings_t* list);

/* ---- Field commands ------------------------------------------------------------ */

/* HSET key field value [field value ...]: num_pairs pairs from the parallel
 * arrays. Returns how many fields were new; -1 with *errptr set on error
 * (num_pairs == 0: "ERR wrong number of arguments for 'hset' command";
 * OOM under maxmemory). */
HASHSTORE_EXPORT int64_t hashstore_hset(hashstore_t* db, const char* key, size_t keylen,
                                        size_t num_pairs, const char* const* fields,
                                        const size_t* fieldlens, const char* const* values,
                                        const size_t* valuelens, char** errptr);
/* HGET: a copy of the value (*vallen its length), or NULL when the key or
 * field does not exist. */
HASHSTORE_EXPORT char* hashstore_hget(hashstore_t* db, const char* key, size_t keylen,
                                      const char* field, size_t fieldlen, size_t* vallen);
/* HMGET: one entry per field, in order, nil for a missing one. */
HASHSTORE_EXPORT hashstore_strings_t* hashstore_hmget(hashstore_t* db, const char* key,
                                                      size_t keylen, size_t num_fields,
                                                      const char* const* fields,
                                                      const size_t* fieldlens);
/* HGETALL: field, value, field, value, ... (empty for a missing key), in
 * the hash's order. */
HASHSTORE_EXPORT hashstore_strings_t* hashstore_hgetall(hashstore_t* db, const char* key,
                                                        size_t keylen);
/* HDEL: how many of the fields were removed (the last one removes the key). */
HASHSTORE_EXPORT int64_t hashstore_hdel(hashstore_t* db, const char* key, size_t keylen,
                                        size_t num_fields, const char* const* fields,
                                        const size_t* fieldlens);
/* HEXISTS: 1 or 0. */
HASHSTORE_EXPORT int hashstore_hexists(hashstore_t* db, const char* key, size_t keylen,
                                       const char* field, size_t fieldlen);
/* HLEN: live fields; 0 for a missing key. */
HASHSTORE_EXPORT int64_t hashstore_hlen(hashstore_t* db, const char* key, size_t keylen);
/* HINCRBY: the new value. On error (*errptr set: "ERR hash value is not an
 * integer", "ERR increment or decrement would overflow", OOM) returns 0
 * and nothing changed. */
HASHSTORE_EXPORT int64_t hashstore_hincrby(hashstore_t* db, const char* key, size_t keylen,
                                           const char* field, size_t fieldlen,
                                           int64_t increment, char** errptr);
/* HINCRBYFLOAT: increment is the number as text, as Redis takes it
 * ("0.5", "-1.5e3": exact, where a double would turn 19.99 into
 * 19.989999...). Returns the new value as Redis formats it ("20.49"), or
 * NULL with *errptr set ("ERR value is not a valid float" for increment,
 * "ERR hash value is not a float", "ERR value is NaN or Infinity", "ERR
 * increment would produce NaN or Infinity", OOM); nothing changes on
 * error. */
HASHSTORE_EXPORT char* hashstore_hincrbyfloat(hashstore_t* db, const char* key, size_t keylen,
                                              const char* field, size_t fieldlen,
                                              const char* increment, size_t incrementlen,
                                              size_t* vallen, char** errptr);
/* HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]: one page,
 * field, value, ... (fields only with novalues); *next_cursor is 0 when the
 * scan is complete. pattern NULL: no MATCH. count as Redis's COUNT (10 is
 * Redis's default). NULL with *errptr set for count < 1 ("ERR syntax
 * error", as Redis). */
HASHSTORE_EXPORT hashstore_strings_t* hashstore_hscan(hashstore_t* db, const char* key,
                                                      size_t keylen, uint64_t cursor,
                                                      const char* pattern, size_t patternlen,
                                                      int64_t count, unsigned char novalues,
                                                      uint64_t* next_cursor, char** errptr);

/* ---- Keys and key TTLs (Redis 7) --------------------------------------------------- */

/* DEL of one key: 1 when it existed. */
HASHSTORE_EXPORT int hashstore_del(hashstore_t* db, const char* key, size_t keylen);

/* Conditions of the expire calls (combine with |). */
enum {
  HASHSTORE_EXPIRE_NX = 1, /* only when the key has no TTL */
  HASHSTORE_EXPIRE_XX = 2, /* only when it has one */
  HASHSTORE_EXPIRE_GT = 4, /* only when later than the current one */
  HASHSTORE_EXPIRE_LT = 8  /* only when earlier */
};

/* EXPIRE / PEXPIRE (relative seconds / ms) and EXPIREAT / PEXPIREAT (Unix
 * seconds / ms): 1 when the TTL was set (or the key deleted because the
 * time is not in the future), 0 when the key is missing or the condition
 * not met, -1 with *errptr set on error (incompatible flags as Redis
 * words it, a bit outside HASHSTORE_EXPIRE_*, "ERR invalid expire time in
 * 'expire' command" on overflow). */
HASHSTORE_EXPORT int hashstore_expire(hashstore_t* db, const char* key, size_t keylen,
                                      int64_t seconds, unsigned flags, char** errptr);
HASHSTORE_EXPORT int hashstore_pexpire(hashstore_t* db, const char* key, size_t keylen,
                                       int64_t milliseconds, unsigned flags, char** errptr);
HASHSTORE_EXPORT int hashstore_expireat(hashstore_t* db, const char* key, size_t keylen,
                                        int64_t unix_seconds, unsigned flags, char** errptr);
HASHSTORE_EXPORT int hashstore_pexpireat(hashstore_t* db, const char* key, size_t keylen,
                                         int64_t unix_ms, unsigned flags, char** errptr);
/* TTL / PTTL: -2 missing key, -1 no TTL, else the time left (TTL rounds to
 * the nearest second). EXPIRETIME / PEXPIRETIME: -2, -1 or the Unix time. */
HASHSTORE_EXPORT int64_t hashstore_ttl(hashstore_t* db, const char* key, size_t keylen);
HASHSTORE_EXPORT int64_t hashstore_pttl(hashstore_t* db, const char* key, size_t keylen);
HASHSTORE_EXPORT int64_t hashstore_expiretime(hashstore_t* db, const char* key, size_t keylen);
HASHSTORE_EXPORT int64_t hashstore_pexpiretime(hashstore_t* db, const char* key, size_t keylen);
/* PERSIST: 1 when a TTL was removed. */
HASHSTORE_EXPORT int hashstore_persist(hashstore_t* db, const char* key, size_t keylen);
/* One bounded step of active expiry (Store::expire_cycle): reclaims up to
 * max_keys_per_shard expired keys and fields per shard; returns how many. */
HASHSTORE_EXPORT size_t hashstore_expire_cycle(hashstore_t* db, size_t max_keys_per_shard);

/* ---- Stock: reservations ---------------------------------------------------- */

/* HRESERVE: if the field's integer value (0 when missing) is at least
 * amount, subtracts it, stores what remains in *remaining (when not NULL)
 * and returns 1; otherwise changes nothing and returns 0. -1 with *errptr
 * set on error ("ERR amount must be a positive integer", "ERR hash value
 * is not an integer"). */
HASHSTORE_EXPORT int hashstore_reserve(hashstore_t* db, const char* key, size_t keylen,
                                       const char* field, size_t fieldlen, int64_t amount,
                                       int64_t* remaining, char** errptr);
/* HRESERVEALL: item i takes amounts[i] of fields[i] in the hash keys[i];
 * all of them or none. 1: all taken, remaining[i] (when remaining is not
 * NULL; num_items entries) is what item i left; 0: one was short, nothing
 * changed; -1 with *errptr set on error (as hashstore_reserve's;
 * num_items == 0: "ERR numitems must be a positive integer"). */
HASHSTORE_EXPORT int hashstore_reserve_all(hashstore_t* db, size_t num_items,
                                           const char* const* keys, const size_t* keylens,
                                           const char* const* fields, const size_t* fieldlens,
                                           const int64_t* amounts, int64_t* remaining,
                                           char** errptr);

/* ---- Any command ----------------------------------------------------------------- */

/* Reply types; the numbers are hiredis's REDIS_REPLY_* for the same kinds. */
enum {
  HASHSTORE_REPLY_BULK = 1,    /* a byte string */
  HASHSTORE_REPLY_ARRAY = 2,   /* elements */
  HASHSTORE_REPLY_INTEGER = 3, /* a 64-bit integer */
  HASHSTORE_REPLY_NIL = 4,     /* no value */
  HASHSTORE_REPLY_STATUS = 5,  /* a status line ("OK") */
  HASHSTORE_REPLY_ERROR = 6    /* an error: Redis's full text */
};

/* Runs one command given as argc byte strings, name first, as
 * Store::execute does: execute(db, 4, {"HSET","k","f","v"}, NULL).
 * argvlen NULL: every argv[i] is NUL-terminated. Never NULL: unknown
 * commands, wrong arity and bad arguments are error replies. Free the
 * reply with hashstore_reply_destroy. */
HASHSTORE_EXPORT hashstore_reply_t* hashstore_execute(hashstore_t* db, size_t argc,
                                                      const char* const* argv,
                                                      const size_t* argvlen);
HASHSTORE_EXPORT int hashstore_reply_type(const hashstore_reply_t* reply);
/* HASHSTORE_REPLY_INTEGER: the integer; other types: 0. */
HASHSTORE_EXPORT int64_t hashstore_reply_integer(const hashstore_reply_t* reply);
/* BULK, STATUS, ERROR: the bytes (NUL-terminated, *len without the NUL);
 * other types: NULL (*len 0). Valid until the root reply is destroyed.
 * len may be NULL. */
HASHSTORE_EXPORT const char* hashstore_reply_string(const hashstore_reply_t* reply, size_t* len);
/* ARRAY: the number of elements; other types: 0. */
HASHSTORE_EXPORT size_t hashstore_reply_length(const hashstore_reply_t* reply);
/* ARRAY: element i (NULL when i >= length), owned by the root reply, valid
 * until it is destroyed. */
HASHSTORE_EXPORT const hashstore_reply_t* hashstore_reply_element(const hashstore_reply_t* reply,
                                                                  size_t i);
/* Frees a reply returned by hashstore_execute, with all its elements (never
 * call it on an element). NULL is ignored. */
HASHSTORE_EXPORT void hashstore_reply_destroy(hashstore_reply_t* reply);

/* ---- Persistence ---------------------------------------------------------------- */

/* SAVE to path (NUL-terminated), crash-safe (a temporary file in the same
 * directory, fsync, rename). On error *errptr names path and the system
 * error, and path is untouched. */
HASHSTORE_EXPORT void hashstore_save(hashstore_t* db, const char* path, char** errptr);
/* Loads a file written by save into this store, which must hold no key. On
 * error (missing, unreadable, damaged file, non-empty store) *errptr says
 * why and the store is unchanged. */
HASHSTORE_EXPORT void hashstore_load(hashstore_t* db, const char* path, char** errptr);

/* ---- Events --------------------------------------------------------------------- */

/* Why an event happened (Event::Reason). */
enum {
  HASHSTORE_EVENT_CHANGED = 0, /* a write changed these fields */
  HASHSTORE_EVENT_DELETED = 1, /* the whole key was deleted */
  HASHSTORE_EVENT_EXPIRED = 2, /* the key (no fields) or these fields expired */
  HASHSTORE_EVENT_EVICTED = 3  /* the key was evicted under maxmemory */
};

/* An event, valid only during the on_event call it is passed to. */
HASHSTORE_EXPORT int hashstore_event_reason(const hashstore_event_t* event);
HASHSTORE_EXPORT const char* hashstore_event_key(const hashstore_event_t* event, size_t* len);
/* The fields concerned; 0 means the whole key. */
HASHSTORE_EXPORT size_t hashstore_event_field_count(const hashstore_event_t* event);
/* Field i (NULL when i >= count). */
HASHSTORE_EXPORT const char* hashstore_event_field(const hashstore_event_t* event, size_t i,
                                                   size_t* len);

/* Calls on_event(state, event) for every event from now on, on the thread
 * that caused it, with no lock held (it may call the store); events of one
 * key arrive in order. Returns an id for hashstore_unsubscribe.
 * destructor(state), when not NULL, runs once on_event can no longer be
 * called: at unsubscribe or close, or just after a delivery that was under
 * way on another thread then. */
HASHSTORE_EXPORT uint64_t hashstore_subscribe(hashstore_t* db, void* state,
                                              void (*destructor)(void* state),
                                              void (*on_event)(void* state,
                                                               const hashstore_event_t* event));
HASHSTORE_EXPORT void hashstore_unsubscribe(hashstore_t* db, uint64_t id);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* HASHSTORE_C_H_ */
