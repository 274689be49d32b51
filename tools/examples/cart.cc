// Example: shopping carts. A cart is a hash of product -> quantity: add,
// change, remove, list, then check out with reserve_all against the
// catalog's stock — the whole cart or nothing.
#include <cstdio>
#include <string>
#include <vector>

#include <hashstore/store.h>

void show(hashstore::Store& store, const char* cart) {
  std::printf("  %s:", cart);
  for (const auto& [product, qty] : store.hgetall(cart)) std::printf(" %s x%s", product.c_str(), qty.c_str());
  std::printf("\n");
}

bool checkout(hashstore::Store& store, const char* cart) {
  std::vector<std::pair<std::string, std::string>> lines = store.hgetall(cart);
  std::vector<std::string> keys;
  for (const auto& line : lines) keys.push_back("product:" + line.first);
  std::vector<hashstore::ReserveItem> items;
  for (size_t i = 0; i < lines.size(); ++i) {
    items.push_back({keys[i], "stock", std::stoll(lines[i].second)});
  }
  auto r = store.reserve_all(items);
  if (!r.ok() || !r->has_value()) {
    std::printf("checkout of %s refused: not enough stock, nothing taken\n", cart);
    return false;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    std::printf("  %s: took %s, %lld left\n", keys[i].c_str(), lines[i].second.c_str(),
                static_cast<long long>((**r)[i]));
  }
  (void)store.del({cart});
  std::printf("checkout of %s done\n", cart);
  return true;
}

int main() {
  hashstore::Store store;
  std::puts("== shopping carts");
  (void)store.hset("product:mug", "stock", "5");
  (void)store.hset("product:pot", "stock", "1");
  (void)store.hset("product:tea", "stock", "20");

  (void)store.hincrby("cart:alice", "mug", 2);       // add
  (void)store.hincrby("cart:alice", "tea", 3);
  (void)store.hincrby("cart:alice", "mug", 1);       // change: one more mug
  (void)store.hset("cart:alice", "pot", "1");
  (void)store.hdel("cart:alice", {"pot"});           // remove
  (void)store.hincrby("cart:bob", "pot", 1);
  (void)store.hincrby("cart:bob", "mug", 3);
  std::puts("carts:");
  show(store, "cart:alice");
  show(store, "cart:bob");

  checkout(store, "cart:alice");  // 3 mugs + 3 tea: fits
  checkout(store, "cart:bob");    // 3 mugs, but only 2 left: refused whole
  std::printf("pot stock is still %s (bob's pot was not taken)\n",
              store.hget("product:pot", "stock")->c_str());
  return 0;
}
