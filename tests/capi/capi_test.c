/* The C API (include/hashstore/c.h), compiled as C11: every function is
 * called, with its results, errors and edge cases checked against what the
 * C++ API and Redis reply. Time comes from a manual clock (a C callback),
 * so TTLs are exact and nothing sleeps except the wait for the expiry
 * thread. Run under ASan in the suite: every string, list and reply the
 * test receives is freed, so a leak in the API shows.
 *
 * Usage: capi_test  (exit status 0 when every check passed). */
#define _POSIX_C_SOURCE 200809L

#include <hashstore/c.h>
#include <hashstore/version.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    ++checks;                                                         \
    if (!(cond)) {                                                    \
      ++failures;                                                     \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

/* s is exactly the n bytes of want (a C string). */
static int same(const char* s, size_t n, const char* want) {
  return s != NULL && n == strlen(want) && memcmp(s, want, n) == 0;
}

#define S(lit) lit, (sizeof(lit) - 1) /* a literal as (pointer, length) */

/* ---- A manual clock ---------------------------------------------------- */

/* Atomic: the expiry thread reads it while the test moves it. */
typedef struct {
  _Atomic int64_t now_ms;
} manual_clock;

static int64_t manual_now(void* state) { return atomic_load(&((manual_clock*)state)->now_ms); }

/* ---- Events ------------------------------------------------------------- */

typedef struct {
  int count;
  int reasons[64];
  char keys[64][32];
  size_t field_counts[64];
  char first_field[64][32];
  int destroyed;
} event_log;

static void copy_bytes(char* dst, size_t cap, const char* src, size_t n) {
  if (n >= cap) n = cap - 1;
  memcpy(dst, src, n);
  dst[n] = '\0';
}

static void on_event(void* state, const hashstore_event_t* e) {
  event_log* log = (event_log*)state;
  if (log->count >= 64) return;
  const int i = log->count++;
  log->reasons[i] = hashstore_event_reason(e);
  size_t n = 0;
  const char* key = hashstore_event_key(e, &n);
  copy_bytes(log->keys[i], sizeof log->keys[i], key, n);
  log->field_counts[i] = hashstore_event_field_count(e);
  log->first_field[i][0] = '\0';
  if (log->field_counts[i] > 0) {
    const char* f = hashstore_event_field(e, 0, &n);
    copy_bytes(log->first_field[i], sizeof log->first_field[i], f, n);
  }
  /* Past the end: NULL, length 0. */
  size_t past = 99;
  if (hashstore_event_field(e, log->field_counts[i], &past) != NULL || past != 0) {
    log->reasons[i] = -1;
  }
}

static void on_destroy(void* state) { ((event_log*)state)->destroyed++; }

/* ---- Helpers ---------------------------------------------------------------- */

/* Runs a command of NUL-terminated words; the caller destroys the reply. */
static hashstore_reply_t* run(hashstore_t* db, size_t argc, const char* const* argv) {
  return hashstore_execute(db, argc, argv, NULL);
}

/* The bulk string a command replies, compared with want; destroys the reply. */
static int replies_bulk(hashstore_t* db, size_t argc, const char* const* argv, const char* want) {
  hashstore_reply_t* r = run(db, argc, argv);
  size_t n = 0;
  const char* s = hashstore_reply_string(r, &n);
  const int ok = hashstore_reply_type(r) == HASHSTORE_REPLY_BULK && same(s, n, want);
  hashstore_reply_destroy(r);
  return ok;
}

static hashstore_t* open_with_clock(manual_clock* clock) {
  hashstore_options_t* o = hashstore_options_create();
  hashstore_options_set_clock(o, clock, manual_now);
  char* err = NULL;
  hashstore_t* db = hashstore_open(o, &err);
  hashstore_options_destroy(o);
  CHECK(db != NULL && err == NULL);
  hashstore_free(err);
  return db;
}

/* ---- Tests ------------------------------------------------------------------- */

static void test_version(void) {
  CHECK(strcmp(hashstore_version(), HASHSTORE_VERSION_STRING) == 0);
  CHECK(hashstore_version_major() == HASHSTORE_VERSION_MAJOR);
  CHECK(hashstore_version_minor() == HASHSTORE_VERSION_MINOR);
  CHECK(hashstore_version_patch() == HASHSTORE_VERSION_PATCH);
  char buf[32];
  snprintf(buf, sizeof buf, "%d.%d.%d", hashstore_version_major(), hashstore_version_minor(),
           hashstore_version_patch());
  CHECK(strcmp(buf, hashstore_version()) == 0);
  CHECK(HASHSTORE_VERSION_NUMBER ==
        HASHSTORE_VERSION_MAJOR * 10000 + HASHSTORE_VERSION_MINOR * 100 + HASHSTORE_VERSION_PATCH);
  hashstore_free(NULL);
  hashstore_close(NULL);
  hashstore_reply_destroy(NULL);
}

static void test_open_errors(void) {
  char* err = NULL;
  hashstore_options_t* o = hashstore_options_create();
  hashstore_options_set_shards(o, 65537);
  CHECK(hashstore_open(o, &err) == NULL);
  CHECK(err != NULL && strcmp(err, "ERR shards must be at most 65536") == 0);
  hashstore_options_set_shards(o, 4);
  hashstore_options_set_maxmemory_policy(o, 8);
  CHECK(hashstore_open(o, &err) == NULL); /* replaces (and frees) the old message */
  CHECK(err != NULL && strstr(err, "maxmemory policy") != NULL);
  hashstore_options_set_maxmemory_policy(o, -1);
  CHECK(hashstore_open(o, &err) == NULL);
  hashstore_options_set_maxmemory_policy(o, HASHSTORE_VOLATILE_TTL);
  hashstore_options_set_maxmemory_samples(o, 0);
  CHECK(hashstore_open(o, &err) == NULL);
  CHECK(err != NULL && strcmp(err, "ERR maxmemory samples must be at least 1") == 0);
  hashstore_options_set_maxmemory_samples(o, 7);
  hashstore_options_set_expiry_thread(o, 1, 0);
  CHECK(hashstore_open(o, &err) == NULL);
  CHECK(err != NULL && strcmp(err, "ERR expiry interval must be at least 1 ms") == 0);
  hashstore_free(err);
  err = NULL;
  hashstore_options_set_expiry_thread(o, 0, 0); /* the interval does not matter when off */
  hashstore_t* db = hashstore_open(o, &err);
  CHECK(db != NULL && err == NULL);
  hashstore_options_destroy(o); /* the store does not need its options */
  /* What the options set is what CONFIG GET reports. */
  const char* get_samples[] = {"CONFIG", "GET", "maxmemory-samples"};
  hashstore_reply_t* r = run(db, 3, get_samples);
  CHECK(hashstore_reply_length(r) == 2);
  size_t n = 0;
  const char* v = hashstore_reply_string(hashstore_reply_element(r, 1), &n);
  CHECK(same(v, n, "7"));
  hashstore_reply_destroy(r);
  const char* get_policy[] = {"CONFIG", "GET", "maxmemory-policy"};
  r = run(db, 3, get_policy);
  v = hashstore_reply_string(hashstore_reply_element(r, 1), &n);
  CHECK(same(v, n, "volatile-ttl"));
  hashstore_reply_destroy(r);
  hashstore_close(db);

  /* NULL options: the defaults. */
  db = hashstore_open(NULL, &err);
  CHECK(db != NULL && err == NULL);
  CHECK(hashstore_hlen(db, S("nothing")) == 0);
  hashstore_close(db);
}

static void test_fields(void) {
  manual_clock clock = {1700000000000};
  hashstore_t* db = open_with_clock(&clock);
  char* err = NULL;

  const char* fields[] = {"name", "email", "bin"};
  const size_t fieldlens[] = {4, 5, 3};
  const char* values[] = {"Alice", "alice@example.com", "a\0b"};
  const size_t valuelens[] = {5, 17, 3};
  CHECK(hashstore_hset(db, S("user:1"), 3, fields, fieldlens, values, valuelens, &err) == 3);
  CHECK(err == NULL);
  CHECK(hashstore_hset(db, S("user:1"), 1, fields, fieldlens, values, valuelens, &err) == 0);
  CHECK(hashstore_hset(db, S("user:1"), 0, fields, fieldlens, values, valuelens, &err) == -1);
  CHECK(err != NULL && strcmp(err, "ERR wrong number of arguments for 'hset' command") == 0);
  hashstore_free(err);
  err = NULL;

  size_t n = 99;
  char* v = hashstore_hget(db, S("user:1"), S("email"), &n);
  CHECK(same(v, n, "alice@example.com") && v[n] == '\0');
  hashstore_free(v);
  v = hashstore_hget(db, S("user:1"), S("bin"), &n);
  CHECK(v != NULL && n == 3 && memcmp(v, "a\0b", 3) == 0); /* binary-safe */
  hashstore_free(v);
  CHECK(hashstore_hget(db, S("user:1"), S("nope"), &n) == NULL && n == 0);
  CHECK(hashstore_hget(db, S("nokey"), S("name"), &n) == NULL);
  /* An empty key and field are strings like any other (NULL with length 0). */
  const char* empty_f[] = {NULL};
  const size_t zero[] = {0};
  CHECK(hashstore_hset(db, NULL, 0, 1, empty_f, zero, empty_f, zero, &err) == 1);
  v = hashstore_hget(db, NULL, 0, NULL, 0, &n);
  CHECK(v != NULL && n == 0 && v[0] == '\0');
  hashstore_free(v);

  const char* want[] = {"name", "nope", "email"};
  const size_t wantlens[] = {4, 4, 5};
  hashstore_strings_t* list = hashstore_hmget(db, S("user:1"), 3, want, wantlens);
  CHECK(hashstore_strings_count(list) == 3);
  const char* s = hashstore_strings_get(list, 0, &n);
  CHECK(same(s, n, "Alice"));
  CHECK(hashstore_strings_get(list, 1, &n) == NULL && n == 0);
  s = hashstore_strings_get(list, 2, NULL);
  CHECK(s != NULL && strcmp(s, "alice@example.com") == 0);
  CHECK(hashstore_strings_get(list, 3, &n) == NULL && n == 0);
  hashstore_strings_destroy(list);

  list = hashstore_hgetall(db, S("user:1"));
  CHECK(hashstore_strings_count(list) == 6); /* insertion order while a listpack */
  s = hashstore_strings_get(list, 0, &n);
  CHECK(same(s, n, "name"));
  s = hashstore_strings_get(list, 3, &n);
  CHECK(same(s, n, "alice@example.com"));
  s = hashstore_strings_get(list, 5, &n);
  CHECK(s != NULL && n == 3 && memcmp(s, "a\0b", 3) == 0);
  hashstore_strings_destroy(list);
  list = hashstore_hgetall(db, S("nokey"));
  CHECK(hashstore_strings_count(list) == 0);
  hashstore_strings_destroy(list);

  CHECK(hashstore_hexists(db, S("user:1"), S("name")) == 1);
  CHECK(hashstore_hexists(db, S("user:1"), S("nope")) == 0);
  CHECK(hashstore_hlen(db, S("user:1")) == 3);
  const char* del[] = {"bin", "nope"};
  const size_t dellens[] = {3, 4};
  CHECK(hashstore_hdel(db, S("user:1"), 2, del, dellens) == 1);
  CHECK(hashstore_hlen(db, S("user:1")) == 2);

  /* Counters. */
  CHECK(hashstore_hincrby(db, S("user:1"), S("logins"), 5, &err) == 5 && err == NULL);
  CHECK(hashstore_hincrby(db, S("user:1"), S("logins"), -2, &err) == 3 && err == NULL);
  CHECK(hashstore_hincrby(db, S("user:1"), S("name"), 1, &err) == 0);
  CHECK(err != NULL && strcmp(err, "ERR hash value is not an integer") == 0);
  CHECK(hashstore_hincrby(db, S("user:1"), S("logins"), INT64_MAX, &err) == 0);
  CHECK(err != NULL && strcmp(err, "ERR increment or decrement would overflow") == 0);
  hashstore_free(err);
  err = NULL;
  v = hashstore_hget(db, S("user:1"), S("logins"), &n);
  CHECK(same(v, n, "3")); /* nothing changed on error */
  hashstore_free(v);

  const char* pf[] = {"price"};
  const size_t pfl[] = {5};
  const char* pv[] = {"19.99"};
  const size_t pvl[] = {5};
  CHECK(hashstore_hset(db, S("sku:1"), 1, pf, pfl, pv, pvl, &err) == 1);
  v = hashstore_hincrbyfloat(db, S("sku:1"), S("price"), S("0.5"), &n, &err);
  CHECK(same(v, n, "20.49") && err == NULL); /* Redis's long-double formatting */
  hashstore_free(v);
  v = hashstore_hincrbyfloat(db, S("sku:1"), S("price"), S("-1.5e1"), &n, &err);
  CHECK(same(v, n, "5.49") && err == NULL);
  hashstore_free(v);
  v = hashstore_hincrbyfloat(db, S("user:1"), S("name"), S("1"), &n, &err);
  CHECK(v == NULL && n == 0 && err != NULL && strcmp(err, "ERR hash value is not a float") == 0);
  v = hashstore_hincrbyfloat(db, S("sku:1"), S("price"), S("abc"), &n, &err);
  CHECK(v == NULL && err != NULL && strcmp(err, "ERR value is not a valid float") == 0);
  v = hashstore_hincrbyfloat(db, S("sku:1"), S("price"), S("inf"), &n, &err);
  CHECK(v == NULL && err != NULL && strcmp(err, "ERR value is NaN or Infinity") == 0); /* Redis 7 */
  hashstore_free(err);
  err = NULL;
  v = hashstore_hget(db, S("sku:1"), S("price"), &n);
  CHECK(same(v, n, "5.49")); /* nothing changed by the errors */
  hashstore_free(v);

  CHECK(hashstore_del(db, S("sku:1")) == 1);
  CHECK(hashstore_del(db, S("sku:1")) == 0);
  hashstore_close(db);
}

static void test_listpack_options_and_hscan(void) {
  hashstore_options_t* o = hashstore_options_create();
  hashstore_options_set_hash_max_listpack_entries(o, 4);
  hashstore_options_set_hash_max_listpack_value(o, 8);
  hashstore_options_set_hash_seed(o, 42);
  hashstore_options_set_shards(o, 2);
  char* err = NULL;
  hashstore_t* db = hashstore_open(o, &err);
  CHECK(db != NULL);
  hashstore_options_destroy(o);
  hashstore_t* twin = NULL;

  const char* enc[] = {"OBJECT", "ENCODING", "h"};
  const char* f1[] = {"f"};
  const size_t l1[] = {1};
  const char* longv[] = {"123456789"};
  const size_t longl[] = {9};
  CHECK(hashstore_hset(db, S("h"), 1, f1, l1, f1, l1, &err) == 1);
  CHECK(replies_bulk(db, 3, enc, "listpack"));
  CHECK(hashstore_hset(db, S("h"), 1, f1, l1, longv, longl, &err) == 0); /* 9 bytes > 8 */
  CHECK(replies_bulk(db, 3, enc, "hashtable"));

  /* 200 fields: a table, scanned to the end with a cursor. */
  for (int i = 0; i < 200; ++i) {
    char field[16], value[16];
    snprintf(field, sizeof field, "field:%03d", i);
    snprintf(value, sizeof value, "%d", i);
    const char* fp[] = {field};
    const size_t fl[] = {strlen(field)};
    const char* vp[] = {value};
    const size_t vl[] = {strlen(value)};
    CHECK(hashstore_hset(db, S("big"), 1, fp, fl, vp, vl, &err) == 1);
  }
  uint64_t cursor = 0, next = 0;
  size_t seen = 0, matched = 0, pages = 0;
  int values_ok = 1;
  do {
    hashstore_strings_t* page =
        hashstore_hscan(db, S("big"), cursor, NULL, 0, 10, 0, &next, &err);
    CHECK(page != NULL && err == NULL);
    const size_t c = hashstore_strings_count(page);
    CHECK(c % 2 == 0);
    for (size_t i = 0; i + 1 < c; i += 2) {
      size_t fn = 0, vn = 0;
      const char* f = hashstore_strings_get(page, i, &fn);
      const char* v = hashstore_strings_get(page, i + 1, &vn);
      if (fn < 7 || atoi(f + 6) != atoi(v)) values_ok = 0;
      (void)vn;
    }
    seen += c / 2;
    hashstore_strings_destroy(page);
    cursor = next;
    ++pages;
  } while (cursor != 0 && pages < 1000);
  CHECK(cursor == 0 && seen >= 200 && values_ok); /* at least once each, as Redis */
  cursor = 0;
  do {
    hashstore_strings_t* page = hashstore_hscan(db, S("big"), cursor, S("field:1?0"), 1000, 1, &next, &err);
    CHECK(page != NULL);
    for (size_t i = 0; i < hashstore_strings_count(page); ++i) {
      size_t fn = 0;
      const char* f = hashstore_strings_get(page, i, &fn);
      CHECK(fn == 9 && f[6] == '1' && f[8] == '0');
      ++matched;
    }
    hashstore_strings_destroy(page);
    cursor = next;
  } while (cursor != 0);
  CHECK(matched == 10); /* field:100 ... field:190, fields only (novalues) */
  CHECK(hashstore_hscan(db, S("big"), 0, NULL, 0, 0, 0, &next, &err) == NULL);
  CHECK(err != NULL && strcmp(err, "ERR syntax error") == 0 && next == 0);
  hashstore_free(err);
  err = NULL;
  /* A listpack hash comes whole, cursor 0. */
  const char* two[] = {"a", "b"};
  const size_t twol[] = {1, 1};
  CHECK(hashstore_hset(db, S("small"), 2, two, twol, two, twol, &err) == 2);
  hashstore_strings_t* page = hashstore_hscan(db, S("small"), 0, NULL, 0, 1, 0, &next, &err);
  CHECK(hashstore_strings_count(page) == 4 && next == 0);
  hashstore_strings_destroy(page);

  hashstore_close(db);

  /* Same seed, same keys: the same SCAN page. */
  o = hashstore_options_create();
  hashstore_options_set_hash_seed(o, 42);
  hashstore_options_set_shards(o, 2);
  db = hashstore_open(o, &err);
  twin = hashstore_open(o, &err);
  hashstore_options_destroy(o);
  for (int i = 0; i < 50; ++i) {
    char key[16];
    snprintf(key, sizeof key, "k%d", i);
    hashstore_hset(db, key, strlen(key), 1, f1, l1, f1, l1, &err);
    hashstore_hset(twin, key, strlen(key), 1, f1, l1, f1, l1, &err);
  }
  CHECK(err == NULL);
  const char* scan[] = {"SCAN", "0", "COUNT", "1000"};
  hashstore_reply_t* a = run(db, 4, scan);
  hashstore_reply_t* b = run(twin, 4, scan);
  const hashstore_reply_t* ka = hashstore_reply_element(a, 1);
  const hashstore_reply_t* kb = hashstore_reply_element(b, 1);
  CHECK(hashstore_reply_length(ka) == 50 && hashstore_reply_length(kb) == 50);
  int same_order = 1;
  for (size_t i = 0; i < hashstore_reply_length(ka); ++i) {
    size_t na = 0, nb = 0;
    const char* sa = hashstore_reply_string(hashstore_reply_element(ka, i), &na);
    const char* sb = hashstore_reply_string(hashstore_reply_element(kb, i), &nb);
    if (na != nb || memcmp(sa, sb, na) != 0) same_order = 0;
  }
  CHECK(same_order);
  hashstore_reply_destroy(a);
  hashstore_reply_destroy(b);
  hashstore_close(twin);
  hashstore_close(db);
}

static void test_key_ttls(void) {
  manual_clock clock = {1700000000000};
  hashstore_t* db = open_with_clock(&clock);
  char* err = NULL;
  const char* f[] = {"f"};
  const size_t l[] = {1};
  CHECK(hashstore_hset(db, S("s"), 1, f, l, f, l, &err) == 1);
  CHECK(hashstore_ttl(db, S("s")) == -1);
  CHECK(hashstore_ttl(db, S("missing")) == -2);
  CHECK(hashstore_expire(db, S("missing"), 10, 0, &err) == 0);
  CHECK(hashstore_expire(db, S("s"), 10, 0, &err) == 1);
  CHECK(hashstore_ttl(db, S("s")) == 10);
  CHECK(hashstore_pttl(db, S("s")) == 10000);
  CHECK(hashstore_expiretime(db, S("s")) == 1700000010);
  CHECK(hashstore_pexpiretime(db, S("s")) == 1700000010000);
  CHECK(hashstore_expire(db, S("s"), 20, HASHSTORE_EXPIRE_NX, &err) == 0); /* has one */
  CHECK(hashstore_pexpire(db, S("s"), 5000, HASHSTORE_EXPIRE_GT, &err) == 0); /* earlier */
  CHECK(hashstore_pexpire(db, S("s"), 5000, HASHSTORE_EXPIRE_LT, &err) == 1);
  CHECK(hashstore_pttl(db, S("s")) == 5000);
  CHECK(hashstore_expireat(db, S("s"), 1700000100, HASHSTORE_EXPIRE_XX, &err) == 1);
  CHECK(hashstore_ttl(db, S("s")) == 100);
  CHECK(hashstore_pexpireat(db, S("s"), 1700000000500, 0, &err) == 1);
  CHECK(hashstore_pttl(db, S("s")) == 500);
  CHECK(err == NULL);
  CHECK(hashstore_expire(db, S("s"), 10, HASHSTORE_EXPIRE_NX | HASHSTORE_EXPIRE_XX, &err) == -1);
  CHECK(err != NULL &&
        strcmp(err, "ERR NX and XX, GT or LT options at the same time are not compatible") == 0);
  CHECK(hashstore_expire(db, S("s"), 10, 16, &err) == -1);
  CHECK(err != NULL && strstr(err, "unknown expire flags") != NULL);
  CHECK(hashstore_expire(db, S("s"), INT64_MAX, 0, &err) == -1);
  CHECK(err != NULL && strcmp(err, "ERR invalid expire time in 'expire' command") == 0);
  hashstore_free(err);
  err = NULL;
  CHECK(hashstore_persist(db, S("s")) == 1);
  CHECK(hashstore_persist(db, S("s")) == 0);
  CHECK(hashstore_ttl(db, S("s")) == -1);

  /* Expiry by the clock; active expiry reclaims without a read. */
  CHECK(hashstore_pexpire(db, S("s"), 100, 0, &err) == 1);
  clock.now_ms += 100;
  const char* info[] = {"INFO", "stats"};
  hashstore_reply_t* r = run(db, 2, info);
  size_t n = 0;
  const char* text = hashstore_reply_string(r, &n);
  CHECK(text != NULL && strstr(text, "expired_keys:0") != NULL);
  hashstore_reply_destroy(r);
  CHECK(hashstore_expire_cycle(db, 16) == 1);
  CHECK(hashstore_expire_cycle(db, 16) == 0);
  r = run(db, 2, info);
  text = hashstore_reply_string(r, &n);
  CHECK(text != NULL && strstr(text, "expired_keys:1") != NULL);
  hashstore_reply_destroy(r);
  CHECK(hashstore_ttl(db, S("s")) == -2);
  /* A time not in the future deletes the key. */
  CHECK(hashstore_hset(db, S("s"), 1, f, l, f, l, &err) == 1);
  CHECK(hashstore_expireat(db, S("s"), 1, 0, &err) == 1);
  CHECK(hashstore_hlen(db, S("s")) == 0);
  hashstore_close(db);
}

static void test_expiry_thread(void) {
  manual_clock clock = {1700000000000};
  hashstore_options_t* o = hashstore_options_create();
  hashstore_options_set_clock(o, &clock, manual_now);
  hashstore_options_set_expiry_thread(o, 1, 1);
  char* err = NULL;
  hashstore_t* db = hashstore_open(o, &err);
  hashstore_options_destroy(o);
  CHECK(db != NULL);
  const char* f[] = {"f"};
  const size_t l[] = {1};
  CHECK(hashstore_hset(db, S("s"), 1, f, l, f, l, &err) == 1);
  CHECK(hashstore_pexpire(db, S("s"), 10, 0, &err) == 1);
  const char* info[] = {"INFO", "stats"};
  int reclaimed = 0;
  struct timespec ms = {0, 1000000};
  clock.now_ms += 10; /* atomic: the expiry thread reads the clock */
  for (int i = 0; i < 10000 && !reclaimed; ++i) { /* up to about 10 s */
    hashstore_reply_t* r = run(db, 2, info);
    const char* text = hashstore_reply_string(r, NULL);
    reclaimed = text != NULL && strstr(text, "expired_keys:1") != NULL;
    hashstore_reply_destroy(r);
    if (!reclaimed) nanosleep(&ms, NULL);
  }
  CHECK(reclaimed); /* no read of "s" happened: the thread reclaimed it */
  hashstore_close(db);
}

static void test_reserve(void) {
  hashstore_t* db = hashstore_open(NULL, NULL);
  char* err = NULL;
  const char* f[] = {"stock"};
  const size_t l[] = {5};
  const char* ten[] = {"10"};
  const size_t tenl[] = {2};
  CHECK(hashstore_hset(db, S("sku:1"), 1, f, l, ten, tenl, &err) == 1);
  int64_t left = -1;
  CHECK(hashstore_reserve(db, S("sku:1"), S("stock"), 3, &left, &err) == 1 && left == 7);
  CHECK(hashstore_reserve(db, S("sku:1"), S("stock"), 8, &left, &err) == 0 && left == 7);
  CHECK(hashstore_reserve(db, S("sku:1"), S("stock"), 7, NULL, &err) == 1);
  CHECK(hashstore_reserve(db, S("sku:1"), S("stock"), 0, &left, &err) == -1);
  CHECK(err != NULL && strcmp(err, "ERR amount must be a positive integer") == 0);
  hashstore_free(err);
  err = NULL;

  CHECK(hashstore_hset(db, S("sku:1"), 1, f, l, ten, tenl, &err) == 0);
  CHECK(hashstore_hset(db, S("sku:2"), 1, f, l, ten, tenl, &err) == 1);
  const char* keys[] = {"sku:1", "sku:2", "sku:1"};
  const size_t keylens[] = {5, 5, 5};
  const char* fields[] = {"stock", "stock", "stock"};
  const size_t fieldlens[] = {5, 5, 5};
  const int64_t amounts[] = {4, 1, 5};
  int64_t remaining[3] = {-1, -1, -1};
  CHECK(hashstore_reserve_all(db, 3, keys, keylens, fields, fieldlens, amounts, remaining, &err) == 1);
  CHECK(remaining[0] == 6 && remaining[1] == 9 && remaining[2] == 1);
  /* sku:1 has 1 left: the whole cart is refused and nothing changes. */
  CHECK(hashstore_reserve_all(db, 3, keys, keylens, fields, fieldlens, amounts, NULL, &err) == 0);
  size_t n = 0;
  char* v = hashstore_hget(db, S("sku:2"), S("stock"), &n);
  CHECK(same(v, n, "9"));
  hashstore_free(v);
  CHECK(hashstore_reserve_all(db, 0, keys, keylens, fields, fieldlens, amounts, NULL, &err) == -1);
  CHECK(err != NULL && strcmp(err, "ERR numitems must be a positive integer") == 0);
  const int64_t bad[] = {1, -1, 1};
  CHECK(hashstore_reserve_all(db, 3, keys, keylens, fields, fieldlens, bad, NULL, &err) == -1);
  CHECK(err != NULL && strcmp(err, "ERR amount must be a positive integer") == 0);
  hashstore_free(err);
  hashstore_close(db);
}

static void test_execute(void) {
  hashstore_t* db = hashstore_open(NULL, NULL);
  const char* hset[] = {"HSET", "k", "f1", "v1", "f2", "v2"};
  hashstore_reply_t* r = run(db, 6, hset);
  CHECK(hashstore_reply_type(r) == HASHSTORE_REPLY_INTEGER && hashstore_reply_integer(r) == 2);
  CHECK(hashstore_reply_string(r, NULL) == NULL && hashstore_reply_length(r) == 0);
  CHECK(hashstore_reply_element(r, 0) == NULL);
  hashstore_reply_destroy(r);

  const char* getall[] = {"hgetall", "k"};
  r = run(db, 2, getall);
  CHECK(hashstore_reply_type(r) == HASHSTORE_REPLY_ARRAY && hashstore_reply_length(r) == 4);
  size_t n = 0;
  const char* s = hashstore_reply_string(hashstore_reply_element(r, 3), &n);
  CHECK(same(s, n, "v2"));
  CHECK(hashstore_reply_integer(r) == 0);
  CHECK(hashstore_reply_element(r, 4) == NULL);
  hashstore_reply_destroy(r);

  /* Nested arrays: HSCAN's [cursor, [field, value, ...]]. */
  const char* hscan[] = {"HSCAN", "k", "0"};
  r = run(db, 3, hscan);
  CHECK(hashstore_reply_length(r) == 2);
  s = hashstore_reply_string(hashstore_reply_element(r, 0), &n);
  CHECK(same(s, n, "0"));
  const hashstore_reply_t* items = hashstore_reply_element(r, 1);
  CHECK(hashstore_reply_type(items) == HASHSTORE_REPLY_ARRAY && hashstore_reply_length(items) == 4);
  s = hashstore_reply_string(hashstore_reply_element(items, 0), &n);
  CHECK(same(s, n, "f1"));
  hashstore_reply_destroy(r);

  const char* ping[] = {"PING"};
  r = run(db, 1, ping);
  s = hashstore_reply_string(r, &n);
  CHECK(hashstore_reply_type(r) == HASHSTORE_REPLY_STATUS && same(s, n, "PONG"));
  hashstore_reply_destroy(r);

  const char* nil[] = {"HGET", "k", "nope"};
  r = run(db, 3, nil);
  CHECK(hashstore_reply_type(r) == HASHSTORE_REPLY_NIL && hashstore_reply_string(r, &n) == NULL && n == 0);
  hashstore_reply_destroy(r);

  const char* unknown[] = {"NOPE", "a"};
  r = run(db, 2, unknown);
  s = hashstore_reply_string(r, &n);
  CHECK(hashstore_reply_type(r) == HASHSTORE_REPLY_ERROR &&
        same(s, n, "ERR unknown command 'NOPE', with args beginning with: 'a' "));
  hashstore_reply_destroy(r);

  const char* arity[] = {"HGET", "k"};
  r = run(db, 2, arity);
  s = hashstore_reply_string(r, &n);
  CHECK(same(s, n, "ERR wrong number of arguments for 'hget' command"));
  hashstore_reply_destroy(r);

  /* Explicit lengths: binary arguments with NUL bytes. */
  const char* bin[] = {"HSET", "b\0in", "f", "x\0y"};
  const size_t binlens[] = {4, 4, 1, 3};
  r = hashstore_execute(db, 4, bin, binlens);
  CHECK(hashstore_reply_integer(r) == 1);
  hashstore_reply_destroy(r);
  char* v = hashstore_hget(db, "b\0in", 4, S("f"), &n);
  CHECK(v != NULL && n == 3 && memcmp(v, "x\0y", 3) == 0);
  hashstore_free(v);

  /* No arguments at all: an error reply, as for an empty command line. */
  r = hashstore_execute(db, 0, NULL, NULL);
  CHECK(hashstore_reply_type(r) == HASHSTORE_REPLY_ERROR);
  hashstore_reply_destroy(r);
  hashstore_close(db);
}

static void test_persistence(void) {
  char dir[] = "/tmp/hashstore_capi_XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  char path[256], missing[256], nodir[256];
  snprintf(path, sizeof path, "%s/store.hsdb", dir);
  snprintf(missing, sizeof missing, "%s/missing.hsdb", dir);
  snprintf(nodir, sizeof nodir, "%s/no/such/dir/store.hsdb", dir);

  manual_clock clock = {1700000000000};
  hashstore_t* db = open_with_clock(&clock);
  char* err = NULL;
  const char* f[] = {"f", "g"};
  const size_t l[] = {1, 1};
  CHECK(hashstore_hset(db, S("a"), 2, f, l, f, l, &err) == 2);
  CHECK(hashstore_hset(db, S("b"), 1, f, l, f, l, &err) == 1);
  CHECK(hashstore_expire(db, S("b"), 100, 0, &err) == 1);
  hashstore_save(db, path, &err);
  CHECK(err == NULL);
  hashstore_save(db, nodir, &err);
  CHECK(err != NULL && strstr(err, nodir) != NULL && strstr(err, ".tmp") == NULL);
  hashstore_free(err);
  err = NULL;
  hashstore_load(db, path, &err); /* not empty */
  CHECK(err != NULL && strcmp(err, "ERR load: the store is not empty") == 0);
  hashstore_free(err);
  err = NULL;
  hashstore_close(db);

  hashstore_t* fresh = open_with_clock(&clock);
  hashstore_load(fresh, missing, &err);
  CHECK(err != NULL && strstr(err, missing) != NULL);
  hashstore_free(err);
  err = NULL;
  CHECK(hashstore_hlen(fresh, S("a")) == 0); /* a failed load leaves it empty */
  hashstore_load(fresh, path, &err);
  CHECK(err == NULL);
  CHECK(hashstore_hlen(fresh, S("a")) == 2);
  CHECK(hashstore_ttl(fresh, S("b")) == 100);
  hashstore_close(fresh);

  /* A damaged file is refused. */
  FILE* fp = fopen(path, "r+b");
  CHECK(fp != NULL);
  if (fp != NULL) {
    fseek(fp, 40, SEEK_SET);
    fputc(0x5a, fp);
    fclose(fp);
  }
  fresh = hashstore_open(NULL, NULL);
  hashstore_load(fresh, path, &err);
  CHECK(err != NULL && strstr(err, "ERR snapshot") != NULL);
  hashstore_free(err);
  err = NULL;
  CHECK(hashstore_hlen(fresh, S("a")) == 0);
  hashstore_close(fresh);
  unlink(path);
  rmdir(dir);

  /* Not thread-safe: BGSAVE is refused (an option with a visible effect). */
  hashstore_options_t* o = hashstore_options_create();
  hashstore_options_set_thread_safe(o, 0);
  db = hashstore_open(o, &err);
  hashstore_options_destroy(o);
  const char* bgsave[] = {"BGSAVE"};
  hashstore_reply_t* r = run(db, 1, bgsave);
  const char* s = hashstore_reply_string(r, NULL);
  CHECK(hashstore_reply_type(r) == HASHSTORE_REPLY_ERROR && s != NULL && strstr(s, "thread_safe") != NULL);
  hashstore_reply_destroy(r);
  hashstore_close(db);
}

static void test_events(void) {
  manual_clock clock = {1700000000000};
  hashstore_t* db = open_with_clock(&clock);
  event_log log;
  memset(&log, 0, sizeof log);
  event_log closed_log;
  memset(&closed_log, 0, sizeof closed_log);
  const uint64_t id = hashstore_subscribe(db, &log, on_destroy, on_event);
  hashstore_subscribe(db, &closed_log, on_destroy, on_event); /* released by close */
  char* err = NULL;
  const char* f[] = {"f", "g"};
  const size_t l[] = {1, 1};
  CHECK(hashstore_hset(db, S("k"), 2, f, l, f, l, &err) == 2);
  CHECK(log.count == 1 && log.reasons[0] == HASHSTORE_EVENT_CHANGED);
  CHECK(strcmp(log.keys[0], "k") == 0 && log.field_counts[0] == 2 && strcmp(log.first_field[0], "f") == 0);
  CHECK(hashstore_del(db, S("k")) == 1);
  CHECK(log.count == 2 && log.reasons[1] == HASHSTORE_EVENT_DELETED && log.field_counts[1] == 0);
  CHECK(hashstore_hset(db, S("t"), 1, f, l, f, l, &err) == 1);
  CHECK(hashstore_pexpire(db, S("t"), 10, 0, &err) == 1);
  clock.now_ms += 10;
  const int before_expiry = log.count;
  CHECK(hashstore_hlen(db, S("t")) == 0); /* no read sees it */
  CHECK(hashstore_expire_cycle(db, 16) == 1); /* reclaimed: the event */
  CHECK(log.count == before_expiry + 1);
  CHECK(log.reasons[log.count - 1] == HASHSTORE_EVENT_EXPIRED && strcmp(log.keys[log.count - 1], "t") == 0);
  CHECK(log.destroyed == 0);
  hashstore_unsubscribe(db, id);
  CHECK(log.destroyed == 1);
  const int before = log.count;
  CHECK(hashstore_hset(db, S("k"), 1, f, l, f, l, &err) == 1);
  CHECK(log.count == before); /* no more events after unsubscribe */
  CHECK(closed_log.count == before + 1);
  hashstore_close(db);
  CHECK(closed_log.destroyed == 1 && log.destroyed == 1);

  /* Eviction under maxmemory: allkeys-random evicts, events say so. */
  hashstore_options_t* o = hashstore_options_create();
  hashstore_options_set_maxmemory(o, 20000);
  hashstore_options_set_maxmemory_policy(o, HASHSTORE_ALLKEYS_RANDOM);
  db = hashstore_open(o, &err);
  hashstore_options_destroy(o);
  memset(&log, 0, sizeof log);
  hashstore_subscribe(db, &log, NULL, on_event);
  int evicted = 0;
  for (int i = 0; i < 2000 && !evicted; ++i) {
    char key[16];
    snprintf(key, sizeof key, "key:%d", i);
    log.count = 0;
    CHECK(hashstore_hset(db, key, strlen(key), 1, f, l, f, l, &err) == 1);
    for (int j = 0; j < log.count; ++j) evicted |= log.reasons[j] == HASHSTORE_EVENT_EVICTED;
  }
  CHECK(evicted);
  hashstore_close(db);

  /* noeviction: a write over maxmemory fails with Redis's OOM text. */
  o = hashstore_options_create();
  hashstore_options_set_maxmemory(o, 1);
  db = hashstore_open(o, &err);
  hashstore_options_destroy(o);
  CHECK(hashstore_hset(db, S("k"), 1, f, l, f, l, &err) == 1); /* under the limit before it */
  CHECK(hashstore_hset(db, S("k2"), 1, f, l, f, l, &err) == -1);
  CHECK(err != NULL && strcmp(err, "OOM command not allowed when used memory > 'maxmemory'.") == 0);
  hashstore_free(err);
  hashstore_close(db);
}

int main(void) {
  test_version();
  test_open_errors();
  test_fields();
  test_listpack_options_and_hscan();
  test_key_ttls();
  test_expiry_thread();
  test_reserve();
  test_execute();
  test_persistence();
  test_events();
  printf("capi_test: %d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
