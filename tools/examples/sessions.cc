// Example: sessions. Create a session hash with a TTL, refresh it on
// activity, watch an idle one expire. Time is a ManualClock here so the
// example runs instantly; a real program leaves Options::clock unset.
#include <cstdio>

#include <hashstore/store.h>

int main() {
  hashstore::ManualClock clock;
  hashstore::Options options;
  options.clock = &clock;
  hashstore::Store store(options);
  std::puts("== sessions (30-minute idle timeout)");

  for (const char* id : {"session:a", "session:b"}) {
    (void)store.hset(id, {{"user", id[8] == 'a' ? "alice" : "bob"}, {"cart_items", "0"}});
    (void)store.expire(id, 1800);
  }
  std::printf("two sessions, TTL %lld s each\n", static_cast<long long>(store.ttl("session:a")));

  for (int minute = 1; minute <= 45; ++minute) {
    clock.advance_ms(60'000);
    // Alice clicks every 10 minutes: each click refreshes her session.
    if (minute % 10 == 0) {
      (void)store.hincrby("session:a", "clicks", 1);
      (void)store.expire("session:a", 1800);
      std::printf("minute %2d: alice active, TTL back to %lld s\n", minute,
                  static_cast<long long>(store.ttl("session:a")));
    }
    if (minute == 29 || minute == 30) {
      std::printf("minute %2d: bob's session %s (TTL %lld)\n", minute,
                  store.exists({"session:b"}) ? "exists" : "is gone",
                  static_cast<long long>(store.ttl("session:b")));
    }
  }
  std::printf("after 45 minutes: alice %s with %s clicks; bob %s\n",
              store.exists({"session:a"}) ? "still logged in" : "gone",
              store.hget("session:a", "clicks").value_or("0").c_str(),
              store.exists({"session:b"}) ? "still there" : "expired");
  std::printf("expiry cycle reclaimed %zu expired key(s)\n", store.expire_cycle());
  return 0;
}
