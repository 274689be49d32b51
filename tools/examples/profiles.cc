// Example: user profiles. Create a profile with several fields, read one and
// several fields, update some, count logins with HINCRBY — and the same
// profile as a typed record.
#include <cstdio>
#include <string>

#include <hashstore/record.h>
#include <hashstore/store.h>

struct Profile {
  std::string name;
  std::string email;
  std::string city;
  int64_t logins = 0;
};

int main() {
  hashstore::Store store;
  std::puts("== user profiles");
  (void)store.hset("user:1001", {{"name", "Alice"},
                                 {"email", "alice@example.com"},
                                 {"city", "Oslo"},
                                 {"created_at", "2024-05-01T09:30:00Z"}});
  std::printf("created user:1001 with %lld fields\n", static_cast<long long>(store.hlen("user:1001")));

  std::printf("email: %s\n", store.hget("user:1001", "email").value_or("(none)").c_str());
  auto some = store.hmget("user:1001", {"name", "city", "phone"});
  std::printf("name=%s city=%s phone=%s\n", some[0].value_or("-").c_str(),
              some[1].value_or("-").c_str(), some[2] ? some[2]->c_str() : "(not set)");

  (void)store.hset("user:1001", {{"city", "Bergen"}, {"phone", "+47 555 0101"}});
  std::printf("moved to %s\n", store.hget("user:1001", "city")->c_str());

  for (int day = 0; day < 3; ++day) {
    auto n = store.hincrby("user:1001", "logins", 1);
    std::printf("login #%lld\n", static_cast<long long>(*n));
  }

  const auto record = hashstore::Record<Profile>()
                          .field("name", &Profile::name)
                          .field("email", &Profile::email)
                          .field("city", &Profile::city)
                          .field("logins", &Profile::logins);
  auto p = record.read(store, "user:1001");
  if (!p.ok()) {
    std::printf("error: %s\n", std::string(p.status().message()).c_str());
    return 1;
  }
  std::printf("as a struct: %s <%s> in %s, %lld logins\n", p->name.c_str(), p->email.c_str(),
              p->city.c_str(), static_cast<long long>(p->logins));
  (void)record.write(store, "user:1002", Profile{"Bob", "bob@example.com", "Paris", 0});
  std::printf("user:1002 written from a struct: %s\n", store.hget("user:1002", "email")->c_str());
  return 0;
}
