// A program that uses an installed hashstore as its users do (shared by the
// CMake, pkg-config and meson-subproject consumers in this folder): a few
// typed calls, a command as strings, the C API, the version seen by the
// headers compared with the library's, and fwd.h's declarations compiled
// beside the real ones. Exit status 0 when all is as
// expected; prints what went wrong otherwise.
#include <cstdio>
#include <cstring>
#include <string>

#include <hashstore/c.h>
#include <hashstore/fwd.h>  // before store.h: its declarations must agree
#include <hashstore/store.h>
#include <hashstore/version.h>

namespace {

int failures = 0;

void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  expect(std::strcmp(hashstore::version(), HASHSTORE_VERSION_STRING) == 0,
         "the library's version is the headers' version");

  hashstore::Store store;
  const absl::StatusOr<int64_t> added =
      store.hset("user:1", {{"name", "Alice"}, {"email", "alice@example.com"}});
  expect(added.ok() && *added == 2, "hset adds two fields");
  expect(store.hget("user:1", "email") == "alice@example.com", "hget");
  const absl::StatusOr<int64_t> logins = store.hincrby("user:1", "logins", 1);
  expect(logins.ok() && *logins == 1, "hincrby");
  const hashstore::Reply r = store.execute({"HINCRBY", "user:1", "name", "1"});
  expect(r.is_error() && r.string() == "ERR hash value is not an integer", "execute's error text");

  // The C API from the same library.
  char* err = nullptr;
  hashstore_t* db = hashstore_open(nullptr, &err);
  expect(db != nullptr && err == nullptr, "hashstore_open");
  const char* field[] = {"f"};
  const size_t len[] = {1};
  expect(hashstore_hset(db, "k", 1, 1, field, len, field, len, &err) == 1, "hashstore_hset");
  size_t n = 0;
  char* v = hashstore_hget(db, "k", 1, "f", 1, &n);
  expect(v != nullptr && n == 1 && v[0] == 'f', "hashstore_hget");
  hashstore_free(v);
  hashstore_close(db);

  std::printf("consumer: hashstore %s, %s\n", hashstore::version(),
              failures == 0 ? "all checks passed" : "FAILED");
  return failures == 0 ? 0 : 1;
}
